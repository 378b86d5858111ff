r"""5.1 Gradient descent variants: momentum, Adam's bias correction, AdamW, Muon, SOAP/Shampoo.

Momentum and Adam's moments are one linear recurrence, $x_t = a x_{t-1} + b_t$; its unrolled
solution is proved once, by induction, in :mod:`derive.moves.recurrences`. Muon and Shampoo are
matrix identities, derived on explicit $2 \times 2$ matrices whose orthogonal factors are Cayley
rotations (rational in their parameter, so orthogonality reduces to ``cancel``) and checked at
larger random sizes with ``numpy.linalg``.
"""

from __future__ import annotations

import numpy as np
import sympy as sp
from sympy import Abs, Derivative, Eq, Function, IndexedBase, Limit, Subs, sqrt

from ..derivation import Derivation
from ..identity import Question, Ref, Statement, identity
from ..moves.recurrences import induction_statements, prove_by_induction, unrolled
from ..numeric.crosscheck import CheckContext, CrossCheckResult, combine
from ..numeric.domains import integer, positive, probability, real
from ..numeric.montecarlo import agrees, estimate

k = sp.Symbol("k", integer=True)
t = integer(1, 12).symbol("t")
g = IndexedBase("g", real=True)


def _ema_loop(grads: np.ndarray, a: float, scale: float) -> np.ndarray:
    """x_t = a x_{t-1} + scale * g_t from x_0 = 0, run as an optimiser runs it (all t)."""
    x = np.zeros(grads.shape[1:])
    out = []
    for gt in grads:
        x = a * x + scale * gt
        out.append(x)
    return np.array(out)


# ----------------------------------------------------------------------------- SGD + momentum
beta = probability().symbol("beta")
gbar = real(-5, 5).symbol("gbar")
eta = positive(1).symbol("eta")
MOMENTUM = unrolled(beta, lambda j: g[j], t, k)


def _geometric(s: sp.Expr) -> sp.Expr:
    r"""$g(1 - \beta^s)/(1 - \beta)$: momentum's buffer after $s$ steps of a constant gradient."""
    return gbar * (1 - beta**s) / (1 - beta)


def _momentum_check(ctx: CheckContext) -> CrossCheckResult:
    """The momentum loop on random gradient streams against the unrolled sum (numpy), and on a
    constant gradient for 5000 steps against g/(1 - beta)."""
    errs = []
    for _ in range(20):
        b = float(ctx.rng.uniform(0.0, 0.99))
        steps = int(ctx.rng.integers(1, 60))
        grads = ctx.rng.normal(size=steps)
        loop = _ema_loop(grads, b, 1.0)
        unrolled_sum = np.array([np.sum(b ** (s - np.arange(1, s + 1)) * grads[:s]) for s in range(1, steps + 1)])
        errs.append(np.max(np.abs(loop - unrolled_sum)) / (1 + np.max(np.abs(loop))))
    bs = ctx.rng.uniform(0.0, 0.99, 16)
    gs = ctx.rng.uniform(-5, 5, 16)
    steady = np.array([_ema_loop(np.full(5000, gg), bb, 1.0)[-1] for bb, gg in zip(bs, gs, strict=True)])
    return combine(
        ctx.bound("loop vs unrolled sum", "momentum loop on random gradients", float(max(errs)), 1e-12),
        ctx.compare("constant gradient, 5000 steps", "momentum loop", steady, gs / (1 - bs), rtol=1e-12),
    )


_mom = induction_statements(
    lambda s: MOMENTUM.subs(t, s), beta, lambda j: g[j], t, name="v", base="v_0 = 0", step="unrolled"
)
_const = induction_statements(
    _geometric, beta, lambda j: gbar, t, name="v", base="constant: v_0", step="constant gradient"
)


