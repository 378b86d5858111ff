r"""Eckart-Young: the best rank-k approximation.

Truncating the SVD, $A_k = \sum_{i \le k}\sigma_i\mathbf{u}_i\mathbf{v}_i^\top$, gives the best rank-$k$
approximation of $A$: the error is $\sum_{i > k}\sigma_i^2$ in squared Frobenius norm and $\sigma_{k+1}$ in spectral
norm, and no rank-$k$ matrix is closer, which is why PCA, truncated-SVD compression and low-rank recommenders keep
the top singular directions (map 1.3, optimal rank-$k$ approximation). Eckart and Young (1936); Mirsky (1960);
Golub and Van Loan (2013), Matrix Computations, Sec. 2.4.
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
    notation,
    numerically,
    real,
)
from derive.maths.matrices import (
    entry_domains,
    fraction_form,
    frobenius_sq,
    rect_diag,
    singular_values,
    svd_form,
    symbol_vector,
)
from derive.numeric.linalg import low_rank, truncated_svd

from ._shared import CAYLEY, at_samples, cayley_params

# -- symbols ---------------------------------------------------------------------------------------
ENTRY = real(-3, 3)
SIG2, SIG2_DOM = singular_values(2)
UP, VP = cayley_params("u", 3), cayley_params("v", 1)
A_EY, U_EY, S_EY, V_EY = svd_form(SIG2, 3, 2, UP, VP)
A1_EY = SIG2[0] * U_EY[:, 0] * V_EY[:, 0].T
YV = symbol_vector("y", 2, ENTRY)  # coordinates of x = V y in the right singular basis
YSQ = [y**2 for y in YV]
ERR = fraction_form(A_EY - A1_EY)
FRO_ERR = notation(r"\lVert A - A_1 \rVert_F^2", frobenius_sq(ERR), "||A - A_1||_F^2")
FRO_DIAG = notation(
    r"\lVert \Sigma - \Sigma_1 \rVert_F^2", frobenius_sq(S_EY - rect_diag(SIG2[:1], 3, 2)), "||S - S_1||_F^2"
)
ERR_X = notation(r"\lVert (A - A_1)V\mathbf{y} \rVert^2", frobenius_sq(ERR * V_EY * YV), "||(A - A_1) V y||^2")
ERR_V2 = notation(r"\lVert (A - A_1)\mathbf{v}_2 \rVert^2", frobenius_sq(ERR * V_EY[:, 1]), "||(A - A_1) v_2||^2")

# -- what is claimed -------------------------------------------------------------------------------
CLAIM = Statement(
    "Frobenius",
    Eq(FRO_ERR, SIG2[1] ** 2, evaluate=False),
    text=r"$A_1 = \sigma_1\mathbf{u}_1\mathbf{v}_1^\top$ misses $A$ by the dropped $\sigma_2^2$ in squared "
    r"Frobenius norm",
)
SPECTRAL_BOUND = Statement(
    "spectral bound",
    Le(ERR_X, SIG2[1] ** 2 * sp.Add(*YSQ), evaluate=False),
    text=r"$\lVert (A - A_1)\mathbf{x}\rVert \le \sigma_2\lVert\mathbf{x}\rVert$ for every "
    r"$\mathbf{x} = V\mathbf{y}$ ($\lVert\mathbf{x}\rVert = \lVert\mathbf{y}\rVert$)",
)
ATTAINED = Statement(
    "attained",
    Eq(ERR_V2, SIG2[1] ** 2, evaluate=False),
    text=r"with equality at $\mathbf{x} = \mathbf{v}_2$: so $\lVert A - A_1\rVert_2 = \sigma_2$",
)


def _ey_optimal(ctx: CheckContext) -> CrossCheckResult:
    r"""Random A (9x7, k = 1, 2, 3): both errors of A_k against sigma_{k+1} and the tail sum, and no random
    rank-k matrix, nor any small perturbation of A_k within rank k, is closer in either norm."""
    rng = ctx.rng
    results = []
    worst = -np.inf
    for k in (1, 2, 3):
        a = rng.normal(size=(9, 7))
        s = np.linalg.svd(a, compute_uv=False)
        ak = truncated_svd(a, k)
        fro, two = float(np.linalg.norm(a - ak, "fro")), float(np.linalg.norm(a - ak, 2))
        results.append(
            ctx.compare(f"||A - A_{k}||_F^2 = tail sum", "numpy", np.asarray(fro**2), np.sum(s[k:] ** 2), rtol=1e-10)
        )
        results.append(ctx.compare(f"||A - A_{k}||_2 = sigma_{k + 1}", "numpy", np.asarray(two), s[k], rtol=1e-10))
        u, _, vt = np.linalg.svd(a, full_matrices=False)
        for trial in range(400):
            if trial % 2:
                x = low_rank(rng, 9, 7, k)
                x *= np.linalg.norm(ak) / np.linalg.norm(x)
            else:
                eps = 10.0 ** rng.uniform(-6, -1)
                p = (u[:, :k] + eps * rng.normal(size=(9, k))) * s[:k]
                x = p @ (vt[:k] + eps * rng.normal(size=(k, 7)))
            # how much closer than A_k the competitor gets (negative: not closer)
            worst = max(worst, float(fro - np.linalg.norm(a - x, "fro")), float(two - np.linalg.norm(a - x, 2)))
    results.append(
        ctx.bound("no rank-k competitor is closer", "1200 random and perturbed rank-k matrices", worst, 1e-12)
    )
    return combine(*results)


OPTIMAL = numerically(
    "optimal",
    r"the errors are $\sum_{i > k}\sigma_i^2$ and $\sigma_{k+1}$ for every $k$, and no matrix of rank $k$ is "
    r"closer to $A$ than $A_k$, in Frobenius or spectral norm (random $9\times 7$ matrices, $k = 1, 2, 3$, "
    r"$1200$ random and perturbed rank-$k$ competitors)",
    _ey_optimal,
)

# -- the homework question, and where the identity comes from --------------------------------------
QUESTION = Question(
    target=SIG2[1] ** 2,
    prompt=r"$A \in \mathbb{R}^{3\times 2}$ has singular values $\sigma_1 \ge \sigma_2$. What is "
    r"$\lVert A - A_1\rVert_F^2$ for the best rank-one approximation $A_1$?",
    names={"sigma1": SIG2[0], "sigma2": SIG2[1]},
    approximations={
        r"that is the error of the rank-zero approximation, $\lVert A\rVert_F^2$": SIG2[0] ** 2 + SIG2[1] ** 2,
        r"that is $\lVert A - A_1\rVert_2$, a norm, not its square": SIG2[1],
    },
)
REFS = (
    Ref.cite("eckart1936"),
    Ref.cite("mirsky1960"),
    Ref.cite("golub2013", where="Sec. 2.4"),
)


# -- how it is derived -----------------------------------------------------------------------------
def derivation(d: Derivation) -> None:
    r"""Truncating the SVD, $A_k = \sum_{i \le k}\sigma_i\mathbf{u}_i\mathbf{v}_i^\top$, gives the best rank-$k$
    approximation of $A$: the error is $\lVert A - A_k\rVert_F^2 = \sum_{i > k}\sigma_i^2$ in Frobenius norm and
    $\sigma_{k+1}$ in spectral norm, and no rank-$k$ matrix does better. It is why PCA, truncated-SVD
    compression of weight matrices and low-rank recommenders keep the top singular directions. The
    derivation takes a general $3\times 2$ matrix $A = U\Sigma V^\top$ ($U$, $V$ Cayley rotations with
    parameters $u_i$, $v_1$) and $k = 1$; optimality over all rank-$k$ matrices is checked numerically."""
    scope = "for a 3 x 2 matrix and k = 1"
    d.begin(
        FRO_ERR, r"$A - A_1 = U(\Sigma - \Sigma_1)V^\top$ with $\Sigma_1 = \mathrm{diag}(\sigma_1, 0)$", scope=scope
    )
    d.then(FRO_DIAG, r"$\lVert U M V^\top\rVert_F = \lVert M\rVert_F$ for orthogonal $U$, $V$")
    d.then(lambda e: e.doit(), r"the only nonzero entry of $\Sigma - \Sigma_1$ is $\sigma_2$")
    d.conclude("Frobenius")

    d.begin(
        ERR_X, r"any $\mathbf{x}$ is $V\mathbf{y}$ with $\lVert\mathbf{y}\rVert = \lVert\mathbf{x}\rVert$", scope=scope
    )
    d.then(SIG2[1] ** 2 * YSQ[1], r"$(A - A_1)V\mathbf{y} = U(\Sigma - \Sigma_1)\mathbf{y} = \sigma_2 y_2\mathbf{u}_2$")
    d.bound(SIG2[1] ** 2 * sp.Add(*YSQ), r"add $\sigma_2^2 y_1^2 \ge 0$")
    d.conclude("spectral bound")

    d.begin(ERR_V2, r"$\mathbf{v}_2$, the second column of $V$", scope=scope)
    d.then(
        lambda e: sp.cancel(e.doit()),
        r"$(A - A_1)\mathbf{v}_2 = \sigma_2\mathbf{u}_2$ and $\lVert\mathbf{u}_2\rVert = 1$",
    )
    d.conclude("attained")


# -- how it is checked -----------------------------------------------------------------------------
def crosscheck(ctx: CheckContext) -> CrossCheckResult:
    """The derived Frobenius error at sampled 3x2 matrices, against numpy: A_1 from numpy's own SVD."""
    n = 64
    a, res = at_samples(ctx, [A_EY, ctx.result], n)
    got = np.array([np.linalg.norm(m - truncated_svd(m, 1), "fro") ** 2 for m in a])
    return ctx.compare("||A - A_1||_F^2, 3x2", "numpy.linalg.svd", got, res, rtol=1e-9)


# -- the declaration -------------------------------------------------------------------------------
ECKART_YOUNG = declare(
    "eckart-young",
    aliases=("eckart-young-mirsky",),
    title="Eckart-Young: the best rank-k approximation",
    section="1.3",
    map_row=r"Eckart--Young theorem: optimal rank-$k$ approximation (matrix factorisation for recommenders)",
    variables={**SIG2_DOM, **entry_domains([*UP, *VP], CAYLEY), **entry_domains(YV, ENTRY)},
    claim=CLAIM,
    also=(SPECTRAL_BOUND, ATTAINED, OPTIMAL),
    derivation=derivation,
    crosscheck=crosscheck,
    question=QUESTION,
    refs=REFS,
)
