r"""Matrix expressions with symbolic sizes: one frozen node type, built only through checked constructors.

Every node knows its shape ``(rows, cols)`` (SymPy size expressions: positive integer symbols such
as :math:`m, n`, or 1); a vector is an :math:`n \times 1` column and a scalar is :math:`1 \times 1`.
The constructors (:func:`matmul`, :func:`add`, :func:`call`...) refuse ill-shaped input with a
:class:`MatrixExpressionError` that names both shapes, and simplify only by exact rules of matrix
algebra (:math:`(A^\top)^\top = A`, :math:`I A = A`, :math:`1 \cdot A = A`, scalars pulled out of
products, :math:`(AB)^\top = B^\top A^\top`). :func:`show` prints a node in the reader's notation
(``2*A.T*(A*x - b)``; ``.*`` and ``.^`` elementwise), :func:`latex` in LaTeX.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import sympy as sp

from ...errors import DeriveError

Shape = tuple[sp.Expr, sp.Expr]
SCALAR: Shape = (sp.S.One, sp.S.One)

#: elementwise functions a reader may apply (``step`` is the derivative of ``relu``)
ELEMENTWISE = ("exp", "log", "tanh", "sigmoid", "softplus", "relu", "sqrt", "sin", "cos", "step")
#: the other functions, with their arity
FUNCTIONS = {
    "inv": 1,
    "det": 1,
    "trace": 1,
    "norm": 1,
    "sum": 1,
    "softmax": 1,
    "logsumexp": 1,
    "diag": 1,
}


class MatrixExpressionError(DeriveError, ValueError):
    """A matrix expression that cannot be read: a syntax error, an unknown name, shapes that do not
    fit, or input beyond the size limits."""


@dataclass(frozen=True, repr=False)
class Node:
    """One node: ``op`` (``sym``, ``num``, ``add``, ``neg``, ``matmul``, ``scale``, ``pow``, ``T``,
    ``had``, ``epow``, ``ones``, ``eye``, ``diagm``, ``diagv``, an elementwise function name, or a
    name of :data:`FUNCTIONS`), its operands, a ``name`` (symbols), a ``value`` (numbers and
    exponents) and its ``shape``."""

    op: str
    args: tuple[Node, ...] = ()
    name: str = ""
    value: sp.Rational | None = None
    shape: Shape = SCALAR

    @property
    def scalar(self) -> bool:
        return self.shape == SCALAR

    @property
    def square(self) -> bool:
        return self.shape[0] == self.shape[1]

    @property
    def exponent(self) -> sp.Rational:
        """The number of a ``num`` node, the exponent of a ``pow``/``epow`` node."""
        if self.value is None:
            raise TypeError(f"{self.op} node has no number")
        return self.value

    def depends(self, name: str) -> bool:
        """True if the symbol ``name`` occurs in this node."""
        return (self.op == "sym" and self.name == name) or any(a.depends(name) for a in self.args)

    def __str__(self) -> str:
        return show(self)

    def __repr__(self) -> str:
        return show(self)

    def latex(self) -> str:
        return latex(self)


def _size(s: Shape) -> str:
    return "scalar" if s == SCALAR else f"{s[0]} x {s[1]}"


def fail(message: str) -> MatrixExpressionError:
    return MatrixExpressionError(message)


# ------------------------------------------------------------------------------ constructors
def symbol(name: str, shape: Shape) -> Node:
    return Node("sym", name=name, shape=shape)


def number(value: sp.Rational | int) -> Node:
    return Node("num", value=sp.Rational(value))


def size(name: str) -> Node:
    """A size (``n``) used as a scalar, as in a mean ``sum(x)/n``."""
    return Node("size", name=name)


def ones(shape: Shape) -> Node:
    return number(1) if shape == SCALAR else Node("ones", shape=shape)


def eye(n: sp.Expr) -> Node:
    return number(1) if n == 1 else Node("eye", shape=(n, n))


def _is_num(a: Node, value: int | None = None) -> bool:
    return a.op == "num" and (value is None or a.value == value)


def neg(a: Node) -> Node:
    if a.op == "neg":
        return a.args[0]
    if a.op == "num":
        return number(-a.exponent)
    if a.op == "scale" and _is_num(a.args[0]):
        return scale(neg(a.args[0]), a.args[1])
    return Node("neg", (a,), shape=a.shape)


def add(*terms: Node) -> Node:
    flat: list[Node] = []
    for t in terms:
        flat.extend(t.args if t.op == "add" else (t,))
    flat = _like_terms([t for t in flat if not _is_num(t, 0)])
    shapes = {t.shape for t in flat}
    if len(shapes) > 1:
        raise fail("cannot add terms of shapes " + " and ".join(sorted(map(_size, shapes))))
    if not flat:
        return number(0)
    return flat[0] if len(flat) == 1 else Node("add", tuple(flat), shape=flat[0].shape)


def scale(c: Node, a: Node) -> Node:
    """The scalar ``c`` times ``a`` (numbers merged and put first)."""
    if not c.scalar:
        raise fail(f"cannot scale by a {_size(c.shape)} matrix")
    if a.scalar and c.op != "num" and a.op == "num":
        c, a = a, c
    if _is_num(c, 1):
        return a
    if _is_num(c, -1) and a.op != "num":
        return neg(a)
    if _is_num(c, 0) or _is_num(a, 0):
        return number(0)
    if c.op == "num" and a.op == "num":
        return number(c.exponent * a.exponent)
    if a.op == "neg":
        return scale(neg(c), a.args[0])
    if c.op == "neg":
        return neg(scale(c.args[0], a))
    if a.op == "scale" and _reciprocal(c, a.args[0]):
        return a.args[1]
    if a.op == "scale" and c.op == "num" and _is_num(a.args[0]):
        return scale(number(c.exponent * a.args[0].exponent), a.args[1])
    if a.op == "scale" and _is_num(a.args[0]) and not _is_num(c):
        return scale(a.args[0], scale(c, a.args[1]))
    return Node("scale", (c, a), shape=a.shape)


def _reciprocal(c: Node, d: Node) -> bool:
    """``c d = 1``: one is the other to the power -1."""
    return (d.op == "pow" and d.value == -1 and d.args[0] == c) or (c.op == "pow" and c.value == -1 and c.args[0] == d)


def _split(t: Node) -> tuple[sp.Rational, Node]:
    """A term as (number, the rest): ``-2*X`` is ``(-2, X)``."""
    if t.op == "neg":
        k, rest = _split(t.args[0])
        return -k, rest
    if t.op == "scale" and _is_num(t.args[0]):
        return t.args[0].value, t.args[1]
    return sp.Integer(1), t


def _like_terms(terms: list[Node]) -> list[Node]:
    """Equal terms collected: ``X + X`` is ``2*X``."""
    coefficients: dict[Node, sp.Rational] = {}
    for t in terms:
        k, rest = _split(t)
        coefficients[rest] = coefficients.get(rest, sp.Integer(0)) + k
    return [scale(number(k), rest) for rest, k in coefficients.items() if k != 0]


def matmul(a: Node, b: Node) -> Node:
    """The product ``a b``: a matrix product, or a scaling when either factor is a scalar."""
    if a.scalar:
        return scale(a, b)
    if b.scalar:
        return scale(b, a)
    if a.shape[1] != b.shape[0]:
        raise fail(f"cannot multiply a {_size(a.shape)} matrix by a {_size(b.shape)} one: the inner sizes differ")
    if a.op == "eye":
        return b
    if b.op == "eye":
        return a
    if a.op == "scale":
        return scale(a.args[0], matmul(a.args[1], b))
    if b.op == "scale":
        return scale(b.args[0], matmul(a, b.args[1]))
    if a.op == "neg":
        return neg(matmul(a.args[0], b))
    if b.op == "neg":
        return neg(matmul(a, b.args[0]))
    return Node("matmul", (a, b), shape=(a.shape[0], b.shape[1]))


def transpose(a: Node) -> Node:
    if a.scalar or a.op in ("eye", "num", "diagm"):  # diag(v) is symmetric
        return a
    if a.op == "T":
        return a.args[0]
    if a.op == "neg":
        return neg(transpose(a.args[0]))
    if a.op == "scale":
        return scale(a.args[0], transpose(a.args[1]))
    if a.op == "matmul":
        return matmul(transpose(a.args[1]), transpose(a.args[0]))
    if a.op == "ones":
        return ones((a.shape[1], a.shape[0]))
    return Node("T", (a,), shape=(a.shape[1], a.shape[0]))


def power(a: Node, p: sp.Rational) -> Node:
    """``a^p`` of a scalar; ``X^-1`` of a square matrix is its inverse."""
    if not a.scalar:
        if p == -1:
            return call("inv", [a])
        raise fail(f"a {_size(a.shape)} matrix can only be raised to ^T or ^-1, not ^{p}")
    if p == 1:
        return a
    if p == 0:
        return number(1)
    if a.op == "num":
        return number(a.value**p)
    if a.op == "pow":
        return power(a.args[0], a.value * p)
    return Node("pow", (a,), value=sp.Rational(p))


def hadamard(a: Node, b: Node) -> Node:
    if a.scalar or b.scalar:
        return scale(a, b) if a.scalar else scale(b, a)
    if a.shape != b.shape:
        raise fail(f"elementwise product of shapes {_size(a.shape)} and {_size(b.shape)}")
    if a.op == "ones":
        return b
    if b.op == "ones":
        return a
    if _inverse_pair(a, b):
        return ones(a.shape)
    if b.op == "had" and any(_inverse_pair(a, x) for x in b.args):  # a .* (c .* a.^-1) = c
        rest = [x for x in b.args if not _inverse_pair(a, x)]
        return rest[0] if len(rest) == 1 else hadamard(*rest)
    if a.op == "scale":
        return scale(a.args[0], hadamard(a.args[1], b))
    if b.op == "scale":
        return scale(b.args[0], hadamard(a, b.args[1]))
    return Node("had", (a, b), shape=a.shape)


def _inverse_pair(a: Node, b: Node) -> bool:
    return (a.op == "epow" and a.value == -1 and a.args[0] == b) or (
        b.op == "epow" and b.value == -1 and b.args[0] == a
    )


def epower(a: Node, p: sp.Rational) -> Node:
    """Elementwise power."""
    if a.scalar:
        return power(a, p)
    return a if p == 1 else Node("epow", (a,), value=sp.Rational(p), shape=a.shape)


def call(fname: str, args: Sequence[Node]) -> Node:
    """A function applied to its arguments, with the shape rules of each function."""
    if fname in ELEMENTWISE:
        if len(args) != 1:
            raise fail(f"{fname} takes one argument")
        return Node(fname, (args[0],), shape=args[0].shape)
    if FUNCTIONS.get(fname) != len(args):
        raise fail(f"{fname} takes {FUNCTIONS.get(fname, 1)} argument(s), not {len(args)}")
    (a,) = args
    if fname in ("inv", "det", "trace") and not a.square:
        raise fail(f"{fname} needs a square matrix, not a {_size(a.shape)} one")
    if fname in ("softmax", "logsumexp") and a.shape[1] != 1:
        raise fail(f"{fname} takes a column vector, not a {_size(a.shape)} matrix")
    if a.scalar and fname in ("trace", "sum", "diag"):
        return a
    if fname == "inv":
        return Node("inv", (a,), shape=a.shape)
    if fname == "diag":
        if a.shape[1] == 1:
            return Node("diagm", (a,), shape=(a.shape[0], a.shape[0]))
        if not a.square:
            raise fail(f"diag takes a vector or a square matrix, not a {_size(a.shape)} one")
        return Node("diagv", (a,), shape=(a.shape[0], sp.S.One))
    return Node(fname, (a,), shape=a.shape if fname == "softmax" else SCALAR)


# ------------------------------------------------------------------------------ printing
_ATOMS = ("sym", "size", "num", "ones", "eye", "inv", "det", "trace", "norm", "sum", "softmax", "logsumexp")


def show(a: Node) -> str:
    """The node in the reader's notation: ``*`` products, ``.T``, ``.*`` and ``.^`` elementwise."""
    op = a.op
    if op in ("sym", "size"):
        return a.name
    if op == "num":
        return str(a.value)
    if op == "ones":
        return f"ones({a.shape[0]}, {a.shape[1]})"
    if op == "eye":
        return "I"
    if op == "add":
        out = show(a.args[0])
        for t in a.args[1:]:
            out += f" - {_wrap(t.args[0], ('add',))}" if t.op == "neg" else f" + {show(t)}"
        return out
    if op == "neg":
        return "-" + _wrap(a.args[0], ("add",))
    if op == "matmul":
        return f"{_wrap(a.args[0], ('add', 'neg', 'had'))}*{_wrap(a.args[1], ('add', 'neg', 'had'))}"
    if op == "scale":
        c, x = a.args
        if c.op == "pow" and c.value is not None and c.value < 0:
            below = power(c.args[0], -c.value)
            return f"{_wrap(x, ('add', 'neg', 'had'))}/{_wrap(below, ('add', 'neg', 'scale', 'matmul'))}"
        return f"{_wrap(c, ('add', 'neg'))}*{_wrap(x, ('add', 'neg', 'had'))}"
    if op == "pow":
        return f"{_wrap(a.args[0], ('add', 'neg', 'scale', 'matmul', 'pow'))}^{_exponent(a.value)}"
    if op == "epow":
        return f"{_wrap(a.args[0], ('add', 'neg', 'scale', 'matmul', 'had'))}.^{_exponent(a.value)}"
    if op == "T":
        return f"{_wrap(a.args[0], tuple(o for o in _OPS if o not in _ATOMS))}.T"
    if op == "had":
        return f"{_wrap(a.args[0], ('add', 'neg'))} .* {_wrap(a.args[1], ('add', 'neg'))}"
    name = {"diagm": "diag", "diagv": "diag"}.get(op, op)
    return f"{name}({', '.join(show(x) for x in a.args)})"


