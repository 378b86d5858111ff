r"""KL divergence between two Gaussians.

$\mathrm{KL}(\mathcal N(m_1, s_1^2)\,\|\,\mathcal N(m_2, s_2^2)) = \log\frac{s_2}{s_1} + \frac{s_1^2 + (m_1 -
m_2)^2}{2s_2^2} - \frac12$: an expectation of the log density ratio, a quadratic, so only two moments enter;
for diagonal covariances it adds over coordinates into the multivariate form. Closed forms like this make
Gaussian posteriors and policies practical (map 4, KL divergence: knowledge distillation, VAE, Gaussian
policies). Kingma and Welling (2014), Auto-Encoding Variational Bayes, App. B.
"""

from __future__ import annotations

import numpy as np
import sympy as sp
from sympy import Eq, Rational, log

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
    interval,
    notation,
    real,
)
from derive.authoring import gaussian as gm
from derive.authoring import montecarlo as mc

# -- symbols ---------------------------------------------------------------------------------------
MEAN = real(-3, 3)
SD = interval(Rational(1, 2), 4)  # standard deviations: from 1/2 (e^(m^2/2s^2) stays finite in sympy's form) to 4
STANDARD = real()
m1, m2 = MEAN.symbol("m1"), MEAN.symbol("m2")
s1, s2 = SD.symbol("s1"), SD.symbol("s2")
u = STANDARD.symbol("u")  # standardised variable: x = m1 + s1 u with u ~ N(0, 1)
KL_GAUSS = log(s2 / s1) + (s1**2 + (m1 - m2) ** 2) / (2 * s2**2) - Rational(1, 2)


def _log_ratio(x: sp.Expr) -> sp.Expr:
    """log N(x; m1, s1^2) - log N(x; m2, s2^2)."""
    return gm.log_normal_pdf(x, m1, s1) - gm.log_normal_pdf(x, m2, s2)


# the log density ratio at x = m1 + s1 u, a quadratic in u
LOG_RATIO = log(s2 / s1) + (m1 - m2) ** 2 / (2 * s2**2) + s1 * (m1 - m2) / s2**2 * u + (s1**2 / s2**2 - 1) / 2 * u**2
KL_GAUSS_DEF = gm.expectation(LOG_RATIO, u)  # E_{x ~ N(m1, s1^2)}[log q1(x)/q2(x)], x = m1 + s1 u

# diagonal covariances in any dimension d: coordinates i = 1..d of the two means and standard deviations
DIMENSION = integer(1, 6)
dim = DIMENSION.symbol("d")
ci = sp.Symbol("i", integer=True, positive=True)
M1, M2 = sp.IndexedBase("mu1", real=True), sp.IndexedBase("mu2", real=True)
SD1, SD2 = sp.IndexedBase("sigma1", positive=True), sp.IndexedBase("sigma2", positive=True)
COORD = {m1: M1[ci], s1: SD1[ci], m2: M2[ci], s2: SD2[ci]}
KL_DIAG = gm.coordinatewise(KL_GAUSS, COORD, ci, dim)  # one 1-D KL per coordinate
TRACE = notation(
    r"\operatorname{tr}(\Sigma_2^{-1}\Sigma_1)", sp.Sum(SD1[ci] ** 2 / SD2[ci] ** 2, (ci, 1, dim)), "tr(S2^-1 S1)"
)
QUAD_FORM = notation(
    r"(\mu_2 - \mu_1)^\top\Sigma_2^{-1}(\mu_2 - \mu_1)",
    sp.Sum((M2[ci] - M1[ci]) ** 2 / SD2[ci] ** 2, (ci, 1, dim)),
    "(m2 - m1)^T S2^-1 (m2 - m1)",
)
DET1 = notation(r"\det\Sigma_1", sp.Product(SD1[ci] ** 2, (ci, 1, dim)), "det S1")
DET2 = notation(r"\det\Sigma_2", sp.Product(SD2[ci] ** 2, (ci, 1, dim)), "det S2")
KL_MATRIX = (TRACE + QUAD_FORM - dim + log(DET2 / DET1)) / 2

