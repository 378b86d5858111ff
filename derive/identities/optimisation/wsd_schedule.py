r"""Warmup-stable-decay schedule.

Warmup-stable-decay (WSD) ramps up, holds the peak rate $\eta_{\max}$ for most of the run and decays
only at the end, so a run can be extended without fixing its horizon in advance. Declared phase by
phase (one defined function per phase), its joins are continuous and it spends
$\eta_{\max}(T - T_w/2 - T_d/2)$ of learning rate, strictly more than a cosine schedule over the same
run whenever there is a plateau. The map's WSD row (map 5.2, learning-rate schedules: Mistral, Phi-3).
Hu et al. (2024), MiniCPM, Sec. 4; Hägele et al. (2024), Scaling Laws and Compute-Optimal Training
Beyond Fixed Training Durations.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

import numpy as np
import sympy as sp
from sympy import Eq, Function, Gt, Integral, Limit, cos, pi

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
    positive,
)

from ._shared import integral, jump

# -- symbols ---------------------------------------------------------------------------------------
PHASE = interval(1, 1000)
T_w = PHASE.symbol("T_w")
T_d = PHASE.symbol("T_d")
RUN = interval(T_w + T_d, T_w + T_d + 10000, open_lo=True)
T_all = RUN.symbol("T")
STEP = interval(0, T_all)
tau = STEP.symbol("t")
PEAK = positive(10)
peak = PEAK.symbol("eta_max")
PLATEAU = positive(10000)
T_s = PLATEAU.symbol("T_s")
#: the run length written as warmup + plateau + decay, so "T_w + T_d < T" is the sign of the plateau T_s
T_SPLIT = T_w + T_s + T_d
eta_w, eta_s, eta_d, eta_dc = Function("eta_w"), Function("eta_s"), Function("eta_d"), Function("eta_dc")
WSD_AREA = peak * (T_all - T_w / 2 - T_d / 2)


def _wsd_integrals(end: sp.Expr) -> sp.Expr:
    """The WSD learning rate (linear decay to 0) summed over the three phases of a run of length ``end``."""
    return (
        Integral(peak * tau / T_w, (tau, 0, T_w))
        + Integral(peak, (tau, T_w, end - T_d))
        + Integral(peak * (end - tau) / T_d, (tau, end - T_d, end))
    )


# -- what is claimed -------------------------------------------------------------------------------
CLAIM = Statement(
    "area",
    Eq(
        Integral(eta_w(tau), (tau, 0, T_w))
        + Integral(eta_s(tau), (tau, T_w, T_all - T_d))
        + Integral(eta_d(tau), (tau, T_all - T_d, T_all)),
        WSD_AREA,
    ),
    text=r"the learning rate summed over the run (linear decay to 0)",
)
WARMUP_JOIN = Statement(
    "warmup join",
    Eq(Limit(eta_w(tau), tau, T_w, "-"), Limit(eta_s(tau), tau, T_w, "+")),
    text="warmup meets the plateau",
)
DECAY_JOIN = Statement(
    "decay join",
    Eq(Limit(eta_s(tau), tau, T_all - T_d, "-"), Limit(eta_d(tau), tau, T_all - T_d, "+")),
    text="the plateau meets the decay",
)
COSINE_DECAY = Statement(
    "cosine decay",
    Eq(Integral(eta_dc(tau), (tau, T_all - T_d, T_all)), Integral(eta_d(tau), (tau, T_all - T_d, T_all))),
    text="a cosine decay of the same length has the same area as the linear one",
)
GAIN_OVER_COSINE = Statement(
    "gain over cosine",
    Eq(
        WSD_AREA - Integral(peak * (1 + cos(pi * tau / T_all)) / 2, (tau, 0, T_all)),
        peak * (T_all - T_w - T_d) / 2,
    ),
    text=r"WSD spends more learning rate than a cosine schedule over the same $T$",
)
LARGER_THAN_COSINE = Statement(
    "larger than cosine",
    Gt(
        _wsd_integrals(T_SPLIT),
        Integral(peak * (1 + cos(pi * tau / T_SPLIT)) / 2, (tau, 0, T_SPLIT)),
    ),
    text=r"strictly, whenever there is a plateau: write $T = T_w + T_s + T_d$ with $T_s > 0$ "
    r"(that is, $T_w + T_d < T$)",
)

# -- the homework question, and where the identity comes from --------------------------------------
QUESTION = Question(
    target=WSD_AREA,
    prompt=r"A warmup-stable-decay schedule rises linearly from 0 to $\eta_{\max}$ over $T_w$ steps, stays at "
    r"$\eta_{\max}$, and decays linearly to 0 over the last $T_d$ of $T$ steps. "
    r"What is its total area $\int_0^T \eta_t\,dt$?",
    approximations={
        "the plateau's area only": peak * (T_all - T_w - T_d),
        "a cosine schedule's area": peak * T_all / 2,
    },
)
REFS = (
    Ref.cite("hu2024", where="Sec. 4"),
    Ref.cite("hagele2024"),
)


# -- how it is derived -----------------------------------------------------------------------------
def _from_the_right(
    phase: Callable[[sp.Expr], sp.Expr], at: sp.Expr, unfold: Callable[[sp.Basic], sp.Basic]
) -> Callable[[sp.Basic], sp.Basic]:
    """The step closing a join's chain: the limit from the right of the next ``phase`` at the join ``at``."""
    return lambda e: Limit(unfold(phase(tau)), tau, at, "+")


