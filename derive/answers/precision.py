r"""One point, one decision: do the answer and the target differ there, at a precision that can tell?

A fixed working precision is fooled both ways. ``(cosh(50x)^2 - sinh(50x)^2)(1 - tanh(x)^2)``
loses every digit to cancellation at 60 digits (intermediate values near :math:`10^{152}`), so a
true answer looks wrong; ``e^{1000} + x`` and ``e^{1000} + 2x`` agree to 400 digits, so a wrong
answer looks right. Three things fix it:

- **the difference, not the sides**: additive terms common to both (after unfolding) are
  cancelled symbolically first (:func:`reduce_common`), so :math:`e^{1000}` never enters the
  comparison, and the tolerance is relative to the *remaining* parts :math:`a'` and
  :math:`t'`: equal at a point means :math:`|a' - t'| \le 10^{-45} \max(|a'|, |t'|) + \text{floor}`;
- **the dynamic range**: every value is :class:`Measured` with the largest magnitude :math:`M`
  of any intermediate value of its evaluation, so the round-off of the difference is about
  :math:`M \cdot 10^{-(d - 5)}` at :math:`d` digits; :func:`settle` raises the precision until
  that is below the tolerance (or the difference is far above it), up to :data:`MAX_DIGITS`;
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
from sympy.functions.elementary.piecewise import ExprCondPair

from ..maths.special import Phi, SpecialFunction, phi, sigmoid, softplus
from ..numeric import precise
from ..numeric.precise import DIGITS, REL_TOL_DIGITS, NotANumber

#: the most digits a single point may need before it is left unresolved
MAX_DIGITS = 1500
#: digits of round-off allowed for an expression tree's accumulated rounding
SLACK = 5
#: a difference must exceed the round-off estimate by this factor before it is confirmed
MARGIN = 10**3
#: the most precision raises at one point
ROUNDS = 5


class Measured(NamedTuple):
    """A value and a bound on its round-off, in units of :math:`10^{-d}` at ``d`` working digits
    (:func:`error_bound`: what cancellation and ill-conditioning can make of one rounding)."""

    value: Any
    error: Any


def measure(
    expr: sp.Basic,
    point: Mapping[sp.Basic, Any],
    dps: int = DIGITS,
    entry: Callable[[sp.IndexedBase, tuple[int, ...]], Any] | None = None,
) -> Measured:
    """``expr`` at ``point`` with ``dps`` digits (as :func:`derive.numeric.precise.mp_value`) and
    a bound on its round-off error (:func:`error_bound`).

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
            error = error_bound(expr, memo, lambda e: precise._ev(e, env, memo))
        except (ZeroDivisionError, ValueError, OverflowError, TypeError) as exc:
            raise NotANumber(str(exc)) from None
        return Measured(precise._real(v), error)


# ------------------------------------------------------------------------------------ round-off
def _inv(x: Any) -> Any:
    return mpmath.inf if x == 0 else 1 / abs(x)


#: ``|f'(u)|`` bounds of one-argument functions, from the argument ``u`` and the value ``v``
SLOPES: dict[Any, Callable[[Any, Any], Any]] = {
    sp.exp: lambda u, v: abs(v),
    sp.log: lambda u, v: _inv(u),
    sp.sin: lambda u, v: 1,
    sp.cos: lambda u, v: 1,
    sp.tan: lambda u, v: 1 + abs(v) ** 2,
    sp.cot: lambda u, v: 1 + abs(v) ** 2,
    sp.sec: lambda u, v: abs(v) ** 2 + abs(v),
    sp.csc: lambda u, v: abs(v) ** 2 + abs(v),
    sp.sinh: lambda u, v: abs(v) + 1,
    sp.cosh: lambda u, v: abs(v),
    sp.tanh: lambda u, v: 1,
    sp.coth: lambda u, v: abs(v) ** 2 + 1,
    sp.sech: lambda u, v: abs(v),
    sp.csch: lambda u, v: abs(v) ** 2 + abs(v),
    sp.atan: lambda u, v: 1,
    sp.asinh: lambda u, v: 1,
    sp.asin: lambda u, v: _inv(mpmath.sqrt(abs(1 - u**2))),
    sp.acos: lambda u, v: _inv(mpmath.sqrt(abs(1 - u**2))),
    sp.acosh: lambda u, v: _inv(mpmath.sqrt(abs(u**2 - 1))),
    sp.atanh: lambda u, v: _inv(1 - u**2),
    sp.erf: lambda u, v: 2,
    sp.erfc: lambda u, v: 2,
    sp.frac: lambda u, v: 1,
    sp.re: lambda u, v: 1,
    sp.im: lambda u, v: 1,
    Phi: lambda u, v: 1,
    phi: lambda u, v: 1,
    sigmoid: lambda u, v: 1,
    softplus: lambda u, v: 1,
}
#: nodes whose value is one of their arguments' (up to sign): no amplification
_SELECTORS = (sp.Abs, sp.Max, sp.Min, sp.Piecewise)
_STEPS = (sp.sign, sp.Heaviside, sp.floor, sp.ceiling, sp.KroneckerDelta, sp.Indexed)
#: the round-off assumed for a node the bound cannot see into (a sum's terms, an unknown node)
OPAQUE = 10**6


