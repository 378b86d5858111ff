r"""MAP with a Gaussian prior is ridge regression.

With Gaussian noise $y = Xw + \varepsilon$, $\varepsilon\sim\mathcal N(0, \sigma^2 I)$, and a Gaussian prior
$w\sim\mathcal N(0, \tau^2 I)$, the negative log posterior is the squared error over $2\sigma^2$ plus
$\|w\|^2/(2\tau^2)$: weight decay is a Gaussian prior of strength $\lambda = \sigma^2/\tau^2$, and the MAP
estimate is ridge regression $(X^\top X + \lambda I)^{-1}X^\top y$ (map 3.1, MAP with a Gaussian prior $=$ L2
regularisation). Bishop (2006), Pattern Recognition and Machine Learning, Sec. 3.3.1.
"""

from __future__ import annotations

import numpy as np
import sympy as sp
from sympy import Derivative, Eq, Gt, Matrix, Subs, Sum, log, symbols

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
    real,
    vector,
)
from derive.core.facts import INVERSE
from derive.core.linked import DefinedInverse, MatrixEntry
from derive.maths.gaussian import log_normal_pdf, normal_pdf
from derive.maths.indexed import collapse, sift

from ._shared import CROSS, NOISE, SQUARES, WEIGHT, Sxx, Sxy, Syy, sigma, w

# -- symbols ---------------------------------------------------------------------------------------
# sigma, w and the sums Sxx, Sxy, Syy are the chapter's (_shared), as on the map-lasso page
OBSERVATIONS = integer(1, 6)
FEATURES = integer(1, 4)
DATA_X, DATA_Y = real(-2, 2), real(-3, 3)
ENTRY, UNKNOWN = real(-3, 3), real(-5, 5)
tau = NOISE.symbol("tau")  # prior standard deviation of each weight
w_map = sp.Symbol("w_MAP", real=True)  # the unknown of the stationarity equation
n_obs = OBSERVATIONS.symbol("n")  # number of observations (x_i, y_i)
i_obs = sp.Symbol("i", integer=True)
xi_, yi_ = sp.IndexedBase("x", real=True), sp.IndexedBase("y", real=True)
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

# any size: n observations, p features, X[i, k] the design matrix, w[k] the weights
p_feat = FEATURES.symbol("p")  # named p (X is n x p): the ladder decides j <= p, see report
j_feat, k_feat = sp.Symbol("j", integer=True), sp.Symbol("k", integer=True)
# the weight vector's label is a plain "w" (no assumptions), distinct from the real scalar w of the 1-D part
X_ik, w_k = sp.IndexedBase("X", real=True), sp.IndexedBase("w")
FEATS = (k_feat, 1, p_feat)
PRED_I = Sum(X_ik[i_obs, k_feat] * w_k[k_feat], FEATS)  # (Xw)_i
NLP_ANY = -(
    Sum(log_normal_pdf(yi_[i_obs], PRED_I, sigma), (i_obs, 1, n_obs)) + Sum(log_normal_pdf(w_k[k_feat], 0, tau), FEATS)
)
# (X^T (Xw - y) + lambda w)_j / sigma^2
NORMAL_EQ_J = (Sum(X_ik[i_obs, j_feat] * (PRED_I - yi_[i_obs]), (i_obs, 1, n_obs)) + LAMBDA * w_k[j_feat]) / sigma**2

#: M = X^T X + lambda I, defined from the data (positive definite for lambda > 0), and its named inverse
a_, b_, t_ = sp.symbols("a b t", integer=True, positive=True)
Minv = sp.IndexedBase("M^{-1}", real=True)


class RidgeGram(MatrixEntry):
    r""":math:`M_{ab} = (X^\top X + \lambda I)_{ab}`, :math:`\lambda = \sigma^2/\tau^2`."""

    tex = "M"


M_BODY = Sum(X_ik[i_obs, a_] * X_ik[i_obs, b_], (i_obs, 1, n_obs)) + LAMBDA * sp.KroneckerDelta(a_, b_)
M_INVERSE = INVERSE.applied(DefinedInverse(RidgeGram(a_, b_), M_BODY, Minv, p_feat))
XTY_T = Sum(X_ik[i_obs, t_] * yi_[i_obs], (i_obs, 1, n_obs))  # (X^T y)_t


