r"""The verification ladder, shared by step checking and answer checking.

Two expressions are compared by rungs of increasing cost, each under a time budget:

1. **identical** after unfolding definitions and evaluating unevaluated operators (``doit``);
2. **bounded symbolic zero test** of the difference, the rung table :data:`RUNGS`: ``expand``,
   ``cancel``, special functions rewritten to elementary ones, ``rewrite(exp)``, sums and Kronecker
   deltas in canonical form (:mod:`.sums`), a case split at the kinks of ``Abs``, ``Max``,
   ``Piecewise``... (:mod:`.cases`), ``trigsimp``, a time-boxed ``simplify``;
3. **high-precision numeric test**: both sides evaluated with mpmath (:mod:`derive.numeric.precise`)
   at 30+ significant digits at edge and random points of the variables' domains.

Rungs 1-2 *prove* equality; rung 3 only *verifies numerically*, and says so. Rung 3 also
*refutes*: a point where the two sides differ beyond the tolerance is a counterexample, so a
near miss (a coefficient off by ``1e-6``, a sign flip, a small missing term) is rejected.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import mpmath
import numpy as np
import sympy as sp

from ..maths.domains import Domain
from ..maths.special import elementary
from ..numeric import precise
from ..numeric.sampling import exact_points, generator
from .budget import attempt, cpu_time
from .cases import equal_by_cases
from .sums import align_sum_ranges, decide_conditions, index_canonical, unroll_sums


@dataclass(frozen=True)
class Verification:
    """The outcome of one comparison.

    ``ok`` is ``True`` (equal), ``False`` (refuted, with a counterexample) or ``None`` (undecided
    within the budget). ``method`` names the rung that decided; ``symbolic`` says whether it is a
    proof or a numeric verification.
    """

    ok: bool | None
    method: str
    symbolic: bool
    detail: str = ""
    counterexample: Mapping[str, str] | None = None
    values: tuple[str, str] | None = None
    seconds: float = 0.0
    points: int = 0
    #: named lemmas the decision rests on (proved in :mod:`derive.verify.lemmas`), e.g. ``("gibbs",)``
    lemmas: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        if self.ok is None:
            return f"undecided ({self.method})"
        if self.ok is False:
            return f"refuted ({self.method})"
        return f"proved: {self.method}" if self.symbolic else f"verified numerically: {self.method}"


@dataclass
class Ladder:
    """Configuration of the ladder: budgets, precision, number of points and seed."""

    domains: Mapping[sp.Symbol, Domain] = field(default_factory=dict)
    unfold: Callable[[sp.Basic], sp.Basic] = lambda e: e
    symbolic_budget: float = 4.0
    rung_budget: float = 1.5
    digits: int = 30
    points: int = 24
    seed: int | None = None
    salt: str = ""
    doit_cache: dict[sp.Basic, sp.Basic] = field(default_factory=dict)

    # ------------------------------------------------------------------------------ helpers
    def evaluate(self, e: sp.Basic) -> sp.Basic:
        """Unfold definitions and evaluate derivatives, integrals, sums and determinants (cached)."""
        e = self.unfold(e)
        if e in self.doit_cache:
            return self.doit_cache[e]
        if not e.has(sp.Derivative, sp.Integral, sp.Sum, sp.Product, sp.Subs, sp.Limit, sp.Determinant):
            return e
        out = attempt(lambda: e.doit(), max(self.symbolic_budget, 10.0))
        out = e if out is None else out
        self.doit_cache[e] = out
        return out

    def equal(self, a: sp.Basic, b: sp.Basic) -> Verification:
        """Compare two expressions (or matrices, entry by entry)."""
        start = time.perf_counter()
        if isinstance(a, sp.MatrixBase) or isinstance(b, sp.MatrixBase):
            v = self._equal_matrices(a, b)
        else:
            v = self._equal_scalars(a, b)
        return Verification(**{**v.__dict__, "seconds": time.perf_counter() - start})

    # ------------------------------------------------------------------------------ matrices
    def _equal_matrices(self, a: sp.Basic, b: sp.Basic) -> Verification:
        if not (isinstance(a, sp.MatrixBase) and isinstance(b, sp.MatrixBase)):
            a, b = self.evaluate(a), self.evaluate(b)
            if not (isinstance(a, sp.MatrixBase) and isinstance(b, sp.MatrixBase)):
                return Verification(False, "shape", True, "a matrix compared with a scalar")
        if a.shape != b.shape:
            return Verification(False, "shape", True, f"shapes differ: {a.shape} and {b.shape}")
        results = []
        for i in range(a.rows):
            for j in range(a.cols):
                v = self._equal_scalars(a[i, j], b[i, j])
                if v.ok is not True:
                    return Verification(
                        v.ok,
                        v.method,
                        v.symbolic,
                        f"entry ({i + 1}, {j + 1}): {v.detail}",
                        v.counterexample,
                        v.values,
                        points=v.points,
                    )
                results.append(v)
        numeric = [v for v in results if not v.symbolic]
        if numeric:
            return Verification(
                True,
                numeric[0].method,
                False,
                f"{len(numeric)} of {len(results)} entries numerically",
                points=numeric[0].points,
            )
        methods = sorted({v.method for v in results}, key=[v.method for v in results].index)
        return Verification(True, ", ".join(methods), True, f"all {len(results)} entries")

    # ------------------------------------------------------------------------------ scalars
    def _equal_scalars(self, a: sp.Basic, b: sp.Basic) -> Verification:
        a0, b0 = sp.sympify(a), sp.sympify(b)
        if a0 == b0:
            return Verification(True, "identical", True)
        a1, b1 = self.evaluate(a0), self.evaluate(b0)
        if a1 == b1:
            return Verification(True, "evaluated by SymPy", True)
        diff = a1 - b1
        if diff == 0:
            return Verification(True, "evaluated by SymPy", True)
        decided = self.symbolic_zero(diff)
        if decided is not None:
            return Verification(True, decided, True)
        raw = self.unfold(a0) - self.unfold(b0)
        if raw.has(sp.Sum):
            # evaluation may have collapsed or summed the sums; compare their unevaluated ranges
            aligned = attempt(lambda: align_sum_ranges(raw), self.rung_budget)
            if aligned is not None and index_canonical(aligned) == 0:
                return Verification(True, "sum ranges aligned, indices renamed", True)
        return self.numeric_zero(a1, b1)

    def symbolic_zero(self, diff: sp.Expr) -> str | None:
        """Name of the first rung of :data:`RUNGS` that takes ``diff`` to zero, or ``None``."""
        deadline = cpu_time() + self.symbolic_budget
        form = Difference(diff, self.domains)
        for rung in RUNGS:
            remaining = deadline - cpu_time()
            if remaining <= 0:
                return None
            out = attempt(partial(rung.rewrite, form), min(rung.budget, remaining))
            if out is not None and out == 0:
                return rung.name
        return None

    def sampling_plan(self, exprs: tuple[sp.Basic, ...]) -> tuple[dict[sp.Symbol, Domain], set[sp.Symbol]]:
        """The domains of the scalar symbols to sample for ``exprs``, and any symbol that has none
        (entries ``z[k]`` of an indexed variable are drawn by :meth:`instantiate`)."""
        symbols: set[sp.Symbol] = set()
        for e in exprs:
            bases = {ix.base.label for ix in e.atoms(sp.Indexed)}
            symbols |= {s for s in e.free_symbols if isinstance(s, sp.Symbol) and s not in bases}
        for base in {ix.base for e in exprs for ix in e.atoms(sp.Indexed)}:
            if base not in self.domains and base.label not in self.domains:
                symbols.add(base.label)
        domains = {
            s: d
            for s, d in self.domains.items()
            if isinstance(s, sp.Symbol) and (s in symbols or _depends(s, symbols, self.domains))
        }
        return domains, {s for s in symbols if s not in domains and not _has_indexed_domain(s, self.domains)}

    def instantiate(
        self,
        e: sp.Basic,
        point: Mapping[sp.Symbol, sp.Expr],
        rng: np.random.Generator,
        cache: dict[sp.Indexed, sp.Expr],
    ) -> sp.Basic:
        """``e`` at ``point``; sums over a now-concrete range are expanded and every entry
        ``z[k]`` of an indexed variable gets a value drawn from its domain (the same within a point)."""
        v = e.xreplace(dict(point))
        if v.has(sp.Sum, sp.Product, sp.KroneckerDelta):
            v = unroll_sums(v.doit())
        # only entries with concrete indices are values; z[k] under a sum that could not be
        # unrolled stays symbolic, so the point is not evaluated rather than evaluated wrongly
        entries = {ix for ix in v.atoms(sp.Indexed) if all(k.is_Integer for k in ix.indices)}
        if entries:
            for ix in sorted(entries, key=str):
                if ix not in cache:
                    dom = self.domains.get(ix.base, self.domains.get(ix.base.label))
                    if dom is None:
                        raise ValueError(f"no domain for the entries of {ix.base}")
                    draw = dom.sample(rng, 1, {})[0]
                    cache[ix] = sp.Rational(repr(float(draw)))
            v = v.xreplace(cache)
        return v

    def numeric_zero(self, a: sp.Expr, b: sp.Expr) -> Verification:
        """Evaluate both sides at ``digits`` digits on domain points; refute on a clear difference.

        A difference is believed only if it survives re-evaluation at
        :data:`~derive.numeric.precise.RECHECK_DIGITS` digits, so round-off never refutes a true link.
        Symbolic sizes are handled by sampling them: an integer ``n`` is drawn from its domain,
        sums over ``1..n`` are expanded and indexed variables ``z[k]`` get random entries, so a
        statement "for every n" is tested at several concrete n (still only a numeric verification).
        """
        domains, missing = self.sampling_plan((a, b))
        if missing:
            return Verification(
                None, "numeric", False, f"no domain for {', '.join(sorted(map(str, missing)))}: cannot sample"
            )
        rng = generator(self.seed, salt=self.salt + "|ladder")
        points = _points(domains, rng, self.points, (a, b))
        ea, eb = elementary(a), elementary(b)
        used = 0
        worst = 0.0
        deadline = cpu_time() + max(self.symbolic_budget, 4.0)
        for point in points:
            if cpu_time() > deadline:
                break
            cache: dict[sp.Indexed, sp.Expr] = {}
            at = attempt(partial(self._instantiate_all, (ea, eb), point, rng, cache), 2.0)
            values = None if at is None else attempt(partial(self._values, at, self.digits + 15), 2.0)
            if at is None or values is None:
                continue
            used += 1
            err, scale = self._gap(*values)
            if err is not None:  # believed only if it survives more precision (round-off does not)
                values = attempt(partial(self._values, at, precise.RECHECK_DIGITS), 4.0)
                if values is None:  # neither confirmed nor dismissed: the point is not evaluated
                    used -= 1
                    continue
                err, scale = self._gap(*values)
                if err is not None:
                    return self._refutation(values, point, cache, used)
            if scale != 0:
                worst = max(worst, float(abs(values[0] - values[1]) / scale))
        if used < max(3, len(points) // 3):
            return Verification(
                None,
                f"numeric ({self.digits} digits)",
                False,
                f"only {used} of {len(points)} points could be evaluated",
                points=used,
            )
        return Verification(
            True,
            f"numeric ({self.digits} digits, {used} points)",
            False,
            f"max relative difference {precise.fmt(worst, 8)}",
            points=used,
        )

    def _refutation(
        self,
        values: tuple[Any, ...],
        point: Mapping[sp.Symbol, sp.Expr],
        cache: Mapping[sp.Indexed, sp.Expr],
        used: int,
    ) -> Verification:
        """The counterexample at ``point``, where the sides differ by more than round-off."""
        where = {**{str(k): str(v) for k, v in point.items()}, **{str(k): str(v) for k, v in cache.items()}}
        return Verification(
            False,
            f"numeric ({self.digits} digits)",
            False,
            f"differ by {precise.fmt(abs(values[0] - values[1]), 8)} at {_point(point)}",
            counterexample=where,
            values=(precise.fmt(values[0], 8), precise.fmt(values[1], 8)),
            points=used,
        )

    def _instantiate_all(
        self,
        exprs: tuple[sp.Basic, ...],
        point: Mapping[sp.Symbol, sp.Expr],
        rng: np.random.Generator,
        cache: dict[sp.Indexed, sp.Expr],
    ) -> tuple[sp.Basic, ...]:
        return tuple(self.instantiate(e, point, rng, cache) for e in exprs)

    @staticmethod
    def _values(exprs: tuple[sp.Basic, ...], dps: int) -> tuple[Any, ...] | None:
        values = tuple(precise.value(e, dps) for e in exprs)
        return None if any(v is None for v in values) else values

    def _gap(self, va: Any, vb: Any) -> tuple[Any, Any]:
        """``(|va - vb|, scale)`` if the values differ beyond the tolerance (``(None, scale)`` if not)."""
        scale = max(abs(va), abs(vb))
        err = abs(va - vb)
        tolerance = mpmath.mpf(10) ** -(self.digits - 8) * scale + mpmath.mpf(10) ** (-2 * self.digits)
        return (err if err > tolerance else None), scale

    # ------------------------------------------------------------------------------ inequalities
    def nonnegative(self, e: sp.Expr, *, strict: bool = False) -> Verification:
        """Prove ``e >= 0`` (``> 0`` if ``strict``) from assumptions, else test it numerically."""
        start = time.perf_counter()
        e1 = self.evaluate(e)
        attr = "is_positive" if strict else "is_nonnegative"
        for name, fn in (
            ("sign from assumptions", lambda: e1),
            ("sign after factor", lambda: sp.factor(e1)),
            ("sign with 0 <= frac(x) < 1", lambda: _relax_frac(e1, below=True)),
            ("sign with 0 <= frac(x) < 1", lambda: _relax_frac(e1, below=False)),
            ("sign after simplify", lambda: sp.simplify(elementary(e1))),
        ):
            form = attempt(fn, self.rung_budget)
            if form is not None and attempt(partial(getattr, form, attr), self.rung_budget) is True:
                return Verification(True, name, True, seconds=time.perf_counter() - start)
        domains, missing = self.sampling_plan((e1,))
        if missing:
            return Verification(None, "numeric", False, f"no domain for {', '.join(sorted(map(str, missing)))}")
        rng = generator(self.seed, salt=self.salt + "|sign")
        points = _points(domains, rng, self.points, (e1,))
        ee = elementary(e1)
        used = 0
        lowest = math.inf
        for point in points:
            cache: dict[sp.Indexed, sp.Expr] = {}
            at = attempt(partial(self.instantiate, ee, point, rng, cache), 2.0)
            v = None if at is None else attempt(partial(precise.value, at, self.digits + 15), 2.0)
            if v is None or not isinstance(v, mpmath.mpf):
                continue
            used += 1
            lowest = min(lowest, float(v))
            if v < 0 or (strict and v == 0):
                # believed only if it survives more precision: round-off around a true 0 shrinks
                again, stable = precise.settled(at, v)
                if again is None:  # neither confirmed nor dismissed: the point is not evaluated
                    used -= 1
                    continue
                negative = again < 0 and stable
                zero = again == 0 or not stable
                if not (negative or (strict and zero)):
                    continue
                return Verification(
                    False,
                    f"numeric ({self.digits} digits)",
                    False,
                    f"value {precise.fmt(again, 8)} at {_point(point)}",
                    counterexample={str(k): str(x) for k, x in point.items()},
                    seconds=time.perf_counter() - start,
                    points=used,
                )
        if used < 3:
            return Verification(None, "numeric", False, "too few points could be evaluated")
        return Verification(
            True,
            f"numeric ({self.digits} digits, {used} points)",
            False,
            f"minimum {lowest:.8g}",
            seconds=time.perf_counter() - start,
            points=used,
        )


# ------------------------------------------------------------------------------ the rung table
@dataclass
class Difference:
    """The difference of two sides that the rungs rewrite; its elementary form (special functions
    replaced by their closed forms) is computed once, on first use."""

    expr: sp.Expr
    domains: Mapping[sp.Basic, Domain]
    _elementary: sp.Expr | None = None

    @property
    def elementary(self) -> sp.Expr:
        if self._elementary is None:
            self._elementary = elementary(self.expr)
        return self._elementary


@dataclass(frozen=True)
class Rung:
    """One rewrite of the symbolic zero test: the name a sheet shows when it proves a link, the
    rewrite (a proof when it gives 0), and its CPU budget in seconds."""

    name: str
    rewrite: Callable[[Difference], sp.Expr]
    budget: float


def _sums_decided(d: Difference) -> sp.Expr:
    """Sums evaluated; a sum over ``1..n`` with a Kronecker delta leaves a case split "if
    ``1 <= j <= n``", which the domains of the indices decide."""
    if not d.expr.has(sp.Sum, sp.Piecewise):
        return d.expr
    return index_canonical(decide_conditions(sp.expand(d.expr).doit(), d.domains))


