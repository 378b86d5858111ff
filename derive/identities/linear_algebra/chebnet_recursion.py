r"""Chebyshev polynomials filter a graph signal without an eigendecomposition.

ChebNet filters a graph signal with $g = \sum_k\theta_kT_k$ in Chebyshev polynomials of the rescaled Laplacian
$\tilde L = 2L/\lambda_{\max} - I$: the three-term recursion $T_k = 2xT_{k-1} - T_{k-2}$ evaluates the filter with
sparse matrix-vector products only, and $T_k(\cos t) = \cos(kt)$ makes these polynomials the well-conditioned
basis on $[-1, 1]$ (map 1.2, eigenvalues of the graph Laplacian: ChebNet, spectral GNNs). Defferrard, Bresson and
Vandergheynst (2016), Sec. 2.1, Eq. (4); Hammond, Vandergheynst and Gribonval (2011), Sec. 6.
"""

from __future__ import annotations

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
    positive,
    real,
)
from derive.maths.matrices import entry_domains, orthonormal_eigenbasis

from ._shared import SIGNAL, x3

# -- symbols ---------------------------------------------------------------------------------------
T = real(-4, 4)
t = T.symbol("t")
ORDER = integer(2, 40)
k = ORDER.symbol("k")
X = real(-1, 1)
x = X.symbol("x")
K_MAX = 6
EDGE_WEIGHT = positive(3)
w = EDGE_WEIGHT.symbol("w")
COEFF = real(-2, 2)
CHEB_COEFFS = [COEFF.symbol(f"theta{p}") for p in range(4)]


def chebyshev(k_max: int, var: sp.Expr) -> list[sp.Expr]:
    r""":math:`T_0 = 1`, :math:`T_1 = x`, :math:`T_k = 2xT_{k-1} - T_{k-2}` up to :math:`T_{k_{\max}}` (expanded)."""
    out: list[sp.Expr] = [sp.Integer(1), var]
    while len(out) <= k_max:
        out.append(sp.expand(2 * var * out[-1] - out[-2]))
    return out[: k_max + 1]


def chebyshev_filter(lap: sp.Matrix, coeffs: list[sp.Expr], vec: sp.Matrix) -> sp.Matrix:
    r""":math:`\sum_k \theta_k T_k(\tilde L)\mathbf{x}` by the vector recursion :math:`\mathbf{x}_k = 2\tilde
    L\mathbf{x}_{k-1} - \mathbf{x}_{k-2}` (only matrix-vector products: no eigendecomposition)."""
    xs = [vec, lap * vec]
    while len(xs) < len(coeffs):
        xs.append(2 * lap * xs[-1] - xs[-2])
    return sum((c * v for c, v in zip(coeffs, xs, strict=False)), sp.zeros(vec.rows, 1))


T_COS = sp.Matrix([tk.subs(x, cos(t)) for tk in chebyshev(K_MAX, x)])
COS_K = sp.Matrix([cos(p * t) for p in range(K_MAX + 1)])
STEP_LHS = 2 * cos(t) * cos((k - 1) * t) - cos((k - 2) * t)
LAP_P3 = w * sp.Matrix([[1, -1, 0], [-1, 2, -1], [0, -1, 1]])  # the path 1 - 2 - 3, eigenvalues 0, w, 3w
L_SCALED = 2 * LAP_P3 / (3 * w) - sp.eye(3)  # 2 L / lambda_max - I, spectrum in [-1, 1]
U_P3, LAM_P3 = orthonormal_eigenbasis(L_SCALED)


def _cheb_spectral(u: sp.Matrix, lam: sp.Matrix, vec: sp.Matrix) -> sp.Matrix:
    r""":math:`U g(\tilde\Lambda) U^\top\mathbf{x}` with :math:`g = \sum_k\theta_kT_k` evaluated at each eigenvalue."""
    polys = chebyshev(len(CHEB_COEFFS) - 1, x)
    g = sp.diag(
        *(sum(c * p.subs(x, lam[r, r]) for c, p in zip(CHEB_COEFFS, polys, strict=True)) for r in range(lam.rows))
    )
    return u * g * u.T * vec


