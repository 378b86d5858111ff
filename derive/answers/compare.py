r"""The numeric half of judging an answer: fixed sample points, then points chosen against it.

A :class:`Probe` compares one answer :math:`a` with one target :math:`t` after cancelling their
common additive terms (:func:`~.precision.reduce_common`), point by point with
:func:`~.precision.settle` (the precision each point's dynamic range needs). The checker uses it
twice: :meth:`Probe.screen` at the first :data:`~.question.QUICK` sample points before any
symbolic work (wrong answers are rejected at once), then, if no proof was found,
:meth:`Probe.verify`:

1. every fixed sample point of the question (edges, random points, large magnitudes);
2. the breakpoints of both sides (:func:`derive.numeric.adversary.candidate_points`, each
   variable moved with the others fixed: jumps, kinks, bump centres, tie values at a strict or
   non-strict inequality), and the centres of bumps in several variables (:func:`centres`);
3. unpredictable points: random points of the domain and points with 40 random digits, on which a
   comb :math:`\sin(3 \cdot 10^{20} \pi x)` is not zero (:func:`entropic`);
4. a counterexample search (:func:`derive.numeric.adversary.search`) that climbs
   :math:`\log_{10} |a' - t'|` from the points where the difference is largest, for narrow bumps
   whose centre no formula gives (skipped where the difference is round-off everywhere: there is
   nothing to climb).

**A real question** (a target written without ``I``) is compared only where the target is real and
finite: a point where it is not (``sqrt(1/x)`` at ``x < 0``, or a value computed through a non-real
one) is skipped, and the question's context draws extra points where it is real when too few of
its sample points are. An answer with no real value where the target has one (a pole, ``log(0)``,
``sqrt(k/m)`` with ``k/m < 0``) is wrong (``absent``), unless the point is an isolated singularity
(the answer is real a relative :data:`NEAR` away, ``x/x`` at 0). No non-real value is ever shown.

A confirmed difference that is tiny beside the target's typical size (a bump seen only in its
tail) is kept while the later stages look for a clearer counterexample, and reported if none
turns up. Agreement everywhere is a *numeric* verdict, reported with what was checked; steps 2-4
are not optional: an answer whose budget runs out before them is undecided, never correct.
"""

from __future__ import annotations

import dataclasses
import math
import secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import mpmath
import numpy as np
import sympy as sp

from ..maths.domains import Domain
from ..numeric.adversary import MAX_CANDIDATES, candidate_points, high_entropy_points, search
from ..numeric.precise import DIGITS, REL_TOL_DIGITS
from .precision import (
    ABSENT,
    ABSENT_ANSWER,
    DIFFER,
    EQUAL,
    MARGIN,
    UNDEFINED,
    Measured,
    Outcome,
    Pair,
    Tolerance,
    margins,
    realised,
    reduce_common,
    settle,
    typical,
)
from .question import QUICK, Context
from .verdict import CORRECT, INCORRECT, UNDECIDED

#: unpredictable points after the fixed ones (many more where the answer has jumps the target lacks)
FRESH = 6
FRESH_ROUGH = 40
#: points with 40 random significant digits
ENTROPY = 4
#: objective evaluations of the counterexample search, per start point, and start points
SEARCH = 30
STARTS = 2
#: a difference below this fraction of the target's typical size is a weak counterexample
WEAK = mpmath.mpf(10) ** -20
#: how far (relative) a point is moved to tell an isolated singularity of the answer (``x/x`` at 0)
#: from a region where it is undefined
NEAR = sp.Rational(1, 10**30)
Point = dict[sp.Basic, sp.Expr]
#: how a counterexample's method names the stage that found it
WHERE = {
    "breakpoint": "at a breakpoint",
    "random point": "at an unpredictable point",
    "40-digit random point": "at a 40-digit random point",
    "a counterexample search": "found by a counterexample search",
}
#: nodes the evaluator may fail on where the answer does have a value
_OPAQUE = (sp.Derivative, sp.Integral, sp.Subs, sp.Limit, sp.Sum, sp.Product)
_ROUGH = (sp.Heaviside, sp.Abs, sp.Max, sp.Min, sp.sign, sp.Piecewise, sp.floor, sp.ceiling, sp.frac)


