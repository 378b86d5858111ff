r"""Cosine learning-rate schedule.

Cosine annealing lowers the learning rate from $\eta_{\max}$ to $\eta_{\min}$ along half a cosine
period; declared as a defined function of the step ($\eta(t)$, its body in ``definitions=``, which the
ladder unfolds), so every statement reads as the schedule evaluated somewhere: the ends, the midpoint,
the slopes, the mean, and the step-to-step ratio of framework schedulers. The map's cosine annealing row
(map 5.2, learning-rate schedules: GPT, LLaMA). Loshchilov and Hutter (2017), SGDR, Eq. (5).
"""

from __future__ import annotations

import numpy as np
import sympy as sp
from sympy import Derivative, Eq, Function, Integral, Subs, cos, pi

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

from ._shared import ETA_MAX, ETA_MIN, LOSHCHILOV, eta_max, eta_min

# -- symbols ---------------------------------------------------------------------------------------
HORIZON = interval(2, 1000)
T = HORIZON.symbol("T")
STEP = interval(0, T)
t = STEP.symbol("t")
eta = Function("eta")

#: the cosine schedule eta_t, the map's formula
COSINE = eta_min + (eta_max - eta_min) * (1 + cos(pi * t / T)) / 2
#: the factor by which chainable schedulers shrink eta_t - eta_min from step t to t + 1
RATIO = (1 + cos(pi * (t + 1) / T)) / (1 + cos(pi * t / T))

# -- what is claimed -------------------------------------------------------------------------------
CLAIM = Statement(
    "half-angle",
    Eq(eta(t), eta_min + (eta_max - eta_min) * cos(pi * t / (2 * T)) ** 2),
    text=r"the schedule is a squared cosine of the quarter period: it falls from $\eta_{\max}$ to $\eta_{\min}$",
)
START = Statement("start", Eq(eta(0), eta_max), text=r"it starts at the peak rate")
END = Statement("end", Eq(eta(T), eta_min), text=r"it ends at the floor rate")
MIDPOINT = Statement("midpoint", Eq(eta(T / 2), (eta_max + eta_min) / 2), text="half way it is the mean of the two")
FLAT_AT_0 = Statement("flat at 0", Eq(Subs(Derivative(eta(t), t), t, 0), 0), text="it leaves the peak with zero slope")
FLAT_AT_T = Statement(
    "flat at T", Eq(Subs(Derivative(eta(t), t), t, T), 0), text="and lands on the floor with zero slope"
)
MEAN = Statement(
    "mean",
    Eq(Integral(eta(t), (t, 0, T)) / T, (eta_max + eta_min) / 2),
    text=r"the average rate over the run, so the total step budget is $T(\eta_{\max}+\eta_{\min})/2$",
)
RATIO_RECURSION = Statement(
    "ratio recursion",
    Eq(eta(t + 1), eta_min + (eta(t) - eta_min) * RATIO),
    text=r"the step-to-step form of chainable schedulers (PyTorch \texttt{CosineAnnealingLR}), for $t < T$; "
    r"run from $\eta(0) = \eta_{\max}$ it reproduces the closed form",
)

# -- the homework question, and where the identity comes from --------------------------------------
QUESTION = Question(
    target=COSINE,
    prompt=r"Write the cosine learning-rate schedule $\eta_t$ for $0 \le t \le T$ that starts at $\eta_{\max}$, "
    r"ends at $\eta_{\min}$ and has zero slope at both ends (half a cosine period).",
    names={"eta_min": eta_min, "eta_max": eta_max},
    approximations={
        r"this decays to 0, not to $\eta_{\min}$": eta_max * (1 + cos(pi * t / T)) / 2,
        r"a full cosine period: it returns to $\eta_{\max}$ at $t = T$": eta_min
        + (eta_max - eta_min) * (1 + cos(2 * pi * t / T)) / 2,
        r"a quarter period: the slope at $t = T$ is not zero": eta_min + (eta_max - eta_min) * cos(pi * t / (2 * T)),
    },
)
REFS = (
    LOSHCHILOV,
    Ref.cite("touvron2023", where="Sec. 2.2"),
)


