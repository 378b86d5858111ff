"""Targeted falsehoods for the derivative of ReLU (map 2.2): sign(x) is not the derivative, and the
domain leaves out the kink."""

from __future__ import annotations

from collections.abc import Callable

import sympy as sp
from sympy import Eq

from derive.identities.calculus import relu_prime as rp
from derive.maths.domains import punctured


def test_relu_derivative_is_not_sign(rejected: Callable[..., None]) -> None:
    x = rp.x
    rejected(rp.RELU_PRIME, "claim", Eq(sp.Derivative(sp.Max(0, x), x), sp.sign(x)))


def test_relu_domain_leaves_out_the_kink() -> None:
    dom = punctured(-8, 8)
    assert sp.Integer(0) not in dom.edge_points()
    assert not dom.contains(sp.Integer(0)) and dom.contains(sp.Rational(1, 1000))
