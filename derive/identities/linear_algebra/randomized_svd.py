r"""Randomised SVD: projection, exact recovery, error bound.

Randomised SVD sketches the range of a large $A$ with a Gaussian test matrix, $Y = A\Omega$ with $k + p$ columns,
$Q = \operatorname{orth}(Y)$, then takes a small SVD of $B = Q^\top A$: $QQ^\top$ is the orthogonal projector onto
$\operatorname{range}(Y)$, a matrix of rank at most $k + p$ is recovered exactly, and otherwise the expected error
exceeds the optimal one by at most $(1 + k/(p-1))^{1/2}$ (map 1.3, randomised SVD for scalable approximation).
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
    notation,
    numerically,
    real,
)
from derive.maths.matrices import cayley_orthogonal, entry_domains, symbol_vector
from derive.numeric.linalg import low_rank, with_spectrum

from ._shared import CAYLEY, cayley_params

# -- symbols ---------------------------------------------------------------------------------------
ENTRY = real(-3, 3)
QP = cayley_params("q", 3)
Q_R = cayley_orthogonal(QP, 3)[:, :2]  # an orthonormal basis of range(Y), Y = A Omega, k + p = 2 columns
UB = cayley_orthogonal(cayley_params("w", 1), 2)  # left singular vectors of B = Q^T A
LIFT = notation(r"(Q U_B)^\top (Q U_B)", (Q_R * UB).T * (Q_R * UB), "(Q U_B)^T (Q U_B)")
# one sketch column: q = stereographic unit vector (the first column of a Cayley rotation with one angle zero)
QA, QB = CAYLEY.symbol("a"), CAYLEY.symbol("b")
q1 = sp.Matrix([1 - QA**2 - QB**2, 2 * QA, 2 * QB]) / (1 + QA**2 + QB**2)
P_R = (q1 * q1.T).applyfunc(sp.factor)
CV = symbol_vector("c", 3, ENTRY)
A_R = (q1 * CV.T).applyfunc(sp.factor)  # rank one, range(A) = span(q)
PSQ = notation(r"P^2", q1 * q1.T * q1 * q1.T, "P^2")
PA = notation(r"P A", q1 * q1.T * q1 * CV.T, "P A")
TARGET_RANK = integer(1, 100)
k_rs = TARGET_RANK.symbol("k")
OVERSAMPLING = integer(2, 20)
p_rs = OVERSAMPLING.symbol("p")

# -- what is claimed -------------------------------------------------------------------------------
CLAIM = Statement(
    "projector",
    Eq(PSQ, P_R, evaluate=False),
    text=r"$P = QQ^\top$ with orthonormal $Q = \operatorname{orth}(A\Omega)$ is idempotent, $P^2 = P$ (and "
    r"symmetric by its form): the orthogonal projector onto $\operatorname{range}(Y)$; here one column "
    r"$Q = \mathbf{q}$",
)
EXACT_RECOVERY = Statement(
    "exact recovery",
    Eq(PA, A_R, evaluate=False),
    text=r"if $\operatorname{rank}A \le k + p$, then $\operatorname{range}(A\Omega) = \operatorname{range}(A)$ "
    r"(almost surely) and $QQ^\top A = A$: here $A = \mathbf{q}\mathbf{c}^\top$ for any $\mathbf{c}$",
)
LIFTED = Statement(
    "lift",
    Eq(LIFT, sp.eye(2), evaluate=False),
    text=r"with the SVD $B = Q^\top A = U_B\Sigma V^\top$, the lifted $U = QU_B$ has orthonormal columns, so "
    r"$A = QB = (QU_B)\Sigma V^\top$ is an SVD of $A$",
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
def derivation(d: Derivation) -> None:
    r"""Randomised SVD sketches the range of a large $A$ with a Gaussian test matrix: $Y = A\Omega$ with
    $k + p$ columns, $Q = \operatorname{orth}(Y)$, then a small SVD of $B = Q^\top A$. Everything rests on
    $P = QQ^\top$ being the orthogonal projector onto $\operatorname{range}(Y)$: when $A$ has rank at most
    $k + p$ the sketch captures its range and $A = QQ^\top A$ exactly, and the small SVD lifts to one of $A$.
    Otherwise the error exceeds the optimal $(\sum_{j>k}\sigma_j^2)^{1/2}$ (Eckart--Young) by a factor
    $(1 + k/(p-1))^{1/2}$ in expectation, checked here by Monte Carlo. $Q$ is the first two columns of a
    $3\times 3$ Cayley rotation (parameters $q_i$), $U_B$ a $2\times 2$ one (parameter $w_1$); the single sketch column
    $\mathbf{q} = (1 - a^2 - b^2, 2a, 2b)/(1 + a^2 + b^2)$ is a general unit vector."""
    scope = "for one sketch column in three dimensions"
    d.begin(PSQ, r"$P^2 = \mathbf{q}(\mathbf{q}^\top\mathbf{q})\mathbf{q}^\top$", scope=scope)
    d.then(lambda e: e.doit().applyfunc(sp.factor), r"$\mathbf{q}^\top\mathbf{q} = 1$: multiply out and factor")
    d.conclude("projector")

    d.begin(
        PA, r"$A = \mathbf{q}\mathbf{c}^\top$: the columns of $A$ lie in $\operatorname{span}(\mathbf{q})$", scope=scope
    )
    d.then(
        lambda e: e.doit().applyfunc(sp.factor),
        r"$\mathbf{q}\mathbf{q}^\top\mathbf{q}\mathbf{c}^\top = \mathbf{q}\mathbf{c}^\top$",
    )
    d.conclude("exact recovery")

    d.begin(LIFT, r"$U_B^\top (Q^\top Q) U_B$", scope="for Q with 3 rows and k + p = 2 columns")
    d.then(lambda e: (UB.T * UB).applyfunc(sp.cancel), r"$Q^\top Q = I$")
    d.then(lambda e: e.applyfunc(sp.cancel), r"$U_B^\top U_B = I$")
    d.conclude("lift")


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
    variables=entry_domains([*QP, *UB.free_symbols, QA, QB], CAYLEY)
    | entry_domains(CV, ENTRY)
    | {k_rs: TARGET_RANK, p_rs: OVERSAMPLING},
    claim=CLAIM,
    also=(EXACT_RECOVERY, LIFTED, ERROR_BOUND),
    derivation=derivation,
    crosscheck=crosscheck,
    question=QUESTION,
    refs=REFS,
    builds_on=("eckart-young",),
)
