"""Targeted falsehoods for mutual information (map 4): the Gaussian case without its 1/2, the
conditional entropy's sign."""

from __future__ import annotations

from collections.abc import Callable

from sympy import Eq, log

from derive.identities.information import mutual_information as mi


def test_gaussian_mi_without_the_half(rejected: Callable[..., None]) -> None:
    rejected(mi.MUTUAL_INFORMATION, "Gaussian", Eq(mi.MI_GAUSS_DEF, -log(1 - mi.rho**2)))


def test_mi_conditional_entropy_sign(rejected: Callable[..., None]) -> None:
    rejected(mi.MUTUAL_INFORMATION, "H(X) - H(X|Y)", Eq(mi.H_X - mi.H_X_GIVEN_Y, mi.H_X - mi.H_Y + mi.H_XY))