def derivation(d: Derivation) -> None:
    r"""Warmup-stable-decay holds the peak rate $\eta_{\max}$ for most of the run and decays only at the
    end, so a run can be extended (or checkpoints branched into short decays) without committing to a
    horizon $T$ in advance, as a cosine schedule must. Its joins are continuous, and it spends
    $\eta_{\max}(T - T_w/2 - T_d/2)$ of learning rate, more than cosine's $\eta_{\max}T/2$."""
    unfold = d.unfold
    d.begin(
        Integral(eta_w(tau), (tau, 0, T_w))
        + Integral(eta_s(tau), (tau, T_w, T_all - T_d))
        + Integral(eta_d(tau), (tau, T_all - T_d, T_all))
    )
    d.then(unfold, "the three phases")
    d.then(lambda e: e.doit(), "integrate each phase: a triangle, a rectangle, a triangle")
    d.then(lambda e: sp.factor(sp.expand(e)), "collect")
    d.conclude("area")

    for label, (a, b), at in (("warmup join", (eta_w, eta_s), T_w), ("decay join", (eta_s, eta_d), T_all - T_d)):
        d.begin(Limit(a(tau), tau, at, "-"))
        d.then(unfold, "the phase before the join")
        d.then(lambda e: e.doit(), "its limit from the left")
        d.then(_from_the_right(b, at, unfold), "is the limit from the right of the next phase")
        d.conclude(label)

    d.begin(Integral(eta_dc(tau), (tau, T_all - T_d, T_all)))
    d.then(unfold, "the cosine decay")
    d.then(lambda e: e.doit(), "integrate: the cosine part vanishes over half a period")
    d.then(lambda e: sp.factor(sp.expand(e)), "simplify")
    d.then(Integral(unfold(eta_d(tau)), (tau, T_all - T_d, T_all)), "the area of the linear decay")
    d.conclude("cosine decay")

    d.begin(WSD_AREA - Integral(peak * (1 + cos(pi * tau / T_all)) / 2, (tau, 0, T_all)))
    d.then(lambda e: e.doit(), "the cosine schedule's area is $\\eta_{\\max}T/2$")
    d.then(lambda e: sp.factor(sp.expand(e)), "collect")
    d.conclude("gain over cosine")

    d.begin(_wsd_integrals(T_SPLIT))
    d.then(lambda e: sp.expand(e.doit()), r"integrate each phase, with $T = T_w + T_s + T_d$")
    d.bound(peak * T_SPLIT / 2, r"drop the positive $\eta_{\max} T_s / 2$", relation=">")
    d.then(
        Integral(peak * (1 + cos(pi * tau / T_SPLIT)) / 2, (tau, 0, T_SPLIT)),
        r"which is the cosine schedule's area over the same run",
    )
    d.conclude("larger than cosine")


