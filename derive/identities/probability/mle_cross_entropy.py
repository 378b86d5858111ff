r"""Maximum likelihood is minimum cross-entropy.

The mean negative log-likelihood of labelled data is the cross-entropy $H(\hat p, q) = -\sum_k \hat p_k
\log q_k$ of the empirical label distribution against the model; for a model conditional on the input,
$q_i = p(\cdot \mid x_i; \theta)$, it is the average of the per-example cross-entropies against one-hot
labels (any $N$ and $K$); and a Gaussian likelihood gives the squared error plus a constant: why classifiers
train on cross-entropy and regressors on MSE (map 3.1, the probabilistic view of supervised learning).
Goodfellow, Bengio and Courville (2016), Deep Learning, Sec. 5.5.
"""

from __future__ import annotations

import numpy as np
import sympy as sp
from sympy import Derivative, Eq, Sum, log

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
    positive,
    probability,
    real,
)
from derive.maths.gaussian import normal_pdf
from derive.maths.indexed import collapse

from ._shared import NOISE, sigma

# -- symbols ---------------------------------------------------------------------------------------
CLASSES_COUNT = integer(2, 8)
VALUE = real(-3, 3)  # targets y and predictions f
K_cls = CLASSES_COUNT.symbol("K")  # number of classes
k_cls, j_cls = sp.Symbol("k", integer=True), sp.Symbol("j", integer=True)
q_cls = sp.IndexedBase("q", positive=True)  # model probabilities q_k
n_cls = sp.IndexedBase("n", positive=True)  # class counts n_k in the data set
y_obs, f_pred = VALUE.symbol("y"), VALUE.symbol("f")
N_TOTAL = Sum(n_cls[j_cls], (j_cls, 1, K_cls))
CLASSES = (k_cls, 1, K_cls)
CE_NLL = -log(sp.Product(q_cls[k_cls] ** n_cls[k_cls], CLASSES)) / N_TOTAL  # mean NLL through the counts
CE_EMPIRICAL = -Sum(n_cls[k_cls] / N_TOTAL * log(q_cls[k_cls]), CLASSES)  # H(p_hat, q)
GAUSS_NLL = -log(normal_pdf(y_obs, f_pred, sigma))
# N examples x_i, per-example model distributions p_ik = p(k | x_i; theta), one-hot labels Y_ik = delta_{k y_i}
EXAMPLES = integer(1, 8)
N_ex = EXAMPLES.symbol("N")
i_ex = sp.Symbol("i", integer=True)
c_lab = integer(1, K_cls).symbol("c")  # the label of one example
p_ik = sp.IndexedBase("p", positive=True)  # p[i, k] = p(k | x_i; theta)
Y_ik = sp.IndexedBase("Y", nonnegative=True)  # Y[i, k] = delta_{k y_i}, the one-hot label of example i
EXAMPLES_RANGE = (i_ex, 1, N_ex)
ONE_HOT_CE = -Sum(sp.KroneckerDelta(k_cls, c_lab) * log(q_cls[k_cls]), CLASSES)  # H(onehot(c), q)
CONDITIONAL_NLL = -log(sp.Product(sp.Product(p_ik[i_ex, k_cls] ** Y_ik[i_ex, k_cls], CLASSES), EXAMPLES_RANGE)) / N_ex
MEAN_CE = Sum(-Sum(Y_ik[i_ex, k_cls] * log(p_ik[i_ex, k_cls]), CLASSES), EXAMPLES_RANGE) / N_ex

# -- what is claimed -------------------------------------------------------------------------------
CLAIM = Statement(
    "cross-entropy",
    Eq(
        CE_NLL,
        CE_EMPIRICAL,
    ),
    text=r"the mean negative log-likelihood of data with class counts $n_k$ is the cross-entropy "
    r"$H(\hat p, q) = -\sum_k \hat p_k \log q_k$ of the empirical distribution $\hat p_k = n_k/N$",
)
ONE_HOT = Statement(
    "one-hot cross-entropy",
    Eq(ONE_HOT_CE, -log(q_cls[c_lab])),
    text=r"against a one-hot label $c$ the cross-entropy is the negative log-likelihood of that label, "
    r"$H(\operatorname{onehot}(c), q) = -\sum_k \delta_{kc} \log q_k = -\log q_c$, for any $K$",
)
CONDITIONAL = Statement(
    "conditional cross-entropy",
    Eq(CONDITIONAL_NLL, MEAN_CE),
    text=r"for $N$ examples and a model conditional on the input, $p_{ik} = p(k \mid x_i; \theta)$, with one-hot "
    r"labels $Y_{ik} = \delta_{k y_i}$ (so $\prod_k p_{ik}^{Y_{ik}} = p(y_i \mid x_i; \theta)$, as above), any $N$ "
    r"and $K$: the mean negative log-likelihood is the average cross-entropy $\frac1N \sum_i H(Y_i, p_i)$, so "
    r"$\arg\max_\theta \sum_i \log p(y_i \mid x_i; \theta)$ is the $\arg\min_\theta$ of the average cross-entropy",
)
GAUSSIAN_NLL = Statement(
    "Gaussian NLL",
    Eq(GAUSS_NLL, (y_obs - f_pred) ** 2 / (2 * sigma**2) + log(2 * sp.pi * sigma**2) / 2),
    text="a Gaussian likelihood gives the squared error plus a constant",
)
SAME_GRADIENT = Statement(
    "same gradient",
    Eq(Derivative(GAUSS_NLL, f_pred), Derivative((y_obs - f_pred) ** 2 / 2, f_pred) / sigma**2),
    text=r"so for fixed $\sigma$ the NLL and the squared error have the same minimiser in $f$",
)

