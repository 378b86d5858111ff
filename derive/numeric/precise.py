r"""The one high-precision evaluator: a SymPy expression's value at a point, with mpmath.

Both the verification ladder (its numeric rung) and answer checking evaluate expressions here.
:func:`mp_value` walks the SymPy tree and evaluates it with mpmath at a fixed working precision:
about 50 times faster than ``evalf`` per point, which is what makes a 60-digit test at 40 points
cost a few milliseconds. Nodes it does not know fall back to ``evalf`` (never code generation, so
untrusted answers can be evaluated too).

Fixed precision can lose digits to cancellation (``1 - \tanh(x)^2`` at large ``x``), so a
difference is only believed if it survives re-evaluation at more than twice the precision
(:func:`stable_difference`, :func:`confirmed`): a correct result is never rejected because of
round-off.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import mpmath
import sympy as sp

from ..maths.special import Phi, SpecialFunction, phi, sigmoid, softplus

DIGITS = 60
RECHECK_DIGITS = 150
REL_TOL_DIGITS = 45


class NotANumber(Exception):
    """The expression has no finite value at the point (a pole, log of 0, an unknown node)."""


def _mp_unary(name: str) -> Any:
    return getattr(mpmath, name)


_UNARY = {
    sp.exp: mpmath.exp,
    sp.sin: mpmath.sin,
    sp.cos: mpmath.cos,
    sp.tan: mpmath.tan,
    sp.sinh: mpmath.sinh,
    sp.cosh: mpmath.cosh,
    sp.tanh: mpmath.tanh,
    sp.sech: mpmath.sech,
    sp.csch: mpmath.csch,
    sp.coth: mpmath.coth,
    sp.sec: mpmath.sec,
    sp.csc: mpmath.csc,
    sp.cot: mpmath.cot,
    sp.asin: mpmath.asin,
    sp.acos: mpmath.acos,
    sp.atan: mpmath.atan,
    sp.atanh: mpmath.atanh,
    sp.asinh: mpmath.asinh,
    sp.acosh: mpmath.acosh,
    sp.erf: mpmath.erf,
    sp.erfc: mpmath.erfc,
    sp.Abs: abs,
    sp.floor: mpmath.floor,
    sp.ceiling: mpmath.ceil,
    sp.gamma: mpmath.gamma,
    sp.loggamma: mpmath.loggamma,
    sp.factorial: mpmath.factorial,
}


def _real(v: Any) -> Any:
    if isinstance(v, mpmath.mpc) and v.imag == 0:
        return v.real
    return v


class Env(dict[sp.Basic, Any]):
    """Values of symbols, plus ``entry(base, indices)`` for the entries ``z[k]`` of indexed variables."""

    entry: Callable[[sp.IndexedBase, tuple[int, ...]], Any] | None = None

    def child(self, key: sp.Basic, value: Any) -> Env:
        out = Env(self)
        out[key] = value
        out.entry = self.entry
        return out


MAX_TERMS = 10_000


def mp_value(
    expr: sp.Basic,
    point: Mapping[sp.Basic, Any],
    dps: int = DIGITS,
    entry: Callable[[sp.IndexedBase, tuple[int, ...]], Any] | None = None,
) -> Any:
    """``expr`` at ``point`` (SymPy atoms -> mpmath numbers) with ``dps`` working digits.

    Finite sums and products are added up term by term, and an entry ``z[k]`` of an indexed
    variable takes the value ``entry(z, (k,))``.

    Raises :class:`NotANumber` if the value is infinite, undefined or cannot be evaluated.
    """
    env = Env(point)
    env.entry = entry
    with mpmath.workdps(dps):
        try:
            v = _ev(expr, env, {})
        except (ZeroDivisionError, ValueError, OverflowError, TypeError) as exc:
            raise NotANumber(str(exc)) from None
        if not mpmath.isfinite(v):
            raise NotANumber("not finite")
        return _real(v)


def _ev(e: sp.Basic, pt: Mapping[sp.Basic, Any], memo: dict[sp.Basic, Any]) -> Any:
    if e in memo:
        return memo[e]
    v = _ev1(e, pt, memo)
    memo[e] = v
    return v


Memo = dict[sp.Basic, Any]


def _ev1(e: sp.Basic, pt: Mapping[sp.Basic, Any], memo: Memo) -> Any:
    """One node: a value given at the point, a number, an elementary function (:data:`_UNARY`),
    a node with its own rule (:data:`_RULES`, by class, then by kind), else ``evalf``."""
    if e in pt:
        return pt[e]
    if e.is_Number or e.is_NumberSymbol:
        return _number(e)
    f = e.func
    if f in _UNARY and len(e.args) == 1:
        return _UNARY[f](_ev(e.args[0], pt, memo))
    rule = _RULES.get(f) or next((r for kind, r in _KINDS if isinstance(e, kind)), None)
    if rule is not None:
        return rule(e, pt, memo)
    return _fallback(e, pt)


def _number(e: sp.Basic) -> Any:
    if e.is_Integer:
        return mpmath.mpf(int(e))
    if e.is_Rational:
        return mpmath.mpf(int(e.p)) / int(e.q)
    if e.is_Float:
        return mpmath.mpf(e._mpf_)
    if e is sp.pi:
        return +mpmath.pi
    if e is sp.E:
        return mpmath.e + 0
    if e in (sp.oo, -sp.oo, sp.zoo, sp.nan):
        raise ValueError("infinite")
    return mpmath.mpmathify(sp.N(e, mpmath.mp.dps))


def _args(e: sp.Basic, pt: Mapping[sp.Basic, Any], memo: Memo) -> list[Any]:
    return [_ev(a, pt, memo) for a in e.args]


def _reals(e: sp.Basic, pt: Mapping[sp.Basic, Any], memo: Memo) -> list[Any]:
    return [_real_only(v) for v in _args(e, pt, memo)]


def _mul(e: sp.Basic, pt: Mapping[sp.Basic, Any], memo: Memo) -> Any:
    out = mpmath.mpf(1)
    for v in _args(e, pt, memo):
        out = out * v
    return out


def _pow(e: sp.Basic, pt: Mapping[sp.Basic, Any], memo: Memo) -> Any:
    b, x = e.args
    vb = _ev(b, pt, memo)
    if x.is_Integer:
        n = int(x)
        if n < 0 and vb == 0:
            raise ZeroDivisionError("0 to a negative power")
        return vb**n
    if x == sp.S.Half:
        return mpmath.sqrt(vb)
    vx = _ev(x, pt, memo)
    if vb == 0:
        if mpmath.re(vx) > 0:
            return mpmath.mpf(0)
        raise ZeroDivisionError("0 to a non-positive power")
    return mpmath.power(vb, vx)


def _log(e: sp.Basic, pt: Mapping[sp.Basic, Any], memo: Memo) -> Any:
    args = _args(e, pt, memo)
    if any(a == 0 for a in args):
        raise ZeroDivisionError("log(0)")
    return mpmath.log(args[0]) if len(args) == 1 else mpmath.log(args[0]) / mpmath.log(args[1])


def _sign(e: sp.Basic, pt: Mapping[sp.Basic, Any], memo: Memo) -> Any:
    (v,) = _reals(e, pt, memo)
    return mpmath.mpf(0 if v == 0 else (1 if v > 0 else -1))


def _heaviside(e: sp.Basic, pt: Mapping[sp.Basic, Any], memo: Memo) -> Any:
    v = _real_only(_ev(e.args[0], pt, memo))
    at0 = _ev(e.args[1], pt, memo) if len(e.args) > 1 else mpmath.mpf(1) / 2
    return mpmath.mpf(1) if v > 0 else (mpmath.mpf(0) if v < 0 else at0)


def _kronecker(e: sp.Basic, pt: Mapping[sp.Basic, Any], memo: Memo) -> Any:
    a, b = _reals(e, pt, memo)
    return mpmath.mpf(1 if a == b else 0)


def _piecewise(e: sp.Basic, pt: Mapping[sp.Basic, Any], memo: Memo) -> Any:
    for value, cond in e.args:
        c = cond.xreplace({k: sp.Float(mpmath.nstr(v, 40)) for k, v in pt.items() if isinstance(k, sp.Symbol)})
        if c is sp.true or c == True:  # noqa: E712 - SymPy booleans
            return _ev(value, pt, memo)
    raise ValueError("no Piecewise branch applies")


def _indexed(e: sp.Basic, pt: Mapping[sp.Basic, Any], memo: Memo) -> Any:
    entry = getattr(pt, "entry", None)
    if entry is None:
        raise ValueError("no value for an indexed entry")
    return entry(e.base, tuple(_integer(_ev(i, pt, memo)) for i in e.indices))


def _sum_or_product(e: sp.Basic, pt: Mapping[sp.Basic, Any], memo: Memo) -> Any:
    values = [_ev(e.function, env, {}) for env in _ranges(list(e.limits), pt)]  # type: ignore[arg-type]
    if isinstance(e, sp.Sum):
        return mpmath.fsum(values)
    out = mpmath.mpf(1)
    for v in values:
        out *= v
    return out


def _binomial(e: sp.Basic, pt: Mapping[sp.Basic, Any], memo: Memo) -> Any:
    """:math:`\binom{n}{k}` by mpmath; 0 for a negative integer ``k``, as SymPy defines it (mpmath's
    limit of Gamma ratios gives other values there)."""
    n, k = (mpmath.mpmathify(v) for v in _args(e, pt, memo))
    if k == mpmath.nint(k) and k < 0:
        return mpmath.mpf(0)
    return mpmath.binomial(n, k)


def _unary(fn: Callable[[Any], Any]) -> Callable[[sp.Basic, Mapping[sp.Basic, Any], Memo], Any]:
    return lambda e, pt, memo: fn(_ev(e.args[0], pt, memo))


Rule = Callable[[sp.Basic, Mapping[sp.Basic, Any], Memo], Any]

#: the nodes with a rule of their own, by class
_RULES: dict[Any, Rule] = {
    sp.Add: lambda e, pt, memo: mpmath.fsum(_args(e, pt, memo)),
    sp.Mul: _mul,
    sp.Pow: _pow,
    sp.log: _log,
    Phi: _unary(mpmath.ncdf),
    phi: _unary(mpmath.npdf),
    sigmoid: _unary(lambda v: 1 / (1 + mpmath.exp(-v))),
    softplus: _unary(lambda v: mpmath.log(1 + mpmath.exp(v))),
    sp.Max: lambda e, pt, memo: max(_reals(e, pt, memo)),
    sp.Min: lambda e, pt, memo: min(_reals(e, pt, memo)),
    sp.sign: _sign,
    sp.Heaviside: _heaviside,
    sp.KroneckerDelta: _kronecker,
    sp.Piecewise: _piecewise,
    sp.binomial: _binomial,
}
#: the nodes with a rule by kind (subclasses included), tried in order
_KINDS: tuple[tuple[type, Rule], ...] = (
    (SpecialFunction, lambda e, pt, memo: _ev(e.elementary(), pt, memo)),
    (sp.Indexed, _indexed),
    (sp.Sum, _sum_or_product),
    (sp.Product, _sum_or_product),
)


def _integer(v: Any) -> int:
    v = _real_only(v)
    n = int(mpmath.nint(v))
    if v != n:
        raise ValueError("a non-integer index or bound")
    return n


def _ranges(limits: list[tuple[sp.Basic, sp.Basic, sp.Basic]], env: Env) -> Any:
    """Every assignment of the summation indices (outer limit last, as SymPy lists them)."""
    if not limits:
        yield env
        return
    k, lo, hi = limits[-1]
    a, b = _integer(_ev(lo, env, {})), _integer(_ev(hi, env, {}))
    if b - a > MAX_TERMS:
        raise ValueError("a sum with too many terms")
    for v in range(a, b + 1):
        yield from _ranges(limits[:-1], env.child(k, mpmath.mpf(v)))


def _real_only(v: Any) -> Any:
    v = _real(v)
    if isinstance(v, mpmath.mpc):
        raise ValueError("a comparison of complex values")
    return v


def _fallback(e: sp.Basic, pt: Mapping[sp.Basic, Any]) -> Any:
    """Anything else (a Sum with numeric bounds, an unevaluated Derivative): SymPy ``evalf``."""
    subs = {k: sp.Float(mpmath.nstr(v, mpmath.mp.dps + 5), mpmath.mp.dps + 5) for k, v in pt.items() if _plain(v)}
    inst = e.xreplace(subs)
    if inst.has(sp.Sum, sp.Product, sp.Derivative, sp.Integral):
        inst = inst.doit()
    v = inst.evalf(mpmath.mp.dps, maxn=400)
    if not v.is_number:
        raise ValueError(f"cannot evaluate {type(e).__name__}")
    re, im = v.as_real_imag()
    if not (re.is_Number and im.is_Number):
        raise ValueError("not a number")
    return mpmath.mpc(mpmath.mpmathify(re), mpmath.mpmathify(im)) if im != 0 else mpmath.mpmathify(re)


def _plain(v: Any) -> bool:
    return isinstance(v, mpmath.mpf)


def differ(a: Any, b: Any, floor: Any, rel_digits: int = REL_TOL_DIGITS) -> bool:
    """True if ``a`` and ``b`` differ beyond ``10^-rel_digits`` relative (plus an absolute floor)."""
    err = abs(a - b)
    scale = max(abs(a), abs(b))
    return bool(err > mpmath.mpf(10) ** (-rel_digits) * scale + floor)


def stable_difference(
    a: sp.Basic, b: sp.Basic, point: Mapping[sp.Basic, Any], floor: Any, exact_point: Mapping[sp.Basic, Any]
) -> tuple[Any, Any] | None:
    """Both values at :data:`RECHECK_DIGITS` if they still differ there (a real difference)."""
    try:
        va = mp_value(a, exact_point, RECHECK_DIGITS)
        vb = mp_value(b, exact_point, RECHECK_DIGITS)
    except NotANumber:
        return None
    with mpmath.workdps(RECHECK_DIGITS):
        return (va, vb) if differ(va, vb, floor) else None


def to_mp(point: Mapping[sp.Basic, sp.Expr], dps: int) -> dict[sp.Basic, Any]:
    """Exact SymPy coordinates as mpmath numbers at ``dps`` digits."""
    out: dict[sp.Basic, Any] = {}
    with mpmath.workdps(dps):
        for k, v in point.items():
            if v.is_Integer:
                out[k] = mpmath.mpf(int(v))
            elif v.is_Rational:
                out[k] = mpmath.mpf(int(v.p)) / int(v.q)
            else:
                out[k] = mpmath.mpmathify(sp.N(v, dps))
    return out


def fmt(v: Any, digits: int = 10) -> str:
    """A short decimal string of an mpmath value."""
    v = _real(v)
    if isinstance(v, mpmath.mpc):
        return f"{mpmath.nstr(v.real, digits)} + {mpmath.nstr(v.imag, digits)}i"
    return mpmath.nstr(v, digits)


def value(expr: sp.Basic, dps: int) -> Any:
    """The value of a closed expression (no free symbols) at ``dps`` digits, or ``None`` when it is
    not a finite number (a pole, an undefined operation, something that cannot be evaluated)."""
    try:
        return mp_value(expr, {}, dps)
    except NotANumber:
        return None


def settled(expr: sp.Basic, old: Any, dps: int = RECHECK_DIGITS) -> tuple[Any, bool]:
    """``expr`` (closed) again at ``dps`` digits, and whether ``old`` survived that: it did if the
    two agree to within half the new value's size (round-off shrinks as the precision grows, a
    true value stays). The new value is ``None`` if the expression has none."""
    new = value(expr, dps)
    if new is None:
        return None, False
    return new, bool(abs(old - new) <= abs(new) / 2)
