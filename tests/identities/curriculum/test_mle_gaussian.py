"""Targeted falsehoods for the Gaussian MLE (map 6, chapter 07): the variance bias inverted (any n), the sum
of squares without its 1/n, the mean with Bessel's divisor."""

from __future__ import annotations

from collections.abc import Callable

import sympy as sp
from sympy import Eq

from derive.identities.curriculum import mle_gaussian as ml


def test_mle_variance_bias_inverted(rejected: Callable[..., None]) -> None:
    wrong = ml.n * ml.sigma**2 / (ml.n - 1)
    rejected(ml.MLE_GAUSSIAN, "bias", Eq(ml.EXPECTED_ANY_N, wrong, evaluate=False))


def test_mle_sum_of_squares_without_the_1_over_n(rejected: Callable[..., None]) -> None:
    wrong = sp.Sum(ml.xs[ml.i] ** 2, (ml.i, 1, ml.n)) - sp.Sum(ml.xs[ml.i], (ml.i, 1, ml.n)) ** 2
    rejected(ml.MLE_GAUSSIAN, "sum of squares", Eq(ml.DEVIATIONS, wrong))


def test_the_bias_is_stated_for_symbolic_n() -> None:
    bias = next(s for s in ml.MLE_GAUSSIAN.statements if s.label == "bias")
    assert bias.relation is not None and ml.n in bias.relation.rhs.free_symbols
    assert not any(s.label.startswith("bias n =") for s in ml.MLE_GAUSSIAN.statements)


def test_mle_mean_with_bessel_divisor(rejected: Callable[..., None]) -> None:
    rejected(ml.MLE_GAUSSIAN, "mu_hat", Eq(ml.mu, sp.Sum(ml.xs[ml.i], (ml.i, 1, ml.n)) / (ml.n - 1)))