# -- the homework question, and where the identity comes from --------------------------------------
QUESTION = Question(
    target=(y_obs - f_pred) ** 2 / (2 * sigma**2) + log(2 * sp.pi * sigma**2) / 2,
    prompt=r"Write $-\log \mathcal N(y; f, \sigma^2)$ as a function of the prediction $f$.",
    approximations={
        r"the constant $\frac12\log(2\pi\sigma^2)$ is missing": (y_obs - f_pred) ** 2 / (2 * sigma**2),
        r"the factor $1/(2\sigma^2)$ is missing": (y_obs - f_pred) ** 2 + log(2 * sp.pi * sigma**2) / 2,
    },
)
REFS = (
    Ref.cite("goodfellow2016", where="Sec. 5.5"),
    Ref.cite("bishop2006", where="Sec. 1.2.5, 4.3.4"),
)


# -- how it is derived -----------------------------------------------------------------------------
def derivation(d: Derivation) -> None:
    r"""Training a classifier by maximum likelihood and training it on the cross-entropy loss are the
    same thing: the mean negative log-likelihood of the data is the cross-entropy between the
    empirical label distribution and the model. With a Gaussian likelihood the same recipe gives
    the squared error, which is why regression is trained with MSE."""
    d.begin(CE_NLL, r"likelihood $\prod_i q_{y_i} = \prod_{k=1}^K q_k^{n_k}$, $N = \sum_j n_j$ data points")
    d.then(lambda e: sp.expand_log(e, force=True), r"the log of a product is the sum of the logs")
    d.then(CE_EMPIRICAL, r"weights $n_k/N = \hat p_k$: the cross-entropy $H(\hat p, q)$")
    d.conclude("cross-entropy")

    d.begin(ONE_HOT_CE, title="One-hot labels, any $K$")
    d.then(collapse, r"the one-hot label $\delta_{kc}$ picks the term $k = c$ of the sum over classes")
    d.conclude("one-hot cross-entropy")

    d.begin(CONDITIONAL_NLL, title="A model conditional on the input, any $N$ and $K$")
    d.then(
        lambda e: sp.expand_log(e, force=True),
        r"the log of the product over examples and classes is the sum of $Y_{ik} \log p_{ik}$",
    )
    d.then(MEAN_CE, r"the inner sum is the cross-entropy $H(Y_i, p_i)$ of example $i$; averaged over the $N$ examples")
    d.conclude("conditional cross-entropy")

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


# -- how it is checked -----------------------------------------------------------------------------
def crosscheck(ctx: CheckContext) -> CrossCheckResult:
    """Draw labels and Gaussian targets; the NLL from a loop over data points (density values
    multiplied, then -log) against the cross-entropy of the empirical distribution and the MSE form;
    for per-example distributions, the probabilities read off at the labels against one-hot cross-entropies."""
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
        "categorical NLL / N vs H(p_data, q)",
        "direct product of probabilities",
        np.array(got),
        np.array(expected),
        rtol=1e-12,
    )

    got_g, expected_g = [], []
    for _ in range(16):
        y, f = ctx.rng.normal(size=20), ctx.rng.normal(size=20)
        s = ctx.rng.uniform(0.5, 2.0)
        density = np.exp(-((y - f) ** 2) / (2 * s**2)) / np.sqrt(2 * np.pi * s**2)
        got_g.append(-np.log(np.prod(density)))
        expected_g.append(np.sum((y - f) ** 2) / (2 * s**2) + len(y) * np.log(2 * np.pi * s**2) / 2)
    gauss = ctx.compare(
        "Gaussian NLL vs squared error",
        "direct product of densities",
        np.array(got_g),
        np.array(expected_g),
        rtol=1e-10,
    )
    # a model conditional on the input: one distribution per example, the NLL read off at each label
    probs = ctx.rng.dirichlet(np.ones(4), size=(16, 30))
    labels = ctx.rng.integers(0, 4, size=(16, 30))
    picked = np.take_along_axis(probs, labels[..., None], axis=2)[..., 0]
    onehot = np.eye(4)[labels]
    cond = ctx.compare(
        "conditional NLL / N vs mean H(onehot(y_i), q_i)",
        "probabilities read off at the labels",
        -np.log(picked).mean(axis=1),
        -(onehot * np.log(probs)).sum(axis=2).mean(axis=1),
        rtol=1e-12,
    )
    return combine(cat, gauss, cond)


# -- the declaration -------------------------------------------------------------------------------
MLE_CROSS_ENTROPY = declare(
    "mle-cross-entropy",
    aliases=("mle-ce", "nll-cross-entropy", "mle-mse"),
    title="Maximum likelihood is minimum cross-entropy",
    section="3.1",
    map_row=r"MLE $=$ minimise cross-entropy loss; a Gaussian likelihood gives the squared error",
    variables={
        K_cls: CLASSES_COUNT,
        N_ex: EXAMPLES,
        c_lab: integer(1, K_cls),
        p_ik: probability(),
        Y_ik: probability(open_ends=False),
        q_cls: probability(),
        n_cls: positive(50),
        y_obs: VALUE,
        f_pred: VALUE,
        sigma: NOISE,
    },
    claim=CLAIM,
    also=(ONE_HOT, CONDITIONAL, GAUSSIAN_NLL, SAME_GRADIENT),
    derivation=derivation,
    crosscheck=crosscheck,
    question=QUESTION,
    refs=REFS,
)
