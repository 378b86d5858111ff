"""Targeted falsehoods for the DDPM forward process (map 3.2): the variance as a sum of betas, the mean
step without its square root; the simulated forward chain agrees with the closed form."""

from __future__ import annotations

from collections.abc import Callable

import sympy as sp
from sympy import Eq

import derive
from derive.authoring import CheckContext
from derive.core.facts import INDEPENDENCE, MGF_UNIQUENESS
from derive.identities.probability import ddpm_forward as dd


def test_ddpm_gaussian_step_without_the_noise_variance(rejected: Callable[..., None]) -> None:
    """The step forgets the noise: variance (1 - beta_t) v instead of (1 - beta_t) v + beta_t."""
    wrong = dd.MGF_NEXT.subs(dd.v_prev, dd.v_prev - dd.beta_t / (1 - dd.beta_t))
    rejected(dd.DDPM_FORWARD, "Gaussian step", Eq(dd.MGF_STEP, wrong))


def test_ddpm_abar_as_a_sum_of_betas(rejected: Callable[..., None]) -> None:
    """log abar_t = -sum beta_k (the first-order approximation) is not the product's closed form."""
    step = next(s for s in dd.DDPM_FORWARD.statements if s.label == "abar_t product").relation
    assert step is not None
    wrong = sp.Sum(-dd.beta[dd.k], (dd.k, 1, dd.t))
    rejected(dd.DDPM_FORWARD, "abar_t product", Eq(step.lhs, wrong))


def test_ddpm_is_general_and_cites_its_facts() -> None:
    p = derive.prove("ddpm-forward")
    assert p.ok and p.level == "general"
    assert [f.name for f in p.assumes] == [INDEPENDENCE.name, MGF_UNIQUENESS.name]


def test_ddpm_mean_step_without_square_root(rejected: Callable[..., None]) -> None:
    rejected(dd.DDPM_FORWARD, "mean step", Eq(dd.MEAN_T, (1 - dd.beta_t) * dd.abar_prev * dd.x0))


def test_ddpm_monte_carlo_chain_matches_the_closed_form(context: Callable[..., CheckContext]) -> None:
    # 12 forward steps simulated on 200 000 samples, within 5 standard errors of the closed form
    assert dd.crosscheck(context(dd.DDPM_FORWARD)).ok
