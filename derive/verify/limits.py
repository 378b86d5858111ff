r"""Limits with parameters, evaluated case by case over the parameters' orderings.

SymPy's ``limit`` answers a limit with parameters with one expression even when the value depends
on how the parameters compare: with :math:`a, b > 0`,
:math:`\lim_{T\to0^-} e^{-a/T}/(1 + e^{-b/T} + e^{-a/T})` is 1 for :math:`a > b`, 0 for
:math:`a < b` and :math:`1/2` at :math:`a = b`, and SymPy says 0. So a parametric limit is never
taken from ``limit`` alone: for every weak ordering of the parameters and 0 that their assumptions
allow, the parameters are rewritten so the ordering holds by construction (:math:`b = a + s`,
:math:`s > 0`), the limit is taken in that case, and SymPy's general answer is accepted only if it
agrees with every case. Otherwise the limit stays unevaluated (and is only tested numerically, at
concrete parameter values).

Orderings between the parameters and 0 are what is split; a value that changes with another
relation (:math:`a` against :math:`2b`) is outside this split, which is why the numeric rung still
samples parameters independently.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from functools import partial

import sympy as sp

from .budget import attempt

#: at most this many items (parameters, and 0 when a sign is unknown) are ordered: 75 cases
MAX_ITEMS = 4
ZERO = sp.Integer(0)


def _weak_orders(items: Sequence[sp.Basic]) -> Iterator[list[list[sp.Basic]]]:
    """Every ordered partition of ``items`` into blocks (ties within a block)."""
    if not items:
        yield []
        return
    first, rest = items[0], items[1:]
    for order in _weak_orders(rest):
        for i in range(len(order)):  # join an existing block
            yield [*order[:i], [first, *order[i]], *order[i + 1 :]]
        for i in range(len(order) + 1):  # or stand alone between blocks
            yield [*order[:i], [first], *order[i:]]


def _substitution(order: list[list[sp.Basic]], positive_base: bool) -> dict[sp.Symbol, sp.Expr] | None:
    """Parameters rewritten so ``order`` holds: consecutive blocks differ by positive dummies; a
    block containing 0 is 0. ``None`` if a parameter's assumptions contradict its place."""
    zero_at = next((i for i, block in enumerate(order) if ZERO in block), None)
    values: list[sp.Expr] = [sp.S.Zero] * len(order)
    if zero_at is None:
        values[0] = sp.Dummy("p0", positive=True) if positive_base else sp.Dummy("p0", real=True)
        for i in range(1, len(order)):
            values[i] = values[i - 1] + sp.Dummy(f"s{i}", positive=True)
    else:
        for i in range(zero_at + 1, len(order)):
            values[i] = values[i - 1] + sp.Dummy(f"s{i}", positive=True)
        for i in range(zero_at - 1, -1, -1):
            values[i] = values[i + 1] - sp.Dummy(f"s{i}", positive=True)
    out: dict[sp.Symbol, sp.Expr] = {}
    for block, value in zip(order, values, strict=True):
        for p in block:
            if p is ZERO:
                continue
            if any(getattr(p, f"is_{f}") is True and getattr(value, f"is_{f}") is False for f in _SIGNS):
                return None
            out[p] = value
    return out


_SIGNS = ("positive", "negative", "nonnegative", "nonpositive", "zero", "nonzero")


def cases(params: Sequence[sp.Symbol]) -> list[dict[sp.Symbol, sp.Expr]] | None:
    """The substitutions for every ordering of ``params`` (and 0 unless every sign is known)."""
    signed = all(p.is_positive or p.is_negative for p in params)
    items: list[sp.Basic] = list(params) if signed else [*params, ZERO]
    if len(items) > MAX_ITEMS:
        return None
    positive = all(p.is_positive for p in params)
    out = []
    for order in _weak_orders(items):
        sub = _substitution(order, positive)
        if sub is not None:
            out.append(sub)
    return out


def parameters(limit: sp.Limit) -> list[sp.Symbol]:
    body, var = limit.args[0], limit.args[1]
    return sorted((s for s in body.free_symbols if s != var and isinstance(s, sp.Symbol)), key=str)


_ENTIRE = (sp.exp, sp.sin, sp.cos, sp.sinh, sp.cosh)


def _entire_in(e: sp.Basic, u: sp.Symbol) -> bool:
    """``e`` is a polynomial in ``u`` and entire functions of polynomials in ``u``."""
    if u not in e.free_symbols:
        return True
    if isinstance(e, sp.Pow):
        return e.exp.is_Integer and e.exp >= 0 and _entire_in(e.base, u)
    if isinstance(e, (sp.Add, sp.Mul, *_ENTIRE)):
        return all(_entire_in(a, u) for a in e.args)
    return e == u