def _by_cases(d: Difference) -> sp.Expr:
    """``Abs``, ``sign``, ``Max``, ``Min``, ``Piecewise``: the real line split at the kinks."""
    return sp.S.Zero if equal_by_cases(d.expr) is not None else d.expr


def _floor_via_frac(d: Difference) -> sp.Expr:
    return sp.expand(_floor_as_frac(d.expr)) if d.expr.has(sp.floor, sp.frac) else d.expr


#: The symbolic zero test, cheapest first: a link is proved by the first rung that rewrites the
#: difference of its sides to 0 within the rung's budget (and the ladder's overall budget).
RUNGS: tuple[Rung, ...] = (
    Rung("expand", lambda d: sp.expand(d.expr), 1.0),
    Rung("cancel", lambda d: sp.cancel(d.expr), 1.0),
    Rung("elementary rewrite + expand", lambda d: sp.expand(d.elementary), 1.0),
    Rung("rewrite(exp) + cancel", lambda d: sp.cancel(sp.expand(d.elementary.rewrite(sp.exp))), 1.5),
    Rung("expand_log + powsimp", lambda d: sp.expand(sp.powsimp(sp.expand_log(d.elementary))), 1.0),
    Rung("Kronecker deltas sifted, summation indices renamed", lambda d: index_canonical(d.expr), 1.0),
    Rung("sums evaluated, case conditions decided by the index domains", _sums_decided, 2.0),
    Rung("case split at the kinks", _by_cases, 1.5),
    Rung("floor(x) = x - frac(x)", _floor_via_frac, 1.0),
    Rung("trigsimp", lambda d: sp.trigsimp(d.elementary), 1.5),
    Rung("simplify (time-boxed)", lambda d: sp.simplify(d.elementary), 3.0),
)


