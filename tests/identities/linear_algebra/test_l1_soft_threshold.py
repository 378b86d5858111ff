"""Targeted falsehoods for the L1 soft threshold (map 1.4): a threshold of lambda/2, hard thresholding, no
clamp at zero; the cross-check catches a wrong threshold on its own."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import sympy as sp
from sympy import Abs, Eq, Max, sign

from derive.identities.linear_algebra import l1_soft_threshold as l1


@pytest.mark.parametrize(
    "wrong",
    [
        sign(l1.z) * Max(Abs(l1.z) - l1.lam1 / 2, 0),  # threshold lambda/2
        l1.z * sp.Heaviside(Abs(l1.z) - l1.lam1),  # hard threshold
        l1.z - l1.lam1 * sign(l1.z),  # no clamp at zero
    ],
    ids=["half-threshold", "hard-threshold", "no-clamp"],
)
def test_soft_threshold_near_misses(wrong: sp.Expr, rejected: Callable[..., None]) -> None:
    rejected(l1.L1_SOFT_THRESHOLD, "soft threshold", Eq(l1.CASES, wrong))


def test_soft_threshold_cross_check_catches_a_wrong_threshold(cross_fails: Callable[..., None]) -> None:
    cross_fails(l1.L1_SOFT_THRESHOLD, l1.crosscheck, sign(l1.z) * Max(Abs(l1.z) - 1.1 * l1.lam1, 0))
