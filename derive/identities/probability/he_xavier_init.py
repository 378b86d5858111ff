r"""Variance-preserving initialisation: Xavier and He.

A unit $y = \sum_{i\le n} w_i x_i$ with independent zero-mean weights has $\operatorname{Var}(y) =
n\operatorname{Var}(w)\mathbb E[x^2]$; keeping it equal to the input's layer after layer gives Xavier
initialisation $2/(n_{in} + n_{out})$ for linear or tanh units and He initialisation $2/n_{in}$ for ReLU,
which halves the second moment (map 3.2, $\mathcal N(\mu, \Sigma)$ weight init). He, Zhang, Ren and Sun
(2015), Delving Deep into Rectifiers, Sec. 2.2; Glorot and Bengio (2010), Sec. 4.2.
"""

from __future__ import annotations

import numpy as np
import sympy as sp
from sympy import Eq, Integral, Sum, oo, sqrt, symbols

from derive.authoring import (
    CheckContext,
    CrossCheckResult,
    Derivation,
    Question,
    Ref,
    Statement,
    combine,
    declare,
    integer,
    named_function,
    positive,
    real,
)
from derive.maths.gaussian import expectation, integrate, normal_pdf

from ._shared import SD, s, x

# -- symbols ---------------------------------------------------------------------------------------
# s is the chapter's (_shared), the standard deviation of the ReLU's input; x integrates over it
UNITS = integer(1, 50)
FAN = integer(1, 1000)
VARIANCE = positive(1)
SECOND_MOMENT = positive(4)
INPUT_MEAN = real(-2, 2)
INPUT_SD = positive(2, lo=0.05)
n = UNITS.symbol("n")
i = sp.Symbol("i", integer=True)
var_w = VARIANCE.symbol("v")  # Var(w)
m2 = SECOND_MOMENT.symbol("m_2")  # E[x^2]
n_in, n_out = FAN.symbol("n_in"), FAN.symbol("n_out")
v_xavier, v_he = VARIANCE.symbol("v_X"), VARIANCE.symbol("v_He")
# the variance of a sum worked out for n = 2: w_i = sqrt(v) a_i, x_i = mu_x + s_x b_i, a_i, b_i iid N(0, 1)
mu_x, s_x = INPUT_MEAN.symbol("mu_x"), INPUT_SD.symbol("s_x")
A2, B2 = symbols("a1 a2", real=True), symbols("b1 b2", real=True)
Y2 = sum(sqrt(var_w) * ak * (mu_x + s_x * bk) for ak, bk in zip(A2, B2, strict=True))


def _e_std(f: sp.Expr) -> sp.Integral:
    """E[f] over independent standard normal a1, a2, b1, b2, the integrand expanded into monomials."""
    dens = sp.Mul(*(normal_pdf(t) for t in (*A2, *B2)))
    return Integral(sp.expand(f) * dens, *((t, -oo, oo) for t in (*A2, *B2)))


VAR_Y2 = named_function("VarY2", r"\operatorname{Var}(w_1x_1 + w_2x_2)", show_args=False)(var_w, mu_x, s_x)
E_Y2 = named_function("EY2", r"\mathbb E[y^2]", show_args=False)(var_w, mu_x, s_x)
E_Y = named_function("EY", r"\mathbb E[y]", show_args=False)(var_w, mu_x, s_x)
T1, T2 = sqrt(var_w) * A2[0] * (mu_x + s_x * B2[0]), sqrt(var_w) * A2[1] * (mu_x + s_x * B2[1])  # w_1x_1, w_2x_2
SQUARE_TERMS = {
    named_function(name, tex, show_args=False)(var_w, mu_x, s_x): f
    for name, tex, f in (
        ("ESq1", r"\mathbb E[(w_1x_1)^2]", T1**2),
        ("ESq2", r"\mathbb E[(w_2x_2)^2]", T2**2),
        ("ECross", r"\mathbb E[w_1x_1w_2x_2]", T1 * T2),
    )
}
E_SQ1, E_SQ2, E_CROSS = SQUARE_TERMS
# the moments E[t^k] of the standard normal variables, printed as such (bodies in ``definitions``)
MOMENTS = {
    (t, k): named_function(f"E_{t}_{k}", rf"\mathbb E[{sp.latex(t**k)}]", show_args=False)()
    for t in (*A2, *B2)
    for k in (1, 2)
}


