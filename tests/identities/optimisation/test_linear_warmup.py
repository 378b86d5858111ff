"""Targeted falsehoods for linear warmup (map 5.2): the warmup's area is a triangle, not a rectangle."""

from __future__ import annotations

from collections.abc import Callable

import sympy as sp
from sympy import Eq

from derive.identities.optimisation import linear_warmup as lw


def test_warmup_area_is_a_triangle(rejected: Callable[..., None]) -> None:
    area = sp.Integral(lw.eta_warm(lw.t_run), (lw.t_run, 0, lw.T_warm))
    rejected(lw.LINEAR_WARMUP, "warmup area", Eq(area, lw.eta_max * lw.T_warm))
