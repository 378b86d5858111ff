r"""LoRA: a low-rank update and its gradients.

LoRA freezes a pretrained weight $W_0 \in \mathbb{R}^{d\times k}$ and learns an update $\Delta W = BA$ of rank at
most $r$: it trains $r(d + k)$ numbers instead of $dk$, starts exactly at $W_0$ with $B = 0$, and by the chain rule
its factors get the gradients $GA^\top$ and $B^\top G$ from $G = \partial L/\partial(\Delta W)$ (map 1.3,
low-rank weight decomposition). Hu et al. (2021), LoRA: Low-Rank Adaptation of Large Language Models, Sec. 4.1.
"""

from __future__ import annotations

import itertools
from functools import partial

import numpy as np
import sympy as sp
from sympy import Eq, Sum
from sympy.combinatorics import Permutation

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
from derive.maths.matrices import backprop_form, entry_domains, symbol_matrix
from derive.numeric.linalg import gradient_fd, low_rank

from ._shared import i, j

# -- symbols ---------------------------------------------------------------------------------------
ENTRY = real(-3, 3)
D_, R_, K_ = 3, 2, 2  # gradients; the rank statement uses k = 3 so that r = 2 < min(d, k)
Bm = symbol_matrix("B", D_, R_, ENTRY)
A3 = symbol_matrix("A", R_, 3, ENTRY)
Am = A3[:, :K_]
Gm = symbol_matrix("G", D_, K_, ENTRY)
DW = Bm * Am
SIZE = integer(1, 4096)
d_dim, k_dim = SIZE.symbol("d"), SIZE.symbol("k")
RANK = integer(1, 64)
r_dim = RANK.symbol("r")
s = sp.Symbol("s", integer=True, positive=True)  # the inner index of BA


def _leibniz_halves(mat: sp.MatrixBase) -> tuple[sp.Expr, sp.Expr]:
    r"""The Leibniz expansion of :math:`\det M` split into its even and odd permutations, unexpanded:
    :math:`\det M = 0` says the two halves are equal."""
    size = mat.rows
    even: list[sp.Expr] = []
    odd: list[sp.Expr] = []
    for perm in itertools.permutations(range(size)):
        term = sp.Mul(*(mat[r, perm[r]] for r in range(size)))
        (even if Permutation(list(perm)).is_even else odd).append(term)
    return sp.Add(*even), sp.Add(*odd)


EVEN, ODD = _leibniz_halves(Bm * A3)
B_ZERO = sp.ImmutableMatrix(Bm.subs({e: 0 for e in Bm}))
INIT = notation(r"BA\,\big|_{B = 0}", sp.MatMul(B_ZERO, sp.ImmutableMatrix(Am), evaluate=False), "BA at B = 0")
DET_EVEN = notation(r"\sum_{\pi\ \mathrm{even}} \prod_i (BA)_{i\pi(i)}", EVEN, "det(BA) even half")
DET_ODD = notation(r"\sum_{\pi\ \mathrm{odd}} \prod_i (BA)_{i\pi(i)}", ODD, "det(BA) odd half")
COUNT = Sum(1, (i, 1, d_dim), (s, 1, r_dim)) + Sum(1, (s, 1, r_dim), (j, 1, k_dim))

