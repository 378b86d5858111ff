r"""3.3 Bayes' theorem in ML: the posterior of a conjugate Gaussian model, and the Laplace
approximation of the evidence.

- ``bayes-gaussian-conjugate``: a Gaussian prior on a mean and Gaussian observations give a Gaussian
  posterior, precisions add; the negative log posterior is the squared-error loss plus an L2
  regulariser centred at the prior mean;
- ``laplace-evidence``: :math:`\log p(D) \approx \log p(D\mid\theta^*) + \log p(\theta^*) + \frac d2\log 2\pi
  - \frac12\log\det H`, exact for a linear-Gaussian model.
"""

from __future__ import annotations

import numpy as np
import sympy as sp
from sympy import Derivative, Eq, Integral, Subs, Sum, exp, log, oo, pi

from derive.core.derivation import Derivation
from derive.core.identity import Question, Ref, identity
from derive.core.statements import Statement, numerically
from derive.maths.domains import integer, positive, real, vector
from derive.maths.gaussian import integrate, log_normal_pdf, normal_pdf
from derive.maths.notation import named_function
from derive.numeric.crosscheck import CheckContext, CrossCheckResult, combine

# ------------------------------------------------------------------------------ bayes-gaussian-conjugate
mu = real(-5, 5).symbol("mu")
mu0 = real(-5, 5).symbol("mu0")
sigma = positive(5, lo=0.1).symbol("sigma")
tau = positive(5, lo=0.1).symbol("tau")
n = integer(1, 50).symbol("n")
Sx = real(-100, 100).symbol("Sx")  # sum of the observations
Sxx = positive(500).symbol("Sxx")  # sum of their squares
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


def _grid_posterior(ctx: CheckContext) -> CrossCheckResult:
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


@identity(
    "bayes-gaussian-conjugate",
    aliases=("gaussian-conjugate", "normal-normal", "posterior-gaussian-mean"),
    title="Bayes with a Gaussian prior and Gaussian data",
    section="3.3",
    map_row=r"$p(\theta\mid D) = p(D\mid\theta)p(\theta)/p(D)$; likelihood $=$ loss, prior $=$ regularisation",
    variables={
        mu: real(-5, 5),
        mu0: real(-5, 5),
        sigma: positive(5, lo=0.1),
        tau: positive(5, lo=0.1),
        n: integer(1, 50),
        Sx: real(-100, 100),
        Sxx: positive(500),
        mu_hat: vector(1),
        xb: real(-5, 5),
    },
    claim=Statement(
        "complete the square",
        Eq(NEG_LOG_POST - NEG_LOG_POST.subs(mu, MU_N), (mu - MU_N) ** 2 * PRECISION / 2),
        text=r"the negative log posterior (squared-error loss plus L2 regulariser) is a quadratic in $\mu$: "
        r"$\frac{(\mu - \mu_n)^2}{2\tau_n^2}$ plus a constant, so the posterior is $\mathcal N(\mu_n, \tau_n^2)$",
    ),
    also=[
        Statement(
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
        ),
        Statement(
            "precision",
            Eq(Derivative(NEG_LOG_POST, (mu, 2)), 1 / tau**2 + n / sigma**2),
            text=r"precisions add: $1/\tau_n^2 = 1/\tau^2 + n/\sigma^2$",
        ),
        Statement(
            "mean",
            Eq(mu_hat, TAU_N2 * (mu0 / tau**2 + Sx / sigma**2)),
            text=r"$\mu_n = \tau_n^2(\mu_0/\tau^2 + \sum_i x_i/\sigma^2)$, the stationary point",
        ),
    ],
    definitions={NEG_LOG_POST: LOSS + REGULARISER, NLJ_NAME: NEG_LOG_JOINT_MU, SSE_NAME: SSE_MU},
    crosscheck=_grid_posterior,
    question=Question(
        target=1 / (1 / tau**2 + n / sigma**2),
        prompt=r"Prior $\mu\sim\mathcal N(\mu_0, \tau^2)$, observations $x_1, \dots, x_n \sim \mathcal N(\mu, "
        r"\sigma^2)$ "
        r"i.i.d. What is the posterior variance $\tau_n^2$ of $\mu$?",
        approximations={
            r"the factor $n$ is missing: each of the $n$ observations adds precision $1/\sigma^2$": 1
            / (1 / tau**2 + 1 / sigma**2),
            "variances do not add; precisions do": tau**2 + sigma**2 / n,
        },
    ),
    refs=(
        Ref.book(
            "C. M. Bishop (2006), Pattern Recognition and Machine Learning", where="Sec. 2.3.6, eqs. (2.141)-(2.142)"
        ),
        Ref.book("K. P. Murphy (2012), Machine Learning: A Probabilistic Perspective", where="Sec. 4.6.1"),
    ),
)
def bayes_gaussian_conjugate(d: Derivation) -> None:
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


