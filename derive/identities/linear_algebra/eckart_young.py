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
from sympy import Eq, Ge, Le

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
    real,
)
from derive.core.facts import ORTHOGONAL_INVARIANCE, SVD_ORTHONORMAL, WEYL_SINGULAR
from derive.maths.matrices import singular_values
from derive.maths.svd import (
    SINGULAR_VALUES,
    SIZES,
    a,
    b,
    collapsed,
    delta,
    diagonal_quadratic,
    k,
    q,
    sigma,
    t,
    tail,
    tail_frobenius_sq,
    u,
)
from derive.numeric.linalg import low_rank, truncated_svd

# -- symbols ---------------------------------------------------------------------------------------
# A = sum_{i <= p} sigma_i u_i v_i^T (p = min(m, n)); A_k keeps the first k terms, the q = p - k dropped ones are
# sigma_{k+t}, t = 1..q (derive.maths.svd). x = V y: y its coordinates in the right singular basis (n of them).
n = sp.Symbol("n", integer=True, positive=True)
yI = sp.IndexedBase("y", real=True)
gI = sp.IndexedBase("g", nonnegative=True)  # sigma_{k+1}^2 - lambda_a: the ordering of the error's Gram spectrum
wI = sp.IndexedBase("w", nonnegative=True)  # sigma_t(A - B) - sigma_{k+t}(A) >= 0, by Weyl's inequality
rest = sp.Symbol("R", nonnegative=True)  # the squares of the other k singular values of A - B, summed
TOP = tail(1)  # sigma_{k+1}
GRAM_EIG = TOP**2 - gI[a]  # eigenvalue a of (A - A_k)^T (A - A_k) in the right singular basis
FRO_ERR = notation(r"\lVert A - A_k \rVert_F^2", tail_frobenius_sq(), "||A - A_k||_F^2")
TAIL_SUM = sp.Sum(tail(t) ** 2, (t, 1, q))
ERR_X = notation(r"\lVert (A - A_k)V\mathbf{y} \rVert^2", diagonal_quadratic(GRAM_EIG, yI, n), "||(A - A_k) V y||^2")
NORM_Y = sp.Sum(yI[a] ** 2, (a, 1, n))
ERR_V = notation(
    r"\lVert (A - A_k)\mathbf{v}_{k+1} \rVert^2",
    sp.Sum(delta(t, 1) * tail(t) ** 2 * delta(t, u) * delta(u, 1), (u, 1, q), (t, 1, q)),
    "||(A - A_k) v_{k+1}||^2",
)
TAU = tail(t) + wI[t]  # sigma_t(A - B) >= sigma_{k+t}(A)
FRO_B = notation(r"\lVert A - B \rVert_F^2", sp.Sum(TAU**2, (t, 1, q)) + rest, "||A - B||_F^2")
omega = sp.Symbol("omega", nonnegative=True)  # sigma_1(A - B) - sigma_{k+1}(A) >= 0, by Weyl's inequality
SPEC_B = notation(r"\lVert A - B \rVert_2", TOP + omega, "||A - B||_2")

