r"""LoRA: a low-rank update and its gradients.

LoRA freezes a pretrained weight $W_0 \in \mathbb{R}^{d\times k}$ and learns an update $\Delta W = BA$ of rank at
most $r$: it trains $r(d + k)$ numbers instead of $dk$, starts exactly at $W_0$ with $B = 0$, and by the chain rule
its factors get the gradients $GA^\top$ and $B^\top G$ from $G = \partial L/\partial(\Delta W)$ (map 1.3,
low-rank weight decomposition). Hu et al. (2021), LoRA: Low-Rank Adaptation of Large Language Models, Sec. 4.1.
"""

from __future__ import annotations

from functools import partial

import numpy as np
import sympy as sp
from sympy import Eq, Sum

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
)
from derive.core.facts import SPAN_RANK, SUM_EXCHANGE
from derive.maths.indexed import collapse, in_range
from derive.maths.matrices import entry_domains, symbol_matrix
from derive.numeric.linalg import gradient_fd, low_rank

from ._shared import i, j

# -- symbols ---------------------------------------------------------------------------------------
ENTRY = real(-3, 3)
D_, R_, K_ = 3, 2, 2  # the explicit matrices of the cross-check's worked example
Bm = symbol_matrix("B", D_, R_, ENTRY)
Am = symbol_matrix("A", R_, K_, ENTRY)
Gm = symbol_matrix("G", D_, K_, ENTRY)
SIZE = integer(1, 5)
d_dim, k_dim = SIZE.symbol("d"), SIZE.symbol("k")
RANK = integer(1, 4)
r_dim = RANK.symbol("r")
s = sp.Symbol("s", integer=True, positive=True)  # the inner index of BA
a_, b_ = sp.symbols("a b", integer=True, positive=True)  # the entry (a, b) of B a gradient is taken in
p_, q_ = sp.symbols("p q", integer=True, positive=True)  # the entry (p, q) of A
Bi, Ai, Gi, xi = (sp.IndexedBase(name, real=True) for name in ("B", "A", "G", "x"))


def _update(row: sp.Expr, col: sp.Expr) -> sp.Sum:
    r""":math:`(\Delta W)_{ij} = (BA)_{ij} = \sum_s B_{is}A_{sj}` at ``(row, col)``."""
    return Sum(Bi[row, s] * Ai[s, col], (s, 1, r_dim))


def _chain(wrt: sp.Basic, *, rows_inner: bool) -> Sum:
    r""":math:`\sum_{i,j} G_{ij}\,\partial(\Delta W)_{ij}/\partial(\text{wrt})`, unevaluated; the index a Kronecker
    delta of the derivative fixes is summed first, so SymPy collapses it."""
    limits = ((i, 1, d_dim), (j, 1, k_dim)) if rows_inner else ((j, 1, k_dim), (i, 1, d_dim))
    return Sum(Gi[i, j] * sp.Derivative(_update(i, j), wrt), *limits)


DL_DB_AB = notation(r"\frac{\partial L}{\partial B_{ab}}", _chain(Bi[a_, b_], rows_inner=True), "dL/dB_ab")
DL_DA_PQ = notation(r"\frac{\partial L}{\partial A_{pq}}", _chain(Ai[p_, q_], rows_inner=False), "dL/dA_pq")
INIT = notation(r"(BA)_{ij}\,\big|_{B = 0}", Sum(sp.S.Zero * Ai[s, j], (s, 1, r_dim)), "(BA)_ij at B = 0")
THROUGH = notation(r"\bigl((BA)\mathbf{x}\bigr)_i", Sum(_update(i, j) * xi[j], (j, 1, k_dim)), "((BA) x)_i")
THROUGH_B = notation(
    r"\bigl(B(A\mathbf{x})\bigr)_i",
    Sum(Bi[i, s] * Sum(Ai[s, j] * xi[j], (j, 1, k_dim)), (s, 1, r_dim)),
    "(B (A x))_i",
)
COUNT = Sum(1, (i, 1, d_dim), (s, 1, r_dim)) + Sum(1, (s, 1, r_dim), (j, 1, k_dim))

