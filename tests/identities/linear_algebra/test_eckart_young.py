"""Targeted falsehoods for Eckart-Young (map 1.3): the kept singular value reported as the error; the
cross-check catches a wrong error on its own."""

from __future__ import annotations

from collections.abc import Callable

from sympy import Eq

from derive.identities.linear_algebra import eckart_young as ey


def test_eckart_young_error_is_the_dropped_value(rejected: Callable[..., None]) -> None:
    """Keeping sigma_1 and reporting sigma_1^2 as the error is the classic slip."""
    rejected(ey.ECKART_YOUNG, "Frobenius", Eq(ey.FRO_ERR, ey.SIG2[0] ** 2, evaluate=False))


def test_eckart_young_cross_check_catches_a_wrong_error(cross_fails: Callable[..., None]) -> None:
    cross_fails(ey.ECKART_YOUNG, ey.crosscheck, ey.SIG2[1])
