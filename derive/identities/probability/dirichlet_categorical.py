r"""The Dirichlet prior is conjugate to the categorical.

With a $\mathrm{Dir}(\alpha)$ prior on category probabilities and observed counts $n_k$ the posterior is
$\mathrm{Dir}(\alpha + n)$, the posterior predictive $(\alpha_k + n_k)/(\sum_j\alpha_j + N)$ and the marginal
likelihood $B(\alpha + n)/B(\alpha)$: the prior acts as pseudo-counts, which makes LDA's collapsed Gibbs
sampler and add-$\alpha$ smoothing closed-form (map 3.2, Dirichlet: conjugate to Categorical). Everything is
proved for any number $K$ of categories: the Dirichlet integral $B(\alpha) = \prod_k\Gamma(\alpha_k)/
\Gamma(\sum_k\alpha_k)$ by induction on $K$ (the Beta integral computed, two coordinates merged by a computed
substitution), the predictive by collapsing the product of Gamma ratios. Blei, Ng and Jordan (2003), Latent
Dirichlet Allocation, JMLR 3, Sec. 5.
"""

from __future__ import annotations

import numpy as np
import sympy as sp
from sympy import Eq, Integral

from derive.authoring import (
    CheckContext,
    CrossCheckResult,
    Derivation,
    Question,
    Ref,
    Statement,
    combine,
    declare,
    discrete,
    integer,
    named_function,
    positive,
    probability,
    statement_lhs,
)
from derive.core.facts import FUBINI
from derive.maths import dirichlet
from derive.numeric.montecarlo import agrees, estimate

# -- symbols ---------------------------------------------------------------------------------------
CONCENTRATION = positive(5, lo=0.1)
COUNT = positive(20)
PROBABILITY = probability()
# the question's K = 3 symbols, and the worked Beta example
alphas = tuple(CONCENTRATION.symbol(f"alpha{k}") for k in (1, 2, 3))
counts = tuple(COUNT.symbol(f"n{k}") for k in (1, 2, 3))
theta = PROBABILITY.symbol("theta")
N_ALL = sum(counts)
POST = tuple(a + c for a, c in zip(alphas, counts, strict=True))
BETA_A, BETA_B, BETA_N1, BETA_N2 = 2, 3, 4, 1

# any number K of categories: alpha_k, n_k, theta_k for k = 1..K, a category j
SIZE = integer(2, 6)
K = SIZE.symbol("K")
k = sp.Symbol("k", integer=True, positive=True)
j = sp.Symbol("j", integer=True, positive=True)
alphaI = sp.IndexedBase("alpha", positive=True)
countI = sp.IndexedBase("n", positive=True)
thetaI = sp.IndexedBase("theta", positive=True)
# the Beta integral and the merge of two coordinates: exponents a, b, a partial sum s
SHAPE = positive(5, lo=0.5)
a, b = SHAPE.symbol("a"), SHAPE.symbol("b")
s_part = PROBABILITY.symbol("s")
t = PROBABILITY.symbol("t")
x = PROBABILITY.symbol("x")


def _alpha(q: sp.Expr) -> sp.Expr:
    return alphaI[q]


def _posterior(q: sp.Expr) -> sp.Expr:
    return alphaI[q] + countI[q]


def multivariate_beta(v: tuple[sp.Expr, ...]) -> sp.Expr:
    r""":math:`B(v) = \prod_k \Gamma(v_k) / \Gamma(\sum_k v_k)` for explicit entries (the worked examples)."""
    return sp.Mul(*(sp.gamma(e) for e in v)) / sp.gamma(sum(v))


def _beta_density(u: sp.Expr, p: int, q: int) -> sp.Expr:
    return u ** (p - 1) * (1 - u) ** (q - 1) / multivariate_beta((sp.Integer(p), sp.Integer(q)))


def _kernel(v: dirichlet.Entry) -> sp.Expr:
    r""":math:`\prod_{k=1}^K \theta_k^{v_k - 1}`, the kernel of :math:`\mathrm{Dir}(v)`."""
    return sp.Product(thetaI[k] ** (v(k) - 1), (k, 1, K))