def _moment_form(f: sp.Expr) -> sp.Expr:
    """E[f] for a polynomial f in a1, a2, b1, b2: linearity, then each monomial's expectation as a product
    of the variables' moments (independence)."""
    poly = sp.Poly(sp.expand(f), *A2, *B2)
    return sp.Add(
        *(c * sp.Mul(*(MOMENTS[t, k] for t, k in zip((*A2, *B2), ks, strict=True) if k)) for ks, c in poly.terms())
    )


RELU2 = named_function("ReluSecondMoment", r"\mathbb E[\operatorname{relu}(z)^2]", show_args=False)(s)

# -- what is claimed -------------------------------------------------------------------------------
CLAIM = Statement(
    "Var(y)",
    Eq(Sum(var_w * m2, (i, 1, n)), n * var_w * m2),
    text=r"$\operatorname{Var}(\sum_{i\le n} w_i x_i) = \sum_i \operatorname{Var}(w_i x_i)$ (the terms are "
    r"uncorrelated: $\mathbb E[w_ix_iw_jx_j] = \mathbb E[w_i]\mathbb E[w_j]\mathbb E[x_ix_j] = 0$) and "
    r"$\operatorname{Var}(w x) = \mathbb E[w^2]\mathbb E[x^2] - (\mathbb E[w]\mathbb E[x])^2 = v\,m_2$",
)
XAVIER = Statement(
    "Xavier",
    Eq(v_xavier, 2 / (n_in + n_out)),
    text=r"forward ($n_{in}v = 1$) and backward ($n_{out}v = 1$) compromise: $v = 2/(n_{in} + n_{out})$",
)
RELU_MOMENT = Statement(
    "relu",
    Eq(RELU2, s**2 / 2, evaluate=False),
    text=r"$\mathbb E[\operatorname{relu}(z)^2] = \operatorname{Var}(z)/2$ for $z\sim\mathcal N(0, s^2)$",
)
HE = Statement("He", Eq(v_he, 2 / n_in), text=r"with ReLU, keeping the variance needs $n_{in}v\cdot\frac12 = 1$")

# -- the homework question, and where the identity comes from --------------------------------------
QUESTION = Question(
    target=2 / n_in,
    prompt=r"For a ReLU layer with $n_{in}$ inputs and weights $w \sim \mathcal N(0, v)$, which $v$ keeps the "
    r"second moment of the activations constant from layer to layer?",
    approximations={
        r"$1/n_{in}$ is the LeCun/Xavier choice for linear units: ReLU halves the second moment": 1 / n_in,
        r"$2/(n_{in} + n_{out})$ is Xavier (Glorot) initialisation, for linear or tanh units; ReLU needs "
        r"$2/n_{in}$": 2 / (n_in + n_out),
    },
)
REFS = (
    Ref.cite("he2015delving", where="Sec. 2.2"),
    Ref.cite("glorot2010", where="Sec. 4.2"),
)


