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
from sympy import Derivative, Eq, Gt, Matrix, Subs, Sum, log, symbols

from derive.core.derivation import Derivation
from derive.core.identity import Question, Ref, identity
from derive.core.statements import Statement
from derive.identities.norms import CASES as L1_PROX
from derive.identities.norms import lam1 as L1_LAMBDA
from derive.identities.norms import z as L1_Z
from derive.maths.domains import integer, positive, probability, real, vector
from derive.maths.gaussian import expectation, integrate, log_normal_pdf, normal_pdf
from derive.maths.indexed import sift
from derive.maths.notation import named_function
from derive.numeric.crosscheck import CheckContext, CrossCheckResult, combine
from derive.numeric.montecarlo import agrees, estimate, normal_expectation, normal_quad

# ------------------------------------------------------------------------------------------ map-ridge
sigma = positive(5, lo=0.2).symbol("sigma")  # noise standard deviation (not the sigmoid in this chapter)
tau = positive(5, lo=0.2).symbol("tau")  # prior standard deviation of each weight
w = real(-2, 2).symbol("w")
Sxx, Syy = positive(20).symbol("Sxx"), positive(20).symbol("Syy")
Sxy = real(-20, 20).symbol("Sxy")
w_map = sp.Symbol("w_MAP", real=True)  # the unknown of the stationarity equation
n_obs = integer(1, 6).symbol("n")  # number of observations (x_i, y_i)
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
p_feat = integer(1, 4).symbol("p")  # named p (X is n x p): the ladder decides j <= p, see report
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

OBS = (i_obs, 1, n_obs)
NEG_LOG_POSTERIOR = -(Sum(log(normal_pdf(yi_[i_obs], w * xi_[i_obs], sigma)), OBS) + log(normal_pdf(w, 0, tau)))
SQUARED_ERROR = Sum((yi_[i_obs] - w * xi_[i_obs]) ** 2, OBS)

