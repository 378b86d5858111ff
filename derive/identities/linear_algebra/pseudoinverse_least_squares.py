r"""The pseudoinverse solves least squares.

Least squares, $\min_{\mathbf{x}}\lVert A\mathbf{x} - \mathbf{b}\rVert^2$, is linear regression: its normal
equations $A^\top A\mathbf{x} = A^\top\mathbf{b}$ are solved by $A^{+}\mathbf{b}$ with $A^{+} = V\Sigma^{+}U^\top$
from the SVD, the shortest solution when $A$ is rank-deficient, and $A^{+}$ is characterised by the four Penrose
conditions (map 1.3, pseudoinverse and normal equations). Penrose (1955), A generalized inverse for matrices;
Golub and Van Loan (2013), Matrix Computations, Sec. 5.5.
"""

from __future__ import annotations

import numpy as np
import sympy as sp
from sympy import Eq

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
    statement_lhs,
)
from derive.core.facts import ORTHOGONAL_INVARIANCE, SUM_EXCHANGE, SVD_ORTHONORMAL, Fact
from derive.maths.flows import Innermost
from derive.maths.indexed import InverseOf, collapse
from derive.maths.matrices import entry_domains, frobenius_sq, symbol_vector
from derive.numeric.linalg import low_rank

# -- symbols ---------------------------------------------------------------------------------------
ENTRY = real(-3, 3)
a_ls, b_ls = symbol_vector("a", 3, ENTRY), symbol_vector("b", 3, ENTRY)
X = real(-5, 5)
x_ls = X.symbol("x")
RSS = frobenius_sq(a_ls * x_ls - b_ls)
# an m x n matrix A = U Sigma V^T of rank r <= min(m, n) (any sizes); A^+ = V Sigma^+ U^T
r_ = integer(1, 3).symbol("r")
m_, n_ = sp.symbols("m n", integer=True, positive=True)  # r <= m, n <= 4 (their domains, below)
w_ = sp.Symbol("w", integer=True, positive=True)  # m_w = r + w rows: a matrix with a left singular vector off its range
i_ = integer(1, m_).symbol("i")
j_ = integer(1, n_).symbol("j")
s_ = integer(1, r_).symbol("s")  # a singular direction (sigma_s > 0)
z_ = sp.Symbol("z", integer=True, positive=True)  # r < z <= r + w: a left singular vector outside the range
k_, l_, c_, e_ = sp.symbols("k l c e", integer=True, positive=True)  # bound indices
svI = sp.IndexedBase(r"\sigma", positive=True)  # sigma_1, ..., sigma_r > 0
UI, UT = sp.IndexedBase("U", real=True), sp.IndexedBase(r"U^{\top}", real=True)  # m x m, U^T = U^{-1}
VT, VI = sp.IndexedBase(r"V^{\top}", real=True), sp.IndexedBase("V", real=True)  # n x n, V = (V^T)^{-1}
ORTHO_U = SVD_ORTHONORMAL.applied(InverseOf(UI, UT, m_))
ORTHO_V = SVD_ORTHONORMAL.applied(InverseOf(VT, VI, n_))
ORTHO_V_SQUARE = SVD_ORTHONORMAL.applied(InverseOf(VT, VI, r_))  # full column rank: n = r
ORTHO_U_WIDE = SVD_ORTHONORMAL.applied(InverseOf(UI, UT, r_ + w_))  # m = r + w rows: rank r < m


def a_entry(row: sp.Expr, col: sp.Expr, k: sp.Symbol = k_) -> sp.Sum:
    r"""$A_{rc} = \sum_{k=1}^r U_{rk}\sigma_kV^\top_{kc}$."""
    return sp.Sum(UI[row, k] * svI[k] * VT[k, col], (k, 1, r_))


def at_entry(row: sp.Expr, col: sp.Expr, k: sp.Symbol = k_) -> sp.Sum:
    r"""$(A^\top)_{rc} = (V\Sigma^\top U^\top)_{rc} = \sum_{k=1}^r V_{rk}\sigma_kU^\top_{kc}$."""
    return sp.Sum(VI[row, k] * svI[k] * UT[k, col], (k, 1, r_))