# -------------------------------------------------------------------------------------- laplace-evidence
theta = real().symbol("theta")
theta_star = sp.Symbol("theta_*", real=True)
x = real(-5, 5).symbol("x")
f_star = real(-5, 5).symbol("f_*")  # log p(D | theta*) + log p(theta*)
h = positive(10, lo=0.05).symbol("H")  # -(d^2/dtheta^2) log p(D, theta) at theta*
LOG_JOINT = log_normal_pdf(x, theta, sigma) + log_normal_pdf(theta, 0, tau)  # one observation, prior N(0, tau^2)
THETA_MAP = x * tau**2 / (sigma**2 + tau**2)
H_CONJ = 1 / sigma**2 + 1 / tau**2
LAPLACE_CONJ = LOG_JOINT.subs(theta, THETA_MAP) + log(2 * pi) / 2 - log(H_CONJ) / 2


def _log_joint_logistic(t: np.ndarray, ys: np.ndarray, xs: np.ndarray) -> np.ndarray:
    """log p(y | theta) + log N(theta; 0, 1) for logistic regression through the origin."""
    z = np.outer(t, xs)
    return np.sum(ys * z - np.logaddexp(0.0, z), axis=1) - t**2 / 2 - 0.5 * np.log(2 * np.pi)


def _laplace_non_gaussian(ctx: CheckContext) -> CrossCheckResult:
    """A non-Gaussian 1-D posterior (Bayesian logistic regression, 12 points, prior N(0, 1)): the
    Laplace log-evidence against quadrature. It is close (|error| < 0.05 nats) but not exact
    (|error| > 1e-6): the stated behaviour, checked on 6 random data sets."""
    from scipy.integrate import quad
    from scipy.optimize import minimize_scalar

    def gap(xs: np.ndarray, ys: np.ndarray) -> float:
        def log_joint(t: float) -> float:
            return float(_log_joint_logistic(np.array([t]), ys, xs)[0])

        t_star = minimize_scalar(lambda t: -log_joint(t), tol=1e-12).x
        p = 1 / (1 + np.exp(-t_star * xs))
        hess = float(np.sum(xs**2 * p * (1 - p)) + 1.0)  # -(d/dtheta)^2 of the log joint, exactly
        f_top = log_joint(t_star)
        laplace = f_top + 0.5 * np.log(2 * np.pi) - 0.5 * np.log(hess)
        exact = f_top + np.log(quad(lambda t: np.exp(log_joint(t) - f_top), -30, 30, epsabs=1e-14)[0])
        return abs(laplace - exact)

    worst, closest = 0.0, np.inf
    for _ in range(6):
        xs = ctx.rng.normal(size=12)
        ys = (ctx.rng.random(12) < 1 / (1 + np.exp(-0.8 * xs))).astype(float)
        g = gap(xs, ys)
        worst, closest = max(worst, g), min(closest, g)
    close = ctx.bound("|Laplace - quadrature| (nats)", "QUADPACK on a logistic posterior", worst, 0.05)
    not_exact = ctx.bound("1e-6 / |Laplace - quadrature| (not exact)", "QUADPACK", 1e-6 / max(closest, 1e-300), 1.0)
    return combine(close, not_exact)


def _laplace_conjugate_quad(ctx: CheckContext) -> CrossCheckResult:
    """Quadrature of p(x | theta) p(theta) over theta, against the Laplace formula at the derived
    theta* and H (the log-evidence it claims exactly)."""
    from scipy.integrate import quad

    laplace = ctx.numpy(LAPLACE_CONJ, [x, sigma, tau])
    values = ctx.sample(12)
    got = []
    for xv, sv, tv in zip(values[x], values[sigma], values[tau], strict=True):

        def joint(t: float, xv: float = xv, sv: float = sv, tv: float = tv) -> float:
            return float(np.exp(-((xv - t) ** 2) / (2 * sv**2) - t**2 / (2 * tv**2)) / (2 * np.pi * sv * tv))

        got.append(np.log(quad(joint, -np.inf, np.inf, epsabs=0, epsrel=1e-12, limit=200)[0]))
    return ctx.compare(
        "log evidence by quadrature vs Laplace (conjugate model)",
        "numerical integration (QUADPACK)",
        np.array(got),
        laplace(values[x], values[sigma], values[tau]),
        rtol=1e-9,
    )


