"""Targeted falsehoods for the kernel trick (map 6, chapter 12), for any dimension: the linear features without
their factor sqrt(2c); the push-through lemma with the ridge term on the wrong factor."""

from __future__ import annotations

from collections.abc import Callable

import sympy as sp
from sympy import Eq

from derive.identities.curriculum import kernel_trick as kt


def test_kernel_features_without_sqrt2(rejected: Callable[..., None]) -> None:
    i, x, y, c, d = kt.i, kt.xI, kt.yI, kt.c, kt.d_in
    wrong = sp.Sum(x[i] * x[kt.j] * y[i] * y[kt.j], (i, 1, d), (kt.j, 1, d)) + sp.Sum(c * x[i] * y[i], (i, 1, d)) + c**2
    rejected(kt.KERNEL_TRICK, "feature map", Eq(kt.KERNEL_D, wrong))


def test_push_through_lemma_needs_the_ridge_on_both_sides(rejected: Callable[..., None]) -> None:
    lemma = next(s for s in kt.KERNEL_TRICK.statements if s.label == "push-through lemma").relation
    assert lemma is not None
    wrong = lemma.rhs - kt.lam * kt.PhiI[kt.q_, kt.p_]  # (Phi^T Phi) Phi^T: the ridge term dropped on the right
    rejected(kt.KERNEL_TRICK, "push-through lemma", Eq(lemma.lhs, wrong, evaluate=False))


def test_push_through_any_size_is_general_and_checked_with_computed_inverses() -> None:
    """General, resting on the cited inverse (F^-1 inserted, G G^-1 contracted); its numeric check passes only with
    F^-1 and G^-1 computed from the drawn Phi and lambda."""
    import derive

    p = derive.prove("kernel-trick")
    assert p.ok and p.level == "general" and {o.label: o.level for o in p.outcomes}["push-through"] == "general"
    check = next(c for c in p.numeric.statements if c.label == "push-through")
    assert check.ok and check.samples >= 3 and "Sum: explicit summation" in check.method, check


def test_push_through_with_the_ridge_on_the_wrong_side(rejected: Callable[..., None]) -> None:
    wrong = sp.Sum(kt.FinvI[kt.p_, kt.r] * kt.PhiI[kt.q_, kt.r], (kt.r, 1, kt.m_feat)) * (1 + kt.lam)
    rejected(kt.KERNEL_TRICK, "push-through", Eq(kt.DUAL_PQ, wrong, evaluate=False))
