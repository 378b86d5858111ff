r"""How much round-off a computed value can carry: a first-order bound, in powers of two.

:func:`error_bound` walks an expression whose subexpressions have all been evaluated (the high-
precision evaluator's memo) and bounds the absolute error of its value in units of one rounding
at the working precision. Each node adds one rounding of its own value to its arguments' errors
amplified by its slope: a sum adds them, a product scales each by the other factors, ``exp(u)``
by its value, ``log(u)`` by :math:`1/|u|`, a power :math:`b^y` by :math:`|y b^{y-1}|` (table
:data:`SLOPES`). So ``cosh(50x)^2 - sinh(50x)^2`` is charged about :math:`\cosh(50x)^2 \approx
10^{152}` roundings and ``x e^{-200}`` only about its own size: the precision can be raised
exactly where cancellation or ill-conditioning eats digits, and nowhere else.

Everything is computed on :math:`\log_2` magnitudes read from mpmath's exponent and mantissa
length, as Python integers rounded up (no arithmetic on the values themselves, no overflow, and
no float that would lose the units of :math:`e^{-10^{20}}`): the bound is good to a few bits per
node, which is all that choosing a precision needs.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

import mpmath
import sympy as sp
from sympy.functions.elementary.piecewise import ExprCondPair

from ..maths.special import Phi, SpecialFunction, phi, sigmoid, softplus

NONE = -math.inf
#: a :math:`\log_2` size: an integer, or :data:`NONE` for 0
Log = int | float


def lg(v: Any) -> Log:
    """:math:`\\log_2 |v|` rounded up (``-inf`` for 0), from the binary exponent alone."""
    if isinstance(v, mpmath.mpc):
        return max(lg(v.real), lg(v.imag))
    if not isinstance(v, mpmath.mpf):
        v = mpmath.mpf(v)
    _, man, exp, bc = v._mpf_
    return int(exp + bc) if man else NONE


def _total(logs: list[Log]) -> Log:
    """A bound on :math:`\\log_2` of a sum of terms given their :math:`\\log_2` sizes."""
    top = max(logs, default=NONE)
    return top + len(logs).bit_length() if top > NONE else NONE


def _lg_near_one(u: Any, sign: int) -> Log:
    """:math:`\\log_2 |1 - u^2|` (``sign`` 1) or :math:`\\log_2 |u^2 - 1|` (``sign`` -1)."""
    with mpmath.workdps(20):
        return lg(sign * (1 - u * u))


#: :math:`\log_2 |f'(u)|` of one-argument functions, from the argument ``u``, :math:`\log_2|u|`
#: and :math:`\log_2|f(u)|`
SLOPES: dict[Any, Callable[[Any, Log, Log], Log]] = {
    sp.exp: lambda u, lu, lv: lv,
    sp.log: lambda u, lu, lv: -lu + 1,
    sp.sin: lambda u, lu, lv: 0,
    sp.cos: lambda u, lu, lv: 0,
    sp.tan: lambda u, lu, lv: max(2 * lv, 0) + 1,
    sp.cot: lambda u, lu, lv: max(2 * lv, 0) + 1,
    sp.sec: lambda u, lu, lv: max(2 * lv, 0) + 1,
    sp.csc: lambda u, lu, lv: max(2 * lv, 0) + 1,
    sp.sinh: lambda u, lu, lv: max(lv, 0) + 1,
    sp.cosh: lambda u, lu, lv: lv,
    sp.tanh: lambda u, lu, lv: 0,
    sp.coth: lambda u, lu, lv: max(2 * lv, 0) + 1,
    sp.sech: lambda u, lu, lv: lv,
    sp.csch: lambda u, lu, lv: max(2 * lv, lv) + 1,
    sp.atan: lambda u, lu, lv: 0,
    sp.asinh: lambda u, lu, lv: 0,
    sp.asin: lambda u, lu, lv: -(_lg_near_one(u, 1) // 2) + 1,
    sp.acos: lambda u, lu, lv: -(_lg_near_one(u, 1) // 2) + 1,
    sp.acosh: lambda u, lu, lv: -(_lg_near_one(u, -1) // 2) + 1,
    sp.atanh: lambda u, lu, lv: -_lg_near_one(u, 1) + 1,
    sp.erf: lambda u, lu, lv: 1,
    sp.erfc: lambda u, lu, lv: 1,
    sp.frac: lambda u, lu, lv: 0,
    sp.re: lambda u, lu, lv: 0,
    sp.im: lambda u, lu, lv: 0,
    Phi: lambda u, lu, lv: 0,
    phi: lambda u, lu, lv: 0,
    sigmoid: lambda u, lu, lv: 0,
    softplus: lambda u, lu, lv: 0,
}
#: nodes whose value is one of their arguments' (up to sign): no amplification
_SELECTORS = (sp.Abs, sp.Max, sp.Min, sp.Piecewise)
#: nodes whose value is exact once the jump is decided
_STEPS = (sp.sign, sp.Heaviside, sp.floor, sp.ceiling, sp.KroneckerDelta, sp.Indexed)
#: :math:`\log_2` of the roundings assumed for a node the bound cannot see into (a sum's terms)
OPAQUE = 20


class _Walk:
    r"""One bound: the values (``evaluate`` computes a missing one) and, per node, the pair
    (:math:`\log_2` of its size, :math:`\log_2` of its error bound) found so far."""

    def __init__(self, values: Mapping[sp.Basic, Any], evaluate: Callable[[sp.Basic], Any]) -> None:
        self.values = values
        self.evaluate = evaluate
        self.seen: dict[sp.Basic, tuple[Log, Log]] = {}

    def value(self, e: sp.Basic) -> Any:
        v = self.values.get(e, _MISSING)
        return self.evaluate(e) if v is _MISSING else v

    def bound(self, e: sp.Basic) -> tuple[Log, Log]:
        out = self.seen.get(e)
        if out is None:
            lv = lg(self.value(e))
            out = self.seen[e] = (lv, self._bound(e, lv))
        return out

    def _bound(self, e: sp.Basic, lv: Log) -> Log:
        if not e.args or isinstance(e, _STEPS):
            return lv
        if isinstance(e, sp.Add):
            return _total([lv, *(self.bound(a)[1] for a in e.args)])
        if isinstance(e, sp.Mul):
            return _total([lv, *self._products(e)])
        if isinstance(e, sp.Pow):
            return _total([lv, *self._power(e, lv)])
        if isinstance(e, _SELECTORS):
            # the value is one of the evaluated arguments (a Piecewise's branch, the larger of a Max)
            taken = [a for a in (p.expr if isinstance(p, ExprCondPair) else p for p in e.args) if a in self.values]
            return _total([lv, max((self.bound(a)[1] for a in taken), default=lv)])
        if e.func in SLOPES and len(e.args) == 1:
            u = e.args[0]
            lu, eu = self.bound(u)
            return _total([lv, SLOPES[e.func](self.value(u), lu, lv) + eu])
        if isinstance(e, SpecialFunction) and e.elementary() in self.values:
            return self.bound(e.elementary())[1]
        return max(lv, 0) + OPAQUE  # a sum's terms, an unknown node: not seen from here

    def _products(self, e: sp.Basic) -> list[Log]:
        """Each factor's error times the other factors' sizes."""
        pairs = [self.bound(a) for a in e.args]
        zeros = sum(la == NONE for la, _ in pairs)
        finite = sum(la for la, _ in pairs if la > NONE)
        out = []
        for la, ea in pairs:
            if zeros - (la == NONE) > 0:
                continue  # another factor is exactly 0: this one's error does not show
            out.append(ea + finite - (la if la > NONE else 0) + len(pairs))
        return out

    def _power(self, e: sp.Basic, lv: Log) -> list[Log]:
        """``b^y``: ``|y b^(y-1)|`` times the base's error, ``|b^y log b|`` times the exponent's."""
        b, y = e.args
        lb, eb = self.bound(b)
        if lb == NONE:
            return [eb]
        ly, ey = self.bound(y)
        out = [ly + lv - lb + eb + 2]
        if not y.is_Number:
            with mpmath.workdps(20):
                out.append(lv + lg(mpmath.log(self.value(b))) + ey + 1)
        return out


_MISSING = object()


def error_bound(e: sp.Basic, values: Mapping[sp.Basic, Any], evaluate: Callable[[sp.Basic], Any]) -> Log:
    """:math:`\\log_2` of a bound on the absolute round-off of ``e``'s value, in units of one
    rounding at the working precision (``-inf``: exact). ``values`` are the evaluator's values of
    the subexpressions; ``evaluate`` computes one it lacks (the argument of a node evaluated by
    ``evalf``)."""
    return _Walk(values, evaluate).bound(e)[1]