# -- how it is checked -----------------------------------------------------------------------------
def _wsd_numpy(tt: np.ndarray, tw: float, td: float, TT: float, hi: float, cosine: bool = False) -> np.ndarray:
    """Warmup-stable-decay as a training loop computes it."""
    s = np.clip((tt - (TT - td)) / td, 0.0, 1.0)
    down = hi * (1 + np.cos(np.pi * s)) / 2 if cosine else hi * (1 - s)
    return np.where(tt < tw, hi * tt / tw, down)


def crosscheck(ctx: CheckContext) -> CrossCheckResult:
    """Summed learning rates (trapezoidal rule, linear and cosine decay) against the derived area, the
    jumps at both joins, and the gain over a cosine schedule on the same run."""
    s = ctx.sample(16)
    jumps, got_lin, got_cos, ref, gain, gain_ref = [], [], [], [], [], []
    for i in range(16):
        tw, td, TT, hi = (float(s[v][i]) for v in (T_w, T_d, T_all, peak))
        for join in (tw, TT - td):
            e = 1e-9 * min(tw, td)
            jumps.append(jump(partial(_wsd_numpy, tw=tw, td=td, TT=TT, hi=hi), join, e, hi))
        grid = np.unique(
            np.concatenate([np.linspace(0, tw, 20001), np.linspace(tw, TT - td, 3), np.linspace(TT - td, TT, 20001)])
        )
        got_lin.append(integral(_wsd_numpy(grid, tw, td, TT, hi), grid))
        got_cos.append(integral(_wsd_numpy(grid, tw, td, TT, hi, cosine=True), grid))
        ref.append(hi * (TT - tw / 2 - td / 2))
        fine = np.linspace(0, TT, 40001)
        gain.append(got_lin[-1] - integral(hi * (1 + np.cos(np.pi * fine / TT)) / 2, fine))
        gain_ref.append(hi * (TT - tw - td) / 2)
    return combine(
        ctx.bound("jumps at the joins", "numpy schedule either side of each join", max(jumps), 1e-7),
        ctx.compare("area, linear decay", "trapezoidal rule", np.array(got_lin), np.array(ref), rtol=1e-7),
        ctx.compare("area, cosine decay", "trapezoidal rule", np.array(got_cos), np.array(ref), rtol=1e-7),
        ctx.compare("gain over cosine", "trapezoidal rule", np.array(gain), np.array(gain_ref), rtol=1e-6),
    )


# -- the declaration -------------------------------------------------------------------------------
WSD_SCHEDULE = declare(
    "wsd-schedule",
    aliases=("warmup-stable-decay",),
    title="Warmup-stable-decay schedule",
    section="5.2",
    map_row=r"WSD (warmup-stable-decay): Mistral, Phi-3",
    variables={T_w: PHASE, T_d: PHASE, T_all: RUN, tau: STEP, peak: PEAK, T_s: PLATEAU},
    definitions={
        eta_w(tau): peak * tau / T_w,
        eta_s(tau): peak,
        eta_d(tau): peak * (T_all - tau) / T_d,
        eta_dc(tau): peak * (1 + cos(pi * (tau - (T_all - T_d)) / T_d)) / 2,
    },
    claim=CLAIM,
    also=(WARMUP_JOIN, DECAY_JOIN, COSINE_DECAY, GAIN_OVER_COSINE, LARGER_THAN_COSINE),
    derivation=derivation,
    crosscheck=crosscheck,
    plot=Plot(
        tau,
        over=(0.0, 100.0),
        fixed={T_w: 10, T_d: 20, T_all: 100, peak: 1.0},
        curves={
            "WSD": sp.Piecewise(
                (peak * tau / T_w, tau < T_w), (peak, tau < T_all - T_d), (peak * (T_all - tau) / T_d, True)
            ),
            "cosine": peak * (1 + cos(pi * tau / T_all)) / 2,
        },
    ),
    question=QUESTION,
    refs=REFS,
    builds_on=("linear-warmup", "cosine-schedule"),
)
