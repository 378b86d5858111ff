"""Targeted falsehoods for Muon's Newton-Schulz step (map 5.1): the cubic with the wrong sign, a slope of
one at the fixed point."""

from __future__ import annotations

from collections.abc import Callable

import sympy as sp
from sympy import Eq, Rational

from derive.identities.optimisation import muon_newton_schulz as mu


def test_muon_cubic_with_the_wrong_sign(rejected: Callable[..., None]) -> None:
    wrong = mu._p(mu.sigma, Rational(3, 2), Rational(1, 2), 0)
    rejected(mu.MUON_NEWTON_SCHULZ, "positive", Eq(mu.CUBIC, wrong, evaluate=False))


def test_muon_slope_at_one_is_zero_not_one(rejected: Callable[..., None]) -> None:
    rejected(mu.MUON_NEWTON_SCHULZ, "p'(1) = 0", Eq(sp.Subs(sp.Derivative(mu.CUBIC, mu.sigma), mu.sigma, 1), 1))
