r"""5.2 Learning-rate schedules: cosine annealing, linear warmup, warmup-stable-decay.

A schedule is a defined function of the step $t$ (``eta = Function("eta")`` with its body in
``definitions=``), so every statement reads as the schedule evaluated somewhere: $\eta(0) =
\eta_{\max}$, the slope at the ends, the mean over the run. The ladder unfolds the definitions.
Piecewise schedules are declared phase by phase (one defined function per phase): SymPy cannot take
one-sided limits of a ``Piecewise`` with symbolic break points, and the joins are exactly the
one-sided limits of neighbouring phases.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import sympy as sp
from sympy import Derivative, Eq, Function, Gt, Integral, Limit, Subs, cos, pi

from derive.core.derivation import Derivation
from derive.core.identity import Plot, Question, Ref, identity
from derive.core.statements import Statement
from derive.maths.domains import interval, nonnegative, positive
from derive.numeric.crosscheck import CheckContext, CrossCheckResult, combine

# ----------------------------------------------------------------------------- shared symbols
T = interval(2, 1000).symbol("T")
t = interval(0, T).symbol("t")
eta_min = nonnegative(1).symbol("eta_min")
eta_max = interval(eta_min, eta_min + 10, open_lo=True).symbol("eta_max")
eta = Function("eta")

#: the cosine schedule eta_t, the map's formula
COSINE = eta_min + (eta_max - eta_min) * (1 + cos(pi * t / T)) / 2
#: the factor by which chainable schedulers shrink eta_t - eta_min from step t to t + 1
RATIO = (1 + cos(pi * (t + 1) / T)) / (1 + cos(pi * t / T))
LOSHCHILOV = Ref.arxiv(
    "1608.03983", "I. Loshchilov and F. Hutter, SGDR: Stochastic Gradient Descent with Warm Restarts, 2017", "Eq. (5)"
)


def _cosine_numpy(tt: np.ndarray, TT: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """The schedule written directly in numpy (the reference the recursion must reproduce)."""
    return lo + 0.5 * (hi - lo) * (1.0 + np.cos(np.pi * tt / TT))


def _cosine_check(ctx: CheckContext) -> CrossCheckResult:
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


@identity(
    "cosine-schedule",
    aliases=("cosine-annealing",),
    title="Cosine learning-rate schedule",
    section="5.2",
    map_row=r"Cosine annealing $\eta_t = \eta_{\min} + \tfrac12(\eta_{\max} - \eta_{\min})(1 + \cos(\pi t/T))$ "
    r"(GPT, LLaMA)",
    variables={
        T: interval(2, 1000),
        t: interval(0, T),
        eta_min: nonnegative(1),
        eta_max: interval(eta_min, eta_min + 10, open_lo=True),
    },
    definitions={eta(t): COSINE},
    claim=Statement(
        "half-angle",
        Eq(eta(t), eta_min + (eta_max - eta_min) * cos(pi * t / (2 * T)) ** 2),
        text=r"the schedule is a squared cosine of the quarter period: it falls from $\eta_{\max}$ to $\eta_{\min}$",
    ),
    also=[
        Statement("start", Eq(eta(0), eta_max), text=r"it starts at the peak rate"),
        Statement("end", Eq(eta(T), eta_min), text=r"it ends at the floor rate"),
        Statement("midpoint", Eq(eta(T / 2), (eta_max + eta_min) / 2), text="half way it is the mean of the two"),
        Statement("flat at 0", Eq(Subs(Derivative(eta(t), t), t, 0), 0), text="it leaves the peak with zero slope"),
        Statement("flat at T", Eq(Subs(Derivative(eta(t), t), t, T), 0), text="and lands on the floor with zero slope"),
        Statement(
            "mean",
            Eq(Integral(eta(t), (t, 0, T)) / T, (eta_max + eta_min) / 2),
            text=r"the average rate over the run, so the total step budget is $T(\eta_{\max}+\eta_{\min})/2$",
        ),
        Statement(
            "ratio recursion",
            Eq(eta(t + 1), eta_min + (eta(t) - eta_min) * RATIO),
            text=r"the step-to-step form of chainable schedulers (PyTorch \texttt{CosineAnnealingLR}), for $t < T$; "
            r"run from $\eta(0) = \eta_{\max}$ it reproduces the closed form",
        ),
    ],
    crosscheck=_cosine_check,
    plot=Plot(
        t,
        over=(0.0, 100.0),
        fixed={T: 100, eta_min: 0.1, eta_max: 1.0},
        curves={r"$\eta(t)$": eta(t), r"$T\,\eta'(t)$": T * sp.diff(COSINE, t)},
    ),
    question=Question(
        target=COSINE,
        prompt=r"Write the cosine learning-rate schedule $\eta_t$ for $0 \le t \le T$ that starts at $\eta_{\max}$, "
        r"ends at $\eta_{\min}$ and has zero slope at both ends (half a cosine period).",
        names={"eta_min": eta_min, "eta_max": eta_max},
        approximations={
            r"this decays to 0, not to $\eta_{\min}$": eta_max * (1 + cos(pi * t / T)) / 2,
            r"a full cosine period: it returns to $\eta_{\max}$ at $t = T$": eta_min
            + (eta_max - eta_min) * (1 + cos(2 * pi * t / T)) / 2,
            r"a quarter period: the slope at $t = T$ is not zero": eta_min
            + (eta_max - eta_min) * cos(pi * t / (2 * T)),
        },
    ),
    refs=(
        LOSHCHILOV,
        Ref.arxiv(
            "2302.13971", "H. Touvron et al., LLaMA: Open and Efficient Foundation Language Models, 2023", "Sec. 2.2"
        ),
    ),
)
def cosine_schedule(d: Derivation) -> None:
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


# ----------------------------------------------------------------------------- warmup and WSD
def _integral(f: np.ndarray, grid: np.ndarray) -> float:
    return float(np.trapezoid(f, grid))


def _jump(schedule: Callable[[np.ndarray], np.ndarray], at: float, eps: float, scale: float) -> float:
    """|schedule(at - eps) - schedule(at + eps)| / scale: the jump of a numpy schedule across a join."""
    return abs(float(schedule(np.array(at - eps)) - schedule(np.array(at + eps)))) / scale


T_warm = interval(1, 1000).symbol("T_warm")
T_run = interval(T_warm + 1, T_warm + 10000).symbol("T")
t_run = interval(0, T_run).symbol("t")
eta_warm, eta_decay = Function("eta_warm"), Function("eta_decay")
WARM = eta_max * t_run / T_warm
DECAY = eta_min + (eta_max - eta_min) * (1 + cos(pi * (t_run - T_warm) / (T_run - T_warm))) / 2


def _warmup_numpy(tt: np.ndarray, tw: float, TT: float, lo: float, hi: float) -> np.ndarray:
    """Warmup then cosine decay, as a training loop computes it (``np.where`` on the phase)."""
    return np.where(tt < tw, hi * tt / tw, lo + 0.5 * (hi - lo) * (1 + np.cos(np.pi * (tt - tw) / (TT - tw))))


def _warmup_check(ctx: CheckContext) -> CrossCheckResult:
    """Continuity (the schedule just before and just after T_warm) and the summed learning rate
    (trapezoidal rule on a fine grid of the numpy schedule) against the derived areas."""
    s = ctx.sample(16)
    gaps, got, ref = [], [], []
    for i in range(16):
        tw, TT, lo, hi = (float(s[v][i]) for v in (T_warm, T_run, eta_min, eta_max))
        eps = 1e-9 * tw
        gaps.append(_jump(lambda x, tw=tw, TT=TT, lo=lo, hi=hi: _warmup_numpy(x, tw, TT, lo, hi), tw, eps, hi))
        grid = np.concatenate([np.linspace(0, tw, 20001), np.linspace(tw, TT, 20001)[1:]])
        got.append(_integral(_warmup_numpy(grid, tw, TT, lo, hi), grid))
        ref.append(hi * tw / 2 + (hi + lo) * (TT - tw) / 2)
    return combine(
        ctx.bound("jump at T_warm", "numpy schedule at T_warm -/+ 1e-9 T_warm", max(gaps), 1e-7),
        ctx.compare("total area", "trapezoidal rule", np.array(got), np.array(ref), rtol=1e-7),
    )


@identity(
    "linear-warmup",
    title="Linear warmup joined to cosine decay",
    section="5.2",
    map_row=r"Linear warmup $\eta_t = \eta_{\max}\, t/T_{\mathrm{warm}}$",
    variables={
        T_warm: interval(1, 1000),
        T_run: interval(T_warm + 1, T_warm + 10000),
        t_run: interval(0, T_run),
        eta_min: nonnegative(1),
        eta_max: interval(eta_min, eta_min + 10, open_lo=True),
    },
    definitions={eta_warm(t_run): WARM, eta_decay(t_run): DECAY},
    claim=Statement(
        "peak", Eq(eta_warm(T_warm), eta_max), text=r"warmup reaches $\eta_{\max}$ at $t = T_{\mathrm{warm}}$"
    ),
    also=[
        Statement(
            "from the left",
            Eq(Limit(eta_warm(t_run), t_run, T_warm, "-"), eta_max),
            text="the warmup phase arrives at the peak",
        ),
        Statement(
            "from the right",
            Eq(Limit(eta_decay(t_run), t_run, T_warm, "+"), eta_max),
            text="the cosine decay leaves from the peak: the joined schedule is continuous",
        ),
        Statement(
            "warmup area",
            Eq(Integral(eta_warm(t_run), (t_run, 0, T_warm)), eta_max * T_warm / 2),
            text="the learning rate summed over warmup",
        ),
        Statement(
            "total area",
            Eq(
                Integral(eta_warm(t_run), (t_run, 0, T_warm)) + Integral(eta_decay(t_run), (t_run, T_warm, T_run)),
                eta_max * T_warm / 2 + (eta_max + eta_min) * (T_run - T_warm) / 2,
            ),
            text="over the whole run",
        ),
    ],
    crosscheck=_warmup_check,
    plot=Plot(
        t_run,
        over=(0.0, 100.0),
        fixed={T_warm: 10, T_run: 100, eta_min: 0.1, eta_max: 1.0},
        curves={"warmup, then cosine": sp.Piecewise((WARM, t_run < T_warm), (DECAY, True))},
    ),
    question=Question(
        target=eta_max * T_warm / 2,
        prompt=r"A linear warmup $\eta_t = \eta_{\max} t / T_{\mathrm{warm}}$ runs for $T_{\mathrm{warm}}$ steps. "
        r"What is $\int_0^{T_{\mathrm{warm}}} \eta_t\,dt$, the learning rate summed over warmup?",
        approximations={"this is the area of the full-height rectangle, not the triangle": eta_max * T_warm},
    ),
    refs=(
        Ref.arxiv(
            "1706.02677",
            "P. Goyal et al., Accurate, Large Minibatch SGD: Training ImageNet in 1 Hour, 2017",
            "Sec. 2.2",
        ),
        LOSHCHILOV,
    ),
    builds_on=("cosine-schedule",),
)
def linear_warmup(d: Derivation) -> None:
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


T_w = interval(1, 1000).symbol("T_w")
T_d = interval(1, 1000).symbol("T_d")
T_all = interval(T_w + T_d, T_w + T_d + 10000, open_lo=True).symbol("T")
tau = interval(0, T_all).symbol("t")
peak = positive(10).symbol("eta_max")
T_s = positive(10000).symbol("T_s")
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


def _wsd_numpy(tt: np.ndarray, tw: float, td: float, TT: float, hi: float, cosine: bool = False) -> np.ndarray:
    """Warmup-stable-decay as a training loop computes it."""
    s = np.clip((tt - (TT - td)) / td, 0.0, 1.0)
    down = hi * (1 + np.cos(np.pi * s)) / 2 if cosine else hi * (1 - s)
    return np.where(tt < tw, hi * tt / tw, down)


def _wsd_check(ctx: CheckContext) -> CrossCheckResult:
    """Summed learning rates (trapezoidal rule, linear and cosine decay) against the derived area, the
    jumps at both joins, and the gain over a cosine schedule on the same run."""
    s = ctx.sample(16)
    jumps, got_lin, got_cos, ref, gain, gain_ref = [], [], [], [], [], []
    for i in range(16):
        tw, td, TT, hi = (float(s[v][i]) for v in (T_w, T_d, T_all, peak))
        for join in (tw, TT - td):
            e = 1e-9 * min(tw, td)
            jumps.append(_jump(lambda x, tw=tw, td=td, TT=TT, hi=hi: _wsd_numpy(x, tw, td, TT, hi), join, e, hi))
        grid = np.unique(
            np.concatenate([np.linspace(0, tw, 20001), np.linspace(tw, TT - td, 3), np.linspace(TT - td, TT, 20001)])
        )
        got_lin.append(_integral(_wsd_numpy(grid, tw, td, TT, hi), grid))
        got_cos.append(_integral(_wsd_numpy(grid, tw, td, TT, hi, cosine=True), grid))
        ref.append(hi * (TT - tw / 2 - td / 2))
        fine = np.linspace(0, TT, 40001)
        gain.append(got_lin[-1] - _integral(hi * (1 + np.cos(np.pi * fine / TT)) / 2, fine))
        gain_ref.append(hi * (TT - tw - td) / 2)
    return combine(
        ctx.bound("jumps at the joins", "numpy schedule either side of each join", max(jumps), 1e-7),
        ctx.compare("area, linear decay", "trapezoidal rule", np.array(got_lin), np.array(ref), rtol=1e-7),
        ctx.compare("area, cosine decay", "trapezoidal rule", np.array(got_cos), np.array(ref), rtol=1e-7),
        ctx.compare("gain over cosine", "trapezoidal rule", np.array(gain), np.array(gain_ref), rtol=1e-6),
    )


@identity(
    "wsd-schedule",
    aliases=("warmup-stable-decay",),
    title="Warmup-stable-decay schedule",
    section="5.2",
    map_row=r"WSD (warmup-stable-decay): Mistral, Phi-3",
    variables={
        T_w: interval(1, 1000),
        T_d: interval(1, 1000),
        T_all: interval(T_w + T_d, T_w + T_d + 10000, open_lo=True),
        tau: interval(0, T_all),
        peak: positive(10),
        T_s: positive(10000),
    },
    definitions={
        eta_w(tau): peak * tau / T_w,
        eta_s(tau): peak,
        eta_d(tau): peak * (T_all - tau) / T_d,
        eta_dc(tau): peak * (1 + cos(pi * (tau - (T_all - T_d)) / T_d)) / 2,
    },
    claim=Statement(
        "area",
        Eq(
            Integral(eta_w(tau), (tau, 0, T_w))
            + Integral(eta_s(tau), (tau, T_w, T_all - T_d))
            + Integral(eta_d(tau), (tau, T_all - T_d, T_all)),
            WSD_AREA,
        ),
        text=r"the learning rate summed over the run (linear decay to 0)",
    ),
    also=[
        Statement(
            "warmup join",
            Eq(Limit(eta_w(tau), tau, T_w, "-"), Limit(eta_s(tau), tau, T_w, "+")),
            text="warmup meets the plateau",
        ),
        Statement(
            "decay join",
            Eq(Limit(eta_s(tau), tau, T_all - T_d, "-"), Limit(eta_d(tau), tau, T_all - T_d, "+")),
            text="the plateau meets the decay",
        ),
        Statement(
            "cosine decay",
            Eq(Integral(eta_dc(tau), (tau, T_all - T_d, T_all)), Integral(eta_d(tau), (tau, T_all - T_d, T_all))),
            text="a cosine decay of the same length has the same area as the linear one",
        ),
        Statement(
            "gain over cosine",
            Eq(
                WSD_AREA - Integral(peak * (1 + cos(pi * tau / T_all)) / 2, (tau, 0, T_all)),
                peak * (T_all - T_w - T_d) / 2,
            ),
            text=r"WSD spends more learning rate than a cosine schedule over the same $T$",
        ),
        Statement(
            "larger than cosine",
            Gt(
                _wsd_integrals(T_SPLIT),
                Integral(peak * (1 + cos(pi * tau / T_SPLIT)) / 2, (tau, 0, T_SPLIT)),
            ),
            text=r"strictly, whenever there is a plateau: write $T = T_w + T_s + T_d$ with $T_s > 0$ "
            r"(that is, $T_w + T_d < T$)",
        ),
    ],
    crosscheck=_wsd_check,
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
    question=Question(
        target=WSD_AREA,
        prompt=r"A warmup-stable-decay schedule rises linearly from 0 to $\eta_{\max}$ over $T_w$ steps, stays at "
        r"$\eta_{\max}$, and decays linearly to 0 over the last $T_d$ of $T$ steps. "
        r"What is its total area $\int_0^T \eta_t\,dt$?",
        approximations={
            "the plateau's area only": peak * (T_all - T_w - T_d),
            "a cosine schedule's area": peak * T_all / 2,
        },
    ),
    refs=(
        Ref.arxiv(
            "2404.06395", "S. Hu et al., MiniCPM: Unveiling the Potential of Small Language Models, 2024", "Sec. 4"
        ),
        Ref.arxiv(
            "2405.18392",
            "A. Hägele et al., Scaling Laws and Compute-Optimal Training Beyond Fixed Training Durations, 2024",
        ),
    ),
    builds_on=("linear-warmup", "cosine-schedule"),
)
def wsd_schedule(d: Derivation) -> None:
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
        d.then(
            lambda e, b=b, at=at: Limit(unfold(b(tau)), tau, at, "+"), "is the limit from the right of the next phase"
        )
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