def plus_entry(row: sp.Expr, col: sp.Expr, k: sp.Symbol = k_) -> sp.Sum:
    r"""$A^{+}_{rc} = (V\Sigma^{+}U^\top)_{rc} = \sum_{k=1}^r V_{rk}U^\top_{kc}/\sigma_k$."""
    return sp.Sum(VI[row, k] * UT[k, col] / svI[k], (k, 1, r_))


def _apply(entry: sp.Expr, var: sp.Symbol, size: sp.Expr, vector: sp.Expr) -> sp.Sum:
    """$\\sum_{var=1}^{size}$ entry * vector (a matrix applied to a vector, entry by entry)."""
    return sp.Sum(entry * vector, (var, 1, size))


U_S = UI[c_, s_]  # the s-th left singular vector, entry c
#: A A^+ A v_s, A^+ A A^+ u_s, A A^+ u_s, A^+ u_z, A^T A A^+ u_s and (A^T A)^{-1} A^T u_s, entry by entry
PENROSE = _apply(
    a_entry(i_, j_), j_, n_, _apply(plus_entry(j_, l_, e_), l_, m_, _apply(a_entry(l_, c_), c_, n_, VI[c_, s_]))
)
PENROSE2 = _apply(
    plus_entry(j_, i_), i_, m_, _apply(a_entry(i_, l_, e_), l_, n_, _apply(plus_entry(l_, c_), c_, m_, U_S))
)
PROJ = _apply(a_entry(i_, l_, e_), l_, n_, _apply(plus_entry(l_, c_), c_, m_, U_S))
KILLS = _apply(plus_entry(j_, c_), c_, r_ + w_, UI[c_, z_])
NORMAL = _apply(at_entry(j_, i_), i_, m_, _apply(a_entry(i_, l_, e_), l_, n_, _apply(plus_entry(l_, c_), c_, m_, U_S)))
GRAM_INV = sp.Sum(VI[j_, e_] * VT[e_, l_] / svI[e_] ** 2, (e_, 1, r_))  # (A^T A)^{-1} = V Sigma^{-2} V^T, n = r
LEFT_INV = _apply(GRAM_INV, l_, r_, _apply(at_entry(l_, c_), c_, m_, U_S))
# least squares in the singular coordinates: c = U^T b, x = V y (orthogonal invariance); y_k = c_k/sigma_k + t_k
cI, tI = sp.IndexedBase("c", real=True), sp.IndexedBase("t", real=True)
RESID = sp.Sum((svI[k_] * (cI[k_] / svI[k_]) - cI[k_]) ** 2, (k_, 1, r_)) + sp.Sum(cI[k_] ** 2, (k_, r_ + 1, m_))
TAIL = sp.Sum(cI[k_] ** 2, (k_, r_ + 1, m_))
q_ = sp.Symbol("q", integer=True, positive=True)  # the nullity n - r >= 1: t_1..t_q along v_{r+1}..v_n
NORM_ALL = sp.Sum((cI[k_] / svI[k_]) ** 2, (k_, 1, r_)) + sp.Sum(tI[k_] ** 2, (k_, 1, q_))
NORM_MIN = sp.Sum((cI[k_] / svI[k_]) ** 2, (k_, 1, r_))

