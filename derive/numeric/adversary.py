r"""Where a false equality is most likely to show: points chosen against the claim, not at random.

Random short decimals miss a difference that lives on a narrow region or on a set they avoid:
a bump :math:`\epsilon e^{-10^6 (x-a)^2}`, a comb :math:`\sin(3\cdot10^{20}\pi x)` (zero at every
short decimal), an indicator at one point, a strict against a non-strict inequality at a
breakpoint. This module proposes the points where such terms are non-zero:

- :func:`candidate_points`: for every function application (``exp``, ``Abs``, ``Piecewise``,
  ``Heaviside``, ``floor``...) whose argument is a polynomial in one variable, the real roots of
  the argument and of its derivative (kinks, breakpoints, bump centres, tie values); for every
  relation in a condition, the roots of ``lhs - rhs``; for ``floor``/``frac`` of a linear
  argument, the points where the argument crosses an integer; all inside the domain, the other
  coordinates taken from a base point;
- :func:`high_entropy_points`: coordinates with 40 random significant digits, on which a comb
  with a huge frequency is not zero;
- :func:`search`: a derivative-free local search that climbs :math:`\log|f|` from a start point
  (a pattern search with shrinking steps), for what the first two miss.

They only *propose* points; whoever uses them evaluates there and confirms a difference at high
precision before calling it a counterexample.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from fractions import Fraction

import numpy as np
import sympy as sp

from ..maths.domains import Domain

#: the most candidate points proposed per expression (cheapest first: roots, then crossings)
MAX_CANDIDATES = 16
_MAX_DEGREE = 4
#: nodes whose argument is inspected: everything that is not plain arithmetic
_ARITHMETIC = (sp.Add, sp.Mul, sp.Pow)


def _arguments(node: sp.Basic) -> list[sp.Expr]:
    """The expressions whose zeros are special for ``node``."""
    if isinstance(node, sp.Max | sp.Min):
        return [a - b for i, a in enumerate(node.args) for b in node.args[i + 1 :]]
    if isinstance(node, sp.Piecewise):
        return [r.lhs - r.rhs for piece in node.args for r in sp.S(piece.cond).atoms(sp.core.relational.Relational)]
    if isinstance(node, sp.core.relational.Relational):
        return [node.lhs - node.rhs]
    return [a for a in node.args if isinstance(a, sp.Expr)]


def _special_nodes(e: sp.Basic) -> Iterable[sp.Basic]:
    for node in sp.preorder_traversal(e):
        special = isinstance(node, sp.Expr | sp.core.relational.Relational) and not isinstance(node, _ARITHMETIC)
        if special and node.args:
            yield node


def _real_roots(poly: sp.Poly) -> list[sp.Expr]:
    if poly.degree() < 1:
        return []
    try:
        if not all(c.is_Rational for c in poly.all_coeffs()):  # algebraic coefficients (x - sqrt(2))
            return [r for r in sp.roots(poly, filter="R") if r.is_real] if poly.degree() <= 2 else []
        return [r for r in sp.real_roots(poly) if r.is_real]
    except (sp.PolynomialError, NotImplementedError, ValueError):
        return []


def _degree_bound(e: sp.Basic, z: sp.Symbol) -> float:
    """An upper bound of the degree of ``e`` in ``z`` read off its tree (infinite if not a polynomial)."""
    if not e.has(z):
        return 0
    if e == z:
        return 1
    if isinstance(e, sp.Add):
        return max(_degree_bound(a, z) for a in e.args)
    if isinstance(e, sp.Mul):
        return sum(_degree_bound(a, z) for a in e.args)
    if isinstance(e, sp.Pow) and e.exp.is_Integer and e.exp >= 0:
        return int(e.exp) * _degree_bound(e.base, z)
    return float("inf")


def _roots(arg: sp.Expr, z: sp.Symbol) -> list[sp.Expr]:
    """Real roots of ``arg`` and of ``d arg/dz`` when ``arg`` is a polynomial in ``z`` of low degree
    (other symbols are not allowed: the point would depend on them)."""
    if arg.free_symbols != {z} or _degree_bound(arg, z) > _MAX_DEGREE:
        return []  # checked before expanding: (1 + z)^1000 is not expanded to find it is too high
    try:
        poly = sp.Poly(sp.expand(arg), z)
    except (sp.PolynomialError, sp.GeneratorsError):
        return []
    if poly.degree() > _MAX_DEGREE or not all(c.is_number for c in poly.all_coeffs()):
        return []
    return [*_real_roots(poly), *_real_roots(poly.diff(z))]


def _crossings(node: sp.Basic, z: sp.Symbol, base: sp.Expr) -> list[sp.Expr]:
    """For ``floor(a z + b)`` or ``frac(a z + b)``: ``z`` where the argument is the integer
    nearest its value at ``base``, and the next one (a jump of the staircase)."""
    if not isinstance(node, sp.floor | sp.ceiling | sp.frac) or node.args[0].free_symbols != {z}:
        return []
    arg = sp.expand(node.args[0])
    if not arg.is_polynomial(z) or sp.degree(arg, z) != 1:
        return []
    slope, offset = arg.coeff(z, 1), arg.coeff(z, 0)
    if not (slope.is_Number and offset.is_Number) or slope == 0:
        return []
    k = sp.floor(arg.subs(z, base))
    return [(k - offset) / slope, (k + 1 - offset) / slope]


def candidate_points(
    exprs: Iterable[sp.Basic], domains: Mapping[sp.Symbol, Domain], base: Mapping[sp.Symbol, sp.Expr]
) -> list[dict[sp.Symbol, sp.Expr]]:
    """Points (``base`` with one coordinate moved) where a special term of ``exprs`` is special."""
    out: list[dict[sp.Symbol, sp.Expr]] = []
    seen: set[tuple[sp.Symbol, sp.Expr]] = set()
    for e in exprs:
        for node in _special_nodes(e):
            for z in sorted(node.free_symbols & set(domains), key=str):
                dom = domains[z]
                if dom.depends_on() or z not in base:
                    continue
                values = [r for a in _arguments(node) for r in _roots(a, z)]
                values += _crossings(node, z, base[z])
                for v in values:
                    v = sp.nsimplify(v) if v.is_Float else v
                    if (z, v) in seen or not _inside(dom, v):
                        continue
                    seen.add((z, v))
                    out.append({**base, z: v})
                    if len(out) >= MAX_CANDIDATES:
                        return out
    return out


def _within(dom: Domain, v: sp.Expr, point: Mapping[sp.Symbol, sp.Expr]) -> bool:
    """``v`` inside ``dom`` once the bounds that name other variables take their values at ``point``."""
    if not dom.depends_on():
        return _inside(dom, v)
    try:
        lo = None if dom.lo is None else sp.sympify(dom.lo).xreplace(dict(point))
        hi = None if dom.hi is None else sp.sympify(dom.hi).xreplace(dict(point))
        above = lo is None or bool(v > lo) or (not dom.open_lo and bool(v >= lo))
        below = hi is None or bool(v < hi) or (not dom.open_hi and bool(v <= hi))
    except TypeError:  # a bound still symbolic
        return False
    return above and below


def _inside(dom: Domain, v: sp.Expr) -> bool:
    try:
        return bool(dom.contains(v))
    except TypeError:  # an ordering SymPy cannot decide
        return False


def _inside_bounds(dom: Domain, v: sp.Expr, point: Mapping[sp.Symbol, sp.Expr]) -> sp.Expr:
    """``v`` if it is inside ``dom`` at ``point``, else the middle of the bounds there."""
    if _within(dom, v, point) or dom.lo is None or dom.hi is None:
        return v
    lo, hi = (sp.sympify(b).xreplace(dict(point)) for b in (dom.lo, dom.hi))
    return (lo + hi) / 2 if (lo + hi).is_number else v


def high_entropy_points(
    domains: Mapping[sp.Symbol, Domain],
    rng: np.random.Generator,
    n: int,
    digits: int = 40,
    base: Sequence[Mapping[sp.Symbol, sp.Expr]] = (),
) -> list[dict[sp.Symbol, sp.Expr]]:
    """``n`` points whose real coordinates carry ``digits`` random significant digits (exact
    rationals), inside the domains. Integer variables keep a plain value: a fresh sample, or the
    coordinate of the ``base`` point the new point is made from. A variable that others' bounds
    name (the horizon T of t in [0, T]) moves first; a variable whose bounds name others then
    stays inside its bounds at the moved point (its base value, else the middle of its bounds)."""
    points: list[dict[sp.Symbol, sp.Expr]] = []
    scale = 10**digits
    for m in range(n):
        point: dict[sp.Symbol, sp.Expr] = dict(base[m % len(base)]) if base else {}
        for z in sorted(domains, key=lambda s: (bool(domains[s].depends_on()), str(s))):
            dom = domains[z]
            if dom.depends_on() and z not in point:
                continue
            if dom.integer:
                if z not in point:
                    plain = float(dom.sample(rng, 1, {})[0])
                    point[z] = sp.Integer(int(plain)) if dom.integer else sp.Rational(repr(plain))
                continue
            draw = float(point[z]) if z in point else float(dom.sample(rng, 1, {})[0])
            mantissa = int(rng.integers(0, 2**62)) * 2**62 + int(rng.integers(0, 2**62))
            jitter = Fraction(mantissa % scale, scale) - Fraction(1, 2)  # in [-1/2, 1/2)
            exact = Fraction(repr(draw)) * (1 + jitter * Fraction(1, 10**6)) + jitter * Fraction(1, 10**9)
            value = sp.Rational(exact.numerator, exact.denominator)
            fallback = point.get(z, sp.Rational(repr(draw)))
            point[z] = value if _within(dom, value, point) else _inside_bounds(dom, fallback, point)
        points.append(point)
    return points


def search(
    magnitude: Callable[[Mapping[sp.Symbol, sp.Expr]], float | None],
    start: Mapping[sp.Symbol, sp.Expr],
    domains: Mapping[sp.Symbol, Domain],
    *,
    evaluations: int = 40,
) -> tuple[dict[sp.Symbol, sp.Expr], float]:
    r"""Climb ``magnitude`` (e.g. :math:`\log_{10}` of the relative difference) from ``start`` by a
    pattern search: try ``z \pm step`` on each free real coordinate, keep an improvement, halve the
    step when none helps. Returns the best point found and its value. ``magnitude`` returns
    ``None`` where it cannot evaluate (the move is then refused)."""
    point = dict(start)
    best = magnitude(point)
    if best is None:
        return point, float("-inf")
    free = [
        z for z in sorted(point, key=str) if z in domains and not domains[z].integer and not domains[z].depends_on()
    ]
    steps = {z: sp.Rational(max(abs(float(point[z])) / 4, 0.25)).limit_denominator(10**6) for z in free}
    used = 1
    while used < evaluations and free:
        improved = False
        for z in free:
            for sign in (1, -1):
                trial = {**point, z: point[z] + sign * steps[z]}
                if not _inside(domains[z], trial[z]):
                    continue
                used += 1
                value = magnitude(trial)
                if value is not None and value > best:
                    point, best, improved = trial, value, True
                    break
        if not improved:
            steps = {z: s / 2 for z, s in steps.items()}
            if all(s < sp.Rational(1, 10**9) for s in steps.values()):
                break
    return point, best
