r"""Bias correction of the Adam moments.

Adam's moving averages $m_t$ and $v_t$ of the gradient and its square start at zero, so their
expectations are $(1 - \beta^t)$ times the true moments; dividing by $1 - \beta^t$ makes them unbiased,
and the first step then has size $\eta$ whatever the gradient's scale. The map's Adam row (map 5.1,
gradient descent variants). Kingma and Ba (2015), Adam: A Method for Stochastic Optimization, Sec. 3.
"""

from __future__ import annotations

import numpy as np
import sympy as sp
from sympy import Eq, Limit, sqrt

from derive.authoring import (
    CheckContext,
    CrossCheckResult,
    Derivation,
    Question,
    Ref,
    Statement,
    combine,
    declare,
    induction_statements,
    positive,
    probability,
    prove_by_induction,
    unrolled,
)
from derive.numeric.montecarlo import agrees, estimate

from ._shared import EPS, GRAD, LR, STEPS, ema_loop, eps, eta, g, k, t

# -- symbols ---------------------------------------------------------------------------------------
BETA = probability()
S2 = positive(25)
G1 = positive(5)
beta1 = BETA.symbol("beta1")
beta2 = BETA.symbol("beta2")
mu = GRAD.symbol("mu")
s2 = S2.symbol("s2")
g1 = G1.symbol("g1")
M_UNROLLED = unrolled(beta1, lambda j: (1 - beta1) * g[j], t, k)
M1, V1 = (1 - beta1) * g1, (1 - beta2) * g1**2
FIRST_STEP = eta * (M1 / (1 - beta1)) / (sqrt(V1 / (1 - beta2)) + eps)


def _mean_m(s: sp.Expr) -> sp.Expr:
    r"""$\mathbb E[m_s] = (1 - \beta_1^s)\mu$ for stationary gradients with mean $\mu$."""
    return (1 - beta1**s) * mu


def _mean_v(s: sp.Expr) -> sp.Expr:
    r"""$\mathbb E[v_s] = (1 - \beta_2^s)\,\mathbb E[g^2]$, with $s_2 = \mathbb E[g^2]$."""
    return (1 - beta2**s) * s2


def _corrected(moment: sp.Expr, b: sp.Expr) -> sp.Expr:
    r"""``moment`` divided by Adam's correction $1 - b^t$, kept unevaluated (SymPy would cancel it at once)."""
    return sp.Mul(moment, sp.Pow(1 - b**t, -1), evaluate=False)


# -- what is claimed -------------------------------------------------------------------------------
M_BASE, CLAIM = induction_statements(
    lambda s: M_UNROLLED.subs(t, s), beta1, lambda j: (1 - beta1) * g[j], t, name="m", base="m_0 = 0", step="m unrolled"
)
MEAN_M_BASE, MEAN_M = induction_statements(
    _mean_m, beta1, lambda j: (1 - beta1) * mu, t, name=r"\mathbb E m", base="E[m_0]", step="E[m_t]"
)
MEAN_V_BASE, MEAN_V = induction_statements(
    _mean_v, beta2, lambda j: (1 - beta2) * s2, t, name=r"\mathbb E v", base="E[v_0]", step="E[v_t]"
)
M_HAT = Statement(
    "m_hat unbiased",
    Eq(_corrected(_mean_m(t), beta1), mu, evaluate=False),
    text=r"dividing by $1 - \beta_1^t$ removes the bias towards the initial $m_0 = 0$",
)
V_HAT = Statement(
    "v_hat unbiased",
    Eq(_corrected(_mean_v(t), beta2), s2, evaluate=False),
    text=r"likewise $\hat v_t$ for $\mathbb E[g^2]$",
)
FIRST = Statement(
    "first step",
    Eq(Limit(FIRST_STEP, eps, 0, "+"), eta),
    text=r"the first update has size exactly $\eta$ whatever the gradient's scale (here $g_1 > 0$; "
    r"$-\eta$ for $g_1 < 0$)",
)

# -- the homework question, and where the identity comes from --------------------------------------
QUESTION = Question(
    target=1 - beta1**t,
    prompt=r"Adam's first moment runs $m_t = \beta_1 m_{t-1} + (1 - \beta_1) g_t$ from $m_0 = 0$. For stationary "
    r"gradients, $\mathbb E[m_t] = c\,\mathbb E[g]$. What is $c$ (the factor Adam divides by)?",
    names={"beta1": beta1},
    approximations={
        r"one power too many: after $t$ steps the weight of $m_0$ is $\beta_1^t$": 1 - beta1 ** (t + 1),
        r"this is only the weight of the newest gradient": 1 - beta1,
        r"one power too few: after $t$ steps the weight of $m_0$ is $\beta_1^t$": 1 - beta1 ** (t - 1),
    },
)
REFS = (Ref.cite("kingma2015", where="Sec. 3"),)


# -- how it is derived -----------------------------------------------------------------------------
def derivation(d: Derivation) -> None:
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


# -- how it is checked -----------------------------------------------------------------------------
def crosscheck(ctx: CheckContext) -> CrossCheckResult:
    """Monte Carlo: 20000 runs of Adam's moment recursions on i.i.d. gradients N(mu, sd^2); the means of
    m_hat and v_hat at every t <= 12 must be mu and E[g^2] (within 5 standard errors). A numpy Adam loop
    against the unrolled sum on random streams."""
    results = []
    for _ in range(3):
        b1, b2 = float(ctx.rng.uniform(0.5, 0.99)), float(ctx.rng.uniform(0.9, 0.9999))
        m_, sd = float(ctx.rng.uniform(-2, 2)), float(ctx.rng.uniform(0.1, 2))
        grads = ctx.rng.normal(m_, sd, size=(12, 20000))
        m = ema_loop(grads, b1, 1 - b1)
        v = ema_loop(grads**2, b2, 1 - b2)
        steps = np.arange(1, 13)[:, None]
        mhat, vhat = m / (1 - b1**steps), v / (1 - b2**steps)
        results.append(agrees(ctx, "E[m_hat] = E[g]", estimate(mhat, axis=1), m_))
        results.append(agrees(ctx, "E[v_hat] = E[g^2]", estimate(vhat, axis=1), m_**2 + sd**2))
    b1 = float(ctx.rng.uniform(0.5, 0.99))
    grads = ctx.rng.normal(size=30)
    loop = ema_loop(grads, b1, 1 - b1)
    ref = np.array([(1 - b1) * np.sum(b1 ** (s - np.arange(1, s + 1)) * grads[:s]) for s in range(1, 31)])
    results.append(ctx.compare("Adam loop vs unrolled m_t", "numpy loop", loop, ref, rtol=1e-12))
    return combine(*results)


# -- the declaration -------------------------------------------------------------------------------
ADAM_BIAS_CORRECTION = declare(
    "adam-bias-correction",
    aliases=("adam",),
    title="Bias correction of the Adam moments",
    section="5.1",
    map_row=r"Adam: bias-corrected moments $\hat m_t = m_t/(1-\beta_1^t)$, $\hat v_t = v_t/(1-\beta_2^t)$ "
    r"(Kingma \& Ba, 2015)",
    variables={beta1: BETA, beta2: BETA, t: STEPS, g: GRAD, mu: GRAD, s2: S2, g1: G1, eta: LR, eps: EPS},
    claim=CLAIM,
    also=(M_BASE, MEAN_M, MEAN_M_BASE, M_HAT, MEAN_V, MEAN_V_BASE, V_HAT, FIRST),
    derivation=derivation,
    crosscheck=crosscheck,
    question=QUESTION,
    refs=REFS,
    builds_on=("sgd-momentum",),
)
