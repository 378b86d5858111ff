"""What the builder holds between tree nodes, and the constructors that check their arguments.

A node's value is a SymPy object, or one of the values below that only its context can settle:
an :class:`Applied` function word still waiting for its argument (``\\ln`` before ``x``), a
:class:`Vector` of a matrix answer whose entries can be named, a :class:`Bracket` that may be an
index, a grouping, a vector or a matrix. :func:`as_expr` settles a value into an expression.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from contextvars import ContextVar
from typing import Any

import sympy as sp

from ...errors import AnswerSyntaxError
from .limits import Limits
from .scope import Fn

#: the real-value conditions of sub-expressions that SymPy's evaluation removed while an answer was
#: built (``exp(log(x))`` is ``x`` once built, ``sqrt(x)^2`` too): the builder collects them
LOST: ContextVar[list[sp.Basic] | None] = ContextVar("LOST", default=None)

#: the most digits an exact constant power may have (``170!^170!`` is refused before SymPy computes it)
MAX_POWER_DIGITS = Limits.max_constant_digits


class Applied:
    """Marker for a function word not yet applied (``\\ln`` before ``x``), with an optional power."""

    def __init__(
        self, fn: Fn, power: sp.Expr | None = None, base: sp.Expr | None = None, sign: int = 1, order: int = 0
    ) -> None:
        self.fn, self.power, self.base, self.sign, self.order = fn, power, base, sign, order

    def apply(self, arg: Any) -> sp.Basic:
        args = list(arg) if isinstance(arg, tuple) else [arg]
        if self.base is not None:
            args.append(self.base)
        out = call(self.fn, args) if not self.order else derivative(self.fn, args, self.order)
        out = out if self.power is None else raise_to(out, self.power)
        return out if self.sign > 0 else -out


class Vector:
    """A vector of a matrix answer whose entries can also be named (``s``, ``s_1``, ``s[1]``)."""

    def __init__(self, name: str, matrix: sp.Matrix, entries: Mapping[int, sp.Expr]) -> None:
        self.name, self.matrix, self.entries = name, matrix, entries

    def entry(self, idx: list[sp.Expr]) -> sp.Expr:
        if len(idx) == 1 and idx[0].is_Integer and int(idx[0]) in self.entries:
            return self.entries[int(idx[0])]
        raise AnswerSyntaxError(f"{self.name} has entries {', '.join(map(str, sorted(self.entries)))}")


class Bracket:
    """``[a, b]`` before it is known to be an index (``z[k]``), a grouping, a vector or a matrix."""

    MAX = 12

    def __init__(self, items: list[Any]) -> None:
        self.items = items

    def value(self) -> sp.Basic:
        items = self.items
        if len(items) == 1 and not isinstance(items[0], Bracket):
            return plain(items[0])  # [x + 1] is a grouping
        if len(items) == 1 and all(isinstance(r, Bracket) for r in items[0].items):
            return items[0].value()  # \left[\begin{matrix}...\end{matrix}\right]: brackets around a matrix
        if len(items) == 1:
            return sp.Matrix([[plain(x) for x in items[0].items]])  # [[a, b]]: one row
        if all(isinstance(r, Bracket) for r in items):  # [[a, b], [c, d]]: rows
            rows = [[plain(x) for x in r.items] for r in items]
            if len({len(r) for r in rows}) != 1:
                raise AnswerSyntaxError("the rows of a matrix must have the same length")
            if len(rows) > self.MAX or len(rows[0]) > self.MAX:
                raise AnswerSyntaxError(f"matrices larger than {self.MAX}x{self.MAX} are not read")
            return sp.Matrix(rows)
        if len(items) > self.MAX:
            raise AnswerSyntaxError(f"vectors longer than {self.MAX} are not read")
        return sp.Matrix([plain(x) for x in items])  # [a, b, c]: a column vector


def plain(v: Any) -> sp.Expr:
    """``v`` as an entry of a matrix: a scalar expression."""
    if isinstance(v, Bracket):
        raise AnswerSyntaxError("a matrix entry must be a scalar")
    if isinstance(v, sp.MatrixBase) or not isinstance(v, sp.Expr):
        raise AnswerSyntaxError("a matrix entry must be a scalar expression")
    return v


def as_expr(v: Any) -> sp.Basic:
    """``v`` settled into a SymPy expression or matrix (a function word without argument, a
    comma or a bare indexed variable is an error)."""
    if isinstance(v, Vector):
        return v.matrix
    if isinstance(v, Bracket):
        return v.value()
    if isinstance(v, Applied | Fn):
        raise AnswerSyntaxError(f"the function {(v.fn if isinstance(v, Applied) else v).name} needs an argument")
    if isinstance(v, tuple):
        raise AnswerSyntaxError("a comma outside a function call")
    if isinstance(v, sp.IndexedBase):
        raise AnswerSyntaxError(f"{v} is a vector: write an entry such as {v}_i")
    return v


def call(fn: Fn, args: list[Any]) -> sp.Basic:
    """``fn(*args)``, after checking the number and kind of the arguments."""
    if fn.name in ("Sum", "sum", "diag"):
        raise AnswerSyntaxError(f"{fn.name}(...) is handled elsewhere")  # pragma: no cover
    if len(args) not in fn.nargs:
        want = " or ".join(map(str, fn.nargs))
        raise AnswerSyntaxError(f"{fn.name} takes {want} argument(s), got {len(args)}")
    for a in args:
        if isinstance(a, sp.MatrixBase):
            raise AnswerSyntaxError(f"{fn.name} cannot be applied to a matrix")
        if not isinstance(a, sp.Expr):
            raise AnswerSyntaxError(f"cannot apply {fn.name} to that")
    return keep_conditions(args, fn.build(*args))


def derivative(fn: Fn, args: list[Any], order: int) -> sp.Basic:
    """``f'(u)``: the derivative of ``f`` at ``u`` (a ``Derivative``, or a ``Subs`` when ``u`` is
    not a plain symbol)."""
    if len(args) != 1 or order > 3:
        raise AnswerSyntaxError(f"{fn.name}' takes one argument (and at most three primes)")
    arg = args[0]
    if isinstance(arg, sp.Symbol):
        return sp.Derivative(call(fn, [arg]), (arg, order))
    xi = sp.Dummy("xi", real=True)
    return sp.Subs(sp.Derivative(call(fn, [xi]), (xi, order)), xi, arg)


def _restricted(e: Any) -> dict[sp.Basic, sp.Basic]:
    """The arguments of the sub-expressions of ``e`` that are real only on part of the line, each
    with its condition: ``log(u)`` (``u > 0``) and even roots ``u^(p/q)``, ``q`` even (``u >= 0``)."""
    if not isinstance(e, sp.Basic):
        return {}
    out: dict[sp.Basic, sp.Basic] = {}
    for p in e.atoms(sp.Pow):
        if p.exp.is_Rational and not p.exp.is_Integer and p.exp.q % 2 == 0:
            out[p.base] = p.base >= 0
    for g in e.atoms(sp.log):
        out[g.args[0]] = g.args[0] > 0
    return out


def keep_conditions(inputs: Sequence[Any], out: Any) -> Any:
    """``out``, after noting the real-value condition of each restricted sub-expression of
    ``inputs`` whose argument SymPy's evaluation removed from it (:data:`LOST`)."""
    record = LOST.get()
    if record is None or not isinstance(out, sp.Basic):
        return out
    before: dict[sp.Basic, sp.Basic] = {}
    for a in inputs:
        before.update(_restricted(a))
    if before:
        after = _restricted(out)
        record.extend(cond for u, cond in before.items() if u not in after)
    return out


