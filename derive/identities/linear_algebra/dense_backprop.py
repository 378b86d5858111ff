r"""Backpropagation through a dense layer.

A dense layer computes $\mathbf{y} = W\mathbf{x} + \mathbf{b}$; given the upstream gradient
$\boldsymbol\delta = \partial L/\partial\mathbf{y}$, the chain rule gives $\partial L/\partial W =
\boldsymbol\delta\mathbf{x}^\top$, $\partial L/\partial\mathbf{b} = \boldsymbol\delta$ and
$\partial L/\partial\mathbf{x} = W^\top\boldsymbol\delta$, derived here for any $m\times n$ layer: the backward
pass of every fully-connected layer (map 1.1, matrix multiplication). Rumelhart, Hinton and Williams (1986);
Goodfellow, Bengio and Courville (2016), Deep Learning, Sec. 6.5.
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
    integer,
    notation,
    real,
)
from derive.maths.matrices import backprop_form, entry_domains, symbol_matrix, symbol_vector
from derive.numeric.linalg import gradient_fd

from ._shared import ell, i, j, k, m, n

# -- symbols ---------------------------------------------------------------------------------------
ENTRY = real(-3, 3)
W = symbol_matrix("W", 2, 2, ENTRY)
xv = symbol_vector("x", 2, ENTRY)
bv = symbol_vector("b", 2, ENTRY)
delta = symbol_vector("delta", 2, ENTRY)
Y = W * xv + bv

deltaI, xI = sp.IndexedBase("delta", real=True), sp.IndexedBase("x", real=True)
WI, bI = sp.IndexedBase("W", real=True), sp.IndexedBase("b", real=True)
#: the layer for any m x n: y_k = sum_l W_kl x_l + b_k, and the chain rule sum_k delta_k dy_k/d(.)
Y_K = sp.Sum(WI[k, ell] * xI[ell], (ell, 1, n)) + bI[k]


def _chain_rule(wrt: sp.Basic) -> sp.Sum:
    r""":math:`\sum_{k=1}^m \delta_k\,\partial y_k/\partial(\text{wrt})`, unevaluated."""
    return sp.Sum(deltaI[k] * sp.Derivative(Y_K, wrt), (k, 1, m))


DW_IJ = notation(r"\frac{\partial L}{\partial W_{ij}}", _chain_rule(WI[i, j]), "dL/dW_ij")
DB_I = notation(r"\frac{\partial L}{\partial b_i}", _chain_rule(bI[i]), "dL/db_i")
DX_J = notation(r"\frac{\partial L}{\partial x_j}", _chain_rule(xI[j]), "dL/dx_j")
WT_DELTA_J = sp.Sum(WI[k, j] * deltaI[k], (k, 1, m))  # (W^T delta)_j

# -- what is claimed -------------------------------------------------------------------------------
CLAIM = Statement(
    "dL/dW",
    Eq(DW_IJ, deltaI[i] * xI[j], evaluate=False),
    text=r"$\partial L/\partial W = \boldsymbol\delta\,\mathbf{x}^\top$: entry $(i, j)$ is $\delta_i x_j$, for "
    r"any $m\times n$ layer",
)
DL_DB = Statement(
    "dL/db",
    Eq(DB_I, deltaI[i], evaluate=False),
    text=r"$\partial L/\partial \mathbf{b} = \boldsymbol\delta$",
)
DL_DX = Statement(
    "dL/dx",
    Eq(DX_J, WT_DELTA_J, evaluate=False),
    text=r"$\partial L/\partial\mathbf{x} = W^\top\boldsymbol\delta$: entry $j$ is $\sum_k W_{kj}\delta_k$",
)

# -- the homework question, and where the identity comes from --------------------------------------
QUESTION = Question(
    target=deltaI[i] * xI[j],
    prompt=r"For $\mathbf{y} = W\mathbf{x} + \mathbf{b}$ and an upstream gradient $\boldsymbol\delta = "
    r"\partial L/\partial\mathbf{y}$, give $\partial L/\partial W_{ij}$.",
    forms=(delta * xv.T,),
    approximations={
        r"transposed: this is $(\mathbf{x}\boldsymbol\delta^\top)_{ij}$, the shape of $W^\top$": xI[i] * deltaI[j]
    },
)
REFS = (
    Ref.cite("rumelhart1986"),
    Ref.cite("goodfellow2016", where="Sec. 6.5"),
)


# -- how it is derived -----------------------------------------------------------------------------
def derivation(d: Derivation) -> None:
    r"""A dense layer computes $\mathbf{y} = W\mathbf{x} + \mathbf{b}$, i.e. $y_k = \sum_j W_{kj}x_j + b_k$.
    Given the upstream gradient $\boldsymbol\delta = \partial L/\partial\mathbf{y}$ of any loss $L(\mathbf{y})$,
    the chain rule $\partial L/\partial\theta = \sum_k \delta_k\,\partial y_k/\partial\theta$ gives the three
    gradients that every backward pass computes: the outer product $\boldsymbol\delta\mathbf{x}^\top$ for
    the weights, $\boldsymbol\delta$ for the bias, and $W^\top\boldsymbol\delta$ passed to the layer below."""
    for label, lhs, rhs, rule, where in (
        (
            "dL/dW",
            DW_IJ,
            deltaI[i] * xI[j],
            r"$\partial y_k/\partial W_{ij} = \delta_{ki}\,x_j$",
            "$i \\le m$, $j \\le n$",
        ),
        ("dL/db", DB_I, deltaI[i], r"$\partial y_k/\partial b_i = \delta_{ki}$", r"$i \le m$"),
        (
            "dL/dx",
            DX_J,
            WT_DELTA_J,
            r"$\partial y_k/\partial x_j = W_{kj}$",
            r"$j \le n$: $(W^\top\boldsymbol\delta)_j$",
        ),
    ):
        d.begin(lhs)
        d.then(lambda e: e.doit(deep=False), r"chain rule through $y_k = \sum_l W_{kl}x_l + b_k$")
        d.then(lambda e: e.doit(), rule + r"; the sums over $k$ and $l$ with a Kronecker delta collapse")
        d.then(rhs, r"the indices lie in their ranges: " + where)
        d.conclude(label)

    d.begin(
        notation(r"\frac{\partial L}{\partial W}", backprop_form(delta, Y, W), "dL/dW"),
        r"the same chain rule, entry by entry",
        scope="for a 2 x 2 layer",
        title="Worked example: the matrix form",
    )
    d.then(lambda e: e.doit(), r"$\partial y_k/\partial W_{ij} = [k = i]\,x_j$: only $y_i$ depends on $W_{ij}$")
    d.then(notation(r"\boldsymbol\delta\,\mathbf{x}^\top", delta * xv.T, "delta x^T"), r"the outer product")
    d.keep("dL/dW 2x2", delta * xv.T)
    d.finish()


# -- how it is checked -----------------------------------------------------------------------------
def _half_squared_error(w: np.ndarray, x: np.ndarray, b: np.ndarray, t: np.ndarray) -> float:
    """The loss of the check, L = 1/2 ||W x + b - t||^2, from its definition."""
    return 0.5 * float(np.sum((w @ x + b - t) ** 2))


def _dense_fd(w: np.ndarray, x: np.ndarray, b: np.ndarray, t: np.ndarray) -> tuple[np.ndarray, ...]:
    """Central differences of the loss in W, b and x."""
    return (
        gradient_fd(lambda a: _half_squared_error(a, x, b, t), w),
        gradient_fd(lambda a: _half_squared_error(w, x, a, t), b),
        gradient_fd(lambda a: _half_squared_error(w, a, b, t), x),
    )


def crosscheck(ctx: CheckContext) -> CrossCheckResult:
    """L = 1/2 ||W x + b - t||^2 at random sizes: central differences in W, b, x against
    delta x^T, delta, W^T delta with delta = y - t; and the derived index form of dL/dW_ij entry by entry."""
    results = []
    for rows, cols in ((5, 7), (3, 2), (8, 4)):
        w, x, b, t = (ctx.rng.normal(size=s) for s in ((rows, cols), cols, rows, rows))
        dlt = w @ x + b - t
        fd = np.concatenate([g.ravel() for g in _dense_fd(w, x, b, t)])
        got = np.concatenate([np.outer(dlt, x).ravel(), dlt, w.T @ dlt])
        results.append(ctx.compare(f"{rows}x{cols} layer", "central differences", got, fd, rtol=1e-6))
    # the derived index form of dL/dW_ij, evaluated entry by entry at a random 3x2 layer with delta = y - t
    assert ctx.result is not None
    for _ in range(5):
        w, x, b, t = ctx.rng.normal(size=(3, 2)), ctx.rng.normal(size=2), ctx.rng.normal(size=3), ctx.rng.normal(size=3)
        dlt = w @ x + b - t
        values = {**{deltaI[p + 1]: dlt[p] for p in range(3)}, **{xI[p + 1]: x[p] for p in range(2)}}
        entries = [[ctx.result.xreplace({i: r + 1, j: c + 1}).xreplace(values) for c in range(2)] for r in range(3)]
        # an entry naming an index out of range (a wrong formula) is not a number: NaN, which fails
        got_ij = [[float(v) if v.is_number else np.nan for v in row] for row in entries]
        results.append(
            ctx.compare(
                "derived dL/dW_ij, 3x2", "central differences", np.array(got_ij), _dense_fd(w, x, b, t)[0], rtol=1e-6
            )
        )
    return combine(*results)


# -- the declaration -------------------------------------------------------------------------------
DENSE_BACKPROP = declare(
    "dense-backprop",
    title="Backpropagation through a dense layer",
    section="1.1",
    map_row=r"$\mathbf{y} = W\mathbf{x} + \mathbf{b}$: the fully-connected layer, forward pass of every dense layer",
    variables=entry_domains([*W, *xv, *bv, *delta], ENTRY)
    | {
        m: integer(1, 6),
        n: integer(1, 6),
        i: integer(1, m),
        j: integer(1, n),
        WI: ENTRY,
        bI: ENTRY,
        xI: ENTRY,
        deltaI: ENTRY,
    },
    claim=CLAIM,
    also=(DL_DB, DL_DX),
    derivation=derivation,
    crosscheck=crosscheck,
    question=QUESTION,
    refs=REFS,
)