# -- what is claimed -------------------------------------------------------------------------------
CLAIM = Statement(
    "step",
    Eq(STEP_LHS, cos(k * t)),
    text=r"the induction step: if $T_{k-1}(\cos t) = \cos((k-1)t)$ and $T_{k-2}(\cos t) = \cos((k-2)t)$, "
    r"then $T_k(\cos t) = \cos(kt)$, for every $k \ge 2$",
)
FIRST_SIX = Statement(
    "k <= 6",
    Eq(notation(r"\bigl(T_k(\cos t)\bigr)_{k=0}^{6}", T_COS, "T_k(cos t), k = 0..6"), COS_K, evaluate=False),
    text=r"the recursion $T_0 = 1$, $T_1 = x$, $T_k = 2xT_{k-1} - T_{k-2}$ gives $T_k(\cos t) = \cos(kt)$: "
    r"the base cases $k = 0, 1$ and the first five steps",
)
FILTER = Statement(
    "filter",
    Eq(
        notation(
            r"\sum_{k=0}^{3}\theta_kT_k(\tilde L)\,\mathbf{x}",
            chebyshev_filter(L_SCALED, CHEB_COEFFS, x3),
            "sum_k theta_k T_k(L~) x",
        ),
        notation(r"U g(\tilde\Lambda)U^\top\mathbf{x}", _cheb_spectral(U_P3, LAM_P3, x3), "U g(Lambda~) U^T x"),
        evaluate=False,
    ),
    text=r"$\tilde L = 2L/\lambda_{\max} - I$, $g = \sum_k\theta_kT_k$: the recursion needs only products "
    r"$\tilde L\mathbf{v}$ "
    r"(on the path graph $1 - 2 - 3$ with edge weight $w$)",
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
    well-conditioned basis on $[-1, 1]$."""
    d.begin(T_COS, r"$T_0, \dots, T_6$ computed by the recursion, at $x = \cos t$", scope="for k = 0, ..., 6")
    d.then(COS_K, r"multiple-angle formulas (proved by rewriting in exponentials)")
    d.conclude("k <= 6")

    d.begin(STEP_LHS, r"$2\cos t\,T_{k-1}(\cos t) - T_{k-2}(\cos t)$ under the induction hypothesis")
    d.then(
        sp.Add(cos(k * t), cos((k - 2) * t), -cos((k - 2) * t), evaluate=False),
        r"product to sum: $2\cos a\cos b = \cos(a + b) + \cos(a - b)$",
    )
    d.then(cos(k * t), "cancel")
    d.note(
        r"With the base cases $T_0(\cos t) = 1 = \cos 0$ and $T_1(\cos t) = \cos t$, induction gives $T_k(\cos t) = "
        r"\cos(kt)$ for all $k$."
    )
    d.conclude("step")

    d.begin(
        chebyshev_filter(L_SCALED, CHEB_COEFFS, x3),
        r"$\mathbf{x}_0 = \mathbf{x}$, $\mathbf{x}_1 = \tilde L\mathbf{x}$, "
        r"$\mathbf{x}_k = 2\tilde L\mathbf{x}_{k-1} - \mathbf{x}_{k-2}$, then $\sum_k\theta_k\mathbf{x}_k$",
        scope="for the weighted path on 3 nodes",
    )
    d.then(lambda e: e.applyfunc(sp.expand), "multiply out")
    d.then(
        _cheb_spectral(U_P3, LAM_P3, x3),
        r"SymPy's eigenbasis of $\tilde L$ (eigenvalues $-1, -\tfrac13, 1$); $g$ applied to each",
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
    variables={t: T, k: ORDER, w: EDGE_WEIGHT} | {c: COEFF for c in CHEB_COEFFS} | entry_domains(x3, SIGNAL),
    claim=CLAIM,
    also=(FIRST_SIX, FILTER),
    derivation=derivation,
    crosscheck=crosscheck,
    question=QUESTION,
    refs=REFS,
    builds_on=("laplacian-spectrum",),
)
