"""Targeted falsehoods for ridge regression through the SVD (map 1.3), any m x n: the sign of lambda in the
filter, the inverse of the shifted Gram matrix without its shift, the limit of a filter factor and the limit of
the filter; the cross-check catches the hat matrix's factor on its own.

The page is proved once (the ``page_proof`` fixture, for ``PAGE``); each falsehood is checked on the page's
own chains (the ``refused`` fixture of tests/identities/conftest.py)."""

from __future__ import annotations

from collections.abc import Callable

import sympy as sp
from sympy import Eq, Limit

from derive.core.proof import Proof
from derive.identities.linear_algebra import ridge_svd as rs

PAGE = "ridge-svd"
Refused = Callable[[Proof, str, sp.Basic], None]


def test_ridge_svd_is_general(page_proof: Proof) -> None:
    assert page_proof.ok, page_proof.failure
    assert page_proof.level == "general"
    assert {o.label: o.level for o in page_proof.outcomes} == dict.fromkeys(
        ("filter", "inverse", "limit", "ridge -> pinv"), "general"
    )


def test_ridge_filter_sign_of_lambda(page_proof: Proof, refused: Refused) -> None:
    wrong = rs.sigP[rs.a] * rs.delta(rs.a, rs.b) / (rs.sigP[rs.a] ** 2 - rs.lam)
    refused(page_proof, "filter", Eq(rs.RIDGE, wrong, evaluate=False))


def test_ridge_inverse_needs_the_shift(page_proof: Proof, refused: Refused) -> None:
    """The unshifted inverse diag(1/sigma_a^2) does not invert Sigma^T Sigma + lambda I."""
    wrong = sp.Sum(
        (rs.sigP[rs.a] ** 2 + rs.lam) * rs.delta(rs.a, rs.c) * rs.delta(rs.c, rs.b) / rs.sigP[rs.c] ** 2,
        (rs.c, 1, rs.p),
    )
    refused(page_proof, "inverse", Eq(wrong, rs.delta(rs.a, rs.b), evaluate=False))


def test_ridge_limit_is_not_sigma(page_proof: Proof, refused: Refused) -> None:
    refused(page_proof, "limit", Eq(Limit(rs.sig / (rs.sig**2 + rs.lam), rs.lam, 0, "+"), rs.sig))


def test_ridge_tends_to_the_pseudoinverse_not_sigma(page_proof: Proof, refused: Refused) -> None:
    refused(page_proof, "ridge -> pinv", Eq(rs.LIMITS, rs.sigP[rs.a] * rs.delta(rs.a, rs.b), evaluate=False))


def test_ridge_cross_check_catches_the_hat_matrix_factor(cross_fails: Callable[..., None]) -> None:
    wrong = rs.sigP[rs.a] ** 2 * rs.delta(rs.a, rs.b) / (rs.sigP[rs.a] ** 2 + rs.lam)
    cross_fails(rs.RIDGE_SVD, rs.crosscheck, wrong)
