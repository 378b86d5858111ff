r"""The verification ladder, shared by step checking and answer checking.

Two expressions are compared by rungs of increasing cost, each under a time budget:

1. **identical** after unfolding definitions and evaluating unevaluated operators (``doit``);
2. **bounded symbolic zero test** of the difference: ``expand``, ``cancel``, special functions
   rewritten to elementary ones, ``rewrite(exp)``, a case split at the kinks of ``Abs``,
   ``Max``, ``Piecewise``... (:mod:`derive.casesplit`), ``trigsimp``, a time-boxed ``simplify``;
3. **high-precision numeric test**: the difference evaluated with mpmath at 30+ significant
   digits at edge and random points of the variables' domains.

Rungs 1-2 *prove* equality; rung 3 only *verifies numerically*, and says so. Rung 3 also
*refutes*: a point where the two sides differ beyond the tolerance is a counterexample, so a
near miss (a coefficient off by ``1e-6``, a sign flip, a small missing term) is rejected.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import sympy as sp

from .budget import attempt, cpu_time
from .casesplit import equal_by_cases
from .numeric.domains import Domain, exact_points
from .numeric.sampling import generator
from .special import elementary


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
            aligned = attempt(lambda: _align_sum_ranges(raw), self.rung_budget)
            if aligned is not None and _index_canonical(aligned) == 0:
                return Verification(True, "sum ranges aligned, indices renamed", True)
        return self.numeric_zero(a1, b1)

    def symbolic_zero(self, diff: sp.Expr) -> str | None:
        """Name of the first cheap rewrite that takes ``diff`` to zero, or ``None``."""
        deadline = cpu_time() + self.symbolic_budget
        elem: list[sp.Expr] = []

        def el() -> sp.Expr:
            if not elem:
                elem.append(elementary(diff))
            return elem[0]

        rungs: list[tuple[str, Callable[[], sp.Expr], float]] = [
            ("expand", lambda: sp.expand(diff), 1.0),
            ("cancel", lambda: sp.cancel(diff), 1.0),
            ("elementary rewrite + expand", lambda: sp.expand(el()), 1.0),
            ("rewrite(exp) + cancel", lambda: sp.cancel(sp.expand(el().rewrite(sp.exp))), 1.5),
            ("expand_log + powsimp", lambda: sp.expand(sp.powsimp(sp.expand_log(el()))), 1.0),
            ("Kronecker deltas sifted, summation indices renamed", lambda: _index_canonical(diff), 1.0),
            # a sum over 1..n with a Kronecker delta leaves a case split "if 1 <= j <= n": the
            # domains of the indices decide it
            (
                "sums evaluated, case conditions decided by the index domains",
                lambda: (
                    _index_canonical(decide_conditions(sp.expand(diff).doit(), self.domains))
                    if diff.has(sp.Sum, sp.Piecewise)
                    else diff
                ),
                2.0,
            ),
            # Abs, sign, Max, Min, Piecewise: the real line split at the kinks, branch by branch
            ("case split at the kinks", lambda: sp.S.Zero if equal_by_cases(diff) is not None else diff, 1.5),
            (
                "floor(x) = x - frac(x)",
                lambda: sp.expand(_floor_as_frac(diff)) if diff.has(sp.floor, sp.frac) else diff,
                1.0,
            ),
            ("trigsimp", lambda: sp.trigsimp(el()), 1.5),
            ("simplify (time-boxed)", lambda: sp.simplify(el()), 3.0),
        ]
        for name, fn, cap in rungs:
            remaining = deadline - cpu_time()
            if remaining <= 0:
                return None
            out = attempt(fn, min(cap, remaining))
            if out is not None and out == 0:
                return name
        return None

    def _sampling_plan(self, exprs: tuple[sp.Basic, ...]) -> tuple[dict[sp.Symbol, Domain], set[sp.Symbol]]:
        """Domains of the scalar symbols to sample, and any symbol that has none."""
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

    def _instantiate(
        self, e: sp.Basic, point: Mapping[sp.Symbol, sp.Expr], rng: object, cache: dict[sp.Indexed, sp.Expr]
    ) -> sp.Basic:
        """``e`` at ``point``; sums over a now-concrete range are expanded and every entry
        ``z[k]`` of an indexed variable gets a value drawn from its domain (the same within a point)."""
        v = e.xreplace(dict(point))
        if v.has(sp.Sum, sp.Product, sp.KroneckerDelta):
            v = _unroll(v.doit())
        # only entries with concrete indices are values; z[k] under a sum that could not be
        # unrolled stays symbolic, so the point is not evaluated rather than evaluated wrongly
        entries = {ix for ix in v.atoms(sp.Indexed) if all(k.is_Integer for k in ix.indices)}
        if entries:
            for ix in sorted(entries, key=str):
                if ix not in cache:
                    dom = self.domains.get(ix.base, self.domains.get(ix.base.label))
                    draw = dom.sample(rng, 1, {})[0]  # type: ignore[union-attr]
                    cache[ix] = sp.Rational(repr(float(draw)))
            v = v.xreplace(cache)
        return v

    def numeric_zero(self, a: sp.Expr, b: sp.Expr) -> Verification:
        """Evaluate both sides at ``digits`` digits on domain points; refute on a clear difference.

        Symbolic sizes are handled by sampling them: an integer ``n`` is drawn from its domain,
        sums over ``1..n`` are expanded and indexed variables ``z[k]`` get random entries, so a
        statement "for every n" is tested at several concrete n (still only a numeric verification).
        """
        domains, missing = self._sampling_plan((a, b))
        if missing:
            return Verification(
                None, "numeric", False, f"no domain for {', '.join(sorted(map(str, missing)))}: cannot sample"
            )
        rng = generator(self.seed, salt=self.salt + "|ladder")
        points = _points(domains, rng, self.points, (a, b))
        ea, eb = elementary(a), elementary(b)
        rel_tol = 10.0 ** -(self.digits - 8)
        used = 0
        worst = 0.0
        deadline = cpu_time() + max(self.symbolic_budget, 4.0)
        for point in points:
            if cpu_time() > deadline:
                break
            cache: dict[sp.Indexed, sp.Expr] = {}
            va = attempt(lambda p=point, c=cache: _value(self._instantiate(ea, p, rng, c), self.digits), 2.0)
            vb = attempt(lambda p=point, c=cache: _value(self._instantiate(eb, p, rng, c), self.digits), 2.0)
            if va is None or vb is None:
                continue
            used += 1
            scale = sp.Max(sp.Abs(va), sp.Abs(vb))
            err = sp.Abs(va - vb)
            if err > rel_tol * scale + sp.Float(10) ** (-2 * self.digits):
                where = {**{str(k): str(v) for k, v in point.items()}, **{str(k): str(v) for k, v in cache.items()}}
                return Verification(
                    False,
                    f"numeric ({self.digits} digits)",
                    False,
                    f"differ by {_fmt(err)} at {_point(point)}",
                    counterexample=where,
                    values=(_fmt(va), _fmt(vb)),
                    points=used,
                )
            if scale != 0:
                worst = max(worst, float(err / scale))
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
            f"max relative difference {_fmt(worst)}",
            points=used,
        )

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
            if form is not None and attempt(lambda f=form: getattr(f, attr), self.rung_budget) is True:
                return Verification(True, name, True, seconds=time.perf_counter() - start)
        domains, missing = self._sampling_plan((e1,))
        if missing:
            return Verification(None, "numeric", False, f"no domain for {', '.join(sorted(map(str, missing)))}")
        rng = generator(self.seed, salt=self.salt + "|sign")
        points = _points(domains, rng, self.points, (e1,))
        ee = elementary(e1)
        used = 0
        lowest = math.inf
        for point in points:
            cache: dict[sp.Indexed, sp.Expr] = {}
            v = attempt(lambda p=point, c=cache: _value(self._instantiate(ee, p, rng, c), self.digits), 2.0)
            if v is None or not v.is_real:
                continue
            used += 1
            lowest = min(lowest, float(v))
            if v < 0 or (strict and v == 0):
                return Verification(
                    False,
                    f"numeric ({self.digits} digits)",
                    False,
                    f"value {_fmt(v)} at {_point(point)}",
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
            f"minimum {_fmt(lowest)}",
            seconds=time.perf_counter() - start,
            points=used,
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


def _index_canonical(e: sp.Expr) -> sp.Expr:
    """``e`` with factors free of a sum's index taken out of it, multiple sums of separable
    products split into products of sums, every sum's index renamed
    canonically (``sum_j f(j)`` and ``sum_k f(k)`` become one object) and each ``delta_ab * f(b)``
    term rewritten as ``delta_ab * f(a)``, then expanded."""
    if not e.has(sp.Sum, sp.KroneckerDelta):
        return e
    from sympy.simplify.simplify import factor_sum

    pulled = e.replace(lambda x: isinstance(x, sp.Sum), factor_sum)  # constants out of sums
    pulled = pulled.replace(lambda x: isinstance(x, sp.Sum), _split_sum)  # and signs
    pulled = pulled.replace(lambda x: isinstance(x, sp.Sum) and len(x.limits) > 1, _separate)
    pulled = pulled.replace(lambda x: isinstance(x, sp.Sum), factor_sum)  # what the split freed
    renamed = _rename_indices(pulled, 1)
    terms = []
    for term in sp.Add.make_args(sp.expand(renamed)):
        for delta in term.atoms(sp.KroneckerDelta):
            a, b = delta.args
            if isinstance(b, sp.Symbol) and b in term.free_symbols:
                term = delta * (term / delta).xreplace({b: a}) if term.has(b) else term
        terms.append(term)
    return sp.expand(sp.Add(*terms))


def _separate(total: sp.Sum) -> sp.Expr:
    """``sum_i sum_j f(i) g(j) c`` as ``c (sum_i f(i)) (sum_j g(j))``: a multiple sum of a product
    whose every factor uses at most one index, over ranges that do not mention the other indices."""
    indices = {lim[0] for lim in total.limits}
    if any((lo.free_symbols | hi.free_symbols) & indices for _, lo, hi in total.limits):
        return total
    groups: dict[sp.Symbol, list[sp.Expr]] = {k: [] for k in indices}
    rest: list[sp.Expr] = []
    for factor in sp.Mul.make_args(sp.expand_power_exp(total.function)):  # e^(a+b) as e^a e^b
        used = factor.free_symbols & indices
        if len(used) > 1:
            return total
        (groups[used.pop()] if used else rest).append(factor)
    return sp.Mul(*rest, *(sp.Sum(sp.Mul(*groups[lim[0]]), lim) for lim in total.limits))


UNROLL_TERMS = 2000


def _unroll(e: sp.Basic) -> sp.Basic:
    """Sums over concrete integer ranges written out term by term, outermost index first, so a
    triangular ``sum_{i=1}^{3} sum_{k=1}^{i} a_i b_k`` becomes its six terms (``doit`` leaves it)."""
    budget = [UNROLL_TERMS]

    def unroll(total: sp.Sum) -> sp.Basic:
        var, lo, hi = total.limits[-1]
        if not (lo.is_Integer and hi.is_Integer) or hi - lo >= budget[0]:
            return total
        budget[0] -= int(max(hi - lo + 1, 0))
        inner = total.limits[:-1]
        body = sp.Sum(total.function, *inner) if inner else total.function
        return sp.Add(*(body.xreplace({var: sp.Integer(t)}) for t in range(int(lo), int(hi) + 1)))

    for _ in range(8):  # each pass opens one more level of nesting
        if not e.has(sp.Sum):
            break
        opened = e.replace(lambda x: isinstance(x, sp.Sum), unroll)
        if opened == e:
            break
        e = opened
    return e


def _align_sum_ranges(e: sp.Expr) -> sp.Expr:
    """Split sums that differ only in how far they run, so the common part cancels.

    ``sum_{k=a}^{b+o} f(k)`` becomes ``sum_{k=a}^{b+m} f(k) + f(b+m+1) + ... + f(b+o)`` where ``m``
    is the smallest offset among the sums of the same ``f`` from the same ``a`` (``b`` symbolic,
    offsets integers), so sum_{k=1}^{t-1} f(k) + f(t) and sum_{k=1}^{t} f(k) meet term by term.
    """
    e = sp.Add(*[_absorb_into_sum(t) for t in sp.Add.make_args(sp.expand(e))])
    e = sp.expand(e.replace(lambda x: isinstance(x, sp.Sum) and len(x.limits) == 1, _split_sum))
    e = e.replace(lambda x: isinstance(x, sp.Sum) and _short_range(x), lambda x: x.doit())  # sum_{k=t}^{t} f = f(t)
    sums = [x for x in e.atoms(sp.Sum) if len(x.limits) == 1]
    groups: dict[tuple[sp.Basic, ...], list[tuple[sp.Sum, sp.Expr, int]]] = {}
    for total in sums:
        ((k, lo, hi),) = total.limits
        offset = hi.as_coeff_Add()[0] if hi.as_coeff_Add()[0].is_Integer else sp.S.Zero
        base = hi - offset
        canon = sp.Symbol("_k", **k.assumptions0)
        key = (total.function.xreplace({k: canon}), lo, base)
        groups.setdefault(key, []).append((total, base, int(offset)))
    replacements: dict[sp.Basic, sp.Basic] = {}
    for members in groups.values():
        if len(members) < 2:
            continue
        low = min(o for _, _, o in members)
        for total, base, off in members:
            if off == low:
                continue
            ((k, lo, _hi),) = total.limits
            extra = [total.function.xreplace({k: base + j}) for j in range(low + 1, off + 1)]
            replacements[total] = sp.Sum(total.function, (k, lo, base + low)) + sp.Add(*extra)
    return sp.expand(e.xreplace(replacements)) if replacements else e


def _split_sum(total: sp.Sum) -> sp.Expr:
    """Linearity: ``sum_k (c a(k) + b(k)) = c sum_k a(k) + sum_k b(k)`` with numeric ``c`` outside."""
    parts = []
    for term in sp.Add.make_args(sp.expand(total.function)):
        number, rest = term.as_coeff_Mul()
        parts.append(number * sp.Sum(sp.powsimp(rest), *total.limits))
    return sp.Add(*parts)


def _short_range(total: sp.Sum) -> bool:
    """A sum over a range of a few terms whose count does not depend on any symbol."""
    if len(total.limits) != 1:
        return False
    ((_, lo, hi),) = total.limits
    count = sp.simplify(hi - lo)
    return bool(count.is_Integer and 0 <= count < 8)


def _absorb_into_sum(term: sp.Expr) -> sp.Expr:
    """``c * sum_k f(k)`` as ``sum_k c f(k)`` (powers merged) when ``c`` does not involve ``k``."""
    factors = sp.Mul.make_args(term)
    sums = [f for f in factors if isinstance(f, sp.Sum) and len(f.limits) == 1]
    if len(sums) != 1:
        return term
    (total,) = sums
    number, coefficient = sp.Mul(*[f for f in factors if f is not total]).as_coeff_Mul()
    k = total.limits[0][0]
    if coefficient.has(k):
        return term
    return number * sp.Sum(sp.powsimp(sp.expand(coefficient * total.function)), total.limits[0])


def _rename_indices(e: sp.Basic, depth: int) -> sp.Basic:
    """Rename the indices of each sum by nesting depth (sums are independent scopes). A sum over
    several indices (SymPy flattens nested sums into one) numbers them from the outermost."""
    if isinstance(e, sp.Sum):
        limits = list(e.limits)  # innermost first
        count = len(limits)
        renames = {}
        new_limits = []
        for position, (var, lo, hi) in enumerate(limits):
            canon = sp.Symbol(f"_i{depth + count - 1 - position}", **var.assumptions0)
            renames[var] = canon
            new_limits.append((canon, lo.xreplace(renames), hi.xreplace(renames)))
        inner = _rename_indices(e.function, depth + count)
        return sp.Sum(inner.xreplace(renames), *new_limits)
    if not e.args or not e.has(sp.Sum):
        return e
    return e.func(*[_rename_indices(a, depth) for a in e.args])


def decide_conditions(e: sp.Basic, domains: Mapping[sp.Basic, Domain]) -> sp.Basic:
    """Replace each relation in ``e`` that the variables' bounds decide by ``True``/``False``.

    A linear relation ``lhs >= rhs`` holds on the domain when ``lhs - rhs``, with every bounded
    symbol moved to the end of its interval that makes the difference smallest, is still
    nonnegative (``j <= n`` for ``j`` in ``[1, n]``). Relations it cannot decide are kept.
    """
    replacements: dict[sp.Basic, sp.Basic] = {}
    for rel in e.atoms(sp.Rel):
        if not isinstance(rel, sp.Le | sp.Lt | sp.Ge | sp.Gt):
            continue
        gap = rel.gts - rel.lts  # the relation says gap >= 0 (or > 0)
        strict = isinstance(rel, sp.Lt | sp.Gt)
        if _always(gap, strict, domains):
            replacements[rel] = sp.true
        elif _always(-gap, not strict, domains):
            replacements[rel] = sp.false
    return e.xreplace(replacements) if replacements else e


def _bounded_by_others(s: sp.Basic, domains: Mapping[sp.Basic, Domain]) -> bool:
    dom = domains.get(s)
    return dom is not None and bool(dom.depends_on())


def _always(gap: sp.Expr, strict: bool, domains: Mapping[sp.Basic, Domain]) -> bool:
    """True if ``gap >= 0`` (``> 0``) at the least favourable ends of the symbols' intervals."""
    worst = gap
    for _ in range(4):  # bounds may name other bounded symbols (j <= n, n <= 6): a few rounds
        changed = False
        # symbols whose bounds name other symbols first (j in [1, d] before d), so that j <= d
        # becomes d <= d and not 1 <= j
        order = sorted(worst.free_symbols, key=lambda s: (not _bounded_by_others(s, domains), str(s)))
        for s in order:
            dom = domains.get(s)
            if dom is None or not worst.is_polynomial(s) or sp.degree(worst, s) != 1:
                continue
            slope = worst.coeff(s)
            end = dom.lo if slope.is_positive else dom.hi if slope.is_negative else None
            if end is None:
                continue
            worst = sp.expand(worst.subs(s, sp.sympify(end)))
            changed = True
        if not changed:
            break
    return bool(worst.is_positive) if strict else bool(worst.is_nonnegative)