def raise_to(base: Any, exponent: Any) -> sp.Basic:
    """``base ** exponent``; of a matrix, only the transpose, the inverse and small powers."""
    if isinstance(base, sp.MatrixBase):
        if exponent == sp.Symbol("T") or (isinstance(exponent, sp.Symbol) and exponent.name == "T"):
            return base.T
        if exponent == -1 or (exponent.is_Integer and 1 <= exponent <= 4):
            if not base.is_square or base.rows > 4:
                raise AnswerSyntaxError(f"a power or inverse needs a small square matrix, not shape {base.shape}")
            if exponent == -1:  # H^{-1}: the inverse of a declared (small, symbolic) matrix
                if base.det() == 0:
                    raise AnswerSyntaxError("the matrix is singular: it has no inverse")
                return base.inv()
            return base ** int(exponent)
        raise AnswerSyntaxError("only the transpose ^T, the inverse ^{-1} and small powers of a matrix are understood")
    if isinstance(exponent, sp.MatrixBase) or not isinstance(base, sp.Expr) or not isinstance(exponent, sp.Expr):
        raise AnswerSyntaxError("cannot raise that to a power")
    if _exact_power_digits(base, exponent) > MAX_POWER_DIGITS:
        raise AnswerSyntaxError("a constant power is too large to compute", limit=True)
    return keep_conditions((base, exponent), sp.Pow(base, exponent))


def _exact_power_digits(base: sp.Expr, exponent: sp.Expr) -> float:
    """An upper bound on the decimal digits of ``base ** exponent`` when SymPy would compute it
    exactly (both rational, ``|base|`` not 0 or 1), from bit lengths; 0 otherwise."""
    if not (base.is_Rational and exponent.is_Rational) or abs(base) in (0, 1):
        return 0.0
    if max(int(exponent.p).bit_length(), int(exponent.q).bit_length()) > 60:
        return math.inf
    bits = max(int(base.p).bit_length(), int(base.q).bit_length())
    return abs(int(exponent.p) / int(exponent.q)) * bits * math.log10(2)
