r"""The numeric half of judging an answer: fixed sample points, then points chosen against it.

A :class:`Probe` compares one answer :math:`a` with one target :math:`t` after cancelling their
common additive terms (:func:`~.precision.reduce_common`), point by point with
:func:`~.precision.settle` (the precision each point's dynamic range needs). The checker uses it
twice: :meth:`Probe.screen` at the first :data:`~.question.QUICK` sample points before any
symbolic work (wrong answers are rejected at once), then, if no proof was found,
:meth:`Probe.verify`:

1. every fixed sample point of the question (edges, random points, large magnitudes);
2. the breakpoints of both sides (:func:`~.adversarial.breakpoints`: jumps, kinks, bump centres,
   tie values at a strict or non-strict inequality);
3. unpredictable points: random points of the domain and points with 40 random digits, on which a
   comb :math:`\sin(3 \cdot 10^{20} \pi x)` is not zero (:func:`~.adversarial.high_entropy_points`);
4. a counterexample search (:func:`~.adversarial.climb`) on :math:`\log_{10}(|a' - t'| / \text{tol})`
   from the most suspicious points so far, for narrow bumps whose centre no formula gives.

Agreement everywhere is a *numeric* verdict, reported with what was checked; steps 2-4 are not
optional: an answer whose budget runs out before them is undecided, never correct.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass, field
from typing import Any

import mpmath
import numpy as np
import sympy as sp

from ..numeric.precise import DIGITS, REL_TOL_DIGITS
from .adversarial import Point, breakpoints, climb, high_entropy_points
from .precision import DIFFER, EQUAL, MARGIN, Measured, Outcome, Pair, margins, reduce_common, settle
from .question import QUICK, Context, value_floor
from .verdict import CORRECT, INCORRECT, UNDECIDED

#: unpredictable points after the fixed ones (many more where the answer has jumps the target lacks)
FRESH = 6
FRESH_ROUGH = 40
#: points with 40 random significant digits
ENTROPY = 4
#: objective evaluations of the counterexample search, per start point, and start points
SEARCH = 30
STARTS = 2
_ROUGH = (sp.Heaviside, sp.Abs, sp.Max, sp.Min, sp.sign, sp.Piecewise, sp.floor, sp.ceiling, sp.frac)


@dataclass
class Probe:
    """One answer against one target: the reduced pair, the tolerance floor and what was seen."""

    ctx: Context
    answer: sp.Basic
    target: sp.Basic
    deadline: float
    reduced: tuple[sp.Basic, sp.Basic] = (sp.S.Zero, sp.S.Zero)
    floor: Any = 0
    equal: int = 0
    digits: int = DIGITS
    #: (objective, point, entries) of every point seen: where the search starts
    seen: list[tuple[float, Point, dict]] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        ua, ut = self.ctx.unfolded(self.answer), self.ctx.unfolded(self.target)
        self.reduced = reduce_common(ua, ut)
        rt = self.reduced[1]
        # a tolerance floor relative to the target's typical size, without the cancelled terms
        basis = rt if rt != 0 else ut
        self.floor = value_floor(self.ctx.values(basis, cache=True))

    # -- one point -----------------------------------------------------------------------------
    def _pair(self, point: Point, entries: dict, rng: Any, dps: int, index: int | None = None) -> Pair | None:
        ra, rt = self.reduced
        if index is not None:
            ma, mt = self.ctx.measure(ra, index, dps), self.ctx.measure(rt, index, dps)
        else:
            ma, mt = (self.ctx.measure_at(e, point, entries, rng, dps) for e in (ra, rt))
        return None if ma is None or mt is None else (ma, mt)

    def _decide(self, point: Point, entries: dict, rng: Any, index: int | None = None) -> Outcome:
        first = self._pair(point, entries, rng, DIGITS, index)
        if first is not None:
            self.seen.append((score(first, self.floor), point, entries))
        out = settle(lambda dps: self._pair(point, entries, rng, dps, index), self.floor, first)
        if out.kind == EQUAL:
            self.equal += 1
            self.digits = max(self.digits, out.digits)
        return out

    def at_index(self, i: int) -> Outcome:
        return self._decide(self.ctx.points[i], self.ctx._entries[i], self.ctx._rngs[i], i)

    def at_point(self, point: Point, rng: Any) -> Outcome:
        return self._decide(point, {}, rng)

    # -- stages --------------------------------------------------------------------------------
    def screen(self) -> dict[str, Any] | None:
        """The first :data:`QUICK` fixed points: a confirmed difference is a counterexample."""
        for i in range(min(QUICK, len(self.ctx.points))):
            out = self.at_index(i)
            if out.kind == DIFFER:
                return self._refuted(out, self.ctx.points[i], self.ctx._entries[i], index=i)
        return None

    def verify(self) -> dict[str, Any]:
        """Every fixed point, then breakpoints, unpredictable points and a search (see the module)."""
        n = len(self.ctx.points)
        self.equal = 0
        for i in range(n):
            out = self.at_index(i)
            if out.kind == DIFFER:
                return self._refuted(out, self.ctx.points[i], self.ctx._entries[i], index=i)
        needed = max(6, n // 3) if n > 1 else 1
        if self.equal < needed:
            return {"status": UNDECIDED, "method": "numeric", "used": self.equal}
        self.counts["sample points"] = self.equal
        for stage in (self._breakpoints, self._fresh, self._search):
            if time.perf_counter() > self.deadline:
                return {"status": UNDECIDED, "method": "time limit (before the counterexample search)"}
            found = stage()
            if found is not None:
                return found
        return {"status": CORRECT, "method": f"numeric ({self._checked()})", "checked": self._checked()}

    def _symbols(self) -> dict[sp.Basic, Any]:
        """The domains of the variables the reduced pair depends on."""
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
            out = self.at_point(point, rng)
            tried += out.kind == EQUAL
            if out.kind == DIFFER:
                return self._refuted(out, point, {}, where=label)
        if tried:
            self.counts[label] = self.counts.get(label, 0) + tried
        return None

    def _breakpoints(self) -> dict[str, Any] | None:
        domains = self._symbols()
        if not domains:
            return None
        rng = np.random.Generator(np.random.PCG64(7))
        return self._try(breakpoints(self.reduced, domains, self._base()), "breakpoints", rng)

    def _fresh(self) -> dict[str, Any] | None:
        domains = self._symbols()
        if not domains:
            return None
        rng = np.random.Generator(np.random.PCG64(secrets.randbits(64)))
        ra, rt = self.reduced
        rough = any(ra.has(f) and not rt.has(f) for f in _ROUGH)
        points = self.ctx.fresh_points(FRESH_ROUGH if rough else FRESH)
        found = self._try(points, "random points", rng)
        if found is not None:
            return found
        return self._try(high_entropy_points(domains, self._base(), rng, ENTROPY), "40-digit random points", rng)

    def _search(self) -> dict[str, Any] | None:
        domains = self._symbols()
        if not domains or not self.seen:
            return None
        rng = np.random.Generator(np.random.PCG64(11))
        starts = sorted(self.seen, key=lambda s: s[0], reverse=True)[:STARTS]
        for first, start, _entries in starts:
            if first == float("-inf") or any(k not in start for k in domains):
                continue  # nothing but round-off to climb from here

            def objective(p: Point) -> float | None:
                if time.perf_counter() > self.deadline:
                    return None
                pair = self._pair(p, {}, rng, DIGITS)
                return None if pair is None else score(pair, self.floor)

            best, value = climb(objective, start, domains, evaluations=SEARCH)
            self.counts["search"] = self.counts.get("search", 0) + 1
            if value > 0:
                found = self._try([best], "a counterexample search", rng)
                if found is not None:
                    return found
        return None

    # -- reports -------------------------------------------------------------------------------
    def _checked(self) -> str:
        parts = [f"{n} {label}" for label, n in self.counts.items() if label != "search" and n]
        if self.counts.get("search"):
            parts.append("a counterexample search")
        if len(self.ctx.points) == 1:  # a closed expression: one value
            return f"{REL_TOL_DIGITS} digits, {self.digits} working digits"
        return f"{REL_TOL_DIGITS} digits at {', '.join(parts)}; up to {self.digits} working digits"

    def _refuted(
        self, out: Outcome, point: Point, entries: dict, *, index: int | None = None, where: str = ""
    ) -> dict[str, Any]:
        """The counterexample at ``point``, with the full sides' values there for the message."""
        rng = np.random.Generator(np.random.PCG64(3))
        full = [self.ctx.measure_at(e, point, entries, rng, out.digits) for e in (self.answer, self.target)]
        shown = (out.answer, out.target) if None in full else tuple(m.value for m in full if m is not None)
        with mpmath.workdps(out.digits):
            difference = out.answer - out.target
        label = f", {where}" if where else ""
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


def score(pair: tuple[Measured, Measured], floor: Any) -> float:
    """:math:`\\log_{10}` of the difference over the tolerance (above 0: a difference); ``-inf``
    where the difference is round-off (nothing to climb)."""
    gap, tol, noise = margins(pair, floor, DIGITS)
    if gap <= MARGIN * noise:
        return float("-inf")
    return float(mpmath.log10(gap) - mpmath.log10(tol)) if tol > 0 else float("inf")
