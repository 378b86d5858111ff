"""Targeted falsehoods for maximum likelihood as minimum cross-entropy (map 3.1): the mean NLL without
the division by N, the Gaussian NLL without its 1/2."""

from __future__ import annotations

from collections.abc import Callable

from sympy import Eq, Sum, log, pi

from derive.identities.probability import mle_cross_entropy as mc


def test_cross_entropy_without_dividing_by_n(rejected: Callable[..., None]) -> None:
    wrong = -Sum(mc.n_cls[mc.k_cls] * log(mc.q_cls[mc.k_cls]), mc.CLASSES)
    rejected(mc.MLE_CROSS_ENTROPY, "cross-entropy", Eq(mc.MLE_CROSS_ENTROPY.claim.lhs, wrong))


def test_gaussian_nll_without_half(rejected: Callable[..., None]) -> None:
    wrong = (mc.y_obs - mc.f_pred) ** 2 / mc.sigma**2 + log(2 * pi * mc.sigma**2) / 2
    rejected(mc.MLE_CROSS_ENTROPY, "Gaussian NLL", Eq(mc.GAUSS_NLL, wrong))
