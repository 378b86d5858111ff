r"""The derivative of ReLU.

$\mathrm{ReLU}(x) = \max(0, x)$ has the derivative $\mathbb 1[x > 0]$ for $x \ne 0$: active units
pass gradients unchanged, so they do not vanish; at the kink the one-sided slopes are $0$ and $1$
and the derivative does not exist (map 2.2, key derivatives in practice). Nair and Hinton (2010),
Rectified Linear Units Improve Restricted Boltzmann Machines; Glorot, Bordes and Bengio (2011).
"""

from __future__ import annotations

import sympy as sp
from sympy import Derivative, Eq, Heaviside, Limit, Max

from derive.authoring import (
    Derivation,
    Question,
    Ref,
    Statement,
    declare,
    finite_difference,
    punctured,
    real,
)

# -- symbols ---------------------------------------------------------------------------------------
X = punctured(-8, 8)  # the domain leaves out the kink
x = X.symbol("x")
h = real().symbol("h")  # the step of a difference quotient (bound by its limit)

# -- what is claimed -------------------------------------------------------------------------------
CLAIM = Eq(Derivative(Max(0, x), x), Heaviside(x))
RIGHT_LIMIT = Statement(
    "right limit",
    Eq(Limit(Max(0, h) / h, h, 0, "+"), 1),
    text=r"the difference quotient at $0$ from the right",
)
LEFT_LIMIT = Statement(
    "left limit",
    Eq(Limit(Max(0, h) / h, h, 0, "-"), 0),
    text=r"from the left: the one-sided slopes differ, so $\mathrm{ReLU}'(0)$ does not exist "
    r"(frameworks use $0$ there)",
)

# -- the homework question, and where the identity comes from --------------------------------------
QUESTION = Question(
    target=Heaviside(x),
    prompt=r"Differentiate $\mathrm{ReLU}(x) = \max(0, x)$ for $x \ne 0$. Write the indicator "
    r"$\mathbb{1}[x > 0]$ as Heaviside(x).",
    names={"H": Heaviside, "theta": Heaviside, "step": Heaviside, "heaviside": Heaviside},
    approximations={
        r"this is $\mathrm{ReLU}$ itself, not its derivative": Max(0, x),
        r"$\operatorname{sign}(x)$ is $-1$ for $x < 0$, where the slope is $0$": sp.sign(x),
    },
)
REFS = (
    Ref.cite("nair2010"),
    Ref.cite("glorot2011"),
)


# -- how it is derived -----------------------------------------------------------------------------
def derivation(d: Derivation) -> None:
    r"""ReLU passes positive inputs unchanged and zeroes the rest; its slope is exactly $1$ for
    $x > 0$, so gradients do not shrink through active units. For $x \ne 0$ the derivative is the
    indicator $\mathbb 1[x > 0]$ (SymPy's Heaviside $\theta(x)$); at the kink the one-sided slopes
    are $0$ and $1$ and the derivative does not exist, so the domain leaves out $x = 0$."""
    d.begin(Derivative(Max(0, x), x))
    d.then(lambda e: e.doit(), r"SymPy differentiates $\max(0, x)$ to the step $\theta(x)$ ($x \ne 0$)")
    d.conclude()

    d.begin(Derivative(sp.Piecewise((0, x < 0), (x, True)), x), title="The piecewise form")
    d.then(lambda e: e.doit(), r"differentiate each piece: $0$ for $x < 0$, $1$ for $x > 0$")
    d.then(Heaviside(x), r"the same step for $x \ne 0$")
    d.finish()

    d.begin(Limit(Max(0, h) / h, h, 0, "+"))
    d.then(lambda e: e.doit(), r"$\max(0, h)/h = 1$ for $h > 0$")
    d.conclude("right limit")
    d.begin(Limit(Max(0, h) / h, h, 0, "-"))
    d.then(lambda e: e.doit(), r"$\max(0, h)/h = 0$ for $h < 0$")
    d.conclude("left limit")


# -- how it is checked -----------------------------------------------------------------------------
CROSSCHECK = finite_difference(Max(0, x), x)  # central differences of the definition

# -- the declaration -------------------------------------------------------------------------------
RELU_PRIME = declare(
    "relu'",
    aliases=("relu-derivative",),
    title="The derivative of ReLU",
    section="2.2",
    map_row=r"$\mathrm{ReLU}(x) = \max(0, x)$, derivative $\mathbb{1}[x > 0]$ (no vanishing gradient for $x > 0$)",
    variables={x: X},
    claim=CLAIM,
    also=(RIGHT_LIMIT, LEFT_LIMIT),
    derivation=derivation,
    crosscheck=CROSSCHECK,
    question=QUESTION,
    refs=REFS,
)