# -- what is claimed -------------------------------------------------------------------------------
CLAIM = Statement(
    "normal equations",
    Eq(notation(r"(A^\top A\,A^{+}\mathbf{u}_s)_j", NORMAL, "(A^T A A+ u_s)_j"), svI[s_] * VI[j_, s_]),
    text=r"for any $m\times n$ $A = U\Sigma V^\top$ of rank $r$ (the SVD) and $A^{+} = V\Sigma^{+}U^\top$: "
    r"$A^\top A(A^{+}\mathbf{u}_s) = \sigma_s\mathbf{v}_s = A^\top\mathbf{u}_s$ for $s \le r$, and both sides vanish "
    r"on $\mathbf{u}_z$, $z > r$ (kills); by linearity in $\mathbf{b}$, $\mathbf{x} = A^{+}\mathbf{b}$ solves the "
    r"normal equations $A^\top A\mathbf{x} = A^\top\mathbf{b}$",
)
PENROSE_1 = Statement(
    "A A+ A = A",
    Eq(notation(r"(AA^{+}A\,\mathbf{v}_s)_i", PENROSE, "(A A+ A v_s)_i"), svI[s_] * UI[i_, s_]),
    text=r"$AA^{+}A\mathbf{v}_s = \sigma_s\mathbf{u}_s = A\mathbf{v}_s$ on each right singular vector of the row "
    r"space ($s \le r$; on the null space both sides vanish): $AA^{+}A = A$, any size and rank",
)
PENROSE_2 = Statement(
    "A+ A A+ = A+",
    Eq(notation(r"(A^{+}AA^{+}\mathbf{u}_s)_j", PENROSE2, "(A+ A A+ u_s)_j"), VI[j_, s_] / svI[s_]),
    text=r"and $A^{+}AA^{+}\mathbf{u}_s = \mathbf{v}_s/\sigma_s = A^{+}\mathbf{u}_s$ ($s \le r$): "
    r"$A^{+}AA^{+} = A^{+}$",
)
PROJECTS = Statement(
    "A A+ projects",
    Eq(notation(r"(AA^{+}\mathbf{u}_s)_i", PROJ, "(A A+ u_s)_i"), UI[i_, s_]),
    text=r"$AA^{+}\mathbf{u}_s = \mathbf{u}_s$ on the range of $A$ ($s \le r$) and $AA^{+}\mathbf{u}_z = 0$ off it: "
    r"$AA^{+} = \sum_{s \le r}\mathbf{u}_s\mathbf{u}_s^\top$, the orthogonal projector onto the range",
)
KILLS_STATEMENT = Statement(
    "kills",
    Eq(notation(r"(A^{+}\mathbf{u}_z)_j", KILLS, "(A+ u_z)_j"), 0),
    text=r"$A^{+}\mathbf{u}_z = 0$ for every left singular vector $\mathbf{u}_z$, $z > r$, outside the range",
)
FULL_RANK = Statement(
    "full column rank",
    Eq(notation(r"((A^\top A)^{-1}A^\top\mathbf{u}_s)_j", LEFT_INV, "((A^T A)^-1 A^T u_s)_j"), VI[j_, s_] / svI[s_]),
    text=r"for full column rank ($r = n$), $A^\top A = V\Sigma^2V^\top$ is invertible and "
    r"$(A^\top A)^{-1}A^\top\mathbf{u}_s = \mathbf{v}_s/\sigma_s = A^{+}\mathbf{u}_s$ (and both vanish on "
    r"$\mathbf{u}_z$): $(A^\top A)^{-1}A^\top = A^{+}$",
)
SAME_RESIDUAL = Statement(
    "same residual",
    Eq(notation(r"\lVert A(A^{+}\mathbf{b} + V\mathbf{t}) - \mathbf{b}\rVert^2", RESID, "residual"), TAIL),
    text=r"in the singular coordinates $\mathbf{c} = U^\top\mathbf{b}$ (orthogonal invariance), every "
    r"$A^{+}\mathbf{b} + \sum_{k > r}t_{k-r}\mathbf{v}_k$ ($A\mathbf{v}_k = 0$) leaves the residual "
    r"$\sum_{k > r}c_k^2$, whatever $\mathbf{t}$: all of them are least-squares solutions, any size and rank",
)
MINIMUM_NORM = Statement(
    "minimum norm",
    sp.Ge(notation(r"\lVert A^{+}\mathbf{b} + V\mathbf{t}\rVert^2", NORM_ALL, "||A+ b + V t||^2"), NORM_MIN),
    text=r"for rank-deficient $A$ (nullity $q = n - r \ge 1$) their squared length is "
    r"$\sum_{k \le r}(c_k/\sigma_k)^2 + \sum_{k=1}^{q}t_k^2 \ge "
    r"\lVert A^{+}\mathbf{b}\rVert^2$, "
    r"equal at $\mathbf{t} = 0$: $A^{+}\mathbf{b}$ is the minimum-norm solution",
)

