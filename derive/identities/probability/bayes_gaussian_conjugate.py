r"""Bayes with a Gaussian prior and Gaussian data.

A Gaussian prior $\mu\sim\mathcal N(\mu_0, \tau^2)$ on a mean and $n$ Gaussian observations give a Gaussian
posterior: precisions add, $1/\tau_n^2 = 1/\tau^2 + n/\sigma^2$, and the posterior mean is
precision-weighted. The negative log posterior is the squared-error loss plus an L2 regulariser centred at
the prior mean (map 3.3, Bayes' theorem in ML: likelihood $=$ loss, prior $=$ regularisation). Bishop
(2006), Pattern Recognition and Machine Learning, Sec. 2.3.6.
"""

from __future__ import annotations

import numpy as np
import sympy as sp
from sympy import Derivative, Eq, Subs, Sum, log, pi

from derive.authoring import (
    CheckContext,
    CrossCheckResult,
    Derivation,
    Question,
    Ref,
    Statement,
    declare,
    integer,
    named_function,
    positive,
    real,
    vector,
)
from derive.maths.gaussian import log_normal_pdf, normal_pdf

from ._shared import SCALE, sigma, tau

# -- symbols ---------------------------------------------------------------------------------------
# sigma and tau are the chapter's (_shared), sampled over SCALE as on the laplace-evidence page
MEANS = real(-5, 5)
COUNT = integer(1, 50)
TOTAL = real(-100, 100)
SUM_OF_SQUARES = positive(500)
mu = MEANS.symbol("mu")
mu0 = MEANS.symbol("mu0")
n = COUNT.symbol("n")
Sx = TOTAL.symbol("Sx")  # sum of the observations
Sxx = SUM_OF_SQUARES.symbol("Sxx")  # sum of their squares
mu_hat = sp.Symbol("mu_n", real=True)  # the unknown of the stationarity equation
i_obs = sp.Symbol("i", integer=True)
xb = sp.IndexedBase("x", real=True)  # the observations x_1..x_n
OBS = (i_obs, 1, n)
NEG_LOG_JOINT_MU = -(Sum(log(normal_pdf(xb[i_obs], mu, sigma)), OBS) + log(normal_pdf(mu, mu0, tau)))
SSE_MU = Sum((xb[i_obs] - mu) ** 2, OBS)
NLJ_NAME = named_function("NegLogJointMu", r"-\log p(x\mid\mu) - \log p(\mu)", show_args=False)(mu)
SSE_NAME = named_function("SquaredErrorMu", r"\textstyle\sum_{i=1}^{n}(x_i - \mu)^2", show_args=False)(mu)

# -log p(x | mu) - log p(mu) up to constants, with sum_i (x_i - mu)^2 = Sxx - 2 mu Sx + n mu^2
LOSS = (Sxx - 2 * mu * Sx + n * mu**2) / (2 * sigma**2)
REGULARISER = (mu - mu0) ** 2 / (2 * tau**2)
PRECISION = 1 / tau**2 + n / sigma**2
TAU_N2 = 1 / PRECISION
MU_N = TAU_N2 * (mu0 / tau**2 + Sx / sigma**2)
NEG_LOG_POST = named_function("NegLogPosteriorMu", r"-\log p(\mu\mid x) + c", show_args=False)(mu)

# -- what is claimed -------------------------------------------------------------------------------
CLAIM = Statement(
    "complete the square",
    Eq(NEG_LOG_POST - NEG_LOG_POST.subs(mu, MU_N), (mu - MU_N) ** 2 * PRECISION / 2),
    text=r"the negative log posterior (squared-error loss plus L2 regulariser) is a quadratic in $\mu$: "
    r"$\frac{(\mu - \mu_n)^2}{2\tau_n^2}$ plus a constant, so the posterior is $\mathcal N(\mu_n, \tau_n^2)$",
)
LOSS_PLUS_REGULARISER = Statement(
    "loss + regulariser",
    Eq(
        NLJ_NAME,
        SSE_NAME / (2 * sigma**2)
        + (mu - mu0) ** 2 / (2 * tau**2)
        + n * log(2 * pi * sigma**2) / 2
        + log(2 * pi * tau**2) / 2,
    ),
    text=r"the negative log posterior is the squared-error loss plus an L2 regulariser centred at $\mu_0$, "
    r"up to constants (and $-\log p(x)$, free of $\mu$)",
)
POSTERIOR_PRECISION = Statement(
    "precision",
    Eq(Derivative(NEG_LOG_POST, (mu, 2)), 1 / tau**2 + n / sigma**2),
    text=r"precisions add: $1/\tau_n^2 = 1/\tau^2 + n/\sigma^2$",
)
POSTERIOR_MEAN = Statement(
    "mean",
    Eq(mu_hat, TAU_N2 * (mu0 / tau**2 + Sx / sigma**2)),
    text=r"$\mu_n = \tau_n^2(\mu_0/\tau^2 + \sum_i x_i/\sigma^2)$, the stationary point",
)

