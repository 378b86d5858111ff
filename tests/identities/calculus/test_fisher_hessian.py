"""Targeted falsehoods for the Fisher information (map 2.4): the outer product pp^T dropped, the
expected Hessian with the wrong sign."""

from __future__ import annotations

from collections.abc import Callable

from sympy import Eq, KroneckerDelta

from derive.identities.calculus import fisher_hessian as fh


def test_fisher_without_outer_product(rejected: Callable[..., None]) -> None:
    diag_only = fh.PROB(fh.i) * KroneckerDelta(fh.i, fh.j)
    rejected(fh.FISHER_HESSIAN, "Fisher", Eq(fh.FISHER_SUM, diag_only, evaluate=False))


def test_expected_hessian_sign(rejected: Callable[..., None]) -> None:
    rejected(fh.FISHER_HESSIAN, "expected Hessian", Eq(fh.NEG_HESS_SUM, -fh.FISHER, evaluate=False))