# -- the homework question, and where the identity comes from --------------------------------------
QUESTION = Question(
    target=(a_ls.T * b_ls)[0] / (a_ls.T * a_ls)[0],
    prompt=r"Minimise $\sum_{i=1}^{3} (a_i x - b_i)^2$ over $x \in \mathbb{R}$.",
    approximations={
        r"the normal equation divides by $\mathbf{a}^\top\mathbf{a}$, not by $\mathbf{a}^\top\mathbf{b}$": (
            a_ls.T * a_ls
        )[0]
        / (a_ls.T * b_ls)[0],
        r"the mean of $b_i/a_i$ is not the least-squares solution": sum(b_ls[p] / a_ls[p] for p in range(3)) / 3,
    },
)
REFS = (
    Ref.cite("penrose1955"),
    Ref.cite("golub2013", where="Sec. 5.5"),
)


# -- how it is derived -----------------------------------------------------------------------------
def _contract(d: Derivation, var: sp.Symbol, pair: Fact, why: str) -> None:
    """Move the sum over ``var`` innermost, contract the orthonormal pair there, collapse the delta."""
    inner = SUM_EXCHANGE.applied(Innermost(var))
    d.assume(inner, inner.rewrite, r"finite sums commute: the sum over the shared index goes inside")
    d.assume(pair, pair.rewrite, why)
    d.then(collapse, r"the Kronecker delta collapses the sum")


_VV = r"$\sum_c V^\top_{kc}V_{cs} = \delta_{ks}$"
_UU = r"$\sum_c U^\top_{kc}U_{cs} = \delta_{ks}$"


def derivation(d: Derivation) -> None:
    r"""Least squares, $\min_{\mathbf{x}}\lVert A\mathbf{x} - \mathbf{b}\rVert^2$, is linear regression. Setting
    the gradient $2A^\top(A\mathbf{x} - \mathbf{b})$ to zero gives the normal equations
    $A^\top A\mathbf{x} = A^\top\mathbf{b}$; with the SVD $A = U\Sigma V^\top$ their solution (the shortest one
    when $A$ is rank-deficient) is $A^{+}\mathbf{b}$ with $A^{+} = V\Sigma^{+}U^\top$, $\Sigma^{+}$ inverting the
    nonzero singular values. Below, any $m\times n$ matrix of any rank $r$, in index form on its singular vectors
    ($U^\top U = I$, $V^\top V = I$: the SVD, cited); a matrix is known by what it does to a basis."""
    d.begin(statement_lhs(d, "normal equations"), r"$A^{+}\mathbf{u}_s$, then $A$, then $A^\top$")
    _contract(d, c_, ORTHO_U, r"$\sum_c U^\top_{kc}U_{cs} = \delta_{ks}$: $A^{+}\mathbf{u}_s = \mathbf{v}_s/\sigma_s$")
    _contract(d, l_, ORTHO_V, r"$\sum_l V^\top_{el}V_{ls} = \delta_{es}$: $A\mathbf{v}_s = \sigma_s\mathbf{u}_s$")
    _contract(d, i_, ORTHO_U, r"$\sum_i U^\top_{ki}U_{is} = \delta_{ks}$: $A^\top\mathbf{u}_s = \sigma_s\mathbf{v}_s$")
    d.conclude("normal equations")

    d.begin(statement_lhs(d, "A A+ A = A"), r"$A\mathbf{v}_s$, then $A^{+}$, then $A$")
    _contract(d, c_, ORTHO_V, _VV + r": $A\mathbf{v}_s = \sigma_s\mathbf{u}_s$")
    _contract(d, l_, ORTHO_U, r"$\sum_l U^\top_{el}U_{ls} = \delta_{es}$: $A^{+}\mathbf{u}_s = \mathbf{v}_s/\sigma_s$")
    _contract(d, j_, ORTHO_V, r"$\sum_j V^\top_{kj}V_{js} = \delta_{ks}$")
    d.conclude("A A+ A = A")

    d.begin(statement_lhs(d, "A+ A A+ = A+"), r"$A^{+}\mathbf{u}_s$, then $A$, then $A^{+}$")
    _contract(d, c_, ORTHO_U, _UU)
    _contract(d, l_, ORTHO_V, r"$\sum_l V^\top_{el}V_{ls} = \delta_{es}$")
    _contract(d, i_, ORTHO_U, r"$\sum_i U^\top_{ki}U_{is} = \delta_{ks}$")
    d.conclude("A+ A A+ = A+")

    _projector_and_rank(d)


