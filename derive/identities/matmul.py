r"""1.1 Matrix multiplication: the dense layer, attention and graph convolution, forward and backward.

Every identity here is derived on explicit symbolic matrices of a small stated size (so the sheet
says "fixed-size"), with the entries' calculus done by SymPy; the cross-checks repeat the statement
at larger random sizes in numpy, against central finite differences of the *definition* or a loop
implementation, never against the derived formula.
"""

from __future__ import annotations

import numpy as np
import sympy as sp
from sympy import Eq

from ..derivation import Derivation
from ..identity import Question, Ref, Statement, identity
from ..moves.matrices import backprop_form, entry_domains, notation, symbol_matrix, symbol_vector
from ..numeric.crosscheck import CheckContext, CrossCheckResult, combine
from ..numeric.domains import real
from ..numeric.matrices import gradient_fd

# ---------------------------------------------------------------------------------------- dense layer
ENTRY = real(-3, 3)
W = symbol_matrix("W", 2, 2, ENTRY)
xv = symbol_vector("x", 2, ENTRY)
bv = symbol_vector("b", 2, ENTRY)
delta = symbol_vector("delta", 2, ENTRY)
Y = W * xv + bv

iD, jD = sp.symbols("i j", integer=True, positive=True)
nD = sp.Symbol("n", integer=True, positive=True)
deltaI, xI = sp.IndexedBase("delta", real=True), sp.IndexedBase("x", real=True)


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


def _dense_check(ctx: CheckContext) -> CrossCheckResult:
    """L = 1/2 ||W x + b - t||^2 at random sizes: central differences in W, b, x against
    delta x^T, delta, W^T delta with delta = y - t; and the derived 2x2 form entry by entry."""
    results = []
    for m, n in ((5, 7), (3, 2), (8, 4)):
        w, x, b, t = (ctx.rng.normal(size=s) for s in ((m, n), n, m, m))
        dlt = w @ x + b - t
        fd = np.concatenate([g.ravel() for g in _dense_fd(w, x, b, t)])
        got = np.concatenate([np.outer(dlt, x).ravel(), dlt, w.T @ dlt])
        results.append(ctx.compare(f"{m}x{n} layer", "central differences", got, fd, rtol=1e-6))
    # the derived symbolic dL/dW (2x2), evaluated at random entries with delta = y - t
    f = sp.lambdify([*W, *xv, *bv, *delta], ctx.result, "numpy")
    got, want = [], []
    for _ in range(20):
        w, x, b, t = ctx.rng.normal(size=(2, 2)), ctx.rng.normal(size=2), ctx.rng.normal(size=2), ctx.rng.normal(size=2)
        got.append(np.asarray(f(*w.ravel(), *x, *b, *(w @ x + b - t)), dtype=float))
        want.append(_dense_fd(w, x, b, t)[0])
    results.append(ctx.compare("derived 2x2 dL/dW", "central differences", np.array(got), np.array(want), rtol=1e-6))
    return combine(*results)


@identity(
    "dense-backprop",
    title="Backpropagation through a dense layer",
    section="1.1",
    map_row=r"$\mathbf{y} = W\mathbf{x} + \mathbf{b}$: the fully-connected layer, forward pass of every dense layer",
    variables=entry_domains([*W, *xv, *bv, *delta], ENTRY),
    claim=Statement(
        "dL/dW",
        Eq(
            notation(r"\frac{\partial L}{\partial W}", backprop_form(delta, Y, W), "dL/dW"),
            delta * xv.T,
            evaluate=False,
        ),
        text=r"$\partial L/\partial W = \boldsymbol\delta\,\mathbf{x}^\top$",
    ),
    also=[
        Statement(
            "dL/db",
            Eq(
                notation(r"\frac{\partial L}{\partial \mathbf{b}}", backprop_form(delta, Y, bv), "dL/db"),
                delta,
                evaluate=False,
            ),
            text=r"$\partial L/\partial \mathbf{b} = \boldsymbol\delta$",
        ),
        Statement(
            "dL/dx",
            Eq(
                notation(r"\frac{\partial L}{\partial \mathbf{x}}", backprop_form(delta, Y, xv), "dL/dx"),
                W.T * delta,
                evaluate=False,
            ),
            text=r"$\partial L/\partial\mathbf{x} = W^\top\boldsymbol\delta$",
        ),
    ],
    crosscheck=_dense_check,
    question=Question(
        target=deltaI[iD] * xI[jD],
        prompt=r"For $\mathbf{y} = W\mathbf{x} + \mathbf{b}$ and an upstream gradient $\boldsymbol\delta = "
        r"\partial L/\partial\mathbf{y}$, give $\partial L/\partial W_{ij}$.",
        forms=(delta * xv.T,),
        approximations={
            r"transposed: this is $(\mathbf{x}\boldsymbol\delta^\top)_{ij}$, the shape of $W^\top$": xI[iD] * deltaI[jD]
        },
    ),
    refs=(
        Ref.book(
            "D. E. Rumelhart, G. E. Hinton and R. J. Williams, Learning representations by back-propagating errors, "
            "Nature 323, 1986"
        ),
        Ref.book("I. Goodfellow, Y. Bengio and A. Courville (2016), Deep Learning", "Sec. 6.5"),
    ),
)
def dense_backprop(d: Derivation) -> None:
    r"""A dense layer computes $\mathbf{y} = W\mathbf{x} + \mathbf{b}$, i.e. $y_k = \sum_j W_{kj}x_j + b_k$.
    Given the upstream gradient $\boldsymbol\delta = \partial L/\partial\mathbf{y}$ of any loss $L(\mathbf{y})$,
    the chain rule $\partial L/\partial\theta = \sum_k \delta_k\,\partial y_k/\partial\theta$ gives the three
    gradients that every backward pass computes: the outer product $\boldsymbol\delta\mathbf{x}^\top$ for
    the weights, $\boldsymbol\delta$ for the bias, and $W^\top\boldsymbol\delta$ passed to the layer below."""
    scope = "for a 2 x 2 layer; other sizes in the cross-check"
    d.begin(
        backprop_form(delta, Y, W),
        r"chain rule: $\partial L/\partial W_{ij} = \sum_k \delta_k\,\partial y_k/\partial W_{ij}$",
        scope=scope,
    )
    d.then(lambda e: e.doit(), r"$\partial y_k/\partial W_{ij} = [k = i]\,x_j$: only $y_i$ depends on $W_{ij}$")
    d.then(delta * xv.T, r"the outer product $\boldsymbol\delta\mathbf{x}^\top$")
    d.conclude("dL/dW")

    d.begin(backprop_form(delta, Y, bv), r"chain rule through $y_k = \dots + b_k$", scope=scope)
    d.then(lambda e: e.doit(), r"$\partial y_k/\partial b_i = [k = i]$")
    d.conclude("dL/db")

    d.begin(
        backprop_form(delta, Y, xv),
        r"chain rule: $\partial L/\partial x_j = \sum_k \delta_k\,\partial y_k/\partial x_j$",
        scope=scope,
    )
    d.then(lambda e: e.doit(), r"$\partial y_k/\partial x_j = W_{kj}$")
    d.then(W.T * delta, r"$\sum_k W_{kj}\delta_k = (W^\top\boldsymbol\delta)_j$")
    d.conclude("dL/dx")
