r"""SGD with momentum: the unrolled buffer and the effective step.

Momentum keeps a buffer $v_t = \beta v_{t-1} + g_t$ of past gradients and steps along it; unrolled (by
induction on the linear recurrence of :mod:`derive.maths.recurrences`) the buffer is the geometrically
weighted sum $\sum_{k\le t}\beta^{t-k}g_k$, and for a constant gradient it multiplies the learning rate
by $1/(1-\beta)$. The map's first gradient descent variant (map 5.1). Polyak (1964); Sutskever, Martens,
Dahl and Hinton (ICML 2013), Sec. 2.
"""

from __future__ import annotations

import numpy as np
import sympy as sp
from sympy import Eq

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
    probability,
    prove_by_induction,
    unrolled,
)

from ._shared import GRAD, LR, STEPS, ema_loop, eta, g, k, t

# -- symbols ---------------------------------------------------------------------------------------
BETA = probability()
beta = BETA.symbol("beta")
gbar = GRAD.symbol("gbar")
MOMENTUM = unrolled(beta, lambda j: g[j], t, k)


def _geometric(s: sp.Expr) -> sp.Expr:
    r"""$g(1 - \beta^s)/(1 - \beta)$: momentum's buffer after $s$ steps of a constant gradient."""
    return gbar * (1 - beta**s) / (1 - beta)


# -- what is claimed -------------------------------------------------------------------------------
UNROLLED_BASE, CLAIM = induction_statements(
    lambda s: MOMENTUM.subs(t, s), beta, lambda j: g[j], t, name="v", base="v_0 = 0", step="unrolled"
)
CONSTANT_BASE, CONSTANT = induction_statements(
    _geometric, beta, lambda j: gbar, t, name="v", base="constant: v_0", step="constant gradient"
)
GAP = Statement(
    "gap",
    Eq(gbar / (1 - beta) - _geometric(t), beta**t * gbar / (1 - beta)),
    text=r"for a constant gradient the buffer approaches $g/(1-\beta)$ geometrically ($\beta^t \to 0$), "
    r"so the long-run step is $\eta g/(1 - \beta)$: momentum multiplies the learning rate by $1/(1-\beta)$",
)

# -- the homework question, and where the identity comes from --------------------------------------
QUESTION = Question(
    target=eta / (1 - beta),
    prompt=r"SGD with momentum runs $v_t = \beta v_{t-1} + g_t$, $\theta_t = \theta_{t-1} - \eta v_t$ with "
    r"$0 < \beta < 1$. For a constant gradient, what is the effective learning rate in the long run (the step "
    r"per unit gradient)?",
    names={"eta": eta, "beta": beta},
    approximations={
        r"the sign of $\beta$ is wrong: the geometric series is $\sum \beta^k = 1/(1-\beta)$": eta / (1 + beta),
        r"this is the learning rate without momentum": eta,
        r"the current gradient is missing: the series $\sum_k \beta^k$ starts at $k = 0$": eta * beta / (1 - beta),
    },
)
REFS = (
    Ref.cite("polyak1964"),
    Ref.cite("sutskever2013", where="Sec. 2"),
)


# -- how it is derived -----------------------------------------------------------------------------
def derivation(d: Derivation) -> None:
    r"""Momentum keeps a buffer $v_t = \beta v_{t-1} + g_t$ of past gradients and steps along it. Unrolled,
    the buffer is a geometrically weighted sum $\sum_{k\le t}\beta^{t-k}g_k$, which averages out
    oscillating gradient components while consistent ones add up: for a constant gradient the buffer
    tends to $g/(1-\beta)$, so $\beta = 0.9$ acts like a ten times larger learning rate along steady directions."""
    prove_by_induction(d, lambda s: MOMENTUM.subs(t, s), beta, lambda j: g[j], t, k, base="v_0 = 0", step="unrolled")
    prove_by_induction(d, _geometric, beta, lambda j: gbar, t, base="constant: v_0", step="constant gradient")
    d.begin(gbar / (1 - beta) - _geometric(t))
    d.then(lambda e: sp.factor(sp.cancel(e)), "common denominator")
    d.conclude("gap")


# -- how it is checked -----------------------------------------------------------------------------
def crosscheck(ctx: CheckContext) -> CrossCheckResult:
    """The momentum loop on random gradient streams against the unrolled sum (numpy), and on a
    constant gradient for 5000 steps against g/(1 - beta)."""
    errs = []
    for _ in range(20):
        b = float(ctx.rng.uniform(0.0, 0.99))
        steps = int(ctx.rng.integers(1, 60))
        grads = ctx.rng.normal(size=steps)
        loop = ema_loop(grads, b, 1.0)
        unrolled_sum = np.array([np.sum(b ** (s - np.arange(1, s + 1)) * grads[:s]) for s in range(1, steps + 1)])
        errs.append(np.max(np.abs(loop - unrolled_sum)) / (1 + np.max(np.abs(loop))))
    bs = ctx.rng.uniform(0.0, 0.99, 16)
    gs = ctx.rng.uniform(-5, 5, 16)
    steady = np.array([ema_loop(np.full(5000, gg), bb, 1.0)[-1] for bb, gg in zip(bs, gs, strict=True)])
    return combine(
        ctx.bound("loop vs unrolled sum", "momentum loop on random gradients", float(max(errs)), 1e-12),
        ctx.compare("constant gradient, 5000 steps", "momentum loop", steady, gs / (1 - bs), rtol=1e-12),
    )


# -- the declaration -------------------------------------------------------------------------------
SGD_MOMENTUM = declare(
    "sgd-momentum",
    aliases=("momentum",),
    title="SGD with momentum: the unrolled buffer and the effective step",
    section="5.1",
    map_row=r"SGD + momentum: $v_t = \beta v_{t-1} + g_t$, $\theta_t = \theta_{t-1} - \eta v_t$",
    variables={beta: BETA, t: STEPS, g: GRAD, gbar: GRAD, eta: LR},
    claim=CLAIM,
    also=(UNROLLED_BASE, CONSTANT, CONSTANT_BASE, GAP),
    derivation=derivation,
    crosscheck=crosscheck,
    question=QUESTION,
    refs=REFS,
)