# compact names for the statement (the ladder unfolds them through ``definitions=``)
NLP_NAME = named_function("NegLogPosterior", r"-\log p(y\mid w) - \log p(w)", show_args=False)(w)
SSE_NAME = named_function("SquaredError", r"\textstyle\sum_{i=1}^{n}(y_i - w x_i)^2", show_args=False)(w)
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
    with the 1-D closed form (derived) and with (X^T X + lambda I)^-1 X^T y at n = 40, d = 5; and the
    negative log posterior from the product of the densities against its decomposition, n = 1..8."""
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
    nlp_got, nlp_expected = [], []
    for k in range(1, 9):  # the decomposition of -log p(y | w) - log p(w), product of densities first
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
    nlp = ctx.compare(
        "-log p(y|w) - log p(w) vs squared error + penalty + constant",
        "product of the densities (numpy)",
        np.array(nlp_got),
        np.array(nlp_expected),
        rtol=1e-11,
    )
    return combine(one_d, matrix, nlp)


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
        n_obs: integer(1, 6),
        xi_: real(-2, 2),
        yi_: real(-3, 3),
        w_map: vector(1),
        **{v: real(-3, 3) for v in (*X2, *y2)},
        **{v: real(-5, 5) for v in w2},
        tuple(w2_map): vector(2),
        p_feat: integer(1, 4),
        j_feat: integer(1, p_feat),
        X_ik: real(-2, 2),
        w_k: real(-2, 2),
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
                NLP_NAME,
                SSE_NAME / (2 * sigma**2)
                + w**2 / (2 * tau**2)
                + n_obs * log(2 * sp.pi * sigma**2) / 2
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
    definitions={NLP_NAME: NEG_LOG_POSTERIOR, SSE_NAME: SQUARED_ERROR},
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

    d.begin(
        Derivative(NLP_ANY, w_k[j_feat]),
        r"the gradient of $-\log p(y\mid w) - \log p(w)$ for $y \sim \mathcal N(Xw, \sigma^2 I)$, "
        r"$w \sim \mathcal N(0, \tau^2 I)$, any $n \times p$ design matrix $X$",
        title="The matrix form, any size",
    )
    d.then(lambda e: e.doit(), r"differentiate; $\partial w_k/\partial w_j = \delta_{jk}$")
    d.then(sift, r"the Kronecker deltas pick $k = j$ (the weight index is in range, $1 \le j \le p$)")
    d.then(NORMAL_EQ_J, r"factor out $1/\sigma^2$: this is $\big(X^\top(Xw - y) + \lambda w\big)_j/\sigma^2$")
    d.note(
        r"setting it to zero gives the normal equations $(X^\top X + \lambda I)\,w_{\mathrm{MAP}} = X^\top y$; "
        r"$X^\top X + \lambda I$ is positive definite for $\lambda > 0$, so $w_{\mathrm{MAP}} = (X^\top X + "
        r"\lambda I)^{-1}X^\top y$. The sifting link is checked numerically (nested sums): the statement below "
        r"is proved symbolically for a 2x2 $X$"
    )
    d.finish()

    nll = -sum(log_normal_pdf(y2[k], (X2 * w2)[k], sigma) for k in range(2))
    nlprior = -sum(log_normal_pdf(w2[j], 0, tau) for j in range(2))
    at_map = (tuple(w2), tuple(w2_map))
    d.begin(
        Eq(Matrix([Subs(Derivative(nll + nlprior, wj), *at_map) for wj in w2]), sp.zeros(2, 1)),
        r"stationarity of $-\log p(y\mid w) - \log p(w)$ at $w_{\mathrm{MAP}}$ for a $2\times 2$ $X$",
        title="The 2x2 solution",
        scope="for a symbolic 2x2 X",
    )
    d.then(lambda e: Eq(e.lhs.doit().applyfunc(sp.expand), e.rhs), "the gradient; the constants drop out")
    d.solve(list(w2_map), r"solve the 2x2 linear system (the normal equations, $\sigma^2 \times$ the gradient)")
    d.then(Eq(w2_map, RIDGE_2X2), r"$= (X^\top X + \lambda I)^{-1} X^\top y$ by the adjugate formula")
    d.conclude("ridge (2x2)")


# ------------------------------------------------------------------------------------ mle-cross-entropy
K_cls = integer(2, 8).symbol("K")  # number of classes
k_cls, j_cls = sp.Symbol("k", integer=True), sp.Symbol("j", integer=True)
q_cls = sp.IndexedBase("q", positive=True)  # model probabilities q_k
n_cls = sp.IndexedBase("n", positive=True)  # class counts n_k in the data set
y_obs, f_pred = real(-3, 3).symbol("y"), real(-3, 3).symbol("f")
N_TOTAL = Sum(n_cls[j_cls], (j_cls, 1, K_cls))
CLASSES = (k_cls, 1, K_cls)
CE_NLL = -log(sp.Product(q_cls[k_cls] ** n_cls[k_cls], CLASSES)) / N_TOTAL  # mean NLL through the counts
CE_EMPIRICAL = -Sum(n_cls[k_cls] / N_TOTAL * log(q_cls[k_cls]), CLASSES)  # H(p_hat, q)
GAUSS_NLL = -log(normal_pdf(y_obs, f_pred, sigma))


def _mle_check(ctx: CheckContext) -> CrossCheckResult:
    """Draw labels and Gaussian targets; the NLL from a loop over data points (density values
    multiplied, then -log) against the cross-entropy of the empirical distribution and the MSE form."""
    got, expected = [], []
    for _ in range(16):
        q = ctx.rng.dirichlet(np.ones(3))
        labels = ctx.rng.integers(0, 3, size=40)
        likelihood = 1.0
        for k in labels:  # the likelihood as a product over the data set, not via counts
            likelihood *= q[k]
        got.append(-np.log(likelihood) / len(labels))
        counts = np.bincount(labels, minlength=3).astype(float)
        expected.append(-np.sum(counts / counts.sum() * np.log(q)))  # H(p_hat, q), the claimed form
    cat = ctx.compare(
        "categorical NLL / N vs H(p_data, q)", "direct product of probabilities", got, expected, rtol=1e-12
    )

    got_g, expected_g = [], []
    for _ in range(16):
        y, f = ctx.rng.normal(size=20), ctx.rng.normal(size=20)
        s = ctx.rng.uniform(0.5, 2.0)
        density = np.exp(-((y - f) ** 2) / (2 * s**2)) / np.sqrt(2 * np.pi * s**2)
        got_g.append(-np.log(np.prod(density)))
        expected_g.append(np.sum((y - f) ** 2) / (2 * s**2) + len(y) * np.log(2 * np.pi * s**2) / 2)
    gauss = ctx.compare("Gaussian NLL vs squared error", "direct product of densities", got_g, expected_g, rtol=1e-10)
    return combine(cat, gauss)


@identity(
    "mle-cross-entropy",
    aliases=("mle-ce", "nll-cross-entropy", "mle-mse"),
    title="Maximum likelihood is minimum cross-entropy",
    section="3.1",
    map_row=r"MLE $=$ minimise cross-entropy loss; a Gaussian likelihood gives the squared error",
    variables={
        K_cls: integer(2, 8),
        q_cls: probability(),
        n_cls: positive(50),
        y_obs: real(-3, 3),
        f_pred: real(-3, 3),
        sigma: positive(5, lo=0.2),
    },
    claim=Statement(
        "cross-entropy",
        Eq(
            CE_NLL,
            CE_EMPIRICAL,
        ),
        text=r"the mean negative log-likelihood of data with class counts $n_k$ is the cross-entropy "
        r"$H(\hat p, q) = -\sum_k \hat p_k \log q_k$ of the empirical distribution $\hat p_k = n_k/N$",
    ),
    also=[
        Statement(
            "Gaussian NLL",
            Eq(GAUSS_NLL, (y_obs - f_pred) ** 2 / (2 * sigma**2) + log(2 * sp.pi * sigma**2) / 2),
            text="a Gaussian likelihood gives the squared error plus a constant",
        ),
        Statement(
            "same gradient",
            Eq(Derivative(GAUSS_NLL, f_pred), Derivative((y_obs - f_pred) ** 2 / 2, f_pred) / sigma**2),
            text=r"so for fixed $\sigma$ the NLL and the squared error have the same minimiser in $f$",
        ),
    ],
    crosscheck=_mle_check,
    question=Question(
        target=(y_obs - f_pred) ** 2 / (2 * sigma**2) + log(2 * sp.pi * sigma**2) / 2,
        prompt=r"Write $-\log \mathcal N(y; f, \sigma^2)$ as a function of the prediction $f$.",
        approximations={
            r"the constant $\frac12\log(2\pi\sigma^2)$ is missing": (y_obs - f_pred) ** 2 / (2 * sigma**2),
            r"the factor $1/(2\sigma^2)$ is missing": (y_obs - f_pred) ** 2 + log(2 * sp.pi * sigma**2) / 2,
        },
    ),
    refs=(
        Ref.book("I. Goodfellow, Y. Bengio and A. Courville (2016), Deep Learning", where="Sec. 5.5"),
        Ref.book("C. M. Bishop (2006), Pattern Recognition and Machine Learning", where="Sec. 1.2.5, 4.3.4"),
    ),
)
def mle_cross_entropy(d: Derivation) -> None:
    r"""Training a classifier by maximum likelihood and training it on the cross-entropy loss are the
    same thing: the mean negative log-likelihood of the data is the cross-entropy between the
    empirical label distribution and the model. With a Gaussian likelihood the same recipe gives
    the squared error, which is why regression is trained with MSE."""
    d.begin(CE_NLL, r"likelihood $\prod_i q_{y_i} = \prod_{k=1}^K q_k^{n_k}$, $N = \sum_j n_j$ data points")
    d.then(lambda e: sp.expand_log(e, force=True), r"the log of a product is the sum of the logs")
    d.then(CE_EMPIRICAL, r"weights $n_k/N = \hat p_k$: the cross-entropy $H(\hat p, q)$")
    d.conclude("cross-entropy")

    d.begin(GAUSS_NLL)
    d.then(lambda e: sp.expand_log(e, force=True), "log of the density")
    d.then((y_obs - f_pred) ** 2 / (2 * sigma**2) + log(2 * sp.pi * sigma**2) / 2, "collect the constant")
    d.conclude("Gaussian NLL")

    d.begin(Derivative(GAUSS_NLL, f_pred))
    d.then(lambda e: sp.factor(e.doit()), "differentiate")
    d.then(
        Derivative((y_obs - f_pred) ** 2 / 2, f_pred) / sigma**2, r"the gradient of $\frac12(y - f)^2$, over $\sigma^2$"
    )
    d.conclude("same gradient")


# ------------------------------------------------------------------------------------------- map-lasso
b_scale = positive(5, lo=0.05).symbol("b")  # Laplace scale
z_ols = real(-5, 5).symbol("z")  # the least-squares estimate Sxy/Sxx
t_thr = positive(5).symbol("t")  # the threshold sigma^2/(b Sxx)
w_pos, w_neg = sp.Symbol("w_+", real=True), sp.Symbol("w_-", real=True)  # unknowns on each branch
LAPLACE_PDF = sp.exp(-sp.Abs(w) / b_scale) / (2 * b_scale)
LASSO_NLP = (Syy - 2 * w * Sxy + w**2 * Sxx) / (2 * sigma**2) + sp.Abs(w) / b_scale
PROX_FORM = (w - Sxy / Sxx) ** 2 / 2 + sigma**2 / (b_scale * Sxx) * sp.Abs(w)
SOFT_THRESHOLD = sp.sign(Sxy) * sp.Max(sp.Abs(Sxy) - sigma**2 / b_scale, 0) / Sxx
# l1-soft-threshold's minimiser of (w - z)^2/2 + lambda |w|, case by case, at this problem's z and lambda
MAP_CASES = L1_PROX.xreplace({L1_Z: Sxy / Sxx, L1_LAMBDA: sigma**2 / (b_scale * Sxx)})


def _lasso_objective(x: np.ndarray, y: np.ndarray, wv: np.ndarray, s: float, b: float) -> np.ndarray:
    """-log p(y | w) - log p(w) (constants kept) for every w in ``wv``, Laplace prior of scale b."""
    resid = y[None, :] - wv[:, None] * x[None, :]
    nll = np.sum(resid**2, axis=1) / (2 * s**2) + len(y) * np.log(np.sqrt(2 * np.pi) * s)
    return nll + np.abs(wv) / b + np.log(2 * b)


def _lasso_problems(
    ctx: CheckContext, count: int, size: int, slope: float
) -> list[tuple[np.ndarray, np.ndarray, float, float]]:
    """``count`` random 1-D problems (x, y = slope x + noise, sigma, b); in half of them the threshold
    sigma^2/b is above |Sxy|, so the MAP estimate is exactly 0."""
    out = []
    for k in range(count):
        x = ctx.rng.normal(size=size)
        y = slope * x + ctx.rng.normal(size=size)
        s = ctx.rng.uniform(0.5, 2.0)
        b = ctx.rng.uniform(0.02, 0.2) if k % 2 else ctx.rng.uniform(0.5, 5.0)
        out.append((x, y, s, b))
    return out


def _grid_argmin(x: np.ndarray, y: np.ndarray, s: float, b: float) -> float:
    """The minimiser of the negative log posterior on a fine grid, refined twice around the best point."""
    centre, half = 0.0, 5.0
    for _ in range(3):
        grid = np.linspace(centre - half, centre + half, 20001)
        centre = grid[np.argmin(_lasso_objective(x, y, grid, s, b))]
        half /= 200.0
    return float(centre)


def _brent_argmin(x: np.ndarray, y: np.ndarray, s: float, b: float) -> float:
    """scipy's bounded Brent search on each half line (the objective is smooth there) and the kink
    w = 0: the best of the three."""
    from scipy.optimize import minimize_scalar

    def obj(v: float) -> float:
        return float(_lasso_objective(x, y, np.array([v]), s, b)[0])

    candidates = [0.0] + [
        minimize_scalar(obj, bounds=side, method="bounded", options={"xatol": 1e-12}).x
        for side in ((1e-15, 20.0), (-20.0, -1e-15))
    ]
    return float(min(candidates, key=obj))


def _lasso_checks(ctx: CheckContext) -> CrossCheckResult:
    """Two independent minimisers of the negative log posterior on random 1-D problems (a refined
    grid; scipy Brent on each half line) against sign(Sxy) max(|Sxy| - sigma^2/b, 0)/Sxx."""
    rule = sp.lambdify([Sxy, Sxx, sigma, b_scale], SOFT_THRESHOLD, "numpy")
    results = []
    for what, method, argmin, (count, size, slope) in (
        ("grid", "grid minimisation (three refinements)", _grid_argmin, (24, 15, 0.3)),
        ("scipy", "scipy bounded Brent on each half line", _brent_argmin, (16, 12, 0.5)),
    ):
        problems = _lasso_problems(ctx, count, size, slope)
        got = np.array([argmin(x, y, s, b) for x, y, s, b in problems])
        expected = np.array([rule(np.sum(x * y), np.sum(x * x), s, b) for x, y, s, b in problems])
        results.append(
            ctx.compare(
                f"{what} argmin of -log posterior vs soft threshold", method, got, expected, rtol=1e-6, floor=1.0
            )
        )
    return combine(*results)


@identity(
    "map-lasso",
    aliases=("map-l1", "map-laplace-prior"),
    title="MAP with a Laplace prior is the lasso",
    section="3.1",
    map_row=r"MAP with Laplace prior $=$ L1 regularisation; in 1-D a soft threshold",
    variables={
        w: real(-2, 2),
        b_scale: positive(5, lo=0.05),
        sigma: positive(5, lo=0.2),
        Sxx: positive(20, lo=0.1),
        Sxy: real(-20, 20),
        Syy: positive(20),
        z_ols: real(-5, 5),
        t_thr: positive(5),
        w_pos: vector(1),
        w_neg: vector(1),
    },
    claim=Statement(
        "penalty",
        Eq(-log(LAPLACE_PDF), sp.Abs(w) / b_scale + log(2 * b_scale)),
        text=r"the negative log of the Laplace prior $p(w) = e^{-|w|/b}/(2b)$ is the L1 penalty $|w|/b$ "
        r"plus a constant",
    ),
    also=[
        Statement(
            "prox form",
            Eq(sigma**2 / Sxx * LASSO_NLP, PROX_FORM + (Syy - Sxy**2 / Sxx) / (2 * Sxx)),
            text=r"times $\sigma^2/S_{xx}$, the negative log posterior is $\frac12(w - S_{xy}/S_{xx})^2 + t|w|$ "
            r"plus a constant: L1 with $\lambda = \sigma^2/b$, threshold $t = \lambda/S_{xx}$",
        ),
        Statement(
            "w > 0", Eq(w_pos, z_ols - t_thr), text=r"on $w > 0$ the stationary point of $\frac12(w-z)^2 + t|w|$"
        ),
        Statement("w < 0", Eq(w_neg, z_ols + t_thr), text=r"on $w < 0$ the stationary point"),
        Statement(
            "soft threshold",
            Eq(MAP_CASES, SOFT_THRESHOLD),
            text=r"hence, by l1-soft-threshold with $z = S_{xy}/S_{xx}$ and $t = \sigma^2/(b S_{xx})$, the minimiser "
            r"$z - t$ if $z > t$, $z + t$ if $z < -t$, else $0$, is $w_{\mathrm{MAP}} = \operatorname{sign}(S_{xy})"
            r"\max(|S_{xy}| - \sigma^2/b, 0)/S_{xx}$",
        ),
    ],
    crosscheck=_lasso_checks,
    question=Question(
        target=SOFT_THRESHOLD,
        prompt=r"Observations $y_i = w x_i + \varepsilon_i$, $\varepsilon_i \sim \mathcal N(0, \sigma^2)$, prior "
        r"$p(w) = e^{-|w|/b}/(2b)$. Give the MAP estimate of $w$ in terms of $S_{xx} = \sum_i x_i^2$, "
        r"$S_{xy} = \sum_i x_i y_i$.",
        names={"S_xy": Sxy, "S_xx": Sxx},
        approximations={
            r"the threshold is $\sigma^2/b$, not $1/b$": sp.sign(Sxy) * sp.Max(sp.Abs(Sxy) - 1 / b_scale, 0) / Sxx,
            "this is the least-squares estimate: the prior is missing": Sxy / Sxx,
            r"the soft threshold of $S_{xy}$ must still be divided by $S_{xx}$": sp.sign(Sxy)
            * sp.Max(sp.Abs(Sxy) - sigma**2 / b_scale, 0),
            r"the threshold is $\sigma^2/b$, not $\sigma^2/(2b)$ (the Laplace penalty is $|w|/b$, not "
            r"$|w|/(2b)$)": sp.sign(Sxy) * sp.Max(sp.Abs(Sxy) - sigma**2 / (2 * b_scale), 0) / Sxx,
        },
    ),
    refs=(
        Ref.book(
            "R. Tibshirani (1996), Regression shrinkage and selection via the lasso, JRSS B 58(1)", where="Sec. 5"
        ),
        Ref.book("K. P. Murphy (2012), Machine Learning: A Probabilistic Perspective", where="Sec. 13.3"),
    ),
    builds_on=("l1-soft-threshold",),
)
def map_lasso(d: Derivation) -> None:
    r"""A Laplace prior $p(w) = e^{-|w|/b}/(2b)$ puts a kink at $w = 0$; its negative log is the L1
    penalty $|w|/b$, so MAP estimation with it is the lasso with $\lambda = \sigma^2/b$. In one
    dimension the minimiser is a soft threshold of the least-squares estimate: small effects are
    set exactly to zero, which is why L1 gives sparse models."""
    d.begin(-log(LAPLACE_PDF))
    d.then(lambda e: sp.expand_log(e, force=True), "log of the density")
    d.conclude("penalty")

    d.begin(
        sigma**2 / Sxx * LASSO_NLP,
        r"Gaussian likelihood (through $S_{xx}, S_{xy}, S_{yy}$, see map-ridge) "
        r"plus the Laplace penalty, scaled by $\sigma^2/S_{xx}$",
    )
    d.then(lambda e: sp.expand(e), "expand")
    d.then(PROX_FORM + (Syy - Sxy**2 / Sxx) / (2 * Sxx), r"complete the square in $w$")
    d.conclude("prox form")

    prox = (w - z_ols) ** 2 / 2 + t_thr * sp.Abs(w)
    for unknown, sign, label in ((w_pos, 1, "w > 0"), (w_neg, -1, "w < 0")):
        branch = prox.subs(sp.Abs(w), sign * w)
        d.begin(
            Eq(Subs(Derivative(branch, w), w, unknown), 0),
            rf"on ${'w > 0' if sign > 0 else 'w < 0'}$, $|w| = {'' if sign > 0 else '-'}w$: stationarity of "
            r"$\frac12(w - z)^2 + t|w|$ with $z = S_{xy}/S_{xx}$, $t = \sigma^2/(b S_{xx})$",
        )
        d.then(lambda e: e.doit(), "differentiate")
        d.solve(unknown, "solve")
        d.note(
            "a valid stationary point only if it has the branch's sign: "
            + (r"$z > t$" if sign > 0 else r"$z < -t$")
            + r"; otherwise the minimum is at the kink $w = 0$ (the soft threshold)"
        )
        d.conclude(label)

    d.begin(
        MAP_CASES,
        r"l1-soft-threshold: the minimiser of $\frac12(w - z)^2 + t|w|$, case by case, at "
        r"$z = S_{xy}/S_{xx}$ and $t = \sigma^2/(b S_{xx})$",
        title="The soft threshold",
    )
    d.then(
        SOFT_THRESHOLD,
        r"$z \mp t = (S_{xy} \mp \sigma^2/b)/S_{xx}$ and $S_{xx} > 0$: the cases are "
        r"$\operatorname{sign}(S_{xy})\max(|S_{xy}| - \sigma^2/b, 0)/S_{xx}$",
    )
    d.conclude("soft threshold")


# -------------------------------------------------------------------------------- kl-gaussian-standard
x = real().symbol("x")
mu = real(-3, 3).symbol("mu")
s = positive(4, lo=0.05).symbol("s")
mus, ss = symbols("mu1 mu2", real=True), symbols("s1 s2", positive=True)
KL_STANDARD = (mu**2 + s**2 - 1 - log(s**2)) / 2
ts2 = symbols("t1 t2", real=True)  # standardised coordinates: x_j = mu_j + s_j t_j
_z2 = [m + v * t for m, v, t in zip(mus, ss, ts2, strict=True)]
# expanded into monomials times the two densities: SymPy's doit (used by the ladder) then takes
# a fraction of a second instead of several seconds
KL_DIAG_2 = sp.Integral(
    sp.expand(
        normal_pdf(ts2[0])
        * normal_pdf(ts2[1])
        * sum(log_normal_pdf(z, m, v) - log_normal_pdf(z) for z, m, v in zip(_z2, mus, ss, strict=True)),
        power_exp=False,
        log=False,
    ),
    (ts2[0], -sp.oo, sp.oo),
    (ts2[1], -sp.oo, sp.oo),
)


KL_NAME = named_function(
    "KLStandard", r"\mathrm{KL}\big(\mathcal N(\mu, s^2)\,\|\,\mathcal N(0, 1)\big)", show_args=False
)(mu, s)
KL2_NAME = named_function(
    "KLDiagonal",
    r"\mathrm{KL}\big(\mathcal N(\mu, \operatorname{diag}(s_1^2, s_2^2))\,\|\,\mathcal N(0, I)\big)",
    show_args=False,
)(*mus, *ss)


def _kl_integral(q: sp.Expr, p: sp.Expr, var: sp.Symbol, mu_q: sp.Expr, s_q: sp.Expr) -> sp.Integral:
    """KL(q || p) = E_q[log(q/p)] for a normal q, as the Gaussian move's integral."""
    return expectation(log(q / p), var, mu_q, s_q)


