"""Make a SymPy result ready to print as a function, or say why it cannot be one.

:func:`prepare` reads notation nodes as their values, evaluates derivatives SymPy can take, refuses
what no plain function computes (an arbitrary function, an integral, a limit, a sum over an
infinite range, an equation, a matrix at symbolic size), and names the arguments: every free
symbol and every indexed variable, **sorted by name**, each given a Python identifier (``lambda``
becomes ``lambda_``, a name used twice gets a suffix ``_2``).
"""

from __future__ import annotations

import keyword
import re
from dataclasses import dataclass

import sympy as sp
from sympy.core.function import AppliedUndef
from sympy.logic.boolalg import BooleanAtom, BooleanFunction

from ...errors import DeriveError
from ...maths.notation import Notation
from ...maths.special import SpecialFunction

#: names the generated source uses itself, so no argument may take them
RESERVED = frozenset({"numpy", "scipy", "torch", "jax", "math", "sum", "range", "float", "functools", "entries"})


class ExportError(DeriveError, ValueError):
    """A result cannot be exported as a function: the message names the part and why."""


@dataclass(frozen=True)
class Argument:
    """One argument of an exported function: the symbol (or ``IndexedBase``) it stands for, its
    Python name, and its kind: ``real`` (float array), ``integer`` (an index or a count) or
    ``array`` (an indexed variable, indexed by the formula's own indices)."""

    symbol: sp.Basic
    name: str
    kind: str


@dataclass(frozen=True)
class Prepared:
    """An expression with its symbols renamed to its arguments' Python names."""

    expr: sp.Basic
    arguments: tuple[Argument, ...]


def prepare(expr: sp.Basic) -> Prepared:
    """``expr`` ready to print: see the module's docstring. Raises :class:`ExportError`."""
    if isinstance(expr, Notation):
        expr = expr.args[1]
    if isinstance(expr, sp.MatrixBase):
        expr = sp.ImmutableMatrix(expr)
    if not isinstance(expr, sp.Basic) or isinstance(expr, sp.Tuple):
        raise ExportError(f"cannot export {type(expr).__name__} {expr!r}: not a SymPy expression")
    if expr.has(Notation):
        expr = expr.replace(lambda e: isinstance(e, Notation), lambda e: e.args[1])
    if expr.has(sp.Derivative):
        expr = expr.replace(lambda e: isinstance(e, sp.Derivative), lambda e: e.doit())
    _refuse(expr)
    arguments = _arguments(expr)
    renames: dict[sp.Basic, sp.Basic] = {}
    for a in arguments:
        old = a.symbol.label if isinstance(a.symbol, sp.IndexedBase) else a.symbol
        renames[old] = sp.Symbol(a.name, **old.assumptions0)
    renames.update(_bound_renames(expr, {a.name for a in arguments}))
    return Prepared(expr.xreplace(renames), arguments)


def _refuse(expr: sp.Basic) -> None:
    """Raise :class:`ExportError` for the first part of ``expr`` no plain function computes."""
    if isinstance(expr, sp.core.relational.Relational | BooleanAtom | BooleanFunction):
        raise ExportError(f"{expr} is a relation, not a value: export one side of it")
    if (isinstance(expr, sp.MatrixExpr) and not isinstance(expr, sp.MatrixBase)) or expr.has(sp.MatrixSymbol):
        raise ExportError(
            f"{expr} is a matrix expression at symbolic size: export its index form or an explicit matrix"
        )
    if isinstance(expr, sp.MatrixBase) and any(s == 0 for s in expr.shape):
        raise ExportError("an empty matrix has no entries to compute")
    arbitrary = sorted({str(f.func) for f in _functions(expr) if _is_arbitrary(f)})
    if arbitrary:
        raise ExportError(
            f"the result applies the arbitrary function(s) {', '.join(arbitrary)} (no formula is known "
            "for them): give each a definition, or export a result without them"
        )
    for kind in (sp.Integral, sp.Limit, sp.Derivative, sp.Order):
        found = next(iter(expr.atoms(kind)), None)
        if found is not None:
            raise ExportError(f"the result keeps an unevaluated {kind.__name__}: {found}; evaluate it first")
    for s in expr.atoms(sp.Sum, sp.Product):
        for _, a, b in s.limits:
            if not (a.is_integer and b.is_integer and a.is_finite and b.is_finite):
                raise ExportError(f"{s} runs over {a}..{b}: only finite ranges of integers can be exported")
    if expr.has(sp.zoo, sp.nan):
        raise ExportError(f"{expr} is undefined (it contains {sp.nan if expr.has(sp.nan) else sp.zoo})")


def _functions(expr: sp.Basic) -> set[sp.Basic]:
    return expr.atoms(sp.Function) if isinstance(expr, sp.Basic) else set()


def _is_arbitrary(f: sp.Basic) -> bool:
    """An undefined function, or a named node of :mod:`derive.maths.notation` (no value of its own)."""
    if isinstance(f, AppliedUndef):
        return True
    return type(f).__module__ == Notation.__module__ and not isinstance(f, Notation | SpecialFunction)


def _arguments(expr: sp.Basic) -> tuple[Argument, ...]:
    bases = {i.base for i in expr.atoms(sp.Indexed)}
    labels = {b.label for b in bases}
    symbols = [s for s in expr.free_symbols if isinstance(s, sp.Symbol) and s not in labels]
    found: list[tuple[str, sp.Basic, str]] = [(str(b.label), b, "array") for b in bases]
    found += [(s.name, s, "integer" if s.is_integer else "real") for s in symbols]
    taken: set[str] = set()
    out = []
    for text, symbol, kind in sorted(found, key=lambda t: (t[0], t[2], sp.srepr(t[1]))):
        name = python_name(text, taken)
        taken.add(name)
        out.append(Argument(symbol, name, kind))
    return tuple(out)


def _bound_renames(expr: sp.Basic, taken: set[str]) -> dict[sp.Basic, sp.Basic]:
    """The summation indices, renamed to identifiers that are not arguments' names."""
    out: dict[sp.Basic, sp.Basic] = {}
    names = set(taken)
    for s in sorted({v for t in expr.atoms(sp.Sum, sp.Product) for v in t.variables}, key=str):
        if s.name.isidentifier() and not keyword.iskeyword(s.name) and s.name not in RESERVED:
            continue
        name = python_name(s.name, names)
        names.add(name)
        out[s] = sp.Symbol(name, integer=True)
    return out


def python_name(text: str, taken: set[str] | frozenset[str] = frozenset()) -> str:
    """A Python identifier for ``text``: ``gelu'`` is ``gelu_prime``, ``lambda`` is ``lambda_``,
    ``x{1}`` is ``x1``; a name in ``taken`` gets a suffix ``_2``, ``_3``..."""
    name = text.replace("'", "_prime").replace("{", "").replace("}", "")
    name = re.sub(r"\W", "_", name, flags=re.ASCII).strip("_") or "v"
    if name[0].isdigit():
        name = "v" + name
    if keyword.iskeyword(name) or name in RESERVED or keyword.issoftkeyword(name):
        name += "_"
    base, k = name, 2
    while name in taken:
        name, k = f"{base}_{k}", k + 1
    return name