@identity(
    "laplace-evidence",
    aliases=("laplace-approximation", "laplace-marginal-likelihood"),
    title="The Laplace approximation of the evidence",
    section="3.3",
    map_row=r"evidence $p(D)$ intractable; approximated by Laplace",
    variables={
        x: real(-5, 5),
        sigma: positive(5, lo=0.1),
        tau: positive(5, lo=0.1),
        theta: real(),
        f_star: real(-5, 5),
        h: positive(10, lo=0.05),
        theta_star: vector(1),
    },
    claim=Statement(
        "exact (conjugate)",
        Eq(LOG_JOINT, LOG_JOINT.subs(theta, THETA_MAP) - H_CONJ * (theta - THETA_MAP) ** 2 / 2),
        text=r"for $\theta\sim\mathcal N(0,\tau^2)$, $x\mid\theta\sim\mathcal N(\theta,\sigma^2)$ the second-order "
        r"expansion of $\log p(x, \theta)$ at $\theta^*$ is exact, so the Laplace formula "
        r"$\log p(x\mid\theta^*) + \log p(\theta^*) + \frac12\log 2\pi - \frac12\log H$ is the exact log-evidence",
    ),
    also=[
        Statement(
            "Gaussian integral",
            Eq(
                log(Integral(exp(f_star - h * (theta - theta_star) ** 2 / 2), (theta, -oo, oo))),
                f_star + log(2 * pi) / 2 - log(h) / 2,
            ),
            text=r"the second-order expansion $\log p(D,\theta) \approx f^* - \frac H2(\theta-\theta^*)^2$ "
            r"integrates to "
            r"$f^* + \frac12\log 2\pi - \frac12\log H$ (gaussian-normalizer; $d = 1$)",
        ),
        Statement("MAP", Eq(theta_star, THETA_MAP), text=r"$\theta^* = x\tau^2/(\sigma^2 + \tau^2)$"),
        Statement(
            "curvature",
            Eq(-Derivative(LOG_JOINT, (theta, 2)), H_CONJ),
            text=r"$H = -\partial_\theta^2\log p(x, \theta) = 1/\sigma^2 + 1/\tau^2$",
        ),
        numerically(
            "non-Gaussian",
            r"for a non-Gaussian posterior (Bayesian logistic regression) Laplace is close to the quadrature "
            r"log-evidence (within 0.05 nats here) but not equal",
            _laplace_non_gaussian,
        ),
    ],
    crosscheck=_laplace_conjugate_quad,
    question=Question(
        target=f_star + log(2 * pi) / 2 - log(h) / 2,
        prompt=r"Approximate $\log\int e^{f(\theta)}d\theta$ by expanding $f$ to second order at its maximum "
        r"$\theta^*$, with $f(\theta^*) = f_*$ and $-f''(\theta^*) = H$.",
        names={"f_star": f_star, "fstar": f_star},
        approximations={
            r"the sign of $\frac12\log H$: a sharper peak (larger $H$) means less evidence": f_star
            + log(2 * pi) / 2
            + log(h) / 2,
            r"the $\frac12\log 2\pi$ is missing": f_star - log(h) / 2,
        },
    ),
    refs=(
        Ref.book("D. J. C. MacKay (2003), Information Theory, Inference, and Learning Algorithms", where="Ch. 27"),
        Ref.book("C. M. Bishop (2006), Pattern Recognition and Machine Learning", where="Sec. 4.4, eq. (4.137)"),
    ),
    builds_on=("gaussian-normalizer", "bayes-gaussian-conjugate"),
)
def laplace_evidence(d: Derivation) -> None:
    r"""The evidence $p(D) = \int p(D\mid\theta)p(\theta)\,d\theta$ decides between models (and tunes
    hyperparameters) but is an intractable integral. Laplace's method expands $\log p(D, \theta)$ to
    second order at the MAP $\theta^*$ and integrates the Gaussian: $\log p(D) \approx \log p(D\mid\theta^*)
    + \log p(\theta^*) + \frac d2\log 2\pi - \frac12\log\det H$. The last term is an Occam factor; for a
    linear-Gaussian model the expansion is exact."""
    d.begin(log(Integral(exp(f_star - h * (theta - theta_star) ** 2 / 2), (theta, -oo, oo))))
    d.then(lambda e: sp.expand_log(integrate(e), force=True), "the Gaussian integral (gaussian-normalizer)")
    d.conclude("Gaussian integral")

    d.begin(Eq(Subs(Derivative(LOG_JOINT, theta), theta, theta_star), 0), r"$\theta^*$ maximises $\log p(x, \theta)$")
    d.then(lambda e: e.doit(), "differentiate")
    d.solve(theta_star, "solve")
    d.conclude("MAP")

    d.begin(-Derivative(LOG_JOINT, (theta, 2)))
    d.then(lambda e: e.doit(), "differentiate twice: constant, so the expansion is exact")
    d.conclude("curvature")

    d.begin(LOG_JOINT, r"$\log p(x\mid\theta) + \log p(\theta)$, a quadratic in $\theta$")
    d.then(lambda e: sp.expand(e), "expand")
    d.then(
        LOG_JOINT.subs(theta, THETA_MAP) - H_CONJ * (theta - THETA_MAP) ** 2 / 2,
        r"Taylor at $\theta^*$: the value, no linear term (stationary), curvature $H$, nothing beyond",
    )
    d.conclude("exact (conjugate)")