@dataclass
class Probe:
    """One answer against one target: the reduced pair and what was seen."""

    ctx: Context
    answer: sp.Basic
    target: sp.Basic
    deadline: float
    reduced: tuple[sp.Basic, sp.Basic] = (sp.S.Zero, sp.S.Zero)
    equal: int = 0
    digits: int = DIGITS
    #: (objective, point, entries) of every point seen: where the search starts
    seen: list[tuple[float, Point, dict]] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)

    tolerance: Tolerance = field(default_factory=lambda: Tolerance(0, 1))
    #: a confirmed but tiny difference, reported if no clearer one turns up
    weak: dict[str, Any] | None = None
    #: the pairs at the fixed sample points at :data:`DIGITS` digits, by index
    firsts: dict[int, Pair | None] = field(default_factory=dict)
    #: a real question (the target written without ``I``): only points where the target is real
    #: and finite are compared, and an answer without a real value there is wrong
    real: bool = True
    #: fixed points not compared (the target undefined or not real there)
    skipped: int = 0
    #: per point, ``ok``, ``skip`` or ``absent`` (see :meth:`_kind`)
    kinds: dict[Any, str] = field(default_factory=dict)
    #: whether common terms were cancelled (the reduced pair's values then say nothing of the sides')
    cancelled: bool = False

    def __post_init__(self) -> None:
        ua, ut = self.ctx.unfolded(self.answer), self.ctx.unfolded(self.target)
        self.reduced = reduce_common(ua, ut)
        self.cancelled = self.reduced != (ua, ut)
        self.real = not ut.has(sp.I)
        values = self.ctx.values(ut, cache=True)
        sizes = sorted(abs(v) for v in values if v is not None and v != 0 and not isinstance(v, mpmath.mpc))
        self.tolerance = Tolerance(0, sizes[len(sizes) // 2] if sizes else 1)

    # -- one point -----------------------------------------------------------------------------
    def _pair(
        self, point: Point, entries: dict, rng: Any, dps: int, index: int | None = None, like: Pair | None = None
    ) -> Pair | None:
        """The reduced pair at ``point`` (the ``index``-th fixed point, if given) at ``dps`` digits;
        with ``like``, the pair at fewer digits, its round-off bounds are reused (they count
        roundings, which do not depend on the precision) instead of being walked again."""
        ra, rt = self.reduced
        bound = like is None
        if index is not None and bound:
            ma, mt = self.ctx.measure(ra, index, dps), self.ctx.measure(rt, index, dps)
        else:
            ma, mt = (self.ctx.measure_at(e, point, entries, rng, dps, bound=bound) for e in (ra, rt))
        if self.real:
            kind = self._kind(point, entries, rng, index, ma, mt, dps)
            if kind == "absent":
                full = self._full(self.target, point, entries, rng, index)
                return ABSENT_ANSWER, Measured(full.value if full is not None else None, -math.inf)
            if kind == "skip":
                return None
        if ma is None or mt is None:
            return None
        if like is not None:
            ma, mt = ma._replace(error=like[0].error), mt._replace(error=like[1].error)
        return ma, mt

    def _kind(
        self,
        point: Point,
        entries: dict,
        rng: Any,
        index: int | None,
        ma: Measured | None,
        mt: Measured | None,
        dps: int,
    ) -> str:
        """``ok`` (compare), ``skip`` (the target has no real value here: not compared) or ``absent``
        (the answer has none where the target has one), read from the full sides once per point
        when the reduced pair is not plainly real or is not the full pair."""
        plain = realised(ma, dps) is not None and realised(mt, dps) is not None
        if plain and (not self.cancelled or index is None):
            return "ok"  # at a point found against the answer, a difference is checked in _found
        key = index if index is not None else tuple(sorted((str(k), v) for k, v in point.items()))
        kind = self.kinds.get(key)
        if kind is None and plain:
            # the parts that differ are real, so the sides are real where the target is (the common
            # terms are the target's): the target's value at a fixed point is cached
            real = realised(self._full(self.target, point, entries, rng, index), DIGITS) is not None
            kind = self.kinds[key] = "ok" if real else "skip"
        elif kind is None:
            kind = self.kinds[key] = self._classify(point, entries, rng, index)
        return kind

    def _full(self, e: sp.Basic, point: Point, entries: dict, rng: Any, index: int | None, dps: int = DIGITS) -> Any:
        if index is not None and dps == DIGITS:
            return self.ctx.measure(e, index)
        return self.ctx.measure_at(e, point, entries, rng, dps)

    def _target_real(self, point: Point, entries: dict) -> bool:
        rng = np.random.Generator(np.random.PCG64(3))
        return realised(self.ctx.measure_at(self.target, point, entries, rng, DIGITS), DIGITS) is not None

    def _classify(self, point: Point, entries: dict, rng: Any, index: int | None) -> str:
        if realised(self._full(self.target, point, entries, rng, index), DIGITS) is None:
            return "skip"
        answer = self._full(self.answer, point, entries, rng, index)
        if realised(answer, DIGITS) is not None:
            return "ok"
        if answer is None and self.ctx.unfolded(self.answer).has(*_OPAQUE):
            return "skip"  # no value may be the evaluator's limit (a derivative it cannot take), not the answer's
        if answer is not None and realised(self._full(self.answer, point, entries, rng, None, 2 * DIGITS), 2 * DIGITS):
            return "ok"  # an imaginary part that was round-off after all
        return "skip" if self._isolated(point, entries, rng) else "absent"

    def _isolated(self, point: Point, entries: dict, rng: Any) -> bool:
        """Whether the answer has a real value (and the target too) at a point moved by a relative
        :data:`NEAR` either way: an isolated singularity (``x/x`` at 0) is not a wrong answer."""
        movable = [z for z in point if isinstance(z, sp.Symbol) and z in self.ctx._sample]
        for sign in (1, -1):
            if not movable:
                break
            near = {k: v + sign * (abs(v) + 1) * NEAR if k in movable else v for k, v in point.items()}
            if not valid(near, self.ctx._sample):
                continue
            pair = [self.ctx.measure_at(e, near, entries, rng, DIGITS) for e in (self.answer, self.target)]
            if all(realised(m, DIGITS) is not None for m in pair):
                return True
        return False

    def _scaled(self, upto: int) -> None:
        """The fixed points' first values up to ``upto``, and the tolerance's scale from them."""
        for i in range(upto):
            if i not in self.firsts:
                self.firsts[i] = self._pair(self.ctx.points[i], self.ctx._entries[i], self.ctx._rngs[i], DIGITS, i)
        scale = typical([self.firsts[i] for i in range(upto)])
        self.tolerance = Tolerance(scale, self.tolerance.fallback)

    def _decide(self, point: Point, entries: dict, rng: Any, index: int | None = None) -> Outcome:
        if index is not None and index in self.firsts:
            first = self.firsts[index]
        else:
            first = self._pair(point, entries, rng, DIGITS, index)
        if first is not None and first[0] is not ABSENT_ANSWER:
            self.seen.append((score(first, self.tolerance), point, entries))
        out = settle(lambda dps: self._pair(point, entries, rng, dps, index, first), self.tolerance, first)
        if out.kind == UNDEFINED and index is not None:
            self.skipped += 1
        if out.kind == EQUAL:
            self.equal += 1
            self.digits = max(self.digits, out.digits)
        return out

    def at_index(self, i: int) -> Outcome:
        return self._decide(self.ctx.points[i], self.ctx._entries[i], self.ctx._rngs[i], i)

    def at_point(self, point: Point, entries: dict, rng: Any) -> Outcome:
        """Decide at any point; ``entries`` receives the indexed entries drawn there."""
        return self._decide(point, entries, rng)

    # -- stages --------------------------------------------------------------------------------
    def screen(self) -> dict[str, Any] | None:
        """The first :data:`QUICK` fixed points: a confirmed difference is a counterexample."""
        for i in range(min(QUICK, len(self.ctx.points))):
            self._scaled(i + 1)  # the scale of the points seen so far: a clear difference stops here
            out = self.at_index(i)
            found = self._found(out, self.ctx.points[i], self.ctx._entries[i], index=i)
            if found is not None:
                return found
        return None

    def verify(self) -> dict[str, Any]:
        """Every fixed point, then breakpoints, unpredictable points and a search (see the module)."""
        n = len(self.ctx.points)
        self._scaled(n)
        self.equal = 0
        self.skipped = 0
        self.seen = []
        for i in range(n):
            found = self._found(self.at_index(i), self.ctx.points[i], self.ctx._entries[i], index=i)
            if found is not None:
                return found
        needed = max(6, n // 3) if n > 1 else 1
        if self.equal < needed and self.weak is None:
            return {
                "status": UNDECIDED,
                "method": "numeric",
                "used": self.equal,
                "skipped": self.skipped,
                "needed": needed,
            }
        self.counts["sample point"] = self.equal
        for stage in (self._breakpoints, self._fresh, self._search):
            if time.perf_counter() > self.deadline:
                break
            found = stage()
            if found is not None:
                return found
        else:
            return self.weak or {
                "status": CORRECT,
                "method": f"numeric ({self._checked()})",
                "checked": self._checked(),
            }
        return self.weak or {"status": UNDECIDED, "method": "time limit (before the counterexample search)"}

    def _symbols(self) -> dict[sp.Basic, Any]:
        """The domains of the variables the reduced pair depends on (and of their bounds')."""
        free: set[sp.Basic] = set()
        for e in self.reduced:
            free |= e.free_symbols
        sample = self.ctx._sample
        deps = {d for s in free if s in sample for d in sample[s].depends_on()}
        return {s: d for s, d in sample.items() if s in free | deps}

    def _base(self) -> Point:
        for i, p in enumerate(self.ctx.points):
            if not self.ctx._entries[i]:
                return dict(p)
        return dict(self.ctx.points[0])

    def _try(self, points: list[Point], label: str, rng: Any) -> dict[str, Any] | None:
        tried = 0
        for point in points:
            if time.perf_counter() > self.deadline:
                break
            if not valid(point, self.ctx._sample):
                continue
            entries: dict = {}
            out = self.at_point(point, entries, rng)
            tried += out.kind == EQUAL
            found = self._found(out, point, entries, where=label)
            if found is not None:
                return found
        if tried:
            self.counts[label] = self.counts.get(label, 0) + tried
        return None

    def _breakpoints(self) -> dict[str, Any] | None:
        """Each variable moved, the others fixed at a base point, to where a node is special."""
        domains = self._symbols()
        base = self._base()
        points: list[Point] = []
        exprs = [e for e in self.reduced if not e.has(sp.Sum, sp.Product, sp.Integral)]  # no bound names
        for z in sorted(domains, key=str):
            others = {k: v for k, v in base.items() if k != z}
            fixed = [e.xreplace(others) for e in exprs]  # one variable left: its roots
            points += candidate_points(fixed, resolved({z: domains[z]}, base), base)
        points = [*centres(exprs, domains, base), *points]
        rng = np.random.Generator(np.random.PCG64(7))
        return self._try(points[:MAX_CANDIDATES], "breakpoint", rng)

    def _fresh(self) -> dict[str, Any] | None:
        domains = self._symbols()
        if not domains:
            return None
        rng = np.random.Generator(np.random.PCG64(secrets.randbits(64)))
        ra, rt = self.reduced
        rough = any(ra.has(f) and not rt.has(f) for f in _ROUGH)
        found = self._try(self.ctx.fresh_points(FRESH_ROUGH if rough else FRESH), "random point", rng)
        if found is not None:
            return found
        points = [entropic(domains, self._base(), rng) for _ in range(ENTROPY)]
        return self._try(points, "40-digit random point", rng)

    def _search(self) -> dict[str, Any] | None:
        domains = self._symbols()
        if not domains or not self.seen:
            return None
        rng = np.random.Generator(np.random.PCG64(11))

        def objective(p: Mapping[sp.Symbol, sp.Expr]) -> float | None:
            if time.perf_counter() > self.deadline or not valid(p, self.ctx._sample):
                return None
            pair = self._pair(dict(p), {}, rng, DIGITS)
            return None if pair is None or pair[0] is ABSENT_ANSWER else score(pair, self.tolerance)

        starts = sorted(self.seen, key=lambda s: s[0], reverse=True)[:STARTS]
        for first, start, _entries in starts:
            if first == float("-inf") or any(k not in start for k in domains):
                continue  # nothing but round-off to climb from here
            best, value = search(objective, start, resolved(domains, start), evaluations=SEARCH)
            self.counts["search"] = self.counts.get("search", 0) + 1
            if value > first:  # the largest difference the search reached, decided as any point
                found = self._try([best], "a counterexample search", rng)
                if found is not None:
                    return found
        return None

    # -- reports -------------------------------------------------------------------------------
    def _checked(self) -> str:
        """What a numeric verdict rests on: the digits, the points of each kind, the precision."""
        if len(self.ctx.points) == 1:  # a closed expression: one value
            return f"{REL_TOL_DIGITS} significant digits: one value, evaluated with {self.digits} digits"
        parts = [f"{n} {label}{'s' * (n != 1)}" for label, n in self.counts.items() if label != "search" and n]
        if self.counts.get("search"):
            parts.append("a counterexample search")
        return f"{REL_TOL_DIGITS} significant digits at {', '.join(parts)}, evaluated with up to {self.digits} digits"

    def _found(
        self, out: Outcome, point: Point, entries: dict, *, index: int | None = None, where: str = ""
    ) -> dict[str, Any] | None:
        """The counterexample of a confirmed difference; one that is tiny beside the target's
        typical size (a bump's tail, 1e-400 away from its centre) is kept aside while the other
        points are tried for a clearer one, and reported only if none is found."""
        if out.kind == ABSENT:
            return self._absent(out, point, entries, index=index, where=where)
        if out.kind != DIFFER:
            return None
        if self.real and self.cancelled and index is None and not self._target_real(point, entries):
            return None  # the parts that differ are real here, but the question's answer is not
        refuted = self._refuted(out, point, entries, index=index, where=where)
        with mpmath.workdps(out.digits):
            weak = abs(out.answer - out.target) < WEAK * self.tolerance.fallback
        if not weak:
            return refuted
        self.weak = self.weak or refuted
        return None

    def _refuted(
        self, out: Outcome, point: Point, entries: dict, *, index: int | None = None, where: str = ""
    ) -> dict[str, Any]:
        """The counterexample at ``point``, with the full sides' values there for the message."""
        rng = np.random.Generator(np.random.PCG64(3))
        full = [self.ctx.measure_at(e, point, entries, rng, out.digits) for e in (self.answer, self.target)]
        shown = (out.answer, out.target) if None in full else tuple(m.value for m in full if m is not None)
        with mpmath.workdps(out.digits):
            difference = out.answer - out.target
        label = f", {WHERE.get(where, where)}" if where else ""
        return {
            "status": INCORRECT,
            "method": f"numeric counterexample ({out.digits} digits{label})",
            "index": index,
            "point": point,
            "entries": entries,
            "values": shown,
            "difference": difference,
            "reduced": self.reduced,
        }

    def _absent(
        self, out: Outcome, point: Point, entries: dict, *, index: int | None = None, where: str = ""
    ) -> dict[str, Any]:
        """The counterexample of an answer with no real value where the target has one."""
        rng = np.random.Generator(np.random.PCG64(3))
        answer = self.ctx.measure_at(self.answer, point, entries, rng, DIGITS, bound=False)
        label = f", {WHERE.get(where, where)}" if where else ""
        return {
            "status": INCORRECT,
            "method": f"undefined answer ({out.digits} digits{label})",
            "index": index,
            "point": point,
            "entries": entries,
            "values": (None, out.target),
            "undefined": "not a real number" if answer is not None else "no finite value",
            "reduced": self.reduced,
        }


def score(pair: Pair, tolerance: Tolerance) -> float:
    """What the search climbs: :math:`\\log_{10}` of the difference itself (not relative to the
    point's own values, which a bump's tail shares with its centre); ``-inf`` where it is round-off
    (nothing to climb)."""
    gap, _, noise = margins(pair, DIGITS, tolerance)
    if gap <= MARGIN * noise:
        return float("-inf")
    return float(mpmath.log10(gap))


# ------------------------------------------------------------------------------------ domains at a point
def resolved(domains: Mapping[sp.Basic, Domain], point: Mapping[sp.Basic, sp.Expr]) -> dict[sp.Symbol, Domain]:
    """The domains with bounds that name other variables (``t in [0, T]``) fixed at ``point``,
    so that a dependent variable can be moved and drawn like any other."""
    out: dict[sp.Symbol, Domain] = {}
    for z, d in domains.items():
        if not isinstance(z, sp.Symbol):
            continue
        if d.depends_on():
            lo = None if d.lo is None else sp.sympify(d.lo).xreplace(dict(point))
            hi = None if d.hi is None else sp.sympify(d.hi).xreplace(dict(point))
            d = dataclasses.replace(d, lo=lo, hi=hi)
            if d.depends_on():
                continue
        out[z] = d
    return out


def valid(point: Mapping[sp.Basic, sp.Expr], domains: Mapping[sp.Basic, Domain]) -> bool:
    """Whether every coordinate of ``point`` lies in its domain, bounds read at the point."""
    for z, d in resolved({k: v for k, v in domains.items() if k in point}, point).items():
        try:
            if not d.contains(point[z]):
                return False
        except TypeError:  # an order SymPy cannot decide
            return False
    return True


def entropic(domains: Mapping[sp.Basic, Domain], base: Point, rng: np.random.Generator) -> Point:
    """A point whose real coordinates carry 40 random digits
    (:func:`~derive.numeric.adversary.high_entropy_points`), drawn in dependency order so that
    ``t in [0, T]`` is drawn after ``T``; other coordinates are those of ``base``."""
    point = dict(base)
    pending = dict(domains)
    while pending:
        ready = resolved({z: d for z, d in pending.items() if d.depends_on() <= set(point) - set(pending)}, point)
        if not ready:
            break
        point.update(high_entropy_points(ready, rng, 1)[0])
        for z in ready:
            pending.pop(z)
    return point


def centres(exprs: list[sp.Basic], domains: Mapping[sp.Basic, Domain], base: Point) -> list[Point]:
    """Where the argument of a function is stationary in several variables at once: the centre of
    a bump :math:`e^{-10^6 ((x - a)^2 + (y - b)^2)}`, which no one-variable root reaches. Only
    quadratic arguments with rational coefficients (the gradient is then linear)."""
    movable = sorted((z for z, d in domains.items() if isinstance(z, sp.Symbol) and not d.depends_on()), key=str)
    out: list[Point] = []
    for e in exprs:
        for node in sp.preorder_traversal(e):
            if not isinstance(node, sp.Function) or isinstance(node, sp.Piecewise):
                continue
            for arg in node.args:
                zs = [z for z in movable if z in arg.free_symbols]
                if len(zs) < 2 or not arg.free_symbols <= set(zs):
                    continue
                try:
                    poly = sp.Poly(arg, *zs)
                except sp.PolynomialError:
                    continue
                if poly.total_degree() != 2 or not all(c.is_Rational for c in poly.coeffs()):
                    continue
                solution = sp.solve([poly.diff(z).as_expr() for z in zs], zs, dict=True)
                if len(solution) == 1 and all(v.is_Rational for v in solution[0].values()):
                    out.append({**base, **solution[0]})
    return out[:MAX_CANDIDATES]
