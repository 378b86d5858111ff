r"""Points chosen against the answer: where a false answer is most likely to show.

Random short decimals miss a difference that lives on a narrow region or on a set they avoid: a
bump :math:`e^{-10^6 (x - 2.345)^2}`, a comb :math:`\sin(3\cdot 10^{20} \pi x)` or
:math:`\operatorname{frac}(3 \cdot 10^{20} x)` (zero at every short decimal), an indicator at one
point, a strict against a non-strict inequality at a breakpoint. This module proposes:

- :func:`breakpoints`: for every non-arithmetic node (``exp``, ``Abs``, ``Piecewise``,
  ``Heaviside``, ``floor``...) whose argument becomes a polynomial in one variable once the other
  coordinates are fixed, the real roots of the argument and of its derivative (kinks, jumps,
  bump centres, tie values); for a condition, the roots of ``lhs - rhs``; for ``floor``/``frac``
  of a linear argument, the two integer crossings nearest the base point;
- :func:`high_entropy_points`: coordinates with 40 random significant digits, where a comb with
  a huge frequency is not zero;
- :func:`climb`: a pattern search that climbs an objective (the log of the difference over the
  tolerance) from a start point, for the bumps whose centre no formula gives.

They only *propose* points; the checker decides each one with :func:`~.precision.settle`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from fractions import Fraction

import numpy as np
import sympy as sp

from ..maths.domains import Domain

Point = dict[sp.Basic, sp.Expr]

#: the most breakpoints proposed per answer
MAX_BREAKPOINTS = 16
_MAX_DEGREE = 4
_ARITHMETIC = (sp.Add, sp.Mul, sp.Pow)
_SPECIAL = (sp.Expr, sp.core.relational.Relational)


def _arguments(node: sp.Basic) -> list[sp.Expr]:
    """The expressions whose zeros are special for ``node``."""
    if isinstance(node, sp.Max | sp.Min):
        return [a - b for i, a in enumerate(node.args) for b in node.args[i + 1 :]]
    if isinstance(node, sp.Piecewise):
        return [r.lhs - r.rhs for _, c in node.args for r in sp.S(c).atoms(sp.core.relational.Relational)]
    if isinstance(node, sp.core.relational.Relational):
        return [node.lhs - node.rhs]
    return [a for a in node.args if isinstance(a, sp.Expr)]


def _special(e: sp.Basic) -> Iterable[sp.Basic]:
    for node in sp.preorder_traversal(e):
        if node.args and isinstance(node, _SPECIAL) and not isinstance(node, _ARITHMETIC):
            yield node


def _roots(arg: sp.Expr, z: sp.Symbol) -> list[sp.Expr]:
    """Real roots of ``arg`` and of ``d arg/dz`` if ``arg`` is a low-degree polynomial in ``z``."""
    if arg.free_symbols != {z} or arg.has(sp.Sum, sp.Product, sp.Indexed) or not arg.is_polynomial(z):
        return []
    try:
        poly = sp.Poly(sp.expand(arg), z)
    except (sp.PolynomialError, sp.GeneratorsError):
        return []
    if not 1 <= poly.degree() <= _MAX_DEGREE or not all(c.is_Rational for c in poly.all_coeffs()):
        return []
    out: list[sp.Expr] = []
    for p in (poly, poly.diff(z)):
        if p.degree() >= 1:
            out += [r for r in sp.real_roots(p) if r.is_real]
    return out


def _crossings(node: sp.Basic, arg: sp.Expr, z: sp.Symbol, at: sp.Expr) -> list[sp.Expr]:
    """For ``floor``/``ceiling``/``frac`` of ``a z + b``: where it jumps nearest ``z = at``."""
    if not isinstance(node, sp.floor | sp.ceiling | sp.frac):
        return []
    lin = sp.expand(arg)
    if not lin.is_polynomial(z) or sp.degree(lin, z) != 1:
        return []
    slope, offset = lin.coeff(z, 1), lin.coeff(z, 0)
    if not (slope.is_Rational and offset.is_Rational):
        return []
    k = sp.floor(lin.subs(z, at))
    return [(k - offset) / slope, (k + 1 - offset) / slope]


def breakpoints(exprs: Iterable[sp.Basic], domains: Mapping[sp.Basic, Domain], base: Point) -> list[Point]:
    """``base`` with one coordinate moved to where a special node of ``exprs`` is special."""
    out: list[Point] = []
    seen: set[tuple[sp.Basic, sp.Expr]] = set()
    movable = {z for z, d in domains.items() if isinstance(z, sp.Symbol) and z in base and not d.depends_on()}
    for e in exprs:
        for node in _special(e):
            for z in sorted(node.free_symbols & movable, key=str):
                others = {k: v for k, v in base.items() if k != z}
                for arg in _arguments(node):
                    fixed = arg.xreplace(others)
                    for v in [*_roots(fixed, z), *_crossings(node, fixed, z, base[z])]:
                        if (z, v) in seen or not _inside(domains[z], v):
                            continue
                        seen.add((z, v))
                        out.append({**base, z: v})
                        if len(out) >= MAX_BREAKPOINTS:
                            return out
    return out


def _inside(dom: Domain, v: sp.Expr) -> bool:
    try:
        return bool(dom.contains(v))
    except TypeError:  # an order SymPy cannot decide
        return False


def high_entropy_points(
    domains: Mapping[sp.Basic, Domain], base: Point, rng: np.random.Generator, n: int, digits: int = 40
) -> list[Point]:
    """``n`` points near random draws of the domains whose free real coordinates carry ``digits``
    random significant digits (exact rationals); the other coordinates are those of ``base``."""
    points: list[Point] = []
    scale = 10**digits
    free = sorted(
        (z for z, d in domains.items() if isinstance(z, sp.Symbol) and z in base and not (d.depends_on() or d.integer)),
        key=str,
    )
    for _ in range(n):
        point = dict(base)
        for z in free:
            draw = Fraction(repr(float(domains[z].sample(rng, 1, {})[0])))
            mantissa = int(rng.integers(0, 2**62)) * 2**62 + int(rng.integers(0, 2**62))
            jitter = Fraction(mantissa % scale, scale) - Fraction(1, 2)  # in [-1/2, 1/2)
            exact = draw * (1 + jitter / 10**6) + jitter / 10**9
            value = sp.Rational(exact.numerator, exact.denominator)
            if _inside(domains[z], value):
                point[z] = value
        points.append(point)
    return points


def climb(
    objective: Callable[[Point], float | None],
    start: Point,
    domains: Mapping[sp.Basic, Domain],
    *,
    evaluations: int = 40,
) -> tuple[Point, float]:
    """Climb ``objective`` from ``start`` by a pattern search: try ``z +- step`` on each free real
    coordinate, keep an improvement, halve the steps when none helps. ``None`` refuses a move.
    Returns the best point found and its objective."""
    point = dict(start)
    best = objective(point)
    if best is None:
        return point, float("-inf")
    free = [
        z
        for z in sorted(point, key=str)
        if z in domains and not domains[z].integer and not domains[z].depends_on() and point[z].is_Rational
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
                value = objective(trial)
                if value is not None and value > best:
                    point, best, improved = trial, value, True
                    break
            if improved:
                break
        if not improved:
            steps = {z: s / 2 for z, s in steps.items()}
            if all(s < sp.Rational(1, 10**12) for s in steps.values()):
                break
    return point, best