# -- what is claimed -------------------------------------------------------------------------------
CLAIM = Statement(
    "Frobenius",
    Eq(FRO_ERR, TAIL_SUM, evaluate=False),
    text=r"for any $m\times n$ matrix of any rank and any $k$: $A_k = \sum_{i \le k}\sigma_i\mathbf{u}_i"
    r"\mathbf{v}_i^\top$ misses $A$ by the dropped $\sum_{i > k}\sigma_i^2$ in squared Frobenius norm "
    r"($\sum_{t,u}\sigma_{k+t}\sigma_{k+u}(\mathbf{u}_{k+t}^\top\mathbf{u}_{k+u})"
    r"(\mathbf{v}_{k+t}^\top\mathbf{v}_{k+u})$, orthonormal singular vectors)",
)
SPECTRAL_BOUND = Statement(
    "spectral bound",
    Le(ERR_X, TOP**2 * NORM_Y, evaluate=False),
    text=r"$\lVert (A - A_k)\mathbf{x}\rVert \le \sigma_{k+1}\lVert\mathbf{x}\rVert$ for every "
    r"$\mathbf{x} = V\mathbf{y}$, any size: in the right singular basis $(A - A_k)^\top(A - A_k)$ is diagonal "
    r"with entries "
    r"$\lambda_a = \sigma_{k+1}^2 - g_a$, $g_a \ge 0$ ($0$ for $a \le k$ and $a > p$, $\sigma_a^2 \le \sigma_{k+1}^2$ "
    r"between)",
)
ATTAINED = Statement(
    "attained",
    Eq(ERR_V, TOP**2, evaluate=False),
    text=r"with equality at $\mathbf{x} = \mathbf{v}_{k+1}$ (coordinates $\delta_{t1}$ among the dropped directions): "
    r"so $\lVert A - A_k\rVert_2 = \sigma_{k+1}$",
)
OPTIMAL = Statement(
    "optimal",
    Ge(FRO_B, TAIL_SUM, evaluate=False),
    text=r"no matrix $B$ of rank at most $k$ is closer in Frobenius norm: Weyl's inequality (cited) gives "
    r"$\sigma_t(A - B) = \sigma_{k+t} + w_t$ with $w_t \ge 0$; $R \ge 0$ collects the other squares",
)
OPTIMAL_SPECTRAL = Statement(
    "optimal (spectral)",
    Ge(SPEC_B, TOP, evaluate=False),
    text=r"nor in spectral norm: $\lVert A - B\rVert_2 = \sigma_1(A - B) = \sigma_{k+1} + \omega$ with $\omega \ge 0$ "
    r"(Weyl) is at least $\sigma_{k+1} = \lVert A - A_k\rVert_2$",
)


def _ey_optimal(ctx: CheckContext) -> CrossCheckResult:
    r"""Random A (9x7, k = 1, 2, 3): both errors of A_k against sigma_{k+1} and the tail sum, and no random
    rank-k matrix, nor any small perturbation of A_k within rank k, is closer in either norm."""
    rng = ctx.rng
    results = []
    worst = -np.inf
    for kk in (1, 2, 3):
        am = rng.normal(size=(9, 7))
        s = np.linalg.svd(am, compute_uv=False)
        ak = truncated_svd(am, kk)
        fro, two = float(np.linalg.norm(am - ak, "fro")), float(np.linalg.norm(am - ak, 2))
        results.append(
            ctx.compare(f"||A - A_{kk}||_F^2 = tail sum", "numpy", np.asarray(fro**2), np.sum(s[kk:] ** 2), rtol=1e-10)
        )
        results.append(ctx.compare(f"||A - A_{kk}||_2 = sigma_{kk + 1}", "numpy", np.asarray(two), s[kk], rtol=1e-10))
        uu, _, vt = np.linalg.svd(am, full_matrices=False)
        for trial in range(400):
            if trial % 2:
                x = low_rank(rng, 9, 7, kk)
                x *= np.linalg.norm(ak) / np.linalg.norm(x)
            else:
                eps = 10.0 ** rng.uniform(-6, -1)
                pp = (uu[:, :kk] + eps * rng.normal(size=(9, kk))) * s[:kk]
                x = pp @ (vt[:kk] + eps * rng.normal(size=(kk, 7)))
            # how much closer than A_k the competitor gets (negative: not closer)
            worst = max(worst, float(fro - np.linalg.norm(am - x, "fro")), float(two - np.linalg.norm(am - x, 2)))
    results.append(
        ctx.bound("no rank-k competitor is closer", "1200 random and perturbed rank-k matrices", worst, 1e-12)
    )
    return combine(*results)


