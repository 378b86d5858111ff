"""Targeted falsehoods for ridge regression through the SVD (map 1.3): the sign of lambda, the limit of a
filter factor; the cross-check catches the hat matrix's factor on its own."""

from __future__ import annotations

from collections.abc import Callable

import sympy as sp
from sympy import Eq, Limit

from derive.identities.linear_algebra import ridge_svd as rs


def test_ridge_filter_sign_of_lambda(rejected: Callable[..., None]) -> None:
    wrong = sp.Matrix(2, 2, lambda i, j: rs.SR[i] / (rs.SR[i] ** 2 - rs.lam) if i == j else 0)
    rejected(rs.RIDGE_SVD, "filter", Eq(rs.RIDGE, wrong, evaluate=False))


def test_ridge_limit_is_not_sigma(rejected: Callable[..., None]) -> None:
    rejected(rs.RIDGE_SVD, "limit", Eq(Limit(rs.sig / (rs.sig**2 + rs.lam), rs.lam, 0, "+"), rs.sig))


def test_ridge_cross_check_catches_the_hat_matrix_factor(cross_fails: Callable[..., None]) -> None:
    wrong = sp.Matrix(2, 2, lambda i, j: rs.SR[i] ** 2 / (rs.SR[i] ** 2 + rs.lam) if i == j else 0)
    cross_fails(rs.RIDGE_SVD, rs.crosscheck, wrong)
