"""Targeted falsehoods for the singular spectrum (map 1.3): the Frobenius norm adding singular values
instead of their squares, a stable rank bounded by one."""

from __future__ import annotations

from collections.abc import Callable

from sympy import Eq, Le

from derive.identities.linear_algebra import singular_spectrum as ss


def test_frobenius_norm_adds_squares(rejected: Callable[..., None]) -> None:
    rejected(ss.SINGULAR_SPECTRUM, "Frobenius", Eq(ss.FRO_W, ss.SW[0] + ss.SW[1], evaluate=False))


def test_stable_rank_is_not_at_most_one(rejected: Callable[..., None]) -> None:
    rejected(ss.SINGULAR_SPECTRUM, "stable rank", Le((ss.SW[0] ** 2 + ss.SW[1] ** 2) / ss.SW[0] ** 2, 1))
