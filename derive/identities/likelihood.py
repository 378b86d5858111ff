r"""3.1 The probabilistic view of supervised learning: losses are negative log-likelihoods,
regularisers are negative log-priors, and a VAE trains on a Gaussian KL and a reparameterised
gradient.

- ``mle-cross-entropy``: maximum likelihood is minimum cross-entropy; a Gaussian likelihood gives
  the squared error;
- ``map-ridge`` (headline): a Gaussian prior on the weights is L2 regularisation with
  :math:`\lambda = \sigma^2/\tau^2`, and the MAP estimate is ridge regression;
- ``map-lasso``: a Laplace prior is L1 regularisation, and the 1-D MAP estimate a soft threshold;
- ``kl-gaussian-standard``: the KL term of the VAE objective in closed form;
- ``reparameterization``: gradients of :math:`\mathbb E[f(\mu + s\varepsilon)]` in :math:`\mu` and :math:`s`.
"""

from __future__ import annotations

import numpy as np
import sympy as sp
from sympy import Derivative, Eq, Gt, Matrix, Subs, log, symbols

from ..derivation import Derivation
from ..identity import Question, Ref, Statement, identity
from ..moves.gaussian import log_normal_pdf, normal_pdf
from ..numeric.crosscheck import CheckContext, CrossCheckResult, combine
from ..numeric.domains import positive, real, vector

# ------------------------------------------------------------------------------------------ map-ridge
sigma = positive(5, lo=0.2).symbol("sigma")  # noise standard deviation (not the sigmoid in this chapter)
tau = positive(5, lo=0.2).symbol("tau")  # prior standard deviation of each weight
w = real(-2, 2).symbol("w")
Sxx, Syy = positive(20).symbol("Sxx"), positive(20).symbol("Syy")
Sxy = real(-20, 20).symbol("Sxy")
w_map = sp.Symbol("w_MAP", real=True)  # the unknown of the stationarity equation
xs = symbols("x1:4", real=True)  # n = 3 observations (x_i, y_i) for the likelihood chain
ys = symbols("y1:4", real=True)
LAMBDA = sigma**2 / tau**2

# the 2x2 matrix form: X is 2x2, y in R^2, w = (w1, w2) the unknowns
X2 = Matrix(2, 2, symbols("x11 x12 x21 x22", real=True))
y2 = Matrix(symbols("y_1 y_2", real=True))
w2 = Matrix(symbols("w1 w2", real=True))
w2_map = Matrix(symbols("w1_MAP w2_MAP", real=True))  # the unknowns of the 2x2 stationarity equations
GRAM = X2.T * X2 + LAMBDA * sp.eye(2)  # X^T X + lambda I, entries kept as sums (SymPy does not expand them)
XTY = X2.T * y2
# (X^T X + lambda I)^-1 X^T y by the adjugate formula, with the determinant left unexpanded for the sheet
RIDGE_2X2 = Matrix(
    [
        (GRAM[1, 1] * XTY[0] - GRAM[0, 1] * XTY[1]) / (GRAM[0, 0] * GRAM[1, 1] - GRAM[0, 1] ** 2),
        (GRAM[0, 0] * XTY[1] - GRAM[0, 1] * XTY[0]) / (GRAM[0, 0] * GRAM[1, 1] - GRAM[0, 1] ** 2),
    ]
)

NEG_LOG_POSTERIOR_3 = -(
    sum(log(normal_pdf(yi, w * xi, sigma)) for xi, yi in zip(xs, ys, strict=True)) + log(normal_pdf(w, 0, tau))
)
SQUARED_ERROR_3 = sum((yi - w * xi) ** 2 for xi, yi in zip(xs, ys, strict=True))
RIDGE_DATA_1D = (Syy - 2 * w * Sxy + w**2 * Sxx) / (2 * sigma**2)  # the squared error, written with the sums
RIDGE_PENALTY_1D = w**2 / (2 * tau**2)
RIDGE_LOSS_1D = RIDGE_DATA_1D + RIDGE_PENALTY_1D


def _neg_log_posterior(X: np.ndarray, y: np.ndarray, wv: np.ndarray, s: float, t: float) -> float:
    """-log p(y | w) - log p(w) from the two Gaussian densities, evaluated term by term."""
    resid = y - X @ wv
    log_lik = np.sum(-(resid**2) / (2 * s**2) - np.log(np.sqrt(2 * np.pi) * s))
    log_prior = np.sum(-(wv**2) / (2 * t**2) - np.log(np.sqrt(2 * np.pi) * t))
    return float(-(log_lik + log_prior))