# -- what is claimed -------------------------------------------------------------------------------
CLAIM = Statement(
    "dL/dB",
    Eq(DL_DB_AB, Sum(Gi[a_, j] * Ai[b_, j], (j, 1, k_dim))),
    text=r"$\partial L/\partial B = G A^\top$ with $G = \partial L/\partial(\Delta W)$: entry $(a, b)$ is "
    r"$\sum_j G_{aj}A_{bj}$, for any $d$, $k$ and rank $r$",
)
DL_DA = Statement(
    "dL/dA",
    Eq(DL_DA_PQ, Sum(Bi[i, p_] * Gi[i, q_], (i, 1, d_dim))),
    text=r"$\partial L/\partial A = B^\top G$: entry $(p, q)$ is $\sum_i B_{ip}G_{iq}$",
)
AT_INIT = Statement(
    "init",
    Eq(INIT, 0),
    text=r"with $B = 0$ at initialisation $\Delta W = 0$: fine-tuning starts exactly at $W_0$",
)
LOW_RANK = Statement(
    "rank",
    Eq(THROUGH, THROUGH_B, evaluate=False),
    text=r"$(BA)\mathbf{x} = B(A\mathbf{x})$ for every $\mathbf{x}$: the range of $BA$ lies in the span of the $r$ "
    r"columns of $B$, so $\operatorname{rank}(BA) \le r$",
)
PARAMETERS = Statement(
    "parameters",
    Eq(COUNT, r_dim * (d_dim + k_dim)),
    text=r"$B$ and $A$ hold $r(d + k)$ numbers instead of the $dk$ of $\Delta W$",
)

# -- the homework question, and where the identity comes from --------------------------------------
QUESTION = Question(
    target=r_dim * (d_dim + k_dim),
    prompt=r"A LoRA adapter replaces the update $\Delta W \in \mathbb{R}^{d\times k}$ of a frozen weight by "
    r"$BA$ with $B \in \mathbb{R}^{d\times r}$, $A \in \mathbb{R}^{r\times k}$. How many numbers does it train?",
    approximations={
        r"that is the size of the full update $\Delta W$; the adapter trains only $B$ and $A$": d_dim * k_dim,
        r"$B$ has $dr$ and $A$ has $rk$ entries: they add, they do not multiply": r_dim * d_dim * k_dim,
        r"the rank $r$ multiplies both factors: $r(d + k)$": d_dim + k_dim,
    },
)
REFS = (Ref.cite("hu2021", where="Sec. 4.1"),)


# -- how it is derived -----------------------------------------------------------------------------
def derivation(d: Derivation) -> None:
    r"""LoRA freezes a pretrained weight $W_0 \in \mathbb{R}^{d\times k}$ and learns an update
    $\Delta W = BA$ with $B \in \mathbb{R}^{d\times r}$, $A \in \mathbb{R}^{r\times k}$ and $r \ll \min(d, k)$.
    The update has rank at most $r$ and costs $r(d + k)$ parameters instead of $dk$ (for $d = k = 4096$,
    $r = 8$: $0.4\%$). With $B = 0$ at initialisation $\Delta W = 0$, so fine-tuning starts exactly at $W_0$.
    Backpropagation only needs $G = \partial L/\partial(\Delta W)$: by the chain rule the two factors get
    $G A^\top$ and $B^\top G$."""
    d.begin(
        DL_DB_AB,
        r"chain rule: $\partial L/\partial B_{ab} = \sum_{ij} G_{ij}\,\partial(\Delta W)_{ij}/\partial B_{ab}$",
    )
    d.then(
        lambda e: in_range(collapse(e.doit())),
        r"$(\Delta W)_{ij} = \sum_s B_{is}A_{sj}$, so $\partial(\Delta W)_{ij}/\partial B_{ab} = [i = a]\,A_{bj}$",
    )
    d.then(CLAIM.relation.rhs, r"$\sum_j G_{aj}A_{bj} = (GA^\top)_{ab}$")  # type: ignore[union-attr]
    d.keep("dL/dB")
    d.conclude("dL/dB")

    d.begin(DL_DA_PQ, r"chain rule in the entries of $A$")
    d.then(lambda e: in_range(collapse(e.doit())), r"$\partial(\Delta W)_{ij}/\partial A_{pq} = B_{ip}\,[j = q]$")
    d.then(DL_DA.relation.rhs, r"$\sum_i B_{ip}G_{iq} = (B^\top G)_{pq}$")  # type: ignore[union-attr]
    d.conclude("dL/dA")

    d.begin(INIT, r"LoRA initialises $B = 0$ (and $A$ at random)")
    d.then(lambda e: e.doit(), r"every term $B_{is}A_{sj}$ has the factor $B_{is} = 0$")
    d.conclude("init")

    d.begin(THROUGH, r"$BA$ applied to any $\mathbf{x}$")
    d.assume(
        SUM_EXCHANGE, lambda e: SUM_EXCHANGE.rewrite(e), r"sum over $j$ first: $\sum_j A_{sj}x_j = (A\mathbf{x})_s$"
    )
    d.assume(SPAN_RANK)
    d.conclude("rank")

    d.begin(COUNT, r"count the entries of $B$ and $A$")
    d.then(lambda e: e.doit(), "evaluate the sums")
    d.then(sp.factor, "factor")
    d.conclude("parameters")