def _kl_check(ctx: CheckContext) -> CrossCheckResult:
    """QUADPACK integration of q log(q/p), with the log-ratio from the two log-densities (no
    underflow in the tails), against the derived closed form."""
    closed = ctx.numpy(ctx.result, [mu, s])
    values = ctx.sample(16)
    got = [
        normal_quad(
            lambda t, m=m, sd=sd: (-((t - m) ** 2) / (2 * sd**2) - np.log(sd)) - (-(t**2) / 2), float(m), float(sd)
        )
        for m, sd in zip(values[mu], values[s], strict=True)
    ]
    return ctx.compare(
        "KL by quadrature", "numerical integration (QUADPACK)", np.array(got), closed(values[mu], values[s]), rtol=1e-8
    )


@identity(
    "kl-gaussian-standard",
    aliases=("kl-vae", "vae-kl", "kl-standard-normal"),
    title="KL divergence from a Gaussian to the standard normal",
    section="3.1",
    map_row=r"ELBO KL term $\mathrm{KL}(\mathcal N(\mu, s^2)\,\|\,\mathcal N(0,1))$; VAE",
    variables={
        mu: real(-3, 3),
        s: positive(4, lo=0.05),
        **{m: real(-3, 3) for m in mus},
        **{v: positive(4, lo=0.05) for v in ss},
    },
    claim=Statement(
        "KL",
        Eq(KL_NAME, KL_STANDARD),
        text=r"$\mathrm{KL}(\mathcal N(\mu, s^2)\,\|\,\mathcal N(0, 1)) = \frac12(\mu^2 + s^2 - 1 - \log s^2)$",
    ),
    also=[
        Statement(
            "diagonal (d = 2)",
            Eq(KL2_NAME, sum((m**2 + v**2 - 1 - log(v**2)) / 2 for m, v in zip(mus, ss, strict=True))),
            text=r"for a diagonal Gaussian the KL is the sum over dimensions (shown for $d = 2$), written as "
            r"$\mathbb E_{t\sim\mathcal N(0, I)}[\log q(\mu + s\odot t) - \log p(\mu + s\odot t)]$",
        ),
    ],
    definitions={KL_NAME: _kl_integral(normal_pdf(x, mu, s), normal_pdf(x), x, mu, s), KL2_NAME: KL_DIAG_2},
    crosscheck=_kl_check,
    question=Question(
        target=KL_STANDARD,
        prompt=r"Compute $\mathrm{KL}\big(\mathcal N(\mu, s^2)\,\|\,\mathcal N(0, 1)\big)$.",
        approximations={
            r"the $-1$ is missing": (mu**2 + s**2 - log(s**2)) / 2,
            r"$\log s$ instead of $\log s^2$": (mu**2 + s**2 - 1 - log(s)) / 2,
            r"this is the reverse divergence $\mathrm{KL}(\mathcal N(0,1)\,\|\,\mathcal N(\mu, s^2))$": (1 + mu**2)
            / (2 * s**2)
            - sp.Rational(1, 2)
            + log(s),
        },
    ),
    refs=(
        Ref.arxiv("1312.6114", "D. P. Kingma and M. Welling, Auto-Encoding Variational Bayes, 2014", where="App. B"),
    ),
)
def kl_gaussian_standard(d: Derivation) -> None:
    r"""The VAE objective penalises the encoder's Gaussian $q(z\mid x) = \mathcal N(\mu, s^2)$ by its KL
    divergence from the prior $\mathcal N(0, 1)$. In closed form it is $\frac12(\mu^2 + s^2 - 1 - \log s^2)$
    per latent dimension: no sampling is needed for this term, and its gradient pulls $\mu \to 0$
    and $s \to 1$."""
    d.begin(KL_NAME)
    d.then(_kl_integral(normal_pdf(x, mu, s), normal_pdf(x), x, mu, s), r"$\mathrm{KL}(q\|p) = \mathbb E_q[\log q/p]$")
    d.then(
        lambda e: expectation(sp.expand(sp.expand_log(e.function / normal_pdf(x, mu, s), force=True)), x, mu, s),
        r"$\log\frac{q}{p} = -\log s - \frac{(x-\mu)^2}{2s^2} + \frac{x^2}{2}$",
    )
    d.then(
        integrate,
        r"Gaussian moments $\mathbb E[x] = \mu$, $\mathbb E[(x-\mu)^2] = s^2$, $\mathbb E[x^2] = \mu^2 + s^2$",
    )
    d.then(KL_STANDARD, r"$\log s = \frac12\log s^2$")
    d.conclude("KL")

    d.begin(KL2_NAME, scope="for d = 2")
    d.then(
        KL_DIAG_2,
        r"$\mathbb E_{t\sim\mathcal N(0, I)}[\log q(\mu + s\odot t) - \log p(\mu + s\odot t)]$: "
        r"$\log q - \log p$ of diagonal Gaussians is a sum over dimensions",
    )
    d.then(lambda e: integrate(e, expand=True), "Gaussian moments of $t_1, t_2$ (each density integrates to 1)")
    d.then(sum((m**2 + v**2 - 1 - log(v**2)) / 2 for m, v in zip(mus, ss, strict=True)), "one KL per dimension")
    d.conclude("diagonal (d = 2)")