# -- the homework question, and where the identity comes from (the 3 x 2 case) --------------------------------------
SIG2, SIG2_DOM = singular_values(2)
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
    compression of weight matrices and low-rank recommenders keep the top singular directions. Everything is
    derived for any $m\times n$ matrix of any rank and any $k$, in the coordinates of its singular bases
    (the SVD and the orthogonal invariance of the norms, cited); optimality rests on Weyl's inequality for
    singular values (cited), from which the two bounds are computed."""
    d.begin(FRO_ERR, r"$A - A_k = \sum_{t=1}^{q}\sigma_{k+t}\mathbf{u}_{k+t}\mathbf{v}_{k+t}^\top$, $q = p - k$")
    d.assume(SVD_ORTHONORMAL)
    d.then(collapsed, r"$\mathbf{u}_{k+t}^\top\mathbf{u}_{k+u} = \delta_{tu}$: the Kronecker deltas collapse the sum")
    d.conclude("Frobenius")

    d.begin(ERR_X, r"$\lVert (A - A_k)V\mathbf{y}\rVert^2 = \mathbf{y}^\top V^\top(A - A_k)^\top(A - A_k)V\mathbf{y}$")
    d.assume(ORTHOGONAL_INVARIANCE)
    d.then(collapsed, r"the Gram matrix is diagonal: the Kronecker deltas collapse the sum")
    d.then(
        TOP**2 * NORM_Y - sp.Sum(gI[a] * yI[a] ** 2, (a, 1, n)), r"$\lambda_a = \sigma_{k+1}^2 - g_a$: split the sum"
    )
    d.bound(TOP**2 * NORM_Y, r"drop $\sum_a g_a y_a^2 \ge 0$", relation="<=")
    d.conclude("spectral bound")

    d.begin(ERR_V, r"$\mathbf{v}_{k+1}$: the first dropped direction")
    d.assume(SVD_ORTHONORMAL)
    d.then(collapsed, r"the Kronecker deltas collapse the sums")
    d.conclude("attained")

    d.begin(FRO_B, r"$\lVert A - B\rVert_F^2 = \sum_t\sigma_t(A - B)^2$; $\sigma_t(A - B) \ge \sigma_{k+t}(A)$")
    d.assume(WEYL_SINGULAR)
    d.bound(sp.Sum(TAU**2, (t, 1, q)), r"drop the other squares, $R \ge 0$", relation=">=")
    d.then(
        lambda e: sp.Sum(sp.expand(e.function), *e.limits),
        r"expand $(\sigma_{k+t} + w_t)^2$",
    )
    d.bound(TAIL_SUM, r"drop $2\sigma_{k+t}w_t + w_t^2 \ge 0$: the error of $A_k$ (above)", relation=">=")
    d.conclude("optimal")

    d.begin(SPEC_B, r"$\lVert A - B\rVert_2 = \sigma_1(A - B) = \sigma_{k+1} + \omega$")
    d.assume(WEYL_SINGULAR)
    d.bound(TOP, r"drop $\omega \ge 0$", relation=">=")
    d.conclude("optimal (spectral)")


# -- how it is checked -----------------------------------------------------------------------------
def crosscheck(ctx: CheckContext) -> CrossCheckResult:
    """The derived Frobenius error (the tail sum at k, q) against numpy at random sizes and ranks, A_k from
    numpy's own SVD; and the optimality search of _ey_optimal."""
    rng = ctx.rng
    assert ctx.result is not None
    got, want = [], []
    for rows, cols, rank, kk in ((9, 7, 7, 1), (6, 10, 4, 2), (8, 8, 8, 5), (5, 3, 2, 0), (12, 12, 12, 3)):
        am = low_rank(rng, rows, cols, rank)
        s = np.linalg.svd(am, compute_uv=False)
        form = ctx.result.subs({k: kk, q: len(s) - kk}).doit()
        padded = np.concatenate([s, np.zeros(4)])  # sigma_i = 0 beyond p = min(m, n)
        got.append(float(form.xreplace({sigma[i + 1]: float(v) for i, v in enumerate(padded)})))
        want.append(float(np.linalg.norm(am - truncated_svd(am, kk), "fro") ** 2))
    derived = ctx.compare(
        "||A - A_k||_F^2, any size and rank", "numpy.linalg.svd", np.array(got), np.array(want), rtol=1e-9
    )
    return combine(derived, _ey_optimal(ctx))


# -- the declaration -------------------------------------------------------------------------------
ECKART_YOUNG = declare(
    "eckart-young",
    aliases=("eckart-young-mirsky",),
    title="Eckart-Young: the best rank-k approximation",
    section="1.3",
    map_row=r"Eckart--Young theorem: optimal rank-$k$ approximation (matrix factorisation for recommenders)",
    variables={
        **SIG2_DOM,
        **{v: dom for v, dom in SIZES.items() if v in (k, q)},
        n: integer(1, 6),
        a: integer(1, n),
        b: integer(1, n),
        t: integer(1, q),
        u: integer(1, q),
        sigma: SINGULAR_VALUES,
        yI: real(-2, 2),
        gI: nonnegative(5),
        wI: nonnegative(3),
        rest: nonnegative(10),
        omega: nonnegative(3),
    },
    claim=CLAIM,
    also=(SPECTRAL_BOUND, ATTAINED, OPTIMAL, OPTIMAL_SPECTRAL),
    derivation=derivation,
    crosscheck=crosscheck,
    question=QUESTION,
    refs=REFS,
)
