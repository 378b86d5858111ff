r"""The first principal component is the top eigenvector of the covariance.

PCA projects centred data onto the unit direction $\mathbf{v}$ of largest variance $\mathbf{v}^\top S\mathbf{v}$:
the stationary directions of the Lagrangian are the eigenvectors of the covariance $S$, and the variance along
any unit vector is at most $\lambda_{\max}$, reached at the top eigenvector, the first principal component
(map 1.2, PCA for dimensionality reduction). Pearson (1901); Bishop (2006), Pattern Recognition and Machine
Learning, Sec. 12.1.1.
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
    notation,
    real,
    statement_lhs,
)
from derive.core.facts import SPECTRAL_THEOREM, SUM_EXCHANGE
from derive.maths.indexed import collapse, in_range
from derive.maths.spectral import ProductOfSums

from ._shared import (
    EIGVEC_N,
    NORM_N,
    RAYLEIGH_N,
    RAYLEIGH_N_VARS,
    gap,
    gapI,
    i,
    k,
    lam1,
    lamI,
    n,
    rayleigh_attained_n,
    rayleigh_bound_n,
    t_top,
)

# -- symbols ---------------------------------------------------------------------------------------
ENTRY = real(-3, 3)
MI = sp.IndexedBase("M", real=True)  # any n x n matrix; S = (M + M^T)/2 is its symmetric part
vI = sp.IndexedBase("v", real=True)
MULTIPLIER = real(-5, 5)
lagrange = MULTIPLIER.symbol("lambda")
q, r, p = sp.symbols("q r p", integer=True, positive=True)
N_SAMPLES = sp.Symbol("N", integer=True, positive=True)  # rows of the centred data X (N x n)
XI = sp.IndexedBase("X", real=True)
PROJ = sp.Sum(XI[p, q] * vI[q], (q, 1, n))  # the projection x_p^T v of sample p
PROJ_VAR = sp.Sum(PROJ**2, (p, 1, N_SAMPLES)) / (N_SAMPLES - 1)
# v^T S v with S_qr = (X^T X)_qr/(N - 1) = sum_p X_pq X_pr/(N - 1)
QUAD = sp.Sum(vI[q] * vI[r] * sp.Sum(XI[p, q] * XI[p, r], (p, 1, N_SAMPLES)), (r, 1, n), (q, 1, n)) / (N_SAMPLES - 1)
NEST = SUM_EXCHANGE.applied(ProductOfSums())
LAGRANGIAN = sp.Sum(vI[q] * MI[q, r] * vI[r], (q, 1, n), (r, 1, n)) - lagrange * (sp.Sum(vI[q] ** 2, (q, 1, n)) - 1)

# -- what is claimed -------------------------------------------------------------------------------
CLAIM = Statement(
    "maximum",
    Le(notation(r"\mathbf{v}^\top S\mathbf{v}", RAYLEIGH_N, "v^T S v"), lam1 * NORM_N),
    text=r"for a symmetric $n\times n$ covariance $S$ (any $n$) and every $\mathbf{v}$: $\mathbf{v}^\top S\mathbf{v} "
    r"\le \lambda_{\max}\lVert\mathbf{v}\rVert^2$, so along a unit vector the variance captured is at most "
    r"$\lambda_{\max} = \lambda_1$ (eigenbasis coordinates $c = U^\top\mathbf{v}$, $\lambda_k = \lambda_1 - g_k$)",
)
ATTAINED = Statement(
    "attained",
    Eq(notation(r"(\Lambda\mathbf{e}_t)_k", EIGVEC_N, "(Lambda e_t)_k"), lamI[t_top] * sp.KroneckerDelta(k, t_top)),
    text=r"the maximum is reached at the top eigenvector $\mathbf{u}_t = U\mathbf{e}_t$: "
    r"$S\mathbf{u}_t = \lambda_t\mathbf{u}_t$, any $n$",
)
STATIONARITY = Statement(
    "stationarity",
    Eq(
        notation(
            r"\partial_{v_i}\bigl[\mathbf{v}^\top M\mathbf{v} - \lambda(\mathbf{v}^\top\mathbf{v} - 1)\bigr]",
            sp.Derivative(LAGRANGIAN, vI[i]),
            "d/dv_i Lagrangian",
        ),
        sp.Sum((MI[i, r] + MI[r, i]) * vI[r], (r, 1, n)) - 2 * lagrange * vI[i],
    ),
    text=r"for any $n$: the gradient of the Lagrangian is $(M + M^\top)\mathbf{v} - 2\lambda\mathbf{v}$, i.e. "
    r"$2(S\mathbf{v} - \lambda\mathbf{v})$ for the symmetric $S = M$: a constrained stationary point is an "
    r"eigenvector, where $\mathbf{v}^\top S\mathbf{v} = \lambda$",
)


#: the variance along the eigenvector u_t = U e_t: its coordinates are c_k = delta_kt
TOP_VARIANCE = sp.Sum((lam1 - gapI[k]) * sp.KroneckerDelta(k, t_top) ** 2, (k, 1, n))
VARIANCE_AT_TOP = Statement(
    "variance at u_t",
    Eq(notation(r"\mathbf{u}_t^\top S\mathbf{u}_t", TOP_VARIANCE, "u_t^T S u_t"), lam1 - gapI[t_top]),
    text=r"the variance captured along the eigenvector $\mathbf{u}_t$ is its eigenvalue $\lambda_t = \lambda_1 - g_t$, "
    r"any $n$: the bound $\lambda_1$ of the maximum exactly for a top eigenvector ($g_t = 0$)",
)
FIRST_PC = Statement(
    "first PC",
    Eq(
        notation(r"\tfrac{1}{N-1}\textstyle\sum_{p=1}^N(\mathbf{x}_p^\top\mathbf{v})^2", PROJ_VAR, "var(X v)"),
        notation(r"\mathbf{v}^\top S\mathbf{v}", QUAD, "v^T S v"),
        evaluate=False,
    ),
    text=r"for centred data $X$ ($N$ samples $\mathbf{x}_p$ in $n$ dimensions, any $N$ and $n$) and "
    r"$S = X^\top X/(N - 1)$: the variance of the data projected on $\mathbf{v}$ is $\mathbf{v}^\top S\mathbf{v}$, "
    r"so the first principal component, the unit direction of largest projected variance, maximises the "
    r"Rayleigh quotient of $S$: it is the top eigenvector (with the maximum and where it is attained)",
)


# -- the homework question, and where the identity comes from --------------------------------------
QUESTION = Question(
    target=lam1,
    prompt=r"Let $S$ be a covariance matrix with eigenvalues $\lambda_1 \ge \lambda_2$. What is "
    r"$\max_{\lVert\mathbf{v}\rVert = 1}\mathbf{v}^\top S\mathbf{v}$?",
    names={"lambda_max": lam1, "lambda1": lam1, "lambda_2": lam1 - gap, "lambda2": lam1 - gap},
    approximations={r"that is the smallest eigenvalue, the minimum of the Rayleigh quotient": lam1 - gap},
)
REFS = (
    Ref.cite("pearson1901"),
    Ref.cite("bishop2006", where="Sec. 12.1.1"),
)


# -- how it is derived -----------------------------------------------------------------------------
def derivation(d: Derivation) -> None:
    r"""PCA projects centred data onto the direction $\mathbf{v}$, $\lVert\mathbf{v}\rVert = 1$, of largest variance
    $\mathbf{v}^\top S\mathbf{v}$, $S$ the covariance. The Lagrangian shows that the stationary directions are the
    eigenvectors of $S$, where the variance equals the eigenvalue; in the eigenbasis of an $n\times n$ covariance
    (the spectral theorem) the variance along $\mathbf{v}$ is $\sum_k\lambda_k c_k^2$, at most
    $\lambda_1\lVert\mathbf{v}\rVert^2$, so the top eigenvector wins over all directions, not only among
    stationary points."""
    rayleigh_bound_n(d, "maximum")

    rayleigh_attained_n(d, "attained")

    d.begin(TOP_VARIANCE, r"$\mathbf{v} = \mathbf{u}_t$ has the eigenbasis coordinates $c_k = \delta_{kt}$")
    d.assume(SPECTRAL_THEOREM)
    d.then(lambda e: in_range(collapse(e)), r"the Kronecker delta collapses the sum")
    d.conclude("variance at u_t")

    d.begin(statement_lhs(d, "stationarity"), r"the gradient of the Lagrangian, entry $i$")
    d.then(lambda e: e.doit(), r"differentiate: $\partial v_q/\partial v_i = \delta_{iq}$")
    d.then(lambda e: in_range(collapse(e)), r"the Kronecker deltas collapse the sums")
    d.then(STATIONARITY.relation.rhs, r"collect: $\sum_r (M_{ir} + M_{ri})v_r - 2\lambda v_i$")  # type: ignore[union-attr]
    d.conclude("stationarity")

    d.begin(PROJ_VAR, r"the sample variance of the projections $\mathbf{x}_p^\top\mathbf{v}$ (centred: mean $0$)")
    d.then(
        lambda e: e.replace(lambda x: x == PROJ**2, lambda x: PROJ * PROJ.xreplace({q: r})),
        r"the square as a product of two sums, over $q$ and $r$",
    )
    d.assume(
        NEST,
        NEST.rewrite,
        r"multiply out, the sum over the samples $p$ innermost: $S_{qr} = \sum_p X_{pq}X_{pr}/(N - 1)$",
    )
    d.conclude("first PC")


# -- how it is checked -----------------------------------------------------------------------------
def _pca_optimality(ctx: CheckContext) -> CrossCheckResult:
    """Random centred data X (200 x 6): the top eigenvector of S = X^T X/(n-1) (numpy.linalg.eigh) equals the
    first right singular vector of X up to sign, and no one of 20000 random unit vectors has a larger v^T S v."""
    align, excess = [], []
    for _ in range(5):
        x = ctx.rng.normal(size=(200, 6)) @ ctx.rng.normal(size=(6, 6))
        x -= x.mean(axis=0)
        s = x.T @ x / (len(x) - 1)
        vals, vecs = np.linalg.eigh(s)
        top = vecs[:, -1]
        first_pc = np.linalg.svd(x, full_matrices=False)[2][0]
        align.append(1 - abs(float(top @ first_pc)))
        v = ctx.rng.normal(size=(20000, 6))
        v /= np.linalg.norm(v, axis=1, keepdims=True)
        excess.append(float(np.max(np.einsum("ij,jk,ik->i", v, s, v)) - vals[-1]) / vals[-1])
    return combine(
        ctx.bound(
            "1 - |<top eigenvector, first singular vector>|", "numpy.linalg.eigh vs svd", max(align), 1e-10, samples=5
        ),
        ctx.bound(
            "max over random unit v of (v^T S v - lambda_max)/lambda_max",
            "random search",
            max(excess),
            1e-12,
            samples=100000,
        ),
    )


def crosscheck(ctx: CheckContext) -> CrossCheckResult:
    """The derived 2x2 maximiser against numpy.linalg.eigh: lambda_max and the eigenvector (cos theta, sin theta);
    the projected variance of random data against its covariance; the first PC of random data in 6 dimensions."""
    got, want = [], []
    for _ in range(50):
        th, l1, dl = ctx.rng.uniform(-3, 3), ctx.rng.uniform(-5, 5), ctx.rng.uniform(0, 5)
        r = np.array([[np.cos(th), -np.sin(th)], [np.sin(th), np.cos(th)]])
        vals, vecs = np.linalg.eigh(r @ np.diag([l1, l1 - dl]) @ r.T)
        got.append([l1, abs(np.cos(th) * vecs[0, -1] + np.sin(th) * vecs[1, -1])])
        want.append([vals[-1], 1.0])
    two = ctx.compare(
        "lambda_max and top eigenvector (2x2)", "numpy.linalg.eigh", np.array(got), np.array(want), rtol=1e-9
    )
    x = ctx.rng.normal(size=(50, 7))
    x -= x.mean(axis=0)
    v = ctx.rng.normal(size=(7, 20))
    variance = ctx.compare(
        "var(X v) = v^T S v (50 x 7)",
        "numpy.var of the projections vs numpy.cov",
        np.var(x @ v, axis=0, ddof=1),
        np.einsum("jk,jl,lk->k", v, np.cov(x, rowvar=False), v),
        rtol=1e-10,
    )
    return combine(two, variance, _pca_optimality(ctx))


# -- the declaration -------------------------------------------------------------------------------
PCA_TOP_EIGENVECTOR = declare(
    "pca-top-eigenvector",
    title="The first principal component is the top eigenvector of the covariance",
    section="1.2",
    map_row=r"Top eigenvector of $X^\top X$: the first principal component (PCA for dimensionality reduction)",
    variables=RAYLEIGH_N_VARS
    | {gap: real(0, 5), i: integer(1, n), MI: ENTRY, vI: real(-2, 2), lagrange: MULTIPLIER}
    | {N_SAMPLES: integer(2, 6), XI: ENTRY},
    claim=CLAIM,
    also=(ATTAINED, VARIANCE_AT_TOP, STATIONARITY, FIRST_PC),
    derivation=derivation,
    crosscheck=crosscheck,
    question=QUESTION,
    refs=REFS,
)