# ---------------------------------------------------------------------------------- reparameterization
eps = real().symbol("epsilon")
a_coef = symbols("a0:5", real=True)  # f(z) = a0 + a1 z + ... + a4 z^4
_zv = sp.Dummy("z", real=True)
F_POLY = sp.Lambda(_zv, sum(a * _zv**k for k, a in enumerate(a_coef)))
F_PRIME = sp.Lambda(_zv, sp.diff(F_POLY(_zv), _zv))
Z_REPARAM = mu + s * eps


def _e_eps(f: sp.Expr) -> sp.Integral:
    """E over eps ~ N(0, 1) of a polynomial in eps, expanded so that SymPy integrates it monomial by
    monomial (unexpanded, it takes a detour through erfc that only cancels numerically)."""
    return expectation(f, eps, expand=True)


E_F = named_function("Ef", r"\mathbb E[f(\mu + s\varepsilon)]", show_args=False)(mu, s)
E_FPRIME = named_function("Efprime", r"\mathbb E[f'(\mu + s\varepsilon)]", show_args=False)(mu, s)
E_EPS_FPRIME = named_function("Eepsfprime", r"\mathbb E[\varepsilon f'(\mu + s\varepsilon)]", show_args=False)(mu, s)


def _reparam_check(ctx: CheckContext) -> CrossCheckResult:
    """For f = sin and f = exp: Monte Carlo estimates of E[f'(z)] and E[eps f'(z)] (z = mu + s eps,
    seeded draws) against central differences in mu and s of E[f(z)] computed by Gauss-Hermite
    quadrature. Tolerance: 5 standard errors of the Monte Carlo mean."""
    results = []
    h = 1e-5
    for name, f, fprime in (("sin", np.sin, np.cos), ("exp", np.exp, np.exp)):
        for _ in range(3):
            m, sd = ctx.rng.uniform(-1.5, 1.5), ctx.rng.uniform(0.2, 1.5)
            e = ctx.rng.normal(size=200_000)
            z = m + sd * e
            d_mu = (normal_expectation(f, m + h, sd) - normal_expectation(f, m - h, sd)) / (2 * h)
            d_s = (normal_expectation(f, m, sd + h) - normal_expectation(f, m, sd - h)) / (2 * h)
            results.append(agrees(ctx, f"d/dmu E[{name}(z)]", estimate(fprime(z)), d_mu))
            results.append(agrees(ctx, f"d/ds E[{name}(z)]", estimate(e * fprime(z)), d_s))
    return combine(*results)


