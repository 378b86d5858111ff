r"""Stationary distribution of a random walk on a graph.

The simple random walk $P = D^{-1}A$ on an undirected weighted graph leaves $\pi_i = d_i/2m$ unchanged:
derived for $n$ nodes with symbolic weights (an ``IndexedBase`` $w$ and the symmetric weights
$A_{ij} = w_{ij} + w_{ji}$, which every symmetric nonnegative matrix has, with $w = A/2$), worked out in
full on a graph with four nodes and six symbolic edge weights, and checked on random graphs with numpy.
The map's curriculum chapter 11, graph theory: random walks (DeepWalk, Node2Vec) (map 6). Grover and
Leskovec (2016), node2vec, Sec. 3; Lovász (1993), Random walks on graphs: a survey, Sec. 1.
"""

from __future__ import annotations

import itertools

import numpy as np
import sympy as sp
from sympy import Eq, IndexedBase, Sum

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
)

# -- symbols ---------------------------------------------------------------------------------------
N_NODES = 4
WEIGHT = positive(1)
EDGES = {(i, j): WEIGHT.symbol(f"w{i + 1}{j + 1}") for i, j in itertools.combinations(range(N_NODES), 2)}
ADJ = sp.Matrix(N_NODES, N_NODES, lambda i, j: EDGES[(min(i, j), max(i, j))] if i != j else 0)
ONES = sp.ones(N_NODES, 1)
DEG = ADJ * ONES
TWO_M = sum(DEG)  # twice the total edge weight
PI = DEG / TWO_M
P_WALK = sp.diag(*[1 / di for di in DEG]) * ADJ

# n nodes: symmetric weights A_ij = w_ij + w_ji, degrees d_i = sum_l A_il, total 2m = sum_k d_k
NODES = integer(2, 6)
n_nodes = NODES.symbol("n")
NODE = integer(1, n_nodes)
i_nd, j_nd, k_nd, l_nd = (NODE.symbol(c) for c in "ijkl")
w_ix = IndexedBase("w", positive=True)
NODE_DOMAINS = {n_nodes: NODES, **dict.fromkeys((i_nd, j_nd, k_nd, l_nd), NODE), w_ix: WEIGHT}


def _a(a: sp.Expr, b: sp.Expr) -> sp.Expr:
    """The symmetric weight A_ab = w_ab + w_ba."""
    return w_ix[a, b] + w_ix[b, a]


def _deg(a: sp.Expr) -> sp.Expr:
    return Sum(_a(a, l_nd), (l_nd, 1, n_nodes))


TOTAL = Sum(_deg(k_nd), (k_nd, 1, n_nodes))


def _pi(a: sp.Expr) -> sp.Expr:
    return _deg(a) / TOTAL


def _p(a: sp.Expr, b: sp.Expr) -> sp.Expr:
    return _a(a, b) / _deg(a)


PI_P = Sum(_pi(i_nd) * _p(i_nd, j_nd), (i_nd, 1, n_nodes))
PI_P_TEX = notation(r"\sum_{i=1}^{n} \pi_i P_{ij}", PI_P, "sum_i pi_i P_ij")
SUM_PI = Sum(_pi(k_nd), (k_nd, 1, n_nodes))  # summed over k, the index of 2m's own sum
ROW_SUM = Sum(_p(i_nd, j_nd), (j_nd, 1, n_nodes))

# -- what is claimed -------------------------------------------------------------------------------
CLAIM = Statement(
    "pi P = pi",
    Eq(PI_P_TEX, _pi(j_nd), evaluate=False),
    text=r"the walk $P_{ij} = A_{ij}/d_i$ leaves $\pi_i = d_i/2m$ unchanged ($d_i = \sum_l A_{il}$ the weighted "
    r"degree, $2m = \sum_k d_k$), for any symmetric weights $A$ on $n$ nodes",
)
NORMALISED = Statement("normalised", Eq(SUM_PI, 1), text="it is a distribution")
STOCHASTIC = Statement("stochastic", Eq(ROW_SUM, 1), text="each row of $P$ is a distribution over the next node")

