"""Targeted falsehoods for the warmup-stable-decay schedule (map 5.2): its area is neither a cosine
schedule's nor twice it."""

from __future__ import annotations

from collections.abc import Callable

import sympy as sp
from sympy import Eq

from derive.identities.optimisation import wsd_schedule as ws


def test_wsd_is_not_twice_the_cosine_area(rejected: Callable[..., None]) -> None:
    lhs = ws.WSD_SCHEDULE.statements[-1].relation.lhs
    rejected(ws.WSD_SCHEDULE, "larger than cosine", sp.Gt(lhs, ws.peak * ws.T_SPLIT))


def test_wsd_area_is_not_the_cosine_area(rejected: Callable[..., None]) -> None:
    lhs = ws.WSD_SCHEDULE.statements[0].relation.lhs
    rejected(ws.WSD_SCHEDULE, "area", Eq(lhs, ws.peak * ws.T_all / 2))
