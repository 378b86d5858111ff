"""Make a SymPy result ready to print as a function, or say why it cannot be one.

:func:`prepare` reads notation nodes as their values, evaluates derivatives SymPy can take, refuses
what no plain function computes (a limit, a sum over an infinite range, a multiple integral, an
equation, a matrix at symbolic size), and names the arguments: every free symbol, every indexed
variable and every undefined function, **sorted by name**, each given a Python identifier
(``lambda`` becomes ``lambda_``, a name used twice gets a suffix ``_2``).

An undefined function (a residual :math:`r(\\theta)`, a loss :math:`L(\\theta)`) becomes a *callable*
argument, called with the formula's arguments; each of its derivatives that the result uses is a
callable argument of its own (:math:`\\partial L/\\partial\\theta_1` is ``dL_dtheta1``), never
approximated. A one-dimensional integral is left for the printer (numeric quadrature in numpy, see
:mod:`.printers`), unless an ``evaluate`` hook (SymPy under a time budget) evaluates it first.
"""

from __future__ import annotations

import keyword
import re
from collections.abc import Callable
from dataclasses import dataclass

import sympy as sp
from sympy.core.function import AppliedUndef
from sympy.logic.boolalg import BooleanAtom, BooleanFunction

from ...errors import DeriveError
from ...maths.notation import REMAKE, Notation
from ...maths.special import SpecialFunction

#: names the generated source uses itself, so no argument may take them
RESERVED = frozenset({"numpy", "scipy", "torch", "jax", "math", "sum", "range", "float", "functools", "entries"})


class ExportError(DeriveError, ValueError):
    """A result cannot be exported as a function: the message names the part and why."""


@dataclass(frozen=True)
class Argument:
    """One argument of an exported function: the symbol (or ``IndexedBase``) it stands for, its
    Python name, and its kind: ``real`` (float array), ``integer`` (an index or a count),
    ``array`` (an indexed variable, indexed by the formula's own indices) or ``callable`` (an
    undefined function or one of its derivatives: ``symbol`` is the applied form it stands for,
    e.g. ``Derivative(L(theta1, theta2), theta1)``)."""

    symbol: sp.Basic
    name: str
    kind: str


@dataclass(frozen=True)
class Prepared:
    """An expression with its symbols renamed to its arguments' Python names."""

    expr: sp.Basic
    arguments: tuple[Argument, ...]


#: a hook that evaluates an integral symbolically (``None`` when it cannot), e.g. SymPy's ``doit``
#: under a time budget: export itself runs no unbounded symbolic work
Evaluate = Callable[[sp.Integral], sp.Basic | None]


def prepare(expr: sp.Basic, evaluate: Evaluate | None = None) -> Prepared:
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
    if evaluate is not None and expr.has(sp.Integral):
        expr = expr.replace(lambda e: isinstance(e, sp.Integral), lambda e: _evaluated(e, evaluate))
    expr, callables = _callables(expr)
    _refuse(expr, {a.name for a in callables})
    arguments = _arguments(expr, callables)
    renames: dict[sp.Basic, sp.Basic] = {}
    for a in arguments:
        if a.kind == "callable":
            continue
        old = a.symbol.label if isinstance(a.symbol, sp.IndexedBase) else a.symbol
        renames[old] = sp.Symbol(a.name, **old.assumptions0)
    renames.update(_bound_renames(expr, {a.name for a in arguments}))
    return Prepared(expr.xreplace(renames), arguments)


def _evaluated(integral: sp.Integral, evaluate: Evaluate) -> sp.Basic:
    value = evaluate(integral)
    return integral if value is None or value.has(sp.Integral, sp.nan, sp.zoo) else value


def _callables(expr: sp.Basic) -> tuple[sp.Basic, tuple[Argument, ...]]:
    """Each undefined function, and each derivative of one, replaced by an undefined function with
    a Python name applied to the same arguments; the callable arguments they become."""
    derivatives = sorted((d for d in expr.atoms(sp.Derivative) if _plain_call(d.expr)), key=sp.default_sort_key)
    holes = {d: sp.Dummy() for d in derivatives}
    rest = expr.xreplace(holes)
    calls = [f for f in rest.atoms(sp.Function) if _undefined(f)]
    first = {f.func: f for f in sorted(calls, key=sp.default_sort_key, reverse=True)}
    stands = [(_derivative_key(d), d) for d in derivatives] + [(str(f), call) for f, call in first.items()]
    if not stands:
        return expr, ()
    taken: set[str] = set()
    names: dict[sp.Basic, str] = {}
    for key, symbol in sorted(stands, key=lambda t: (t[0], sp.default_sort_key(t[1]))):
        names[symbol] = python_name(key, taken)
        taken.add(names[symbol])
    rest = rest.replace(
        lambda e: isinstance(e, sp.Function) and e.func in first,
        lambda e: sp.Function(names[first[e.func]])(*e.args),
    )
    out = rest.xreplace({h: sp.Function(names[d])(*d.expr.args) for d, h in holes.items()})
    if out.has(sp.Subs):  # the chain rule's Subs(dF(xi), xi, g): the callable called at g
        out = out.replace(lambda e: isinstance(e, sp.Subs), lambda e: e.doit())
    return out, tuple(Argument(symbol, name, "callable") for symbol, name in names.items())