def ridge_weight(k: sp.Expr) -> sp.Expr:
    r""":math:`w_k = \bigl((X^\top X + \lambda I)^{-1}X^\top y\bigr)_k = \sum_t (M^{-1})_{kt}(X^\top y)_t`."""
    return Sum(Minv[k, t_] * XTY_T, (t_, 1, p_feat))


#: the gradient entry j of the negative log posterior at w = M^-1 X^T y
GRADIENT_AT_RIDGE = notation(
    r"\frac{\partial(-\log p(w\mid y))}{\partial w_j}\Big|_{w = (X^\top X + \lambda I)^{-1}X^\top y}",
    NORMAL_EQ_J.replace(lambda e: isinstance(e, sp.Indexed) and e.base == w_k, lambda e: ridge_weight(e.indices[0])),
    "d(-log p(w|y))/dw_j at the ridge solution",
)

OBS = (i_obs, 1, n_obs)
NEG_LOG_POSTERIOR = -(Sum(log(normal_pdf(yi_[i_obs], w * xi_[i_obs], sigma)), OBS) + log(normal_pdf(w, 0, tau)))
SQUARED_ERROR = Sum((yi_[i_obs] - w * xi_[i_obs]) ** 2, OBS)

# compact names for the statement (the ladder unfolds them through ``definitions=``)
NLP_NAME = named_function("NegLogPosterior", r"-\log p(y\mid w) - \log p(w)", show_args=False)(w)
SSE_NAME = named_function("SquaredError", r"\textstyle\sum_{i=1}^{n}(y_i - w x_i)^2", show_args=False)(w)
RIDGE_DATA_1D = (Syy - 2 * w * Sxy + w**2 * Sxx) / (2 * sigma**2)  # the squared error, written with the sums
RIDGE_PENALTY_1D = w**2 / (2 * tau**2)
RIDGE_LOSS_1D = RIDGE_DATA_1D + RIDGE_PENALTY_1D

# -- what is claimed -------------------------------------------------------------------------------
CLAIM = Statement(
    "MAP (1-D)",
    Eq(w_map, Sxy / (Sxx + sigma**2 / tau**2)),
    text=r"with $S_{xx} = \sum_i x_i^2$, $S_{xy} = \sum_i x_i y_i$: ridge with $\lambda = \sigma^2/\tau^2$",
)
NEG_LOG_POSTERIOR_FORM = Statement(
    "neg log posterior",
    Eq(
        NLP_NAME,
        SSE_NAME / (2 * sigma**2)
        + w**2 / (2 * tau**2)
        + n_obs * log(2 * sp.pi * sigma**2) / 2
        + log(2 * sp.pi * tau**2) / 2,
    ),
    text=r"$-\log p(y\mid w) - \log p(w)$ is the squared error over $2\sigma^2$ plus the L2 penalty "
    r"$w^2/(2\tau^2)$ plus a constant",
)
CONVEX = Statement(
    "convex",
    Gt(Derivative(RIDGE_LOSS_1D, (w, 2)), 0),
    text="the loss is strictly convex, so the stationary point is the unique minimiser",
)
GRADIENT_ANY = Statement(
    "gradient (any size)",
    Eq(Derivative(NLP_ANY, w_k[j_feat]), NORMAL_EQ_J),
    text=r"for any $n \times p$ design matrix: $\nabla_w(-\log p(w\mid y)) = \bigl(X^\top(Xw - y) + \lambda w\bigr)"
    r"/\sigma^2$, $\lambda = \sigma^2/\tau^2$",
)
RIDGE_MATRIX = Statement(
    "ridge (any size)",
    Eq(GRADIENT_AT_RIDGE, 0),
    text=r"for any $n \times p$ design matrix: the gradient vanishes at "
    r"$w_{\mathrm{MAP}} = (X^\top X + \lambda I)^{-1} X^\top y$, $\lambda = \sigma^2/\tau^2$; as "
    r"$X^\top X + \lambda I$ is positive definite the loss is strictly convex and this stationary point is the MAP "
    r"estimate, ridge regression",
)

