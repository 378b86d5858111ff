r"""The derivative of the sigmoid.

The logistic sigmoid $\sigma(x) = 1/(1 + e^{-x})$ has the derivative $\sigma(x)(1 - \sigma(x))$, a
function of its own value and never above $1/4$: backpropagation through every LSTM and GRU gate
reuses the forward activation, and deep sigmoid stacks shrink their gradients (map 2.2, key
derivatives in practice). Bishop (2006), Pattern Recognition and Machine Learning, Eq. (4.88).
"""

from __future__ import annotations

import sympy as sp
from sympy import Derivative, Eq, Le, Rational, Subs, exp

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
    real,
    sigmoid,
)

from ._shared import at_zero

# -- symbols ---------------------------------------------------------------------------------------
X = real(-30, 30)
x = X.symbol("x")

# -- what is claimed -------------------------------------------------------------------------------
CLAIM = Eq(Derivative(sigmoid(x), x), sigmoid(x) * (1 - sigmoid(x)))
BOUND = Statement(
    "bound",
    Le(sigmoid(x) * (1 - sigmoid(x)), Rational(1, 4)),
    text=r"the slope never exceeds $1/4$: a sigmoid layer shrinks gradients at least fourfold",
)
MAXIMUM_AT_0 = Statement(
    "maximum at 0",
    Eq(Subs(Derivative(sigmoid(x), x), x, 0), Rational(1, 4)),
    text=r"the bound is attained at $x = 0$, the only zero of $\sigma''$",
)

# -- the homework question, and where the identity comes from --------------------------------------
QUESTION = Question(
    target=sigmoid(x) * (1 - sigmoid(x)),
    prompt=r"Differentiate $\sigma(x) = 1/(1 + e^{-x})$ and express the result through $\sigma(x)$.",
    names={"sigma": sigmoid, "σ": sigmoid, "sigmoid": sigmoid},
    approximations={
        r"sign flipped: $\sigma(1 + \sigma)$ exceeds $1$ for large $x$": sigmoid(x) * (1 + sigmoid(x)),
        r"the factor $\sigma(x)$ is missing": 1 - sigmoid(x),
    },
)
REFS = (
    Ref.cite("bishop2006", where="Eq. (4.88)"),
    Ref.cite("hochreiter1997"),
)


# -- how it is derived -----------------------------------------------------------------------------
def derivation(d: Derivation) -> None:
    r"""The logistic sigmoid $\sigma(x) = 1/(1 + e^{-x})$ squashes a logit into a probability and gates
    every LSTM and GRU update. Its derivative is a function of its value, $\sigma' = \sigma(1 - \sigma)$,
    so backpropagation reuses the forward activation; it is at most $1/4$, the root of vanishing
    gradients in deep sigmoid stacks."""
    d.begin(Derivative(sigmoid(x), x))
    d.then(Derivative(1 / (1 + exp(-x)), x), r"$\sigma(x) = 1/(1 + e^{-x})$")
    d.then(lambda e: e.doit(), "chain rule")
    d.then(sigmoid(x) * exp(-x) / (1 + exp(-x)), r"split the square: one factor $1/(1 + e^{-x})$ is $\sigma(x)$")
    d.then(sigmoid(x) * (1 - sigmoid(x)), r"$e^{-x}/(1 + e^{-x}) = 1 - \sigma(x)$")
    d.conclude()

    d.begin(sigmoid(x) * (1 - sigmoid(x)))
    d.then(Rational(1, 4) - (sigmoid(x) - Rational(1, 2)) ** 2, "complete the square")
    d.bound(Rational(1, 4), "a square is nonnegative")
    d.conclude("bound")

    d.begin(Eq(Derivative(sigmoid(x) * (1 - sigmoid(x)), x), 0), title=r"Where $\sigma'$ is largest")
    d.then(lambda e: Eq(sp.factor(e.lhs.doit()), 0), r"$\sigma'' = \sigma(1 - \sigma)(1 - 2\sigma)$")
    d.then(lambda e: Eq(sp.factor(e.lhs.rewrite(exp)), 0), r"$\sigma$ in exponentials")
    d.then(Eq(exp(x) - 1, 0), r"divide by $-e^x/(e^x + 1)^3 \ne 0$")
    d.solve(x, r"the only stationary point")
    d.finish()

    d.begin(Subs(Derivative(sigmoid(x), x), x, 0))
    d.then(lambda e: e.doit(), r"$\sigma(0) = 1/2$, so $\sigma'(0) = \tfrac12 \cdot \tfrac12$")
    d.conclude("maximum at 0")


# -- how it is checked -----------------------------------------------------------------------------
def crosscheck(ctx: CheckContext) -> CrossCheckResult:
    """Central differences of sigma, and the exact value 1/4 at x = 0."""
    return combine(finite_difference(sigmoid(x), x)(ctx), at_zero(x, "sigma'", 0.25)(ctx))


# -- the declaration -------------------------------------------------------------------------------
SIGMOID_PRIME = declare(
    "sigmoid'",
    aliases=("sigmoid-derivative", "logistic-derivative", "sigma'"),
    title="The derivative of the sigmoid",
    section="2.2",
    map_row=r"$\sigma(x) = 1/(1 + e^{-x})$, derivative $\sigma(x)(1 - \sigma(x))$ (LSTM gates)",
    variables={x: X},
    claim=CLAIM,
    also=(BOUND, MAXIMUM_AT_0),
    derivation=derivation,
    crosscheck=crosscheck,
    question=QUESTION,
    refs=REFS,
)