def _depends(s: sp.Symbol, symbols: set[sp.Symbol], domains: Mapping[sp.Symbol, Domain]) -> bool:
    """True if a variable in ``symbols`` has a bound naming ``s`` (so ``s`` must be sampled too)."""
    return any(s in domains[t].depends_on() for t in symbols if t in domains)


def _has_indexed_domain(s: sp.Symbol, domains: Mapping[sp.Basic, object]) -> bool:
    return any(isinstance(k, sp.IndexedBase) and k.label == s for k in domains)


def _value(e: sp.Basic, digits: int) -> sp.Expr | None:
    """A concrete expression to ``digits + 15`` significant digits (a SymPy number), or ``None``."""
    v = e.evalf(digits + 15, maxn=400)
    if not v.is_number or v.has(sp.nan, sp.zoo, sp.oo, -sp.oo):
        return None
    re, im = v.as_real_imag()
    if not (re.is_Float or re.is_Number) or not (im.is_Float or im.is_Number):
        return None
    return v


def _fmt(v: sp.Expr) -> str:
    return str(sp.N(v, 8))


def _point(point: Mapping[sp.Symbol, sp.Expr]) -> str:
    return ", ".join(f"{k} = {float(v):.6g}" for k, v in sorted(point.items(), key=lambda kv: str(kv[0])))
