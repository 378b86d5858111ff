"""Targeted falsehoods for the Gaussian MLE (map 6, chapter 07): the variance bias inverted, the mean
with Bessel's divisor."""

from __future__ import annotations

from collections.abc import Callable

import sympy as sp
from sympy import Eq, Rational

from derive.identities.curriculum import mle_gaussian as ml


def test_mle_variance_bias_inverted(rejected: Callable[..., None]) -> None:
    lhs = ml._expected_variance(3)
    rejected(ml.MLE_GAUSSIAN, "bias n = 3", Eq(lhs, Rational(3, 2) * ml.sigma**2, evaluate=False))


def test_mle_mean_with_bessel_divisor(rejected: Callable[..., None]) -> None:
    rejected(ml.MLE_GAUSSIAN, "mu_hat", Eq(ml.mu, sp.Sum(ml.xs[ml.i], (ml.i, 1, ml.n)) / (ml.n - 1)))
