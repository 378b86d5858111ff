"""2.2 Key derivatives in practice: the activation functions of modern networks.

``gelu'`` (the exact GELU), ``sigmoid'``, ``tanh'``, ``relu'`` and ``gelu-tanh-approx`` (the tanh
approximation used by GPT-2, its derivative, where its constant comes from and how far it is from
the exact GELU).
"""

from __future__ import annotations

import sympy as sp
from sympy import Derivative, Eq, Heaviside, Le, Limit, Max, Rational, Subs, exp, pi, sqrt, tanh

from derive.core.derivation import Derivation
from derive.core.identity import Question, Ref, identity
from derive.core.statements import Statement, numerically
from derive.maths.domains import Domain, punctured, real
from derive.maths.notation import named
from derive.maths.special import Phi, phi, sigmoid
from derive.numeric.crosscheck import combine, finite_difference

x = real().symbol("x")
GELU = x * Phi(x)


# ----------------------------------------------------------------------------- sigmoid
def _at_zero(expr_name: str, value: float):  # type: ignore[no-untyped-def]
    """The derived form at x = 0 (other variables sampled) against a known exact value."""

    def check(ctx):  # type: ignore[no-untyped-def]
        values = ctx.sample(1)
        values[x] = values[x] * 0.0
        got = ctx.evaluate(ctx.result, values, 1)
        return ctx.compare(f"{expr_name} at 0", "exact value", got, value, rtol=1e-15)

    return check


@identity(
    "sigmoid'",
    aliases=("sigmoid-derivative", "logistic-derivative", "sigma'"),
    title="The derivative of the sigmoid",
    section="2.2",
    map_row=r"$\sigma(x) = 1/(1 + e^{-x})$, derivative $\sigma(x)(1 - \sigma(x))$ (LSTM gates)",
    variables={x: real(-30, 30)},
    claim=Eq(Derivative(sigmoid(x), x), sigmoid(x) * (1 - sigmoid(x))),
    also=[
        Statement(
            "bound",
            Le(sigmoid(x) * (1 - sigmoid(x)), Rational(1, 4)),
            text=r"the slope never exceeds $1/4$: a sigmoid layer shrinks gradients at least fourfold",
        ),
        Statement(
            "maximum at 0",
            Eq(Subs(Derivative(sigmoid(x), x), x, 0), Rational(1, 4)),
            text=r"the bound is attained at $x = 0$, the only zero of $\sigma''$",
        ),
    ],
    crosscheck=lambda ctx: combine(finite_difference(sigmoid(x), x)(ctx), _at_zero("sigma'", 0.25)(ctx)),
    question=Question(
        target=sigmoid(x) * (1 - sigmoid(x)),
        prompt=r"Differentiate $\sigma(x) = 1/(1 + e^{-x})$ and express the result through $\sigma(x)$.",
        names={"sigma": sigmoid, "σ": sigmoid, "sigmoid": sigmoid},
        approximations={
            r"sign flipped: $\sigma(1 + \sigma)$ exceeds $1$ for large $x$": sigmoid(x) * (1 + sigmoid(x)),
            r"the factor $\sigma(x)$ is missing": 1 - sigmoid(x),
        },
    ),
    refs=(
        Ref.book("C. M. Bishop (2006), Pattern Recognition and Machine Learning", "Eq. (4.88)"),
        Ref.book("S. Hochreiter and J. Schmidhuber (1997), Long Short-Term Memory, Neural Computation 9(8)"),
    ),
)
def sigmoid_derivative(d: Derivation) -> None:
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