def by_series(limit: sp.Limit, budget: float = 3.0) -> sp.Expr | None:
    r"""A limit of a ratio of functions analytic at the point, from their Taylor series.

    With :math:`v = p \pm u` (or :math:`v = 1/u` at infinity) the body is written
    :math:`N(u)/D(u)` with :math:`N, D` polynomials in :math:`u` and entire functions of
    polynomials in :math:`u` (``exp``, ``sin``...). Their series have coefficients that are
    expressions in the parameters, valid for *every* parameter value, so no ordering matters: the
    limit is the ratio of the coefficients at :math:`D`'s leading order, provided that coefficient
    is nonzero by the assumptions (and 0 when :math:`N` starts later)."""
    body, var, point, direction = limit.args
    u = sp.Dummy("u", positive=True)
    if point in (sp.oo, -sp.oo):
        at = (1 if point == sp.oo else -1) / u
    else:
        at = point + u if str(direction) == "+" else point - u if str(direction) == "-" else None
    if at is None:
        return None
    ratio = attempt(lambda: sp.together(body.xreplace({var: at})), budget)
    if ratio is None:
        return None
    num, den = ratio.as_numer_denom()
    if not (_entire_in(num, u) and _entire_in(den, u)):
        return None
    for order in (2, 4, 6):  # short series first: most limits are decided by their first terms
        out = attempt(partial(_leading_ratio, num, den, u, order), budget)
        if out is not None:
            return out
    return None


def _leading_ratio(num: sp.Expr, den: sp.Expr, u: sp.Symbol, order: int) -> sp.Expr | None:
    ns, ds = (sp.expand(sp.series(f, u, 0, order).removeO()) for f in (num, den))
    for k in range(order):
        c = sp.simplify(ds.coeff(u, k))
        if c.is_zero is False:
            if any(sp.simplify(ns.coeff(u, j)).is_zero is not True for j in range(k)):
                return None  # the numerator starts earlier: no finite limit
            return sp.simplify(ns.coeff(u, k) / c)
        if c.is_zero is not True:
            return None  # a leading coefficient that vanishes for some parameters: undecided
    return None


def by_orderings(limit: sp.Limit, budget: float = 6.0) -> tuple[sp.Expr, int] | None:
    """The limit and the number of ordering cases that confirmed it (0: confirmed by
    :func:`by_series`), or ``None`` when SymPy's general answer is missing or disagrees with a
    case (or a case cannot be computed)."""
    params = parameters(limit)
    general = attempt(limit.doit, budget)
    if general is None or general.has(sp.Limit) or not params:
        return (general, 0) if general is not None and not general.has(sp.Limit) else None
    series = by_series(limit, 3 * budget)
    if series is not None and attempt(partial(sp.simplify, general - series), budget) == 0:
        return general, 0
    split = cases(params)
    if split is None:
        return None
    body, var, point, direction = limit.args
    for sub in split:
        case = attempt(partial(_case, body.xreplace(sub), var, point, str(direction)), budget)
        if case is None or case.has(sp.Limit):
            return None
        agree = attempt(partial(sp.simplify, general.xreplace(sub) - case), budget)
        if agree is None or agree != 0:
            return None
    return general, len(split)


def _case(body: sp.Expr, var: sp.Symbol, point: sp.Expr, direction: str) -> sp.Expr:
    return sp.Limit(body, var, point, direction).doit()


def _parametric(e: sp.Basic) -> bool:
    return isinstance(e, sp.Limit) and bool(parameters(e))


def hold_limits(e: sp.Basic) -> tuple[sp.Basic, dict[sp.Basic, sp.Basic]]:
    """``e`` with every limit that has parameters replaced by an opaque symbol, and the map back."""
    restore: dict[sp.Basic, sp.Basic] = {}
    if not e.has(sp.Limit):
        return e, restore

    def hold(lim: sp.Basic) -> sp.Basic:
        token = sp.Dummy("held_limit")
        restore[token] = lim
        return token

    return e.replace(_parametric, hold), restore


def doit_holding_limits(e: sp.Basic) -> sp.Basic:
    """``e.doit()``, except that a limit with parameters is evaluated only through
    :func:`by_orderings` and otherwise kept as it is."""
    resolved = e.replace(_parametric, lambda lim: (by_orderings(lim) or (lim,))[0]) if e.has(sp.Limit) else e
    held, restore = hold_limits(resolved)
    out = held.doit()
    return out.xreplace(restore) if restore else out
