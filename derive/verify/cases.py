r"""Equality of piecewise expressions, proved by splitting the real line at the kinks.

``Abs``, ``sign``, ``Heaviside``, ``Max``, ``Min`` and ``Piecewise`` are *kinks*: each equals one
fixed branch wherever its argument (its conditions, the differences of its arguments) keeps its
sign. If every innermost kink argument is linear in a real variable :math:`z`, its zero is a
single breakpoint; between consecutive breakpoints every such kink is one branch, chosen by
the sign of its argument at an interior point. Resolving the innermost kinks cell by cell, and
splitting again inside a cell for the kinks that were nested (``Max(0, |z| - \lambda)``), ends
in kink-free expressions, which ``cancel`` compares; each breakpoint is checked by substitution.

The result is a proof for every real :math:`z` and every value of the other symbols allowed by
their assumptions, *provided* each sign and each ordering of breakpoints is decided by those
assumptions (``-\lambda < 0 < \lambda`` for ``lambda > 0``); anything undecided, and any
argument of higher degree in :math:`z`, makes the split give up (``None``), never guess.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import sympy as sp

KINKS = (sp.Abs, sp.sign, sp.Heaviside, sp.Max, sp.Min, sp.Piecewise)
MAX_DEPTH = 6


def equal_by_cases(diff: sp.Expr) -> sp.Symbol | None:
    """The real variable whose case split proves ``diff == 0``, or ``None``."""
    if not diff.has(*KINKS):
        return None
    for z in sorted((s for s in diff.free_symbols if s.is_real), key=str):
        if _zero_on(diff, z, sp.S.NegativeInfinity, sp.S.Infinity, 0):
            return z
    return None


def _zero_on(e: sp.Expr, z: sp.Symbol, lo: sp.Expr, hi: sp.Expr, depth: int) -> bool:
    """Whether ``e`` vanishes for every ``z`` in the open interval ``(lo, hi)`` (and at its
    interior breakpoints)."""
    kinks = list(_innermost_kinks(e, z))
    if not kinks:
        return _is_zero(e)
    if depth >= MAX_DEPTH:
        return False
    points = _breakpoints(kinks, z, lo, hi)
    if points is None:
        return False
    if not all(_is_zero(e.subs(z, b)) for b in points):
        return False
    edges = [lo, *points, hi]
    for left, right in itertools.pairwise(edges):
        resolved = _resolve(e, kinks, z, _interior(left, right))
        if resolved is None or not _zero_on(resolved, z, left, right, depth + 1):
            return False
    return True


# --------------------------------------------------------------------------- kinks and their arguments
def _innermost_kinks(e: sp.Basic, z: sp.Symbol) -> Iterator[sp.Basic]:
    """Kinks depending on ``z`` whose deciding arguments contain no other kink in ``z``."""
    for k in sorted(e.atoms(*KINKS), key=sp.default_sort_key):
        if z in k.free_symbols and not any(a.has(*KINKS) and z in a.free_symbols for a in _arguments(k)):
            yield k


def _arguments(k: sp.Basic) -> list[sp.Expr]:
    """The expressions whose signs decide which branch the kink ``k`` is on."""
    if isinstance(k, sp.Max | sp.Min):
        return [a - b for i, a in enumerate(k.args) for b in k.args[i + 1 :]]
    if isinstance(k, sp.Piecewise):
        return [r.lhs - r.rhs for cond in k.args for r in sp.S(cond.cond).atoms(sp.core.relational.Relational)]
    return [k.args[0]]


def _breakpoints(kinks: list[sp.Basic], z: sp.Symbol, lo: sp.Expr, hi: sp.Expr) -> list[sp.Expr] | None:
    """The zeros in ``(lo, hi)`` of the kinks' arguments, in increasing order; ``None`` if an
    argument is not linear in ``z`` or an ordering is not decided by the assumptions."""
    roots: list[sp.Expr] = []
    for arg in (a for k in kinks for a in _arguments(k)):
        try:
            poly = sp.Poly(sp.expand(arg), z)
        except sp.PolynomialError:
            return None
        if poly.degree() > 1:
            return None
        if poly.degree() == 1:
            slope, offset = poly.all_coeffs()
            if sp.S(slope).is_zero is not False:
                return None
            roots.append(sp.cancel(-offset / slope))
    inside: list[sp.Expr] = []
    for r in roots:
        above, below = _less(lo, r), _less(r, hi)
        if above is None or below is None:
            return None
        if above and below and not any(_same(r, q) for q in inside):
            inside.append(r)
    below_count = dict.fromkeys(range(len(inside)), 0)
    for i, a in enumerate(inside):  # every pair must be strictly ordered by the assumptions
        for j in range(i + 1, len(inside)):
            if _less(a, inside[j]):
                below_count[j] += 1
            elif _less(inside[j], a):
                below_count[i] += 1
            else:
                return None
    return [inside[i] for i in sorted(below_count, key=below_count.__getitem__)]


def _less(a: sp.Expr, b: sp.Expr) -> bool | None:
    if a is sp.S.NegativeInfinity or b is sp.S.Infinity:
        return True
    if a is sp.S.Infinity or b is sp.S.NegativeInfinity:
        return False
    return sp.cancel(b - a).is_positive


def _same(a: sp.Expr, b: sp.Expr) -> bool:
    return sp.cancel(a - b) == 0


def _interior(left: sp.Expr, right: sp.Expr) -> sp.Expr:
    if left.is_infinite and right.is_infinite:
        return sp.S.Zero
    if left.is_infinite:
        return right - 1
    if right.is_infinite:
        return left + 1
    return (left + right) / 2


# --------------------------------------------------------------------------- resolution in one cell
def _resolve(e: sp.Expr, kinks: list[sp.Basic], z: sp.Symbol, at: sp.Expr) -> sp.Expr | None:
    """``e`` with each kink replaced by its branch on the cell containing ``at``."""
    branches = {}
    for k in kinks:
        b = _branch(k, z, at)
        if b is None:
            return None
        branches[k] = b
    return e.xreplace(branches)


def _sign_at(a: sp.Expr, z: sp.Symbol, at: sp.Expr) -> int | None:
    v = sp.cancel(a.subs(z, at))
    if v.is_zero:
        return 0
    if v.is_positive:
        return 1
    if v.is_negative:
        return -1
    return None


def _branch(k: sp.Basic, z: sp.Symbol, at: sp.Expr) -> sp.Expr | None:
    if isinstance(k, sp.Max | sp.Min):
        want = 1 if isinstance(k, sp.Max) else -1
        for a in k.args:
            signs = [_sign_at(a - b, z, at) for b in k.args if b is not a]
            if all(s is not None and s * want >= 0 for s in signs):
                return a
        return None
    if isinstance(k, sp.Piecewise):
        for piece in k.args:
            truth = _truth(sp.S(piece.cond), z, at)
            if truth is None:
                return None
            if truth:
                return piece.expr
        return None
    s = _sign_at(k.args[0], z, at)
    if s is None:
        return None
    a = k.args[0]
    if isinstance(k, sp.Abs):
        return a if s >= 0 else -a
    if isinstance(k, sp.sign):
        return sp.Integer(s)
    return sp.Integer(1 if s > 0 else 0) if s != 0 else k.subs(z, at)  # Heaviside


_HOLDS = {
    sp.StrictGreaterThan: lambda s: s > 0,
    sp.GreaterThan: lambda s: s >= 0,
    sp.StrictLessThan: lambda s: s < 0,
    sp.LessThan: lambda s: s <= 0,
    sp.Equality: lambda s: s == 0,
    sp.Unequality: lambda s: s != 0,
}


def _truth(cond: sp.Basic, z: sp.Symbol, at: sp.Expr) -> bool | None:
    """Whether a condition holds at ``z = at``: each comparison decided by the sign of its
    ``lhs - rhs`` there (``None`` if a sign is not decided, or a condition is not a comparison)."""
    values = {}
    for rel in cond.atoms(sp.core.relational.Relational):
        sign_ = _sign_at(rel.lhs - rel.rhs, z, at)
        holds = _HOLDS.get(type(rel))
        if sign_ is None or holds is None:
            return None
        values[rel] = sp.true if holds(sign_) else sp.false
    out = cond.xreplace(values)
    return True if out is sp.true else False if out is sp.false else None


def _is_zero(e: sp.Expr) -> bool:
    return e == 0 or sp.cancel(sp.expand(e)) == 0