# ----------------------------------------------------------------------------- tanh
@identity(
    "tanh'",
    aliases=("tanh-derivative",),
    title="The derivative of tanh",
    section="2.2",
    map_row=r"$\tanh(x)$, derivative $1 - \tanh^2(x)$ (RNN hidden states; range $(-1, 1)$)",
    variables={x: real(-20, 20)},
    claim=Eq(Derivative(tanh(x), x), 1 - tanh(x) ** 2),
    also=[
        Statement(
            "tanh = 2 sigma(2x) - 1",
            Eq(tanh(x), 2 * sigmoid(2 * x) - 1),
            text=r"$\tanh$ is a sigmoid rescaled to $(-1, 1)$, so its slope at $0$ is $4 \cdot \sigma'(0) = 1$",
        ),
    ],
    crosscheck=lambda ctx: combine(finite_difference(tanh(x), x)(ctx), _at_zero("tanh'", 1.0)(ctx)),
    question=Question(
        target=1 - tanh(x) ** 2,
        prompt=r"Differentiate $\tanh(x)$ and express the result through $\tanh(x)$.",
        names={"sech": sp.sech, "sigma": sigmoid},
        approximations={
            r"sign flipped: $1 + \tanh^2(x)$": 1 + tanh(x) ** 2,
            r"the sigmoid rule $f(1 - f)$ does not apply to $\tanh$": tanh(x) * (1 - tanh(x)),
        },
    ),
    refs=(Ref.book("I. Goodfellow, Y. Bengio and A. Courville (2016), Deep Learning", "Sec. 6.3.2"),),
)
def tanh_derivative(d: Derivation) -> None:
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


# ----------------------------------------------------------------------------- ReLU
xr = punctured(-8, 8).symbol("x")  # the same real symbol x; its domain here leaves out the kink
h = real().symbol("h")


@identity(
    "relu'",
    aliases=("relu-derivative",),
    title="The derivative of ReLU",
    section="2.2",
    map_row=r"$\mathrm{ReLU}(x) = \max(0, x)$, derivative $\mathbb{1}[x > 0]$ (no vanishing gradient for $x > 0$)",
    variables={xr: punctured(-8, 8)},
    claim=Eq(Derivative(Max(0, xr), xr), Heaviside(xr)),
    also=[
        Statement(
            "right limit",
            Eq(Limit(Max(0, h) / h, h, 0, "+"), 1),
            text=r"the difference quotient at $0$ from the right",
        ),
        Statement(
            "left limit",
            Eq(Limit(Max(0, h) / h, h, 0, "-"), 0),
            text=r"from the left: the one-sided slopes differ, so $\mathrm{ReLU}'(0)$ does not exist "
            r"(frameworks use $0$ there)",
        ),
    ],
    crosscheck=finite_difference(Max(0, xr), xr),
    question=Question(
        target=Heaviside(xr),
        prompt=r"Differentiate $\mathrm{ReLU}(x) = \max(0, x)$ for $x \ne 0$. Write the indicator "
        r"$\mathbb{1}[x > 0]$ as Heaviside(x).",
        names={"H": Heaviside, "theta": Heaviside, "step": Heaviside, "heaviside": Heaviside},
        approximations={
            r"this is $\mathrm{ReLU}$ itself, not its derivative": Max(0, xr),
            r"$\operatorname{sign}(x)$ is $-1$ for $x < 0$, where the slope is $0$": sp.sign(xr),
        },
    ),
    refs=(
        Ref.book("V. Nair and G. E. Hinton (2010), Rectified Linear Units Improve Restricted Boltzmann Machines, ICML"),
        Ref.book("X. Glorot, A. Bordes and Y. Bengio (2011), Deep Sparse Rectifier Neural Networks, AISTATS"),
    ),
)
def relu_derivative(d: Derivation) -> None:
    r"""ReLU passes positive inputs unchanged and zeroes the rest; its slope is exactly $1$ for
    $x > 0$, so gradients do not shrink through active units. For $x \ne 0$ the derivative is the
    indicator $\mathbb 1[x > 0]$ (SymPy's Heaviside $\theta(x)$); at the kink the one-sided slopes
    are $0$ and $1$ and the derivative does not exist, so the domain leaves out $x = 0$."""
    d.begin(Derivative(Max(0, xr), xr))
    d.then(lambda e: e.doit(), r"SymPy differentiates $\max(0, x)$ to the step $\theta(x)$ ($x \ne 0$)")
    d.conclude()

    d.begin(Derivative(sp.Piecewise((0, xr < 0), (xr, True)), xr), title="The piecewise form")
    d.then(lambda e: e.doit(), r"differentiate each piece: $0$ for $x < 0$, $1$ for $x > 0$")
    d.then(Heaviside(xr), r"the same step for $x \ne 0$")
    d.finish()

    d.begin(Limit(Max(0, h) / h, h, 0, "+"))
    d.then(lambda e: e.doit(), r"$\max(0, h)/h = 1$ for $h > 0$")
    d.conclude("right limit")
    d.begin(Limit(Max(0, h) / h, h, 0, "-"))
    d.then(lambda e: e.doit(), r"$\max(0, h)/h = 0$ for $h < 0$")
    d.conclude("left limit")


