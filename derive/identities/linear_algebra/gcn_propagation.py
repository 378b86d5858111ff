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
    nonnegative,
    notation,
    real,
    statement_lhs,
)
from derive.maths.matrices import entry_domains, symbol_matrix

from ._shared import SIGNAL, i, x3

IM = sp.ImmutableMatrix

# -- symbols ---------------------------------------------------------------------------------------
WEIGHT = nonnegative(3)
a12, a13, a23 = (WEIGHT.symbol(f"a{p}") for p in ("12", "13", "23"))
ADJ = sp.Matrix([[0, a12, a13], [a12, 0, a23], [a13, a23, 0]])
A_TILDE = ADJ + sp.eye(3)
DEGREES = [sum(A_TILDE.row(r)) for r in range(3)]
D_HALF_INV = sp.diag(*(1 / sp.sqrt(dg) for dg in DEGREES))
A_HAT = D_HALF_INV * A_TILDE * D_HALF_INV
U_ONE = sp.Matrix([sp.sqrt(dg) for dg in DEGREES])
FEATURE = real(-2, 2)
Pm, Hm, Wg = (
    symbol_matrix("P", 3, 3, FEATURE),
    symbol_matrix("H", 3, 2, FEATURE),
    symbol_matrix("W", 2, 2, FEATURE),
)
HW = Hm * Wg
MESSAGES = sp.Matrix.vstack(*(sum((Pm[r, c] * HW.row(c) for c in range(3)), sp.zeros(1, 2)) for r in range(3)))
dtI = sp.IndexedBase("dtilde", positive=True)


def _quadratic(mat: sp.Matrix, x: sp.Matrix) -> sp.Expr:
    return (x.T * mat * x)[0, 0]


Q_MINUS = _quadratic(sp.diag(*DEGREES) - A_TILDE, x3)
Q_PLUS = _quadratic(sp.diag(*DEGREES) + A_TILDE, x3)
NORM_SQ = _quadratic(sp.eye(3), x3)

# -- what is claimed -------------------------------------------------------------------------------
CLAIM = Statement(
    "eigenvector",
    Eq(notation(r"\hat A\,\tilde D^{1/2}\mathbf{1}", A_HAT * U_ONE, "A_hat D~^(1/2) 1"), U_ONE, evaluate=False),
    text=r"$\tilde D^{1/2}\mathbf{1}$ is an eigenvector of $\hat A$ with eigenvalue 1",
)
SYMMETRIC = Statement(
    "symmetric",
    Eq(
        notation(
            r"\hat A^\top",
            sp.Transpose(sp.MatMul(*map(IM, (D_HALF_INV, A_TILDE, D_HALF_INV)), evaluate=False)),
            "A_hat^T",
        ),
        notation(r"\hat A", A_HAT, "A_hat"),
        evaluate=False,
    ),
    text=r"$\hat A = \tilde D^{-1/2}(A + I)\tilde D^{-1/2}$ is symmetric",
)
AT_MOST_ONE = Statement(
    "lambda <= 1",
    Ge(notation(r"\mathbf{x}^\top(\tilde D - \tilde A)\,\mathbf{x}", Q_MINUS, "x^T (D~ - A~) x"), 0),
    text=r"$\mathbf{x}^\top(\tilde D - \tilde A)\mathbf{x} \ge 0$, so "
    r"$I - \hat A = \tilde D^{-1/2}(\tilde D - \tilde A)\tilde D^{-1/2}$ "
    r"is positive semidefinite: every eigenvalue $\lambda \le 1$",
)
ABOVE_MINUS_ONE = Statement(
    "lambda > -1",
    Ge(notation(r"\mathbf{x}^\top(\tilde D + \tilde A)\,\mathbf{x}", Q_PLUS, "x^T (D~ + A~) x"), 2 * NORM_SQ),
    text=r"$\mathbf{x}^\top(\tilde D + \tilde A)\mathbf{x} \ge 2\lVert\mathbf{x}\rVert^2$: the self-loops make "
    r"$I + \hat A$ positive definite, so every eigenvalue $\lambda > -1$",
)
MESSAGE_PASSING = Statement(
    "message passing",
    Eq(
        notation(r"(PH)W", (Pm * Hm) * Wg, "(P H) W"),
        notation(r"\Bigl[\textstyle\sum_j P_{ij}\,(HW)_{j,:}\Bigr]_i", MESSAGES, "[sum_j P_ij (HW)_j]_i"),
        evaluate=False,
    ),
    text=r"row $i$ of $\hat A H W$ is $\sum_j \hat A_{ij}(HW)_{j,:}$: node $i$ sums its neighbours' "
    r"transformed features (any propagation matrix $P$, in particular $P = \hat A$)",
)

# -- the homework question, and where the identity comes from --------------------------------------
QUESTION = Question(
    target=sp.sqrt(dtI[i]),
    prompt=r"Let $\hat A = \tilde D^{-1/2}(A + I)\tilde D^{-1/2}$ with $\tilde d_i = 1 + \sum_j A_{ij}$. "
    r"Give the $i$-th "
    r"entry of an eigenvector of $\hat A$ with eigenvalue 1.",
    forms=(U_ONE,),
    approximations={
        r"that is $\tilde D^{-1/2}\mathbf{1}$, the inverse square roots": 1 / sp.sqrt(dtI[i]),
        r"$\mathbf{1}$ is the eigenvector of $\tilde D^{-1}\tilde A$, not of $\hat A$": sp.Integer(1),
    },
)
REFS = (Ref.cite("kipf2017", where="Sec. 2, Eq. (2) and the renormalization trick"),)


