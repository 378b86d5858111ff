"""Targeted falsehoods for K-FAC (map 2.4): the factors of the inverse swapped, vec in the wrong
order, A and B exchanged in the mat-vec, the factors of the expectation swapped."""

from __future__ import annotations

from collections.abc import Callable

from sympy import Eq, kronecker_product

from derive.identities.calculus import kfac_kronecker as kf
from derive.maths.matrices import vec
from derive.maths.notation import notation


def test_kfac_inverse_factors_swapped(rejected: Callable[..., None]) -> None:
    swapped = notation(r"B^{-1} \otimes A^{-1}", kronecker_product(kf.KB.inv(), kf.KA.inv()), "B^-1 kron A^-1")
    rejected(kf.KFAC_KRONECKER, "inverse", Eq(kf.KRON_INV, swapped, evaluate=False))


def test_kfac_vec_order_swapped(rejected: Callable[..., None]) -> None:
    rejected(kf.KFAC_KRONECKER, "vec", Eq(kf.VEC_G, kronecker_product(kf.DL, kf.AV), evaluate=False))


def test_kfac_mat_vec_with_a_and_b_exchanged(rejected: Callable[..., None]) -> None:
    wrong = notation(r"\operatorname{vec}(A X B^\top)", vec(kf.KA * kf.KX * kf.KB.T), "vec(A X B^T)")
    rejected(kf.KFAC_KRONECKER, "mat-vec", Eq(kf.KRON_VEC, wrong, evaluate=False))


def test_kfac_factor_order_in_the_expectation(rejected: Callable[..., None]) -> None:
    wrong = notation(r"E[\delta\delta^\top] \otimes E[aa^\top]", kronecker_product(kf.ED, kf.EA), "swapped")
    rejected(kf.KFAC_KRONECKER, "independence", Eq(kf.FISHER_BLOCK, wrong, evaluate=False))