# -- the homework question, and where the identity comes from --------------------------------------
QUESTION = Question(
    target=Sxy / (Sxx + sigma**2 / tau**2),
    prompt=r"Observations $y_i = w x_i + \varepsilon_i$, $\varepsilon_i \sim \mathcal N(0, \sigma^2)$ i.i.d., "
    r"prior $w \sim \mathcal N(0, \tau^2)$. Find the MAP estimate of $w$ in terms of "
    r"$S_{xx} = \sum_i x_i^2$ and $S_{xy} = \sum_i x_i y_i$.",
    names={"S_xy": Sxy, "S_xx": Sxx},
    approximations={
        r"$\lambda$ inverted: the penalty is $\sigma^2/\tau^2$, not $\tau^2/\sigma^2$": Sxy / (Sxx + tau**2 / sigma**2),
        "this is the least-squares (maximum likelihood) estimate: the prior is missing": Sxy / Sxx,
        r"the prior adds $\sigma^2/\tau^2$, not $1/\tau^2$ (forgot to multiply through by $\sigma^2$)": Sxy
        / (Sxx + 1 / tau**2),
    },
)
REFS = (
    Ref.cite("bishop2006", where="Sec. 3.3.1, eq. (3.55)"),
    Ref.cite("murphy2012", where="Sec. 7.5"),
    Ref.cite("hoerl1970"),
)


# -- how it is derived -----------------------------------------------------------------------------
def derivation(d: Derivation) -> None:
    r"""With Gaussian noise $y = Xw + \varepsilon$, $\varepsilon \sim \mathcal N(0, \sigma^2 I)$, and a
    Gaussian prior $w \sim \mathcal N(0, \tau^2 I)$, the negative log posterior is the squared error
    over $2\sigma^2$ plus $\|w\|^2/(2\tau^2)$: weight decay \emph{is} a Gaussian prior, and its
    strength is the ratio $\lambda = \sigma^2/\tau^2$ of noise to prior variance. The MAP estimate is
    ridge regression, $w = (X^\top X + \lambda I)^{-1}X^\top y$."""
    _chain_neg_log_posterior(d)
    _chain_squared_error(d)
    _chain_map_1d(d)
    _chain_convex(d)
    _chain_any_size(d)
    _chain_2x2(d)


def _chain_neg_log_posterior(d: Derivation) -> None:
    d.begin(NLP_NAME, r"$-\log p(w\mid y) = -\log p(y\mid w) - \log p(w) + \log p(y)$")
    d.then(NEG_LOG_POSTERIOR, r"the two Gaussian densities, $n$ independent observations")
    d.then(
        -(Sum(log_normal_pdf(yi_[i_obs], w * xi_[i_obs], sigma), OBS) + log_normal_pdf(w, 0, tau)),
        r"the log of each density: $\log\mathcal N(v; m, s^2) = -\frac{(v-m)^2}{2s^2} - \frac12\log(2\pi s^2)$",
    )
    d.then(
        SQUARED_ERROR / (2 * sigma**2)
        + w**2 / (2 * tau**2)
        + n_obs * log(2 * sp.pi * sigma**2) / 2
        + log(2 * sp.pi * tau**2) / 2,
        r"squared error $/2\sigma^2$, penalty $w^2/2\tau^2$, and constants free of $w$ (dropped below)",
    )
    d.conclude("neg log posterior")


def _chain_squared_error(d: Derivation) -> None:
    d.begin(SQUARED_ERROR, title="The squared error through the sums")
    d.then(
        Sum(yi_[i_obs] ** 2, OBS) - 2 * w * Sum(xi_[i_obs] * yi_[i_obs], OBS) + w**2 * Sum(xi_[i_obs] ** 2, OBS),
        r"expand the square; constants move out of the sums",
    )
    d.note(
        r"that is, $S_{yy} - 2wS_{xy} + w^2S_{xx}$ with $S_{xx} = \sum_i x_i^2$, $S_{xy} = \sum_i x_i y_i$, "
        r"$S_{yy} = \sum_i y_i^2$"
    )
    d.finish()


def _chain_map_1d(d: Derivation) -> None:
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