# -- the homework question, and where the identity comes from --------------------------------------
QUESTION = Question(
    target=DEG[0] / TWO_M,
    prompt=r"A random walk moves from node $i$ to a neighbour $j$ with probability $w_{ij}/d_i$ on an undirected "
    r"weighted graph with four nodes. What is the stationary probability of node 1?",
    names={str(w): w for w in EDGES.values()},
    approximations={
        "uniform over nodes: only for regular graphs": sp.Rational(1, N_NODES),
        r"each edge weight counts at both of its ends: the degrees sum to $2\sum w$": 2 * DEG[0] / TWO_M,
    },
)
REFS = (
    Ref.cite("grover2016", where="Sec. 3"),
    Ref.cite("lovasz1993", where="Sec. 1"),
)


# -- how it is derived -----------------------------------------------------------------------------
def derivation(d: Derivation) -> None:
    r"""DeepWalk and node2vec learn node embeddings from random walks, and PageRank is a random walk with
    restarts. On an undirected graph the simple walk $P = D^{-1}A$ visits each node in proportion to its
    degree: $\pi_i = d_i/2m$ is stationary, which is why walk-based embeddings over-sample hubs and why
    samplers reweight by $1/d_i$."""
    d.begin(PI_P_TEX)
    d.then(
        lambda e: Sum(sp.Mul(_pi(i_nd), _p(i_nd, j_nd), evaluate=False), (i_nd, 1, n_nodes)),
        r"$\pi_i = d_i/2m$ and $P_{ij} = A_{ij}/d_i$",
    )
    d.then(Sum(_a(i_nd, j_nd), (i_nd, 1, n_nodes)) / TOTAL, r"the degrees cancel: $\frac{d_i}{2m}\frac{A_{ij}}{d_i}$")
    d.then(_deg(j_nd) / TOTAL, r"by symmetry $\sum_i A_{ij} = \sum_i A_{ji} = d_j$")
    d.conclude("pi P = pi")

    d.begin(SUM_PI)
    d.then(sp.S.One, r"$2m$ does not depend on $k$, and $\sum_k d_k = 2m$")
    d.conclude("normalised")

    d.begin(ROW_SUM)
    d.then(sp.S.One, r"$d_i$ does not depend on $j$, and $\sum_j A_{ij} = d_i$")
    d.conclude("stochastic")

    size = f"for a weighted graph on {N_NODES} nodes (6 symbolic edge weights)"
    d.begin(notation(r"\pi^\top P", PI.T * P_WALK, "pi^T P"), scope=size, title="Example: a graph with four nodes")
    d.then(lambda e: e.doit(), r"$(\pi^\top P)_j = \sum_i \frac{d_i}{2m}\frac{w_{ij}}{d_i}$")
    d.then(lambda e: e.applyfunc(sp.cancel), r"the degrees cancel: $\sum_i w_{ij}/2m = d_j/2m$ by symmetry")
    d.then(notation(r"\pi^\top", PI.T, "pi^T"), r"$\pi^\top$")
    d.finish()


# -- how it is checked -----------------------------------------------------------------------------
def crosscheck(ctx: CheckContext) -> CrossCheckResult:
    """Random connected graphs on 12 nodes: 3000 steps of power iteration of the lazy walk (I + P)/2 from a
    point mass, against d / 2m; and pi P = pi with numpy."""
    errs, fixed = [], []
    for _ in range(10):
        adj = graph(12).sample(ctx.rng)
        deg = adj.sum(axis=1)
        p = adj / deg[:, None]
        lazy = (np.eye(12) + p) / 2
        dist = np.zeros(12)
        dist[0] = 1.0
        for _s in range(3000):
            dist = dist @ lazy
        pi = deg / deg.sum()
        errs.append(float(np.max(np.abs(dist - pi))))
        fixed.append(float(np.max(np.abs(pi @ p - pi))))
    return combine(
        ctx.bound("power iteration -> d/2m", "lazy walk, 3000 steps", max(errs), 1e-10),
        ctx.bound("pi P = pi", "numpy", max(fixed), 1e-14),
    )


# -- the declaration -------------------------------------------------------------------------------
RANDOM_WALK_STATIONARY = declare(
    "random-walk-stationary",
    aliases=("random-walk",),
    title="Stationary distribution of a random walk on a graph",
    section="6",
    map_row=r"chapter 11 Graph theory: random walks (DeepWalk, Node2Vec)",
    variables={**dict.fromkeys(EDGES.values(), WEIGHT), **NODE_DOMAINS},
    claim=CLAIM,
    also=(NORMALISED, STOCHASTIC),
    derivation=derivation,
    crosscheck=crosscheck,
    question=QUESTION,
    refs=REFS,
    builds_on=("gcn-propagation",),
)
