r"""The normalising constant of the Gaussian.

$\int e^{-(x-\mu)^2/2s^2}dx = \sqrt{2\pi}\,s$, and in any dimension $d$ $\int e^{-x^\top\Sigma^{-1}x/2}dx =
(2\pi)^{d/2}|\Sigma|^{1/2}$ (in the eigenbasis of $\Sigma$ the integral factorises): the constant every Gaussian
log-likelihood carries, whose $\tfrac12\log|\Sigma|$ is what a learned variance pays for (map 3.2, the
$\mathcal N(\mu, \Sigma)$ density). Bishop (2006), Pattern Recognition and Machine Learning, Sec. 2.3.
"""

from __future__ import annotations

import numpy as np
import sympy as sp
from sympy import Eq, Integral, Matrix, exp, log, oo, pi, sqrt, symbols

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
    notation,
    positive,
    quadrature,
    real,
)
from derive.core.facts import DETERMINANT_PRODUCT, FUBINI, LINEAR_CHANGE_OF_VARIABLES, SPECTRAL_THEOREM
from derive.maths.gaussian import gaussian_integral, integrate
from derive.maths.matrices import cayley_orthogonal
from derive.numeric.montecarlo import agrees, estimate

from ._shared import LINE, SD, s, x

# -- symbols ---------------------------------------------------------------------------------------
# x and s are the chapter's (_shared)
MEAN = real(-3, 3)
COORDINATE = real(-3, 3)
EIGENVALUE = positive(5, lo=0.05)
mu = MEAN.symbol("mu")
u1, u2 = COORDINATE.symbol("u1"), COORDINATE.symbol("u2")
lam1, lam2 = symbols("lambda1 lambda2", positive=True)  # sampled over EIGENVALUE
t_rot = COORDINATE.symbol("t")  # Cayley parameter of the rotation: cos = (1-t^2)/(1+t^2), sin = 2t/(1+t^2)
R_ROT = cayley_orthogonal([t_rot], 2)
SIGMA_2 = R_ROT * sp.diag(lam1, lam2) * R_ROT.T
X_ROT = R_ROT * Matrix([u1, u2])
QUAD = named_function("QuadForm", r"x^\top\Sigma^{-1}x", show_args=False)(u1, u2, lam1, lam2, t_rot)
DET = named_function("DetSigma", r"\det\Sigma", show_args=False)(lam1, lam2, t_rot)
# a diagonal covariance diag(lambda_1, ..., lambda_d) in any dimension d
DIMENSION = integer(1, 6)
dim = DIMENSION.symbol("d")
ci = sp.Symbol("i", integer=True, positive=True)
lamI = sp.IndexedBase("lambda", positive=True)
#: log of the d-dimensional integral: it factorises over coordinates (Fubini), so its log is a Sum
LOG_FACTORS = sp.Sum(log(gaussian_integral(u1, 0, sqrt(lamI[ci]))), (ci, 1, dim))
LOG_NORMALIZER_D = notation(r"\log\int_{\mathbb R^d} e^{-x^\top\Sigma^{-1}x/2}\,dx", LOG_FACTORS, "log Z_d")
DET_D = notation(r"\det\Sigma", sp.Product(lamI[ci], (ci, 1, dim)), "det Sigma")
# a general covariance in any dimension d, in its eigenbasis (spectral theorem): Sigma^-1 = U diag(1/lambda) U^T
ea, eb, ek = (integer(1, dim).symbol(c) for c in "abk")
UI = sp.IndexedBase("U", real=True)
xI = sp.IndexedBase("x", real=True)
SIGMA_INV_AB = sp.Sum(UI[ea, ek] * UI[eb, ek] / lamI[ek], (ek, 1, dim))
QUAD_D = notation(
    r"x^\top\Sigma^{-1}x", sp.Sum(sp.Sum(xI[ea] * SIGMA_INV_AB * xI[eb], (eb, 1, dim)), (ea, 1, dim)), "x^T Sigma^-1 x"
)
EIGEN_QUAD = sp.Sum(sp.Sum(UI[ea, ek] * xI[ea], (ea, 1, dim)) ** 2 / lamI[ek], (ek, 1, dim))
#: the same log-integral after the substitution x = U u (unit Jacobian): the exponent separates over u_k
LOG_EIGEN_D = notation(r"\log\int_{\mathbb R^d} e^{-\sum_k u_k^2/2\lambda_k}\,du", LOG_FACTORS, "log Z_d(u)")

