r"""The Fisher information is the expected Hessian.

The Fisher information $F = \mathbb{E}_{y \sim p}[\nabla\log p_y\,\nabla\log p_y^\top]$, the curvature of
natural-gradient methods, equals the expected Hessian of the negative log-likelihood because
$\sum_y p_y = 1$ for every parameter value; for a softmax output both are
$\operatorname{diag}(p) - pp^\top$, which is why K-FAC and the generalised Gauss-Newton matrix
coincide for cross-entropy losses (map 2.4, second-order methods: the Fisher information matrix).
Derived for any number $n$ of classes, and for any discrete family $p_y(\theta)$ over $K$ outcomes
(any $K$) from $\sum_y p_y = 1$ differentiated twice. Martens (2014), New insights and perspectives on the natural
gradient method, Sec. 9; Amari (1998), Natural gradient works efficiently in learning.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import sympy as sp
from sympy import Derivative, Eq, KroneckerDelta

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
    linalg,
    montecarlo,
    notation,
    probability,
    real,
    stable,
)
from derive.maths.indexed import sift

# -- symbols ---------------------------------------------------------------------------------------
CLASSES = integer(2, 6)
n = CLASSES.symbol("n")
CLASS = integer(1, n)
i, j = CLASS.symbol("i"), CLASS.symbol("j")
y, k = CLASS.symbol("y"), CLASS.symbol("k")
LOGIT = real(-5, 5)
z = sp.IndexedBase("z", real=True)  # the logits
LSE_SUM = sp.Sum(sp.exp(z[k]), (k, 1, n))
PROB = type("softmax_p", (sp.Function,), {"_latex": lambda self, printer, exp=None: _p_latex(printer, self, exp)})


def _p_latex(printer: sp.printing.latex.LatexPrinter, e: sp.Function, exp: object = None) -> str:
    head = f"p_{{{printer._print(e.args[0])}}}"
    return head if exp is None else f"{head}^{{{exp}}}"


_a = sp.Dummy("a", integer=True)
PROB_DEFINITIONS = {PROB(_a): sp.exp(z[_a]) / LSE_SUM}  # p_a = softmax(z)_a
LOG_P = z[y] - sp.log(LSE_SUM)  # log p_y, the log-softmax written out
FISHER_SUM = notation(
    r"\sum_{y=1}^{n} p_y\, \partial_{z_i}\log p_y\, \partial_{z_j}\log p_y",
    sp.Sum(PROB(y) * Derivative(LOG_P, z[i]) * Derivative(LOG_P, z[j]), (y, 1, n)),
    "sum_y p_y d_i log p_y d_j log p_y",
)
NEG_HESS_SUM = notation(
    r"-\sum_{y=1}^{n} p_y\, \partial_{z_i}\partial_{z_j}\log p_y",
    -sp.Sum(PROB(y) * Derivative(LOG_P, z[i], z[j]), (y, 1, n)),
    "-sum_y p_y d_i d_j log p_y",
)
FISHER = PROB(i) * KroneckerDelta(i, j) - PROB(i) * PROB(j)  # diag(p) - p p^T, entry (i, j)
SCORE_FORM = sp.Sum(PROB(y) * (KroneckerDelta(i, y) - PROB(i)) * (KroneckerDelta(j, y) - PROB(j)), (y, 1, n))
HESS_FORM = sp.Sum(PROB(y) * FISHER, (y, 1, n))


def _differentiate(e: sp.Basic) -> sp.Basic:
    r"""Every derivative of :math:`\log p_y` in ``e`` evaluated by SymPy, the Kronecker sums collapsed
    (:func:`~derive.maths.indexed.sift`) and :math:`e^{z_a}/\sum_k e^{z_k}` named :math:`p_a`."""

    def one(der: sp.Derivative) -> sp.Expr:
        out = sp.expand(sift(der.doit()))
        return out.replace(
            lambda t: isinstance(t, sp.exp) and t.args[0].func is sp.Indexed,
            lambda t: PROB(t.args[0].indices[0]) * LSE_SUM,
        )

    return e.replace(lambda t: isinstance(t, Derivative), one)


SCORE_FORM = sp.Sum(PROB(y) * (KroneckerDelta(i, y) - PROB(i)) * (KroneckerDelta(j, y) - PROB(j)), (y, 1, n))
HESS_FORM = sp.Sum(PROB(y) * FISHER, (y, 1, n))
N_CLASSES = 3
P = probability()
p = sp.IndexedBase("p", positive=True)  # the probabilities, as a student writes them
P_COLUMN = sp.Matrix([p[a] for a in range(1, N_CLASSES + 1)])
# the question's matrix form diag(p) - p p^T (sp.diag would take an Indexed entry for a matrix)
FISHER_INDEXED = sp.Matrix(N_CLASSES, N_CLASSES, lambda a, b: P_COLUMN[a] if a == b else 0) - P_COLUMN * P_COLUMN.T

# a general discrete family: K outcomes, a scalar parameter theta; p_1, ..., p_{K-1} any functions of
# theta and p_K = 1 - sum_{y<K} p_y, so that sum_y p_y = 1 for every theta (every family is of this form)
OUTCOMES = integer(2, 4)
K = OUTCOMES.symbol("K")
yy = integer(1, K - 1).symbol("y")
theta = real(-2, 2).symbol("theta")
PG = sp.Function("p")  # p(y, theta): the probability of outcome y < K, an arbitrary function of theta
P_LAST = 1 - sp.Sum(PG(yy, theta), (yy, 1, K - 1))  # p_K


def _expect(f: Callable[[sp.Expr], sp.Expr]) -> sp.Expr:
    r""":math:`\sum_{y=1}^{K} p_y f(p_y)`, the outcome :math:`K` written out."""
    return sp.Sum(PG(yy, theta) * f(PG(yy, theta)), (yy, 1, K - 1)) + P_LAST * f(P_LAST)


FISHER_G = notation(
    r"\sum_{y=1}^{K} p_y \left(\partial_\theta \log p_y\right)^2",
    _expect(lambda q: Derivative(sp.log(q), theta) ** 2),
    "sum_y p_y (d log p_y)^2",
)
E_HESS_G = notation(
    r"\sum_{y=1}^{K} p_y\, \partial_\theta^2 \log p_y",
    _expect(lambda q: Derivative(sp.log(q), (theta, 2))),
    "sum_y p_y d2 log p_y",
)
D2_SUM = sp.Sum(Derivative(PG(yy, theta), (theta, 2)), (yy, 1, K - 1)) + Derivative(P_LAST, (theta, 2))

# -- what is claimed -------------------------------------------------------------------------------
CLAIM = Statement(
    "Fisher = -E Hessian",
    Eq(FISHER_SUM, NEG_HESS_SUM, evaluate=False),
    text=r"for a softmax categorical $p = \operatorname{softmax}(z)$ with any number $n$ of classes: the "
    r"expected outer product of the score equals the expected Hessian of the negative log-likelihood, "
    r"entry $(i, j)$",
)
FISHER_ENTRY = Statement(
    "Fisher",
    Eq(FISHER_SUM, FISHER, evaluate=False),
    text=r"both are $\operatorname{diag}(p) - pp^\top$, entry by entry",
)
SCORE = Statement(
    "score",
    Eq(Derivative(LOG_P, z[i]), KroneckerDelta(i, y) - PROB(i)),
    text=r"the score of the softmax categorical: $\partial_{z_i}\log p_y = \delta_{iy} - p_i$",
)
LOG_P_HESSIAN = Statement(
    "Hessian of log p",
    Eq(Derivative(LOG_P, z[i], z[j]), PROB(i) * PROB(j) - PROB(i) * KroneckerDelta(i, j)),
    text=r"$\partial_{z_i}\partial_{z_j}\log p_y = p_ip_j - p_i\delta_{ij}$, the same for every $y$",
)
EXPECTED_HESSIAN = Statement(
    "expected Hessian",
    Eq(NEG_HESS_SUM, FISHER, evaluate=False),
    text=r"(the Hessian of $\log p_y$ in the logits does not even depend on $y$)",
)

GENERAL = Statement(
    "general model",
    Eq(FISHER_G + E_HESS_G, 0),
    text=r"for any discrete family $p_y(\theta)$ over $K$ outcomes (any $K$) with $\sum_y p_y(\theta) = 1$ "
    r"($p_1, \dots, p_{K-1}$ arbitrary, $p_K = 1 - \sum_{y<K} p_y$): "
    r"$\mathbb{E}[(\partial_\theta\log p_y)^2] + \mathbb{E}[\partial_\theta^2\log p_y] = 0$, the Fisher "
    r"information is minus the expected Hessian; for a parameter vector apply it along "
    r"$\theta = \theta_0 + s\,u$ (polarisation gives every entry $(a, b)$)",
)
NORMALISED = Statement(
    "normalisation, twice",
    Eq(D2_SUM, 0),
    text=r"differentiating $\sum_y p_y(\theta) = 1$ twice: $\sum_y \partial_\theta^2 p_y = 0$",
)

# -- the homework question, and where the identity comes from --------------------------------------
QUESTION = Question(
    target=p[i] * KroneckerDelta(i, j) - p[i] * p[j],
    prompt=r"For a categorical distribution $p = \operatorname{softmax}(z)$ over $n$ classes, compute the Fisher "
    r"information in the logits, $F_{ij} = \mathbb{E}_{y \sim p}[\partial_i \log p_y\, \partial_j \log p_y]$, "
    r"in terms of $p_i$, $p_j$ and $\delta_{ij}$.",
    forms=(FISHER_INDEXED,),
    approximations={
        r"the outer product $pp^\top$ is missing: that is $\mathbb{E}[e_y e_y^\top]$, not the covariance of "
        r"the score": p[i] * KroneckerDelta(i, j),
        r"sign: the Fisher is $+(\operatorname{diag}(p) - pp^\top)$, the Hessian of $\log p_y$ is its "
        r"negative": p[i] * p[j] - p[i] * KroneckerDelta(i, j),
    },
)
REFS = (
    Ref.cite("martens2014", where="Sec. 9"),
    Ref.cite("amari1998"),
)


# -- how it is derived -----------------------------------------------------------------------------
def derivation(d: Derivation) -> None:
    r"""The Fisher information $F = \mathbb{E}_{y \sim p}[\nabla\log p_y\,\nabla\log p_y^\top]$ is the
    curvature used by natural-gradient methods. Because $\sum_y p_y = 1$ for every parameter value,
    differentiating twice shows that it equals the expected Hessian of the negative log-likelihood.
    For a softmax output the score is $e_y - p$ and both sides are $\operatorname{diag}(p) - pp^\top$,
    which is why K-FAC and the generalised Gauss-Newton matrix coincide for cross-entropy losses.
    Below, $p_y = e^{z_y}/\sum_{k=1}^{n} e^{z_k}$ for any number $n$ of classes, entry $(i, j)$."""
    d.begin(Derivative(LOG_P, z[i]))
    d.then(_differentiate, r"SymPy differentiates $z_y - \log\sum_k e^{z_k}$; the Kronecker sum collapses")
    d.conclude("score")

    d.begin(Derivative(LOG_P, z[i], z[j]))
    d.then(_differentiate, r"SymPy differentiates twice; $\delta_{iy}$ does not depend on $z$")
    d.then(LOG_P_HESSIAN.relation.rhs, r"name $p_i p_j - p_i\delta_{ij}$")  # type: ignore[union-attr]
    d.conclude("Hessian of log p")

    d.begin(FISHER_SUM)
    d.then(SCORE_FORM, r"the score (derived above) is $\delta_{iy} - p_i$")
    d.then(
        FISHER,
        r"$\sum_y p_y \delta_{iy}\delta_{jy} = p_i\delta_{ij}$, $\sum_y p_y \delta_{iy} = p_i$, $\sum_y p_y = 1$",
    )
    d.conclude("Fisher")

    d.begin(NEG_HESS_SUM)
    d.then(
        HESS_FORM,
        r"the Hessian of $\log p_y$ (derived above): $-\partial_{z_i}\partial_{z_j}\log p_y = p_i\delta_{ij} - "
        r"p_i p_j$, for every $y$",
    )
    d.then(FISHER, r"the weights $p_y$ sum to 1")
    d.conclude("expected Hessian")

    d.begin(FISHER_SUM)
    d.then(FISHER, r"the Fisher (derived above); the expected Hessian is the same matrix")
    d.conclude("Fisher = -E Hessian")
    _general(d)


def _general(d: Derivation) -> None:
    d.begin(D2_SUM, title="Any discrete family")
    d.then(lambda e: e.doit(), r"SymPy differentiates $p_K = 1 - \sum_{y<K} p_y$ twice; the sums cancel")
    d.conclude("normalisation, twice")

    d.begin(FISHER_G + E_HESS_G)
    d.then(
        lambda e: sp.expand(e.doit()),
        r"SymPy differentiates: $p(\partial\log p)^2 = (\partial p)^2/p$, $p\,\partial^2\log p = \partial^2 p - "
        r"(\partial p)^2/p$",
    )
    d.then(D2_SUM, r"the $(\partial p_y)^2/p_y$ terms cancel: $\sum_y \partial_\theta^2 p_y$ is left")
    d.then(0, r"$\sum_y \partial_\theta^2 p_y = 0$ (derived above)")
    d.conclude("general model")


# -- how it is checked -----------------------------------------------------------------------------
def crosscheck(ctx: CheckContext) -> CrossCheckResult:
    """Random logits for 5 classes: Monte Carlo over :math:`y \\sim p` (100 000 draws) of the outer
    product of scores, each score by central differences of a stable log-softmax (not
    :math:`e_y - p`), against :math:`\\operatorname{diag}(p) - pp^\\top`; and the Hessian of
    :math:`\\log p_y` by finite differences for every :math:`y` against
    :math:`-(\\operatorname{diag}(p) - pp^\\top)`."""
    results, hess_err = [], 0.0
    for _ in range(2):
        zz = ctx.rng.normal(0, 1.5, 5)
        probs = stable.softmax(zz)
        fisher = np.diag(probs) - np.outer(probs, probs)
        scores = np.array([linalg.gradient_fd(_log_p(c), zz) for c in range(5)])
        ys = ctx.rng.choice(5, size=100_000, p=probs)
        draws = np.einsum("ni,nj->nij", scores[ys], scores[ys]).reshape(len(ys), -1)
        results.append(montecarlo.agrees(ctx, "E[score score^T]", montecarlo.estimate(draws), fisher.reshape(-1)))
        for c in range(5):
            hess = linalg.hessian_fd(_log_p(c), zz)
            hess_err = max(hess_err, float(np.max(np.abs(hess + fisher)) / np.max(np.abs(fisher))))
    results.append(
        ctx.bound("FD Hessian of log p_y vs -(diag p - pp^T)", "finite differences", hess_err, 1e-6, samples=10)
    )
    return combine(*results)


def _log_p(c: int) -> Callable[[np.ndarray], float]:
    """:math:`\\log p_c` as a function of the logits, by a stable log-softmax."""
    return lambda v: float(stable.log_softmax(v)[c])


# -- the declaration -------------------------------------------------------------------------------
FISHER_HESSIAN = declare(
    "fisher-hessian",
    title="The Fisher information is the expected Hessian",
    section="2.4",
    map_row=r"Fisher information matrix $F = \mathbb{E}[\nabla\log p\,\nabla\log p^\top]$",
    variables={
        n: CLASSES,
        i: CLASS,
        j: CLASS,
        y: CLASS,
        k: CLASS,
        z: LOGIT,
        p: P,
        K: OUTCOMES,
        yy: integer(1, K - 1),
        theta: real(-2, 2),
    },
    definitions=PROB_DEFINITIONS,
    claim=CLAIM,
    also=(FISHER_ENTRY, EXPECTED_HESSIAN, SCORE, LOG_P_HESSIAN, NORMALISED, GENERAL),
    derivation=derivation,
    crosscheck=crosscheck,
    question=QUESTION,
    refs=REFS,
    builds_on=("softmax-jacobian", "gauss-newton"),
)
