r"""The GCN propagation matrix and message passing.

A GCN layer computes $H' = \sigma(\hat A H W)$ with $\hat A = \tilde D^{-1/2}(A + I)\tilde D^{-1/2}$: $\hat A$ is
symmetric, $\tilde D^{1/2}\mathbf{1}$ is an eigenvector with eigenvalue $1$, every eigenvalue lies in $(-1, 1]$,
and row $i$ of $\hat A H W$ sums node $i$'s neighbours' transformed features (map 1.1, graph convolution).
Kipf and Welling (2017), Semi-Supervised Classification with Graph Convolutional Networks, Sec. 2, Eq. (2).
"""

from __future__ import annotations

import numpy as np
import sympy as sp
from sympy import Eq, Ge

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
from derive.core.facts import SUM_EXCHANGE
from derive.maths.graphs import degree, pair_sum, value_of
from derive.maths.indexed import collapse

from ._shared import SIGNAL, ell, i, j, k, n
from .laplacian_spectrum import SYMMETRIC_W, edge_form_steps, wI

# -- symbols: a weighted undirected graph on n nodes with self-loops, A~ = W + I -------------------
yI = sp.IndexedBase("y", real=True)  # y = D~^(-1/2) x: the quadratic forms of I -/+ A_hat in x
PI, HI, WI = (sp.IndexedBase(name, real=True) for name in ("P", "H", "W"))
f_in = sp.Symbol("f", integer=True, positive=True)  # the number of input features
c = sp.Symbol("c", integer=True, positive=True)  # an output feature
dtI = sp.IndexedBase("dtilde", positive=True)


def d_tilde(a: sp.Expr) -> sp.Expr:
    r""":math:`\tilde d_a = 1 + \sum_k w_{ak}`, the degree with the self-loop."""
    return 1 + degree(wI, a, k, n)


def a_hat(a: sp.Expr, b: sp.Expr) -> sp.Expr:
    r""":math:`\hat A_{ab} = (w_{ab} + \delta_{ab})/(\sqrt{\tilde d_a}\sqrt{\tilde d_b})`."""
    return (wI[a, b] + sp.KroneckerDelta(a, b)) / (sp.sqrt(d_tilde(a)) * sp.sqrt(d_tilde(b)))


def _row(sign: int) -> sp.Sum:
    r""":math:`((\tilde D \pm \tilde A)\mathbf{y})_i = \sum_j(\delta_{ij}\tilde d_i \pm (w_{ij} + \delta_{ij}))y_j`."""
    return sp.Sum(
        (sp.KroneckerDelta(i, j) * d_tilde(i) + sign * (wI[i, j] + sp.KroneckerDelta(i, j))) * yI[j], (j, 1, n)
    )


EIGVEC = sp.Sum(a_hat(i, j) * sp.sqrt(d_tilde(j)), (j, 1, n))  # sqrt(d~_j) cancels as it is built
NORM_SQ = sp.Sum(yI[i] ** 2, (i, 1, n))
ROW_MINUS = sp.Sum(wI[i, j] * (yI[i] - yI[j]), (j, 1, n))
ROW_PLUS = sp.Sum(wI[i, j] * (yI[i] + yI[j]), (j, 1, n)) + 2 * yI[i]
Q_PLUS = pair_sum(yI[i] * wI[i, j] * (yI[i] + yI[j]), i, j, n) + 2 * NORM_SQ
MP_LHS = sp.Sum(sp.Sum(PI[i, j] * HI[j, ell], (j, 1, n)) * WI[ell, c], (ell, 1, f_in))
MP_RHS = sp.Sum(PI[i, j] * sp.Sum(HI[j, ell] * WI[ell, c], (ell, 1, f_in)), (j, 1, n))

