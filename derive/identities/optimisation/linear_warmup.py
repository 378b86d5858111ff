r"""Linear warmup joined to cosine decay.

Large-batch and transformer training ramp the learning rate up linearly, $\eta_t = \eta_{\max} t /
T_{\mathrm{warm}}$, then decay it along a cosine. The schedule is declared phase by phase (one defined
function per phase: SymPy cannot take one-sided limits of a ``Piecewise`` with symbolic break points),
so the join is the pair of one-sided limits of the neighbouring phases; the areas are the learning rate
summed over warmup and over the run. The map's linear warmup row (map 5.2, learning-rate schedules).
Goyal et al. (2017), Accurate, Large Minibatch SGD, Sec. 2.2; Loshchilov and Hutter (2017), SGDR.
"""

from __future__ import annotations

from functools import partial

import numpy as np
import sympy as sp
from sympy import Eq, Function, Integral, Limit, cos, pi

from derive.authoring import (
    CheckContext,
    CrossCheckResult,
    Derivation,
    Plot,
    Question,
    Ref,
    Statement,
    combine,
    declare,
    interval,
)

from ._shared import ETA_MAX, ETA_MIN, LOSHCHILOV, eta_max, eta_min, integral, jump

# -- symbols ---------------------------------------------------------------------------------------
WARMUP = interval(1, 1000)
T_warm = WARMUP.symbol("T_warm")
RUN = interval(T_warm + 1, T_warm + 10000)
T_run = RUN.symbol("T")
STEP = interval(0, T_run)
t_run = STEP.symbol("t")
eta_warm, eta_decay = Function("eta_warm"), Function("eta_decay")
WARM = eta_max * t_run / T_warm
DECAY = eta_min + (eta_max - eta_min) * (1 + cos(pi * (t_run - T_warm) / (T_run - T_warm))) / 2

# -- what is claimed -------------------------------------------------------------------------------
CLAIM = Statement(
    "peak", Eq(eta_warm(T_warm), eta_max), text=r"warmup reaches $\eta_{\max}$ at $t = T_{\mathrm{warm}}$"
)
FROM_THE_LEFT = Statement(
    "from the left",
    Eq(Limit(eta_warm(t_run), t_run, T_warm, "-"), eta_max),
    text="the warmup phase arrives at the peak",
)
FROM_THE_RIGHT = Statement(
    "from the right",
    Eq(Limit(eta_decay(t_run), t_run, T_warm, "+"), eta_max),
    text="the cosine decay leaves from the peak: the joined schedule is continuous",
)
WARMUP_AREA = Statement(
    "warmup area",
    Eq(Integral(eta_warm(t_run), (t_run, 0, T_warm)), eta_max * T_warm / 2),
    text="the learning rate summed over warmup",
)
TOTAL_AREA = Statement(
    "total area",
    Eq(
        Integral(eta_warm(t_run), (t_run, 0, T_warm)) + Integral(eta_decay(t_run), (t_run, T_warm, T_run)),
        eta_max * T_warm / 2 + (eta_max + eta_min) * (T_run - T_warm) / 2,
    ),
    text="over the whole run",
)

# -- the homework question, and where the identity comes from --------------------------------------
QUESTION = Question(
    target=eta_max * T_warm / 2,
    prompt=r"A linear warmup $\eta_t = \eta_{\max} t / T_{\mathrm{warm}}$ runs for $T_{\mathrm{warm}}$ steps. "
    r"What is $\int_0^{T_{\mathrm{warm}}} \eta_t\,dt$, the learning rate summed over warmup?",
    approximations={"this is the area of the full-height rectangle, not the triangle": eta_max * T_warm},
)
REFS = (
    Ref.cite("goyal2017", where="Sec. 2.2"),
    LOSHCHILOV,
)


