"""Targeted falsehoods for the tanh approximation of GELU (map 2.2): a mistyped constant, the
published constant at order x^4; and the measured maximal error."""

from __future__ import annotations

from collections.abc import Callable

import sympy as sp
from sympy import Eq, Rational

from derive.identities.calculus import gelu_tanh_approx as gt
from derive.numeric.sampling import generator

x = gt.x


def test_gelu_tanh_derivative_with_a_mistyped_constant(rejected: Callable[..., None]) -> None:
    """0.04475 instead of 0.044715 in the derivative: off by 8e-4 relative in c, caught."""
    ident = gt.GELU_TANH_APPROX
    wrong_prime = gt.GELU_TANH_PRIME.subs(gt.c, Rational(4475, 10**5))
    rejected(ident, "claim", Eq(ident.claim.lhs, wrong_prime))


def test_gelu_tanh_published_constant_does_not_match_x4(rejected: Callable[..., None]) -> None:
    """0.044715 is fitted, not the Taylor constant (4 - pi)/(6 pi): the x^4 coefficients differ."""
    ident = gt.GELU_TANH_APPROX
    relation = next(s.relation for s in ident.statements if s.label == "4th order")
    published = sp.Subs(sp.Derivative(gt.gelu_tanh(gt.C), x, 4), x, 0) / 24
    rejected(ident, "4th order", Eq(published, relation.rhs))


def test_gelu_tanh_max_error_is_measured() -> None:
    r = gt.max_gelu_error(gt.GELU_TANH_APPROX.check_context(generator(1), 1))
    assert r.ok and 4.7e-4 < r.error < 4.8e-4
