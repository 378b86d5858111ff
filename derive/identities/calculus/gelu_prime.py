r"""The derivative of GELU.

GELU weights its input by the probability that a standard normal variable lies below it,
$\mathrm{GELU}(x) = x\,\Phi(x)$; its derivative $\Phi(x) + x\varphi(x)$ drives every backward pass
through the MLP blocks of GPT-2, BERT and most modern transformers (map 2.2, key derivatives in
practice). Hendrycks and Gimpel (2016), Gaussian Error Linear Units, Sec. 2.
"""

from __future__ import annotations

from sympy import Derivative, Eq, erf, exp, pi, sqrt

from derive.authoring import (
    CheckContext,
    CrossCheckResult,
    Derivation,
    Phi,
    Question,
    Ref,
    Statement,
    combine,
    declare,
    finite_difference,
    phi,
    real,
)

# -- symbols ---------------------------------------------------------------------------------------
X = real(-8, 8)  # beyond |x| = 8 both sides are 0 or 1 to 1e-15: samples there test nothing
x = X.symbol("x")
GELU = x * Phi(x)

# -- what is claimed -------------------------------------------------------------------------------
CLAIM = Eq(Derivative(GELU, x), Phi(x) + x * phi(x))
PHI_PRIME = Statement(
    "Phi' = phi",
    Eq(Derivative((1 + erf(x / sqrt(2))) / 2, x), phi(x)),
    text=r"the normal CDF, written with $\operatorname{erf}$, has the normal density as derivative",
)
CLOSED_FORM = Statement(
    "closed form", Eq(Phi(x) + x * phi(x), (1 + erf(x / sqrt(2))) / 2 + x * exp(-(x**2) / 2) / sqrt(2 * pi))
)

# -- the homework question, and where the identity comes from --------------------------------------
QUESTION = Question(
    target=Phi(x) + x * phi(x),
    prompt=r"Differentiate $\mathrm{GELU}(x) = x\,\Phi(x)$, where $\Phi$ is the standard normal CDF.",
    names={"Phi": Phi, "phi": phi},
    approximations={
        r"$\Phi$ and $\varphi$ swapped: $\Phi' = \varphi$, so the product rule gives $\Phi(x) + x\varphi(x)$": (
            phi(x) + x * Phi(x)
        ),
        r"the product rule's second term $x\,\Phi'(x) = x\varphi(x)$ is missing": Phi(x),
        r"the first term is missing: $\frac{d}{dx} x = 1$ multiplies $\Phi(x)$": x * phi(x),
    },
)
REFS = (Ref.cite("hendrycks2016", where="Sec. 2"),)


# -- how it is derived -----------------------------------------------------------------------------
def derivation(d: Derivation) -> None:
    r"""GELU weights its input by the probability that a standard normal variable lies below it:
    $\mathrm{GELU}(x) = x\,\Phi(x) = x\,P(Z \le x)$. Its derivative drives every backward pass
    through a GPT-2 or BERT MLP block."""
    d.begin(Derivative(GELU, x))
    d.then(Derivative(x, x) * Phi(x) + x * Derivative(Phi(x), x), "product rule")
    d.then(lambda e: e.doit(), r"$\frac{d}{dx}x = 1$ and $\Phi' = \varphi$ (below)")
    d.conclude()

    d.begin(Derivative((1 + erf(x / sqrt(2))) / 2, x), r"$\Phi$ from its definition through $\operatorname{erf}$")
    d.then(lambda e: e.doit(), r"chain rule, $\operatorname{erf}'(u) = \tfrac{2}{\sqrt\pi}e^{-u^2}$")
    d.then(phi(x), r"the standard normal density $\varphi$")
    d.conclude("Phi' = phi")

    d.begin(Phi(x) + x * phi(x))
    d.then(lambda e: e.rewrite(erf).rewrite(exp), r"substitute the closed forms of $\Phi$ and $\varphi$")
    d.conclude("closed form")


# -- how it is checked -----------------------------------------------------------------------------
def crosscheck(ctx: CheckContext) -> CrossCheckResult:
    """Central differences of x Phi(x), and the exact value 1/2 at x = 0."""
    fd = finite_difference(GELU, x)(ctx)
    at_zero = ctx.compare("value at 0", "exact value", ctx.numpy(ctx.result, [x])(0.0), 0.5, rtol=1e-15)
    return combine(fd, at_zero)


# -- the declaration -------------------------------------------------------------------------------
GELU_PRIME = declare(
    "gelu'",
    aliases=("gelu-derivative", "gelu-prime"),
    title="The derivative of GELU",
    section="2.2",
    map_row=r"$\mathrm{GELU}(x) = x\Phi(x)$, derivative $\Phi(x) + x\varphi(x)$ (GPT-2, BERT, modern transformers)",
    variables={x: X},
    claim=CLAIM,
    also=(PHI_PRIME, CLOSED_FORM),
    derivation=derivation,
    crosscheck=crosscheck,
    question=QUESTION,
    refs=REFS,
)
