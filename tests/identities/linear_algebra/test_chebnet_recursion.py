"""Targeted falsehoods for ChebNet's recursion (map 1.2): a sign error in the induction step; the recursion
gives the Chebyshev polynomials."""

from __future__ import annotations

from collections.abc import Callable

from sympy import Eq, cos

from derive.identities.linear_algebra import chebnet_recursion as cheb


def test_chebnet_wrong_sign_step_is_rejected(rejected: Callable[..., None]) -> None:
    t, k = cheb.t, cheb.k
    rejected(cheb.CHEBNET_RECURSION, "step", Eq(2 * cos(t) * cos((k - 1) * t) + cos((k - 2) * t), cos(k * t)))


def test_chebnet_recursion_polynomials() -> None:
    x = cheb.x
    assert cheb.chebyshev(4, x)[3] == 4 * x**3 - 3 * x
    assert cheb.chebyshev(4, x)[4] == 8 * x**4 - 8 * x**2 + 1