# -- the homework question, and where the identity comes from --------------------------------------
QUESTION = Question(
    target=1 / (1 / tau**2 + n / sigma**2),
    prompt=r"Prior $\mu\sim\mathcal N(\mu_0, \tau^2)$, observations $x_1, \dots, x_n \sim \mathcal N(\mu, "
    r"\sigma^2)$ "
    r"i.i.d. What is the posterior variance $\tau_n^2$ of $\mu$?",
    approximations={
        r"the factor $n$ is missing: each of the $n$ observations adds precision $1/\sigma^2$": 1
        / (1 / tau**2 + 1 / sigma**2),
        "variances do not add; precisions do": tau**2 + sigma**2 / n,
    },
)
REFS = (
    Ref.cite("bishop2006", where="Sec. 2.3.6, eqs. (2.141)-(2.142)"),
    Ref.cite("murphy2012", where="Sec. 4.6.1"),
)


# -- how it is derived -----------------------------------------------------------------------------
def derivation(d: Derivation) -> None:
    r"""The simplest Bayesian update, and the template for all of them: with a prior
    $\mu\sim\mathcal N(\mu_0, \tau^2)$ and $n$ observations $x_i\sim\mathcal N(\mu, \sigma^2)$, the negative
    log posterior is the squared-error loss $\sum_i(x_i-\mu)^2/2\sigma^2$ plus the regulariser
    $(\mu-\mu_0)^2/2\tau^2$, a quadratic in $\mu$; completing the square shows the posterior is Gaussian
    with precision $1/\tau^2 + n/\sigma^2$ and a precision-weighted mean."""
    d.begin(NLJ_NAME)
    d.then(NEG_LOG_JOINT_MU, r"the Gaussian likelihood of $n$ independent observations and the Gaussian prior")
    d.then(
        -(Sum(log_normal_pdf(xb[i_obs], mu, sigma), OBS) + log_normal_pdf(mu, mu0, tau)),
        r"$\log\mathcal N(v; m, s^2) = -\frac{(v-m)^2}{2s^2} - \frac12\log(2\pi s^2)$",
    )
    d.then(
        SSE_MU / (2 * sigma**2)
        + (mu - mu0) ** 2 / (2 * tau**2)
        + n * log(2 * pi * sigma**2) / 2
        + log(2 * pi * tau**2) / 2,
        "loss, regulariser and constants",
    )
    d.conclude("loss + regulariser")

    d.begin(SSE_MU, title="The loss through the sums")
    d.then(Sum(xb[i_obs] ** 2, OBS) - 2 * mu * Sum(xb[i_obs], OBS) + n * mu**2, "expand the square")
    d.note(r"that is, $S_{xx} - 2\mu S_x + n\mu^2$ with $S_x = \sum_i x_i$, $S_{xx} = \sum_i x_i^2$")
    d.finish()

    d.begin(
        NEG_LOG_POST - NEG_LOG_POST.subs(mu, MU_N),
        r"$-\log p(\mu\mid x) = \frac{\sum_i (x_i-\mu)^2}{2\sigma^2} + \frac{(\mu-\mu_0)^2}{2\tau^2} + c$, "
        r"with $\sum_i(x_i - \mu)^2 = S_{xx} - 2\mu S_x + n\mu^2$",
    )
    d.then(lambda e: d.unfold(e), "the loss and the regulariser")
    d.then(
        lambda e: sp.factor(sp.cancel(e)), r"collect over a common denominator and factor: a perfect square in $\mu$"
    )
    d.then((mu - MU_N) ** 2 * PRECISION / 2, r"$= (\mu - \mu_n)^2/(2\tau_n^2)$")
    d.conclude("complete the square")

    d.begin(Derivative(NEG_LOG_POST, (mu, 2)))
    d.then(Derivative(LOSS + REGULARISER, (mu, 2)), "the loss and the regulariser")
    d.then(lambda e: sp.expand(e.doit()), "differentiate twice")
    d.conclude("precision")

    d.begin(
        Eq(Subs(Derivative(LOSS, mu), mu, mu_hat) + Subs(Derivative(REGULARISER, mu), mu, mu_hat), 0),
        r"the posterior mode (= mean, for a Gaussian): the gradient of loss plus regulariser vanishes",
    )
    d.then(lambda e: e.doit(), "differentiate")
    d.solve(mu_hat, "solve")
    d.then(
        Eq(mu_hat, TAU_N2 * (mu0 / tau**2 + Sx / sigma**2)),
        r"precision-weighted: $\tau_n^2(\mu_0/\tau^2 + S_x/\sigma^2)$",
    )
    d.conclude("mean")