# -- what is claimed -------------------------------------------------------------------------------
CLAIM = Statement(
    "eigenvector",
    Eq(
        notation(
            r"(\hat A\,\tilde D^{1/2}\mathbf{1})_i",
            EIGVEC,
            "(A_hat D~^(1/2) 1)_i",
        ),
        sp.sqrt(d_tilde(i)),
    ),
    text=r"for any number $n$ of nodes: $\tilde D^{1/2}\mathbf{1}$ is an eigenvector of $\hat A$ with eigenvalue 1",
)
SYMMETRIC = Statement(
    "symmetric",
    Eq(notation(r"\hat A_{ji}", a_hat(j, i), "A_hat_ji"), notation(r"\hat A_{ij}", a_hat(i, j), "A_hat_ij")),
    text=r"$\hat A = \tilde D^{-1/2}(A + I)\tilde D^{-1/2}$ is symmetric (any $n$)",
)
AT_MOST_ONE = Statement(
    "lambda <= 1",
    Eq(notation(r"((\tilde D - \tilde A)\mathbf{y})_i", _row(-1), "((D~ - A~) y)_i"), ROW_MINUS),
    text=r"the self-loops cancel, $\tilde D - \tilde A = D - W = L$ (any $n$): with $\mathbf{x} = \tilde "
    r"D^{1/2}\mathbf{y}$, $\mathbf{x}^\top(I - \hat A)\mathbf{x} = \mathbf{y}^\top L\mathbf{y} \ge 0$ by the "
    r"Laplacian's quadratic form (laplacian-spectrum): $I - \hat A$ is positive semidefinite, every eigenvalue "
    r"$\lambda \le 1$",
)
ROWS_PLUS = Statement(
    "row of D~ + A~",
    Eq(notation(r"((\tilde D + \tilde A)\mathbf{y})_i", _row(1), "((D~ + A~) y)_i"), ROW_PLUS),
    text=r"the self-loops add $2y_i$: $\tilde D + \tilde A = D + W + 2I$ (any $n$)",
)
ABOVE_MINUS_ONE = Statement(
    "lambda > -1",
    Ge(notation(r"\mathbf{y}^\top(\tilde D + \tilde A)\,\mathbf{y}", Q_PLUS, "y^T (D~ + A~) y"), 2 * NORM_SQ),
    text=r"$\mathbf{x}^\top(I + \hat A)\mathbf{x} = \mathbf{y}^\top(\tilde D + \tilde A)\mathbf{y} \ge "
    r"2\lVert\mathbf{y}\rVert^2$, any $n$: the self-loops make $I + \hat A$ positive definite, every eigenvalue "
    r"$\lambda > -1$",
)
MESSAGE_PASSING = Statement(
    "message passing",
    Eq(
        notation(r"((PH)W)_{ic}", MP_LHS, "((P H) W)_ic"),
        notation(r"\textstyle\sum_j P_{ij}\,(HW)_{jc}", MP_RHS, "sum_j P_ij (HW)_jc"),
    ),
    text=r"row $i$ of $\hat A H W$ is $\sum_j \hat A_{ij}(HW)_{j,:}$ (any numbers of nodes and features): node $i$ "
    r"sums its neighbours' transformed features (any propagation matrix $P$, in particular $P = \hat A$)",
)

# -- the homework question, and where the identity comes from --------------------------------------
QUESTION = Question(
    target=sp.sqrt(dtI[i]),
    prompt=r"Let $\hat A = \tilde D^{-1/2}(A + I)\tilde D^{-1/2}$ with $\tilde d_i = 1 + \sum_j A_{ij}$. "
    r"Give the $i$-th "
    r"entry of an eigenvector of $\hat A$ with eigenvalue 1.",
    approximations={
        r"that is $\tilde D^{-1/2}\mathbf{1}$, the inverse square roots": 1 / sp.sqrt(dtI[i]),
        r"$\mathbf{1}$ is the eigenvector of $\tilde D^{-1}\tilde A$, not of $\hat A$": sp.Integer(1),
    },
)
REFS = (Ref.cite("kipf2017", where="Sec. 2, Eq. (2) and the renormalization trick"),)