BETA_FUNCTION = sp.gamma(a) * sp.gamma(b) / sp.gamma(a + b)
BETA_INTEGRAL = Integral(t ** (a - 1) * (1 - t) ** (b - 1), (t, 0, 1))
MERGE_INTEGRAND = x ** (a - 1) * (s_part - x) ** (b - 1)
# the integrand of the inner integral at x = s t, times dx/dt (unevaluated: the statement shows the substitution)
MERGE_SUBSTITUTED = sp.Mul(sp.Subs(MERGE_INTEGRAND, x, s_part * t), sp.Derivative(s_part * t, t), evaluate=False)
# B_K at (alpha_1, ..., alpha_{K-1}, alpha_K + alpha_{K+1}) times B(alpha_K, alpha_{K+1}): K + 1 categories
MERGED = (
    sp.Product(sp.gamma(alphaI[k]), (k, 1, K - 1))
    * sp.gamma(alphaI[K] + alphaI[K + 1])
    / sp.gamma(sp.Sum(alphaI[k], (k, 1, K - 1)) + alphaI[K] + alphaI[K + 1])
)
SPLIT = sp.gamma(alphaI[K]) * sp.gamma(alphaI[K + 1]) / sp.gamma(alphaI[K] + alphaI[K + 1])
PRED = named_function("PosteriorPredictive", r"p(y = j\mid n)", show_args=False)(K, j)
PREDICTIVE = _posterior(j) / sp.Sum(_posterior(k), (k, 1, K))
SHIFTED = dirichlet.normaliser(lambda q: _posterior(q) + sp.KroneckerDelta(q, j), k, K)
MARGINAL_FORM = dirichlet.normaliser(_posterior, k, K) / dirichlet.normaliser(_alpha, k, K)


# -- what is claimed -------------------------------------------------------------------------------
CLAIM = Statement(
    "predictive",
    Eq(PRED, PREDICTIVE),
    text=r"the posterior predictive $p(y = j\mid n) = \mathbb E[\theta_j\mid n] = (\alpha_j + "
    r"n_j)/(\sum_k\alpha_k + N)$ for any number $K$ of categories and any category $j$",
)
POSTERIOR = Statement(
    "posterior",
    Eq(
        _kernel(_alpha) / dirichlet.normaliser(_alpha, k, K) * sp.Product(thetaI[k] ** countI[k], (k, 1, K)),
        MARGINAL_FORM * _kernel(_posterior) / dirichlet.normaliser(_posterior, k, K),
    ),
    text=r"$\prod_k\theta_k^{n_k}\,\mathrm{Dir}(\theta;\alpha) = \frac{B(\alpha + n)}{B(\alpha)}\,"
    r"\mathrm{Dir}(\theta;\alpha + n)$ for any $K$: the posterior is $\mathrm{Dir}(\alpha + n)$ and, the "
    r"density integrating to one, the marginal likelihood is $p(n\mid\alpha) = B(\alpha + n)/B(\alpha)$",
)
BETA = Statement(
    "Beta integral",
    Eq(BETA_INTEGRAL, BETA_FUNCTION, evaluate=False),
    text=r"the Dirichlet integral for $K = 2$: $\int_0^1 t^{a-1}(1-t)^{b-1}dt = \Gamma(a)\Gamma(b)/\Gamma(a+b)$",
)
MERGE = Statement(
    "merge",
    Eq(MERGE_SUBSTITUTED, s_part ** (a + b - 1) * t ** (a - 1) * (1 - t) ** (b - 1), evaluate=False),
    text=r"two coordinates with sum $s$ merge into one: at $x = st$ the integrand $x^{a-1}(s-x)^{b-1}\,dx$ is "
    r"$s^{a+b-1}\,t^{a-1}(1-t)^{b-1}\,dt$, so $\int_0^s x^{a-1}(s-x)^{b-1}dx = s^{a+b-1}B(a, b)$ and the "
    r"integral for $K + 1$ categories is $B(\alpha_K, \alpha_{K+1})$ times the one for $K$ with "
    r"$\alpha_K + \alpha_{K+1}$ in the last place",
)
STEP = Statement(
    "Dirichlet step",
    Eq(MERGED * SPLIT, dirichlet.normaliser(_alpha, k, K + 1), evaluate=False),
    text=r"the induction step on $K$: the product of $B(\alpha_1, \dots, \alpha_{K-1}, \alpha_K + \alpha_{K+1})$ "
    r"and $B(\alpha_K, \alpha_{K+1})$ is $\prod_{k=1}^{K+1}\Gamma(\alpha_k)/\Gamma(\sum_{k=1}^{K+1}\alpha_k)$, "
    r"so $\int_\Delta\prod_k\theta_k^{\alpha_k-1}d\theta = B(\alpha)$ for every $K$",
)