def _ridge_check(ctx: CheckContext) -> CrossCheckResult:
    """Minimise the negative log posterior numerically (scipy BFGS / Brent) on random data and compare
    with the 1-D closed form (derived) and with (X^T X + lambda I)^-1 X^T y at n = 40, d = 5."""
    from scipy.optimize import minimize, minimize_scalar

    closed_1d = ctx.numpy(ctx.result, [Sxx, Sxy, sigma, tau])
    got, expected = [], []
    for _ in range(8):
        x, y = ctx.rng.normal(size=30), ctx.rng.normal(size=30)
        s, t = ctx.rng.uniform(0.3, 3.0, size=2)
        res = minimize_scalar(
            lambda v, x=x, y=y, s=s, t=t: _neg_log_posterior(x[:, None], y, np.array([v]), s, t),
            bracket=(-1.0, 1.0),
            tol=1e-12,
        )
        got.append(res.x)
        expected.append(closed_1d(np.sum(x * x), np.sum(x * y), s, t))
    one_d = ctx.compare(
        "1-D: argmin of -log posterior", "scipy Brent minimisation", np.array(got), np.array(expected), rtol=1e-6
    )

    got_m, expected_m = [], []
    for _ in range(4):
        X, y = ctx.rng.normal(size=(40, 5)), ctx.rng.normal(size=40)
        s, t = ctx.rng.uniform(0.3, 3.0, size=2)
        res = minimize(
            lambda v, X=X, y=y, s=s, t=t: _neg_log_posterior(X, y, v, s, t),
            np.zeros(5),
            jac=lambda v, X=X, y=y, s=s, t=t: -X.T @ (y - X @ v) / s**2 + v / t**2,
            method="BFGS",
            options={"gtol": 1e-11},
        )
        got_m.append(res.x)
        expected_m.append(np.linalg.solve(X.T @ X + (s**2 / t**2) * np.eye(5), X.T @ y))
    matrix = ctx.compare(
        "40 x 5: argmin of -log posterior vs (X^T X + lambda I)^-1 X^T y",
        "scipy BFGS minimisation; numpy.linalg.solve",
        np.array(got_m),
        np.array(expected_m),
        rtol=1e-6,
    )
    return combine(one_d, matrix)


