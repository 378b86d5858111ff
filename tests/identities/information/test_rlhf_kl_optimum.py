"""Targeted falsehoods for the KL-regularised optimum (map 4), for any number n of responses: the
optimum without its normaliser or with e^(beta r), the value without beta, the gradient without the -beta
of the entropy; the cross-check catches the missing normaliser on its own."""

from __future__ import annotations

from collections.abc import Callable

import sympy as sp
from sympy import Eq

from derive.identities.information import rlhf_kl_optimum as rl
from derive.numeric.sampling import generator


def test_rlhf_optimum_without_the_normaliser(rejected: Callable[..., None]) -> None:
    unnormalised = rl.rhoI[rl.j] * sp.exp(rl.rI[rl.j] / rl.beta)
    rejected(rl.RLHF_KL_OPTIMUM, "optimum", Eq(rl.Y_AT_LAM_STAR, unnormalised))


def test_rlhf_optimum_with_exp_beta_r(rejected: Callable[..., None]) -> None:
    z = rl.dm.over(lambda c: rl.rhoI[c] * sp.exp(rl.beta * rl.rI[c]), rl.n)
    rejected(rl.RLHF_KL_OPTIMUM, "optimum", Eq(rl.Y_AT_LAM_STAR, rl.rhoI[rl.j] * sp.exp(rl.beta * rl.rI[rl.j]) / z))


def test_rlhf_value_is_not_log_z(rejected: Callable[..., None]) -> None:
    rejected(rl.RLHF_KL_OPTIMUM, "value", Eq(rl.objective(rl.pi_star), sp.log(rl.Z)))  # the factor beta is missing


def test_rlhf_gradient_without_the_minus_beta(rejected: Callable[..., None]) -> None:
    wrong = rl.GRADIENT + rl.beta
    rejected(rl.RLHF_KL_OPTIMUM, "gradient", Eq(sp.Derivative(rl.LAGRANGIAN, rl.yv[rl.j]), wrong))


def test_every_statement_speaks_of_n_responses() -> None:
    """Each statement sums over n responses, or (stationarity) is about a response j in 1..n."""
    for st in rl.RLHF_KL_OPTIMUM.statements:
        assert st.relation is not None
        assert (rl.n if st.label != "stationarity" else rl.j) in st.relation.free_symbols, st.label


def test_rlhf_crosscheck_catches_missing_normaliser() -> None:
    unnormalised = rl.rhoI[rl.j] * sp.exp(rl.rI[rl.j] / rl.beta)
    ctx = rl.RLHF_KL_OPTIMUM.check_context(generator(3), 3, unnormalised, {})
    assert not rl.crosscheck(ctx).ok
    right = rl.RLHF_KL_OPTIMUM.check_context(generator(3), 3, rl.pi_star(rl.j), {})
    assert rl.crosscheck(right).ok
