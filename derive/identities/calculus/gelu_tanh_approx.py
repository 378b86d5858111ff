r"""The tanh approximation of GELU.

GPT-2 and the original BERT code compute GELU as
$\tfrac x2\bigl(1 + \tanh(\sqrt{2/\pi}(x + 0.044715x^3))\bigr)$; this page derives its derivative
(what their backward passes use), shows that $\sqrt{2/\pi}$ matches the exact GELU to order $x^2$
while $x^4$ would need $c = (4 - \pi)/(6\pi)$, and measures the largest error of the published
constant (map 2.2, key derivatives in practice). Hendrycks and Gimpel (2016), Gaussian Error Linear
Units, Sec. 2; Radford et al. (2019), GPT-2.
"""

from __future__ import annotations

import sympy as sp
from sympy import Derivative, Eq, Rational, Subs, pi, sqrt, tanh

from derive.authoring import (
    CheckContext,
    CrossCheckResult,
    Derivation,
    Domain,
    Phi,
    Question,
    Ref,
    Statement,
    combine,
    declare,
    finite_difference,
    named,
    numerically,
    phi,
    positive,
    real,
)

from ._shared import at_zero
from .gelu_prime import GELU  # the exact GELU x Phi(x), in the same symbol x

# -- symbols ---------------------------------------------------------------------------------------
X = real(-8, 8)
x = X.symbol("x")
C = Rational(44715, 10**6)  # the constant of Hendrycks & Gimpel (2016), used by GPT-2 and BERT
A = sqrt(2 / pi)
C_DOMAIN = Domain(C, C, label="= 0.044715")  # a named constant: proofs hold for every c, numerics use 0.044715
c = C_DOMAIN.symbol("c")
C_TAYLOR = (4 - pi) / (6 * pi)


def gelu_tanh(constant: sp.Expr) -> sp.Expr:
    r""":math:`\tfrac x2\bigl(1 + \tanh(\sqrt{2/\pi}\,(x + c\,x^3))\bigr)` with :math:`c` = ``constant``."""
    return x / 2 * (1 + tanh(A * (x + constant * x**3)))


u = sp.Function("u")  # the tanh argument, defined below (the ladder unfolds it before comparing)
U_BODY = A * (x + c * x**3)
GELU_TANH = x / 2 * (1 + tanh(u(x)))
GELU_TANH_PRIME = (1 + tanh(u(x))) / 2 + x / 2 * (1 - tanh(u(x)) ** 2) * A * (1 + 3 * c * x**2)
U = U_BODY.subs(c, C)  # the published constant, for the question
G_TAYLOR, G_TAYLOR_DEF = named(r"\mathrm{GELU}^{*}_{\tanh}(x)", [x], gelu_tanh(C_TAYLOR), name="GELU_taylor")


def taylor_coefficient(expr: sp.Expr, power: int) -> sp.Expr:
    """The coefficient of ``x**power`` in the Taylor series of ``expr`` at 0 (by ``sympy.series``)."""
    return sp.expand(sp.series(expr, x, 0, power + 1).removeO()).coeff(x, power)


# -- what is claimed -------------------------------------------------------------------------------
CLAIM = Eq(Derivative(GELU_TANH, x), GELU_TANH_PRIME)
SECOND_ORDER = Statement(
    "2nd order",
    Eq(Subs(Derivative(GELU_TANH, x, 2), x, 0) / 2, Subs(Derivative(GELU, x, 2), x, 0) / 2),
    text=r"the factor $\sqrt{2/\pi}$ makes the $x^2$ Taylor coefficients agree ($1/\sqrt{2\pi}$)",
)
FOURTH_ORDER = Statement(
    "4th order",
    Eq(
        Subs(Derivative(G_TAYLOR, x, 4), x, 0) / 24,
        Subs(Derivative(GELU, x, 4), x, 0) / 24,
    ),
    text=r"with $c = (4 - \pi)/(6\pi) \approx 0.04554$ in $\mathrm{GELU}^{*}_{\tanh}$ the $x^4$ coefficients "
    r"agree; the published "
    r"$0.044715$ is $1.8\%$ smaller, a fitted value",
)


def max_gelu_error(ctx: CheckContext) -> CrossCheckResult:
    """max |GELU - GELU_tanh| on a grid of step 1e-5 over [-12, 12] (beyond, both agree to 1e-30)."""
    import numpy as np
    from scipy.special import erf as erf_np

    grid = np.linspace(-12.0, 12.0, 2_400_001)
    exact = grid * 0.5 * (1.0 + erf_np(grid / np.sqrt(2.0)))

    def error(constant: float) -> np.ndarray:
        approx = grid / 2 * (1.0 + np.tanh(np.sqrt(2.0 / np.pi) * (grid + constant * grid**3)))
        return np.abs(exact - approx)

    err = error(float(C))
    worst = int(np.argmax(err))
    taylor = float(error(float(C_TAYLOR)).max())
    return ctx.bound(
        "max |GELU - GELU_tanh| on [-12, 12]",
        "dense grid (step 1e-5), scipy erf",
        float(err[worst]),
        5e-4,
        samples=grid.size,
        detail=f"maximum {err[worst]:.4e} at |x| = {abs(grid[worst]):.4f}; with the Taylor constant "
        f"(4 - pi)/(6 pi) = {float(C_TAYLOR):.6f} it would be {taylor:.4e}",
    )


