r"""Bernoulli: inverted dropout and the binary cross-entropy.

Dropout multiplies each activation by a Bernoulli mask with keep probability $p$; dividing by $p$
(inverted dropout) keeps the expected activation equal to $x$, with variance $x^2(1-p)/p$. Binary
classifiers model $y\sim\mathrm{Bernoulli}(\sigma(z))$: the loss is its negative log-likelihood and the logit
gradient is the residual $\sigma(z) - y$ (map 3.2, Bernoulli: dropout mask, binary classification).
Srivastava et al. (2014), Dropout, JMLR 15, Sec. 4.
"""

from __future__ import annotations

import sympy as sp
from sympy import Derivative, Eq, Sum, log

from derive.authoring import (
    CheckContext,
    CrossCheckResult,
    Derivation,
    Question,
    Ref,
    Statement,
    combine,
    declare,
    finite_difference,
    interval,
    probability,
    real,
    sigmoid,
)
from derive.numeric.montecarlo import agrees, estimate

# -- symbols ---------------------------------------------------------------------------------------
KEEP = probability()
ACTIVATION = real(-5, 5)
LABEL = interval(0, 1)
LOGIT = real(-10, 10)
p_keep = KEEP.symbol("p")
xv = ACTIVATION.symbol("x")
m = sp.Symbol("m", integer=True, nonnegative=True)  # the mask, summed over {0, 1}
y_lbl = LABEL.symbol("y")
z_logit = LOGIT.symbol("z")
BERNOULLI = p_keep**m * (1 - p_keep) ** (1 - m)  # P(m) for m in {0, 1}
BCE = -(y_lbl * log(sigmoid(z_logit)) + (1 - y_lbl) * log(1 - sigmoid(z_logit)))

# -- what is claimed -------------------------------------------------------------------------------
CLAIM = Statement(
    "gradient",
    Eq(Derivative(BCE, z_logit), sigmoid(z_logit) - y_lbl),
    text=r"the gradient of the binary cross-entropy in the logit is the residual $\sigma(z) - y$",
)
MEAN = Statement(
    "mean",
    Eq(Sum(BERNOULLI * m * xv / p_keep, (m, 0, 1)), xv),
    text=r"inverted dropout with keep probability $p$ is unbiased: $\mathbb E[m x/p] = x$",
)
VARIANCE = Statement(
    "variance",
    Eq(Sum(BERNOULLI * (m * xv / p_keep - xv) ** 2, (m, 0, 1)), xv**2 * (1 - p_keep) / p_keep),
    text=r"$\operatorname{Var}(m x/p) = x^2(1-p)/p$",
)
BINARY_CROSS_ENTROPY = Statement(
    "BCE",
    Eq(-log(sigmoid(z_logit) ** y_lbl * (1 - sigmoid(z_logit)) ** (1 - y_lbl)), BCE),
    text=r"binary cross-entropy is the negative log of the Bernoulli likelihood with $P(y=1) = \sigma(z)$",
)

# -- the homework question, and where the identity comes from --------------------------------------
QUESTION = Question(
    target=sigmoid(z_logit) - y_lbl,
    prompt=r"Differentiate the binary cross-entropy $-(y\log\sigma(z) + (1-y)\log(1-\sigma(z)))$ with respect to "
    r"the logit $z$.",
    names={"sigma": sigmoid, "sigmoid": sigmoid},
    approximations={
        r"the sign is reversed: the gradient is $\sigma(z) - y$": y_lbl - sigmoid(z_logit),
        r"an extra factor $\sigma'(z)$: that is the squared-error gradient's shape": (sigmoid(z_logit) - y_lbl)
        * sigmoid(z_logit)
        * (1 - sigmoid(z_logit)),
    },
)
REFS = (
    Ref.cite("srivastava2014", where="Sec. 4"),
    Ref.cite("bishop2006", where="Sec. 4.3.2"),
)


# -- how it is derived -----------------------------------------------------------------------------
def derivation(d: Derivation) -> None:
    r"""Dropout multiplies each activation by a Bernoulli mask $m$ with keep probability $p$; dividing
    by $p$ at training time (inverted dropout) keeps the expected activation equal to $x$, so nothing
    changes at test time. Binary classifiers model $y \sim \mathrm{Bernoulli}(\sigma(z))$: the loss is
    its negative log-likelihood and the logit gradient is the residual $\sigma(z) - y$."""
    d.begin(Sum(BERNOULLI * m * xv / p_keep, (m, 0, 1)), r"$\mathbb E[m x/p] = \sum_{m\in\{0,1\}} P(m)\,m x/p$")
    d.then(lambda e: e.doit(), r"the terms $m = 0$ and $m = 1$")
    d.conclude("mean")

    d.begin(Sum(BERNOULLI * (m * xv / p_keep - xv) ** 2, (m, 0, 1)), r"$\mathbb E[(m x/p - x)^2]$")
    d.then(lambda e: e.doit(), r"the terms $m = 0$ and $m = 1$")
    d.then(lambda e: sp.factor(e), "factor")
    d.conclude("variance")

    d.begin(-log(sigmoid(z_logit) ** y_lbl * (1 - sigmoid(z_logit)) ** (1 - y_lbl)))
    d.then(lambda e: sp.expand_log(e, force=True), "log of the Bernoulli likelihood")
    d.conclude("BCE")

    d.begin(Derivative(BCE, z_logit))
    d.then(lambda e: e.doit(), r"chain rule, $\sigma' = \sigma(1-\sigma)$")
    d.then(lambda e: sp.expand(sp.cancel(e)), r"cancel $\sigma(1-\sigma)$")
    d.conclude("gradient")


# -- how it is checked -----------------------------------------------------------------------------
def crosscheck(ctx: CheckContext) -> CrossCheckResult:
    """Monte Carlo masks (numpy Bernoulli draws) for the mean and the variance of m x / p, and
    central differences of the binary cross-entropy in the logit."""
    results = []
    for _ in range(4):
        p, xx = ctx.rng.uniform(0.2, 0.95), ctx.rng.uniform(-3, 3)
        out = (ctx.rng.random(400_000) < p) * xx / p
        results.append(agrees(ctx, "E[m x/p]", estimate(out), xx))
        results.append(agrees(ctx, "Var(m x/p)", estimate((out - xx) ** 2), xx**2 * (1 - p) / p))
    fd = finite_difference(BCE, z_logit, derivative=sigmoid(z_logit) - y_lbl)(ctx)
    return combine(fd, *results)


# -- the declaration -------------------------------------------------------------------------------
BERNOULLI_DROPOUT = declare(
    "bernoulli-dropout",
    aliases=("dropout", "inverted-dropout", "bce-gradient"),
    title="Bernoulli: inverted dropout and the binary cross-entropy",
    section="3.2",
    map_row=r"Bernoulli: dropout mask, binary classification",
    variables={p_keep: KEEP, xv: ACTIVATION, y_lbl: LABEL, z_logit: LOGIT},
    claim=CLAIM,
    also=(MEAN, VARIANCE, BINARY_CROSS_ENTROPY),
    derivation=derivation,
    crosscheck=crosscheck,
    question=QUESTION,
    refs=REFS,
)
