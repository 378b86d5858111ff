"""Targeted falsehoods for the conjugate Gaussian update (map 3.3): the n of the posterior precision
forgotten, the posterior mean without the prior's weight, variances added instead of precisions, the
regulariser centred at zero instead of the prior mean."""

from __future__ import annotations

from collections.abc import Callable

from sympy import Derivative, Eq, log, pi

from derive.identities.probability import bayes_gaussian_conjugate as bg


def test_posterior_precision_missing_n(rejected: Callable[..., None]) -> None:
    rejected(
        bg.BAYES_GAUSSIAN_CONJUGATE,
        "precision",
        Eq(Derivative(bg.NEG_LOG_POST, (bg.mu, 2)), 1 / bg.tau**2 + 1 / bg.sigma**2),
    )


def test_posterior_mean_without_prior_weight(rejected: Callable[..., None]) -> None:
    rejected(bg.BAYES_GAUSSIAN_CONJUGATE, "mean", Eq(bg.mu_hat, bg.TAU_N2 * (bg.mu0 + bg.Sx / bg.sigma**2)))


def test_completed_square_with_variances_added(rejected: Callable[..., None]) -> None:
    wrong_prec = 1 / (bg.tau**2 + bg.sigma**2 / bg.n)
    lhs = bg.BAYES_GAUSSIAN_CONJUGATE.claim.lhs
    rejected(bg.BAYES_GAUSSIAN_CONJUGATE, "complete the square", Eq(lhs, (bg.mu - bg.MU_N) ** 2 * wrong_prec / 2))


def test_regulariser_centred_at_zero_instead_of_prior_mean(rejected: Callable[..., None]) -> None:
    wrong = (
        bg.SSE_NAME / (2 * bg.sigma**2)
        + bg.mu**2 / (2 * bg.tau**2)
        + bg.n * log(2 * pi * bg.sigma**2) / 2
        + log(2 * pi * bg.tau**2) / 2
    )
    rejected(bg.BAYES_GAUSSIAN_CONJUGATE, "loss + regulariser", Eq(bg.NLJ_NAME, wrong))
