r"""Condition number: error amplification and the normal equations.

The condition number $\kappa = \sigma_{\max}/\sigma_{\min}$ bounds how much a relative error in $b$ can
grow in the solution of $Ax = b$, and forming the Gram matrix $X^\top X$ squares it, which is why least
squares is solved with QR or SVD rather than the normal equations. Derived in the singular bases for
any size; the checks measure real float64 errors. The map's curriculum chapter 10, numerical methods:
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
    integer,
    nonnegative,
    notation,
    numerically,
    positive,
    real,
)
from derive.core.facts import ORTHOGONAL_INVARIANCE, SVD_ORTHONORMAL
from derive.maths.svd import SINGULAR_VALUES, SIZES, a, b, c, collapsed, delta, gram_entry, p, sigma

# -- symbols ---------------------------------------------------------------------------------------
# An invertible n x n A = U Sigma V^T (any n) in its singular bases: x = V c, dx = V e, b = U Sigma c,
# db = U Sigma e. The singular values lie between sigma_n > 0 and sigma_1 = sigma_n + Delta; each squared one is
# written sigma_a^2 = sigma_n^2 + D sin^2(theta_a), D = sigma_1^2 - sigma_n^2 (every value in between, ends included).
POSITIVE = positive(5)
GAP = nonnegative(5)
COORDINATE = real(-5, 5)
sig_n = POSITIVE.symbol("sigma_n")
gap = GAP.symbol("Delta")
sig_1 = sig_n + gap
SPREAD = gap * (2 * sig_n + gap)  # sigma_1^2 - sigma_n^2
n = sp.Symbol("n", integer=True, positive=True)
i_ = sp.Symbol("i", integer=True, positive=True)  # the singular index of the bound's sums
thI = sp.IndexedBase("theta", real=True)
cI, eI = sp.IndexedBase("c", real=True), sp.IndexedBase("e", real=True)
SQ = sig_n**2 + SPREAD * sp.sin(thI[i_]) ** 2  # sigma_i^2


def _total(f: sp.Expr) -> sp.Sum:
    return sp.Sum(f, (i_, 1, n))


KAPPA = sig_1 / sig_n
DX, X_SQ, DB, B_SQ = _total(eI[i_] ** 2), _total(cI[i_] ** 2), _total(SQ * eI[i_] ** 2), _total(SQ * cI[i_] ** 2)
CROSS = notation(r"\lVert\delta x\rVert^2\lVert b\rVert^2", DX * B_SQ, "||dx||^2 ||b||^2")
s_a, s_b = (POSITIVE.symbol(name) for name in ("s1", "s2"))  # the question's singular values
GRAM = notation(r"(V^\top X^\top X V)_{ab}", gram_entry(sigma, a, b, c, p), "(V^T X^T X V)_ab")

# -- what is claimed -------------------------------------------------------------------------------
CLAIM = Statement(
    "bound",
    Le(CROSS, KAPPA**2 * DB * X_SQ),
    text=r"for $A x = b$, $A(x + \delta x) = b + \delta b$ with $A$ invertible $n\times n$, any $n$: "
    r"$\lVert\delta x\rVert^2\lVert b\rVert^2 \le \kappa^2\lVert\delta b\rVert^2\lVert x\rVert^2$, i.e. "
    r"$\frac{\lVert\delta x\rVert}{\lVert x\rVert} \le \kappa\frac{\lVert\delta b\rVert}{\lVert b\rVert}$ for "
    r"$x \ne 0$, $\kappa = \sigma_1/\sigma_n$. In the singular bases of $A$ (norms do not change) $x = Vc$, "
    r"$\delta x = Ve$, $b = U\Sigma c$, $\delta b = U\Sigma e$, and $\sigma_i^2 = \sigma_n^2 + "
    r"(\sigma_1^2 - \sigma_n^2)\sin^2\theta_i$, $\sigma_1 = \sigma_n + \Delta$",
)
GRAM_SPECTRUM = Statement(
    "Gram spectrum",
    Eq(GRAM, sigma[a] ** 2 * delta(a, b), evaluate=False),
    text=r"for any $m\times n$ $X = U\Sigma V^\top$ the Gram matrix is $X^\top X = V\Sigma^\top\Sigma V^\top$: its "
    r"eigenvalues (and singular values) are $\sigma_i^2$, so $\kappa(X^\top X) = \kappa(X)^2$",
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
    Cholesky on well-scaled problems rather than by inverting the Gram matrix. Derived for any size in the
    singular bases (the orthogonal invariance of the norms and the SVD, cited)."""
    d.begin(CROSS, r"$\lVert\delta x\rVert^2 = \sum_i e_i^2$, $\lVert b\rVert^2 = \sum_i\sigma_i^2c_i^2$")
    d.assume(ORTHOGONAL_INVARIANCE)
    low = _total(SPREAD * sp.sin(thI[i_]) ** 2 * eI[i_] ** 2)  # sum_i (sigma_i^2 - sigma_n^2) e_i^2 >= 0
    high = _total(SPREAD * sp.cos(thI[i_]) ** 2 * cI[i_] ** 2)  # sum_i (sigma_1^2 - sigma_i^2) c_i^2 >= 0
    d.then(
        DB * B_SQ / sig_n**2 - low * B_SQ / sig_n**2,
        r"$e_i^2 = (\sigma_i^2 - (\sigma_1^2 - \sigma_n^2)\sin^2\theta_i)e_i^2/\sigma_n^2$",
    )
    d.bound(DB * B_SQ / sig_n**2, r"drop the nonnegative sum: $\lVert\delta x\rVert \le \lVert\delta b\rVert/\sigma_n$")
    d.then(
        KAPPA**2 * DB * X_SQ - DB * high / sig_n**2,
        r"$\sigma_i^2 = \sigma_1^2 - (\sigma_1^2 - \sigma_n^2)\cos^2\theta_i$",
    )
    d.bound(KAPPA**2 * DB * X_SQ, r"drop the nonnegative sum: $\lVert b\rVert \le \sigma_1\lVert x\rVert$")
    d.conclude("bound")

    d.begin(GRAM, r"$XV = U\Sigma$ and $U^\top U = I$ leave $\Sigma^\top\Sigma$")
    d.assume(SVD_ORTHONORMAL)
    d.then(collapsed, r"$\Sigma_{ca} = \sigma_a\delta_{ca}$: the Kronecker deltas collapse the sum")
    d.then(sigma[a] ** 2 * delta(a, b), r"$\delta_{ab}\sigma_a\sigma_b = \sigma_a^2\delta_{ab}$")
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
        sig_n: POSITIVE,
        gap: GAP,
        n: integer(1, 6),
        i_: integer(1, n),
        a: SIZES[a],
        thI: real(-4, 4),
        cI: COORDINATE,
        eI: COORDINATE,
        s_a: POSITIVE,
        s_b: POSITIVE,
        p: SIZES[p],
        b: SIZES[b],
        c: integer(1, p),
        sigma: SINGULAR_VALUES,
    },
    claim=CLAIM,
    also=(GRAM_SPECTRUM, DIGITS_LOST),
    derivation=derivation,
    crosscheck=crosscheck,
    question=QUESTION,
    refs=REFS,
    builds_on=("eckart-young",),
)