def _chain_convex(d: Derivation) -> None:
    d.begin(Derivative(RIDGE_LOSS_1D, (w, 2)))
    d.then(lambda e: e.doit(), "differentiate twice")
    d.bound(0, r"$S_{xx} > 0$, $\sigma, \tau > 0$", relation=">")
    d.conclude("convex")


def _chain_any_size(d: Derivation) -> None:
    d.begin(
        Derivative(NLP_ANY, w_k[j_feat]),
        r"the gradient of $-\log p(y\mid w) - \log p(w)$ for $y \sim \mathcal N(Xw, \sigma^2 I)$, "
        r"$w \sim \mathcal N(0, \tau^2 I)$, any $n \times p$ design matrix $X$",
        title="The matrix form, any size",
    )
    d.then(lambda e: e.doit(), r"differentiate; $\partial w_k/\partial w_j = \delta_{jk}$")
    d.then(sift, r"the Kronecker deltas pick $k = j$ (the weight index is in range, $1 \le j \le p$)")
    d.then(NORMAL_EQ_J, r"factor out $1/\sigma^2$: this is $\big(X^\top(Xw - y) + \lambda w\big)_j/\sigma^2$")
    d.conclude("gradient (any size)")

    d.begin(
        GRADIENT_AT_RIDGE,
        r"the gradient at $w_k = \sum_t (M^{-1})_{kt}(X^\top y)_t$, $M = X^\top X + \lambda I$ positive definite for "
        r"$\lambda > 0$, hence invertible",
        title="The ridge solution, any size",
    )
    d.then(
        (Sum(RidgeGram(j_feat, k_feat) * ridge_weight(k_feat), FEATS) - XTY_T.xreplace({t_: j_feat})) / sigma**2,
        r"$X^\top Xw + \lambda w = Mw$: the normal equations $(Mw - X^\top y)_j/\sigma^2$",
    )
    d.assume(M_INVERSE, lambda e: M_INVERSE.rewrite(e), r"$M(M^{-1}X^\top y) = X^\top y$, never expanding $M^{-1}$")
    d.then(collapse, r"the Kronecker delta sifts the sum: $(X^\top y)_j - (X^\top y)_j = 0$")
    d.conclude("ridge (any size)")


def _chain_2x2(d: Derivation) -> None:
    nll = -sum(log_normal_pdf(y2[k], (X2 * w2)[k], sigma) for k in range(2))
    nlprior = -sum(log_normal_pdf(w2[j], 0, tau) for j in range(2))
    at_map = (tuple(w2), tuple(w2_map))
    d.begin(
        Eq(Matrix([Subs(Derivative(nll + nlprior, wj), *at_map) for wj in w2]), sp.zeros(2, 1)),
        r"stationarity of $-\log p(y\mid w) - \log p(w)$ at $w_{\mathrm{MAP}}$ for a $2\times 2$ $X$",
        title="Worked example: the 2x2 solution, solved",
        scope="for a symbolic 2x2 X",
    )
    d.then(lambda e: Eq(e.lhs.doit().applyfunc(sp.expand), e.rhs), "the gradient; the constants drop out")
    d.solve(list(w2_map), r"solve the 2x2 linear system (the normal equations, $\sigma^2 \times$ the gradient)")
    d.then(Eq(w2_map, RIDGE_2X2), r"$= (X^\top X + \lambda I)^{-1} X^\top y$ by the adjugate formula")
    d.finish()


# -- how it is checked -----------------------------------------------------------------------------
def crosscheck(ctx: CheckContext) -> CrossCheckResult:
    """Minimise the negative log posterior numerically (scipy BFGS / Brent) on random data and compare
    with the 1-D closed form (derived) and with (X^T X + lambda I)^-1 X^T y at n = 40, d = 5; and the
    negative log posterior from the product of the densities against its decomposition, n = 1..8."""
    return combine(_argmin_1d(ctx), _argmin_matrix(ctx), _decomposition(ctx))


