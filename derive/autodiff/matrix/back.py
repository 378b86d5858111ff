r"""The gradient in matrix notation: reverse-mode rules of matrix differential calculus.

For a scalar :math:`f` and a node :math:`Y` inside it, the adjoint :math:`G = \partial f/\partial Y`
(denominator layout: the shape of :math:`Y`) is passed down the tree by one rule per operation
(The Matrix Cookbook, sec. 2; Giles (2008), Collected matrix derivative results for forward and
reverse mode algorithmic differentiation):

==========================  ==========================================================
:math:`Y = AB`              :math:`\bar A = G B^\top,\ \bar B = A^\top G`
:math:`Y = cA` (scalar c)    :math:`\bar A = cG,\ \bar c = \sum_{ij} G_{ij} A_{ij}`
:math:`Y = A^\top`          :math:`\bar A = G^\top`
:math:`Y = f(A)` entrywise  :math:`\bar A = G \odot f'(A)`
:math:`y = \operatorname{tr} A`  :math:`\bar A = g I`
:math:`y = \det A`          :math:`\bar A = g \det(A) A^{-\top}`
:math:`Y = A^{-1}`          :math:`\bar A = -A^{-\top} G A^{-\top}`
:math:`y = \lVert A\rVert`  :math:`\bar A = g A / \lVert A\rVert` (:math:`\lVert A\rVert^2`: :math:`2gA`)
:math:`y = \operatorname{lse}(v)`  :math:`\bar v = g\,\mathrm{softmax}(v)`
:math:`s = \mathrm{softmax}(v)`  :math:`\bar v = s \odot G - (s^\top G)\, s`
==========================  ==========================================================

The result is a candidate: :mod:`.api` proves it equal, entry by entry in index notation, to the
entrywise derivative, and checks it against finite differences; it is returned as the matrix
form only then.
"""

from __future__ import annotations

from collections.abc import Callable

import sympy as sp

from .nodes import (
    Node,
    add,
    call,
    epower,
    eye,
    hadamard,
    matmul,
    neg,
    number,
    ones,
    power,
    scale,
    transpose,
)


def _derivative(op: str, a: Node) -> Node:
    """:math:`f'(A)` entrywise, for the elementwise function ``op``."""
    f = call(op, [a])
    one = ones(a.shape)
    rules: dict[str, Callable[[], Node]] = {
        "exp": lambda: f,
        "log": lambda: epower(a, sp.Integer(-1)),
        "tanh": lambda: add(one, neg(epower(f, sp.Integer(2)))),
        "sigmoid": lambda: hadamard(f, add(one, neg(f))),
        "softplus": lambda: call("sigmoid", [a]),
        "relu": lambda: call("step", [a]),
        "sqrt": lambda: scale(number(sp.Rational(1, 2)), epower(f, sp.Integer(-1))),
        "sin": lambda: call("cos", [a]),
        "cos": lambda: neg(call("sin", [a])),
    }
    if op not in rules:
        raise NotImplementedError(f"no derivative rule for {op}")
    return rules[op]()


def _times(g: Node, a: Node) -> Node:
    """:math:`G \\odot A` (a scaling when either is a scalar)."""
    return hadamard(g, a)


def _inner(g: Node, a: Node) -> Node:
    """:math:`\\sum_{ij} G_{ij} A_{ij}` (a product of scalars; ``sum(A)`` when G is all ones)."""
    if a.scalar:
        return scale(g, a)
    return call("sum", [hadamard(g, a)])


class Backward:
    """Accumulates :math:`\\partial f/\\partial X` for the variable named ``wrt``."""

    def __init__(self, wrt: str) -> None:
        self.wrt = wrt
        self.parts: list[Node] = []

    def run(self, f: Node) -> Node:
        self.push(f, number(1))
        return add(*self.parts) if self.parts else number(0)

    def push(self, y: Node, g: Node) -> None:
        """Pass the adjoint ``g`` of ``y`` to its operands."""
        if not y.depends(self.wrt):
            return
        if y.op == "sym":
            self.parts.append(g)
            return
        handler = getattr(self, f"_{y.op}", None)
        if handler is None:
            a = y.args[0]
            self.push(a, _times(g, _derivative(y.op, a)))
            return
        handler(y, g)

    def _add(self, y: Node, g: Node) -> None:
        for t in y.args:
            self.push(t, g)

    def _neg(self, y: Node, g: Node) -> None:
        self.push(y.args[0], neg(g))

    def _scale(self, y: Node, g: Node) -> None:
        c, a = y.args
        self.push(a, scale(c, g))
        self.push(c, _inner(g, a))

    def _matmul(self, y: Node, g: Node) -> None:
        a, b = y.args
        self.push(a, matmul(g, transpose(b)))
        self.push(b, matmul(transpose(a), g))

    def _T(self, y: Node, g: Node) -> None:
        self.push(y.args[0], transpose(g))

    def _pow(self, y: Node, g: Node) -> None:
        a, p = y.args[0], y.value
        assert p is not None
        if a.op == "norm" and p == 2:  # ||A||^2 = sum of squares: 2 g A
            self.push(a.args[0], scale(number(2), scale(g, a.args[0])))
            return
        self.push(a, scale(g, scale(number(p), power(a, p - 1))))

    def _epow(self, y: Node, g: Node) -> None:
        a, p = y.args[0], y.value
        assert p is not None
        self.push(a, hadamard(g, scale(number(p), epower(a, p - 1))))

    def _had(self, y: Node, g: Node) -> None:
        a, b = y.args
        self.push(a, hadamard(g, b))
        self.push(b, hadamard(g, a))

    def _sum(self, y: Node, g: Node) -> None:
        a = y.args[0]
        self.push(a, scale(g, ones(a.shape)))

    def _trace(self, y: Node, g: Node) -> None:
        a = y.args[0]
        self.push(a, scale(g, eye(a.shape[0])))

    def _det(self, y: Node, g: Node) -> None:
        a = y.args[0]
        self.push(a, scale(g, scale(y, transpose(call("inv", [a])))))

    def _inv(self, y: Node, g: Node) -> None:
        a = y.args[0]
        inv_t = transpose(y)
        self.push(a, neg(matmul(inv_t, matmul(g, inv_t))))

    def _norm(self, y: Node, g: Node) -> None:
        a = y.args[0]
        self.push(a, scale(g, scale(power(y, sp.Integer(-1)), a)))

    def _logsumexp(self, y: Node, g: Node) -> None:
        a = y.args[0]
        self.push(a, scale(g, call("softmax", [a])))

    def _softmax(self, y: Node, g: Node) -> None:
        a = y.args[0]
        self.push(a, add(hadamard(y, g), neg(scale(matmul(transpose(y), g), y))))

    def _diagm(self, y: Node, g: Node) -> None:
        self.push(y.args[0], call("diag", [g]))

    def _diagv(self, y: Node, g: Node) -> None:
        self.push(y.args[0], call("diag", [g]))


def gradient_node(f: Node, wrt: str) -> Node:
    """:math:`\\partial f/\\partial X` in matrix notation, denominator layout (the shape of X)."""
    if not f.scalar:
        raise ValueError("the gradient needs a scalar expression")
    return Backward(wrt).run(f)
