"""Targeted falsehoods for the Newton step (map 2.4): the wrong sign, a gradient step, one step that
lands on b instead of H^-1 b."""

from __future__ import annotations

from collections.abc import Callable

from sympy import Eq

from derive.identities.calculus import newton_step as ns


def test_newton_wrong_sign(rejected: Callable[..., None]) -> None:
    rejected(ns.NEWTON_STEP, "minimiser", Eq(ns.DV, -ns.NEWTON_DIRECTION))


def test_newton_gradient_step_is_not_the_minimiser(rejected: Callable[..., None]) -> None:
    rejected(ns.NEWTON_STEP, "minimiser", Eq(ns.DV, -ns.GV))


def test_newton_one_step_does_not_land_on_b(rejected: Callable[..., None]) -> None:
    rejected(ns.NEWTON_STEP, "one step", Eq(ns.STEP_FORM, ns.BV, evaluate=False))