def _neg_log_posterior(X: np.ndarray, y: np.ndarray, wv: np.ndarray, s: float, t: float) -> float:
    """-log p(y | w) - log p(w) from the two Gaussian densities, evaluated term by term."""
    resid = y - X @ wv
    log_lik = np.sum(-(resid**2) / (2 * s**2) - np.log(np.sqrt(2 * np.pi) * s))
    log_prior = np.sum(-(wv**2) / (2 * t**2) - np.log(np.sqrt(2 * np.pi) * t))
    return float(-(log_lik + log_prior))


def _argmin_1d(ctx: CheckContext) -> CrossCheckResult:
    """scipy's Brent minimisation of the 1-D negative log posterior against the derived closed form."""
    from scipy.optimize import minimize_scalar

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
    return ctx.compare(
        "1-D: argmin of -log posterior", "scipy Brent minimisation", np.array(got), np.array(expected), rtol=1e-6
    )


def _argmin_matrix(ctx: CheckContext) -> CrossCheckResult:
    """scipy's BFGS minimisation at n = 40, d = 5 against (X^T X + lambda I)^-1 X^T y."""
    from scipy.optimize import minimize

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
    return ctx.compare(
        "40 x 5: argmin of -log posterior vs (X^T X + lambda I)^-1 X^T y",
        "scipy BFGS minimisation; numpy.linalg.solve",
        np.array(got_m),
        np.array(expected_m),
        rtol=1e-6,
    )


def _decomposition(ctx: CheckContext) -> CrossCheckResult:
    """The decomposition of -log p(y | w) - log p(w), product of densities first, n = 1..8."""
    nlp_got, nlp_expected = [], []
    for k in range(1, 9):
        x, y = ctx.rng.uniform(-2, 2, size=k), ctx.rng.uniform(-3, 3, size=k)
        wv, s, t = ctx.rng.uniform(-2, 2), ctx.rng.uniform(0.3, 3.0), ctx.rng.uniform(0.3, 3.0)
        density = np.prod(np.exp(-((y - wv * x) ** 2) / (2 * s**2)) / (np.sqrt(2 * np.pi) * s))
        prior = np.exp(-(wv**2) / (2 * t**2)) / (np.sqrt(2 * np.pi) * t)
        nlp_got.append(-np.log(density * prior))
        nlp_expected.append(
            np.sum((y - wv * x) ** 2) / (2 * s**2)
            + wv**2 / (2 * t**2)
            + k * np.log(2 * np.pi * s**2) / 2
            + np.log(2 * np.pi * t**2) / 2
        )
    return ctx.compare(
        "-log p(y|w) - log p(w) vs squared error + penalty + constant",
        "product of the densities (numpy)",
        np.array(nlp_got),
        np.array(nlp_expected),
        rtol=1e-11,
    )


# -- the declaration -------------------------------------------------------------------------------
MAP_RIDGE = declare(
    "map-ridge",
    aliases=("map-l2", "map-gaussian-prior", "ridge-map"),
    title="MAP with a Gaussian prior is ridge regression",
    section="3.1",
    map_row=r"MAP with Gaussian prior $=$ L2 regularisation ($\lambda = \sigma^2/\tau^2$)",
    variables={
        w: WEIGHT,
        sigma: NOISE,  # beyond these the densities underflow in float64: nothing is tested there
        tau: NOISE,
        Sxx: SQUARES,
        Sxy: CROSS,
        Syy: SQUARES,
        n_obs: OBSERVATIONS,
        xi_: DATA_X,
        yi_: DATA_Y,
        w_map: vector(1),
        **{v: ENTRY for v in (*X2, *y2)},
        **{v: UNKNOWN for v in w2},
        tuple(w2_map): vector(2),
        p_feat: FEATURES,
        j_feat: integer(1, p_feat),
        X_ik: DATA_X,
        w_k: WEIGHT,
        Minv: ENTRY,
    },
    definitions={NLP_NAME: NEG_LOG_POSTERIOR, SSE_NAME: SQUARED_ERROR, RidgeGram(a_, b_): M_BODY},
    claim=CLAIM,
    also=(NEG_LOG_POSTERIOR_FORM, CONVEX, GRADIENT_ANY, RIDGE_MATRIX),
    derivation=derivation,
    crosscheck=crosscheck,
    question=QUESTION,
    refs=REFS,
)