@identity(
    "map-ridge",
    aliases=("map-l2", "map-gaussian-prior", "ridge-map"),
    title="MAP with a Gaussian prior is ridge regression",
    section="3.1",
    map_row=r"MAP with Gaussian prior $=$ L2 regularisation ($\lambda = \sigma^2/\tau^2$)",
    variables={
        w: real(-2, 2),
        sigma: positive(5, lo=0.2),  # beyond these the densities underflow in float64: nothing is tested there
        tau: positive(5, lo=0.2),
        Sxx: positive(20),
        Sxy: real(-20, 20),
        Syy: positive(20),
        **{v: real(-2, 2) for v in xs},
        **{v: real(-3, 3) for v in ys},
        w_map: vector(1),
        **{v: real(-3, 3) for v in (*X2, *y2)},
        **{v: real(-5, 5) for v in w2},
        tuple(w2_map): vector(2),
    },
    claim=Statement(
        "MAP (1-D)",
        Eq(w_map, Sxy / (Sxx + sigma**2 / tau**2)),
        text=r"with $S_{xx} = \sum_i x_i^2$, $S_{xy} = \sum_i x_i y_i$: ridge with $\lambda = \sigma^2/\tau^2$",
    ),
    also=[
        Statement(
            "neg log posterior",
            Eq(
                NEG_LOG_POSTERIOR_3,
                SQUARED_ERROR_3 / (2 * sigma**2)
                + w**2 / (2 * tau**2)
                + 3 * log(2 * sp.pi * sigma**2) / 2
                + log(2 * sp.pi * tau**2) / 2,
            ),
            text=r"$-\log p(y\mid w) - \log p(w)$ is the squared error over $2\sigma^2$ plus the L2 penalty "
            r"$w^2/(2\tau^2)$ plus a constant",
        ),
        Statement(
            "convex",
            Gt(Derivative(RIDGE_LOSS_1D, (w, 2)), 0),
            text="the loss is strictly convex, so the stationary point is the unique minimiser",
        ),
        Statement(
            "ridge (2x2)",
            Eq(w2_map, RIDGE_2X2),
            text=r"$w_{\mathrm{MAP}} = (X^\top X + \lambda I)^{-1} X^\top y$, $\lambda = \sigma^2/\tau^2$",
        ),
    ],
    crosscheck=_ridge_check,
    question=Question(
        target=Sxy / (Sxx + sigma**2 / tau**2),
        prompt=r"Observations $y_i = w x_i + \varepsilon_i$, $\varepsilon_i \sim \mathcal N(0, \sigma^2)$ i.i.d., "
        r"prior $w \sim \mathcal N(0, \tau^2)$. Find the MAP estimate of $w$ in terms of "
        r"$S_{xx} = \sum_i x_i^2$ and $S_{xy} = \sum_i x_i y_i$.",
        names={"S_xy": Sxy, "S_xx": Sxx},
        approximations={
            r"$\lambda$ inverted: the penalty is $\sigma^2/\tau^2$, not $\tau^2/\sigma^2$": Sxy
            / (Sxx + tau**2 / sigma**2),
            "this is the least-squares (maximum likelihood) estimate: the prior is missing": Sxy / Sxx,
            r"the prior adds $\sigma^2/\tau^2$, not $1/\tau^2$ (forgot to multiply through by $\sigma^2$)": Sxy
            / (Sxx + 1 / tau**2),
        },
    ),
    refs=(
        Ref.book("C. M. Bishop (2006), Pattern Recognition and Machine Learning", where="Sec. 3.3.1, eq. (3.55)"),
        Ref.book("K. P. Murphy (2012), Machine Learning: A Probabilistic Perspective", where="Sec. 7.5"),
        Ref.book("A. E. Hoerl and R. W. Kennard (1970), Ridge regression, Technometrics 12(1)"),
    ),
)
def map_ridge(d: Derivation) -> None:
    r"""With Gaussian noise $y = Xw + \varepsilon$, $\varepsilon \sim \mathcal N(0, \sigma^2 I)$, and a
    Gaussian prior $w \sim \mathcal N(0, \tau^2 I)$, the negative log posterior is the squared error
    over $2\sigma^2$ plus $\|w\|^2/(2\tau^2)$: weight decay \emph{is} a Gaussian prior, and its
    strength is the ratio $\lambda = \sigma^2/\tau^2$ of noise to prior variance. The MAP estimate is
    ridge regression, $w = (X^\top X + \lambda I)^{-1}X^\top y$."""
    d.begin(NEG_LOG_POSTERIOR_3, r"$-\log p(w\mid y) = -\log p(y\mid w) - \log p(w) + \log p(y)$", scope="for n = 3")
    d.then(
        lambda e: sp.expand_log(e, force=True),
        r"the log of each density: $\log\mathcal N(v; m, s^2) = -\frac{(v-m)^2}{2s^2} - \log(\sqrt{2\pi}s)$",
    )
    d.then(
        -(sum(log_normal_pdf(yi, w * xi, sigma) for xi, yi in zip(xs, ys, strict=True)) + log_normal_pdf(w, 0, tau)),
        "collect each density's constant",
    )
    d.then(
        SQUARED_ERROR_3 / (2 * sigma**2)
        + w**2 / (2 * tau**2)
        + 3 * log(2 * sp.pi * sigma**2) / 2
        + log(2 * sp.pi * tau**2) / 2,
        r"squared error $/2\sigma^2$, penalty $w^2/2\tau^2$, and constants free of $w$ (dropped below)",
    )
    d.conclude("neg log posterior")

    d.begin(SQUARED_ERROR_3, scope="for n = 3", title="The squared error through the sums")
    d.then(lambda e: sp.collect(sp.expand(e), w), "expand the squares and collect powers of $w$")
    d.note(
        r"that is, $S_{yy} - 2wS_{xy} + w^2S_{xx}$ with $S_{xx} = \sum_i x_i^2$, $S_{xy} = \sum_i x_i y_i$, "
        r"$S_{yy} = \sum_i y_i^2$"
    )
    d.finish()

    d.begin(
        Eq(Subs(Derivative(RIDGE_DATA_1D, w), w, w_map) + Subs(Derivative(RIDGE_PENALTY_1D, w), w, w_map), 0),
        r"stationarity of the loss $\frac{S_{yy} - 2wS_{xy} + w^2S_{xx}}{2\sigma^2} + \frac{w^2}{2\tau^2}$ "
        r"(the negative log posterior without its constant) at $w_{\mathrm{MAP}}$",
    )
    d.then(lambda e: e.doit(), "differentiate")
    d.solve(w_map, "solve the linear equation")
    d.then(
        Eq(w_map, Sxy / (Sxx + sigma**2 / tau**2)), r"divide by $\tau^2$: the ridge penalty $\lambda = \sigma^2/\tau^2$"
    )
    d.conclude("MAP (1-D)")

    d.begin(Derivative(RIDGE_LOSS_1D, (w, 2)))
    d.then(lambda e: e.doit(), "differentiate twice")
    d.bound(0, r"$S_{xx} > 0$, $\sigma, \tau > 0$", relation=">")
    d.conclude("convex")

    pred = X2 * w2
    nll = -sum(log(normal_pdf(y2[k], pred[k], sigma)) for k in range(2))
    nlprior = -sum(log(normal_pdf(w2[j], 0, tau)) for j in range(2))
    at_map = (tuple(w2), tuple(w2_map))
    d.begin(
        Eq(
            Matrix([Subs(Derivative(nll, wj), *at_map) + Subs(Derivative(nlprior, wj), *at_map) for wj in w2]),
            sp.zeros(2, 1),
        ),
        r"stationarity of $-\log p(y\mid w) - \log p(w)$ at $w_{\mathrm{MAP}}$, "
        r"for $y \sim \mathcal N(Xw, \sigma^2 I)$, $w \sim \mathcal N(0, \tau^2 I)$",
        scope="for a symbolic 2x2 X",
    )
    d.then(lambda e: Eq(e.lhs.doit().applyfunc(sp.expand), e.rhs), "the gradient; the constants drop out")
    d.solve(list(w2_map), "solve the 2x2 linear system (the normal equations)")
    d.then(Eq(w2_map, RIDGE_2X2), r"$= (X^\top X + \lambda I)^{-1} X^\top y$ with $\lambda = \sigma^2/\tau^2$")
    d.conclude("ridge (2x2)")
