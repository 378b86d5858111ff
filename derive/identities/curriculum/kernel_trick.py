r"""The kernel trick and kernel ridge regression.

A polynomial kernel is an inner product of explicit features, $(x^\top y + c)^2 = \varphi(x)^\top\varphi(y)$
(derived for any input dimension $d$), and ridge regression in feature space equals kernel ridge regression by
the push-through identity $\Phi^\top(\Phi\Phi^\top + \lambda I)^{-1} = (\Phi^\top\Phi + \lambda I)^{-1}\Phi^\top$,
derived entry by entry for any $n$ samples and $m$ features, the two inverses named and resting on their cited
defining property (never expanded), with a $3 \times 2$ worked example; checked on random data at random sizes.
The map's curriculum chapter 12, functional analysis: Hilbert spaces, RKHS, SVMs, kernel methods (map 6).
Schölkopf and Smola (2002), Learning with Kernels, Sec. 2.1, 4.2; Murphy (2012), Machine Learning: A
Probabilistic Perspective, Sec. 14.4.3.
"""

from __future__ import annotations

import numpy as np
import sympy as sp
from sympy import Eq, sqrt

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
from derive.core.facts import INVERSE, SUM_EXCHANGE
from derive.core.linked import DefinedInverse, MatrixEntry
from derive.maths.indexed import collapse
from derive.maths.matrices import entry_domains, symbol_matrix

# -- symbols ---------------------------------------------------------------------------------------
ENTRY = real(-3, 3)
SHIFT = positive(5)
RIDGE = positive(5)
x1, x2, y1, y2 = (ENTRY.symbol(n) for n in ("x1", "x2", "y1", "y2"))
c = SHIFT.symbol("c")
lam = RIDGE.symbol("lambda")
PHI_DATA = symbol_matrix("Phi", 3, 2, ENTRY)


def features(v1: sp.Expr, v2: sp.Expr, shift: sp.Expr = c) -> sp.Matrix:
    r"""The six features of $(x^\top y + c)^2$ in $d = 2$:
    $(v_1^2, v_2^2, \sqrt2 v_1v_2, \sqrt{2c}v_1, \sqrt{2c}v_2, c)$."""
    return sp.Matrix([v1**2, v2**2, sqrt(2) * v1 * v2, sqrt(2 * shift) * v1, sqrt(2 * shift) * v2, shift])


KERNEL = (x1 * y1 + x2 * y2 + c) ** 2
# any input dimension d, any n points and m features
SIZE = integer(1, 4)
d_in, n_pts, m_feat = SIZE.symbol("d"), SIZE.symbol("n"), SIZE.symbol("m")
i, j, k, r = sp.symbols("i j k r", integer=True, positive=True)
p_, q_ = sp.symbols("p q", integer=True, positive=True)
xI, yI, PhiI = (sp.IndexedBase(name, real=True) for name in ("x", "y", "Phi"))
KERNEL_D = (sp.Sum(xI[i] * yI[i], (i, 1, d_in)) + c) ** 2
#: phi(x)^T phi(y) for the features x_i x_j (all i, j), sqrt(2c) x_i and c
FEATURES_D = (
    sp.Sum(xI[i] * xI[j] * yI[i] * yI[j], (i, 1, d_in), (j, 1, d_in))
    + sp.Sum(sqrt(2 * c) * xI[i] * sqrt(2 * c) * yI[i], (i, 1, d_in))
    + c * c
)
#: (Phi^T (Phi Phi^T + lambda I))_pq and ((Phi^T Phi + lambda I) Phi^T)_pq, Phi an n x m feature matrix
PUSH_LEFT = sp.Sum(
    PhiI[k, p_] * (sp.Sum(PhiI[k, r] * PhiI[q_, r], (r, 1, m_feat)) + lam * sp.KroneckerDelta(k, q_)), (k, 1, n_pts)
)
PUSH_RIGHT = sp.Sum(
    (sp.Sum(PhiI[k, p_] * PhiI[k, r], (k, 1, n_pts)) + lam * sp.KroneckerDelta(p_, r)) * PhiI[q_, r], (r, 1, m_feat)
)
FinvI, GinvI = sp.IndexedBase("F^{-1}", real=True), sp.IndexedBase("G^{-1}", real=True)
a_, b_, s_, t_, j_ = sp.symbols("a b s t j", integer=True, positive=True)


class FeatureGram(MatrixEntry):
    r""":math:`F_{ab} = (\Phi^\top\Phi + \lambda I)_{ab}`, the :math:`m\times m` matrix of the primal problem."""

    tex = "F"


class KernelGram(MatrixEntry):
    r""":math:`G_{ab} = (\Phi\Phi^\top + \lambda I)_{ab} = (K + \lambda I)_{ab}`, the :math:`n\times n` matrix of the
    dual problem."""

    tex = "G"


