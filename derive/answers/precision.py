r"""One point, one decision: do the answer and the target differ there, at a precision that can tell?

A fixed working precision is fooled both ways. ``(cosh(50x)^2 - sinh(50x)^2)(1 - tanh(x)^2)``
loses every digit to cancellation at 60 digits (intermediate values near :math:`10^{152}`), so a
true answer looks wrong; ``e^{1000} + x`` and ``e^{1000} + 2x`` agree to 400 digits, so a wrong
answer looks right. Three things fix it:

- **the difference, not the sides**: additive terms common to both (after unfolding) are
  cancelled symbolically first (:func:`reduce_common`), so :math:`e^{1000}` never enters the
  comparison, and the tolerance is relative to the *remaining* parts :math:`a'` and :math:`t'`
  and their typical size :math:`S` over the domain (:class:`Tolerance`): equal at a point means
  :math:`|a' - t'| \le 10^{-45} \max(|a'|, |t'|) + 10^{-50} S`, with no absolute floor
  (:math:`e^{-200} x` and :math:`2 e^{-200} x` differ by 100 %, ``t + 10^{-100}`` differs from
  ``t`` by all of what remains, and a huge term that cancels within the answer,
  ``cosh(300)^2 - sinh(300)^2``, inflates nothing: only values above their round-off count);
- **the dynamic range**: every value is :class:`Measured` with a bound on its round-off
  (:mod:`.roundoff`: what cancellation and ill-conditioning make of one rounding at :math:`d`
  digits); :func:`settle` raises the precision until that is below the tolerance (or the
  difference is far above it), up to :data:`MAX_DIGITS`;
- **exact breakpoints**: at exact points, conditions and jumps (``Piecewise``, ``Heaviside``,
  ``sign``, ``floor``, ``frac``) are decided exactly by SymPy (:func:`exact_jumps`), so
  ``x > 23/10`` and ``x >= 23/10`` differ at :math:`x = 23/10` as they should.

A difference is believed only if it is far above the round-off estimate *and* survives
re-evaluation at a higher precision with the same value (:func:`settle`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple

import mpmath
import sympy as sp

from ..numeric import precise
from ..numeric.precise import DIGITS, REL_TOL_DIGITS, NotANumber
from .roundoff import error_bound

#: the most digits a single point may need before it is left unresolved
MAX_DIGITS = 1500
#: digits of round-off allowed for an expression tree's accumulated rounding
SLACK = 5
#: a difference must exceed the round-off estimate by this factor before it is confirmed
MARGIN = 10**3
#: the absolute part of the tolerance, relative to the typical size of the values compared
FLOOR = mpmath.mpf(10) ** -(REL_TOL_DIGITS + 5)
#: the most precision raises at one point
ROUNDS = 5


class Measured(NamedTuple):
    r"""A value and :math:`\log_2` of a bound on its round-off in roundings at the working precision
    (:func:`~.roundoff.error_bound`: what cancellation and ill-conditioning can make of one)."""

    value: Any
    error: int | float
    #: a subexpression's value is not real (``sqrt(k/m)`` with ``k/m < 0``): over the reals the
    #: expression is undefined there, whatever its principal-branch value
    complex_inside: bool = False

    def noise(self, dps: int) -> Any:
        """The round-off bound at ``dps`` digits, with :data:`SLACK` digits to spare."""
        if self.error == -math.inf:
            return mpmath.mpf(0)
        return mpmath.ldexp(mpmath.mpf(10) ** -(dps - SLACK), math.ceil(self.error))


def measure(
    expr: sp.Basic,
    point: Mapping[sp.Basic, Any],
    dps: int = DIGITS,
    entry: Callable[[sp.IndexedBase, tuple[int, ...]], Any] | None = None,
    *,
    bound: bool = True,
) -> Measured:
    """``expr`` at ``point`` with ``dps`` digits (as :func:`derive.numeric.precise.mp_value`) and
    a bound on its round-off error (:func:`~.roundoff.error_bound`; none without ``bound``, for a
    value that only a diagnosis or a message reads).

    Raises :class:`~derive.numeric.precise.NotANumber` where the expression has no finite value.
    """
    env = precise.Env(point)
    env.entry = entry
    memo: dict[sp.Basic, Any] = {}
    with mpmath.workdps(dps):
        try:
            # the evaluator's memo keeps the value of every subexpression: the error bound reads it
            v = precise._ev(expr, env, memo)
            if not mpmath.isfinite(v):
                raise NotANumber("not finite")
            error = error_bound(expr, memo, lambda e: precise._ev(e, env, memo)) if bound else -math.inf
        except (ZeroDivisionError, ValueError, OverflowError, TypeError) as exc:
            raise NotANumber(str(exc)) from None
        inside = any(isinstance(u, mpmath.mpc) and u.imag != 0 for u in memo.values())
        return Measured(precise._real(v), error, inside)


# ------------------------------------------------------------------------------------ exact jumps
#: nodes whose value jumps: decided exactly at an exact point, never from rounded coordinates
JUMPS = (sp.Piecewise, sp.Heaviside, sp.sign, sp.floor, sp.ceiling, sp.frac, sp.KroneckerDelta)


def exact_jumps(expr: sp.Basic, point: Mapping[sp.Basic, sp.Expr]) -> sp.Basic:
    """``expr`` with every jump node (:data:`JUMPS`) whose variables the exact ``point`` fixes
    replaced by its exact value there (SymPy decides ``23/10 >= 23/10`` exactly)."""
    if not expr.has(*JUMPS):
        return expr
    given = {k: v for k, v in point.items() if isinstance(k, sp.Symbol)}

    def fixed(n: sp.Basic) -> bool:
        return isinstance(n, JUMPS) and not n.has(sp.Indexed) and n.free_symbols <= set(given)

    return expr.replace(fixed, lambda n: n.xreplace(given))


# ------------------------------------------------------------------------------------ the difference
def reduce_common(a: sp.Basic, t: sp.Basic) -> tuple[sp.Basic, sp.Basic]:
    """``a`` and ``t`` without the additive terms they share: ``(e^1000 + x, e^1000 + 2x)`` gives
    ``(x, 2x)``. Their difference is unchanged; only the size it is measured against shrinks."""
    if not (isinstance(a, sp.Expr) and isinstance(t, sp.Expr)):
        return a, t
    left = list(sp.Add.make_args(a))
    right = list(sp.Add.make_args(t))
    common = [term for term in left if term in right]
    if not common:
        return a, t
    for term in common:
        if term in right:
            right.remove(term)
            left.remove(term)
    return sp.Add(*left), sp.Add(*right)


def realised(m: Measured | None, dps: int) -> Measured | None:
    """``m`` as a real value: ``m`` itself if real, its real part if the imaginary part is within
    the round-off bound (:meth:`Measured.noise`), ``None`` if undefined, truly not real, or computed
    through a value that is not real (:attr:`Measured.complex_inside`)."""
    if m is None or m.complex_inside:
        return None
    if not isinstance(m.value, mpmath.mpc):
        return m
    with mpmath.workdps(dps + 10):
        if abs(m.value.imag) <= m.noise(dps):
            return m._replace(value=m.value.real)
    return None


#: the answer side of a pair where the answer has no real value but the target has one
ABSENT_ANSWER = Measured(None, -math.inf)


@dataclass(frozen=True)
class Outcome:
    """What one point says: ``equal``, ``differ`` (confirmed), ``undefined`` (no value there, or
    the target is not real there in a real question: the point is not compared), ``absent`` (the
    answer has no real value where the target has one) or ``unresolved`` (more than
    :data:`MAX_DIGITS` would be needed, or the values would not settle)."""

    kind: str
    digits: int = DIGITS
    answer: Any = None
    target: Any = None


EQUAL, DIFFER, UNDEFINED, ABSENT, UNRESOLVED = "equal", "differ", "undefined", "absent", "unresolved"

Pair = tuple[Measured, Measured]


@dataclass(frozen=True)
class Tolerance:
    r"""When two values count as equal: :math:`|a' - t'| \le 10^{-45} \max(|a'|, |t'|) + 10^{-50} S`
    with :math:`S` the typical size of the reduced pair over the domain (``scale``). Where both
    values are round-off of 0 (a comb at the short decimals where it vanishes) and the reduced pair
    has no size at all, :math:`S` is the target's own typical size (``fallback``)."""

    scale: Any
    fallback: Any

    def at(self, pair: Pair, dps: int) -> Any:
        a, t = pair
        floor = self.scale
        if floor == 0 and abs(a.value) <= a.noise(dps) and abs(t.value) <= t.noise(dps):
            floor = self.fallback
        with mpmath.workdps(dps + 10):
            return mpmath.mpf(10) ** -REL_TOL_DIGITS * max(abs(a.value), abs(t.value)) + FLOOR * floor


