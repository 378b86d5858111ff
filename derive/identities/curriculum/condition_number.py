r"""Condition number: error amplification and the normal equations.

The condition number $\kappa = \sigma_{\max}/\sigma_{\min}$ bounds how much a relative error in $b$ can
grow in the solution of $Ax = b$, and forming the Gram matrix $X^\top X$ squares it, which is why least
squares is solved with QR or SVD rather than the normal equations. Derived in the singular bases for
$n = 2$; the checks measure real float64 errors. The map's curriculum chapter 10, numerical methods:
condition number, stability (map 6). Trefethen and Bau (1997), Numerical Linear Algebra, Lectures 12
and 18; Golub and Van Loan (2013), Matrix Computations, Sec. 2.6, 5.3.
"""

from __future__ import annotations

import numpy as np
import sympy as sp
from sympy import Eq, Le

from derive.authoring import (
    CheckContext,
    CrossCheckResult,
    Derivation,
    Question,
    Ref,
    Statement,
    combine,
    declare,
    nonnegative,
    notation,
    numerically,
    positive,
    real,
)
from derive.maths.matrices import svd_form

# -- symbols ---------------------------------------------------------------------------------------
POSITIVE = positive(5)
GAP = nonnegative(5)
COORDINATE = real(-5, 5)
ROTATION = real(-2, 2)
sig2 = POSITIVE.symbol("sigma2")
gap = GAP.symbol("Delta")
sig1 = sig2 + gap  # sigma1 >= sigma2 > 0, with the order visible to SymPy's assumptions
x1 = POSITIVE.symbol("x1")  # x != 0; flipping the first basis vector makes x1 > 0
x2, d1, d2 = (COORDINATE.symbol(name) for name in ("x2", "dx1", "dx2"))
KAPPA = sig1 / sig2
REL_X = (d1**2 + d2**2) / (x1**2 + x2**2)
REL_B = (sig1**2 * d1**2 + sig2**2 * d2**2) / (sig1**2 * x1**2 + sig2**2 * x2**2)
s_a, s_b = (POSITIVE.symbol(name) for name in ("s1", "s2"))
u_c, w_c = (ROTATION.symbol(name) for name in ("u", "w"))
X_C, U_C, S_C, V_C = svd_form([s_a, s_b], 2, 2, [u_c], [w_c])
GRAM = notation(r"X^\top X", X_C.T * X_C, "X^T X")
GRAM_SVD = notation(r"V \Sigma^2 V^\top", V_C * S_C**2 * V_C.T, "V S^2 V^T")

# -- what is claimed -------------------------------------------------------------------------------
CLAIM = Statement(
    "bound",
    Le(REL_X, KAPPA**2 * REL_B),
    text=r"for $A x = b$, $A(x + \delta x) = b + \delta b$: $\frac{\lVert\delta x\rVert^2}{\lVert x\rVert^2} \le "
    r"\kappa^2 \frac{\lVert\delta b\rVert^2}{\lVert b\rVert^2}$ with $\kappa = \sigma_1/\sigma_2$. Written in the "
    r"singular bases of $A$ (norms do not change), $A = \mathrm{diag}(\sigma_1, \sigma_2)$, "
    r"$b = (\sigma_1 x_1, \sigma_2 x_2)$, $\delta b = (\sigma_1 \delta x_1, \sigma_2 \delta x_2)$, "
    r"$\sigma_1 = \sigma_2 + \Delta$",
)
GRAM_SPECTRUM = Statement(
    "Gram spectrum",
    Eq(GRAM, GRAM_SVD, evaluate=False),
    text=r"for $X = U\Sigma V^\top$ the Gram matrix is $X^\top X = V\Sigma^2V^\top$: its singular values are "
    r"$\sigma_i^2$, so $\kappa(X^\top X) = \kappa(X)^2$",
)
# the part established only numerically (DIGITS_LOST) is declared with its check, below

# -- the homework question, and where the identity comes from --------------------------------------
QUESTION = Question(
    target=s_a**2 / s_b**2,
    prompt=r"$X$ has singular values $s_1 \ge s_2 > 0$. What is the condition number $\kappa(X^\top X)$?",
    names={"s1": s_a, "s2": s_b},
    approximations={r"that is $\kappa(X)$; the Gram matrix squares it": s_a / s_b},
)
REFS = (
    Ref.cite("trefethen1997", where="Lectures 12 and 18"),
    Ref.cite("golub2013", where="Sec. 2.6, 5.3"),
)


# -- how it is derived -----------------------------------------------------------------------------
def derivation(d: Derivation) -> None:
    r"""The condition number $\kappa(A) = \sigma_{\max}/\sigma_{\min}$ bounds how much a relative error in the
    data can grow in the solution of $Ax = b$: $\kappa = 10^k$ costs up to $k$ of float64's 16 digits. Forming
    $X^\top X$ squares it, which is why least squares (and second-order optimisers) are solved with QR, SVD or
    Cholesky on well-scaled problems rather than by inverting the Gram matrix."""
    d.begin(REL_X, r"relative change of the solution, squared", scope="for n = 2")
    d.bound(
        (sig1**2 * d1**2 + sig2**2 * d2**2) / (sig2**2 * (x1**2 + x2**2)),
        r"$\lVert\delta x\rVert = \lVert A^{-1}\delta b\rVert \le \lVert\delta b\rVert/\sigma_2$",
    )
    d.bound(
        KAPPA**2 * REL_B,
        r"$\lVert b\rVert = \lVert Ax\rVert \le \sigma_1\lVert x\rVert$",
    )
    d.conclude("bound")

    d.begin(GRAM, scope=r"for $2\times2$ $X = U\Sigma V^\top$, $U$ and $V$ Cayley rotations")
    d.then(lambda e: e.doit(), r"multiply out $V\Sigma U^\top U \Sigma V^\top$")
    d.then(lambda e: e.applyfunc(sp.cancel), r"$U^\top U = I$")
    d.then(lambda e: GRAM_SVD.doit(), r"an eigendecomposition with eigenvalues $\sigma_i^2$")
    d.conclude("Gram spectrum")


