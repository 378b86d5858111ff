r"""The Dirichlet prior is conjugate to the categorical.

With a $\mathrm{Dir}(\alpha)$ prior on category probabilities and observed counts $n_k$ the posterior is
$\mathrm{Dir}(\alpha + n)$, the posterior predictive $(\alpha_k + n_k)/(\sum_j\alpha_j + N)$ and the marginal
likelihood $B(\alpha + n)/B(\alpha)$: the prior acts as pseudo-counts, which makes LDA's collapsed Gibbs
sampler and add-$\alpha$ smoothing closed-form (map 3.2, Dirichlet: conjugate to Categorical). Blei, Ng and
Jordan (2003), Latent Dirichlet Allocation, JMLR 3, Sec. 5.
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
    named_function,
    numerically,
    positive,
    probability,
)
from derive.numeric.montecarlo import agrees, estimate

# -- symbols ---------------------------------------------------------------------------------------
CONCENTRATION = positive(5, lo=0.1)
COUNT = positive(20)
PROBABILITY = probability()
alphas = tuple(CONCENTRATION.symbol(f"alpha{k}") for k in (1, 2, 3))
counts = tuple(COUNT.symbol(f"n{k}") for k in (1, 2, 3))
thetas = tuple(PROBABILITY.symbol(f"theta{k}") for k in (1, 2, 3))
theta = PROBABILITY.symbol("theta")
N_ALL = sum(counts)


def multivariate_beta(v: tuple[sp.Expr, ...]) -> sp.Expr:
    r""":math:`B(v) = \prod_k \Gamma(v_k) / \Gamma(\sum_k v_k)`, the normaliser of :math:`\mathrm{Dir}(v)`."""
    return sp.Mul(*(sp.gamma(a) for a in v)) / sp.gamma(sum(v))


POST = tuple(a + c for a, c in zip(alphas, counts, strict=True))
PRED = named_function("PosteriorPredictive", r"p(y = 1\mid n)", show_args=False)(*alphas, *counts)
# the worked Beta case (K = 2) with numbers: prior Beta(2, 3), counts (4, 1)
BETA_A, BETA_B, BETA_N1, BETA_N2 = 2, 3, 4, 1


def _beta_density(t: sp.Expr, a: int, b: int) -> sp.Expr:
    return t ** (a - 1) * (1 - t) ** (b - 1) / multivariate_beta((sp.Integer(a), sp.Integer(b)))


# -- what is claimed -------------------------------------------------------------------------------
CLAIM = Statement(
    "predictive",
    Eq(PRED, POST[0] / sum(POST)),
    text=r"the posterior predictive $p(y = k\mid n) = \mathbb E[\theta_k\mid n] = (\alpha_k + "
    r"n_k)/(\sum_j\alpha_j + N)$ "
    r"($K = 3$, shown for $k = 1$)",
)
POSTERIOR = Statement(
    "posterior",
    Eq(
        sp.Mul(*(t ** (a - 1) for t, a in zip(thetas, alphas, strict=True)))
        * sp.Mul(*(t**c for t, c in zip(thetas, counts, strict=True))),
        sp.Mul(*(t ** (a + c - 1) for t, a, c in zip(thetas, alphas, counts, strict=True))),
    ),
    text=r"prior kernel times likelihood is the kernel of $\mathrm{Dir}(\alpha + n)$: the posterior",
)
BETA_PREDICTIVE = Statement(
    "Beta predictive",
    Eq(
        Integral(theta * _beta_density(theta, BETA_A + BETA_N1, BETA_B + BETA_N2), (theta, 0, 1)),
        sp.Rational(BETA_A + BETA_N1, BETA_A + BETA_B + BETA_N1 + BETA_N2),
        evaluate=False,  # SymPy would integrate numerically at import to decide it
    ),
    text=r"the Beta case ($K = 2$) by integration, for the prior $\mathrm{Beta}(2, 3)$ and counts $(4, 1)$",
)
BETA_MARGINAL = Statement(
    "Beta marginal",
    Eq(
        Integral(theta**BETA_N1 * (1 - theta) ** BETA_N2 * _beta_density(theta, BETA_A, BETA_B), (theta, 0, 1)),
        multivariate_beta((sp.Integer(BETA_A + BETA_N1), sp.Integer(BETA_B + BETA_N2)))
        / multivariate_beta((sp.Integer(BETA_A), sp.Integer(BETA_B))),
        evaluate=False,
    ),
    text=r"and the marginal likelihood $B(\alpha + n)/B(\alpha)$ in the same example",
)
# the numerical part, MARGINAL, is stated with its check below

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
def derivation(d: Derivation) -> None:
    r"""With a $\mathrm{Dir}(\alpha)$ prior on category probabilities and counts $n_k$, the posterior is
    $\mathrm{Dir}(\alpha + n)$: the prior acts as $\alpha_k$ pseudo-counts. This conjugacy is what makes
    LDA's collapsed Gibbs sampler and add-$\alpha$ smoothing of language models closed-form."""
    d.begin(
        sp.Mul(*(t ** (a - 1) for t, a in zip(thetas, alphas, strict=True)))
        * sp.Mul(*(t**c for t, c in zip(thetas, counts, strict=True))),
        r"$\mathrm{Dir}(\theta;\alpha) \propto \prod_k\theta_k^{\alpha_k-1}$ times the likelihood "
        r"$\prod_k\theta_k^{n_k}$",
        scope="for K = 3",
    )
    d.then(lambda e: sp.powsimp(e), "add the exponents")
    d.conclude("posterior")

    d.begin(PRED, scope="for K = 3")
    d.then(
        multivariate_beta((POST[0] + 1, *POST[1:])) / multivariate_beta(POST),
        r"$\int\theta_1\prod_k\theta_k^{\beta_k-1}d\theta = B(\beta + e_1)$ (the kernel of $\mathrm{Dir}(\beta + "
        r"e_1)$), "
        r"$\beta = \alpha + n$",
    )
    d.then(lambda e: sp.gammasimp(e), r"$\Gamma(b + 1) = b\,\Gamma(b)$")
    d.conclude("predictive")

    example = f"for the prior Beta({BETA_A}, {BETA_B}) and counts ({BETA_N1}, {BETA_N2})"
    d.begin(Integral(theta * _beta_density(theta, BETA_A + BETA_N1, BETA_B + BETA_N2), (theta, 0, 1)), scope=example)
    d.then(lambda e: e.doit(), "integrate the polynomial")
    d.conclude("Beta predictive")

    d.begin(
        Integral(theta**BETA_N1 * (1 - theta) ** BETA_N2 * _beta_density(theta, BETA_A, BETA_B), (theta, 0, 1)),
        scope=example,
    )
    d.then(lambda e: e.doit(), "integrate the polynomial")
    d.conclude("Beta marginal")


