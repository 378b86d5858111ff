r"""Every solution of an equation in the unknowns' domains, or an honest "cannot say".

:meth:`Derivation.solve <derive.core.derivation.Derivation.solve>` may record
``f(x) = 0 \iff x = r`` only when ``r`` is the *only* solution in the domain ``D`` of ``x``: the
equivalence over ``D`` says :math:`\{x \in D : f(x) = 0\} = \{r\} \cap D`. So :func:`solutions`
lists *candidates*, a finite list containing every solution in ``D``, and says whether that list is
complete:

- one unknown: ``sympy.solveset`` over the domain as a SymPy set; a finite set, or a finite set
  intersected with the domain (a root whose membership depends on parameters), is complete; an
  ``ImageSet``, a ``ConditionSet`` or an interval is not. A polynomial (or rational) equation that
  ``solveset`` leaves unsolved falls back on ``sympy.roots``, complete when the multiplicities add
  up to the degree;
- several unknowns: one equation per unknown, each in its own unknown, is solved unknown by
  unknown; a linear system by ``sympy.linsolve`` (unique when no unknown stays free); a polynomial
  system by ``sympy.solve`` (complete for a finite solution set).

A candidate provably outside the domain (not real, below the lower end, above the upper end) is
dropped; one whose membership cannot be decided is kept, so a single remaining candidate is the
unique solution wherever it lies in ``D`` and two possible ones are two roots. The
solution formulas hold where they are defined (a generic solution divides by its pivots).
Every SymPy call is time-boxed: running out of time is "not complete", never a guess.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TypeAlias

import numpy as np
import sympy as sp

from ..errors import DerivationError
from ..verify.budget import attempt

#: seconds of CPU time for one ``solveset``/``linsolve``/``solve`` call
BUDGET = 20.0
#: seconds for deciding whether one candidate lies outside the domain
MEMBERSHIP_BUDGET = 2.0
#: the numeric scan of a parameter-free equation: grid points, and the window of an unbounded domain
SCAN_POINTS, SCAN_WINDOW = 4001, 100.0
#: the largest finite set of integers whose members are tried one by one
MAX_INTEGERS = 200

Solution: TypeAlias = dict[sp.Symbol, sp.Expr]
#: a root chosen by the author: a value (one unknown), values in the unknowns' order, or a mapping
Root: TypeAlias = "sp.Basic | Sequence[sp.Basic] | dict[sp.Symbol, sp.Basic]"
#: the set each unknown ranges over
Sets: TypeAlias = Mapping[sp.Symbol, sp.Set]


@dataclass(frozen=True)
class Solutions:
    """Candidate solutions (every solution in the domains is among them when ``complete``) and how
    they were found (``method``, e.g. ``solveset over [-8, 8]``); ``detail`` says why not complete."""

    candidates: tuple[Solution, ...]
    complete: bool
    method: str
    detail: str = ""


def solutions(equations: Sequence[sp.Expr], unknowns: Sequence[sp.Symbol], sets: Sets) -> Solutions:
    """The solutions of ``equations`` (each ``= 0``) in ``unknowns`` ranging over ``sets``."""
    eqs = [e for e in (sp.sympify(q) for q in equations) if e != 0]
    if len(unknowns) == 1:
        return _one(eqs, unknowns[0], sets[unknowns[0]])
    separable = _separate(eqs, unknowns)
    if separable is not None:
        return _product([_one(separable[u], u, sets[u]) for u in unknowns])
    linear = _linear(eqs, unknowns, sets)
    return linear if linear is not None else _polynomial_system(eqs, unknowns, sets)


def outside(value: sp.Expr, domain: sp.Set) -> bool:
    """Whether ``value`` provably lies outside ``domain`` (``False``: inside, or undecided)."""
    value = sp.sympify(value)
    if domain.is_subset(sp.S.Reals) and value.is_extended_real is False:
        return True
    inside = attempt(lambda: domain.contains(value), MEMBERSHIP_BUDGET)
    if inside is sp.false:
        return True
    box = domain if isinstance(domain, sp.Interval) else _hull(domain)
    if box is None:
        return False
    return _below(value, box.start, box.left_open) or _below(-value, -box.end, box.right_open)


def describe(domain: sp.Set) -> str:
    """A SymPy set in plain text: ``[-8, 8]``, ``(0, oo)``, the reals."""
    if isinstance(domain, sp.Interval):
        left, right = "(" if domain.left_open else "[", ")" if domain.right_open else "]"
        return f"{left}{sp.sstr(domain.start)}, {sp.sstr(domain.end)}{right}"
    if isinstance(domain, sp.Range) and domain.size.is_finite and domain.size > 0:
        return f"integers in [{domain.inf}, {domain.sup}]"
    names = {sp.S.Reals: "the reals", sp.S.Complexes: "the complex numbers", sp.S.Integers: "the integers"}
    return names.get(domain, sp.sstr(domain))


def same_root(a: sp.Expr, b: sp.Expr) -> bool:
    """Whether two roots are provably the same (``simplify`` of the difference, time-boxed)."""
    return attempt(lambda: sp.simplify(a - b) == 0, 5.0) is True


def assumed_set(u: sp.Symbol) -> sp.Set:
    """The set a symbol without a domain ranges over, read from its assumptions."""
    base = sp.S.Integers if u.is_integer else sp.S.Reals if u.is_real else sp.S.Complexes
    if base is sp.S.Complexes:
        return base
    signs = [
        (u.is_positive, sp.Interval.open(0, sp.oo)),
        (u.is_nonnegative, sp.Interval(0, sp.oo)),
        (u.is_negative, sp.Interval.open(-sp.oo, 0)),
        (u.is_nonpositive, sp.Interval(-sp.oo, 0)),
        (u.is_nonzero, sp.Union(sp.Interval.open(-sp.oo, 0), sp.Interval.open(0, sp.oo))),
    ]
    box = next((b for known, b in signs if known), sp.S.Reals)
    return box if base is sp.S.Reals else sp.Intersection(base, box)


def chosen(root: Root, unknowns: list[sp.Symbol]) -> Solution:
    """A chosen root as ``{unknown: value}``."""
    if isinstance(root, dict):
        if set(root) != set(unknowns):
            raise DerivationError(f"root= must give a value for each of {unknowns}")
        return {u: sp.sympify(root[u]) for u in unknowns}
    values = list(root) if isinstance(root, (list, tuple)) else [root]
    if len(values) != len(unknowns):
        raise DerivationError(f"root= must give {len(unknowns)} values, one per unknown")
    return {u: sp.sympify(v) for u, v in zip(unknowns, values, strict=True)}


# -- one unknown -----------------------------------------------------------------------------------
def _one(eqs: Sequence[sp.Expr], x: sp.Symbol, domain: sp.Set) -> Solutions:
    where = describe(domain)
    if not eqs:
        return Solutions((), False, f"solveset over {where}", "every value solves 0 = 0")
    found = attempt(lambda: sp.solveset(eqs[0], x, domain), BUDGET)
    listed = _enumerate(found) if found is not None else None
    method = f"solveset over {where}"
    if listed is None:
        listed, method = _polynomial_roots(eqs[0], x), f"roots of the numerator polynomial, over {where}"
    if listed is None:
        listed, method = _each_integer(eqs[0], x, domain), f"each integer tried, over {where}"
    if listed is None:
        why = "timed out" if found is None else f"gave {sp.sstr(found)[:200]}"
        return Solutions((), False, f"solveset over {where}", f"solveset {why}, not a finite set it can enumerate")
    kept = [r for r in listed if not outside(r, domain) and all(_may_vanish(e.subs(x, r)) for e in eqs[1:])]
    missed = attempt(lambda: _missed_root(eqs[0], x, domain, kept), BUDGET) if len(eqs) == 1 else None
    if missed is not None:
        return Solutions(
            (), False, method, f"a sign change of the equation near {x} = {missed:.6g} is not among {kept}"
        )
    return Solutions(tuple({x: r} for r in kept), True, method)


def _missed_root(expr: sp.Expr, x: sp.Symbol, domain: sp.Set, roots: Sequence[sp.Expr]) -> float | None:
    """A root SymPy did not list, found numerically (``None``: none found, or not checkable).

    For an equation without parameters: sign changes of ``expr`` on a grid of the domain (clipped to
    ``[-100, 100]``), each narrowed by bisection and kept when ``expr`` vanishes there (a pole also
    changes sign), must lie next to a listed root. A confirmation of SymPy's list, never a proof.
    """
    box = domain if isinstance(domain, sp.Interval) else _hull(domain)
    if expr.free_symbols != {x} or box is None or not all(r.is_number for r in roots):
        return None
    lo, hi = (float(max(min(v, SCAN_WINDOW), -SCAN_WINDOW)) for v in (box.start, box.end))
    f = sp.lambdify(x, expr, "numpy")
    grid = np.linspace(lo, hi, SCAN_POINTS)
    with np.errstate(all="ignore"):
        values = np.real_if_close(np.broadcast_to(f(grid), grid.shape))
    if np.iscomplexobj(values):
        return None
    listed = [float(sp.re(sp.N(r))) for r in roots]
    for i in np.flatnonzero(np.sign(values[:-1]) * np.sign(values[1:]) < 0):
        left, right = grid[i], grid[i + 1]
        for _ in range(60):
            mid = (left + right) / 2
            left, right = (mid, right) if np.sign(f(mid)) == np.sign(f(left)) else (left, mid)
        if abs(f(mid)) < 1e-6 and not any(abs(mid - r) <= 1e-6 * (1 + abs(r)) for r in listed):
            return float(mid)
    return None


def _enumerate(found: sp.Set) -> list[sp.Expr] | None:
    """A finite list containing every element of ``found`` (``None``: not a finite set SymPy lists)."""
    if found is sp.S.EmptySet:
        return []
    if isinstance(found, sp.FiniteSet):
        return list(found.args)
    if isinstance(found, sp.Intersection):
        finite = [a for a in found.args if isinstance(a, sp.FiniteSet)]
        return list(finite[0].args) if finite else None
    if isinstance(found, sp.Complement):
        return _enumerate(found.args[0])
    if isinstance(found, sp.Union):
        parts = [_enumerate(a) for a in found.args]
        return None if any(p is None for p in parts) else [r for p in parts for r in p or []]
    return None


def _polynomial_roots(expr: sp.Expr, x: sp.Symbol) -> list[sp.Expr] | None:
    """Every root of the numerator of ``expr`` as a polynomial in ``x`` (``None``: not a
    polynomial, or ``sympy.roots`` found fewer roots than the degree)."""

    def find() -> list[sp.Expr] | None:
        num, den = sp.fraction(sp.together(expr))
        poly = sp.Poly(num, x)
        found = sp.roots(poly)
        if poly.degree() < 1 or sum(found.values()) != poly.degree():
            return None
        return [r for r in found if sp.sympify(den.subs(x, r)).is_zero is not True]

    return attempt(find, BUDGET)


def _each_integer(expr: sp.Expr, x: sp.Symbol, domain: sp.Set) -> list[sp.Expr] | None:
    """The roots among the (at most :data:`MAX_INTEGERS`) integers of a finite domain, each decided
    exactly (``None``: not such a domain, a parameter, or a value SymPy cannot decide)."""
    if not isinstance(domain, sp.Range) or not domain.size.is_finite or domain.size > MAX_INTEGERS:
        return None
    if expr.free_symbols != {x}:
        return None

    def vanishing(k: sp.Integer) -> bool | None:
        value = sp.simplify(expr.subs(x, k))
        return None if value.is_zero is None else bool(value.is_zero)

    decided = attempt(lambda: [(k, vanishing(k)) for k in domain], BUDGET)
    if decided is None or any(v is None for _, v in decided):
        return None
    return [k for k, v in decided if v]


def _may_vanish(e: sp.Expr) -> bool:
    """``False`` only when ``e`` is provably non-zero (a candidate that fails another equation)."""
    return sp.sympify(e).is_zero is not False


# -- several unknowns ------------------------------------------------------------------------------
def _separate(eqs: Sequence[sp.Expr], unknowns: Sequence[sp.Symbol]) -> dict[sp.Symbol, list[sp.Expr]] | None:
    """Equations grouped by their one unknown, when each involves exactly one and every unknown has one."""
    groups: dict[sp.Symbol, list[sp.Expr]] = {u: [] for u in unknowns}
    for e in eqs:
        involved = [u for u in unknowns if e.has(u)]
        if len(involved) != 1:
            return None
        groups[involved[0]].append(e)
    return groups if all(groups.values()) else None


def _product(parts: Sequence[Solutions]) -> Solutions:
    """Unknown-by-unknown solutions combined (complete when every part is)."""
    combos = itertools.product(*(p.candidates for p in parts))
    candidates = tuple({k: v for sol in combo for k, v in sol.items()} for combo in combos)
    detail = "; ".join(p.detail for p in parts if p.detail)
    methods = sorted({p.method for p in parts})
    return Solutions(candidates, all(p.complete for p in parts), "each equation by " + ", ".join(methods), detail)


def _linear(eqs: Sequence[sp.Expr], unknowns: Sequence[sp.Symbol], sets: Sets) -> Solutions | None:
    """A linear system by ``linsolve`` (``None``: not linear in the unknowns)."""
    if attempt(lambda: sp.linear_eq_to_matrix(list(eqs), list(unknowns)), BUDGET) is None:
        return None  # raised: not linear (or timed out: tried as a polynomial system, time-boxed too)
    found = attempt(lambda: sp.linsolve(list(eqs), list(unknowns)), BUDGET)
    if found is None:
        return Solutions((), False, "linsolve", "linsolve timed out")
    return _filtered(found, unknowns, sets, "linsolve, a linear system")


def _polynomial_system(eqs: Sequence[sp.Expr], unknowns: Sequence[sp.Symbol], sets: Sets) -> Solutions:
    """A polynomial system by ``solve`` (Groebner bases): complete when every solution is isolated."""
    if attempt(lambda: all(_is_rational_in(e, unknowns) for e in eqs), BUDGET) is not True:
        return Solutions((), False, "solve", "not a linear or polynomial system, nor one equation per unknown")
    found = attempt(lambda: sp.solve(list(eqs), list(unknowns), dict=True), BUDGET)
    if found is None:
        return Solutions((), False, "solve", "solve timed out")
    tuples = [tuple(sol.get(u, u) for u in unknowns) for sol in found]
    return _filtered(
        sp.FiniteSet(*(sp.Tuple(*t) for t in tuples)) if tuples else sp.S.EmptySet,
        unknowns,
        sets,
        "solve, a polynomial system",
    )


def _filtered(found: sp.Set, unknowns: Sequence[sp.Symbol], sets: Sets, method: str) -> Solutions:
    """Solution tuples kept unless a component is provably outside its domain; a free unknown left
    in a solution means infinitely many (not complete)."""
    listed = _enumerate(found)
    if listed is None:
        return Solutions((), False, method, f"gave {sp.sstr(found)[:200]}")
    out = []
    for values in listed:
        sol = dict(zip(unknowns, values, strict=True))
        if any(v.has(*unknowns) for v in sol.values()):
            return Solutions((), False, method, "infinitely many solutions (an unknown stays free)")
        if not any(outside(v, sets[u]) for u, v in sol.items()):
            out.append(sol)
    return Solutions(tuple(out), True, method)


def _is_rational_in(e: sp.Expr, unknowns: Sequence[sp.Symbol]) -> bool:
    num, den = sp.fraction(sp.together(e))
    return all(sp.sympify(p).is_polynomial(*unknowns) for p in (num, den))


# -- membership ------------------------------------------------------------------------------------
def _hull(domain: sp.Set) -> sp.Interval | None:
    """A closed interval holding ``domain`` (``None`` when SymPy cannot say)."""
    hull = attempt(lambda: sp.Interval(domain.inf, domain.sup), MEMBERSHIP_BUDGET)
    return hull if isinstance(hull, sp.Interval) else None


def _below(value: sp.Expr, lo: sp.Expr, strict: bool) -> bool:
    """Whether ``value`` is provably below ``lo`` (or at it, when the end is open)."""
    if lo.is_infinite:
        return False
    gap = attempt(lambda: sp.factor(sp.cancel(sp.together(value - lo))), MEMBERSHIP_BUDGET)
    if gap is None:
        return False
    return bool(gap.is_extended_negative) or (strict and bool(gap.is_extended_nonpositive))