# -- the homework question, and where the identity comes from --------------------------------------
QUESTION = Question(
    target=POST[0] / sum(POST),
    prompt=r"With a $\mathrm{Dir}(\alpha_1, \alpha_2, \alpha_3)$ prior and observed counts $n_1, n_2, n_3$, what "
    r"is "
    r"the posterior predictive probability that the next draw is category 1?",
    approximations={
        "the prior is missing: this is the maximum-likelihood frequency": counts[0] / N_ALL,
        r"this is the posterior mode, $(\alpha_1 + n_1 - 1)/(\sum\alpha + N - K)$, not the mean": (POST[0] - 1)
        / (sum(POST) - 3),
    },
)
REFS = (
    Ref.cite("blei2003", where="Sec. 5"),
    Ref.cite("murphy2012", where="Sec. 3.4"),
)


# -- how it is derived -----------------------------------------------------------------------------
def _dirichlet_integral(d: Derivation) -> None:
    r"""The Dirichlet integral $\int_\Delta\prod_k\theta_k^{\alpha_k-1}d\theta = B(\alpha)$ by induction on $K$."""
    d.begin(BETA_INTEGRAL, title="The Dirichlet integral: base case $K = 2$")
    d.then(dirichlet.beta_integral, r"the Mellin transform of $(1-t)^{b-1}[t < 1]$ at $a$, computed")
    d.conclude("Beta integral")

    d.begin(
        MERGE_SUBSTITUTED,
        r"$\theta_K = x$, $\theta_{K+1} = s - x$ at a fixed partial sum $s$: substitute $x = st$ in the inner integral",
    )
    d.assume(FUBINI, lambda e: e.doit(), r"the substitution and $dx/dt = s$, computed")
    d.then(
        lambda e: sp.powsimp(sp.expand_power_base(sp.factor_terms(e), force=True)),
        r"$(st)^{a-1}(s - st)^{b-1}s = s^{a+b-1}t^{a-1}(1-t)^{b-1}$ ($s, t > 0$), computed",
    )
    d.conclude("merge")

    d.begin(
        MERGED * SPLIT,
        r"$B$ for $K$ categories at $(\dots, \alpha_K + \alpha_{K+1})$ times $B(\alpha_K, \alpha_{K+1})$",
        title="The Dirichlet integral: induction step",
    )
    d.then(
        dirichlet.normaliser(_alpha, k, K + 1),
        r"$\Gamma(\alpha_K + \alpha_{K+1})$ cancelled (computed); the factors $k = K, K + 1$ join the product and the "
        r"sum",
    )
    d.note(
        r"By induction on $K$: the base case is the Beta integral; for $K + 1$ categories integrate "
        r"$\theta_K, \theta_{K+1}$ out at fixed $s = \theta_K + \theta_{K+1}$ (merge), which leaves the integral "
        r"for $K$ categories with exponent $\alpha_K + \alpha_{K+1} - 1$ on $s$, times $B(\alpha_K, \alpha_{K+1})$."
    )
    d.conclude("Dirichlet step")


def derivation(d: Derivation) -> None:
    r"""With a $\mathrm{Dir}(\alpha)$ prior on category probabilities and counts $n_k$, the posterior is
    $\mathrm{Dir}(\alpha + n)$: the prior acts as $\alpha_k$ pseudo-counts. This conjugacy is what makes
    LDA's collapsed Gibbs sampler and add-$\alpha$ smoothing of language models closed-form."""
    _dirichlet_integral(d)

    d.begin(statement_lhs(d, "posterior"), title="The posterior, any $K$")
    d.then(dirichlet.combine_products, r"the products over $k$ joined: exponents add (computed)")
    d.then(
        _POSTERIOR_RHS,
        r"$\prod_k\theta_k^{\alpha_k + n_k - 1}$ is $B(\alpha + n)$ times the density of $\mathrm{Dir}(\alpha + n)$",
    )
    d.conclude("posterior")

    d.begin(PRED, title="The posterior predictive, any $K$")
    d.then(
        SHIFTED / dirichlet.normaliser(_posterior, k, K),
        r"$\mathbb E[\theta_j] = \int\theta_j\,\mathrm{Dir}(\theta;\beta)d\theta = B(\beta + e_j)/B(\beta)$, "
        r"$\beta = \alpha + n$: $\theta_j$ times the kernel of $\mathrm{Dir}(\beta)$ is the kernel of "
        r"$\mathrm{Dir}(\beta + e_j)$, $(e_j)_k = \delta_{jk}$, and the Dirichlet integral above",
    )
    d.then(dirichlet.combine_products, r"one product of ratios $\Gamma(\beta_k + \delta_{jk})/\Gamma(\beta_k)$")
    d.then(dirichlet.delta_power, r"$\delta_{jk} \in \{0, 1\}$: each ratio is $\beta_k^{\delta_{jk}}$")
    d.then(
        dirichlet.collapse_delta_product,
        r"$\prod_k\beta_k^{\delta_{jk}} = \exp\sum_k\delta_{jk}\log\beta_k = \beta_j$, $\sum_k\delta_{jk} = 1$",
    )
    d.then(sp.gammasimp, r"$\Gamma(b)/\Gamma(b + 1) = 1/b$")
    d.conclude("predictive")

    example = f"for the prior Beta({BETA_A}, {BETA_B}) and counts ({BETA_N1}, {BETA_N2})"
    d.begin(
        Integral(theta * _beta_density(theta, BETA_A + BETA_N1, BETA_B + BETA_N2), (theta, 0, 1)),
        scope=example,
        title="Worked example: the Beta case by integration",
    )
    d.then(lambda e: e.doit(), "integrate the polynomial")
    d.then(sp.Rational(BETA_A + BETA_N1, BETA_A + BETA_B + BETA_N1 + BETA_N2), "the predictive")
    d.finish()


