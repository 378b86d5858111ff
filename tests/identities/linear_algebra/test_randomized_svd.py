"""Targeted falsehoods for randomised SVD (map 1.3): a projector that squares to twice itself."""

from __future__ import annotations

from collections.abc import Callable

from sympy import Eq

from derive.identities.linear_algebra import randomized_svd as rsvd


def test_projector_squared_is_not_twice_the_projector(rejected: Callable[..., None]) -> None:
    rejected(rsvd.RANDOMIZED_SVD, "projector", Eq(rsvd.PSQ, 2 * rsvd.P_R, evaluate=False))