def _projector_and_rank(d: Derivation) -> None:
    r"""$AA^{+}$ projects onto the range, $A^{+}$ vanishes off it, the full-rank formula, and the least-squares
    solutions in the singular coordinates."""
    d.begin(statement_lhs(d, "A A+ projects"), r"$A^{+}\mathbf{u}_s$, then $A$")
    _contract(d, c_, ORTHO_U, _UU)
    _contract(d, l_, ORTHO_V, r"$\sum_l V^\top_{el}V_{ls} = \delta_{es}$")
    d.conclude("A A+ projects")

    d.begin(statement_lhs(d, "kills"), r"$\mathbf{u}_z$ with $z > r$")
    inner = SUM_EXCHANGE.applied(Innermost(c_))
    d.assume(inner, inner.rewrite, r"finite sums commute: the sum over $c$ goes inside")
    d.assume(ORTHO_U_WIDE, ORTHO_U_WIDE.rewrite, r"$\sum_c U^\top_{kc}U_{cz} = \delta_{kz}$")
    d.then(0, r"$\delta_{kz} = 0$ for every $k \le r < z$")
    d.conclude("kills")

    d.begin(statement_lhs(d, "full column rank"), r"$r = n$: $(A^\top A)^{-1} = V\Sigma^{-2}V^\top$")
    _contract(d, c_, ORTHO_U, r"$\sum_c U^\top_{kc}U_{cs} = \delta_{ks}$: $A^\top\mathbf{u}_s = \sigma_s\mathbf{v}_s$")
    _contract(d, l_, ORTHO_V_SQUARE, r"$\sum_l V^\top_{el}V_{ls} = \delta_{es}$ ($V$ is $r\times r$)")
    d.conclude("full column rank")

    d.begin(
        statement_lhs(d, "same residual"),
        r"$\mathbf{y} = V^\top\mathbf{x}$: $y_k = c_k/\sigma_k$ ($k \le r$), "
        r"$t_k$ ($k > r$, where $\Sigma$ has zero columns)",
    )
    d.assume(ORTHOGONAL_INVARIANCE)
    d.then(lambda e: e.doit(), r"$\sigma_k\cdot c_k/\sigma_k - c_k = 0$: the first $r$ coordinates fit exactly")
    d.conclude("same residual")

    d.begin(statement_lhs(d, "minimum norm"), r"$\lVert V\mathbf{y}\rVert = \lVert\mathbf{y}\rVert$")
    d.assume(ORTHOGONAL_INVARIANCE)
    d.bound(NORM_MIN, r"drop $\sum_{k=1}^{q}t_k^2 \ge 0$", relation=">=")
    d.conclude("minimum norm")