F_BODY = sp.Sum(PhiI[k, a_] * PhiI[k, b_], (k, 1, n_pts)) + lam * sp.KroneckerDelta(a_, b_)
G_BODY = sp.Sum(PhiI[a_, r] * PhiI[b_, r], (r, 1, m_feat)) + lam * sp.KroneckerDelta(a_, b_)
#: F^{-1} F = I read backwards (inserted), and G G^{-1} = I
INSERT_F = INVERSE.applied(DefinedInverse(FeatureGram(a_, b_), F_BODY, FinvI, m_feat, insert=True, inner=t_))
INVERSE_G = INVERSE.applied(DefinedInverse(KernelGram(a_, b_), G_BODY, GinvI, n_pts))
#: (Phi^T G^-1)_pq and (F^-1 Phi^T)_pq, any n samples and m features
DUAL_PQ = notation(
    r"\bigl(\Phi^\top(\Phi\Phi^\top + \lambda I)^{-1}\bigr)_{pq}",
    sp.Sum(PhiI[k, p_] * GinvI[k, q_], (k, 1, n_pts)),
    "(Phi^T (Phi Phi^T + l I)^-1)_pq",
)
PRIMAL_PQ = notation(
    r"\bigl((\Phi^\top\Phi + \lambda I)^{-1}\Phi^\top\bigr)_{pq}",
    sp.Sum(FinvI[p_, r] * PhiI[q_, r], (r, 1, m_feat)),
    "((Phi^T Phi + l I)^-1 Phi^T)_pq",
)
PRIMAL = notation(
    r"(\Phi^\top\Phi + \lambda I)^{-1}\Phi^\top", (PHI_DATA.T * PHI_DATA + lam * sp.eye(2)).inv() * PHI_DATA.T, "primal"
)
DUAL = notation(
    r"\Phi^\top(\Phi\Phi^\top + \lambda I)^{-1}", PHI_DATA.T * (PHI_DATA * PHI_DATA.T + lam * sp.eye(3)).inv(), "dual"
)

# -- what is claimed -------------------------------------------------------------------------------
CLAIM = Statement(
    "feature map",
    Eq(KERNEL_D, FEATURES_D),
    text=r"$(x^\top y + c)^2 = \varphi(x)^\top\varphi(y)$ for any dimension $d$, with the $d^2 + d + 1$ features "
    r"$x_ix_j$, $\sqrt{2c}\,x_i$ and $c$ (six distinct ones for $d = 2$)",
)
PUSH_LEMMA = Statement(
    "push-through lemma",
    Eq(
        notation(r"\bigl(\Phi^\top(\Phi\Phi^\top + \lambda I)\bigr)_{pq}", PUSH_LEFT, "(Phi^T (Phi Phi^T + l I))_pq"),
        notation(r"\bigl((\Phi^\top\Phi + \lambda I)\Phi^\top\bigr)_{pq}", PUSH_RIGHT, "((Phi^T Phi + l I) Phi^T)_pq"),
        evaluate=False,
    ),
    text=r"for any $n\times m$ feature matrix: $\Phi^\top(\Phi\Phi^\top + \lambda I) = (\Phi^\top\Phi + "
    r"\lambda I)\Phi^\top$; multiplied by the two inverses (both positive definite for $\lambda > 0$) this is "
    r"the push-through identity below",
)
PUSH_THROUGH = Statement(
    "push-through",
    Eq(DUAL_PQ, PRIMAL_PQ, evaluate=False),
    text=r"for any $n\times m$ feature matrix $\Phi$ and $\lambda > 0$: $\Phi^\top(\Phi\Phi^\top + \lambda I)^{-1} = "
    r"(\Phi^\top\Phi + \lambda I)^{-1}\Phi^\top$. Hence the primal ridge solution "
    r"$w = (\Phi^\top\Phi + \lambda I)^{-1}\Phi^\top y$ equals $\Phi^\top\alpha$ with "
    r"$\alpha = (K + \lambda I)^{-1}y$, $K = \Phi\Phi^\top$, so predictions "
    r"$\varphi(x)^\top w = k(x)^\top\alpha$ "
    r"need only kernel values (the representer theorem for ridge regression)",
)

# -- the homework question, and where the identity comes from --------------------------------------
QUESTION = Question(
    target=(features(x1, x2).T * features(y1, y2))[0, 0],
    prompt=r"Write $\varphi(x)^\top\varphi(y)$ for the feature map of the kernel $k(x, y) = (x^\top y + c)^2$ "
    r"on $\mathbb R^2$, as a polynomial in $x_1, x_2, y_1, y_2, c$.",
    names={"c": c},
    approximations={
        r"the cross term needs the factor $\sqrt2$ in its feature (coefficient 2)": (x1 * y1) ** 2
        + (x2 * y2) ** 2
        + x1 * x2 * y1 * y2
        + 2 * c * (x1 * y1 + x2 * y2)
        + c**2,
    },
)
REFS = (
    Ref.cite("scholkopf2002", where="Sec. 2.1, 4.2"),
    Ref.cite("murphy2012", where="Sec. 14.4.3"),
)


