r"""The kernel trick and kernel ridge regression.

A polynomial kernel is an inner product of explicit features, $(x^\top y + c)^2 = \varphi(x)^\top\varphi(y)$
(derived by expanding both sides for $d = 2$), and ridge regression in feature space equals kernel ridge
regression by the push-through identity, derived on a symbolic $3 \times 2$ feature matrix and checked
on random data. The map's curriculum chapter 12, functional analysis: Hilbert spaces, RKHS, SVMs, kernel
methods (map 6). Schölkopf and Smola (2002), Learning with Kernels, Sec. 2.1, 4.2; Murphy (2012),
Machine Learning: A Probabilistic Perspective, Sec. 14.4.3.
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
    notation,
    positive,
    real,
)
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
PRIMAL = notation(
    r"(\Phi^\top\Phi + \lambda I)^{-1}\Phi^\top", (PHI_DATA.T * PHI_DATA + lam * sp.eye(2)).inv() * PHI_DATA.T, "primal"
)
DUAL = notation(
    r"\Phi^\top(\Phi\Phi^\top + \lambda I)^{-1}", PHI_DATA.T * (PHI_DATA * PHI_DATA.T + lam * sp.eye(3)).inv(), "dual"
)

# -- what is claimed -------------------------------------------------------------------------------
CLAIM = Statement(
    "feature map",
    Eq(KERNEL, (features(x1, x2).T * features(y1, y2))[0, 0]),
    text=r"$(x^\top y + c)^2 = \varphi(x)^\top\varphi(y)$ with six explicit features for $d = 2$",
)
PUSH_THROUGH = Statement(
    "push-through",
    Eq(PRIMAL, DUAL, evaluate=False),
    text=r"for a feature matrix $\Phi$ ($n = 3$ points, $p = 2$ features): the primal ridge solution "
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
    Ref.book("B. Schölkopf and A. J. Smola, Learning with Kernels (MIT Press, 2002)", "Sec. 2.1, 4.2"),
    Ref.book("K. P. Murphy, Machine Learning: A Probabilistic Perspective (2012)", "Sec. 14.4.3"),
)


# -- how it is derived -----------------------------------------------------------------------------
def derivation(d: Derivation) -> None:
    r"""A kernel $k(x, y) = \varphi(x)^\top\varphi(y)$ is an inner product in a feature space that is never
    built: the polynomial kernel $(x^\top y + c)^2$ hides six features in $\mathbb R^2$ (and $O(d^2)$ in general),
    the Gaussian kernel infinitely many. Ridge regression in that space needs only the $n \times n$ kernel
    matrix, by the push-through identity; the same algebra underlies SVMs, Gaussian processes and the
    attention-as-kernel view of transformers."""
    d.begin(KERNEL, scope="for d = 2")
    d.then(lambda e: sp.expand(e), "expand the square")
    d.then(
        (features(x1, x2).T * features(y1, y2))[0, 0],
        r"group as products of features: $x_1^2 y_1^2$, $x_2^2y_2^2$, $2x_1x_2y_1y_2$, $2c\,x_iy_i$, $c^2$",
    )
    d.conclude("feature map")

    d.begin(PRIMAL, scope=r"for $\Phi \in \mathbb R^{3\times2}$")
    d.then(lambda e: e.doit(), r"invert the $2\times2$ matrix")
    d.then(
        lambda e: e.applyfunc(sp.cancel),
        r"over the common denominator $\det(\Phi^\top\Phi + \lambda I)$, which "
        r"divides $\det(\Phi\Phi^\top + \lambda I) = \lambda\det(\Phi^\top\Phi + \lambda I)$",
    )
    d.conclude("push-through")


# -- how it is checked -----------------------------------------------------------------------------
def _phi_numpy(x: np.ndarray, shift: float) -> np.ndarray:
    """The explicit feature map, row-wise, in numpy."""
    a, b = x[:, 0], x[:, 1]
    r = np.sqrt(2 * shift)
    return np.stack([a**2, b**2, np.sqrt(2) * a * b, r * a, r * b, np.full_like(a, shift)], axis=1)


def crosscheck(ctx: CheckContext) -> CrossCheckResult:
    """Random data (40 training points in R^2): ridge regression on the six explicit features against kernel
    ridge regression with (x.y + c)^2, predictions at 25 new points; the kernel matrix against Phi Phi^T."""
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
    return combine(
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
        x1: ENTRY,
        x2: ENTRY,
        y1: ENTRY,
        y2: ENTRY,
        c: SHIFT,
        lam: RIDGE,
        **entry_domains(PHI_DATA, ENTRY),
    },
    claim=CLAIM,
    also=(PUSH_THROUGH,),
    derivation=derivation,
    crosscheck=crosscheck,
    question=QUESTION,
    refs=REFS,
    builds_on=("map-ridge",),
)
