"""Targeted falsehoods for K-FAC (map 2.4): the factors of the inverse swapped, vec in the wrong
order, A and B exchanged in the mat-vec, the factors of the expectation swapped."""

from __future__ import annotations

from collections.abc import Callable

from sympy import Eq, KroneckerDelta, kronecker_product

from derive.identities.calculus import kfac_kronecker as kf
from derive.maths.matrices import vec
from derive.maths.notation import notation


def test_kfac_inverse_is_not_one_factor_only(rejected: Callable[..., None]) -> None:
    rejected(kf.KFAC_KRONECKER, "inverse", Eq(kf.KRON_TIMES_INV, KroneckerDelta(kf.a_, kf.c_)))


def test_kfac_inverse_indices_crossed(rejected: Callable[..., None]) -> None:
    crossed = KroneckerDelta(kf.a_, kf.k_) * KroneckerDelta(kf.g_, kf.c_)
    rejected(kf.KFAC_KRONECKER, "inverse", Eq(kf.KRON_TIMES_INV, crossed))


def test_kfac_inverse_for_any_sizes_rests_on_the_two_inverses() -> None:
    """General, resting on the cited inverse twice; its numeric check passes only with A^-1, B^-1 set from A, B."""
    import derive

    p = derive.prove("kfac-kronecker")
    assert p.ok and {o.label: o.level for o in p.outcomes}["inverse"] == "general"
    check = next(c for c in p.numeric.statements if c.label == "inverse")
    assert check.ok and check.samples >= 3 and "Sum: explicit summation" in check.method, check


def test_kfac_vec_order_swapped(rejected: Callable[..., None]) -> None:
    rejected(kf.KFAC_KRONECKER, "vec", Eq(kf.VEC_G, kronecker_product(kf.DL, kf.AV), evaluate=False))


def test_kfac_mat_vec_with_a_and_b_exchanged(rejected: Callable[..., None]) -> None:
    wrong = notation(r"\operatorname{vec}(A X B^\top)", vec(kf.KA * kf.KX * kf.KB.T), "vec(A X B^T)")
    rejected(kf.KFAC_KRONECKER, "mat-vec", Eq(kf.KRON_VEC, wrong, evaluate=False))


def test_kfac_factor_order_in_the_expectation(rejected: Callable[..., None]) -> None:
    wrong = notation(r"E[\delta\delta^\top] \otimes E[aa^\top]", kronecker_product(kf.ED, kf.EA), "swapped")
    rejected(kf.KFAC_KRONECKER, "independence", Eq(kf.FISHER_BLOCK, wrong, evaluate=False))