@identity(
    "sgd-momentum",
    aliases=("momentum",),
    title="SGD with momentum: the unrolled buffer and the effective step",
    section="5.1",
    map_row=r"SGD + momentum: $v_t = \beta v_{t-1} + g_t$, $\theta_t = \theta_{t-1} - \eta v_t$",
    variables={beta: probability(), t: integer(1, 12), g: real(-5, 5), gbar: real(-5, 5), eta: positive(1)},
    claim=_mom[1],
    also=[
        _mom[0],
        _const[1],
        _const[0],
        Statement(
            "gap",
            Eq(gbar / (1 - beta) - _geometric(t), beta**t * gbar / (1 - beta)),
            text=r"for a constant gradient the buffer approaches $g/(1-\beta)$ geometrically ($\beta^t \to 0$), "
            r"so the long-run step is $\eta g/(1 - \beta)$: momentum multiplies the learning rate by $1/(1-\beta)$",
        ),
    ],
    crosscheck=_momentum_check,
    question=Question(
        target=eta / (1 - beta),
        prompt=r"SGD with momentum runs $v_t = \beta v_{t-1} + g_t$, $\theta_t = \theta_{t-1} - \eta v_t$ with "
        r"$0 < \beta < 1$. For a constant gradient, what is the effective learning rate in the long run (the step "
        r"per unit gradient)?",
        names={"eta": eta, "beta": beta},
        approximations={
            r"the sign of $\beta$ is wrong: the geometric series is $\sum \beta^k = 1/(1-\beta)$": eta / (1 + beta),
            r"this is the learning rate without momentum": eta,
        },
    ),
    refs=(
        Ref.book("B. T. Polyak, Some methods of speeding up the convergence of iteration methods, 1964"),
        Ref.book(
            "I. Sutskever, J. Martens, G. Dahl and G. Hinton, On the importance of initialization and momentum "
            "in deep learning, ICML 2013",
            "Sec. 2",
        ),
    ),
)
def sgd_momentum(d: Derivation) -> None:
    r"""Momentum keeps a buffer $v_t = \beta v_{t-1} + g_t$ of past gradients and steps along it. Unrolled,
    the buffer is a geometrically weighted sum $\sum_{k\le t}\beta^{t-k}g_k$, which averages out
    oscillating gradient components while consistent ones add up: for a constant gradient the buffer
    tends to $g/(1-\beta)$, so $\beta = 0.9$ acts like a ten times larger learning rate along steady directions."""
    prove_by_induction(d, lambda s: MOMENTUM.subs(t, s), beta, lambda j: g[j], t, k, base="v_0 = 0", step="unrolled")
    prove_by_induction(d, _geometric, beta, lambda j: gbar, t, base="constant: v_0", step="constant gradient")
    d.begin(gbar / (1 - beta) - _geometric(t))
    d.then(lambda e: sp.factor(sp.cancel(e)), "common denominator")
    d.conclude("gap")


# ----------------------------------------------------------------------------- Adam
beta1 = probability().symbol("beta1")
beta2 = probability().symbol("beta2")
mu = real(-5, 5).symbol("mu")
s2 = positive(25).symbol("s2")
g1 = positive(5).symbol("g1")
eps = positive(1).symbol("epsilon")
M_UNROLLED = unrolled(beta1, lambda j: (1 - beta1) * g[j], t, k)


def _mean_m(s: sp.Expr) -> sp.Expr:
    r"""$\mathbb E[m_s] = (1 - \beta_1^s)\mu$ for stationary gradients with mean $\mu$."""
    return (1 - beta1**s) * mu


def _mean_v(s: sp.Expr) -> sp.Expr:
    r"""$\mathbb E[v_s] = (1 - \beta_2^s)\,\mathbb E[g^2]$, with $s_2 = \mathbb E[g^2]$."""
    return (1 - beta2**s) * s2


def _corrected(moment: sp.Expr, b: sp.Expr) -> sp.Expr:
    r"""``moment`` divided by Adam's correction $1 - b^t$, kept unevaluated (SymPy would cancel it at once)."""
    return sp.Mul(moment, sp.Pow(1 - b**t, -1), evaluate=False)


def _adam_check(ctx: CheckContext) -> CrossCheckResult:
    """Monte Carlo: 20000 runs of Adam's moment recursions on i.i.d. gradients N(mu, sd^2); the means of
    m_hat and v_hat at every t <= 12 must be mu and E[g^2] (within 5 standard errors). A numpy Adam loop
    against the unrolled sum on random streams."""
    results = []
    for _ in range(3):
        b1, b2 = float(ctx.rng.uniform(0.5, 0.99)), float(ctx.rng.uniform(0.9, 0.9999))
        m_, sd = float(ctx.rng.uniform(-2, 2)), float(ctx.rng.uniform(0.1, 2))
        grads = ctx.rng.normal(m_, sd, size=(12, 20000))
        m = _ema_loop(grads, b1, 1 - b1)
        v = _ema_loop(grads**2, b2, 1 - b2)
        steps = np.arange(1, 13)[:, None]
        mhat, vhat = m / (1 - b1**steps), v / (1 - b2**steps)
        results.append(agrees(ctx, "E[m_hat] = E[g]", estimate(mhat, axis=1), m_))
        results.append(agrees(ctx, "E[v_hat] = E[g^2]", estimate(vhat, axis=1), m_**2 + sd**2))
    b1 = float(ctx.rng.uniform(0.5, 0.99))
    grads = ctx.rng.normal(size=30)
    loop = _ema_loop(grads, b1, 1 - b1)
    ref = np.array([(1 - b1) * np.sum(b1 ** (s - np.arange(1, s + 1)) * grads[:s]) for s in range(1, 31)])
    results.append(ctx.compare("Adam loop vs unrolled m_t", "numpy loop", loop, ref, rtol=1e-12))
    return combine(*results)


_m = induction_statements(
    lambda s: M_UNROLLED.subs(t, s), beta1, lambda j: (1 - beta1) * g[j], t, name="m", base="m_0 = 0", step="m unrolled"
)
_em = induction_statements(
    _mean_m, beta1, lambda j: (1 - beta1) * mu, t, name=r"\mathbb E m", base="E[m_0]", step="E[m_t]"
)
_ev = induction_statements(
    _mean_v, beta2, lambda j: (1 - beta2) * s2, t, name=r"\mathbb E v", base="E[v_0]", step="E[v_t]"
)
M1, V1 = (1 - beta1) * g1, (1 - beta2) * g1**2
FIRST_STEP = eta * (M1 / (1 - beta1)) / (sqrt(V1 / (1 - beta2)) + eps)