_POSTERIOR_RHS = sp.Mul(MARGINAL_FORM, _kernel(_posterior), 1 / dirichlet.normaliser(_posterior, k, K), evaluate=False)


# -- how it is checked -----------------------------------------------------------------------------
def _dirichlet_mc(ctx: CheckContext, size: int) -> list[CrossCheckResult]:
    """At ``size`` categories: numpy's Dirichlet sampler's posterior means of theta_1 and theta_K against the derived
    predictive, and the Monte Carlo mean of prod theta_k^n_k under Dir(alpha) against B(alpha + n)/B(alpha)
    (the derived products written out at that size), 5 standard errors each."""
    al, c = ctx.rng.uniform(0.5, 4.0, size), ctx.rng.integers(0, 4, size).astype(float)
    entries = {alphaI: al, countI: c}
    draws = ctx.rng.dirichlet(al + c, size=100_000)
    out = []
    assert ctx.result is not None  # the derived predictive
    for cat in sorted({1, size}):
        want = float(discrete.at_size(ctx.result.subs(j, cat), K, entries))
        out.append(agrees(ctx, f"E[theta_{cat} | n], K = {size}", estimate(draws[:, cat - 1]), want))
    prior = ctx.rng.dirichlet(al, size=200_000)
    marginal = float(discrete.at_size(MARGINAL_FORM, K, entries))
    out.append(agrees(ctx, f"p(n | alpha), K = {size}", estimate(np.prod(prior**c, axis=1)), marginal))
    return out


def crosscheck(ctx: CheckContext) -> CrossCheckResult:
    """numpy's Dirichlet sampler at K = 2, 3, 7, 15 categories (random alpha and counts): posterior means
    against the derived predictive, and the prior mean of the likelihood against B(alpha + n)/B(alpha)."""
    return combine(*(r for size in (2, 3, 7, 15) for r in _dirichlet_mc(ctx, size)))


# -- the declaration -------------------------------------------------------------------------------
DIRICHLET_CATEGORICAL = declare(
    "dirichlet-categorical",
    aliases=("dirichlet-conjugate", "dirichlet-multinomial", "beta-bernoulli"),
    title="The Dirichlet prior is conjugate to the categorical",
    section="3.2",
    map_row=r"Dirichlet: conjugate to Categorical (topic models, LDA)",
    variables={
        **{v: CONCENTRATION for v in alphas},
        **{c: COUNT for c in counts},
        K: SIZE,
        k: integer(1, K),
        j: integer(1, K),
        alphaI: CONCENTRATION,
        countI: COUNT,
        thetaI: PROBABILITY,
        a: SHAPE,
        b: SHAPE,
        s_part: PROBABILITY,
        t: PROBABILITY,
        x: PROBABILITY,
    },
    definitions={PRED: SHIFTED / dirichlet.normaliser(_posterior, k, K)},
    claim=CLAIM,
    also=(POSTERIOR, BETA, MERGE, STEP),
    derivation=derivation,
    crosscheck=crosscheck,
    question=QUESTION,
    refs=REFS,
)
