"""Targeted falsehoods for the softmax temperature (map 3.2): the hot limit is uniform, not one-hot;
the cold limit gives the top class everything."""

from __future__ import annotations

from collections.abc import Callable

from sympy import Eq, Limit, Rational, oo

from derive.identities.probability import categorical_softmax as cs


def test_softmax_hot_limit_is_uniform_not_one_hot(rejected: Callable[..., None]) -> None:
    rejected(cs.CATEGORICAL_SOFTMAX, "T -> oo", Eq(Limit(cs.TOP, cs.T, oo), 1))


def test_softmax_cold_limit_of_top_class(rejected: Callable[..., None]) -> None:
    rejected(cs.CATEGORICAL_SOFTMAX, "T -> 0+ (top)", Eq(Limit(cs.TOP, cs.T, 0, "+"), Rational(1, 3)))