def error_bound(e: sp.Basic, values: Mapping[sp.Basic, Any], evaluate: Callable[[sp.Basic], Any]) -> Any:
    r"""A first-order bound on the absolute round-off of ``e``'s computed value, in units of one
    rounding at the working precision: each node adds one rounding of its value to its arguments'
    errors amplified by its slope (sums add them, products scale them by the other factors,
    ``exp(u)`` by its value...). So ``cosh(50x)^2 - sinh(50x)^2`` is charged about
    :math:`\cosh(50x)^2 \approx 10^{152}` and ``x e^{-200}`` only about its own size.
    ``values`` are the evaluator's values of the subexpressions, ``evaluate`` computes a missing one
    (the argument of a node the evaluator handed to ``evalf``)."""
    bounds: dict[sp.Basic, Any] = {}

    def value(n: sp.Basic) -> Any:
        return values[n] if n in values else evaluate(n)

    with mpmath.workdps(8):
        return _bound(e, value, values, bounds)


Value = Callable[[sp.Basic], Any]


def _bound(e: sp.Basic, value: Value, values: Mapping[sp.Basic, Any], bounds: dict[sp.Basic, Any]) -> Any:
    if e in bounds:
        return bounds[e]
    v = abs(value(e))
    if not e.args or isinstance(e, _STEPS):
        out = v
    elif isinstance(e, sp.Add):
        out = v + mpmath.fsum(_bound(a, value, values, bounds) for a in e.args)
    elif isinstance(e, sp.Mul):
        sizes = [abs(value(a)) for a in e.args]
        out = v
        for k, a in enumerate(e.args):
            out += _bound(a, value, values, bounds) * mpmath.fprod(sizes[:k] + sizes[k + 1 :])
    elif isinstance(e, sp.Pow):
        out = v + _pow_bound(e, v, value, values, bounds)
    elif isinstance(e, _SELECTORS):
        # the value is one of the evaluated arguments (a Piecewise's branch, the larger of a Max)
        taken = [a for a in (p.expr if isinstance(p, ExprCondPair) else p for p in e.args) if a in values]
        out = v + max((_bound(a, value, values, bounds) for a in taken), default=v)
    elif e.func in SLOPES and len(e.args) == 1:
        u = e.args[0]
        out = v + SLOPES[e.func](value(u), value(e)) * _bound(u, value, values, bounds)
    elif isinstance(e, SpecialFunction) and e.elementary() in values:
        out = _bound(e.elementary(), value, values, bounds)
    else:  # a sum's terms, an unknown node: not seen from here
        out = (v + 1) * OPAQUE
    bounds[e] = out
    return out


def _pow_bound(e: sp.Basic, v: Any, value: Value, values: Mapping[sp.Basic, Any], bounds: dict[sp.Basic, Any]) -> Any:
    """``b^y``: ``|y b^(y-1)|`` times the base's error, ``|b^y log b|`` times the exponent's."""
    b, y = e.args
    vb, vy = value(b), value(y)
    eb = _bound(b, value, values, bounds)
    out = abs(vy) * v * _inv(vb) * eb if vb != 0 else eb
    if not y.is_Number and vb != 0:
        out += v * abs(mpmath.log(vb)) * _bound(y, value, values, bounds)
    return out


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


@dataclass(frozen=True)
class Outcome:
    """What one point says: ``equal``, ``differ`` (confirmed), ``undefined`` (no value there) or
    ``unresolved`` (more than :data:`MAX_DIGITS` would be needed, or the values would not settle)."""

    kind: str
    digits: int = DIGITS
    answer: Any = None
    target: Any = None


EQUAL, DIFFER, UNDEFINED, UNRESOLVED = "equal", "differ", "undefined", "unresolved"

Pair = tuple[Measured, Measured]


def margins(pair: Pair, floor: Any, dps: int) -> tuple[Any, Any, Any]:
    """``(|a - t|, tolerance, round-off estimate)`` at ``dps`` digits."""
    a, t = pair
    with mpmath.workdps(dps + 10):
        gap = abs(a.value - t.value)
        tol = mpmath.mpf(10) ** -REL_TOL_DIGITS * max(abs(a.value), abs(t.value)) + floor
        noise = (a.error + t.error) * mpmath.mpf(10) ** -(dps - SLACK)
    return gap, tol, noise


def settle(evaluate: Callable[[int], Pair | None], floor: Any, first: Pair | None = None) -> Outcome:
    """Decide one point from ``evaluate(dps)`` (the answer's and the target's :class:`Measured`
    values, or ``None`` where either is undefined), raising the precision as the dynamic range
    requires. ``first`` is the pair at :data:`DIGITS` if already computed."""
    dps = DIGITS
    pair = first if first is not None else evaluate(dps)
    for _ in range(ROUNDS):
        if pair is None:
            return Outcome(UNDEFINED, dps)
        gap, tol, noise = margins(pair, floor, dps)
        if gap <= tol and noise <= tol:
            return Outcome(EQUAL, dps, pair[0].value, pair[1].value)
        if gap > tol and gap > MARGIN * noise:
            confirmed = _confirm(evaluate, pair, floor, dps)
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


def _confirm(evaluate: Callable[[int], Pair | None], pair: Pair, floor: Any, dps: int) -> Outcome | None:
    """The difference again at twice the precision: confirmed if it is still beyond the tolerance
    and has kept its value (round-off changes with the precision, a true difference does not)."""
    hi_dps = min(2 * dps, MAX_DIGITS)
    hi = evaluate(hi_dps)
    if hi is None:
        return None
    gap, tol, noise = margins(hi, floor, hi_dps)
    with mpmath.workdps(hi_dps):
        moved = abs((pair[0].value - pair[1].value) - (hi[0].value - hi[1].value))
    if gap > tol and gap > MARGIN * noise and moved <= gap / 2:
        return Outcome(DIFFER, hi_dps, hi[0].value, hi[1].value)
    return None
