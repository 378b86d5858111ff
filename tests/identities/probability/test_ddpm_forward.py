"""Targeted falsehoods for the DDPM forward process (map 3.2): the variance as a sum of betas, the mean
step without its square root; the simulated forward chain agrees with the closed form."""

from __future__ import annotations

from collections.abc import Callable

from sympy import Eq, Matrix

from derive.authoring import CheckContext
from derive.identities.probability import ddpm_forward as dd


def test_ddpm_variance_as_sum_of_betas(rejected: Callable[..., None]) -> None:
    wrong = Matrix([sum(dd.betas[:t]) for t in range(1, 5)])
    rejected(dd.DDPM_FORWARD, "t = 1..4", Eq(dd.VARS_1_4, wrong))


def test_ddpm_mean_step_without_square_root(rejected: Callable[..., None]) -> None:
    rejected(dd.DDPM_FORWARD, "mean step", Eq(dd.MEAN_T, (1 - dd.beta_t) * dd.abar_prev * dd.x0))


def test_ddpm_monte_carlo_chain_matches_the_closed_form(context: Callable[..., CheckContext]) -> None:
    # 12 forward steps simulated on 200 000 samples, within 5 standard errors of the closed form
    assert dd.crosscheck(context(dd.DDPM_FORWARD)).ok