_OPS = ("add", "neg", "matmul", "scale", "pow", "epow", "had", "T", *_ATOMS, *ELEMENTWISE, "diagm", "diagv")


def _exponent(p: sp.Rational | None) -> str:
    return str(p) if p is not None and p.q == 1 and p >= 0 else f"({p})"


def _wrap(a: Node, loose: tuple[str, ...]) -> str:
    text = show(a)
    tight = a.op == "num" and a.value is not None and a.value < 0
    return f"({text})" if a.op in loose or tight else text


def latex(a: Node) -> str:
    """The node in LaTeX (:math:`A^\\top`, :math:`\\odot`, :math:`\\operatorname{tr}`...)."""
    op, args = a.op, a.args
    if op in ("sym", "size"):
        return sp.latex(sp.Symbol(a.name))
    if op == "num":
        return sp.latex(a.value)
    if op == "ones":
        return r"\mathbf{1}"
    if op == "eye":
        return "I"
    if op == "add":
        out = latex(args[0])
        for t in args[1:]:
            out += f" - {_lwrap(t.args[0], ('add',))}" if t.op == "neg" else f" + {latex(t)}"
        return out
    if op == "neg":
        return "-" + _lwrap(args[0], ("add",))
    if op in ("matmul", "scale"):
        return " ".join(_lwrap(x, ("add", "neg", "had")) for x in args)
    if op in ("pow", "epow"):
        base = _lwrap(args[0], ("add", "neg", "scale", "matmul", "pow", "had", "epow", "T"))
        mark = "" if op == "pow" else r"\odot "
        return f"{base}^{{{mark}{sp.latex(a.value)}}}"
    if op == "T":
        return _lwrap(args[0], ("add", "neg", "scale", "matmul", "had", "epow", "T", "pow")) + r"^\top"
    if op == "inv":
        return _lwrap(args[0], ("add", "neg", "scale", "matmul", "had", "epow", "T")) + "^{-1}"
    if op == "had":
        return rf"{_lwrap(args[0], ('add', 'neg'))} \odot {_lwrap(args[1], ('add', 'neg'))}"
    if op == "norm":
        return rf"\left\lVert {latex(args[0])} \right\rVert"
    names = {"diagm": r"\operatorname{diag}", "diagv": r"\operatorname{diag}", "trace": r"\operatorname{tr}"}
    plain = op in ("exp", "log", "tanh", "sqrt", "sin", "cos", "det")
    name = names.get(op, "\\" + op if plain else rf"\operatorname{{{op}}}")
    return rf"{name}\left({latex(args[0])}\right)"


def _lwrap(a: Node, loose: tuple[str, ...]) -> str:
    text = latex(a)
    return rf"\left({text}\right)" if a.op in loose else text
