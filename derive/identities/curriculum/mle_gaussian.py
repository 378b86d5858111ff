r"""Gaussian maximum likelihood and Bessel's correction.

Fitting a Gaussian by maximum likelihood gives the sample mean and the mean squared deviation with
divisor $n$, derived for a symbolic sample size ($n$ data $x_i$ as an ``IndexedBase``, sums as ``Sum``);
the variance estimate is biased low by $(n-1)/n$, for symbolic $n$: the sum of squared deviations written
as $\sum_i x_i^2 - \frac1n\sum_{i,j} x_i x_j$, its expectation by linearity from the moments
$\mathbb E[x_i x_j] = \mu^2 + \sigma^2\delta_{ij}$ of independent normals, the double sum collapsed by
SymPy; the same expectation is computed by ``sympy.stats`` at $n = 2, 3$ and checked by Monte Carlo at
$n = 5$. The map's
curriculum chapter 07, statistics: MLE, MAP (map 6). Bishop (2006), Pattern Recognition and Machine
Learning, Sec. 1.2.4.
"""

from __future__ import annotations

import numpy as np
import sympy as sp
from sympy import Derivative, Eq, IndexedBase, Sum, log, pi
from sympy.stats import Expectation, Normal

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
    real,
)
from derive.maths.moments import normal_expectation
from derive.numeric.montecarlo import agrees, estimate

# -- symbols ---------------------------------------------------------------------------------------
DATA = real(-5, 5)
SIZE = integer(2, 6)
VARIANCE = positive(25)
SCALE = positive(3)
xs = IndexedBase("x", real=True)
n = SIZE.symbol("n")
i = sp.Symbol("i", integer=True)
j = sp.Symbol("j", integer=True)
mu = DATA.symbol("mu")
s2 = VARIANCE.symbol("s2")
sigma = SCALE.symbol("sigma")
MEAN = Sum(xs[i], (i, 1, n)) / n
SQUARES = Sum((xs[i] - mu) ** 2, (i, 1, n))
#: the log-likelihood sum_i log N(x_i; mu, s2), its constant term already summed
LOGLIK = -n * log(2 * pi * s2) / 2 - SQUARES / (2 * s2)
BIAS_SIZES = (2, 3)
DEVIATIONS = Sum((xs[i] - Sum(xs[j], (j, 1, n)) / n) ** 2, (i, 1, n))  # sum_i (x_i - xbar)^2
CROSS_FORM = Sum(xs[i] ** 2, (i, 1, n)) - Sum(xs[i], (i, 1, n)) ** 2 / n
#: E[s2_hat] by linearity, in the centred z_i = x_i - mu (the sum of squares is the same for z):
#: E[z_i^2] = sigma^2, and E[(sum_i z_i)^2] = sum_i E[z_i^2] (E[z_i z_j] = 0 for i != j: independence)
BY_MOMENTS = (Sum(sigma**2, (i, 1, n)) - Sum(sigma**2, (i, 1, n)) / n) / n
EXPECTED_ANY_N = notation(r"\mathbb E\big[\hat s^2\big]", BY_MOMENTS, "E[s2_hat]")


def _variance_mle(size: int) -> sp.Expr:
    r"""$\frac1n\sum_i (x_i - \bar x)^2$ for ``size`` independent $\mathcal N(\mu, \sigma^2)$ variables, expanded."""
    draws = [Normal(f"x{k}", mu, sigma) for k in range(1, size + 1)]
    mean = sp.Add(*draws) / size
    return sp.expand(sp.Add(*((d - mean) ** 2 for d in draws)) / size)


def _expected_variance(size: int) -> sp.Basic:
    return notation(
        rf"\mathbb E\big[\hat s^2\big]_{{n = {size}}}", Expectation(_variance_mle(size)), f"E[s2_hat] (n = {size})"
    )