# -- how it is derived -----------------------------------------------------------------------------
def derivation(d: Derivation) -> None:
    r"""Large-batch and transformer training start with a linear warmup,
    $\eta_t = \eta_{\max} t / T_{\mathrm{warm}}$, so that Adam's second-moment estimates settle before
    full-size steps are taken; then a cosine decay takes over. The two phases must meet at the peak
    (no jump in the step size), and the warmup spends only half the rate budget of its steps."""
    unfold = d.unfold
    d.begin(eta_warm(T_warm))
    d.then(unfold, r"the warmup at $t = T_{\mathrm{warm}}$")
    d.conclude("peak")

    for label, phase, side in (("from the left", eta_warm, "-"), ("from the right", eta_decay, "+")):
        d.begin(Limit(phase(t_run), t_run, T_warm, side))
        d.then(unfold, "the phase's formula")
        d.then(lambda e: e.doit(), r"one-sided limit (both phases are continuous: substitute $T_{\mathrm{warm}}$)")
        d.conclude(label)

    d.begin(Integral(eta_warm(t_run), (t_run, 0, T_warm)))
    d.then(unfold, "the warmup formula")
    d.then(lambda e: e.doit(), "integrate: a triangle of base $T_{\\mathrm{warm}}$ and height $\\eta_{\\max}$")
    d.conclude("warmup area")

    d.begin(Integral(eta_warm(t_run), (t_run, 0, T_warm)) + Integral(eta_decay(t_run), (t_run, T_warm, T_run)))
    d.then(eta_max * T_warm / 2 + Integral(eta_decay(t_run), (t_run, T_warm, T_run)), "the warmup area (above)")
    d.then(unfold, "the decay phase")
    d.then(lambda e: e.doit(), "integrate; the cosine integrates to zero over its half period")
    d.then(lambda e: sp.collect(sp.expand(e), [eta_max, eta_min]), r"collect $\eta_{\max}$ and $\eta_{\min}$")
    d.conclude("total area")


# -- how it is checked -----------------------------------------------------------------------------
def _warmup_numpy(tt: np.ndarray, tw: float, TT: float, lo: float, hi: float) -> np.ndarray:
    """Warmup then cosine decay, as a training loop computes it (``np.where`` on the phase)."""
    return np.where(tt < tw, hi * tt / tw, lo + 0.5 * (hi - lo) * (1 + np.cos(np.pi * (tt - tw) / (TT - tw))))


def crosscheck(ctx: CheckContext) -> CrossCheckResult:
    """Continuity (the schedule just before and just after T_warm) and the summed learning rate
    (trapezoidal rule on a fine grid of the numpy schedule) against the derived areas."""
    s = ctx.sample(16)
    gaps, got, ref = [], [], []
    for i in range(16):
        tw, TT, lo, hi = (float(s[v][i]) for v in (T_warm, T_run, eta_min, eta_max))
        eps = 1e-9 * tw
        gaps.append(jump(partial(_warmup_numpy, tw=tw, TT=TT, lo=lo, hi=hi), tw, eps, hi))
        grid = np.concatenate([np.linspace(0, tw, 20001), np.linspace(tw, TT, 20001)[1:]])
        got.append(integral(_warmup_numpy(grid, tw, TT, lo, hi), grid))
        ref.append(hi * tw / 2 + (hi + lo) * (TT - tw) / 2)
    return combine(
        ctx.bound("jump at T_warm", "numpy schedule at T_warm -/+ 1e-9 T_warm", max(gaps), 1e-7),
        ctx.compare("total area", "trapezoidal rule", np.array(got), np.array(ref), rtol=1e-7),
    )


# -- the declaration -------------------------------------------------------------------------------
LINEAR_WARMUP = declare(
    "linear-warmup",
    title="Linear warmup joined to cosine decay",
    section="5.2",
    map_row=r"Linear warmup $\eta_t = \eta_{\max}\, t/T_{\mathrm{warm}}$",
    variables={T_warm: WARMUP, T_run: RUN, t_run: STEP, eta_min: ETA_MIN, eta_max: ETA_MAX},
    definitions={eta_warm(t_run): WARM, eta_decay(t_run): DECAY},
    claim=CLAIM,
    also=(FROM_THE_LEFT, FROM_THE_RIGHT, WARMUP_AREA, TOTAL_AREA),
    derivation=derivation,
    crosscheck=crosscheck,
    plot=Plot(
        t_run,
        over=(0.0, 100.0),
        fixed={T_warm: 10, T_run: 100, eta_min: 0.1, eta_max: 1.0},
        curves={"warmup, then cosine": sp.Piecewise((WARM, t_run < T_warm), (DECAY, True))},
    ),
    question=QUESTION,
    refs=REFS,
    builds_on=("cosine-schedule",),
)