MAX_ERROR = numerically(
    "max error",
    r"$\max_x |\mathrm{GELU}(x) - \mathrm{GELU}_{\tanh}(x)| \approx 4.73 \cdot 10^{-4} < 5 \cdot 10^{-4}$, "
    r"attained near $|x| = 2.70$ (measured on a grid; stated as found, not proved)",
    max_gelu_error,
)

# -- the homework question, and where the identity comes from --------------------------------------
QUESTION = Question(
    target=GELU_TANH_PRIME.subs({u(x): U, c: C}),
    prompt=r"Differentiate GPT-2's GELU, "
    r"$\mathrm{GELU}_{\tanh}(x) = \tfrac x2\bigl(1 + \tanh(\sqrt{2/\pi}\,(x + 0.044715\,x^3))\bigr)$.",
    names={"sech": sp.sech, "pi": pi, "π": pi},
    approximations={
        r"this is the exact GELU derivative $\Phi(x) + x\varphi(x)$, not that of the tanh approximation": Phi(x)
        + x * phi(x),
        r"the inner derivative $\sqrt{2/\pi}(1 + 3 \cdot 0.044715\,x^2)$ is missing": (1 + tanh(U)) / 2
        + x / 2 * (1 - tanh(U) ** 2),
    },
)
REFS = (
    Ref.cite("hendrycks2016", where="Sec. 2"),
    Ref.cite("radford2019"),
)


# -- how it is derived -----------------------------------------------------------------------------
def derivation(d: Derivation) -> None:
    r"""GPT-2 and the original BERT code compute GELU with a tanh instead of $\operatorname{erf}$:
    $\mathrm{GELU}_{\tanh}(x) = \tfrac x2\bigl(1 + \tanh(\sqrt{2/\pi}(x + 0.044715x^3))\bigr)$. Its derivative
    is what their backward passes use. The factor $\sqrt{2/\pi}$ matches the exact GELU's Taylor series
    to order $x^2$; matching $x^4$ would need $c = (4-\pi)/(6\pi) \approx 0.04554$, and the published
    $0.044715$ is a fitted value whose largest error, measured here, is below $5 \cdot 10^{-4}$."""
    d.begin(Derivative(GELU_TANH, x))
    d.then(
        (1 + tanh(u(x))) / 2 * Derivative(x, x) + x / 2 * Derivative(tanh(u(x)), x),
        r"product rule, with $u(x) = \sqrt{2/\pi}\,(x + c x^3)$",
    )
    d.then(lambda e: e.doit(), r"chain rule: $\tanh' = 1 - \tanh^2$")
    d.then(lambda e: e.subs(Derivative(u(x), x), sp.diff(U_BODY, x)), r"$u'(x) = \sqrt{2/\pi}\,(1 + 3cx^2)$")
    d.conclude()

    d.begin(Subs(Derivative(GELU_TANH, x, 2), x, 0) / 2, title=r"Why $\sqrt{2/\pi}$")
    d.then(taylor_coefficient(gelu_tanh(c), 2), r"the $x^2$ coefficient of the Taylor series at $0$ (sympy.series)")
    d.conclude("2nd order")

    d.begin(Eq(taylor_coefficient(gelu_tanh(c), 4), taylor_coefficient(GELU, 4)), title="Which constant matches $x^4$")
    # c stands for any positive constant here (its domain is the published value, for the numerics)
    d.solve(c, r"the $x^4$ coefficients agree", over=positive())
    d.note(rf"The published constant $0.044715$ is ${sp.latex(sp.N((C_TAYLOR - C) / C_TAYLOR * 100, 2))}\%$ below.")
    d.finish()

    d.begin(Subs(Derivative(G_TAYLOR, x, 4), x, 0) / 24)
    d.then(
        taylor_coefficient(gelu_tanh(C_TAYLOR), 4), r"the $x^4$ coefficient at $c = (4 - \pi)/(6\pi)$ (sympy.series)"
    )
    d.then(taylor_coefficient(GELU, 4), r"equal to the exact GELU's $-1/(6\sqrt{2\pi})$")
    d.conclude("4th order")


# -- how it is checked -----------------------------------------------------------------------------
def crosscheck(ctx: CheckContext) -> CrossCheckResult:
    """Central differences of GELU_tanh, and the exact value 1/2 at x = 0."""
    return combine(finite_difference(GELU_TANH, x)(ctx), at_zero(x, "GELU_tanh'", 0.5)(ctx))


# -- the declaration -------------------------------------------------------------------------------
GELU_TANH_APPROX = declare(
    "gelu-tanh-approx",
    aliases=("gelu-tanh", "gelu-approx", "gelu-gpt2"),
    title="The tanh approximation of GELU",
    section="2.2",
    map_row=r"GELU as used by GPT-2: $\tfrac x2\bigl(1 + \tanh(\sqrt{2/\pi}(x + 0.044715x^3))\bigr)$",
    variables={x: X, c: C_DOMAIN},
    definitions={u(x): U_BODY, **G_TAYLOR_DEF},
    claim=CLAIM,
    also=(SECOND_ORDER, FOURTH_ORDER, MAX_ERROR),
    derivation=derivation,
    crosscheck=crosscheck,
    question=QUESTION,
    refs=REFS,
    builds_on=("gelu'", "tanh'"),
)