# -- how it is derived -----------------------------------------------------------------------------
def _rows(d: Derivation) -> None:
    for label, form, loops in (
        ("lambda <= 1", ROW_MINUS, r"$\tilde d_iy_i - y_i = \sum_j w_{ij}y_i$: the self-loop cancels"),
        ("row of D~ + A~", ROW_PLUS, r"$\tilde d_iy_i + y_i = \sum_j w_{ij}y_i + 2y_i$: the self-loop counts twice"),
    ):
        d.begin(statement_lhs(d, label), r"$\tilde d_i = 1 + \sum_k w_{ik}$, $\tilde A = W + I$")
        d.then(lambda e: collapse(value_of(e)), r"the Kronecker deltas collapse the sum")
        d.then(form, loops + "; one sum over the neighbours")
        d.conclude(label)


def derivation(d: Derivation) -> None:
    r"""A GCN layer computes $H' = \sigma(\hat A H W)$ with $\hat A = \tilde D^{-1/2}(A + I)\tilde D^{-1/2}$, the
    weight matrix with self-loops, normalised by the degrees $\tilde d_i = 1 + \sum_j w_{ij}$. Kipf and Welling's
    ``renormalization trick'' keeps the spectrum of $\hat A$ in $(-1, 1]$, so stacking layers neither explodes
    nor oscillates, and the product is message passing: each node averages its neighbours' transformed
    features. Below, an undirected graph on any number $n$ of nodes with symbolic weights $w_{ij} = w_{ji} \ge 0$,
    in index notation."""
    d.begin(
        statement_lhs(d, "eigenvector"), r"$\hat A_{ij}\sqrt{\tilde d_j} = (w_{ij} + \delta_{ij})/\sqrt{\tilde d_i}$"
    )
    d.then(lambda e: collapse(value_of(e)), r"the Kronecker delta collapses the sum")
    d.then(
        (1 + sp.Sum(wI[i, j], (j, 1, n))) / sp.sqrt(d_tilde(i)),
        r"one fraction: $(\sum_j w_{ij} + 1)/\sqrt{\tilde d_i}$",
    )
    d.then(sp.sqrt(d_tilde(i)), r"$\sum_j w_{ij} + 1 = \tilde d_i$: $\tilde d_i/\sqrt{\tilde d_i} = \sqrt{\tilde d_i}$")
    d.conclude("eigenvector")

    d.begin(
        statement_lhs(d, "symmetric"), r"$\hat A_{ji} = (w_{ji} + \delta_{ji})/(\sqrt{\tilde d_j}\sqrt{\tilde d_i})$"
    )
    d.assume(
        SYMMETRIC_W, lambda e: SYMMETRIC_W.rewrite(value_of(e)), r"$w_{ji} = w_{ij}$ and $\delta_{ji} = \delta_{ij}$"
    )
    d.conclude("symmetric")

    _rows(d)

    d.begin(statement_lhs(d, "lambda > -1"), r"$\sum_i y_i((\tilde D + \tilde A)\mathbf{y})_i$, the row above")
    edge_form_steps(d, yI, 1, 2 * NORM_SQ)
    d.bound(2 * NORM_SQ, r"drop the nonnegative sum over edges", relation=">=")
    d.note(
        r"With $\mathbf{y} = \tilde D^{-1/2}\mathbf{v}$ for an eigenvector $\hat A\mathbf{v} = \lambda\mathbf{v}$: "
        r"$(1 - \lambda)\lVert\mathbf{v}\rVert^2 = \mathbf{y}^\top(\tilde D - \tilde A)\mathbf{y} \ge 0$ and "
        r"$(1 + \lambda)\lVert\mathbf{v}\rVert^2 = \mathbf{y}^\top(\tilde D + \tilde A)\mathbf{y} \ge "
        r"2\lVert\mathbf{y}\rVert^2 > 0$, so $-1 < \lambda \le 1$, for any $n$."
    )
    d.conclude("lambda > -1")

    d.begin(statement_lhs(d, "message passing"), r"aggregate, then transform: $\sum_l(PH)_{il}W_{lc}$")
    d.assume(
        SUM_EXCHANGE,
        lambda e: SUM_EXCHANGE.rewrite(value_of(e)),
        r"exchange the sums: transform first, $(HW)_{jc}$, then sum the "
        r"messages $P_{ij}(HW)_{jc}$",
    )
    d.conclude("message passing")