# -- what is claimed -------------------------------------------------------------------------------
CLAIM = Statement(
    "1-D",
    Eq(KL_GAUSS_DEF, KL_GAUSS),
    text=r"$\mathrm{KL}(\mathcal N(m_1, s_1^2)\,\|\,\mathcal N(m_2, s_2^2))$, the expectation over "
    r"$x = m_1 + s_1 u$, $u \sim \mathcal N(0, 1)$",
)
LOG_RATIO_FORM = Statement(
    "log ratio",
    Eq(_log_ratio(m1 + s1 * u), LOG_RATIO),
    text=r"$\log q_1(x) - \log q_2(x)$ at $x = m_1 + s_1 u$ is a quadratic in $u$",
)
DIAGONAL = Statement(
    "diagonal (any d)",
    Eq(KL_DIAG, KL_MATRIX, evaluate=False),
    text=r"for diagonal covariances $\Sigma_k = \operatorname{diag}(\sigma_{k,1}^2, \dots, \sigma_{k,d}^2)$ in any "
    r"dimension $d$ the KL is the sum over coordinates of the 1-D KL, which is the multivariate form "
    r"$\frac12[\operatorname{tr}(\Sigma_2^{-1}\Sigma_1) + (\mu_2 - \mu_1)^\top \Sigma_2^{-1}(\mu_2 - \mu_1)"
    r" - d + \log\frac{\det\Sigma_2}{\det\Sigma_1}]$ (proved for every $d$; full covariances: only checked "
    r"by Monte Carlo, in 3-D)",
)

# -- the homework question, and where the identity comes from --------------------------------------
QUESTION = Question(
    target=KL_GAUSS,
    prompt=r"Compute $\mathrm{KL}\bigl(\mathcal N(m_1, s_1^2)\,\|\,\mathcal N(m_2, s_2^2)\bigr)$ in closed form.",
    approximations={
        r"the log term is inverted: $\log(s_1/s_2)$ instead of $\log(s_2/s_1)$": log(s1 / s2)
        + (s1**2 + (m1 - m2) ** 2) / (2 * s2**2)
        - Rational(1, 2),
        r"the variance ratio is the wrong way round ($s_2^2/s_1^2$)": log(s2 / s1)
        + (s2**2 + (m1 - m2) ** 2) / (2 * s1**2)
        - Rational(1, 2),
        r"the constant $-\tfrac12$ is missing": log(s2 / s1) + (s1**2 + (m1 - m2) ** 2) / (2 * s2**2),
    },
)
REFS = (
    Ref.cite("kingma2014", where="App. B"),
    Ref.cite("hinton2015"),
)


# -- how it is derived -----------------------------------------------------------------------------
def derivation(d: Derivation) -> None:
    r"""The KL divergence between two normal distributions has a closed form, which is why Gaussian
    posteriors and policies are everywhere: the VAE regulariser $\mathrm{KL}(q(z\mid x)\,\|\,\mathcal N(0, I))$,
    trust regions between Gaussian policies, distillation of Gaussian heads. It is an expectation of
    the log density ratio, a quadratic in $x$, so only the first two moments of $x \sim \mathcal N(m_1, s_1^2)$
    enter: $\log\frac{s_2}{s_1} + \frac{s_1^2 + (m_1 - m_2)^2}{2 s_2^2} - \frac12$."""
    d.begin(_log_ratio(m1 + s1 * u), r"$\log q_1(x) - \log q_2(x)$ at $x = m_1 + s_1 u$")
    d.then(lambda e: sp.collect(sp.expand(e), u), r"expand the squares and collect powers of $u$")
    d.then(LOG_RATIO, r"$\log s_2 - \log s_1 = \log(s_2/s_1)$")
    d.conclude("log ratio")

    d.begin(
        KL_GAUSS_DEF, r"$\mathbb{E}_{x\sim q_1}[\log q_1(x) - \log q_2(x)]$ with $x = m_1 + s_1 u$, the log ratio above"
    )
    d.then(lambda e: gm.moments(e, (u,)), r"linearity of the expectation")
    d.then(
        gm.integrate, r"the moments $\mathbb{E}[1] = 1$, $\mathbb{E}[u] = 0$, $\mathbb{E}[u^2] = 1$ (sympy.integrate)"
    )
    d.then(KL_GAUSS, "collect")
    d.conclude("1-D")

    d.begin(
        KL_DIAG,
        r"independent coordinates: the log ratio and the KL add, one 1-D KL (above) per coordinate",
        title="Diagonal covariances, any dimension $d$",
    )
    d.then(
        KL_MATRIX,
        r"expand each term, split the sum (linearity) and collect the sums into a trace, a quadratic form and a "
        r"log-determinant: "
        r"$\sum_i \log\sigma_{k,i}^2 = \log\prod_i \sigma_{k,i}^2 = \log\det\Sigma_k$",
    )
    d.conclude("diagonal (any d)")
    d.keep("KL any d", KL_DIAG)