# -- how it is derived -----------------------------------------------------------------------------
def derivation(d: Derivation) -> None:
    r"""A GCN layer computes $H' = \sigma(\hat A H W)$ with $\hat A = \tilde D^{-1/2}(A + I)\tilde D^{-1/2}$, the
    adjacency matrix with self-loops, normalised by the degrees $\tilde d_i = 1 + \sum_j A_{ij}$. Kipf and Welling's
    ``renormalization trick'' keeps the spectrum of $\hat A$ in $(-1, 1]$, so stacking layers neither explodes
    nor oscillates, and the product is message passing: each node averages its neighbours' transformed
    features. Below, a weighted graph on three nodes with symbolic weights $a_{ij} \ge 0$."""
    scope = "for a weighted graph on 3 nodes"
    d.begin(
        statement_lhs(d, "eigenvector"),
        r"$\hat A_{ij}\sqrt{\tilde d_j} = \tilde A_{ij}/\sqrt{\tilde d_i}$",
        scope=scope,
    )
    d.then(
        lambda e: e.doit().applyfunc(sp.cancel),
        r"$\sum_j \tilde A_{ij} = \tilde d_i$, so entry $i$ is $\tilde d_i/\sqrt{\tilde d_i}$",
    )
    d.then(U_ONE, r"$= \sqrt{\tilde d_i}$")
    d.conclude("eigenvector")

    d.begin(statement_lhs(d, "symmetric"), scope=scope)
    d.then(
        sp.MatMul(*map(IM, (D_HALF_INV.T, A_TILDE.T, D_HALF_INV.T)), evaluate=False),
        r"$(XYZ)^\top = Z^\top Y^\top X^\top$",
    )
    d.then(A_HAT, r"$\tilde D^{-1/2}$ is diagonal and $\tilde A = A + I$ is symmetric")
    d.conclude("symmetric")

    d.begin(statement_lhs(d, "lambda <= 1"), r"the quadratic form of $\tilde D - \tilde A$", scope=scope)
    d.then(lambda e: sp.expand(e.doit()), "expand; the self-loops cancel")
    d.then(
        a12 * (x3[0] - x3[1]) ** 2 + a13 * (x3[0] - x3[2]) ** 2 + a23 * (x3[1] - x3[2]) ** 2,
        r"complete the squares: $\sum_{i<j} a_{ij}(x_i - x_j)^2$",
    )
    d.bound(0, r"weights $a_{ij} \ge 0$ times squares", relation=">=")
    d.conclude("lambda <= 1")

    d.begin(statement_lhs(d, "lambda > -1"), r"the quadratic form of $\tilde D + \tilde A$", scope=scope)
    d.then(lambda e: sp.expand(e.doit()), "expand")
    d.then(
        a12 * (x3[0] + x3[1]) ** 2 + a13 * (x3[0] + x3[2]) ** 2 + a23 * (x3[1] + x3[2]) ** 2 + 2 * NORM_SQ,
        r"complete the squares: $\sum_{i<j} a_{ij}(x_i + x_j)^2 + 2\sum_i x_i^2$",
    )
    d.bound(2 * NORM_SQ, r"drop the nonnegative sum over edges", relation=">=")
    d.note(
        r"With $\mathbf{x} = \tilde D^{-1/2}\mathbf{v}$ for an eigenvector $\hat A\mathbf{v} = \lambda\mathbf{v}$: "
        r"$(1 - \lambda)\lVert\mathbf{v}\rVert^2 = \mathbf{x}^\top(\tilde D - \tilde A)\mathbf{x} \ge 0$ and "
        r"$(1 + \lambda)\lVert\mathbf{v}\rVert^2 = \mathbf{x}^\top(\tilde D + \tilde A)\mathbf{x} > 0$, "
        r"so $-1 < \lambda \le 1$."
    )
    d.conclude("lambda > -1")

    d.begin((Pm * Hm) * Wg, r"aggregate, then transform: $(PH)W$", scope="for 3 nodes, 2 features, 2 outputs")
    d.then(lambda e: sp.expand(e), "expand the products")
    d.then(MESSAGES, r"regroup by node $j$: transform first, $(HW)_{j,:}$, then sum the messages $P_{ij}(HW)_{j,:}$")
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
    variables={a12: WEIGHT, a13: WEIGHT, a23: WEIGHT}
    | entry_domains(x3, SIGNAL)
    | entry_domains([*Pm, *Hm, *Wg], FEATURE),
    claim=CLAIM,
    also=(SYMMETRIC, AT_MOST_ONE, ABOVE_MINUS_ONE, MESSAGE_PASSING),
    derivation=derivation,
    crosscheck=crosscheck,
    question=QUESTION,
    refs=REFS,
    builds_on=("laplacian-spectrum",),
)
