r"""The optimal GAN discriminator and the Jensen-Shannon divergence.

For a fixed generator the discriminator's best response is $D^* = p_{\mathrm{data}}/(p_{\mathrm{data}} +
p_g)$ (pointwise calculus), and against it the objective is $2\,\mathrm{JSD}(p_{\mathrm{data}}\,\|\,p_g) -
\log 4$, derived for any number $K$ of outcomes (normalised tables, :mod:`derive.maths.discrete`; the sums
opened by linearity, :mod:`derive.maths.variance`; the $\log 4$ is $\log 2$ times $\sum_k p_{\mathrm{data}}(k) +
\sum_k p_g(k) = 2$): the minimax game is divergence minimisation. The map's curriculum chapter 14, math for
specific models: GAN (minimax objective) (map 6). Goodfellow et al. (2014), Generative Adversarial Nets,
Prop. 1, Thm. 1.
"""

from __future__ import annotations

import numpy as np
import sympy as sp
from sympy import Derivative, Eq, Function, IndexedBase, Lt, Subs, log

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
    notation,
    positive,
    probability,
)
from derive.authoring import discrete as dm
from derive.maths.variance import linear_sums

# -- symbols ---------------------------------------------------------------------------------------
DENSITY = positive(10)
SCORE = probability()
a_pt, b_pt = (DENSITY.symbol(n) for n in ("p_data", "p_g"))
D = SCORE.symbol("D")
POINTWISE = a_pt * log(D) + b_pt * log(1 - D)
D_STAR = a_pt / (a_pt + b_pt)
OUTCOMES = integer(2, 8)
K_OUT = OUTCOMES.symbol("K")  # the number of outcomes: the value holds for every K
pw, qw = IndexedBase("a", positive=True), IndexedBase("b", positive=True)
P_DATA = dm.Table(Function("p_data"), pw, K_OUT)
P_GEN = dm.Table(Function("p_g"), qw, K_OUT)


def _mixture(k: int) -> sp.Expr:
    return (P_DATA(k) + P_GEN(k)) / 2


def _d_star(k: sp.Expr) -> sp.Expr:
    return P_DATA(k) / (P_DATA(k) + P_GEN(k))


# E_{p_data}[log D*] + E_{p_g}[log(1 - D*)], one sum each
VALUE = dm.expectation(P_DATA, lambda k: log(_d_star(k)), K_OUT) + dm.expectation(
    P_GEN, lambda k: log(P_GEN(k) / (P_DATA(k) + P_GEN(k))), K_OUT
)
JSD2 = dm.kl(P_DATA, _mixture, K_OUT) + dm.kl(P_GEN, _mixture, K_OUT)  # 2 JSD(p_data || p_g)
VALUE_TEX = notation(
    r"\sum_{k=1}^{K}\Bigl[p_{\mathrm{data}}(k)\log D^*(k) + p_g(k)\log\bigl(1 - D^*(k)\bigr)\Bigr]",
    VALUE,
    "V(D*)",
)
JSD_TEX = notation(r"2\,\mathrm{JSD}(p_{\mathrm{data}}\,\|\,p_g) - \log 4", JSD2 - log(4), "2 JSD - log 4")

_k = dm.K_INDEX
_HALVES = {  # p/(p + q) = (p/m)/2: the log of a half splits off
    log(_d_star(_k)): log(P_DATA(_k) / _mixture(_k)) - log(2),
    log(P_GEN(_k) / (P_DATA(_k) + P_GEN(_k))): log(P_GEN(_k) / _mixture(_k)) - log(2),
}

# -- what is claimed -------------------------------------------------------------------------------
CLAIM = Statement(
    "D*",
    Eq(D, D_STAR),
    text=r"pointwise, $a\log D + b\log(1 - D)$ with $a = p_{\mathrm{data}}(x)$, $b = p_g(x)$ is stationary at "
    r"$D^* = a/(a + b)$",
)
MAXIMUM = Statement(
    "maximum",
    Lt(Subs(Derivative(POINTWISE, D, 2), D, D_STAR), 0),
    text="and concave there, so $D^*$ maximises the discriminator's objective",
)
VALUE_AT_OPTIMUM = Statement(
    "value",
    Eq(VALUE_TEX, JSD_TEX, evaluate=False),
    text=r"with $D = D^*$ the objective "
    r"$\mathbb E_{p_{\mathrm{data}}}[\log D^*] + \mathbb E_{p_g}[\log(1 - D^*)]$ "
    r"equals $2\,\mathrm{JSD}(p_{\mathrm{data}}\,\|\,p_g) - \log 4$, for any number $K$ of outcomes",
)