# -- how it is derived -----------------------------------------------------------------------------
def derivation(d: Derivation) -> None:
    r"""A unit $y = \sum_{i\le n} w_i x_i$ with independent zero-mean weights has
    $\operatorname{Var}(y) = n\operatorname{Var}(w)\mathbb E[x^2]$. Keeping this equal to the input's
    variance layer after layer is what lets a deep network train at all: Xavier (Glorot) initialisation
    for linear/tanh units, He initialisation $\operatorname{Var}(w) = 2/n_{in}$ for ReLU, which zeroes
    half of a symmetric input and so halves its second moment."""
    d.begin(
        Sum(var_w * m2, (i, 1, n)),
        r"$\operatorname{Var}(y) = \sum_{i=1}^n \operatorname{Var}(w_ix_i)$, each "
        r"$\mathbb E[w_i^2]\,\mathbb E[x_i^2] = v\,m_2$ (independent, $\mathbb E[w_i] = 0$)",
    )
    d.then(lambda e: e.doit(), "$n$ equal terms")
    d.conclude("Var(y)")

    moment_values = {m: integrate(expectation(t**k, t)) for (t, k), m in MOMENTS.items()}
    for k, (name, f) in enumerate(((E_Y, Y2), (E_SQ1, T1**2), (E_CROSS, T1 * T2))):
        d.begin(
            name,
            r"$w_i = \sqrt v\,a_i$, $x_i = \mu_x + s_x b_i$ with $a_1, a_2, b_1, b_2$ independent $\mathcal N(0, 1)$"
            if k == 0
            else "",
            title="The variance of the sum, worked out" if k == 0 else "",
            scope="for n = 2, Gaussian weights and inputs",
        )
        d.then(_moment_form(f), r"expand; linearity, then independence: a product of moments per monomial")
        d.then(
            lambda e: sp.factor(e.xreplace(moment_values)),
            r"the moments $\mathbb E[a] = 0$, $\mathbb E[a^2] = 1$ (Gaussian integrals)"
            + (r": the cross term vanishes" if name == E_CROSS else ""),
        )
        d.finish()
    d.begin(VAR_Y2, scope="for n = 2, Gaussian weights and inputs")
    d.then(E_Y2 - E_Y**2, r"$\operatorname{Var}(y) = \mathbb E[y^2] - \mathbb E[y]^2$")
    d.then(E_SQ1 + E_SQ2 + 2 * E_CROSS - E_Y**2, r"expand the square $y^2 = (w_1x_1 + w_2x_2)^2$")
    d.then(
        2 * var_w * (mu_x**2 + s_x**2),
        r"the expectations above ($\mathbb E[(w_2x_2)^2]$ like $\mathbb E[(w_1x_1)^2]$): $n\,v\,m_2$ with $n = 2$, "
        r"$m_2 = \mathbb E[x^2] = \mu_x^2 + s_x^2$",
    )
    d.finish()

    d.begin(
        Eq((n_in * v_xavier + n_out * v_xavier) / 2, 1),
        r"average of the forward ($n_{in}v = 1$) and backward ($n_{out}v = 1$) conditions",
    )
    d.solve(v_xavier)
    d.conclude("Xavier")

    d.begin(RELU2)
    d.then(expectation(x**2, x, 0, s, lo=0), r"$\operatorname{relu}(z)^2 = z^2$ on $z > 0$ and $0$ otherwise")
    d.then(integrate, "the half-line Gaussian integral")
    d.conclude("relu")

    d.begin(
        Eq(n_in * v_he * (s**2 / 2), s**2),
        r"$\operatorname{Var}(y_l) = n_{in}v\,\mathbb E[\operatorname{relu}(y_{l-1})^2] = n_{in}v\,s^2/2$ "
        r"must equal $\operatorname{Var}(y_{l-1}) = s^2$",
    )
    d.solve(v_he)
    d.conclude("He")


# -- how it is checked -----------------------------------------------------------------------------
def crosscheck(ctx: CheckContext) -> CrossCheckResult:
    """Random ReLU networks of depth 30 and width 256: the activation variance after 30 layers over
    the input variance is O(1) with He init (2/n), about 2^-30 with 1/n and 2^30 with 4/n."""
    width, depth = 256, 30
    x0 = ctx.rng.normal(size=(width, 200))

    def ratio(scale: float) -> float:
        h = x0
        for _ in range(depth):
            w = ctx.rng.normal(size=(width, width)) * np.sqrt(scale / width)
            h = np.maximum(w @ h, 0.0)
        return float(np.mean(h**2) / np.mean(x0**2))

    he, small, big = ratio(2.0), ratio(1.0), ratio(4.0)
    return combine(
        ctx.bound("He: |log10 E[h_30^2]/E[x^2]|", "depth-30 ReLU network", abs(np.log10(he)), 1.0),
        ctx.bound("Var(w) = 1/n: E[h_30^2]/E[x^2] collapses", "depth-30 ReLU network", small, 1e-5),
        ctx.bound("Var(w) = 4/n: E[x^2]/E[h_30^2] (explodes)", "depth-30 ReLU network", 1.0 / big, 1e-5),
    )


# -- the declaration -------------------------------------------------------------------------------
HE_XAVIER_INIT = declare(
    "he-xavier-init",
    aliases=("he-init", "xavier-init", "glorot-init", "kaiming-init"),
    title="Variance-preserving initialisation: Xavier and He",
    section="3.2",
    map_row=r"$\mathcal N(\mu, \Sigma)$ weight init (He / Xavier)",
    variables={
        n: UNITS,
        var_w: VARIANCE,
        m2: SECOND_MOMENT,
        s: SD,
        n_in: FAN,
        n_out: FAN,
        v_xavier: VARIANCE,
        v_he: VARIANCE,
        mu_x: INPUT_MEAN,
        s_x: INPUT_SD,
    },
    definitions={
        RELU2: expectation(x**2, x, 0, s, lo=0),
        VAR_Y2: _e_std(Y2**2) - _e_std(Y2) ** 2,
        E_Y2: _e_std(Y2**2),
        E_Y: _e_std(Y2),
        **{name: _e_std(f) for name, f in SQUARE_TERMS.items()},
        **{m: expectation(t**k, t) for (t, k), m in MOMENTS.items()},
    },
    claim=CLAIM,
    also=(XAVIER, RELU_MOMENT, HE),
    derivation=derivation,
    crosscheck=crosscheck,
    question=QUESTION,
    refs=REFS,
)
