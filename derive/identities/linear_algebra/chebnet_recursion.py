r"""Chebyshev polynomials filter a graph signal without an eigendecomposition.

ChebNet filters a graph signal with $g = \sum_k\theta_kT_k$ in Chebyshev polynomials of the rescaled Laplacian
$\tilde L = 2L/\lambda_{\max} - I$: the three-term recursion $T_k = 2xT_{k-1} - T_{k-2}$ evaluates the filter with
sparse matrix-vector products only, and $T_k(\cos t) = \cos(kt)$ makes these polynomials the well-conditioned
basis on $[-1, 1]$ (map 1.2, eigenvalues of the graph Laplacian: ChebNet, spectral GNNs). Defferrard, Bresson and
Vandergheynst (2016), Sec. 2.1, Eq. (4); Hammond, Vandergheynst and Gribonval (2011), Sec. 6.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import sympy as sp
from sympy import Eq, cos

from derive.authoring import (
    CheckContext,
    CrossCheckResult,
    Derivation,
    Question,
    Ref,
    Statement,
    combine,
    declare,
    graph,
    integer,
    notation,
    real,
    statement_lhs,
)
from derive.maths.graphs import in_eigenbasis, value_of
from derive.maths.indexed import collapse

from ._shared import cI, m, n
from .laplacian_spectrum import ORTHONORMAL, a, b, q, r, uI, utI

# -- symbols ---------------------------------------------------------------------------------------
T = real(-4, 4)
t = T.symbol("t")
ORDER = integer(2, 40)
k = ORDER.symbol("k")
X = real(-1, 1)
x = X.symbol("x")
#: the eigenvalues of the rescaled Laplacian lie in [-1, 1]: lambda_q = cos(phi_q)
phiI = sp.IndexedBase("phi", real=True)


def chebyshev(k_max: int, var: sp.Expr) -> list[sp.Expr]:
    r""":math:`T_0 = 1`, :math:`T_1 = x`, :math:`T_k = 2xT_{k-1} - T_{k-2}` up to :math:`T_{k_{\max}}` (expanded)."""
    out: list[sp.Expr] = [sp.Integer(1), var]
    while len(out) <= k_max:
        out.append(sp.expand(2 * var * out[-1] - out[-2]))
    return out[: k_max + 1]


def _in_eigenbasis(order: sp.Expr) -> Callable[[sp.Expr], sp.Expr]:
    r""":math:`y_b = (U T_{order}(\tilde\Lambda)\mathbf{c})_b = \sum_m U_{bm}\cos(order\,\varphi_m)c_m`."""
    return lambda s: sp.Sum(uI[s, m] * cos(order * phiI[m]) * cI[m], (m, 1, n))


STEP_LHS = 2 * cos(t) * cos((k - 1) * t) - cos((k - 2) * t)
with sp.evaluate(False):
    COS_ONE = cos(1 * t)
#: (U^T x_k)_q for x_k = 2 L~ x_(k-1) - x_(k-2), L~ = U Lambda~ U^T, x_j = U T_j(Lambda~) c for j = k-1, k-2
FILTER_LHS = 2 * in_eigenbasis(uI, utI, lambda s: cos(phiI[s]), _in_eigenbasis(k - 1), (a, r, b, q), n) - sp.Sum(
    utI[q, b] * _in_eigenbasis(k - 2)(b), (b, 1, n)
)

# -- what is claimed -------------------------------------------------------------------------------
CLAIM = Statement(
    "step",
    Eq(STEP_LHS, cos(k * t)),
    text=r"the induction step: if $T_{k-1}(\cos t) = \cos((k-1)t)$ and $T_{k-2}(\cos t) = \cos((k-2)t)$, "
    r"then $T_k(\cos t) = \cos(kt)$, for every $k \ge 2$",
)
BASE = Statement(
    "base cases",
    Eq(notation(r"T_1(\cos t)", chebyshev(1, x)[1].subs(x, cos(t)), "T_1(cos t)"), COS_ONE, evaluate=False),
    text=r"$T_0(\cos t) = 1 = \cos(0t)$ and $T_1(\cos t) = \cos t = \cos(1t)$: with the step, induction on $k$ "
    r"gives $T_k(\cos t) = \cos(kt)$ for every $k \ge 0$",
)
FILTER = Statement(
    "filter",
    Eq(
        notation(
            r"\bigl(U^\top(2\tilde L\mathbf{x}_{k-1} - \mathbf{x}_{k-2})\bigr)_q",
            FILTER_LHS,
            "(U^T (2 L~ x_(k-1) - x_(k-2)))_q",
        ),
        notation(r"T_k(\tilde\lambda_q)\,c_q", cos(k * phiI[q]) * cI[q], "T_k(lambda_q) c_q"),
    ),
    text=r"in the orthonormal eigenbasis $\tilde L = 2L/\lambda_{\max} - I = U\tilde\Lambda U^\top$, eigenvalues "
    r"$\tilde\lambda_q = \cos\varphi_q \in [-1, 1]$, $\mathbf{c} = U^\top\mathbf{x}$ (any $n$): if the "
    r"recursion's $\mathbf{x}_{k-1} = UT_{k-1}(\tilde\Lambda)\mathbf{c}$ and "
    r"$\mathbf{x}_{k-2} = UT_{k-2}(\tilde\Lambda)\mathbf{c}$, then $\mathbf{x}_k = 2\tilde L\mathbf{x}_{k-1} - "
    r"\mathbf{x}_{k-2} = UT_k(\tilde\Lambda)\mathbf{c}$; so $\sum_{k=0}^K\theta_k\mathbf{x}_k = "
    r"Ug(\tilde\Lambda)U^\top\mathbf{x}$, $g = \sum_k\theta_kT_k$, for any order $K$",
)

# -- the homework question, and where the identity comes from --------------------------------------
QUESTION = Question(
    target=chebyshev(4, x)[4],
    prompt=r"With $T_0(x) = 1$, $T_1(x) = x$ and $T_k(x) = 2xT_{k-1}(x) - T_{k-2}(x)$, compute $T_4(x)$.",
    variables=(x,),
    approximations={
        r"that is $T_3(x)$": chebyshev(3, x)[3],
        r"sign error in the recursion: $T_k = 2xT_{k-1} + T_{k-2}$": 8 * x**4 + 8 * x**2 + 1,
    },
)
REFS = (
    Ref.cite("defferrard2016", where="Sec. 2.1, Eq. (4)"),
    Ref.cite("hammond2011", where="Sec. 6"),
)


# -- how it is derived -----------------------------------------------------------------------------
def derivation(d: Derivation) -> None:
    r"""A spectral filter $U g(\Lambda)U^\top\mathbf{x}$ needs the eigenvectors of the Laplacian, $O(n^3)$ work. ChebNet
    instead takes $g = \sum_k\theta_kT_k$ in Chebyshev polynomials of the rescaled Laplacian $\tilde L =
    2L/\lambda_{\max} - I$ (spectrum in $[-1, 1]$), which the three-term recursion evaluates with $K$ sparse
    matrix-vector products. The identity $T_k(\cos t) = \cos(kt)$ is why these polynomials are the natural,
    well-conditioned basis on $[-1, 1]$; both are proved by induction on $k$, for any order and any number of
    nodes."""
    d.begin(STEP_LHS, r"$2\cos t\,T_{k-1}(\cos t) - T_{k-2}(\cos t)$ under the induction hypothesis")
    d.then(
        sp.Add(cos(k * t), cos((k - 2) * t), -cos((k - 2) * t), evaluate=False),
        r"product to sum: $2\cos a\cos b = \cos(a + b) + \cos(a - b)$",
    )
    d.then(cos(k * t), "cancel")
    d.conclude("step")

    d.begin(statement_lhs(d, "base cases"), r"$T_1(x) = x$ at $x = \cos t$")
    d.note(
        r"With $T_0(\cos t) = 1 = \cos(0t)$, the base cases $k = 0, 1$ and the step give $T_k(\cos t) = \cos(kt)$ "
        r"for every $k \ge 0$ (induction on $k$, two cases back)."
    )
    d.conclude("base cases")

    d.begin(
        statement_lhs(d, "filter"),
        r"$\tilde L = U\tilde\Lambda U^\top$ applied to $\mathbf{x}_{k-1} = UT_{k-1}(\tilde\Lambda)\mathbf{c}$, "
        r"read in the coordinates $U^\top$",
    )
    d.assume(
        ORTHONORMAL, lambda e: ORTHONORMAL.rewrite(value_of(e)), r"$U^\top U = I$: $\sum_b U_{br}U_{bm} = \delta_{rm}$"
    )
    d.then(collapse, r"the Kronecker deltas collapse the sums")
    d.then(
        sp.Mul(sp.Add(cos(k * phiI[q]), cos((k - 2) * phiI[q]), -cos((k - 2) * phiI[q]), evaluate=False), cI[q]),
        r"product to sum: $2\cos\varphi\cos((k-1)\varphi) = \cos(k\varphi) + \cos((k-2)\varphi)$",
    )
    d.then(cos(k * phiI[q]) * cI[q], r"cancel: $\cos(k\varphi_q) = T_k(\cos\varphi_q)$, the claim")
    d.note(
        r"With $\mathbf{x}_0 = \mathbf{x} = U\mathbf{c}$ and $\mathbf{x}_1 = \tilde L\mathbf{x} = U\tilde\Lambda"
        r"\mathbf{c}$, induction on $k$ gives $\mathbf{x}_k = UT_k(\tilde\Lambda)\mathbf{c}$ for every $k$, so the "
        r"recursion computes the spectral filter $Ug(\tilde\Lambda)U^\top\mathbf{x}$ with matrix-vector products only."
    )
    d.conclude("filter")


# -- how it is checked -----------------------------------------------------------------------------
def crosscheck(ctx: CheckContext) -> CrossCheckResult:
    """T_k(cos t) by the numpy recursion against cos(k t) for k <= 40; on random graphs, the recursion
    sum_k theta_k T_k(L~) x against U g(Lambda~) U^T x with numpy.linalg.eigh and numpy's chebval."""
    angles = ctx.rng.uniform(-4, 4, size=200)
    ts = [np.ones_like(angles), np.cos(angles)]
    for _ in range(2, 41):
        ts.append(2 * np.cos(angles) * ts[-1] - ts[-2])
    trig = ctx.compare(
        "T_k(cos t) = cos(k t), k <= 40",
        "numpy recursion",
        np.array(ts),
        np.array([np.cos(order * angles) for order in range(41)]),
        rtol=1e-10,
    )
    rec, spec = [], []
    for size in (6, 15, 40):
        adj = graph(size, p=0.3).sample(ctx.rng) * ctx.rng.uniform(0.1, 2.0, size=(size, size))
        adj = np.triu(adj, 1) + np.triu(adj, 1).T
        lap = np.diag(adj.sum(axis=1)) - adj
        vals, vecs = np.linalg.eigh(lap)
        l_t = 2 * lap / vals[-1] - np.eye(size)
        theta_k, sig = ctx.rng.normal(size=6), ctx.rng.normal(size=size)
        xs = [sig, l_t @ sig]
        for _ in range(2, 6):
            xs.append(2 * l_t @ xs[-1] - xs[-2])
        rec.append(sum(c * v for c, v in zip(theta_k, xs, strict=True)))
        g = np.polynomial.chebyshev.chebval(2 * vals / vals[-1] - 1, theta_k)
        spec.append(vecs @ (g * (vecs.T @ sig)))
    filt = ctx.compare(
        "Chebyshev filter", "numpy.linalg.eigh + chebval", np.concatenate(rec), np.concatenate(spec), rtol=1e-9
    )
    return combine(trig, filt)


# -- the declaration -------------------------------------------------------------------------------
CHEBNET_RECURSION = declare(
    "chebnet-recursion",
    title="Chebyshev polynomials filter a graph signal without an eigendecomposition",
    section="1.2",
    map_row=r"Eigenvalues of the graph Laplacian $L$: ChebNet, spectral GNNs",
    variables={t: T, k: ORDER, n: integer(1, 4), q: integer(1, n)}
    | {uI: real(-2, 2), utI: real(-2, 2), phiI: real(-4, 4), cI: real(-2, 2)},
    claim=CLAIM,
    also=(BASE, FILTER),
    derivation=derivation,
    crosscheck=crosscheck,
    question=QUESTION,
    refs=REFS,
    builds_on=("laplacian-spectrum",),
)