# -- how it is checked -----------------------------------------------------------------------------
def _kl_gauss_mv(mu1: np.ndarray, c1: np.ndarray, mu2: np.ndarray, c2: np.ndarray) -> float:
    """The multivariate closed form (the claim's second part) with numpy.linalg."""
    inv2 = np.linalg.inv(c2)
    dm_ = mu2 - mu1
    _, ld1 = np.linalg.slogdet(c1)
    _, ld2 = np.linalg.slogdet(c2)
    return 0.5 * (np.trace(inv2 @ c1) + dm_ @ inv2 @ dm_ - len(mu1) + ld2 - ld1)


def crosscheck(ctx: CheckContext) -> CrossCheckResult:
    """QUADPACK of q1 log(q1/q2) over the real line at random parameters; the sum over coordinates
    derived for symbolic d, written out at d = 1, 2, 5, 30, against the matrix form; Monte Carlo of
    E_{q1}[log q1 - log q2] in 3-D with full covariances against the multivariate formula."""
    from scipy.integrate import quad

    v = ctx.sample(12)
    f = ctx.numpy(ctx.result, [m1, s1, m2, s2])
    got, want = [], []
    for j in range(12):
        a, sa, b, sb = (float(v[sym][j]) for sym in (m1, s1, m2, s2))

        def integrand(x: float, a: float = a, sa: float = sa, b: float = b, sb: float = sb) -> float:
            l1 = -0.5 * np.log(2 * np.pi * sa**2) - (x - a) ** 2 / (2 * sa**2)
            l2 = -0.5 * np.log(2 * np.pi * sb**2) - (x - b) ** 2 / (2 * sb**2)
            return float(np.exp(l1) * (l1 - l2))

        got.append(quad(integrand, a - 40 * sa, a + 40 * sa, epsabs=1e-13, epsrel=1e-11, limit=400)[0])
        want.append(float(f(a, sa, b, sb)))
    one_d = ctx.compare("1-D KL integral", "numerical integration (QUADPACK)", np.array(got), np.array(want), rtol=1e-8)
    derived, matrix_form = [], []
    for size in (1, 2, 5, 30):
        mean1, mean2 = ctx.rng.uniform(-3, 3, size), ctx.rng.uniform(-3, 3, size)
        sd1, sd2 = ctx.rng.uniform(0.5, 4, size), ctx.rng.uniform(0.5, 4, size)
        form = discrete.at_size(ctx.values["KL any d"], dim, {M1: mean1, M2: mean2, SD1: sd1, SD2: sd2})
        derived.append(float(form))
        matrix_form.append(_kl_gauss_mv(mean1, np.diag(sd1**2), mean2, np.diag(sd2**2)))
    any_d = ctx.compare(
        "diagonal KL, d = 1, 2, 5, 30",
        "matrix form (numpy.linalg)",
        np.array(derived),
        np.array(matrix_form),
        rtol=1e-10,
    )

    results = []
    for _ in range(3):
        mu1, mu2 = ctx.rng.normal(0, 1, 3), ctx.rng.normal(0, 1, 3)
        a1, a2 = ctx.rng.normal(size=(3, 3)), ctx.rng.normal(size=(3, 3))
        c1, c2 = a1 @ a1.T + 0.5 * np.eye(3), a2 @ a2.T + 0.5 * np.eye(3)
        x = ctx.rng.multivariate_normal(mu1, c1, 100_000)

        def logpdf(x: np.ndarray, mu: np.ndarray, c: np.ndarray) -> np.ndarray:
            r = np.linalg.solve(np.linalg.cholesky(c), (x - mu).T)
            return -0.5 * np.sum(r**2, 0) - 0.5 * np.linalg.slogdet(2 * np.pi * c)[1]

        est = mc.estimate(logpdf(x, mu1, c1) - logpdf(x, mu2, c2))
        results.append(mc.agrees(ctx, "3-D KL, full covariances", est, _kl_gauss_mv(mu1, c1, mu2, c2)))
    return combine(one_d, any_d, *results)


# -- the declaration -------------------------------------------------------------------------------
KL_GAUSSIANS = declare(
    "kl-gaussians",
    aliases=("kl-gaussian",),
    title="KL divergence between two Gaussians",
    section="4",
    map_row=r"KL divergence: knowledge distillation, VAE, Gaussian policies",
    variables={
        m1: MEAN,
        s1: SD,
        m2: MEAN,
        s2: SD,
        u: STANDARD,
        dim: DIMENSION,
        ci: integer(1, dim),
        M1: MEAN,
        M2: MEAN,
        SD1: SD,
        SD2: SD,
    },
    claim=CLAIM,
    also=(LOG_RATIO_FORM, DIAGONAL),
    derivation=derivation,
    crosscheck=crosscheck,
    question=QUESTION,
    refs=REFS,
    builds_on=("kl-nonnegative",),
)