@identity(
    "adam-bias-correction",
    aliases=("adam",),
    title="Bias correction of the Adam moments",
    section="5.1",
    map_row=r"Adam: bias-corrected moments $\hat m_t = m_t/(1-\beta_1^t)$, $\hat v_t = v_t/(1-\beta_2^t)$ (Kingma \& Ba, 2015)",
    variables={
        beta1: probability(),
        beta2: probability(),
        t: integer(1, 12),
        g: real(-5, 5),
        mu: real(-5, 5),
        s2: positive(25),
        g1: positive(5),
        eta: positive(1),
        eps: positive(1),
    },
    claim=_m[1],
    also=[
        _m[0],
        _em[1],
        _em[0],
        Statement(
            "m_hat unbiased",
            Eq(_corrected(_mean_m(t), beta1), mu, evaluate=False),
            text=r"dividing by $1 - \beta_1^t$ removes the bias towards the initial $m_0 = 0$",
        ),
        _ev[1],
        _ev[0],
        Statement(
            "v_hat unbiased",
            Eq(_corrected(_mean_v(t), beta2), s2, evaluate=False),
            text=r"likewise $\hat v_t$ for $\mathbb E[g^2]$",
        ),
        Statement(
            "first step",
            Eq(Limit(FIRST_STEP, eps, 0, "+"), eta),
            text=r"the first update has size exactly $\eta$ whatever the gradient's scale (here $g_1 > 0$; "
            r"$-\eta$ for $g_1 < 0$)",
        ),
    ],
    crosscheck=_adam_check,
    question=Question(
        target=1 - beta1**t,
        prompt=r"Adam's first moment runs $m_t = \beta_1 m_{t-1} + (1 - \beta_1) g_t$ from $m_0 = 0$. For stationary "
        r"gradients, $\mathbb E[m_t] = c\,\mathbb E[g]$. What is $c$ (the factor Adam divides by)?",
        names={"beta1": beta1},
        approximations={
            r"one power too many: after $t$ steps the weight of $m_0$ is $\beta_1^t$": 1 - beta1 ** (t + 1),
            r"this is only the weight of the newest gradient": 1 - beta1,
        },
    ),
    refs=(
        Ref.arxiv("1412.6980", "D. P. Kingma and J. Ba, Adam: A Method for Stochastic Optimization, 2015", "Sec. 3"),
    ),
    builds_on=("sgd-momentum",),
)
def adam_bias_correction(d: Derivation) -> None:
    r"""Adam keeps exponential moving averages $m_t$ and $v_t$ of the gradient and its square, both
    started at zero. Unrolled, $m_t = (1-\beta_1)\sum_k \beta_1^{t-k} g_k$ has weights summing to
    $1 - \beta_1^t$, so early on it underestimates the gradient (by a factor 10 at $t = 1$ with
    $\beta_1 = 0.9$, and $v_t$ by 1000 with $\beta_2 = 0.999$). Dividing by $1 - \beta^t$ makes both
    unbiased; the first step then has size $\eta$ regardless of the gradient's scale. Taking expectations
    term by term with $\mathbb E[g_k] = \mu$ turns the recurrence for $m_t$ into the same recurrence for
    $\mathbb E[m_t]$ with $\mu$ in place of $g_t$, whose solution is again proved by induction."""
    prove_by_induction(
        d, lambda s: M_UNROLLED.subs(t, s), beta1, lambda j: (1 - beta1) * g[j], t, k, base="m_0 = 0", step="m unrolled"
    )
    prove_by_induction(d, _mean_m, beta1, lambda j: (1 - beta1) * mu, t, base="E[m_0]", step="E[m_t]")
    d.begin(_corrected(_mean_m(t), beta1))
    d.then(lambda e: sp.cancel(e), r"the factor $1 - \beta_1^t$ cancels")
    d.conclude("m_hat unbiased")
    prove_by_induction(d, _mean_v, beta2, lambda j: (1 - beta2) * s2, t, base="E[v_0]", step="E[v_t]")
    d.begin(_corrected(_mean_v(t), beta2))
    d.then(lambda e: sp.cancel(e), r"the factor $1 - \beta_2^t$ cancels")
    d.conclude("v_hat unbiased")
    d.begin(Limit(FIRST_STEP, eps, 0, "+"), r"$m_1 = (1-\beta_1)g_1$, $v_1 = (1-\beta_2)g_1^2$, bias-corrected")
    d.then(Limit(eta * g1 / (sqrt(g1**2) + eps), eps, 0, "+"), r"$\hat m_1 = g_1$, $\hat v_1 = g_1^2$")
    d.then(lambda e: e.doit(), r"$\epsilon \to 0$: $\eta g_1/|g_1|$")
    d.conclude("first step")
