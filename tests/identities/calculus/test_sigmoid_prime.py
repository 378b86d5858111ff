"""Targeted falsehoods for the derivative of the sigmoid (map 2.2): a flipped sign, a bound of 1/5."""

from __future__ import annotations

from collections.abc import Callable

import sympy as sp
from sympy import Eq, Le, Rational

from derive.identities.calculus import sigmoid_prime as sgp
from derive.maths.special import sigmoid

x = sgp.x


def test_sigmoid_derivative_sign_flipped(rejected: Callable[..., None]) -> None:
    rejected(sgp.SIGMOID_PRIME, "claim", Eq(sp.Derivative(sigmoid(x), x), sigmoid(x) * (1 + sigmoid(x))))


def test_sigmoid_derivative_bound_one_fifth(rejected: Callable[..., None]) -> None:
    rejected(sgp.SIGMOID_PRIME, "bound", Le(sigmoid(x) * (1 - sigmoid(x)), Rational(1, 5)))