def typical(pairs: list[Pair | None], dps: int = DIGITS) -> Any:
    """The median size of the values of a reduced pair at some points, counting only values above
    their round-off (``0`` if there is none)."""
    sizes = sorted(
        max((abs(m.value) for m in p if abs(m.value) > m.noise(dps)), default=mpmath.mpf(0))
        for p in pairs
        if p is not None and p[0].value is not None
    )
    sizes = [x for x in sizes if x > 0]
    return sizes[len(sizes) // 2] if sizes else mpmath.mpf(0)


def margins(pair: Pair, dps: int, tolerance: Tolerance) -> tuple[Any, Any, Any]:
    """``(|a - t|, tolerance, round-off estimate)`` at ``dps`` digits."""
    a, t = pair
    with mpmath.workdps(dps + 10):
        return abs(a.value - t.value), tolerance.at(pair, dps), a.noise(dps) + t.noise(dps)


def settle(evaluate: Callable[[int], Pair | None], tolerance: Tolerance, first: Pair | None = None) -> Outcome:
    """Decide one point from ``evaluate(dps)`` (the answer's and the target's :class:`Measured`
    values, or ``None`` where either is undefined), raising the precision as the dynamic range
    requires. ``first`` is the pair at :data:`DIGITS` if already computed."""
    dps = DIGITS
    pair = first if first is not None else evaluate(dps)
    for _ in range(ROUNDS):
        if pair is None:
            return Outcome(UNDEFINED, dps)
        if pair[0] is ABSENT_ANSWER:
            return Outcome(ABSENT, dps, None, pair[1].value)
        gap, tol, noise = margins(pair, dps, tolerance)
        if gap <= tol and noise <= tol:
            return Outcome(EQUAL, dps, pair[0].value, pair[1].value)
        if gap > tol and gap > MARGIN * noise:
            confirmed = _confirm(evaluate, pair, dps, tolerance)
            if confirmed is not None:
                return confirmed
        # more digits: enough to push the round-off below the tolerance (or far below the gap)
        want = max(tol, gap / MARGIN) if gap > 0 else tol
        extra = math.ceil(float(mpmath.log10(noise / want))) + SLACK if want > 0 else dps
        dps = max(dps + extra, dps + 20)
        if dps > MAX_DIGITS:
            break
        pair = evaluate(dps)
    return Outcome(UNRESOLVED, dps)


def _confirm(evaluate: Callable[[int], Pair | None], pair: Pair, dps: int, tolerance: Tolerance) -> Outcome | None:
    """The difference again at twice the precision: confirmed if it is still beyond the tolerance
    and has kept its value (round-off changes with the precision, a true difference does not)."""
    hi_dps = min(2 * dps, MAX_DIGITS)
    hi = evaluate(hi_dps)
    if hi is None or hi[0] is ABSENT_ANSWER:
        return None
    gap, tol, noise = margins(hi, hi_dps, tolerance)
    with mpmath.workdps(hi_dps):
        moved = abs((pair[0].value - pair[1].value) - (hi[0].value - hi[1].value))
    if gap > tol and gap > MARGIN * noise and moved <= gap / 2:
        return Outcome(DIFFER, hi_dps, hi[0].value, hi[1].value)
    return None
