r"""The derivative of tanh.

The hyperbolic tangent has the derivative $1 - \tanh^2(x)$, a function of its own value, and is a
rescaled sigmoid, $\tanh(x) = 2\sigma(2x) - 1$; it keeps RNN hidden states in $(-1, 1)$ and
saturates like the sigmoid (map 2.2, key derivatives in practice). Goodfellow, Bengio and
Courville (2016), Deep Learning, Sec. 6.3.2.
"""

from __future__ import annotations

import sympy as sp
from sympy import Derivative, Eq, exp, tanh

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
X = real(-20, 20)
x = X.symbol("x")

# -- what is claimed -------------------------------------------------------------------------------
CLAIM = Eq(Derivative(tanh(x), x), 1 - tanh(x) ** 2)
RESCALED_SIGMOID = Statement(
    "tanh = 2 sigma(2x) - 1",
    Eq(tanh(x), 2 * sigmoid(2 * x) - 1),
    text=r"$\tanh$ is a sigmoid rescaled to $(-1, 1)$, so its slope at $0$ is $4 \cdot \sigma'(0) = 1$",
)

# -- the homework question, and where the identity comes from --------------------------------------
QUESTION = Question(
    target=1 - tanh(x) ** 2,
    prompt=r"Differentiate $\tanh(x)$ and express the result through $\tanh(x)$.",
    names={"sech": sp.sech, "sigma": sigmoid},
    approximations={
        r"sign flipped: $1 + \tanh^2(x)$": 1 + tanh(x) ** 2,
        r"the sigmoid rule $f(1 - f)$ does not apply to $\tanh$": tanh(x) * (1 - tanh(x)),
    },
)
REFS = (Ref.cite("goodfellow2016", where="Sec. 6.3.2"),)


# -- how it is derived -----------------------------------------------------------------------------
def derivation(d: Derivation) -> None:
    r"""The hyperbolic tangent keeps RNN hidden states in $(-1, 1)$. Like the sigmoid, its derivative
    is a function of its value, $\tanh' = 1 - \tanh^2$, and it is a rescaled sigmoid,
    $\tanh(x) = 2\sigma(2x) - 1$, which is why the two saturate in the same way."""
    d.begin(Derivative(tanh(x), x))
    d.then(Derivative((exp(x) - exp(-x)) / (exp(x) + exp(-x)), x), r"$\tanh x = (e^x - e^{-x})/(e^x + e^{-x})$")
    d.then(lambda e: sp.cancel(e.doit()), "quotient rule")
    d.then(1 - ((exp(x) - exp(-x)) / (exp(x) + exp(-x))) ** 2, r"$(a + b)^2 - (a - b)^2 = 4ab$ with $ab = 1$")
    d.then(1 - tanh(x) ** 2, r"the exponential form of $\tanh$ again")
    d.conclude()

    d.begin(tanh(x))
    d.then(lambda e: e.rewrite(exp), "exponential form")
    d.then((1 - exp(-2 * x)) / (1 + exp(-2 * x)), r"divide by $e^x$")
    d.then(2 / (1 + exp(-2 * x)) - 1, r"$(1 - u)/(1 + u) = 2/(1 + u) - 1$")
    d.then(2 * sigmoid(2 * x) - 1, r"$\sigma(2x) = 1/(1 + e^{-2x})$")
    d.conclude("tanh = 2 sigma(2x) - 1")


# -- how it is checked -----------------------------------------------------------------------------
def crosscheck(ctx: CheckContext) -> CrossCheckResult:
    """Central differences of tanh, and the exact value 1 at x = 0."""
    return combine(finite_difference(tanh(x), x)(ctx), at_zero(x, "tanh'", 1.0)(ctx))


# -- the declaration -------------------------------------------------------------------------------
TANH_PRIME = declare(
    "tanh'",
    aliases=("tanh-derivative",),
    title="The derivative of tanh",
    section="2.2",
    map_row=r"$\tanh(x)$, derivative $1 - \tanh^2(x)$ (RNN hidden states; range $(-1, 1)$)",
    variables={x: X},
    claim=CLAIM,
    also=(RESCALED_SIGMOID,),
    derivation=derivation,
    crosscheck=crosscheck,
    question=QUESTION,
    refs=REFS,
)
