r"""Randomised SVD: projection, exact recovery, error bound.

Randomised SVD sketches the range of a large $A$ with a Gaussian test matrix, $Y = A\Omega$ with $l = k + p$
columns, $Q = \operatorname{orth}(Y)$, then takes a small SVD of $B = Q^\top A$: $QQ^\top$ is the orthogonal
projector onto $\operatorname{range}(Y)$, a matrix whose columns lie in $\operatorname{range}(Q)$ (rank at most
$k + p$) is recovered exactly, the small SVD lifts to one of $A$, and otherwise the expected error exceeds the
optimal one by at most $(1 + k/(p-1))^{1/2}$ (map 1.3, randomised SVD for scalable approximation).
Halko, Martinsson and Tropp (2011), Finding structure with randomness, Sec. 1.3 and Thm. 10.5.
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
    nonnegative,
    notation,
    numerically,
    real,
    statement_lhs,
)
from derive.core.facts import SUM_EXCHANGE, SVD_ORTHONORMAL, Fact
from derive.maths.flows import Innermost, index_form
from derive.maths.indexed import InverseOf, collapse
from derive.numeric.linalg import low_rank, with_spectrum

# -- symbols ---------------------------------------------------------------------------------------
# Q: m x l with orthonormal columns (l = k + p <= m), B = Q^T A: l x n, U_B: l x l (the small SVD), any sizes
ENTRY = real(-3, 3)
l_ = sp.Symbol("l", integer=True, positive=True)
m_, n_ = sp.symbols("m n", integer=True, positive=True)
i_ = integer(1, m_).symbol("i")
j_ = integer(1, m_).symbol("j")
h_ = integer(1, n_).symbol("h")  # a column of A
s_, t_ = (integer(1, l_).symbol(name) for name in ("s", "t"))  # columns of Q U_B
a_, b_, c_, e_, f_ = sp.symbols("a b c e f", integer=True, positive=True)  # bound indices
QI, QT = sp.IndexedBase("Q", real=True), sp.IndexedBase(r"Q^{\top}", real=True)
UI, UT = sp.IndexedBase("U_B", real=True), sp.IndexedBase(r"U_B^{\top}", real=True)
BI, VT = sp.IndexedBase("B", real=True), sp.IndexedBase(r"V^{\top}", real=True)
svI = sp.IndexedBase(r"\sigma", nonnegative=True)  # the singular values of B
#: Q^T Q = I_l: Q's orthonormal columns, completed to an orthogonal m x m matrix [Q Q_perp] (every orthonormal
#: set extends to a basis); Q is its first l columns, Q^T its first l rows of the inverse
RANGE_FINDER = Fact(
    "orthonormal range basis",
    r"the range finder returns $Q = \operatorname{orth}(A\Omega)$ with orthonormal columns, "
    r"$\sum_{c=1}^{m}Q^\top_{ac}Q_{cb} = \delta_{ab}$ ($Q^\top Q = I_l$); completed to an orthogonal "
    r"$m\times m$ matrix $[Q\ Q_\perp]$, whose inverse is its transpose",
    Ref.cite("halko2011", where="Alg. 4.1"),
    rule=InverseOf(QT, QI, m_),
)
ORTHO_UB = SVD_ORTHONORMAL.applied(InverseOf(UT, UI, l_))  # the l x l left singular vectors of B


def p_entry(row: sp.Expr, col: sp.Expr, inner: sp.Symbol) -> sp.Sum:
    r"""$P_{rc} = (QQ^\top)_{rc} = \sum_{a=1}^{l} Q_{ra}Q^\top_{ac}$."""
    return sp.Sum(QI[row, inner] * QT[inner, col], (inner, 1, l_))


def qb_entry(row: sp.Expr, col: sp.Expr, inner: sp.Symbol) -> sp.Sum:
    r"""$A_{rc} = (QB)_{rc} = \sum_{b=1}^{l} Q_{rb}B_{bc}$: the columns of $A$ in the range of $Q$."""
    return sp.Sum(QI[row, inner] * BI[inner, col], (inner, 1, l_))


def lifted(row: sp.Expr, col: sp.Expr, inner: sp.Symbol) -> sp.Sum:
    r"""$(QU_B)_{rc} = \sum_{e=1}^{l} Q_{re}(U_B)_{ec}$."""
    return sp.Sum(QI[row, inner] * UI[inner, col], (inner, 1, l_))


def lifted_t(row: sp.Expr, col: sp.Expr, inner: sp.Symbol) -> sp.Sum:
    r"""$((QU_B)^\top)_{rc} = (U_B^\top Q^\top)_{rc} = \sum_{e=1}^{l} (U_B^\top)_{re}Q^\top_{ec}$."""
    return sp.Sum(UT[row, inner] * QT[inner, col], (inner, 1, l_))


P_IJ = p_entry(i_, j_, a_)
PSQ = notation(r"(P^2)_{ij}", sp.Sum(p_entry(i_, c_, a_) * p_entry(c_, j_, b_), (c_, 1, m_)), "(P^2)_ij")
# P^T = P by its form: (P^T)_{ij} = P_{ji}, with Q^T_{aj} = Q_{ja} (the transpose, a swap of indices)
PT = notation(r"(P^\top)_{ij}", sp.Sum(QI[j_, a_] * QI[i_, a_], (a_, 1, l_)), "(P^T)_ij")
PA = notation(r"(QQ^\top A)_{ih}", sp.Sum(p_entry(i_, c_, a_) * qb_entry(c_, h_, b_), (c_, 1, m_)), "(Q Q^T A)_ih")
LIFT = notation(
    r"((QU_B)^\top QU_B)_{st}", sp.Sum(lifted_t(s_, c_, e_) * lifted(c_, t_, f_), (c_, 1, m_)), "((Q U_B)^T Q U_B)_st"
)
#: (QB)_{ih} with the small SVD B = U_B Sigma V^T, and its lift (Q U_B) Sigma V^T
QB_SVD = notation(
    r"(QB)_{ih}",
    sp.Sum(QI[i_, b_] * sp.Sum(UI[b_, a_] * svI[a_] * VT[a_, h_], (a_, 1, l_)), (b_, 1, l_)),
    "(Q B)_ih",
)
LIFTED_SVD = sp.Sum(lifted(i_, a_, b_) * svI[a_] * VT[a_, h_], (a_, 1, l_))
TARGET_RANK = integer(1, 100)
k_rs = TARGET_RANK.symbol("k")
OVERSAMPLING = integer(2, 20)
p_rs = OVERSAMPLING.symbol("p")

# -- what is claimed -------------------------------------------------------------------------------
CLAIM = Statement(
    "projector",
    Eq(PSQ, P_IJ),
    text=r"$P = QQ^\top$ with orthonormal columns ($Q^\top Q = I_l$, $Q = \operatorname{orth}(A\Omega)$, $m\times l$) "
    r"is idempotent, $P^2 = P$, for any $m$ and $l$: with $P^\top = P$, the orthogonal projector onto "
    r"$\operatorname{range}(Y)$",
)
SYMMETRIC = Statement(
    "symmetric",
    Eq(PT, sp.Sum(QI[i_, a_] * QI[j_, a_], (a_, 1, l_))),
    text=r"$P^\top = (QQ^\top)^\top = QQ^\top = P$: $P_{ji} = \sum_a Q_{ja}Q_{ia} = P_{ij}$, any $m$ and $l$",
)
EXACT_RECOVERY = Statement(
    "exact recovery",
    Eq(PA, qb_entry(i_, h_, a_)),
    text=r"if the columns of $A$ lie in $\operatorname{range}(Q)$, $A = QB$ (so when $\operatorname{rank}A \le k + p$, "
    r"almost surely), then $QQ^\top A = A$, entry by entry, for any $m\times n$ $A$ and any $l$",
)
LIFTED = Statement(
    "lift",
    Eq(LIFT, sp.KroneckerDelta(s_, t_)),
    text=r"with the small SVD $B = Q^\top A = U_B\Sigma V^\top$ ($U_B^\top U_B = I_l$), the lifted $U = QU_B$ has "
    r"orthonormal columns, $(QU_B)^\top(QU_B) = I_l$, so $A \approx QQ^\top A = QB = (QU_B)\Sigma V^\top$ is an "
    r"SVD (exact when $A = QB$), for any sizes",
)


def _rsvd_core(a: np.ndarray, rng: np.random.Generator, k: int, p: int) -> tuple[np.ndarray, np.ndarray]:
    """Halko-Martinsson-Tropp stage A and B: Q = orth(A Omega), B = Q^T A; returns Q and B."""
    q, _ = np.linalg.qr(a @ rng.normal(size=(a.shape[1], k + p)))
    return q, q.T @ a


def _rsvd_bound(ctx: CheckContext) -> CrossCheckResult:
    r"""Full-rank matrices with decaying spectra: the mean of ||A - Q Q^T A||_F over 300 Gaussian test
    matrices (plus 5 standard errors) stays under (1 + k/(p - 1))^{1/2} (sum_{j > k} sigma_j^2)^{1/2}."""
    rng = ctx.rng
    results = []
    for m, n, k, p, decay in ((60, 40, 5, 5, 0.7), (80, 60, 10, 3, 0.85), (50, 50, 4, 2, 0.5)):
        sig = decay ** np.arange(min(m, n))
        a = with_spectrum(rng, m, n, sig)
        draws = []
        for _ in range(300):
            q, _ = _rsvd_core(a, rng, k, p)
            draws.append(np.linalg.norm(a - q @ (q.T @ a), "fro"))
        errs = np.asarray(draws)
        bound = np.sqrt(1 + k / (p - 1)) * np.sqrt(np.sum(sig[k:] ** 2))
        upper = errs.mean() + 5 * errs.std(ddof=1) / np.sqrt(len(errs))
        results.append(
            ctx.bound(f"E||A - QQ^T A||_F / bound, k = {k}, p = {p}", "Monte Carlo, 300 draws", upper / bound, 1.0)
        )
    return combine(*results)


LIFTED_FACTORS = Statement(
    "lifted SVD",
    Eq(QB_SVD, LIFTED_SVD),
    text=r"$QB = Q(U_B\Sigma V^\top) = (QU_B)\Sigma V^\top$ entry by entry, any sizes: with the lift, an SVD of "
    r"$QQ^\top A = QB$ (of $A$ itself when $A = QB$)",
)
ERROR_BOUND = numerically(
    "error bound",
    r"for full-rank $A$: $\mathbb{E}\lVert A - QQ^\top A\rVert_F \le (1 + k/(p - 1))^{1/2}"
    r"(\sum_{j > k}\sigma_j^2)^{1/2}$ (Gaussian $\Omega$ with $k + p$ columns; Monte Carlo, three spectra)",
    _rsvd_bound,
)

# -- the homework question, and where the identity comes from --------------------------------------
QUESTION = Question(
    target=sp.sqrt(1 + k_rs / (p_rs - 1)),
    prompt=r"Randomised SVD samples $k + p$ columns $Y = A\Omega$ (Gaussian $\Omega$, $p \ge 2$). By what factor "
    r"can $\mathbb{E}\lVert A - QQ^\top A\rVert_F$ exceed the best rank-$k$ error "
    r"$(\sum_{j > k}\sigma_j^2)^{1/2}$ (Halko, Martinsson and Tropp)?",
    approximations={
        r"the oversampling enters as $p - 1$, not $p$": sp.sqrt(1 + k_rs / p_rs),
        r"the factor is a square root: $(1 + k/(p-1))^{1/2}$": 1 + k_rs / (p_rs - 1),
    },
)
REFS = (Ref.cite("halko2011", where="Sec. 1.3 (algorithm), Thm. 10.5 (bound)"),)


# -- how it is derived -----------------------------------------------------------------------------
def _contract(d: Derivation, var: sp.Symbol, pair: Fact, why: str) -> None:
    """Move the sum over ``var`` innermost, contract the orthonormal pair there, collapse the delta."""
    inner = SUM_EXCHANGE.applied(Innermost(var))
    d.assume(inner, inner.rewrite, r"finite sums commute: the sum over the shared row index goes inside")
    d.assume(pair, pair.rewrite, why)
    d.then(collapse, r"the Kronecker delta collapses the sum")


_QQ = r"$\sum_{c=1}^{m}Q^\top_{ac}Q_{cb} = \delta_{ab}$: $Q^\top Q = I_l$"


def derivation(d: Derivation) -> None:
    r"""Randomised SVD sketches the range of a large $A$ with a Gaussian test matrix: $Y = A\Omega$ with
    $l = k + p$ columns, $Q = \operatorname{orth}(Y)$, then a small SVD of $B = Q^\top A$. Everything rests on
    $P = QQ^\top$ being the orthogonal projector onto $\operatorname{range}(Y)$: when the columns of $A$ lie in
    that range (rank at most $k + p$) the sketch captures it and $A = QQ^\top A$ exactly, and the small SVD lifts
    to one of $A$. Otherwise the error exceeds the optimal $(\sum_{j>k}\sigma_j^2)^{1/2}$ (Eckart--Young) by a
    factor $(1 + k/(p-1))^{1/2}$ in expectation, checked here by Monte Carlo. Below, in index form for any sizes
    $m\times l$ ($Q$), $l\times n$ ($B$): all the proofs use of $Q$ is $Q^\top Q = I_l$ (the range finder's
    orthonormal columns, assumed) and of $U_B$ that $U_B^\top U_B = I_l$ (the SVD, cited); $\Sigma$, $V^\top$ and $B$
    are arbitrary."""
    d.begin(statement_lhs(d, "projector"), r"$(P^2)_{ij} = \sum_c P_{ic}P_{cj}$")
    _contract(d, c_, RANGE_FINDER, _QQ)
    d.conclude("projector")

    d.begin(statement_lhs(d, "symmetric"), r"$(P^\top)_{ij} = P_{ji}$")
    d.then(index_form, r"$Q^\top_{ai} = Q_{ia}$: $P_{ji} = \sum_a Q_{ja}Q_{ia}$, a product of reals commutes")
    d.conclude("symmetric")

    d.begin(statement_lhs(d, "exact recovery"), r"$A = QB$: $(QQ^\top A)_{ih} = \sum_c P_{ic}(QB)_{ch}$")
    _contract(d, c_, RANGE_FINDER, _QQ + r": $Q^\top A = Q^\top QB = B$")
    d.conclude("exact recovery")

    d.begin(statement_lhs(d, "lift"), r"$(QU_B)^\top = U_B^\top Q^\top$")
    _contract(d, c_, RANGE_FINDER, _QQ + r": $(QU_B)^\top QU_B = U_B^\top U_B$")
    d.assume(ORTHO_UB, ORTHO_UB.rewrite, r"$\sum_{e=1}^{l}(U_B^\top)_{se}(U_B)_{et} = \delta_{st}$: the small SVD")
    d.conclude("lift")

    d.begin(statement_lhs(d, "lifted SVD"), r"$B = U_B\Sigma V^\top$: $B_{bh} = \sum_a (U_B)_{ba}\sigma_aV^\top_{ah}$")
    inner = SUM_EXCHANGE.applied(Innermost(b_))
    d.assume(inner, inner.rewrite, r"finite sums commute: $\sum_b Q_{ib}(U_B)_{ba} = (QU_B)_{ia}$ goes inside")
    d.conclude("lifted SVD")


# -- how it is checked -----------------------------------------------------------------------------
def crosscheck(ctx: CheckContext) -> CrossCheckResult:
    """Random matrices of rank <= k + p: Q Q^T A = A and the lifted SVD Q U_B Sigma V^T against
    numpy.linalg.svd (singular values, and the reconstruction)."""
    rng = ctx.rng
    results = []
    for m, n, r, k, p in ((60, 40, 8, 6, 2), (100, 80, 5, 5, 5), (30, 50, 10, 8, 4)):
        a = low_rank(rng, m, n, r)
        q, b = _rsvd_core(a, rng, k, p)
        results.append(
            ctx.compare(f"Q Q^T A = A, rank {r}, k + p = {k + p}", "numpy.linalg.qr", q @ (q.T @ a), a, rtol=1e-10)
        )
        ub, s, vt = np.linalg.svd(b, full_matrices=False)
        exact = np.linalg.svd(a, compute_uv=False)[: k + p]
        results.append(
            ctx.compare(f"singular values, {m}x{n}", "numpy.linalg.svd", s, exact, rtol=1e-9, floor=exact[0])
        )
        results.append(
            ctx.compare(f"(Q U_B) S V^T = A, {m}x{n}", "numpy.linalg.svd", ((q @ ub) * s) @ vt, a, rtol=1e-10)
        )
        results.append(
            ctx.compare(
                f"(Q U_B)^T (Q U_B) = I, {m}x{n}", "numpy", (q @ ub).T @ (q @ ub), np.eye(k + p), rtol=1e-12, floor=1.0
            )
        )
    return combine(*results)


# -- the declaration -------------------------------------------------------------------------------
RANDOMIZED_SVD = declare(
    "randomized-svd",
    aliases=("randomised-svd",),
    title="Randomised SVD: projection, exact recovery, error bound",
    section="1.3",
    map_row=r"Randomised SVD: scalable approximation (Halko, Martinsson \& Tropp, 2011)",
    variables={
        l_: integer(1, 3),
        m_: integer(l_, 4),
        n_: integer(1, 3),
        i_: integer(1, m_),
        j_: integer(1, m_),
        h_: integer(1, n_),
        s_: integer(1, l_),
        t_: integer(1, l_),
        QI: ENTRY,
        QT: ENTRY,
        UI: ENTRY,
        UT: ENTRY,
        BI: ENTRY,
        VT: ENTRY,
        svI: nonnegative(5),
        k_rs: TARGET_RANK,
        p_rs: OVERSAMPLING,
    },
    claim=CLAIM,
    also=(SYMMETRIC, EXACT_RECOVERY, LIFTED, LIFTED_FACTORS, ERROR_BOUND),
    derivation=derivation,
    crosscheck=crosscheck,
    question=QUESTION,
    refs=REFS,
    builds_on=("eckart-young",),
)
