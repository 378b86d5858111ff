"""Targeted falsehoods for the KL-regularised optimum (map 4): the optimum without its normaliser or
with e^(beta r), the value without beta; the cross-check catches the missing normaliser on its own."""

from __future__ import annotations

from collections.abc import Callable

import sympy as sp
from sympy import Eq

from derive.identities.information import rlhf_kl_optimum as rl
from derive.numeric.sampling import generator


def test_rlhf_optimum_without_the_normaliser(rejected: Callable[..., None]) -> None:
    unnormalised = sp.Matrix([rl.rho_ref[k] * sp.exp(rl.rw[k] / rl.beta) for k in range(rl.NY)])
    rejected(rl.RLHF_KL_OPTIMUM, "optimum", Eq(rl.Y_AT_LAM_STAR, unnormalised))


def test_rlhf_optimum_with_exp_beta_r(rejected: Callable[..., None]) -> None:
    z = sp.Add(*(rl.rho_ref[k] * sp.exp(rl.beta * rl.rw[k]) for k in range(rl.NY)))
    wrong = sp.Matrix([rl.rho_ref[k] * sp.exp(rl.beta * rl.rw[k]) / z for k in range(rl.NY)])
    rejected(rl.RLHF_KL_OPTIMUM, "optimum", Eq(rl.Y_AT_LAM_STAR, wrong))


def test_rlhf_value_is_not_log_z(rejected: Callable[..., None]) -> None:
    rejected(
        rl.RLHF_KL_OPTIMUM, "value", Eq(rl.objective(lambda k: rl.PI_STAR[k - 1]), sp.log(rl.Z))
    )  # the factor beta is missing


def test_rlhf_crosscheck_catches_missing_normaliser() -> None:
    unnormalised = sp.Matrix([rl.rho_ref[k] * sp.exp(rl.rw[k] / rl.beta) for k in range(rl.NY)])
    ctx = rl.RLHF_KL_OPTIMUM.check_context(generator(3), 3, unnormalised, {})
    assert not rl.crosscheck(ctx).ok
