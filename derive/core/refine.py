"""Telling round-off from a real difference at one point of a statement check (:mod:`.claims`).

Both sides of a statement are evaluated at :data:`~derive.core.claims.DIGITS` digits. Where they
disagree, the disagreement is either real (a false statement) or round-off swamping small values
(:math:`\\Phi(2x^2)` is 1 to 60 digits at :math:`x = 2.6`, its derivative :math:`3\\cdot10^{-60}`).
:func:`refined` evaluates both sides again at each of :data:`REFINE_DIGITS`: the change between the
last two evaluations bounds the error of the last, to which the route's own resolution (its scale,
e.g. the largest :math:`|f|` a finite difference subtracted, times :math:`10^{-\\text{digits}}`) is
added. Routes whose accuracy does not grow with the digits (:data:`FIXED_ACCURACY`) are not refined.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import mpmath

from ..numeric.independent import ROUTES
from ..verify.budget import attempt

#: the digits of the second and third evaluations, and their CPU budget in seconds
REFINE_DIGITS = (60, 120)
REFINE_BUDGET = 1.5
#: routes whose accuracy does not grow with the working digits (quadrature in double precision,
#: limits approached at fixed distances, series extrapolation, quadrature against densities)
FIXED_ACCURACY = frozenset(ROUTES[k] for k in ("Integral", "Nested", "Series", "Limit", "Expectation", "Hermite"))

#: one evaluation at some digits: (left value, right value, the route's scale, its routes)
Sides = tuple[Any, Any, Any, frozenset[str]]


def entries(v: Any) -> list[Any]:
    """The entries of an mpmath matrix (row by row), or ``[v]``."""
    if isinstance(v, mpmath.matrix):
        return [v[i, j] for i in range(v.rows) for j in range(v.cols)]
    return [v]


def within(a: Any, b: Any, rtol: Any) -> bool:
    """Whether ``a`` and ``b`` agree to ``rtol`` relative to their own magnitude, entry by entry."""
    return all(abs(x - y) <= rtol * max(abs(x), abs(y)) for x, y in zip(entries(a), entries(b), strict=True))


def distance(a: Any, b: Any) -> Any:
    """The largest difference between the entries of ``a`` and ``b``."""
    return max((abs(x - y) for x, y in zip(entries(a), entries(b), strict=True)), default=mpmath.mpf(0))


def refined(at: Callable[[int], Sides], first: Sides, rtol: Any) -> tuple[Any, Any, Any, frozenset[str], Any]:
    """``first`` with an error bound of 0 if its sides agree to ``rtol`` or its routes are of fixed
    accuracy; otherwise both sides at the last of :data:`REFINE_DIGITS` with their error bound (see
    the module). A refinement out of time leaves ``first`` and its disagreement as they are."""
    if first[3] & FIXED_ACCURACY or within(first[0], first[1], rtol):
        return (*first, mpmath.mpf(0))
    levels = attempt(lambda: [at(d) for d in REFINE_DIGITS], REFINE_BUDGET)
    if not levels:
        return (*first, mpmath.mpf(0))
    (l1, r1, _, _), (l2, r2, scale, _) = levels
    resolution = scale * mpmath.mpf(10) ** -REFINE_DIGITS[-1]
    return l2, r2, first[2], first[3], distance(l1, l2) + distance(r1, r2) + resolution