# -- how it is derived -----------------------------------------------------------------------------
def derivation(d: Derivation) -> None:
    r"""Cosine annealing lowers the learning rate from $\eta_{\max}$ to $\eta_{\min}$ along half a
    cosine period, $\eta_t = \eta_{\min} + \tfrac12(\eta_{\max} - \eta_{\min})(1 + \cos(\pi t/T))$.
    It is the default decay of GPT-3 and LLaMA pre-training: flat at both ends (no shock when decay
    starts, a gentle landing), its midpoint and its mean are the average of the two rates, and
    framework schedulers implement it as a multiplicative ratio from one step to the next."""
    unfold = d.unfold
    u = sp.Dummy("u")
    d.begin(eta(t))
    d.then(unfold, "the definition")
    d.then(
        lambda e: sp.expand_trig(e.subs(t, 2 * T * u / pi)).subs(u, pi * t / (2 * T)),
        r"double angle: $1 + \cos 2u = 2\cos^2 u$ with $u = \frac{\pi t}{2T}$",
    )
    d.conclude("half-angle")

    for label, at, why in (
        ("start", sp.S.Zero, r"$\cos 0 = 1$"),
        ("end", T, r"$\cos\pi = -1$"),
        ("midpoint", T / 2, r"$\cos\frac{\pi}{2} = 0$"),
    ):
        d.begin(eta(at))
        d.then(unfold, f"the definition at $t = {sp.latex(at)}$; {why}")
        d.conclude(label)

    for label, at in (("flat at 0", sp.S.Zero), ("flat at T", T)):
        d.begin(Subs(Derivative(eta(t), t), t, at))
        d.then(lambda e: e.func(unfold(e.args[0]), *e.args[1:]), "the definition")
        d.then(lambda e: e.func(e.args[0].doit(), *e.args[1:]), "differentiate")
        d.then(lambda e: e.doit(), rf"at $t = {sp.latex(at)}$ the sine vanishes")
        d.conclude(label)

    d.begin(Integral(eta(t), (t, 0, T)) / T)
    d.then(unfold, "the definition")
    d.then(lambda e: e.doit(), r"integrate: $\int_0^T \cos\frac{\pi t}{T}\,dt = \frac{T}{\pi}\sin\pi = 0$")
    d.then(lambda e: sp.factor(sp.expand(e)), "divide by $T$")
    d.conclude("mean")

    def eliminate_peak(e: sp.Expr) -> sp.Expr:
        """Solve the definition at t for eta_max and substitute it."""
        (peak,) = sp.solve(Eq(eta(t), unfold(eta(t))), eta_max)
        return e.subs(eta_max, peak)

    d.begin(eta(t + 1))
    d.then(unfold, r"the definition at $t + 1$")
    d.then(
        eliminate_peak,
        r"eliminate $\eta_{\max}$ with the definition at $t$: "
        r"$\eta_{\max} - \eta_{\min} = \frac{2(\eta(t) - \eta_{\min})}{1 + \cos(\pi t/T)}$",
    )
    d.then(eta_min + (eta(t) - eta_min) * RATIO, r"collect $\eta(t) - \eta_{\min}$")
    d.conclude("ratio recursion")


# -- how it is checked -----------------------------------------------------------------------------
def _cosine_numpy(tt: np.ndarray, TT: float | np.ndarray, lo: float | np.ndarray, hi: float | np.ndarray) -> np.ndarray:
    """The schedule written directly in numpy (the reference the recursion must reproduce)."""
    return lo + 0.5 * (hi - lo) * (1.0 + np.cos(np.pi * tt / TT))


def crosscheck(ctx: CheckContext) -> CrossCheckResult:
    """The chainable scheduler (PyTorch ``CosineAnnealingLR``'s ratio form, run step by step from
    eta_0 = eta_max) against the closed form at every integer t <= T, for random parameters; and
    the mean by the trapezoidal rule on a fine grid."""
    results = []
    steps_err: list[float] = []
    means_got, means_ref = [], []
    for _ in range(12):
        TT = int(ctx.rng.integers(2, 400))
        lo = float(ctx.rng.uniform(0.0, 1.0))
        hi = lo + float(ctx.rng.uniform(0.01, 10.0))
        lr = hi
        got = [lr]
        for s in range(TT):
            lr = lo + (lr - lo) * (1 + np.cos(np.pi * (s + 1) / TT)) / (1 + np.cos(np.pi * s / TT))
            got.append(lr)
        ref = _cosine_numpy(np.arange(TT + 1), float(TT), lo, hi)
        steps_err.append(float(np.max(np.abs(np.array(got) - ref)) / hi))
        grid = np.linspace(0.0, TT, 20001)
        means_got.append(float(np.trapezoid(_cosine_numpy(grid, float(TT), lo, hi), grid)) / TT)
        means_ref.append((lo + hi) / 2)
    results.append(ctx.bound("recursion vs closed form, all integer t <= T", "scheduler loop", max(steps_err), 1e-9))
    results.append(
        ctx.compare("mean over [0, T]", "trapezoidal rule", np.array(means_got), np.array(means_ref), rtol=1e-8)
    )
    at = ctx.sample(64)
    closed = ctx.evaluate(ctx.result, at, 64)
    results.append(
        ctx.compare(
            "derived form vs numpy schedule",
            "direct evaluation",
            closed,
            _cosine_numpy(at[t], at[T], at[eta_min], at[eta_max]),
            rtol=1e-12,
        )
    )
    return combine(*results)


# -- the declaration -------------------------------------------------------------------------------
COSINE_SCHEDULE = declare(
    "cosine-schedule",
    aliases=("cosine-annealing",),
    title="Cosine learning-rate schedule",
    section="5.2",
    map_row=r"Cosine annealing $\eta_t = \eta_{\min} + \tfrac12(\eta_{\max} - \eta_{\min})(1 + \cos(\pi t/T))$ "
    r"(GPT, LLaMA)",
    variables={T: HORIZON, t: STEP, eta_min: ETA_MIN, eta_max: ETA_MAX},
    definitions={eta(t): COSINE},
    claim=CLAIM,
    also=(START, END, MIDPOINT, FLAT_AT_0, FLAT_AT_T, MEAN, RATIO_RECURSION),
    derivation=derivation,
    crosscheck=crosscheck,
    plot=Plot(
        t,
        over=(0.0, 100.0),
        fixed={T: 100, eta_min: 0.1, eta_max: 1.0},
        curves={r"$\eta(t)$": eta(t), r"$T\,\eta'(t)$": T * sp.diff(COSINE, t)},
    ),
    question=QUESTION,
    refs=REFS,
)