# -- how it is derived -----------------------------------------------------------------------------
def derivation(d: Derivation) -> None:
    r"""A kernel $k(x, y) = \varphi(x)^\top\varphi(y)$ is an inner product in a feature space that is never
    built: the polynomial kernel $(x^\top y + c)^2$ hides six features in $\mathbb R^2$ (and $O(d^2)$ in general),
    the Gaussian kernel infinitely many. Ridge regression in that space needs only the $n \times n$ kernel
    matrix, by the push-through identity; the same algebra underlies SVMs, Gaussian processes and the
    attention-as-kernel view of transformers."""
    d.begin(KERNEL_D, r"any input dimension $d$")
    d.then(lambda e: sp.expand(e), "expand the square")
    d.then(FEATURES_D, r"$(\sum_i x_iy_i)^2 = \sum_{i,j}(x_ix_j)(y_iy_j)$: products of features")
    d.conclude("feature map")

    d.begin(PUSH_LEFT, r"entry $(p, q)$, any $n$ points and $m$ features")
    d.then(
        sp.Sum(PhiI[k, p_] * sp.Sum(PhiI[k, r] * PhiI[q_, r], (r, 1, m_feat)), (k, 1, n_pts)) + lam * PhiI[q_, p_],
        r"the $\lambda\delta_{kq}$ term sifts to $\lambda\Phi_{qp}$",
    )
    d.assume(SUM_EXCHANGE, lambda e: SUM_EXCHANGE.rewrite(e), r"sum over $k$ first: $(\Phi^\top\Phi)_{pr}$")
    d.then(PUSH_RIGHT, r"$\lambda\Phi_{qp} = \sum_r \lambda\delta_{pr}\Phi_{qr}$: the right side")
    d.conclude("push-through lemma")

    _chain_push_through(d)

    d.begin(
        PRIMAL,
        r"worked example: $\Phi \in \mathbb R^{3\times2}$ written out",
        scope=r"for $\Phi \in \mathbb R^{3\times2}$",
        title="Worked example: a 3x2 feature matrix",
    )
    d.then(lambda e: e.doit(), r"invert the $2\times2$ matrix")
    d.then(
        lambda e: e.applyfunc(sp.cancel),
        r"over the common denominator $\det(\Phi^\top\Phi + \lambda I)$, which "
        r"divides $\det(\Phi\Phi^\top + \lambda I) = \lambda\det(\Phi^\top\Phi + \lambda I)$",
    )
    d.then(DUAL, r"the dual side: the same matrix")
    d.finish()


def _chain_push_through(d: Derivation) -> None:
    r"""$\Phi^\top G^{-1} = F^{-1}F\Phi^\top G^{-1} = F^{-1}\Phi^\top G G^{-1} = F^{-1}\Phi^\top$, entry $(p, q)$."""
    d.begin(
        DUAL_PQ,
        r"entry $(p, q)$, any $n$ samples and $m$ features; $F = \Phi^\top\Phi + \lambda I$ and "
        r"$G = \Phi\Phi^\top + \lambda I$ are positive definite for $\lambda > 0$, hence invertible",
        title="The push-through identity, any size",
    )
    rest = sp.Sum(PhiI[k, s_] * GinvI[k, q_], (k, 1, n_pts))
    d.then(
        sp.Sum(sp.KroneckerDelta(p_, s_) * rest, (s_, 1, m_feat)),
        r"$(\Phi^\top G^{-1})_{pq} = \sum_s \delta_{ps}"
        r"(\Phi^\top G^{-1})_{sq}$",
    )
    d.assume(
        INSERT_F,
        sp.Sum(sp.Sum(FinvI[p_, t_] * FeatureGram(t_, s_), (t_, 1, m_feat)) * rest, (s_, 1, m_feat)),
        r"$I = F^{-1}F$, never expanding $F^{-1}$",
    )
    d.then(
        sp.Sum(
            FinvI[p_, t_]
            * sp.Sum(PhiI[j_, t_] * sp.Sum(KernelGram(j_, k) * GinvI[k, q_], (k, 1, n_pts)), (j_, 1, n_pts)),
            (t_, 1, m_feat),
        ),
        r"$F\Phi^\top = \Phi^\top G$, the push-through lemma: $(\Phi^\top\Phi + \lambda I)\Phi^\top = "
        r"\Phi^\top\Phi\Phi^\top + \lambda\Phi^\top = \Phi^\top(\Phi\Phi^\top + \lambda I)$",
    )
    d.assume(INVERSE_G, lambda e: INVERSE_G.rewrite(e), r"$GG^{-1} = I$, never expanding $G^{-1}$")
    d.then(collapse, r"the Kronecker delta sifts the sum over $j$: $(F^{-1}\Phi^\top)_{pq}$")
    d.conclude("push-through")


