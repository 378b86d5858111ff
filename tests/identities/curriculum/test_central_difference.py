"""Targeted falsehoods for central differences (map 6, chapter 10): the truncation coefficient 1/3 for 1/6,
a square-root optimal step."""

from __future__ import annotations

from collections.abc import Callable

import sympy as sp
from sympy import Eq

from derive.identities.curriculum import central_difference as cd


def test_central_difference_coefficient_third_not_sixth(rejected: Callable[..., None]) -> None:
    fk, h = cd.fk, cd.hx
    rejected(cd.CENTRAL_DIFFERENCE, "truncation", Eq(cd.QUOTIENT, fk[1] + h**2 * fk[3] / 3 + h**4 * fk[5] / 120))


def test_central_difference_optimal_step_square_root(rejected: Callable[..., None]) -> None:
    rejected(cd.CENTRAL_DIFFERENCE, "optimal h", Eq(cd.hx, sp.sqrt(3 * cd.mach * cd.F_ABS / cd.F3_ABS)))
