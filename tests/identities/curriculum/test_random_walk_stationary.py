"""Targeted falsehoods for the random walk's stationary distribution (map 6, chapter 11): it is not
uniform."""

from __future__ import annotations

from collections.abc import Callable

from sympy import Eq

from derive.identities.curriculum import random_walk_stationary as rw


def test_random_walk_is_not_uniform(rejected: Callable[..., None]) -> None:
    lhs = rw.RANDOM_WALK_STATIONARY.statements[0].relation.lhs
    rejected(rw.RANDOM_WALK_STATIONARY, "pi P = pi", Eq(lhs, 1 / rw.n_nodes))