# ----------------------------------------------------------------------------- GELU, tanh approximation
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


def _max_gelu_error(ctx):  # type: ignore[no-untyped-def]
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


@identity(
    "gelu-tanh-approx",
    aliases=("gelu-tanh", "gelu-approx", "gelu-gpt2"),
    title="The tanh approximation of GELU",
    section="2.2",
    map_row=r"GELU as used by GPT-2: $\tfrac x2\bigl(1 + \tanh(\sqrt{2/\pi}(x + 0.044715x^3))\bigr)$",
    variables={x: real(-8, 8), c: C_DOMAIN},
    definitions={u(x): U_BODY, **G_TAYLOR_DEF},
    claim=Eq(Derivative(GELU_TANH, x), GELU_TANH_PRIME),
    also=[
        Statement(
            "2nd order",
            Eq(Subs(Derivative(GELU_TANH, x, 2), x, 0) / 2, Subs(Derivative(GELU, x, 2), x, 0) / 2),
            text=r"the factor $\sqrt{2/\pi}$ makes the $x^2$ Taylor coefficients agree ($1/\sqrt{2\pi}$)",
        ),
        Statement(
            "4th order",
            Eq(
                Subs(Derivative(G_TAYLOR, x, 4), x, 0) / 24,
                Subs(Derivative(GELU, x, 4), x, 0) / 24,
            ),
            text=r"with $c = (4 - \pi)/(6\pi) \approx 0.04554$ in $\mathrm{GELU}^{*}_{\tanh}$ the $x^4$ coefficients "
            r"agree; the published "
            r"$0.044715$ is $1.8\%$ smaller, a fitted value",
        ),
        numerically(
            "max error",
            r"$\max_x |\mathrm{GELU}(x) - \mathrm{GELU}_{\tanh}(x)| \approx 4.73 \cdot 10^{-4} < 5 \cdot 10^{-4}$, "
            r"attained near $|x| = 2.70$ (measured on a grid; stated as found, not proved)",
            _max_gelu_error,
        ),
    ],
    crosscheck=lambda ctx: combine(finite_difference(GELU_TANH, x)(ctx), _at_zero("GELU_tanh'", 0.5)(ctx)),
    question=Question(
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
    ),
    refs=(
        Ref.arxiv(
            "1606.08415", "D. Hendrycks and K. Gimpel, Gaussian Error Linear Units (GELUs), 2016", where="Sec. 2"
        ),
        Ref.book("A. Radford et al. (2019), Language Models are Unsupervised Multitask Learners (GPT-2)"),
    ),
    builds_on=("gelu'", "tanh'"),
)
def gelu_tanh_approx(d: Derivation) -> None:
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
    d.solve(c, r"the $x^4$ coefficients agree")
    d.note(rf"The published constant $0.044715$ is ${sp.latex(sp.N((C_TAYLOR - C) / C_TAYLOR * 100, 2))}\%$ below.")
    d.finish()

    d.begin(Subs(Derivative(G_TAYLOR, x, 4), x, 0) / 24)
    d.then(
        taylor_coefficient(gelu_tanh(C_TAYLOR), 4), r"the $x^4$ coefficient at $c = (4 - \pi)/(6\pi)$ (sympy.series)"
    )
    d.then(taylor_coefficient(GELU, 4), r"equal to the exact GELU's $-1/(6\sqrt{2\pi})$")
    d.conclude("4th order")
