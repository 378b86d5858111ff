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
    nonnegative,
    notation,
    numerically,
    positive,
    real,
    statement_lhs,
)
from derive.maths.matrices import entry_domains, orthonormal_eigenbasis, symbol_vector

from ._shared import SIGNAL, i, j, n, x3

# -- symbols ---------------------------------------------------------------------------------------
EDGE = nonnegative(3)
PAIRS = [(p, q) for p in range(4) for q in range(p + 1, 4)]
AW = {pq: EDGE.symbol(f"a{pq[0] + 1}{pq[1] + 1}") for pq in PAIRS}
ADJ4 = sp.Matrix(4, 4, lambda r, c: AW[(min(r, c), max(r, c))] if r != c else 0)
LAP4 = sp.diag(*(sum(ADJ4.row(r)) for r in range(4))) - ADJ4
x4 = symbol_vector("x", 4, SIGNAL)
QUAD4 = (x4.T * LAP4 * x4)[0, 0]
EDGE_SUM = sp.Add(*(AW[(p, q)] * (x4[p] - x4[q]) ** 2 for p, q in PAIRS))
# a spectral filter on the complete graph K_3 with edge weight w: L = w (3 I - 1 1^T)
EDGE_WEIGHT = positive(3)
w_k3 = EDGE_WEIGHT.symbol("w")
COEFF = real(-2, 2)
theta0, theta1, theta2 = (COEFF.symbol(f"theta{p}") for p in range(3))
LAP_K3 = w_k3 * (3 * sp.eye(3) - sp.ones(3, 3))
U_K3, LAM_K3 = orthonormal_eigenbasis(LAP_K3)
xI4, aI4 = sp.IndexedBase("x", real=True), sp.IndexedBase("A", real=True)


def _eigen_filter(u: sp.Matrix, lam: sp.Matrix) -> sp.Matrix:
    r""":math:`U g(\Lambda) U^\top`: the same filter applied to each eigenvalue."""
    g = sp.diag(*(theta0 + theta1 * lam[r, r] + theta2 * lam[r, r] ** 2 for r in range(lam.rows)))
    return u * g * u.T


IM = sp.ImmutableMatrix
#: :math:`g(L)\mathbf{x}` with :math:`g(L) = \theta_0 I + \theta_1 L + \theta_2 L^2`, a polynomial filter applied
#: without eigenvectors; held unevaluated, so the statement check multiplies it out by its own route
FILTERED = sp.MatMul(
    sp.MatAdd(theta0 * IM(sp.eye(3)), theta1 * IM(LAP_K3), theta2 * sp.MatPow(IM(LAP_K3), 2), evaluate=False),
    IM(x3),
    evaluate=False,
)

# -- what is claimed -------------------------------------------------------------------------------
CLAIM = Statement(
    "quadratic form",
    Eq(
        notation(r"\mathbf{x}^\top L\mathbf{x}", QUAD4, "x^T L x"),
        notation(r"\sum_{i<j}A_{ij}(x_i - x_j)^2", EDGE_SUM, "sum_{i<j} A_ij (x_i - x_j)^2"),
        evaluate=False,
    ),
    text=r"$\mathbf{x}^\top(D - A)\mathbf{x} = \tfrac12\sum_{i,j}A_{ij}(x_i - x_j)^2 = \sum_{i<j}A_{ij}(x_i - "
    r"x_j)^2$",
)
PSD = Statement(
    "PSD",
    sp.Ge(notation(r"\mathbf{x}^\top L\mathbf{x}", QUAD4, "x^T L x"), 0),
    text="so every eigenvalue of $L$ is $\\ge 0$",
)
CONSTANT = Statement(
    "L 1 = 0",
    Eq(
        notation(r"L\mathbf{1}", sp.MatMul(IM(LAP4), IM(sp.ones(4, 1)), evaluate=False), "L 1"),
        sp.zeros(4, 1),
        evaluate=False,
    ),
    text=r"the constant vector is an eigenvector with eigenvalue 0",
)
SPECTRAL_FILTER = Statement(
    "spectral filter",
    Eq(
        notation(r"g(L)\,\mathbf{x}", FILTERED, "g(L) x"),
        notation(r"U g(\Lambda)U^\top\mathbf{x}", _eigen_filter(U_K3, LAM_K3) * x3, "U g(Lambda) U^T x"),
        evaluate=False,
    ),
    text=r"for $g(\lambda) = \theta_0 + \theta_1\lambda + \theta_2\lambda^2$ and $L = U\Lambda U^\top$ "
    r"(on the complete graph $K_3$ with edge weight $w$)",
)


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