# -- how it is checked -----------------------------------------------------------------------------
def crosscheck(ctx: CheckContext) -> CrossCheckResult:
    """numpy's Dirichlet sampler: the posterior mean of theta_1 under Dir(alpha + n) against the
    derived predictive, for random alpha and counts (5 standard errors)."""
    predictive = ctx.numpy(ctx.result, [*alphas, *counts])
    results = []
    for _ in range(6):
        a, c = ctx.rng.uniform(0.3, 4.0, 3), ctx.rng.integers(0, 15, 3).astype(float)
        draws = ctx.rng.dirichlet(a + c, size=200_000)
        results.append(agrees(ctx, "E[theta_1 | n]", estimate(draws[:, 0]), predictive(*a, *c)))
    return combine(*results)


def _marginal_mc(ctx: CheckContext) -> CrossCheckResult:
    r"""Monte Carlo of the marginal likelihood:
    :math:`\mathbb E_{\theta\sim\mathrm{Dir}(\alpha)}[\prod_k\theta_k^{n_k}]` from numpy's sampler
    against :math:`B(\alpha + n)/B(\alpha)` (log-gamma), 5 standard errors."""
    from scipy.special import gammaln

    def log_b(v: np.ndarray) -> float:
        return float(np.sum(gammaln(v)) - gammaln(np.sum(v)))

    results = []
    for _ in range(6):
        a, c = ctx.rng.uniform(0.5, 4.0, 3), ctx.rng.integers(0, 5, 3).astype(float)
        draws = ctx.rng.dirichlet(a, size=400_000)
        values = np.prod(draws**c, axis=1)
        results.append(agrees(ctx, "p(n | alpha)", estimate(values), np.exp(log_b(a + c) - log_b(a))))
    return combine(*results)


MARGINAL = numerically(
    "marginal",
    r"$p(n\mid\alpha) = \int\prod_k\theta_k^{n_k}\,\mathrm{Dir}(\theta;\alpha)\,d\theta = B(\alpha + "
    r"n)/B(\alpha)$ "
    r"for $K = 3$",
    _marginal_mc,
)


# -- the declaration -------------------------------------------------------------------------------
DIRICHLET_CATEGORICAL = declare(
    "dirichlet-categorical",
    aliases=("dirichlet-conjugate", "dirichlet-multinomial", "beta-bernoulli"),
    title="The Dirichlet prior is conjugate to the categorical",
    section="3.2",
    map_row=r"Dirichlet: conjugate to Categorical (topic models, LDA)",
    variables={
        **{a: CONCENTRATION for a in alphas},
        **{c: COUNT for c in counts},
        **{t: PROBABILITY for t in thetas},
    },
    definitions={PRED: multivariate_beta((POST[0] + 1, *POST[1:])) / multivariate_beta(POST)},
    claim=CLAIM,
    also=(POSTERIOR, BETA_PREDICTIVE, BETA_MARGINAL, MARGINAL),
    derivation=derivation,
    crosscheck=crosscheck,
    question=QUESTION,
    refs=REFS,
)
