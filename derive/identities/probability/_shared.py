r"""Symbols and helpers shared by several pages of the probability chapter.

- a Gaussian's variable $x$ and standard deviation $s$ (gaussian-normalizer, he-xavier-init), and the
  mean $\mu$ and standard deviation $s$ of a VAE encoder (kl-gaussian-standard, reparameterization);
- the noise scale $\sigma$ of the regression pages (mle-cross-entropy, map-ridge, map-lasso), and the
  weight $w$ and data sums $S_{xx}, S_{xy}, S_{yy}$ of the 1-D regression $y_i = w x_i + \varepsilon_i$
  (map-ridge, map-lasso); the noise and prior scales $\sigma$, $\tau$ of the Bayes pages
  (bayes-gaussian-conjugate, laplace-evidence), which sample them over their own range;
- the discrete latent variable model of the ELBO (this chapter) and of bits-back coding (information
  chapter): a latent $z \in \{1, \dots, K\}$ with symbolic tables (:mod:`derive.maths.discrete`), prior
  $\pi(k) = c_k/\sum_j c_j$, variational $q(k) = a_k/\sum_j a_j$ and likelihood
  $\ell(k) = p(x \mid z = k) = l_k$ at the observed $x$; the evidence $p(x) = \sum_k \pi(k)\,\ell(k)$ is a
  defined function head. Every statement about it is proved symbolically for every $K$ (sums over
  $k = 1..K$; the ladder also samples $K$); the cross-checks fix $K$.

One symbol has one name here; where two families of pages sample it over different ranges, each range
is a domain of its own.
"""

from __future__ import annotations

import sympy as sp
from sympy import Function, IndexedBase, log

from derive.authoring import discrete as dm
from derive.authoring import integer, positive, probability, real
from derive.maths.discrete import Table

# -- a Gaussian's variable, mean and standard deviation --------------------------------------------
LINE = real()
MEAN = real(-3, 3)
SD = positive(5, lo=0.05)  # gaussian-normalizer, he-xavier-init
ENCODER_SD = positive(4, lo=0.05)  # kl-gaussian-standard, reparameterization
x = LINE.symbol("x")  # also the observed point of the latent variable model below
mu = MEAN.symbol("mu")
s = SD.symbol("s")

# -- noise and prior scales ------------------------------------------------------------------------
NOISE = positive(5, lo=0.2)  # the regression pages: beyond these the densities underflow in float64
SCALE = positive(5, lo=0.1)  # the Bayes pages
sigma = NOISE.symbol("sigma")  # noise standard deviation (not the sigmoid in this chapter)
tau = SCALE.symbol("tau")  # prior standard deviation

# -- the 1-D regression y_i = w x_i + eps_i through its sums ---------------------------------------
WEIGHT = real(-2, 2)
SQUARES = positive(20)
CROSS = real(-20, 20)
w = WEIGHT.symbol("w")
Sxx, Syy = SQUARES.symbol("Sxx"), SQUARES.symbol("Syy")
Sxy = CROSS.symbol("Sxy")

# -- the discrete latent variable model of the ELBO and of bits-back coding ------------------------
LATENTS = integer(2, 8)  # the number of latent values: every statement holds for all K
WEIGHTS = positive(10)
LIKELIHOODS = probability()
KZ = LATENTS.symbol("K")
J = sp.Symbol("j", integer=True, positive=True)
aw, cw, lw = IndexedBase("a", positive=True), IndexedBase("c", positive=True), IndexedBase("l", positive=True)
qz = Table(Function("q"), aw, KZ)  # variational q(z = k | x)
prior = Table(Function("pi"), cw, KZ)  # prior p(z = k)
lik = Table(Function("ell"), lw, KZ, normalised=False)  # likelihood p(x | z = k) at the observed x
EVIDENCE = Function("p")(x)  # the evidence p(x) at the observed x (only a name: the tables are at this x)
EVIDENCE_SUM = dm.over(lambda j: prior(j) * lik(j), KZ, index=J)
VARIABLES = {KZ: LATENTS, aw: WEIGHTS, cw: WEIGHTS, lw: LIKELIHOODS, x: LINE}
DEFINITIONS = {EVIDENCE: EVIDENCE_SUM, **dm.definitions(qz, prior, lik)}  # p(x) first: its body uses the tables


def joint(k: int) -> sp.Expr:
    """p(x, z = k) = p(z = k) p(x | z = k)."""
    return prior(k) * lik(k)


def posterior(k: int) -> sp.Expr:
    """p(z = k | x) by Bayes' rule."""
    return joint(k) / EVIDENCE


ELBO = dm.expectation(qz, lambda k: log(lik(k)), KZ) - dm.kl(qz, prior, KZ)  # E_q[log p(x|z)] - KL(q || p(z))
GAP = dm.kl(qz, posterior, KZ)  # KL(q(z|x) || p(z|x))