# -- how it is checked -----------------------------------------------------------------------------
def crosscheck(ctx: CheckContext) -> CrossCheckResult:
    """Random data: the posterior density on a fine grid (prior times likelihood from the densities,
    normalised numerically by the trapezoid rule); its mean and variance against mu_n and tau_n^2."""
    got, expected = [], []
    for _ in range(8):
        k = int(ctx.rng.integers(1, 30))
        s, t, m0 = ctx.rng.uniform(0.3, 3.0), ctx.rng.uniform(0.3, 3.0), ctx.rng.uniform(-2, 2)
        data = ctx.rng.normal(ctx.rng.uniform(-2, 2), s, size=k)
        prec = 1 / t**2 + k / s**2
        centre, width = (m0 / t**2 + data.sum() / s**2) / prec, 1 / np.sqrt(prec)
        grid = np.linspace(centre - 12 * width, centre + 12 * width, 200_001)
        log_post = -((grid - m0) ** 2) / (2 * t**2) - np.sum((data[:, None] - grid) ** 2, axis=0) / (2 * s**2)
        dens = np.exp(log_post - log_post.max())
        z = np.trapezoid(dens, grid)
        mean = np.trapezoid(grid * dens, grid) / z
        var = np.trapezoid((grid - mean) ** 2 * dens, grid) / z
        closed_mean = float(MU_N.subs({mu0: m0, tau: t, sigma: s, Sx: data.sum(), n: k}))
        closed_var = float(TAU_N2.subs({tau: t, sigma: s, n: k}))
        got += [mean, var]
        expected += [closed_mean, closed_var]
    return ctx.compare(
        "posterior mean and variance on a grid",
        "numerical normalisation (trapezoid, 200 001 points)",
        np.array(got),
        np.array(expected),
        rtol=1e-7,
    )


# -- the declaration -------------------------------------------------------------------------------
BAYES_GAUSSIAN_CONJUGATE = declare(
    "bayes-gaussian-conjugate",
    aliases=("gaussian-conjugate", "normal-normal", "posterior-gaussian-mean"),
    title="Bayes with a Gaussian prior and Gaussian data",
    section="3.3",
    map_row=r"$p(\theta\mid D) = p(D\mid\theta)p(\theta)/p(D)$; likelihood $=$ loss, prior $=$ regularisation",
    variables={
        mu: MEANS,
        mu0: MEANS,
        sigma: SCALE,
        tau: SCALE,
        n: COUNT,
        Sx: TOTAL,
        Sxx: SUM_OF_SQUARES,
        mu_hat: vector(1),
        xb: MEANS,
    },
    definitions={NEG_LOG_POST: LOSS + REGULARISER, NLJ_NAME: NEG_LOG_JOINT_MU, SSE_NAME: SSE_MU},
    claim=CLAIM,
    also=(LOSS_PLUS_REGULARISER, POSTERIOR_PRECISION, POSTERIOR_MEAN),
    derivation=derivation,
    crosscheck=crosscheck,
    question=QUESTION,
    refs=REFS,
)