# -- what is claimed -------------------------------------------------------------------------------
CLAIM = Statement(
    "mu_hat",
    Eq(mu, MEAN),
    text=r"the log-likelihood $\ell(\mu, s^2) = \sum_i \log\mathcal N(x_i; \mu, s^2)$ is stationary in $\mu$ "
    r"at the sample mean",
)
S2_HAT = Statement(
    "s2_hat",
    Eq(s2, Sum((xs[i] - mu) ** 2, (i, 1, n)) / n),
    text=r"and in $s^2$ at the mean squared deviation (divided by $n$); jointly, with $\mu = \bar x$",
)
SQUARES_ANY_N = Statement(
    "sum of squares",
    Eq(DEVIATIONS, CROSS_FORM),
    text=r"$\sum_i (x_i - \bar x)^2 = \sum_i x_i^2 - \frac1n\bigl(\sum_i x_i\bigr)^2$ for every $n$ (and the same "
    r"for the centred $z_i = x_i - \mu$: the deviations do not change)",
)
BIAS_ANY_N = Statement(
    "bias",
    Eq(EXPECTED_ANY_N, (n - 1) * sigma**2 / n, evaluate=False),
    text=r"for $n$ independent samples of $\mathcal N(\mu, \sigma^2)$, any $n$: "
    r"$\mathbb E[\hat s^2] = \frac{n-1}{n}\sigma^2$, the MLE underestimates the variance (the expectation "
    r"taken by linearity with $\mathbb E[z_i z_j] = \sigma^2\delta_{ij}$ for the centred $z_i = x_i - \mu$, the "
    r"moments of independent normals, stated, not derived, for symbolic $n$; the whole expectation is computed "
    r"by sympy.stats for $n = 2, 3$ and checked by Monte Carlo at $n = 5$)",
)
BIAS = tuple(
    Statement(
        f"bias n = {size}",
        Eq(_expected_variance(size), sp.Rational(size - 1, size) * sigma**2, evaluate=False),
        text=rf"for $n = {size}$ samples of $\mathcal N(\mu, \sigma^2)$, "
        r"$\mathbb E[\hat s^2] = \frac{n-1}{n}\sigma^2$: the MLE underestimates the variance",
    )
    for size in BIAS_SIZES
)

# -- the homework question, and where the identity comes from --------------------------------------
QUESTION = Question(
    target=(n - 1) * sigma**2 / n,
    prompt=r"For $n$ i.i.d. samples of $\mathcal N(\mu, \sigma^2)$, what is the expectation of the maximum "
    r"likelihood variance estimate $\hat s^2 = \frac1n\sum_i (x_i - \bar x)^2$?",
    names={"sigma": sigma, "n": n},
    approximations={
        r"that would be an unbiased estimate: dividing by $n$ loses one degree of freedom": sigma**2,
        r"the bias factor is $(n-1)/n$, not $n/(n-1)$": n * sigma**2 / (n - 1),
    },
)
REFS = (Ref.cite("bishop2006", where="Sec. 1.2.4"),)


# -- how it is derived -----------------------------------------------------------------------------
def derivation(d: Derivation) -> None:
    r"""Fitting a Gaussian by maximum likelihood gives the sample mean and the mean squared deviation
    with divisor $n$. The variance estimate is biased low by the factor $(n-1)/n$, because the deviations
    are taken from $\bar x$, which is fitted to the same data; Bessel's $n - 1$ undoes it. The same
    effect is why batch-norm and layer-norm statistics of small groups are noisy and biased."""
    d.begin(LOGLIK, r"the log-likelihood $\sum_{i=1}^n \log\mathcal N(x_i; \mu, s^2)$")
    d.then(
        lambda e: e.subs(SQUARES, Sum(xs[i] ** 2, (i, 1, n)) - 2 * mu * Sum(xs[i], (i, 1, n)) + n * mu**2),
        r"expand the square: $\sum_i (x_i - \mu)^2 = \sum_i x_i^2 - 2\mu\sum_i x_i + n\mu^2$",
    )
    expanded = d.keep("expanded")

    d.begin(Eq(Derivative(expanded, mu), 0), r"stationarity of $\ell$ in $\mu$")
    d.then(lambda e: e.doit(), r"differentiate")
    d.solve(mu)
    d.conclude("mu_hat")

    d.begin(Eq(Derivative(LOGLIK, s2), 0), r"stationarity of $\ell$ in $s^2$")
    d.then(lambda e: e.doit(), "differentiate")
    d.solve(s2)
    d.conclude("s2_hat")

    d.begin(DEVIATIONS, r"$\bar x = \frac1n\sum_j x_j$", title="The sum of squares, any $n$")
    d.then(lambda e: sp.expand(e).doit(), r"expand the square and sum term by term")
    d.then(CROSS_FORM, r"$\sum_i x_i \sum_j x_j = (\sum_i x_i)^2$: the cross terms collect")
    d.conclude("sum of squares")

    d.begin(EXPECTED_ANY_N, title="The bias, any $n$")
    d.then(
        BY_MOMENTS,
        r"linearity of $\mathbb E$ on $\frac1n(\sum_i z_i^2 - \frac1n(\sum_i z_i)^2)$ with $z_i = x_i - \mu$: "
        r"$\mathbb E[z_i^2] = \sigma^2$, and $\mathbb E[(\sum_i z_i)^2] = \sum_{i,j}\mathbb E[z_i z_j] = "
        r"\sum_i \sigma^2$, as $\mathbb E[z_i z_j] = \mathbb E[z_i]\mathbb E[z_j] = 0$ for $i \ne j$ (independence)",
    )
    d.then(lambda e: sp.factor(e.doit()), r"the sums have constant terms: $\sum_{i=1}^n c = nc$")
    d.conclude("bias")

    for size in BIAS_SIZES:
        d.begin(_expected_variance(size), scope=f"n = {size}", title=f"The same expectation by sympy.stats, n = {size}")
        d.then(
            lambda e: normal_expectation(
                e.args[1].args[0], {x: (mu, sigma) for x in e.args[1].args[0].free_symbols - {mu, sigma}}
            ),
            r"linearity and independence: $\mathbb E[x_k] = \mu$, $\mathbb E[x_k^2] = \mu^2 + \sigma^2$, "
            r"$\mathbb E[x_k x_l] = \mu^2$ ($k \ne l$)",
        )
        d.then(lambda e: sp.factor(e), "collect")
        d.then(sp.Rational(size - 1, size) * sigma**2, rf"$\frac{{n-1}}{{n}}\sigma^2$ at $n = {size}$")
        d.finish()