# -- how it is checked -----------------------------------------------------------------------------
def crosscheck(ctx: CheckContext) -> CrossCheckResult:
    """Random (weighted) graphs: numpy.linalg.eigvalsh of A_hat lies in (-1, 1] with top eigenvalue 1
    and eigenvector D~^{1/2} 1; a message-passing loop over nodes equals the matrix product A_hat H W."""
    lows, highs, resid, loops, prods = [], [], [], [], []
    for size in (5, 12, 30):
        for weighted in (False, True):
            adj = graph(size, p=0.3).sample(ctx.rng)
            if weighted:
                adj = adj * ctx.rng.uniform(0.1, 3.0, size=(size, size))
                adj = np.triu(adj, 1) + np.triu(adj, 1).T
            a_t = adj + np.eye(size)
            deg = a_t.sum(axis=1)
            a_hat = a_t / np.sqrt(np.outer(deg, deg))
            ev = np.linalg.eigvalsh(a_hat)
            lows.append(ev[0])
            highs.append(ev[-1])
            u = np.sqrt(deg)
            resid.append(np.max(np.abs(a_hat @ u - u)) / np.max(u))
            h, w = ctx.rng.normal(size=(size, 4)), ctx.rng.normal(size=(4, 3))
            hw = h @ w
            out = np.zeros((size, 3))
            for node in range(size):  # node i sums the messages A_hat[i, j] (H W)_j of its neighbours j
                for nb in np.flatnonzero(a_t[node]):
                    out[node] += a_hat[node, nb] * hw[nb]
            loops.append(out.ravel())
            prods.append((a_hat @ h @ w).ravel())
    return combine(
        ctx.bound(
            "-(smallest eigenvalue) < 1",
            "numpy.linalg.eigvalsh",
            -min(lows),
            1 - 1e-9,
            samples=len(lows),
            detail=f"smallest eigenvalue {min(lows):.4f}",
        ),
        ctx.compare(
            "largest eigenvalue = 1", "numpy.linalg.eigvalsh", np.array(highs), np.ones(len(highs)), rtol=1e-12
        ),
        ctx.bound("|A_hat u - u| / |u|", "numpy", max(resid), 1e-12, samples=len(resid)),
        ctx.compare(
            "message passing",
            "loop over nodes and neighbours",
            np.concatenate(loops),
            np.concatenate(prods),
            rtol=1e-12,
        ),
    )


# -- the declaration -------------------------------------------------------------------------------
GCN_PROPAGATION = declare(
    "gcn-propagation",
    title="The GCN propagation matrix and message passing",
    section="1.1",
    map_row=r"$H^{(l+1)} = \sigma(\hat{A} H^{(l)} W^{(l)})$, graph convolution (Kipf \& Welling, 2017)",
    variables={n: integer(1, 4), i: integer(1, n), j: integer(1, n), f_in: integer(1, 3), c: integer(1, 3)}
    | {wI: nonnegative(3), yI: SIGNAL, PI: real(-2, 2), HI: real(-2, 2), WI: real(-2, 2)},
    claim=CLAIM,
    also=(SYMMETRIC, AT_MOST_ONE, ROWS_PLUS, ABOVE_MINUS_ONE, MESSAGE_PASSING),
    derivation=derivation,
    crosscheck=crosscheck,
    question=QUESTION,
    refs=REFS,
    builds_on=("laplacian-spectrum",),
)