# -- what is claimed -------------------------------------------------------------------------------
CLAIM = Statement(
    "any d",
    Eq(LOG_NORMALIZER_D, dim * log(2 * pi) / 2 + log(DET_D) / 2, evaluate=False),
    text=r"for any dimension $d$ and any covariance $\Sigma = U\operatorname{diag}(\lambda_1, \dots, "
    r"\lambda_d)U^\top \succ 0$, $\int_{\mathbb R^d} e^{-x^\top\Sigma^{-1}x/2}dx = (2\pi)^{d/2}|\Sigma|^{1/2}$, "
    r"stated as its log (the log-likelihood's constant): after $x = Uu$ ($|\det U| = 1$) the quadratic form is "
    r"$\sum_k u_k^2/\lambda_k$ (below), the integrand factorises into $d$ 1-D Gaussian integrals (Fubini), and "
    r"$\prod_k\lambda_k = \det\Sigma$",
)
ONE_D = Statement(
    "1-D",
    Eq(Integral(exp(-((x - mu) ** 2) / (2 * s**2)), (x, -oo, oo)), sqrt(2 * pi) * s, evaluate=False),
    text=r"the 1-D normaliser $\sqrt{2\pi}\,s$",
)
QUADRATIC_FORM = Statement(
    "quadratic form",
    Eq(QUAD_D, EIGEN_QUAD, evaluate=False),
    text=r"for any $d$ and $\Sigma = U\operatorname{diag}(\lambda_1, \dots, \lambda_d)U^\top$ (spectral theorem) the "
    r"quadratic form separates in the eigen-coordinates $u_k = \sum_a U_{ak}x_a$: "
    r"$x^\top\Sigma^{-1}x = \sum_k u_k^2/\lambda_k$",
)

# -- the homework question, and where the identity comes from --------------------------------------
QUESTION = Question(
    target=sqrt(2 * pi) * s,
    prompt=r"Compute $\int_{-\infty}^{\infty} e^{-(x-\mu)^2/(2s^2)}\,dx$.",
    approximations={
        r"$\sqrt{2\pi s}$: the $s$ belongs outside the root": sqrt(2 * pi * s),
        r"$\sqrt{\pi}\,s$: the 2 in $2s^2$ is missing": sqrt(pi) * s,
    },
)
REFS = (Ref.cite("bishop2006", where="Sec. 2.3, eq. (2.43)"),)


# -- how it is derived -----------------------------------------------------------------------------
def derivation(d: Derivation) -> None:
    r"""The Gaussian density is $e^{-(x-\mu)^2/2s^2}$ divided by its integral $\sqrt{2\pi}\,s$; in $d$
    dimensions the integral of $e^{-x^\top\Sigma^{-1}x/2}$ is $(2\pi)^{d/2}|\Sigma|^{1/2}$. Every Gaussian
    log-likelihood (MSE losses, VAEs, diffusion models) carries this constant, and its
    $\tfrac12\log|\Sigma|$ is what a learned variance pays for."""
    d.begin(Integral(exp(-((x - mu) ** 2) / (2 * s**2)), (x, -oo, oo)))
    d.then(integrate, "the Gaussian integral")
    d.conclude("1-D")

    d.begin(QUAD_D, title="The quadratic form in the eigenbasis, any $d$")
    d.assume(SPECTRAL_THEOREM)
    d.then(
        EIGEN_QUAD,
        r"$(\Sigma^{-1})_{ab} = \sum_k U_{ak}U_{bk}/\lambda_k$; the finite sums over $a, b$ move inside the sum "
        r"over $k$, where they factor into $u_k^2$",
    )
    d.conclude("quadratic form")

    d.begin(LOG_NORMALIZER_D, title="Any covariance, any dimension $d$")
    d.assume(SPECTRAL_THEOREM)
    d.assume(
        LINEAR_CHANGE_OF_VARIABLES,
        LOG_EIGEN_D,
        r"$\Sigma = U\Lambda U^\top$; substitute $x = Uu$ (Jacobian $|\det U| = 1$): the quadratic form is "
        r"$\sum_k u_k^2/\lambda_k$ (the chain above)",
    )
    d.assume(
        FUBINI,
        LOG_FACTORS,
        r"the integrand $\prod_k e^{-u_k^2/2\lambda_k}$ factorises, so the integral is the product of $d$ 1-D "
        r"integrals and its log the sum of their logs",
    )
    d.then(integrate, r"each term is the 1-D Gaussian integral above, at $s = \sqrt{\lambda_k}$ (inside the sum)")
    d.assume(
        DETERMINANT_PRODUCT,
        dim * log(2 * pi) / 2 + log(DET_D) / 2,
        r"$\sum_k \log\lambda_k = \log\prod_k\lambda_k = \log\det(U\Lambda U^\top) = \log\det\Sigma$",
    )
    d.conclude("any d")

    d.begin(QUAD, scope="for d = 2", title="Worked example: a rotation in 2-D")
    d.then(
        (X_ROT.T * SIGMA_2.inv() * X_ROT)[0],
        r"$\Sigma = R\operatorname{diag}(\lambda_1,\lambda_2)R^\top$, $R$ the rotation with "
        r"$\cos = \frac{1-t^2}{1+t^2}$, $\sin = \frac{2t}{1+t^2}$; $x = Ru$",
    )
    d.then(lambda e: sp.factor(sp.cancel(e)), r"$R^\top R = I$: the rotation cancels")
    d.then(u1**2 / lam1 + u2**2 / lam2, "separate")
    d.finish()

    d.begin(DET, scope="for d = 2")
    d.then(SIGMA_2.det(), r"the determinant of $R\operatorname{diag}(\lambda_1,\lambda_2)R^\top$")
    d.then(lambda e: sp.factor(e), r"$\det R = 1$: $\det\Sigma = \lambda_1\lambda_2$")
    d.finish()