def _laplacian_components(ctx: CheckContext) -> CrossCheckResult:
    """Random weighted graphs with 1 to 4 connected components: numpy.linalg.eigvalsh(L) >= 0 and the
    multiplicity of the eigenvalue 0 equals the number of components."""
    counted, components, lowest = [], [], []
    for sizes in ((6,), (3, 5), (4, 4, 2), (2, 3, 5, 7), (10, 1)):
        ev = np.linalg.eigvalsh(_laplacian(_random_components(ctx, sizes)))
        scale = max(1.0, float(ev[-1]))
        counted.append(int(np.sum(np.abs(ev) < 1e-9 * scale)))
        components.append(len(sizes))
        lowest.append(float(ev[0]) / scale)
    return combine(
        ctx.bound("-(smallest eigenvalue)/largest", "numpy.linalg.eigvalsh", -min(lowest), 1e-12, samples=len(lowest)),
        ctx.compare("multiplicity of 0", "numpy.linalg.eigvalsh", np.array(counted), np.array(components), rtol=0),
    )


COMPONENTS = numerically(
    "components",
    r"the multiplicity of the eigenvalue 0 equals the number of connected components (random weighted graphs "
    r"with 1 to 4 components)",
    _laplacian_components,
)

# -- the homework question, and where the identity comes from --------------------------------------
QUESTION = Question(
    target=sp.Sum(sp.Sum(aI4[i, j] * (xI4[i] - xI4[j]) ** 2, (j, 1, n)), (i, 1, n)) / 2,
    prompt=r"Let $L = D - A$ be the Laplacian of an undirected weighted graph. Write $\mathbf{x}^\top "
    r"L\mathbf{x}$ as a sum over pairs of nodes.",
    forms=(EDGE_SUM,),
    approximations={
        r"sign error: that is $\mathbf{x}^\top(D + A)\mathbf{x}$, the signless Laplacian": sp.Sum(
            sp.Sum(aI4[i, j] * (xI4[i] + xI4[j]) ** 2, (j, 1, n)), (i, 1, n)
        )
        / 2,
        r"each edge is counted twice: the factor $\tfrac12$ is missing": sp.Sum(
            sp.Sum(aI4[i, j] * (xI4[i] - xI4[j]) ** 2, (j, 1, n)), (i, 1, n)
        ),
    },
)
REFS = (
    Ref.cite("chung1997", where="Ch. 1"),
    Ref.cite("bruna2014", where="Sec. 3"),
    Ref.cite("defferrard2016", where="Sec. 2.1"),
)


