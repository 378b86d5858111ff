r"""The graph Laplacian is positive semidefinite, and filters act on its spectrum.

The Laplacian $L = D - A$ of an undirected graph with weights $A_{ij} \ge 0$ has the quadratic form
$\mathbf{x}^\top L\mathbf{x} = \sum_{i<j}A_{ij}(x_i - x_j)^2 \ge 0$, the constant vector in its null space, and a
polynomial filter $g(L)\mathbf{x}$ equal to the spectral filter $U g(\Lambda)U^\top\mathbf{x}$: the frequency axis
of spectral graph convolution (map 1.2, eigenvalues of the graph Laplacian). Chung (1997), Spectral Graph Theory,
Ch. 1; Bruna et al. (2014), Sec. 3; Defferrard, Bresson and Vandergheynst (2016), Sec. 2.1.
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
    graph,
    integer,
    nonnegative,
    notation,
    real,
    statement_lhs,
)
from derive.core.facts import GRAPH_COMPONENTS, SPECTRAL_THEOREM, SUM_EXCHANGE, UNDIRECTED
from derive.maths.graphs import CanonicalOrder, in_eigenbasis, laplacian_entry, one_sum, pair_sum, value_of
from derive.maths.indexed import InverseOf, Symmetric, collapse

from ._shared import SIGNAL, cI, i, j, k, lamI, m, n

# -- symbols: a weighted undirected graph on n nodes, a signal x, the eigenbasis U of L --------------
wI = sp.IndexedBase("w", nonnegative=True)
xI = sp.IndexedBase("x", real=True)
uI, utI = sp.IndexedBase("U", real=True), sp.IndexedBase(r"U^{\top}", real=True)
a, r, b, q = sp.symbols("a r b q", integer=True, positive=True)
p = sp.Symbol("p", integer=True, positive=True)
HALF = sp.Rational(1, 2)
#: (L x)_i = sum_j L_ij x_j with L_ij = delta_ij d_i - w_ij, and its form as differences across edges
LX_ROW = sp.Sum(laplacian_entry(wI, i, j, k, n) * xI[j], (j, 1, n))
LX_EDGES = sp.Sum(wI[i, j] * (xI[i] - xI[j]), (j, 1, n))
L1_ROW = sp.Sum(laplacian_entry(wI, i, j, k, n), (j, 1, n))
#: x^T L x = sum_i x_i (L x)_i, the row written as differences across edges
QUAD = pair_sum(xI[i] * wI[i, j] * (xI[i] - xI[j]), i, j, n)
EDGE_FORM = pair_sum(HALF * wI[i, j] * (xI[i] - xI[j]) ** 2, i, j, n)
#: L = U Lambda U^T (spectral theorem) applied to y = U Lambda^(p-1) c, in the coordinates of U
POWER = in_eigenbasis(
    uI, utI, lambda s: lamI[s], lambda s: sp.Sum(uI[s, m] * lamI[m] ** (p - 1) * cI[m], (m, 1, n)), (a, r, b, q), n
)
#: U^T U = I: the columns of the eigenbasis are orthonormal (the spectral theorem)
ORTHONORMAL = SPECTRAL_THEOREM.applied(InverseOf(uI, utI, n))
SYMMETRIC_W = UNDIRECTED.applied(Symmetric(wI))
EXCHANGE = SUM_EXCHANGE.applied(CanonicalOrder())

# -- what is claimed -------------------------------------------------------------------------------
CLAIM = Statement(
    "quadratic form",
    Eq(
        notation(r"\mathbf{x}^\top L\mathbf{x}", QUAD, "x^T L x"),
        notation(r"\tfrac12\sum_{i,j}w_{ij}(x_i - x_j)^2", EDGE_FORM, "1/2 sum_ij w_ij (x_i - x_j)^2"),
        evaluate=False,
    ),
    text=r"for an undirected graph on any number $n$ of nodes, weights $w_{ij} = w_{ji} \ge 0$: "
    r"$\mathbf{x}^\top L\mathbf{x} = \sum_i x_i(L\mathbf{x})_i$ with $(L\mathbf{x})_i = \sum_j w_{ij}(x_i - x_j)$ "
    r"(statement ``components'') is $\tfrac12\sum_{i,j}w_{ij}(x_i - x_j)^2$",
)
PSD = Statement(
    "PSD",
    sp.Ge(notation(r"\tfrac12\sum_{i,j}w_{ij}(x_i - x_j)^2", EDGE_FORM, "1/2 sum_ij w_ij (x_i - x_j)^2"), 0),
    text=r"so $\mathbf{x}^\top L\mathbf{x} \ge 0$ for every $\mathbf{x}$, any $n$: $L$ is positive semidefinite and "
    r"every eigenvalue is $\ge 0$",
)
CONSTANT = Statement(
    "L 1 = 0",
    Eq(notation(r"(L\mathbf{1})_i", L1_ROW, "(L 1)_i"), 0),
    text=r"row $i$ of $L\mathbf{1}$ is $d_i - \sum_j w_{ij} = 0$, any $n$: the constant vector is an eigenvector "
    r"with eigenvalue 0",
)
COMPONENTS = Statement(
    "components",
    Eq(notation(r"(L\mathbf{x})_i", LX_ROW, "(L x)_i"), LX_EDGES),
    text=r"row $i$ of $L\mathbf{x}$ is $\sum_j w_{ij}(x_i - x_j)$ (proved, any $n$): a signal constant on each "
    r"connected component has $L\mathbf{x} = 0$, so the eigenvalue 0 has multiplicity at least the number $k$ of "
    r"components; conversely $L\mathbf{x} = 0$ gives $\tfrac12\sum_{i,j}w_{ij}(x_i - x_j)^2 = 0$ (the quadratic "
    r"form). That this forces $\mathbf{x}$ to be constant on each component, so the multiplicity is exactly $k$, is "
    r"cited (von Luxburg 2007, Prop. 2) and checked numerically on random graphs with 1 to 4 components",
)
SPECTRAL_FILTER = Statement(
    "spectral filter",
    Eq(
        notation(r"\bigl(U^\top L\,U\Lambda^{p-1}\mathbf{c}\bigr)_q", POWER, "(U^T L U Lambda^(p-1) c)_q"),
        lamI[q] ** p * cI[q],
    ),
    text=r"in the orthonormal eigenbasis $L = U\Lambda U^\top$, $\mathbf{c} = U^\top\mathbf{x}$ (any $n$, any power "
    r"$p \ge 1$): if $L^{p-1}\mathbf{x} = U\Lambda^{p-1}\mathbf{c}$ then $L^p\mathbf{x} = U\Lambda^p\mathbf{c}$; so "
    r"$L^p = U\Lambda^pU^\top$ for every $p$ and a polynomial filter "
    r"$g(L)\mathbf{x} = \sum_{p=0}^K\theta_pL^p\mathbf{x}$ of any order $K$ is the spectral filter "
    r"$Ug(\Lambda)U^\top\mathbf{x}$",
)

# -- the homework question, and where the identity comes from --------------------------------------
QUESTION = Question(
    target=EDGE_FORM,
    prompt=r"Let $L = D - W$ be the Laplacian of an undirected weighted graph. Write $\mathbf{x}^\top "
    r"L\mathbf{x}$ as a sum over pairs of nodes.",
    approximations={
        r"sign error: that is $\mathbf{x}^\top(D + W)\mathbf{x}$, the signless Laplacian": pair_sum(
            HALF * wI[i, j] * (xI[i] + xI[j]) ** 2, i, j, n
        ),
        r"each edge is counted twice: the factor $\tfrac12$ is missing": 2 * EDGE_FORM,
    },
)
REFS = (
    Ref.cite("chung1997", where="Ch. 1"),
    Ref.cite("bruna2014", where="Sec. 3"),
    Ref.cite("defferrard2016", where="Sec. 2.1"),
)


# -- how it is derived -----------------------------------------------------------------------------
def edge_form_steps(d: Derivation, y: sp.IndexedBase, sign: int, rest: sp.Expr = sp.S.Zero) -> None:
    r"""From :math:`\sum_{i,j}y_iw_{ij}(y_i \pm y_j) + r` to :math:`\tfrac12\sum_{i,j}w_{ij}(y_i \pm y_j)^2 + r` for
    symmetric weights, any :math:`n` (``sign`` :math:`-1`: the Laplacian; :math:`+1`: the signless Laplacian): half
    of the sum with :math:`i, j` renamed, :math:`w_{ji} = w_{ij}`, the sums exchanged, the square completed."""
    op, v = "-" if sign < 0 else "+", y.name
    d.then(
        HALF * pair_sum(y[i] * wI[i, j] * (y[i] + sign * y[j]), i, j, n)
        + HALF * sp.Sum(y[j] * wI[j, i] * (y[j] + sign * y[i]), (j, 1, n), (i, 1, n))
        + rest,
        r"half of the sum over ordered pairs $(i, j)$, and half with the names $i$ and $j$ swapped",
    )
    d.assume(SYMMETRIC_W, SYMMETRIC_W.rewrite, r"$w_{ji} = w_{ij}$: the graph is undirected")
    d.assume(EXCHANGE, EXCHANGE.rewrite, r"exchange the order of the finite sums")
    d.then(
        one_sum,
        rf"one sum over the same pairs; complete the square: "
        rf"${v}_i({v}_i {op} {v}_j) + {v}_j({v}_j {op} {v}_i) = ({v}_i {op} {v}_j)^2$",
    )


def derivation(d: Derivation) -> None:
    r"""The Laplacian $L = D - W$ of an undirected graph with weights $w_{ij} = w_{ji} \ge 0$ and degrees $d_i =
    \sum_j w_{ij}$ measures how much a signal $\mathbf{x}$ on the nodes varies across edges: $\mathbf{x}^\top
    L\mathbf{x} = \tfrac12\sum_{i,j}w_{ij}(x_i - x_j)^2$. Hence $L$ is positive semidefinite, its eigenvalues are
    ``frequencies'' and its eigenvectors a Fourier basis: spectral GNNs filter a signal as $U g(\Lambda)U^\top
    \mathbf{x}$, which for a polynomial $g$ is just $g(L)\mathbf{x}$. Below, any number $n$ of nodes with symbolic
    weights, in index notation ($L_{ij} = \delta_{ij}d_i - w_{ij}$)."""
    d.begin(statement_lhs(d, "components"), r"$L_{ij} = \delta_{ij}d_i - w_{ij}$, $d_i = \sum_k w_{ik}$")
    d.then(lambda e: collapse(value_of(e)), r"the Kronecker delta collapses the sum: $d_ix_i - \sum_j w_{ij}x_j$")
    d.then(LX_EDGES, r"$d_ix_i = \sum_j w_{ij}x_i$: one sum of the differences across the edges at node $i$")
    d.assume(GRAPH_COMPONENTS)
    d.note(
        r"Proved here for any $n$: $L\mathbf{x} = 0$ for every $\mathbf{x}$ constant on each component (each term "
        r"$w_{ij}(x_i - x_j)$ vanishes: within a component $x_i = x_j$, across components $w_{ij} = 0$), and "
        r"$L\mathbf{x} = 0$ implies $\mathbf{x}^\top L\mathbf{x} = \tfrac12\sum_{i,j}w_{ij}(x_i - x_j)^2 = 0$. "
        r"Cited: that this forces $\mathbf{x}$ constant on components, hence multiplicity of 0 = number of components."
    )
    d.conclude("components")

    d.begin(statement_lhs(d, "quadratic form"), r"$\sum_i x_i(L\mathbf{x})_i$, the row from ``components''")
    edge_form_steps(d, xI, -1)
    d.conclude("quadratic form")

    d.begin(EDGE_FORM, r"the quadratic form above")
    d.bound(0, r"a sum of weights $w_{ij} \ge 0$ times squares", relation=">=")
    d.conclude("PSD")

    d.begin(statement_lhs(d, "L 1 = 0"), r"row $i$ of $L\mathbf{1}$: $\sum_j(\delta_{ij}d_i - w_{ij})$")
    d.then(lambda e: collapse(value_of(e)), r"the Kronecker delta collapses the sum: $d_i - \sum_j w_{ij}$")
    d.then(sp.S.Zero, r"the degree is the row sum, $d_i = \sum_k w_{ik}$")
    d.conclude("L 1 = 0")

    d.begin(
        statement_lhs(d, "spectral filter"),
        r"$L = U\Lambda U^\top$ applied to $\mathbf{y} = U\Lambda^{p-1}\mathbf{c}$, read in the coordinates $U^\top$",
    )
    d.assume(
        ORTHONORMAL, lambda e: ORTHONORMAL.rewrite(value_of(e)), r"$U^\top U = I$: $\sum_b U_{br}U_{bm} = \delta_{rm}$"
    )
    d.then(collapse, r"the Kronecker deltas collapse the sums")
    d.then(lamI[q] ** p * cI[q], r"$\lambda_q\lambda_q^{p-1} = \lambda_q^p$")
    d.note(
        r"With $L^0\mathbf{x} = \mathbf{x} = U\mathbf{c}$, induction on $p$ gives "
        r"$L^p\mathbf{x} = U\Lambda^p\mathbf{c}$ for every $p$; summing $\theta_pL^p\mathbf{x}$ over "
        r"$p = 0, \dots, K$ gives $g(L)\mathbf{x} = Ug(\Lambda)U^\top\mathbf{x}$ with "
        r"$g(\lambda) = \sum_p\theta_p\lambda^p$, any order $K$, any $n$."
    )
    d.conclude("spectral filter")


# -- how it is checked -----------------------------------------------------------------------------
def _laplacian(adj: np.ndarray) -> np.ndarray:
    return np.diag(adj.sum(axis=1)) - adj


def _random_components(ctx: CheckContext, sizes: tuple[int, ...]) -> np.ndarray:
    """A weighted graph made of connected random blocks of the given sizes (no edges between blocks)."""
    total = sum(sizes)
    adj = np.zeros((total, total))
    start = 0
    for size in sizes:
        block = graph(size, p=0.4).sample(ctx.rng) * ctx.rng.uniform(0.2, 2.0, size=(size, size))
        adj[start : start + size, start : start + size] = np.triu(block, 1) + np.triu(block, 1).T
        start += size
    return adj


def _components(ctx: CheckContext) -> tuple[CrossCheckResult, CrossCheckResult]:
    """Random weighted graphs with 1 to 4 connected components: numpy.linalg.eigvalsh(L) >= 0 and the
    multiplicity of the eigenvalue 0 equals the number of components (the cited part of "components")."""
    counted, components, lowest = [], [], []
    for sizes in ((6,), (3, 5), (4, 4, 2), (2, 3, 5, 7), (10, 1)):
        ev = np.linalg.eigvalsh(_laplacian(_random_components(ctx, sizes)))
        scale = max(1.0, float(ev[-1]))
        counted.append(int(np.sum(np.abs(ev) < 1e-9 * scale)))
        components.append(len(sizes))
        lowest.append(float(ev[0]) / scale)
    return (
        ctx.bound("-min/max eigenvalue", "numpy.linalg.eigvalsh", -min(lowest), 1e-12, samples=len(lowest)),
        ctx.compare("multiplicity of 0", "numpy.linalg.eigvalsh", np.array(counted), np.array(components), rtol=0),
    )


def crosscheck(ctx: CheckContext) -> CrossCheckResult:
    """Random graphs: x^T L x against the loop sum over edges; a cubic filter applied as a matrix polynomial
    against U g(Lambda) U^T x from numpy.linalg.eigh; the multiplicity of the eigenvalue 0 against the number
    of connected components."""
    quad, edges, poly, spec = [], [], [], []
    for size in (5, 9, 20):
        adj = graph(size, p=0.3).sample(ctx.rng) * ctx.rng.uniform(0.1, 2.0, size=(size, size))
        adj = np.triu(adj, 1) + np.triu(adj, 1).T
        lap, x = _laplacian(adj), ctx.rng.normal(size=size)
        quad.append(x @ lap @ x)
        edges.append(sum(adj[s, t] * (x[s] - x[t]) ** 2 for s in range(size) for t in range(s + 1, size)))
        c = ctx.rng.normal(size=4)
        poly.append((c[0] * np.eye(size) + c[1] * lap + c[2] * lap @ lap + c[3] * lap @ lap @ lap) @ x)
        vals, vecs = np.linalg.eigh(lap)
        spec.append(vecs @ ((c[0] + c[1] * vals + c[2] * vals**2 + c[3] * vals**3) * (vecs.T @ x)))
    return combine(
        ctx.compare("x^T L x", "loop over edges", np.array(quad), np.array(edges), rtol=1e-12),
        ctx.compare("g(L) x", "numpy.linalg.eigh", np.concatenate(poly), np.concatenate(spec), rtol=1e-9),
        *_components(ctx),
    )


# -- the declaration -------------------------------------------------------------------------------
SIZE = integer(1, 4)
LAPLACIAN_SPECTRUM = declare(
    "laplacian-spectrum",
    title="The graph Laplacian is positive semidefinite, and filters act on its spectrum",
    section="1.2",
    map_row=r"Eigenvalues of the graph Laplacian $L$: spectral graph convolution (ChebNet, spectral GNNs)",
    variables={n: SIZE, i: integer(1, n), q: integer(1, n), p: integer(1, 6)}
    | {wI: nonnegative(3), xI: SIGNAL, uI: real(-2, 2), utI: real(-2, 2), lamI: real(-3, 3), cI: real(-2, 2)},
    claim=CLAIM,
    also=(COMPONENTS, PSD, CONSTANT, SPECTRAL_FILTER),
    derivation=derivation,
    crosscheck=crosscheck,
    question=QUESTION,
    refs=REFS,
)