# -- how it is checked -----------------------------------------------------------------------------
def crosscheck(ctx: CheckContext) -> CrossCheckResult:
    """Random 6x6 systems: the relative error of the solution against kappa times the relative error of b
    (numpy.linalg.solve, cond), equality for the worst directions; cond(X^T X) = cond(X)^2 for random 8x5 X."""
    ratios, worst, squares = [], [], []
    for _ in range(20):
        a = ctx.rng.normal(size=(6, 6))
        x = ctx.rng.normal(size=6)
        db = 1e-8 * ctx.rng.normal(size=6)
        b = a @ x
        dx = np.linalg.solve(a, b + db) - x
        kappa = np.linalg.cond(a)
        ratios.append((np.linalg.norm(dx) / np.linalg.norm(x)) / (kappa * np.linalg.norm(db) / np.linalg.norm(b)))
        u, _, vt = np.linalg.svd(a)
        xw, dbw = vt[0], 1e-8 * u[:, -1]  # x along the top right singular vector, db along the bottom left one
        dxw = np.linalg.solve(a, a @ xw + dbw) - xw
        worst.append(
            (np.linalg.norm(dxw) / np.linalg.norm(xw)) / (kappa * np.linalg.norm(dbw) / np.linalg.norm(a @ xw))
        )
        xm = ctx.rng.normal(size=(8, 5))
        squares.append(np.linalg.cond(xm.T @ xm) / np.linalg.cond(xm) ** 2)
    return combine(
        ctx.bound("error ratio / kappa <= 1", "numpy.linalg.solve, random systems", max(ratios), 1 + 1e-6),
        ctx.compare("bound attained", "worst-case directions", np.array(worst), np.ones(20), rtol=1e-5),
        ctx.compare("cond(X^T X) = cond(X)^2", "numpy.linalg.cond", np.array(squares), np.ones(20), rtol=1e-8),
    )


def _digits_lost(ctx: CheckContext) -> CrossCheckResult:
    """Least squares with cond(X) = 1e6: the normal equations' relative error against lstsq's (QR/SVD); the
    normal equations lose about twice the digits (error ~ kappa^2 eps against ~ kappa eps)."""
    eps = np.finfo(float).eps
    rel_ne, rel_ls = [], []
    for _ in range(10):
        q1, _ = np.linalg.qr(ctx.rng.normal(size=(40, 6)))
        q2, _ = np.linalg.qr(ctx.rng.normal(size=(6, 6)))
        x = q1 @ np.diag(np.logspace(0, -6, 6)) @ q2.T  # cond(X) = 1e6
        w = ctx.rng.normal(size=6)
        y = x @ w  # consistent system: the exact solution is w
        w_ne = np.linalg.solve(x.T @ x, x.T @ y)
        w_ls = np.linalg.lstsq(x, y, rcond=None)[0]
        rel_ne.append(np.linalg.norm(w_ne - w) / np.linalg.norm(w))
        rel_ls.append(np.linalg.norm(w_ls - w) / np.linalg.norm(w))
    lost_ne, lost_ls = -np.log10(np.median(rel_ne)), -np.log10(np.median(rel_ls))
    return combine(
        ctx.bound(
            "normal equations: error <= 100 kappa^2 eps",
            "numpy.linalg.solve",
            float(np.median(rel_ne)),
            100 * 1e12 * eps,
        ),
        ctx.bound(
            "lstsq keeps >= 4 more digits",
            "numpy.linalg.lstsq",
            float(lost_ne + 4 - lost_ls),
            0.0,
            detail=f"digits: normal equations {lost_ne:.1f}, lstsq {lost_ls:.1f}",
        ),
    )


DIGITS_LOST = numerically(
    "digits lost",
    r"solving least squares through the normal equations $X^\top X w = X^\top y$ loses about twice the digits "
    r"of a QR/SVD solver (measured at $\kappa(X) = 10^6$)",
    _digits_lost,
)

# -- the declaration -------------------------------------------------------------------------------
CONDITION_NUMBER = declare(
    "condition-number",
    aliases=("kappa",),
    title="Condition number: error amplification and the normal equations",
    section="6",
    map_row=r"chapter 10 Numerical methods: condition number, stability",
    variables={
        sig2: POSITIVE,
        gap: GAP,
        x1: POSITIVE,
        x2: COORDINATE,
        d1: COORDINATE,
        d2: COORDINATE,
        s_a: POSITIVE,
        s_b: POSITIVE,
        u_c: ROTATION,
        w_c: ROTATION,
    },
    claim=CLAIM,
    also=(GRAM_SPECTRUM, DIGITS_LOST),
    derivation=derivation,
    crosscheck=crosscheck,
    question=QUESTION,
    refs=REFS,
    builds_on=("eckart-young",),
)