@identity(
    "reparameterization",
    aliases=("reparameterisation", "reparameterization-trick", "reparam"),
    title="The reparameterisation gradient",
    section="3.1",
    map_row=r"VAE training: $z = \mu + s\varepsilon$, $\varepsilon\sim\mathcal N(0,1)$, gradients through the sample",
    variables={mu: real(-3, 3), s: positive(4, lo=0.05), **{a: real(-2, 2) for a in a_coef}},
    numeric_samples=128,
    claim=Statement(
        "d/dmu",
        Eq(Derivative(E_F, mu), E_FPRIME),
        text=r"$\partial_\mu \mathbb E[f(\mu + s\varepsilon)] = \mathbb E[f'(z)]$ (for a polynomial $f$ of degree 4)",
    ),
    also=[
        Statement(
            "d/ds",
            Eq(Derivative(E_F, s), E_EPS_FPRIME),
            text=r"$\partial_s \mathbb E[f(\mu + s\varepsilon)] = \mathbb E[\varepsilon f'(z)]$",
        ),
    ],
    definitions={
        E_F: _e_eps(F_POLY(Z_REPARAM)),
        E_FPRIME: _e_eps(F_PRIME(Z_REPARAM)),
        E_EPS_FPRIME: _e_eps(eps * F_PRIME(Z_REPARAM)),
    },
    crosscheck=_reparam_check,
    question=Question(
        target=12 * mu**2 * s + 12 * s**3,
        prompt=r"Let $z = \mu + s\varepsilon$, $\varepsilon\sim\mathcal N(0, 1)$. Compute "
        r"$\frac{\partial}{\partial s}\mathbb E[z^4]$.",
        approximations={
            r"this is $\mathbb E[f'(z)] = \mathbb E[4z^3]$, the $\mu$-derivative: "
            r"the factor $\varepsilon$ is missing": 4 * mu**3 + 12 * mu * s**2,
            r"$\mathbb E[\varepsilon^4] = 3$ was taken as 1": 12 * mu**2 * s + 4 * s**3,
        },
    ),
    refs=(
        Ref.arxiv("1312.6114", "D. P. Kingma and M. Welling, Auto-Encoding Variational Bayes, 2014", where="Sec. 2.4"),
        Ref.arxiv(
            "1401.4082",
            "D. J. Rezende, S. Mohamed and D. Wierstra, Stochastic Backpropagation and Approximate Inference, 2014",
            where="Sec. 3",
        ),
    ),
    builds_on=("kl-gaussian-standard",),
)
def reparameterization(d: Derivation) -> None:
    r"""A VAE needs the gradient of $\mathbb E_{z\sim\mathcal N(\mu, s^2)}[f(z)]$ in $\mu$ and $s$. Writing
    $z = \mu + s\varepsilon$ with $\varepsilon\sim\mathcal N(0,1)$ moves the parameters inside the
    expectation, so the gradient is an expectation of ordinary derivatives,
    $\mathbb E[f'(z)]$ and $\mathbb E[\varepsilon f'(z)]$, estimated with the same samples: backprop
    through the sample. Here both sides are computed in closed form for a polynomial of degree 4."""
    for wrt, label in ((mu, "d/dmu"), (s, "d/ds")):
        d.begin(Derivative(E_F, wrt), scope="for f a polynomial of degree 4")
        d.then(
            lambda e: integrate(d.unfold(e), expand=True),
            r"$f(z) = a_0 + a_1 z + \dots + a_4 z^4$ expanded in $\varepsilon\sim\mathcal N(0, 1)$, integrated "
            r"with the Gaussian moments $\mathbb E[\varepsilon^k] = 0, 1, 0, 3$ for $k = 1..4$",
        )
        d.then(lambda e: sp.expand(e.doit()), rf"differentiate in ${sp.latex(wrt)}$")
        d.note(
            r"the right side, computed separately: "
            + (
                r"$\mathbb E[f'(\mu + s\varepsilon)]$"
                if wrt == mu
                else r"$\mathbb E[\varepsilon f'(\mu + s\varepsilon)]$"
            )
            + " by the same Gaussian moments; the conclusion checks they agree"
        )
        d.conclude(label)
