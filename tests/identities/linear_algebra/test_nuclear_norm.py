"""Targeted falsehoods for the nuclear norm (map 1.4): the sum of squared singular values; the cross-check
catches the Frobenius norm on its own."""

from __future__ import annotations

from collections.abc import Callable

import sympy as sp
from sympy import Eq

from derive.identities.linear_algebra import nuclear_norm as nn


def test_nuclear_norm_is_not_sum_of_squares(rejected: Callable[..., None]) -> None:
    rejected(nn.NUCLEAR_NORM, "trace of the root", Eq(nn.NUC, nn.n1**2 + nn.n2**2, evaluate=False))


def test_nuclear_cross_check_catches_the_frobenius_norm(cross_fails: Callable[..., None]) -> None:
    cross_fails(nn.NUCLEAR_NORM, nn.crosscheck, sp.sqrt(nn.n1**2 + nn.n2**2))