# -- the homework question, and where the identity comes from --------------------------------------
QUESTION = Question(
    target=D_STAR,
    prompt=r"For a fixed generator, the discriminator maximises $\mathbb E_{p_{\mathrm{data}}}[\log D(x)] + "
    r"\mathbb E_{p_g}[\log(1 - D(x))]$. What is the optimal $D^*(x)$ in terms of $p_{\mathrm{data}}$ and $p_g$?",
    names={"p_data": a_pt, "p_g": b_pt},
    approximations={
        r"this is $1 - D^*$: the discriminator outputs the probability of real data": b_pt / (a_pt + b_pt),
        "a likelihood ratio is not a probability": a_pt / b_pt,
    },
)
REFS = (Ref.cite("goodfellow2014", where="Prop. 1, Thm. 1"),)


# -- how it is derived -----------------------------------------------------------------------------
def derivation(d: Derivation) -> None:
    r"""A GAN's discriminator is trained to tell data from samples. For a fixed generator its best response
    is $D^* = p_{\mathrm{data}}/(p_{\mathrm{data}} + p_g)$, and against it the generator minimises
    $2\,\mathrm{JSD}(p_{\mathrm{data}}\,\|\,p_g) - \log 4$: the minimax game is divergence minimisation, with
    its optimum at $p_g = p_{\mathrm{data}}$ (where $D^* = 1/2$)."""
    d.begin(Derivative(POINTWISE, D), "the pointwise objective's slope")
    d.then(lambda e: e.doit(), "differentiate")
    slope = d.keep("slope")
    d.begin(Eq(slope, 0), "stationary point")
    d.solve(D)
    d.conclude("D*")

    d.begin(Subs(Derivative(POINTWISE, D, 2), D, D_STAR))
    d.then(lambda e: e.doit(), r"$-a/D^2 - b/(1 - D)^2$ at $D^*$")
    d.then(lambda e: sp.factor(e), "factor")
    d.bound(sp.S.Zero, "a negative quantity", relation="<")
    d.conclude("maximum")

    d.begin(VALUE_TEX, r"the objective at $D^*$, summed over $K$ outcomes")
    d.note(f"Normalised tables: ${P_DATA.latex()}$ and ${P_GEN.latex()}$ with positive weights.")
    d.then(
        lambda e: linear_sums(VALUE.xreplace(_HALVES)),
        r"$\frac{p}{p + q} = \frac12\cdot\frac{p}{m}$ with the mixture $m = \frac{p + q}{2}$; "
        r"the sums opened by linearity (computed)",
    )
    d.then(
        JSD_TEX,
        r"both distributions sum to 1: $-\log 2\,(1 + 1) = -\log 4$; "
        r"$\mathrm{KL}(p_{\mathrm{data}}\,\|\,m) + \mathrm{KL}(p_g\,\|\,m) = 2\,\mathrm{JSD}$",
    )
    d.conclude("value")


# -- how it is checked -----------------------------------------------------------------------------
def crosscheck(ctx: CheckContext) -> CrossCheckResult:
    """Random discrete distributions on 10 outcomes: D* = p/(p + q) scores at least as high as 2000 random
    discriminators, and its objective equals 2 JSD - log 4 with JSD from scipy.spatial.distance.jensenshannon."""
    from scipy.spatial.distance import jensenshannon

    margins, got, ref = [], [], []
    for _ in range(10):
        p, q = ctx.rng.dirichlet(np.ones(10)), ctx.rng.dirichlet(np.ones(10))

        def objective(dd: np.ndarray, p: np.ndarray = p, q: np.ndarray = q) -> np.ndarray:
            return np.sum(p * np.log(dd) + q * np.log(1 - dd), axis=-1)

        best = objective(p / (p + q))
        others = objective(ctx.rng.uniform(1e-3, 1 - 1e-3, size=(2000, 10)))
        margins.append(float(np.max(others) - best))
        got.append(float(best))
        ref.append(2 * jensenshannon(p, q) ** 2 - np.log(4))
    return combine(
        ctx.bound("no random D beats D*", "2000 random discriminators", max(margins), 0.0),
        ctx.compare("V(D*) = 2 JSD - log 4", "scipy jensenshannon", np.array(got), np.array(ref), rtol=1e-10),
    )


# -- the declaration -------------------------------------------------------------------------------
GAN_OPTIMAL_DISCRIMINATOR = declare(
    "gan-optimal-discriminator",
    aliases=("gan-discriminator",),
    title="The optimal GAN discriminator and the Jensen-Shannon divergence",
    section="6",
    map_row=r"chapter 14 Math for specific models: GAN (minimax objective)",
    variables={a_pt: DENSITY, b_pt: DENSITY, D: SCORE, pw: DENSITY, qw: DENSITY, K_OUT: OUTCOMES},
    definitions=dm.definitions(P_DATA, P_GEN),
    claim=CLAIM,
    also=(MAXIMUM, VALUE_AT_OPTIMUM),
    derivation=derivation,
    crosscheck=crosscheck,
    question=QUESTION,
    refs=REFS,
    builds_on=("kl-nonnegative",),
)
