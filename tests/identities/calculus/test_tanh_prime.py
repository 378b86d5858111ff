"""Targeted falsehoods for the derivative of tanh (map 2.2): 1 + tanh^2, and tanh = 2 sigma(x) - 1."""

from __future__ import annotations

from collections.abc import Callable

import sympy as sp
from sympy import Eq, tanh

from derive.identities.calculus import tanh_prime as tp
from derive.maths.special import sigmoid

x = tp.x


def test_tanh_derivative_plus_tanh_squared(rejected: Callable[..., None]) -> None:
    rejected(tp.TANH_PRIME, "claim", Eq(sp.Derivative(tanh(x), x), 1 + tanh(x) ** 2))


def test_tanh_is_not_sigma_of_x(rejected: Callable[..., None]) -> None:
    """tanh(x) = 2 sigma(2x) - 1; forgetting the 2 inside is a common slip."""
    rejected(tp.TANH_PRIME, "tanh = 2 sigma(2x) - 1", Eq(tanh(x), 2 * sigmoid(x) - 1))