# -- how it is checked -----------------------------------------------------------------------------
def crosscheck(ctx: CheckContext) -> CrossCheckResult:
    """Monte Carlo at n = 5 (200000 samples): the mean of the MLE variance against (n-1)/n sigma^2, and of the
    Bessel-corrected one against sigma^2; scipy.optimize maximising the log-likelihood of random data against
    the sample mean and the 1/n variance."""
    from scipy.optimize import minimize

    results = []
    for _ in range(3):
        m_, sd = float(ctx.rng.uniform(-3, 3)), float(ctx.rng.uniform(0.2, 3))
        draws = ctx.rng.normal(m_, sd, size=(200000, 5))
        mle = draws.var(axis=1)
        results.append(agrees(ctx, "E[s2_hat] = (n-1)/n sigma^2, n = 5", estimate(mle), 4 / 5 * sd**2))
        results.append(agrees(ctx, "E[n/(n-1) s2_hat] = sigma^2", estimate(mle * 5 / 4), sd**2))
    errs = []
    for _ in range(5):
        data = ctx.rng.normal(float(ctx.rng.uniform(-3, 3)), float(ctx.rng.uniform(0.5, 2)), size=20)

        def nll(p: np.ndarray, data: np.ndarray = data) -> float:
            return float(np.sum((data - p[0]) ** 2) / (2 * np.exp(p[1])) + len(data) * p[1] / 2)

        opt = minimize(nll, np.array([0.0, 0.0]), method="BFGS", options={"gtol": 1e-10})
        errs.append(max(abs(opt.x[0] - data.mean()), abs(np.exp(opt.x[1]) - data.var()) / data.var()))
    results.append(ctx.bound("argmax of the log-likelihood", "scipy.optimize (BFGS)", max(errs), 1e-5))
    return combine(*results)


# -- the declaration -------------------------------------------------------------------------------
MLE_GAUSSIAN = declare(
    "mle-gaussian",
    aliases=("gaussian-mle", "bessel-correction"),
    title="Gaussian maximum likelihood and Bessel's correction",
    section="6",
    map_row=r"chapter 07 Statistics: MLE, MAP",
    variables={xs: DATA, n: SIZE, i: integer(1, n), j: integer(1, n), mu: DATA, s2: VARIANCE, sigma: SCALE},
    claim=CLAIM,
    also=(S2_HAT, SQUARES_ANY_N, BIAS_ANY_N),
    derivation=derivation,
    crosscheck=crosscheck,
    question=QUESTION,
    refs=REFS,
)