# -- how it is checked -----------------------------------------------------------------------------
def _logcosh_loss(w0: np.ndarray, t: np.ndarray, b: np.ndarray, a: np.ndarray) -> float:
    """The check's loss L(Delta W) = sum log cosh(W0 + B A - T), from its definition."""
    return float(np.sum(np.log(np.cosh(w0 + b @ a - t))))


def _entries(base: sp.IndexedBase, values: np.ndarray) -> dict[sp.Basic, float]:
    """``{base[p, q]: values[p-1, q-1]}`` for every entry (1-based)."""
    return {base[p + 1, q + 1]: float(values[p, q]) for p in range(values.shape[0]) for q in range(values.shape[1])}


def crosscheck(ctx: CheckContext) -> CrossCheckResult:
    """Rank of random B A by numpy; central differences of a log-cosh loss in B and A against the
    derived index form at d = 3, k = 2, r = 2 and, at larger sizes, against G A^T and B^T G; the parameter count."""
    rng = ctx.rng
    results = []
    for d, k, r in ((40, 30, 4), (64, 64, 8)):
        rank = np.linalg.matrix_rank(low_rank(rng, d, k, r))
        results.append(
            ctx.compare(
                f"rank of BA, {d}x{k}, r = {r}", "numpy.linalg.matrix_rank", np.asarray(rank), np.asarray(r), rtol=0.0
            )
        )
    derived = ctx.values["dL/dB"].subs({d_dim: D_, k_dim: K_, r_dim: R_}).doit()
    got, want = [], []
    for _ in range(10):
        w0, t = rng.normal(size=(D_, K_)), rng.normal(size=(D_, K_))
        b, a = rng.normal(size=(D_, R_)), rng.normal(size=(R_, K_))
        g = np.tanh(w0 + b @ a - t)  # dL/d(Delta W) of the log-cosh loss, entry by entry
        values = {**_entries(Ai, a), **_entries(Gi, g)}
        got.append(
            [[float(derived.xreplace({a_: p + 1, b_: q + 1}).xreplace(values)) for q in range(R_)] for p in range(D_)]
        )
        want.append(gradient_fd(partial(_logcosh_loss, w0, t, a=a), b))
    results.append(
        ctx.compare(
            "derived dL/dB_ab at d=3, k=2, r=2", "central differences", np.array(got), np.array(want), rtol=1e-6
        )
    )
    d, k, r = 12, 9, 3
    w0, t, b, a = rng.normal(size=(d, k)), rng.normal(size=(d, k)), rng.normal(size=(d, r)), rng.normal(size=(r, k))
    g = np.tanh(w0 + b @ a - t)
    fd_b = gradient_fd(lambda x: _logcosh_loss(w0, t, x, a), b)
    fd_a = gradient_fd(lambda x: _logcosh_loss(w0, t, b, x), a)
    results.append(ctx.compare("dL/dB = G A^T, 12x9, r = 3", "central differences", g @ a.T, fd_b, rtol=1e-6))
    results.append(ctx.compare("dL/dA = B^T G, 12x9, r = 3", "central differences", b.T @ g, fd_a, rtol=1e-6))
    results.append(
        ctx.compare("parameters of B and A", "counted", np.asarray(b.size + a.size), np.asarray(r * (d + k)), rtol=0.0)
    )
    return combine(*results)


# -- the declaration -------------------------------------------------------------------------------
LORA_LOW_RANK = declare(
    "lora-low-rank",
    title="LoRA: a low-rank update and its gradients",
    section="1.3",
    map_row=r"$A = U\Sigma V^\top$: low-rank weight decomposition, LoRA (Hu et al., 2022): $\Delta W = BA$",
    variables={
        **entry_domains([*Bm, *Am, *Gm], ENTRY),
        d_dim: SIZE,
        k_dim: SIZE,
        r_dim: RANK,
        a_: integer(1, d_dim),
        b_: integer(1, r_dim),
        p_: integer(1, r_dim),
        q_: integer(1, k_dim),
        i: integer(1, d_dim),
        j: integer(1, k_dim),
        Bi: ENTRY,
        Ai: ENTRY,
        Gi: ENTRY,
        xi: ENTRY,
    },
    claim=CLAIM,
    also=(DL_DA, AT_INIT, LOW_RANK, PARAMETERS),
    derivation=derivation,
    crosscheck=crosscheck,
    question=QUESTION,
    refs=REFS,
)