# -- what is claimed -------------------------------------------------------------------------------
CLAIM = Statement(
    "dL/dB",
    Eq(notation(r"\frac{\partial L}{\partial B}", backprop_form(Gm, DW, Bm), "dL/dB"), Gm * Am.T, evaluate=False),
    text=r"$\partial L/\partial B = G A^\top$ with $G = \partial L/\partial(\Delta W)$",
)
DL_DA = Statement(
    "dL/dA",
    Eq(
        notation(r"\frac{\partial L}{\partial A}", backprop_form(Gm, DW, Am), "dL/dA"),
        Bm.T * Gm,
        evaluate=False,
    ),
    text=r"$\partial L/\partial A = B^\top G$",
)
AT_INIT = Statement(
    "init",
    Eq(INIT, sp.zeros(D_, K_), evaluate=False),
    text=r"with $B = 0$ at initialisation $\Delta W = 0$: fine-tuning starts exactly at $W_0$",
)
LOW_RANK = Statement(
    "rank",
    Eq(DET_EVEN, DET_ODD, evaluate=False),
    text=r"$\det(BA) = 0$: the even and odd halves of the Leibniz expansion agree, so the "
    r"$3\times 3$ update $BA$ with $r = 2$ has rank at most $2$",
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
REFS = (
    Ref.arxiv("2106.09685", "E. J. Hu et al., LoRA: Low-Rank Adaptation of Large Language Models, 2021", "Sec. 4.1"),
)


# -- how it is derived -----------------------------------------------------------------------------
def derivation(d: Derivation) -> None:
    r"""LoRA freezes a pretrained weight $W_0 \in \mathbb{R}^{d\times k}$ and learns an update
    $\Delta W = BA$ with $B \in \mathbb{R}^{d\times r}$, $A \in \mathbb{R}^{r\times k}$ and $r \ll \min(d, k)$.
    The update has rank at most $r$ and costs $r(d + k)$ parameters instead of $dk$ (for $d = k = 4096$,
    $r = 8$: $0.4\%$). With $B = 0$ at initialisation $\Delta W = 0$, so fine-tuning starts exactly at $W_0$.
    Backpropagation only needs $G = \partial L/\partial(\Delta W)$: by the chain rule the two factors get
    $G A^\top$ and $B^\top G$."""
    scope = "for d = 3, r = 2, k = 2; other sizes in the cross-check"
    d.begin(
        backprop_form(Gm, DW, Bm),
        r"chain rule: $\partial L/\partial B_{ab} = \sum_{ij} G_{ij}\,\partial(\Delta W)_{ij}/\partial B_{ab}$",
        scope=scope,
    )
    d.then(
        lambda e: e.doit(),
        r"$(\Delta W)_{ij} = \sum_s B_{is}A_{sj}$, so $\partial(\Delta W)_{ij}/\partial B_{ab} = [i = a]\,A_{bj}$",
    )
    d.then(Gm * Am.T, r"$\sum_j G_{aj}A_{bj} = (GA^\top)_{ab}$")
    d.conclude("dL/dB")

    d.begin(backprop_form(Gm, DW, Am), r"chain rule in the entries of $A$", scope=scope)
    d.then(lambda e: e.doit(), r"$\partial(\Delta W)_{ij}/\partial A_{ab} = B_{ia}\,[j = b]$")
    d.then(Bm.T * Gm, r"$\sum_i B_{ia}G_{ib} = (B^\top G)_{ab}$")
    d.conclude("dL/dA")

    d.begin(INIT, r"LoRA initialises $B = 0$ (and $A$ at random)", scope=scope)
    d.then(lambda e: e.doit(), r"every entry $\sum_s B_{is}A_{sj}$ has the factor $B_{is} = 0$")
    d.conclude("init")

    d.begin(DET_EVEN, r"even permutations in the Leibniz expansion of $\det(BA)$", scope="for d = k = 3, r = 2")
    d.then(
        DET_ODD, r"multiplied out, with $(BA)_{ij} = B_{i1}A_{1j} + B_{i2}A_{2j}$: the same polynomial as the odd half"
    )
    d.note(
        r"A $3\times 3$ matrix that is a product through an inner dimension $2$ is singular; in general every "
        r"$(r+1)\times(r+1)$ minor of $BA$ vanishes, which is $\operatorname{rank}(BA) \le r$."
    )
    d.conclude("rank")

    d.begin(COUNT, r"count the entries of $B$ and $A$")
    d.then(lambda e: e.doit(), "evaluate the sums")
    d.then(sp.factor, "factor")
    d.conclude("parameters")


# -- how it is checked -----------------------------------------------------------------------------
def _logcosh_loss(w0: np.ndarray, t: np.ndarray, b: np.ndarray, a: np.ndarray) -> float:
    """The check's loss L(Delta W) = sum log cosh(W0 + B A - T), from its definition."""
    return float(np.sum(np.log(np.cosh(w0 + b @ a - t))))


def crosscheck(ctx: CheckContext) -> CrossCheckResult:
    """Rank of random B A by numpy; central differences of a log-cosh loss in B and A against the
    derived 3x2 form and, at larger sizes, against G A^T and B^T G; the parameter count."""
    rng = ctx.rng
    results = []
    for d, k, r in ((40, 30, 4), (64, 64, 8)):
        rank = np.linalg.matrix_rank(low_rank(rng, d, k, r))
        results.append(
            ctx.compare(
                f"rank of BA, {d}x{k}, r = {r}", "numpy.linalg.matrix_rank", np.asarray(rank), np.asarray(r), rtol=0.0
            )
        )
    f = sp.lambdify([*Bm, *Am, *Gm], ctx.result, "numpy")
    got, want = [], []
    for _ in range(10):
        w0, t = rng.normal(size=(D_, K_)), rng.normal(size=(D_, K_))
        b, a = rng.normal(size=(D_, R_)), rng.normal(size=(R_, K_))
        g = np.tanh(w0 + b @ a - t)  # dL/d(Delta W) of the log-cosh loss, entry by entry
        got.append(np.asarray(f(*b.ravel(), *a.ravel(), *g.ravel()), dtype=float))
        want.append(gradient_fd(partial(_logcosh_loss, w0, t, a=a), b))
    results.append(ctx.compare("derived 3x2 dL/dB", "central differences", np.array(got), np.array(want), rtol=1e-6))
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
        **entry_domains([*Bm, *A3, *Gm], ENTRY),
        d_dim: SIZE,
        k_dim: SIZE,
        r_dim: RANK,
    },
    claim=CLAIM,
    also=(DL_DA, AT_INIT, LOW_RANK, PARAMETERS),
    derivation=derivation,
    crosscheck=crosscheck,
    question=QUESTION,
    refs=REFS,
)
