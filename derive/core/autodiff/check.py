r"""The independent numeric check of an automatic derivative: central differences of the input.

At seeded random points of the variables' domains, :math:`D(h) = \bigl(f(x + h) - f(x - h)\bigr)/2h`
is computed with mpmath (:func:`derive.numeric.precise.mp_value`, which also adds up sums over
symbolic ranges term by term and knows Kronecker deltas and derive's special functions) and
compared with the derived result **at each point relative to that point's own magnitude** (no
floor borrowed from other points: a result wrong only where the derivative is :math:`10^{-60}` is
still wrong).

Rounding: ``f`` is evaluated to ``dps`` digits, so :math:`D(h)` carries an absolute rounding error
up to :math:`(|f(x+h)| + |f(x-h)|)\,10^{-\mathrm{dps}}/2h`. Where ``f`` is nearly constant and its
derivative tiny (:math:`\Phi(2x^2)` at :math:`x = 2.6`: :math:`\Phi \approx 1`,
:math:`\Phi' \approx 10^{-56}`), 30 digits give noise only; the precision is then raised until
the rounding bound is below :data:`NOISE` of :math:`|D(h)|` (at most :data:`MAX_DPS` digits).
Truncation: :math:`O(h^2 f''')` with :math:`h = 10^{-10}\max(1, |x|)`, estimated by
:math:`|D(2h) - D(h)|/3` (Richardson). A point passes if
:math:`|D - g| \le \mathrm{RTOL}\max(|D|, |g|) + \text{bound}`, the bound being those two
estimates; points where ``f`` has no finite value (a pole, a log of 0) are skipped and counted.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import mpmath
import numpy as np
import sympy as sp

from ...numeric.crosscheck import CheckContext, CrossCheckResult
from ...numeric.precise import NotANumber, mp_value

DIGITS = 30
#: the most digits the differences are computed with, and the rounding noise they aim for,
#: relative to the difference itself
MAX_DPS = 1500
ZERO_DPS = 120  # for a derivative claimed to be exactly 0 (a constant piece: Min(x, 1) beyond 1)
NOISE = mpmath.mpf(10) ** -15
STEP = mpmath.mpf(10) ** -10
RTOL = 1e-9


def _point(values: dict[sp.Symbol, np.ndarray], i: int) -> dict[sp.Basic, object]:
    return {s: (round(float(v[i])) if s.is_integer else mpmath.mpf(float(v[i]))) for s, v in values.items()}


def difference(
    f: sp.Expr, x: sp.Symbol, point: Mapping[sp.Basic, Any], dps: int = DIGITS, limit: int = MAX_DPS
) -> tuple[Any, Any]:
    """:math:`D(h)` of ``f`` in ``x`` at ``point`` and a bound on its error (rounding plus the
    Richardson estimate of truncation), the precision raised from ``dps`` until rounding is below
    :data:`NOISE` of :math:`|D|` (or ``limit`` digits reached). Raises :class:`NotANumber` where
    ``f`` has no finite value."""
    x0 = mpmath.mpf(point[x])
    dps = max(DIGITS, min(dps, limit))
    while True:
        with mpmath.workdps(dps + 10):
            h = STEP * max(1, abs(x0))
            d, noise = _central(f, x, point, x0, h, dps)
            if dps < limit and (d == 0 or noise > NOISE * abs(d)):
                more = dps if d == 0 else int(mpmath.ceil(mpmath.log10(noise / (NOISE * abs(d))))) + 5
                dps = min(limit, dps + max(more, 10))
                continue
            d2, noise2 = _central(f, x, point, x0, 2 * h, dps)
            return +d, noise + noise2 + abs(d2 - d) / 3


def _resolved(result: sp.Expr, point: Mapping[sp.Basic, Any], exact: Any, d: Any) -> Any | None:
    """The result's value at ``point``: ``exact`` (30 digits) if it agrees with ``d``, else
    evaluated again at more digits until two evaluations agree to :data:`NOISE` (its closed form
    may cancel: ``x y (sigma(w x y) - 1)`` is 0 at 30 digits where it is 1e-65); ``None`` if no
    :data:`MAX_DPS` digits settle it."""
    if abs(d - exact) <= RTOL * max(abs(d), abs(exact)):
        return exact
    previous = exact
    for dps in (60, 120, 240, 480, 960, MAX_DPS):
        value = mp_value(result, point, dps)
        if value != 0 and abs(value - previous) <= NOISE * abs(value):
            return value
        previous = value
    return None


def _digits_hint(claimed: Any) -> int:
    """Digits to start from: enough to resolve a derivative the size of the ``claimed`` one next to
    an ``f`` of size 1 (only where to start: :func:`difference` raises them further until its own
    noise bound holds, so a wrong claimed size costs time, not soundness)."""
    if claimed == 0 or abs(claimed) >= 1e-10:
        return DIGITS
    return DIGITS + int(-mpmath.log10(abs(claimed))) + 10


def _central(f: sp.Expr, x: sp.Symbol, point: Mapping[sp.Basic, Any], x0: Any, h: Any, dps: int) -> tuple[Any, Any]:
    """:math:`(f(x_0 + h) - f(x_0 - h))/2h` at ``dps`` digits and its rounding bound (10 ulps of each side)."""
    plus = mp_value(f, {**point, x: x0 + h}, dps)
    minus = mp_value(f, {**point, x: x0 - h}, dps)
    noise = 10 * (abs(plus) + abs(minus)) * mpmath.mpf(10) ** -dps / (2 * h)
    return (plus - minus) / (2 * h), noise


def central_differences(f: sp.Expr, x: sp.Symbol, *, samples: int = 12) -> Callable[[CheckContext], CrossCheckResult]:
    """The check of ``ctx.result`` against central differences of ``f`` in ``x`` (see the module)."""

    def check(ctx: CheckContext) -> CrossCheckResult:
        result = ctx.result
        if result is None:
            raise ValueError("central differences need the derived result")
        values = ctx.sample(samples)
        errors: list[Any] = []
        bad = unresolved = 0
        for i in range(samples):
            point = _point(values, i)
            try:
                exact = mp_value(result, point, DIGITS)
                # a derivative claimed 0 (a constant piece) is looked for up to ZERO_DPS digits
                d, bound = difference(f, x, point, _digits_hint(exact), MAX_DPS if exact else ZERO_DPS)
                exact = _resolved(result, point, exact, d)
            except NotANumber:
                continue
            if exact == 0 and d == 0:  # both exactly 0
                errors.append(mpmath.mpf(0))
                continue
            scale = max(abs(d), abs(exact)) if exact is not None else 0
            if exact is None or not bound <= RTOL * abs(d) / 1000:  # no evidence either way
                unresolved += 1
                continue
            errors.append(abs(d - exact) / scale)
            bad += int(abs(d - exact) > RTOL * scale + bound)
        name = f"central differences in {x} (mpmath, {DIGITS}+ digits)"
        if len(errors) < samples // 2:
            why = f"too few points ({unresolved} where the derivative is below what {MAX_DPS} digits resolve)"
            return CrossCheckResult(name, "finite differences", float("inf"), RTOL, len(errors), False, why)
        details = [f"{bad} of {len(errors)} samples outside the tolerance"] if bad else []
        if samples > len(errors) + unresolved:
            details.append(f"{samples - len(errors) - unresolved} points skipped (no finite value)")
        if unresolved:
            details.append(f"{unresolved} points skipped (the derivative is below what {MAX_DPS} digits resolve)")
        worst = float(max(errors, default=0))
        return CrossCheckResult(name, "finite differences", worst, RTOL, len(errors), bad == 0, "; ".join(details))

    return check