# -- how it is checked -----------------------------------------------------------------------------
def _phi_numpy(x: np.ndarray, shift: float) -> np.ndarray:
    """The explicit feature map, row-wise, in numpy."""
    a, b = x[:, 0], x[:, 1]
    r = np.sqrt(2 * shift)
    return np.stack([a**2, b**2, np.sqrt(2) * a * b, r * a, r * b, np.full_like(a, shift)], axis=1)


def crosscheck(ctx: CheckContext) -> CrossCheckResult:
    """Random data (40 training points in R^2): ridge regression on the six explicit features against kernel
    ridge regression with (x.y + c)^2, predictions at 25 new points; the kernel matrix against Phi Phi^T; and the
    push-through identity for random n x m feature matrices (n, m = 1..12), each side by numpy.linalg.solve."""
    pred_err, gram_err = [], []
    for _ in range(10):
        shift, reg = float(ctx.rng.uniform(0.1, 3)), float(ctx.rng.uniform(0.01, 2))
        xt, xq = ctx.rng.normal(size=(40, 2)), ctx.rng.normal(size=(25, 2))
        yt = np.sin(xt[:, 0]) + xt[:, 1] ** 2 + 0.1 * ctx.rng.normal(size=40)
        ft, fq = _phi_numpy(xt, shift), _phi_numpy(xq, shift)
        w = np.linalg.solve(ft.T @ ft + reg * np.eye(6), ft.T @ yt)
        k = (xt @ xt.T + shift) ** 2
        alpha = np.linalg.solve(k + reg * np.eye(40), yt)
        primal, dual = fq @ w, ((xq @ xt.T + shift) ** 2) @ alpha
        pred_err.append(float(np.max(np.abs(primal - dual)) / np.max(np.abs(primal))))
        gram_err.append(float(np.max(np.abs(ft @ ft.T - k)) / np.max(np.abs(k))))
    push_err = []
    for _ in range(12):  # the push-through identity at random sizes, each side by its own linear solve
        n, m = (int(v) for v in ctx.rng.integers(1, 13, size=2))
        phi, reg = ctx.rng.normal(size=(n, m)), float(ctx.rng.uniform(0.01, 2))
        dual = np.linalg.solve(phi @ phi.T + reg * np.eye(n), phi).T  # Phi^T (Phi Phi^T + l I)^-1 (symmetric)
        primal = np.linalg.solve(phi.T @ phi + reg * np.eye(m), phi.T)
        push_err.append(float(np.max(np.abs(dual - primal)) / np.max(np.abs(primal))))
    return combine(
        ctx.bound(
            "Phi^T (Phi Phi^T + l I)^-1 = (Phi^T Phi + l I)^-1 Phi^T, n, m = 1..12",
            "numpy.linalg.solve on each side",
            max(push_err),
            1e-9,
        ),
        ctx.bound("primal = dual predictions", "numpy.linalg.solve on both sides", max(pred_err), 1e-8),
        ctx.bound("Phi Phi^T = K", "explicit features vs kernel", max(gram_err), 1e-12),
    )


# -- the declaration -------------------------------------------------------------------------------
KERNEL_TRICK = declare(
    "kernel-trick",
    aliases=("representer-theorem", "kernel-ridge"),
    title="The kernel trick and kernel ridge regression",
    section="6",
    map_row=r"chapter 12 Functional analysis: Hilbert spaces, RKHS, SVMs, kernel methods",
    variables={
        d_in: SIZE,
        n_pts: SIZE,
        m_feat: SIZE,
        p_: integer(1, m_feat),
        q_: integer(1, n_pts),
        FinvI: ENTRY,
        GinvI: ENTRY,
        xI: ENTRY,
        yI: ENTRY,
        PhiI: ENTRY,
        x1: ENTRY,
        x2: ENTRY,
        y1: ENTRY,
        y2: ENTRY,
        c: SHIFT,
        lam: RIDGE,
        **entry_domains(PHI_DATA, ENTRY),
    },
    definitions={FeatureGram(a_, b_): F_BODY, KernelGram(a_, b_): G_BODY},
    claim=CLAIM,
    also=(PUSH_LEMMA, PUSH_THROUGH),
    derivation=derivation,
    crosscheck=crosscheck,
    question=QUESTION,
    refs=REFS,
    builds_on=("map-ridge",),
)
