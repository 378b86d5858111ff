"""Targeted falsehoods for the kernel trick (map 6, chapter 12): the features without the factor sqrt 2."""

from __future__ import annotations

from collections.abc import Callable

from sympy import Eq

from derive.identities.curriculum import kernel_trick as kt


def test_kernel_features_without_sqrt2(rejected: Callable[..., None]) -> None:
    x1, x2, y1, y2, c = kt.x1, kt.x2, kt.y1, kt.y2, kt.c
    wrong = (x1 * y1) ** 2 + (x2 * y2) ** 2 + x1 * x2 * y1 * y2 + 2 * c * (x1 * y1 + x2 * y2) + c**2
    rejected(kt.KERNEL_TRICK, "feature map", Eq(kt.KERNEL, wrong))