# -- how it is derived -----------------------------------------------------------------------------
def derivation(d: Derivation) -> None:
    r"""The Laplacian $L = D - A$ of an undirected graph with weights $A_{ij} \ge 0$ and degrees $D_{ii} = \sum_j
    A_{ij}$ measures how much a signal $\mathbf{x}$ on the nodes varies across edges: $\mathbf{x}^\top L\mathbf{x} =
    \sum_{i<j}A_{ij}(x_i - x_j)^2$. Hence $L$ is positive semidefinite, its eigenvalues are ``frequencies'' and its
    eigenvectors a Fourier basis: spectral GNNs filter a signal as $U g(\Lambda)U^\top\mathbf{x}$, which for a
    polynomial $g$ is just $g(L)\mathbf{x}$. Below, a weighted graph on 4 nodes with symbolic weights."""
    scope = "for a weighted graph on 4 nodes"
    d.begin(statement_lhs(d, "quadratic form"), r"$L = D - A$", scope=scope)
    d.then(lambda e: sp.expand(e.doit()), r"expand: $\sum_i D_{ii}x_i^2 - \sum_{i,j}A_{ij}x_ix_j$")
    d.then(EDGE_SUM, r"group by edge: $A_{ij}(x_i^2 + x_j^2) - 2A_{ij}x_ix_j = A_{ij}(x_i - x_j)^2$")
    d.conclude("quadratic form")

    d.begin(statement_lhs(d, "PSD"), scope=scope)
    d.then(EDGE_SUM, "the quadratic form above")
    d.bound(0, r"a sum of weights $A_{ij} \ge 0$ times squares", relation=">=")
    d.conclude("PSD")

    d.begin(statement_lhs(d, "L 1 = 0"), r"row $i$ of $L\mathbf{1}$ is $D_{ii} - \sum_j A_{ij}$", scope=scope)
    d.then(lambda e: e.doit().applyfunc(sp.expand), "the degrees cancel the row sums")
    d.conclude("L 1 = 0")

    d.begin(
        statement_lhs(d, "spectral filter"),
        r"the filter as a matrix polynomial",
        scope="for the complete graph on 3 nodes, edge weight w",
    )
    d.then(lambda e: e.doit().applyfunc(sp.expand), "multiply out")
    d.then(
        _eigen_filter(U_K3, LAM_K3) * x3,
        r"SymPy's orthonormal eigenbasis of $L$: eigenvalues $0, 3w, 3w$; $g$ applied to each",
    )
    d.conclude("spectral filter")


# -- how it is checked -----------------------------------------------------------------------------
def crosscheck(ctx: CheckContext) -> CrossCheckResult:
    """Random graphs: x^T L x against the loop sum over edges; a cubic filter applied as a matrix polynomial
    against U g(Lambda) U^T x from numpy.linalg.eigh."""
    quad, edges, poly, spec = [], [], [], []
    for size in (5, 9, 20):
        adj = graph(size, p=0.3).sample(ctx.rng) * ctx.rng.uniform(0.1, 2.0, size=(size, size))
        adj = np.triu(adj, 1) + np.triu(adj, 1).T
        lap, x = _laplacian(adj), ctx.rng.normal(size=size)
        quad.append(x @ lap @ x)
        edges.append(sum(adj[p, q] * (x[p] - x[q]) ** 2 for p in range(size) for q in range(p + 1, size)))
        c = ctx.rng.normal(size=4)
        poly.append((c[0] * np.eye(size) + c[1] * lap + c[2] * lap @ lap + c[3] * lap @ lap @ lap) @ x)
        vals, vecs = np.linalg.eigh(lap)
        spec.append(vecs @ ((c[0] + c[1] * vals + c[2] * vals**2 + c[3] * vals**3) * (vecs.T @ x)))
    return combine(
        ctx.compare("x^T L x", "loop over edges", np.array(quad), np.array(edges), rtol=1e-12),
        ctx.compare("g(L) x", "numpy.linalg.eigh", np.concatenate(poly), np.concatenate(spec), rtol=1e-9),
    )


# -- the declaration -------------------------------------------------------------------------------
LAPLACIAN_SPECTRUM = declare(
    "laplacian-spectrum",
    title="The graph Laplacian is positive semidefinite, and filters act on its spectrum",
    section="1.2",
    map_row=r"Eigenvalues of the graph Laplacian $L$: spectral graph convolution (ChebNet, spectral GNNs)",
    variables={s: EDGE for s in AW.values()}
    | entry_domains(x4, SIGNAL)
    | {w_k3: EDGE_WEIGHT, theta0: COEFF, theta1: COEFF, theta2: COEFF},
    claim=CLAIM,
    also=(PSD, CONSTANT, SPECTRAL_FILTER, COMPONENTS),
    derivation=derivation,
    crosscheck=crosscheck,
    question=QUESTION,
    refs=REFS,
)