def _floor_as_frac(e: sp.Expr) -> sp.Expr:
    """``floor(x)`` written ``x - frac(x)``: one atom for the integer part's rounding."""
    return e.replace(lambda x: isinstance(x, sp.floor), lambda x: x.args[0] - sp.frac(x.args[0]))


def _relax_frac(e: sp.Expr, *, below: bool) -> sp.Expr:
    """``e`` with every ``frac(x)`` (``floor`` rewritten through it) replaced by a fresh symbol
    ``u >= 0`` (``below``) or ``1 - w`` with ``w > 0``: a sign that holds for every ``u >= 0``
    (every ``w > 0``) holds on ``0 <= frac < 1``, so a proof of the relaxed form is sound."""
    e = _floor_as_frac(e)
    fracs = e.atoms(sp.frac)
    if not fracs:
        return e
    fresh = {f: sp.Dummy("u", nonnegative=True) if below else 1 - sp.Dummy("w", positive=True) for f in fracs}
    return sp.expand(e.xreplace(fresh))


def _points(
    domains: Mapping[sp.Symbol, Domain], rng: object, n: int, exprs: tuple[sp.Basic, ...]
) -> list[dict[sp.Symbol, sp.Expr]]:
    """Sample points; with no scalar variable but indexed entries (drawn afresh at every point),
    still ``n`` points, not one."""
    if domains:
        return exact_points(domains, rng, n)  # type: ignore[arg-type]
    if any(e.has(sp.Indexed) for e in exprs):
        return [{} for _ in range(n)]
    return [{}]


def _depends(s: sp.Symbol, symbols: set[sp.Symbol], domains: Mapping[sp.Symbol, Domain]) -> bool:
    """True if a variable in ``symbols`` has a bound naming ``s`` (so ``s`` must be sampled too)."""
    return any(s in domains[t].depends_on() for t in symbols if t in domains)


def _has_indexed_domain(s: sp.Symbol, domains: Mapping[sp.Basic, object]) -> bool:
    return any(isinstance(k, sp.IndexedBase) and k.label == s for k in domains)


def _point(point: Mapping[sp.Symbol, sp.Expr]) -> str:
    return ", ".join(f"{k} = {float(v):.6g}" for k, v in sorted(point.items(), key=lambda kv: str(kv[0])))
