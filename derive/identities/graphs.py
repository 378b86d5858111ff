r"""6 Curriculum chapter 11, graph theory: the stationary distribution of a random walk.

The walk is derived on a weighted graph with four nodes whose six edge weights are symbols (an edge
that is absent is the limit of a weight going to 0), and checked on random graphs with numpy.
"""

from __future__ import annotations

import itertools

import numpy as np
import sympy as sp
from sympy import Eq

from ..derivation import Derivation
from ..identity import Question, Ref, Statement, identity
from ..moves.matrices import notation
from ..numeric.crosscheck import CheckContext, CrossCheckResult, combine
from ..numeric.domains import graph, positive

N_NODES = 4
WEIGHT = positive(1)
EDGES = {(i, j): WEIGHT.symbol(f"w{i + 1}{j + 1}") for i, j in itertools.combinations(range(N_NODES), 2)}
ADJ = sp.Matrix(N_NODES, N_NODES, lambda i, j: EDGES[(min(i, j), max(i, j))] if i != j else 0)
ONES = sp.ones(N_NODES, 1)
DEG = ADJ * ONES
TWO_M = sum(DEG)  # twice the total edge weight
PI = DEG / TWO_M
P_WALK = sp.diag(*[1 / di for di in DEG]) * ADJ


def _walk_check(ctx: CheckContext) -> CrossCheckResult:
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


@identity(
    "random-walk-stationary",
    aliases=("random-walk",),
    title="Stationary distribution of a random walk on a graph",
    section="6",
    map_row=r"chapter 11 Graph theory: random walks (DeepWalk, Node2Vec)",
    variables=dict.fromkeys(EDGES.values(), WEIGHT),
    claim=Statement(
        "pi P = pi",
        Eq(notation(r"\pi^\top P", PI.T * P_WALK, "pi^T P"), notation(r"\pi^\top", PI.T, "pi^T"), evaluate=False),
        text=r"the walk $P = D^{-1}A$ leaves $\pi_i = d_i/2m$ unchanged ($d_i$ the weighted degree, $2m = \sum_i d_i$)",
    ),
    also=[
        Statement(
            "normalised",
            Eq(notation(r"\sum_i \pi_i", sum(PI), "sum pi"), 1, evaluate=False),
            text="it is a distribution",
        ),
        Statement(
            "stochastic",
            Eq(notation(r"P\mathbf{1}", P_WALK * ONES, "P 1"), ONES, evaluate=False),
            text="each row of $P$ is a distribution over the next node",
        ),
    ],
    crosscheck=_walk_check,
    question=Question(
        target=DEG[0] / TWO_M,
        prompt=r"A random walk moves from node $i$ to a neighbour $j$ with probability $w_{ij}/d_i$ on an undirected "
        r"weighted graph with four nodes. What is the stationary probability of node 1?",
        names={str(w): w for w in EDGES.values()},
        approximations={
            "uniform over nodes: only for regular graphs": sp.Rational(1, N_NODES),
            r"each edge weight counts at both of its ends: the degrees sum to $2\sum w$": 2 * DEG[0] / TWO_M,
        },
    ),
    refs=(
        Ref.arxiv(
            "1607.00653", "A. Grover and J. Leskovec, node2vec: Scalable Feature Learning for Networks, 2016", "Sec. 3"
        ),
        Ref.book("L. Lovász, Random walks on graphs: a survey (1993)", "Sec. 1"),
    ),
    builds_on=("gcn-propagation",),
)
def random_walk_stationary(d: Derivation) -> None:
    r"""DeepWalk and node2vec learn node embeddings from random walks, and PageRank is a random walk with
    restarts. On an undirected graph the simple walk $P = D^{-1}A$ visits each node in proportion to its
    degree: $\pi_i = d_i/2m$ is stationary, which is why walk-based embeddings over-sample hubs and why
    samplers reweight by $1/d_i$."""
    size = f"for a weighted graph on {N_NODES} nodes (6 symbolic edge weights)"
    d.begin(notation(r"\pi^\top P", PI.T * P_WALK, "pi^T P"), scope=size)
    d.then(lambda e: e.doit(), r"$(\pi^\top P)_j = \sum_i \frac{d_i}{2m}\frac{w_{ij}}{d_i}$")
    d.then(lambda e: e.applyfunc(sp.cancel), r"the degrees cancel: $\sum_i w_{ij}/2m = d_j/2m$ by symmetry")
    d.conclude("pi P = pi")

    d.begin(notation(r"\sum_i \pi_i", sum(PI), "sum pi"), scope=size)
    d.then(lambda e: e.doit(), r"$\sum_i d_i / 2m$")
    d.then(lambda e: sp.cancel(e), r"$\sum_i d_i = 2m$")
    d.conclude("normalised")

    d.begin(notation(r"P\mathbf{1}", P_WALK * ONES, "P 1"), scope=size)
    d.then(lambda e: e.doit(), r"$\sum_j w_{ij}/d_i$")
    d.then(lambda e: e.applyfunc(sp.cancel), r"$\sum_j w_{ij} = d_i$")
    d.conclude("stochastic")