# -- how it is checked -----------------------------------------------------------------------------
def _ls_check(ctx: CheckContext) -> CrossCheckResult:
    """numpy.linalg.lstsq for the one-feature problem; pinv / lstsq / the SVD formula at random
    full-rank and rank-deficient sizes."""
    rng = ctx.rng
    a, b = rng.uniform(-3, 3, size=(64, 3)), rng.uniform(-3, 3, size=(64, 3))
    got = np.array([np.linalg.lstsq(a[p, :, None], b[p], rcond=None)[0].item() for p in range(64)])
    want = np.einsum("pi,pi->p", a, b) / np.einsum("pi,pi->p", a, a)
    results = [ctx.compare("one feature, a.b / a.a, 64 samples", "numpy.linalg.lstsq", got, want, rtol=1e-10)]
    for m, n, r in ((20, 5, 5), (20, 6, 3), (7, 9, 4)):
        a = low_rank(rng, m, n, r)
        bb = rng.normal(size=m)
        u, s, vt = np.linalg.svd(a, full_matrices=False)
        s_plus = np.where(s > 1e-10 * s[0], 1 / np.where(s > 0, s, 1), 0.0)
        formula = vt.T @ np.diag(s_plus) @ u.T
        results.append(
            ctx.compare(f"V S+ U^T, {m}x{n} rank {r}", "numpy.linalg.pinv", formula, np.linalg.pinv(a), rtol=1e-9)
        )
        results.append(
            ctx.compare(
                f"A+ b, {m}x{n} rank {r}",
                "numpy.linalg.lstsq",
                formula @ bb,
                np.linalg.lstsq(a, bb, rcond=None)[0],
                rtol=1e-8,
            )
        )
        if r == n:
            normal = np.linalg.solve(a.T @ a, a.T @ bb)
            results.append(
                ctx.compare(f"normal equations, {m}x{n}", "numpy.linalg.solve", normal, formula @ bb, rtol=1e-8)
            )
    return combine(*results)


def _min_norm(ctx: CheckContext) -> CrossCheckResult:
    """Rank-deficient A: every other least-squares solution A+ b + z (z in the null space) has the
    same residual and a larger norm."""
    rng = ctx.rng
    worst_norm, worst_res = -np.inf, 0.0
    for _ in range(20):
        a = low_rank(rng, 8, 6, 3)
        b = rng.normal(size=8)
        x = np.linalg.pinv(a) @ b
        null = np.linalg.svd(a)[2][3:].T  # basis of the null space of A
        for _ in range(50):
            y = x + null @ rng.normal(size=3) * 10.0 ** rng.uniform(-4, 1)
            worst_norm = max(worst_norm, float(np.linalg.norm(x) - np.linalg.norm(y)))
            worst_res = max(worst_res, float(abs(np.linalg.norm(a @ y - b) - np.linalg.norm(a @ x - b))))
    return combine(
        ctx.bound("A+ b is the shortest solution", "1000 null-space shifts", worst_norm, 0.0),
        ctx.bound("the shifts keep the residual", "1000 null-space shifts", worst_res, 1e-10),
    )


def crosscheck(ctx: CheckContext) -> CrossCheckResult:
    """Least squares against numpy, and the minimum norm of A+ b at larger rank-deficient sizes."""
    return combine(_ls_check(ctx), _min_norm(ctx))


# -- the declaration -------------------------------------------------------------------------------
PSEUDOINVERSE_LEAST_SQUARES = declare(
    "pseudoinverse-least-squares",
    aliases=("normal-equations", "pseudoinverse"),
    title="The pseudoinverse solves least squares",
    section="1.3",
    map_row=r"Pseudoinverse $A^{+}$: least-squares solution, normal equations",
    variables={
        **entry_domains([*a_ls, *b_ls], ENTRY),
        x_ls: X,
        r_: integer(1, 3),
        m_: integer(r_, 4),
        n_: integer(r_, 4),
        i_: integer(1, m_),
        j_: integer(1, n_),
        s_: integer(1, r_),
        w_: integer(1, 2),
        q_: integer(1, 3),
        z_: integer(r_ + 1, r_ + w_),
        svI: positive(5, lo=sp.Rational(1, 2)),
        UI: ENTRY,
        UT: ENTRY,
        VT: ENTRY,
        VI: ENTRY,
        cI: ENTRY,
        tI: ENTRY,
    },
    claim=CLAIM,
    also=(PENROSE_1, PENROSE_2, PROJECTS, KILLS_STATEMENT, FULL_RANK, SAME_RESIDUAL, MINIMUM_NORM),
    derivation=derivation,
    crosscheck=crosscheck,
    question=QUESTION,
    refs=REFS,
)