def _plain_call(f: sp.Basic) -> bool:
    """An undefined function applied to distinct symbols (what a derivative callable is called with)."""
    return _undefined(f) and len(set(f.args)) == len(f.args) and all(a.is_Symbol for a in f.args)


def _undefined(f: sp.Basic) -> bool:
    """An undefined function: SymPy's own, or one made by :func:`~derive.maths.notation.named_function`
    (an arbitrary differentiable function such as a residual :math:`r_i(\\theta)`)."""
    if isinstance(f, AppliedUndef):
        return True
    return isinstance(f, sp.Function) and getattr(type(f), REMAKE, ("",))[0] == "named_function"


def _derivative_key(d: sp.Derivative) -> str:
    """``dL_dtheta1`` for dL/dtheta1, ``d2f_dx_dy`` for d2f/dxdy, ``d2f_dx2`` for d2f/dx2."""
    wrt = "_".join(f"d{v}" + (str(k) if k > 1 else "") for v, k in d.variable_count)
    order = d.derivative_count
    return f"d{order if order > 1 else ''}{d.expr.func}_{wrt}"


def _refuse(expr: sp.Basic, callables: set[str]) -> None:
    """Raise :class:`ExportError` for the first part of ``expr`` no plain function computes
    (``callables``: the names of the undefined functions that are arguments)."""
    if isinstance(expr, sp.core.relational.Relational | BooleanAtom | BooleanFunction):
        raise ExportError(f"{expr} is a relation, not a value: export one side of it")
    if (isinstance(expr, sp.MatrixExpr) and not isinstance(expr, sp.MatrixBase)) or expr.has(sp.MatrixSymbol):
        raise ExportError(
            f"{expr} is a matrix expression at symbolic size: export its index form or an explicit matrix"
        )
    if isinstance(expr, sp.MatrixBase) and any(s == 0 for s in expr.shape):
        raise ExportError("an empty matrix has no entries to compute")
    arbitrary = sorted({str(f.func) for f in _functions(expr) if _is_arbitrary(f) and str(f.func) not in callables})
    if arbitrary:
        raise ExportError(
            f"the result applies the arbitrary function(s) {', '.join(arbitrary)} (no formula is known "
            "for them): give each a definition, or export a result without them"
        )
    for kind in (sp.Limit, sp.Derivative, sp.Order):
        found = next(iter(expr.atoms(kind)), None)
        if found is not None:
            raise ExportError(f"the result keeps an unevaluated {kind.__name__}: {found}; evaluate it first")
    for i in expr.atoms(sp.Integral):
        if len(i.limits) != 1 or len(i.limits[0]) != 3:
            raise ExportError(
                f"the result keeps an unevaluated Integral over several variables or without bounds: {i}; "
                "evaluate it first (only a one-dimensional definite integral is exported, by quadrature)"
            )
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


def _arguments(expr: sp.Basic, callables: tuple[Argument, ...]) -> tuple[Argument, ...]:
    bases = {i.base for i in expr.atoms(sp.Indexed)}
    labels = {b.label for b in bases}
    symbols = [s for s in expr.free_symbols if isinstance(s, sp.Symbol) and s not in labels]
    found: list[tuple[str, sp.Basic, str]] = [(str(b.label), b, "array") for b in bases]
    found += [(s.name, s, "integer" if s.is_integer else "real") for s in symbols]
    taken = {a.name for a in callables}  # named first: a symbol named like a function gets a suffix
    out = list(callables)
    for text, symbol, kind in sorted(found, key=lambda t: (t[0], t[2], sp.srepr(t[1]))):
        name = python_name(text, taken)
        taken.add(name)
        out.append(Argument(symbol, name, kind))
    return tuple(sorted(out, key=lambda a: a.name))


def _bound_renames(expr: sp.Basic, taken: set[str]) -> dict[sp.Basic, sp.Basic]:
    """The summation indices and integration variables, renamed to identifiers that are not arguments' names."""
    out: dict[sp.Basic, sp.Basic] = {}
    names = set(taken)
    for s in sorted({v for t in expr.atoms(sp.Sum, sp.Product, sp.Integral) for v in t.variables}, key=str):
        if s.name.isidentifier() and not keyword.iskeyword(s.name) and s.name not in RESERVED:
            continue
        name = python_name(s.name, names)
        names.add(name)
        out[s] = sp.Symbol(name, **s.assumptions0)
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
