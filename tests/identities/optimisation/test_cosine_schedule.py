"""Targeted falsehoods for the cosine schedule (map 5.2): a mean without its floor, the ends swapped, the
full angle for the half angle, a ratio one step off; the cross-check catches a full period on its own,
and the answer checker accepts the half-angle form."""

from __future__ import annotations

from collections.abc import Callable

import sympy as sp
from sympy import Eq, cos, pi

import derive
from derive.identities.optimisation import cosine_schedule as cs
from derive.numeric.sampling import generator


def test_cosine_mean_without_floor(rejected: Callable[..., None]) -> None:
    rejected(cs.COSINE_SCHEDULE, "mean", Eq(sp.Integral(cs.eta(cs.t), (cs.t, 0, cs.T)) / cs.T, cs.eta_max / 2))


def test_cosine_start_and_end_swapped(rejected: Callable[..., None]) -> None:
    rejected(cs.COSINE_SCHEDULE, "start", Eq(cs.eta(0), cs.eta_min))


def test_cosine_half_angle_with_the_full_angle(rejected: Callable[..., None]) -> None:
    wrong = cs.eta_min + (cs.eta_max - cs.eta_min) * cos(pi * cs.t / cs.T) ** 2
    rejected(cs.COSINE_SCHEDULE, "half-angle", Eq(cs.eta(cs.t), wrong))


def test_cosine_ratio_recursion_off_by_one_step(rejected: Callable[..., None]) -> None:
    t, T = cs.t, cs.T
    wrong = cs.eta_min + (cs.eta(t) - cs.eta_min) * (1 + cos(pi * (t + 2) / T)) / (1 + cos(pi * t / T))
    rejected(cs.COSINE_SCHEDULE, "ratio recursion", Eq(cs.eta(t + 1), wrong))


def test_cosine_crosscheck_catches_a_full_period() -> None:
    wrong = cs.eta_min + (cs.eta_max - cs.eta_min) * (1 + cos(2 * pi * cs.t / cs.T)) / 2
    assert not cs.crosscheck(cs.COSINE_SCHEDULE.check_context(generator(3), 3, wrong, {})).ok
    assert cs.crosscheck(cs.COSINE_SCHEDULE.check_context(generator(3), 3, cs.COSINE, {})).ok


def test_cosine_answer_in_half_angle_form_is_accepted() -> None:
    assert derive.check("cosine-schedule", "eta_min + (eta_max - eta_min)*cos(pi*t/(2*T))^2").correct is True
    assert derive.check("cosine-schedule", "eta_max*(1 + cos(pi*t/T))/2").correct is False
