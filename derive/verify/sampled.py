r"""The ladder's numeric rung: equality and sign tested at points chosen for and against the claim.

A link that no symbolic rung proves is *tested*, never proved, at

- edge and random points of the variables' domains (:func:`~derive.numeric.sampling.exact_points`),
- points with 40 random digits (a comb :math:`\sin(3\cdot10^{20}\pi x)` vanishes at short decimals),
- candidate points where a term is special: kinks, breakpoints, bump centres, ties
  (:mod:`derive.numeric.adversary`),
- and the end of a local search that climbs the relative difference from the worst point.

What is judged is the **difference** :math:`D = a - b` after cheap symbolic cancellation, relative
to the size of *its own* terms, with no absolute floor: :math:`e^{1000} + x` against
:math:`e^{1000} + 2x` differs by :math:`x` (cancelled), and :math:`e^{-200}x` against
:math:`2e^{-200}x` by 100 %. The working precision grows with the dynamic range of ``D``'s terms, so
a small term is never below the round-off of a large one. A difference is a counterexample only if
it *settles*: re-evaluated at :data:`~derive.numeric.precise.RECHECK_DIGITS` digits it stays put
(round-off shrinks as the precision grows, a true difference does not).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from functools import partial
from typing import Any

import mpmath
import numpy as np
import sympy as sp

from ..maths.domains import Domain, with_bounds
from ..maths.special import elementary
from ..numeric import precise
from ..numeric.adversary import candidate_points, high_entropy_points, search
from ..numeric.sampling import exact_points, generator
from .budget import attempt, cpu_time
from .sums import standard_ranges, unroll_sums
from .verification import Verification

#: the most working digits the dynamic range of a difference may ask for
MAX_DIGITS = 2000
ENTROPY_POINTS = 4
SEARCH_EVALUATIONS = 24
#: the budget for finding breakpoints and roots (a polynomial of high degree is not expanded past it)
CANDIDATE_SECONDS = 2.0
#: the numeric rung's budget is this many times longer when every point takes a limit (SymPy's
#: limit at concrete parameters costs about 0.3 s: a rung of 4 s would reach too few points)
LIMIT_FACTOR = 2
#: ``required`` when the breakpoints could not be found: a verdict of "equal" is then out of reach
UNREACHABLE = 10**9

Point = dict[sp.Symbol, sp.Expr]


@dataclass(frozen=True)
class Sampler:
    """What the numeric rung needs of the ladder: domains, precision, point count, seed, budget."""

    domains: Mapping[Any, Domain]
    digits: int = 30
    points: int = 24
    seed: int | None = None
    salt: str = ""
    budget: float = 4.0

    # ------------------------------------------------------------------------------ the plan
    def plan(self, exprs: tuple[sp.Basic, ...]) -> tuple[dict[sp.Symbol, Domain], set[sp.Symbol]]:
        """The domains of the scalar symbols to sample for ``exprs``, and any symbol that has none
        (entries ``z[k]`` of an indexed variable are drawn by :meth:`instantiate`)."""
        symbols: set[sp.Symbol] = set()
        for e in exprs:
            bases = {ix.base.label for ix in e.atoms(sp.Indexed)}
            symbols |= {s for s in e.free_symbols if isinstance(s, sp.Symbol) and s not in bases}
        for base in {ix.base for e in exprs for ix in e.atoms(sp.Indexed)}:
            if base not in self.domains and base.label not in self.domains:
                symbols.add(base.label)
        named = {s: d for s, d in self.domains.items() if s in symbols and isinstance(d, Domain)}
        needed = with_bounds(named, self.domains)  # and the variables their bounds name
        domains = {s: d for s, d in self.domains.items() if isinstance(s, sp.Symbol) and (s in symbols or s in needed)}
        return domains, {s for s in symbols if s not in domains and not _has_indexed_domain(s, self.domains)}

    def instantiate(
        self,
        e: sp.Basic,
        point: Mapping[sp.Symbol, sp.Expr],
        rng: np.random.Generator,
        cache: dict[sp.Indexed, sp.Expr],
    ) -> sp.Basic:
        """``e`` at ``point``; sums over a now-concrete range are written out (an empty range is
        empty, never SymPy's reversed-range convention) and every entry ``z[k]`` of an indexed
        variable gets a value drawn from its domain (the same within a point)."""
        v = e.xreplace(dict(point))
        if v.has(sp.Limit):  # a limit with its parameters now concrete
            v = v.replace(lambda x: isinstance(x, sp.Limit) and not x.free_symbols, lambda x: x.doit())
        if v.has(sp.Sum, sp.Product, sp.KroneckerDelta):
            v = unroll_sums(standard_ranges(v, {}))
            v = unroll_sums(v.doit()) if v.has(sp.Sum, sp.Product, sp.KroneckerDelta) else v
        # only entries with concrete indices are values; z[k] under a sum that could not be
        # unrolled stays symbolic, so the point is not evaluated rather than evaluated wrongly
        entries = {ix for ix in v.atoms(sp.Indexed) if all(k.is_Integer for k in ix.indices)}
        for ix in sorted(entries, key=str):
            if ix not in cache:
                dom = self.domains.get(ix.base, self.domains.get(ix.base.label))
                if dom is None:
                    raise ValueError(f"no domain for the entries of {ix.base}")
                cache[ix] = sp.Rational(repr(float(dom.sample(rng, 1, {})[0])))
        return v.xreplace(cache) if entries else v

    def points_for(self, exprs: tuple[sp.Basic, ...], rng: np.random.Generator) -> tuple[list[Point], int, bool]:
        """The points to test, how many of the first must be evaluated before a verdict, and
        whether the test is *closed* (no variable at all: one point decides).

        The order is the adversarial one: breakpoints and roots, then a 40-digit point (a comb that
        vanishes at every short decimal does not vanish there), then the random exact points, then
        more 40-digit points; a deadline that stops the walk before the first 40-digit point leaves
        the test undecided."""
        domains, _ = self.plan(exprs)
        if not domains:
            if any(e.has(sp.Indexed) for e in exprs):
                return [{} for _ in range(self.points)], 0, False
            return [{}], 1, True
        base = exact_points(domains, rng, self.points)
        special = attempt(partial(candidate_points, exprs, domains, base[-1]), CANDIDATE_SECONDS)
        entropy = high_entropy_points(domains, rng, ENTROPY_POINTS, base=base[len(base) // 2 :])
        first, rest = entropy[:1], entropy[1:]  # one is enough against a comb; the rest are extra
        if special is None:  # the breakpoints were not found: no number of points can make up for them
            return [*first, *base, *rest], UNREACHABLE, False
        return [*special, *first, *base, *rest], len(special) + len(first), False

    # ------------------------------------------------------------------------------ equality
    def equal(self, a: sp.Basic, b: sp.Basic, difference: sp.Expr | None = None) -> Verification:
        """Test ``a == b``; ``difference`` is ``a - b`` already cancelled symbolically, if known."""
        domains, missing = self.plan((a, b))
        if missing:
            return Verification(
                None, "numeric", False, f"no domain for {', '.join(sorted(map(str, missing)))}: cannot sample"
            )
        rng = generator(self.seed, salt=self.salt + "|ladder")
        ea, eb = elementary(a), elementary(b)
        gap = elementary(difference) if difference is not None else ea - eb
        points, required, closed = self.points_for((ea, eb, gap), rng)
        digits = precise.RECHECK_DIGITS if closed else self.digits + 15
        found = _Worst()
        slow = any(e.has(sp.Limit) for e in (ea, eb))  # each point takes a limit symbolically
        deadline = cpu_time() + max(self.budget, 4.0) * (LIMIT_FACTOR if slow else 1)
        tried, fine = 0, 0
        for point in points:
            if cpu_time() > deadline:
                break
            tried += 1
            before = found.used
            verdict = self._judge((ea, eb, gap), point, rng, digits, found)
            if verdict is not None:
                return verdict
            fine += found.used > before and _fine(point)
        if tried < required:
            return _out_of_time(self.digits, tried, required, found.used)
        continuous = any(not getattr(d, "integer", False) for d in domains.values())
        if continuous and not (closed or fine or slow):  # a limit at 40-digit values rarely ends in time
            return Verification(
                None,
                f"numeric ({self.digits} digits)",
                False,
                f"no 40-digit point could be evaluated ({found.used} exact points were): a comb, or a swap "
                "of symbols that the exact points make symmetric, could hide between them",
                points=found.used,
            )
        verdict = self._climb((ea, eb, gap), domains, rng, digits, found, deadline)
        if verdict is not None:
            return verdict
        return self._summary(found, len(points), closed)

    def _judge(
        self, exprs: tuple[sp.Basic, ...], point: Point, rng: np.random.Generator, digits: int, found: _Worst
    ) -> Verification | None:
        """Evaluate at one point: a settled difference is a refutation; otherwise the point counts
        (if it could be evaluated) toward the verification."""
        cache: dict[sp.Indexed, sp.Expr] = {}
        at = attempt(partial(_instantiate_all, self, exprs, point, rng, cache), 2.0)
        measured = None if at is None else attempt(partial(measure, at[2], digits), 2.0)
        sides = None if at is None else attempt(partial(_values, at[:2], digits), 2.0)
        if at is None or measured is None or sides is None:
            return None
        value, scale = measured
        if self._beyond(value, scale):
            again = attempt(partial(measure, at[2], precise.RECHECK_DIGITS + _extra(digits)), 4.0)
            if again is None:
                return None  # neither confirmed nor dismissed: the point is not evaluated
            if self._beyond(*again) and abs(again[0] - value) <= abs(again[0]) / 2:
                where = {**{str(k): str(v) for k, v in point.items()}, **{str(k): str(v) for k, v in cache.items()}}
                return _refutation(self.digits, again[0], sides, point, where, found.used + 1)
            value, scale = again
        found.add(point, value, scale)
        return None

    def _beyond(self, value: Any, scale: Any) -> bool:
        return bool(scale != 0 and abs(value) > mpmath.mpf(10) ** -(self.digits - 8) * scale)

    def _climb(
        self,
        exprs: tuple[sp.Basic, ...],
        domains: Mapping[sp.Symbol, Domain],
        rng: np.random.Generator,
        digits: int,
        found: _Worst,
        deadline: float,
    ) -> Verification | None:
        """A local search from the worst point for a larger relative difference, judged like any point."""
        gap = exprs[2]
        if found.point is None or gap.has(sp.Indexed, sp.Sum, sp.Product) or cpu_time() > deadline:
            return None

        def magnitude(point: Mapping[sp.Symbol, sp.Expr]) -> float | None:
            if cpu_time() > deadline:
                return None
            out = attempt(partial(measure, gap.xreplace(dict(point)), 20), 0.5)
            if out is None or out[1] == 0:
                return None
            return float(mpmath.log10(abs(out[0]) / out[1] + mpmath.mpf(10) ** -60))

        best, _ = search(magnitude, found.point, domains, evaluations=SEARCH_EVALUATIONS)
        return None if best == found.point else self._judge(exprs, best, rng, digits, found)

    def _summary(self, found: _Worst, tried: int, closed: bool) -> Verification:
        method = f"numeric ({self.digits} digits)"
        needed = 1 if closed else max(3, tried // 3)
        if found.used < needed:
            return Verification(
                None, method, False, f"only {found.used} of {tried} points could be evaluated", points=found.used
            )
        where = "no variable: evaluated once" if closed else f"{found.used} points"
        return Verification(
            True,
            f"numeric ({self.digits} digits, {where})",
            False,
            f"max relative difference {precise.fmt(found.worst, 8)}; points include breakpoints, "
            "40-digit coordinates and a local search",
            points=found.used,
        )

    # ------------------------------------------------------------------------------ sign
    def sign(self, e: sp.Expr, *, strict: bool) -> Verification:
        """Test ``e >= 0`` (``> 0``) at the same kinds of points; a settled negative value refutes."""
        _, missing = self.plan((e,))
        if missing:
            return Verification(None, "numeric", False, f"no domain for {', '.join(sorted(map(str, missing)))}")
        rng = generator(self.seed, salt=self.salt + "|sign")
        ee = elementary(e)
        points, _, closed = self.points_for((ee,), rng)
        used, lowest = 0, math.inf
        for point in points:
            cache: dict[sp.Indexed, sp.Expr] = {}
            at = attempt(partial(self.instantiate, ee, point, rng, cache), 2.0)
            v = None if at is None else attempt(partial(precise.value, at, self.digits + 15), 2.0)
            if v is None or not isinstance(v, mpmath.mpf):
                continue
            used += 1
            lowest = min(lowest, float(v))
            if v < 0 or (strict and v == 0):
                again, stable = precise.settled(at, v)  # round-off around a true 0 shrinks
                if again is None:
                    used -= 1
                    continue
                if (again < 0 and stable) or (strict and (again == 0 or not stable)):
                    return Verification(
                        False,
                        f"numeric ({self.digits} digits)",
                        False,
                        f"value {precise.fmt(again, 8)} at {describe(point)}",
                        counterexample={str(k): str(x) for k, x in point.items()},
                        points=used,
                    )
        if used < (1 if closed else 3):
            return Verification(None, "numeric", False, "too few points could be evaluated")
        return Verification(
            True, f"numeric ({self.digits} digits, {used} points)", False, f"minimum {lowest:.8g}", points=used
        )


# ------------------------------------------------------------------------------ measuring a difference
def measure(gap: sp.Basic, digits: int) -> tuple[Any, Any] | None:
    """``(value, scale)`` of a closed difference: its value and the size of its largest term, at a
    precision raised by the terms' dynamic range (so a small term is not lost in a large one's
    round-off). ``None`` if a term has no finite value."""
    terms = sp.Add.make_args(gap)
    values = [precise.value(t, digits) for t in terms]
    if any(v is None for v in values):
        return None
    sizes = [abs(v) for v in values if v != 0]
    if not sizes:
        return mpmath.mpf(0), mpmath.mpf(0)
    spread = int(mpmath.log10(max(sizes) / min(sizes))) if len(sizes) > 1 else 0
    if spread > 8 and digits < MAX_DIGITS:
        values = [precise.value(t, min(digits + spread, MAX_DIGITS)) for t in terms]
        if any(v is None for v in values):
            return None
    with mpmath.workdps(min(digits + max(spread, 0), MAX_DIGITS)):
        total = mpmath.fsum(values)
        return total, max(abs(v) for v in values)


def _out_of_time(digits: int, tried: int, required: int, used: int) -> Verification:
    """Undecided: the budget ran out before the breakpoints and 40-digit points were all tried
    (or the breakpoints could not be found at all)."""
    detail = (
        "the breakpoints and roots could not be found in time"
        if required == UNREACHABLE
        else f"out of time after {tried} of the {required} breakpoints and the first 40-digit point"
    )
    return Verification(None, f"numeric ({digits} digits)", False, detail, points=used)


def _extra(digits: int) -> int:
    return max(digits - precise.RECHECK_DIGITS, 0)


def _fine(point: Point) -> bool:
    """Whether ``point`` is one of the 40-digit points (a coordinate with a denominator past 10^30)."""
    return any(isinstance(v, sp.Rational) and v.q > 10**30 for v in point.values())


@dataclass
class _Worst:
    """The points evaluated so far and the worst relative difference among them."""

    used: int = 0
    worst: float = 0.0
    point: Point | None = None

    def add(self, point: Point, value: Any, scale: Any) -> None:
        self.used += 1
        relative = float(abs(value) / scale) if scale != 0 else 0.0
        if self.point is None or relative >= self.worst:
            self.worst, self.point = relative, dict(point)


def _instantiate_all(
    sampler: Sampler,
    exprs: tuple[sp.Basic, ...],
    point: Mapping[sp.Symbol, sp.Expr],
    rng: np.random.Generator,
    cache: dict[sp.Indexed, sp.Expr],
) -> tuple[sp.Basic, ...]:
    return tuple(sampler.instantiate(e, point, rng, cache) for e in exprs)


def _values(exprs: tuple[sp.Basic, ...], dps: int) -> tuple[Any, ...] | None:
    values = tuple(precise.value(e, dps) for e in exprs)
    return None if any(v is None for v in values) else values


def _refutation(
    digits: int, gap: Any, sides: tuple[Any, ...], point: Point, where: dict[str, str], used: int
) -> Verification:
    return Verification(
        False,
        f"numeric ({digits} digits)",
        False,
        f"differ by {precise.fmt(abs(gap), 8)} at {describe(point)}",
        counterexample=where,
        values=(precise.fmt(sides[0], 8), precise.fmt(sides[1], 8)),
        points=used,
    )


def _has_indexed_domain(s: sp.Symbol, domains: Mapping[Any, object]) -> bool:
    return any(isinstance(k, sp.IndexedBase) and k.label == s for k in domains)


def describe(point: Mapping[sp.Symbol, sp.Expr]) -> str:
    """``x = 2.345, y = -1`` for a message."""
    items = sorted(point.items(), key=lambda kv: str(kv[0]))
    return ", ".join(f"{k} = {float(v):.6g}" for k, v in items) or "(no variables)"
