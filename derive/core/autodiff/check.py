r"""The independent numeric check of an automatic derivative: central differences of the input.

At seeded random points of the variables' domains, :math:`\bigl(f(x + h) - f(x - h)\bigr)/2h` is
computed with mpmath at :data:`DIGITS` significant digits (:func:`derive.numeric.precise.mp_value`,
which also adds up sums over symbolic ranges term by term and knows Kronecker deltas and derive's
special functions) and compared with the derived result. The truncation error is
:math:`O(h^2 f''')`, about :math:`10^{-20}` relative for :math:`h = 10^{-10}\max(1, |x|)` (rounding adds
:math:`10^{-30}/h`), far below
the tolerance; points where ``f`` has no finite value (a pole, a log of 0) are skipped and counted.
"""

from __future__ import annotations

from collections.abc import Callable

import mpmath
import numpy as np
import sympy as sp

from ...numeric.crosscheck import CheckContext, CrossCheckResult
from ...numeric.precise import NotANumber, mp_value

DIGITS = 30
STEP = mpmath.mpf(10) ** -10
RTOL = 1e-9


def _point(values: dict[sp.Symbol, np.ndarray], i: int) -> dict[sp.Basic, object]:
    return {s: (round(float(v[i])) if s.is_integer else mpmath.mpf(float(v[i]))) for s, v in values.items()}


def central_differences(f: sp.Expr, x: sp.Symbol, *, samples: int = 12) -> Callable[[CheckContext], CrossCheckResult]:
    """The check of ``ctx.result`` against central differences of ``f`` in ``x`` (mpmath, 30 digits)."""

    def check(ctx: CheckContext) -> CrossCheckResult:
        result = ctx.result
        if result is None:
            raise ValueError("central differences need the derived result")
        values = ctx.sample(samples)
        got: list[float] = []
        expected: list[float] = []
        with mpmath.workdps(DIGITS):
            for i in range(samples):
                point = _point(values, i)
                x0 = mpmath.mpf(point[x])
                h = STEP * max(1, abs(x0))
                try:
                    plus = mp_value(f, {**point, x: x0 + h}, DIGITS)
                    minus = mp_value(f, {**point, x: x0 - h}, DIGITS)
                    exact = mp_value(result, point, DIGITS)
                except NotANumber:
                    continue
                got.append(float((plus - minus) / (2 * h)))
                expected.append(float(exact))
        name = f"central differences in {x} (mpmath, {DIGITS} digits)"
        if len(got) < samples // 2:
            return CrossCheckResult(name, "finite differences", float("inf"), RTOL, len(got), False, "too few points")
        out = ctx.compare(name, "finite differences", np.array(got), np.array(expected), rtol=RTOL)
        skipped = samples - len(got)
        return out if not skipped else CrossCheckResult(**{**out.__dict__, "detail": f"{skipped} points skipped"})

    return check