# -- how it is checked -----------------------------------------------------------------------------
def crosscheck(ctx: CheckContext) -> CrossCheckResult:
    r"""Monte Carlo in 3-D: :math:`\int e^{-x^\top\Sigma^{-1}x/2}dx = \mathbb E_g[e^{-x^\top\Sigma^{-1}x/2}/g(x)]`
    with the proposal :math:`g = \mathcal N(0, c^2 I)`, :math:`c^2 = 1.5\lambda_{\max}`, for random SPD
    :math:`\Sigma`, against :math:`(2\pi)^{3/2}|\Sigma|^{1/2}` (5 standard errors)."""
    results = []
    for _ in range(4):
        a = ctx.rng.normal(size=(3, 3))
        sigma = a @ a.T + 0.3 * np.eye(3)
        c2 = 1.5 * np.linalg.eigvalsh(sigma).max()
        draws = ctx.rng.normal(size=(200_000, 3)) * np.sqrt(c2)
        quad = np.einsum("ni,ij,nj->n", draws, np.linalg.inv(sigma), draws)
        log_g = -np.sum(draws**2, axis=1) / (2 * c2) - 1.5 * np.log(2 * np.pi * c2)
        weights = np.exp(-quad / 2 - log_g)
        results.append(
            agrees(ctx, "3-D normaliser", estimate(weights), (2 * np.pi) ** 1.5 * np.sqrt(np.linalg.det(sigma)))
        )
    results.append(_eigen_quadratic(ctx))
    one_d = quadrature(exp(-((x - mu) ** 2) / (2 * s**2)), x, -np.inf, np.inf, sqrt(2 * pi) * s, rtol=1e-8)(ctx)
    return combine(one_d, *results)


def _eigen_quadratic(ctx: CheckContext) -> CrossCheckResult:
    """The derived eigenbasis form sum_k (U^T x)_k^2 / lambda_k and the determinant prod_k lambda_k, written out at
    d = 1, 3, 7 with U and lambda from numpy.linalg.eigh of a random SPD Sigma, against x^T Sigma^-1 x by
    numpy.linalg.solve and det Sigma by numpy.linalg.det (an LU factorisation, not the eigenvalues)."""
    got, want = [], []
    for size in (1, 3, 7):
        a = ctx.rng.normal(size=(size, size))
        sigma = a @ a.T + 0.3 * np.eye(size)
        vals, vecs = np.linalg.eigh(sigma)
        xs = ctx.rng.normal(size=size)
        form = EIGEN_QUAD.xreplace({dim: size}).doit()
        entries = {lamI[k + 1]: vals[k] for k in range(size)} | {xI[k + 1]: xs[k] for k in range(size)}
        entries |= {UI[r + 1, c + 1]: vecs[r, c] for r in range(size) for c in range(size)}
        exact = {e: sp.Float(v, 17) for e, v in entries.items()}
        got += [float(form.xreplace(exact)), float(DET_D.xreplace({dim: size}).doit().xreplace(exact))]
        want += [float(xs @ np.linalg.solve(sigma, xs)), float(np.linalg.det(sigma))]
    return ctx.compare(
        "x^T Sigma^-1 x and det Sigma = prod_k lambda_k, d = 1, 3, 7",
        "numpy.linalg.solve, numpy.linalg.det (LU)",
        np.array(got),
        np.array(want),
        rtol=1e-10,
    )


# -- the declaration -------------------------------------------------------------------------------
GAUSSIAN_NORMALIZER = declare(
    "gaussian-normalizer",
    aliases=("gaussian-normaliser", "gaussian-integral", "normal-normalizer"),
    title="The normalising constant of the Gaussian",
    section="3.2",
    map_row=r"$\mathcal N(\mu, \Sigma)$ density: normaliser $(2\pi)^{d/2}|\Sigma|^{1/2}$",
    variables={
        x: LINE,
        mu: MEAN,
        s: SD,
        t_rot: COORDINATE,
        lam1: EIGENVALUE,
        lam2: EIGENVALUE,
        u1: COORDINATE,
        u2: COORDINATE,
        dim: DIMENSION,
        ci: integer(1, dim),
        lamI: EIGENVALUE,
        ea: integer(1, dim),
        eb: integer(1, dim),
        ek: integer(1, dim),
        UI: real(-1, 1),
        xI: COORDINATE,
    },
    definitions={
        QUAD: sp.expand((X_ROT.T * SIGMA_2.inv() * X_ROT)[0]),
        DET: sp.Determinant(sp.ImmutableMatrix(SIGMA_2)),  # unevaluated: the check computes it with mpmath
    },
    claim=CLAIM,
    also=(ONE_D, QUADRATIC_FORM),
    derivation=derivation,
    crosscheck=crosscheck,
    question=QUESTION,
    refs=REFS,
)
