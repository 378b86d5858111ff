"""Targeted falsehoods for the spectral norm (map 1.4), for any size: the attained eigenvalue of W^T W as sigma,
power iteration converging to sigma_1 instead of sigma_1^2, a bound by a smaller eigenvalue, W v_t not divided
by sigma_t, a tail that grows instead of decaying, a direction that does not align; every statement general."""

from __future__ import annotations

from collections.abc import Callable

import sympy as sp
from sympy import Eq, Le, Limit

from derive.core.facts import LIMIT_LAWS, SPECTRAL_THEOREM
from derive.core.proof import Proof
from derive.identities.linear_algebra import spectral_norm as sn
from derive.identities.linear_algebra._shared import gapI

PAGE = "spectral-norm"


def test_spectral_norm_attained_value_is_squared(rejected: Callable[..., None]) -> None:
    # the eigenvalue of W^T W at the top right singular vector is lambda_t = sigma_t^2, not its square root
    lhs = sn.ATTAINED.relation.lhs
    rejected(sn.SPECTRAL_NORM, "attained", Eq(lhs, sp.sqrt(sn.lamI[sn.t_top]) * sp.KroneckerDelta(sn.k, sn.t_top)))


def test_power_iteration_limit_is_sigma_squared(rejected: Callable[..., None]) -> None:
    rejected(sn.SPECTRAL_NORM, "power iteration", Eq(Limit(sn.RAYLEIGH, sn.it, sp.oo), sn.s1))


def test_power_iteration_with_a_growing_tail_is_rejected(rejected: Callable[..., None]) -> None:
    # sigma_k = sigma_1 (1 + gamma_k) > sigma_1: the tail grows, the limit laws give no value, and it is not sigma_1^2
    growing = sn.RAYLEIGH.xreplace({sn.gamI[sn.k]: -sn.gamI[sn.k] / (1 + sn.gamI[sn.k])})
    rejected(sn.SPECTRAL_NORM, "power iteration", Eq(Limit(growing, sn.it, sp.oo), sn.s1**2))


def test_spectral_bound_with_sigma2_is_false(rejected: Callable[..., None]) -> None:
    # any size: the bound with a smaller eigenvalue lambda_1 - g_1 in place of lambda_1 = sigma_1^2
    lhs = sn.CLAIM.relation.lhs
    rejected(sn.SPECTRAL_NORM, "bound", Le(lhs, (sn.lam1 - gapI[1]) * sn.NORM_N))


def test_unnormalised_top_vector_is_refused(page_proof: Proof, refused: Callable[..., None]) -> None:
    # ||W v_t||^2 = sigma_t^2, not 1: the division by sigma_t is what normalises
    k, t = sn.k, sn.t_top
    unnormalised = sp.Sum((sn.sigI[k] * sp.KroneckerDelta(k, t)) ** 2, (k, 1, sn.n))
    refused(page_proof, "normalised", Eq(unnormalised, 1, evaluate=False))


def test_direction_limit_is_one_not_a_squared(page_proof: Proof, refused: Callable[..., None]) -> None:
    refused(page_proof, "direction", Eq(Limit(sn.ALIGNMENT, sn.it, sp.oo), sn.a0**2))


def test_spectral_norm_statements_are_general_and_cite_their_facts(page_proof: Proof) -> None:
    assert page_proof.ok, page_proof.failure
    assert page_proof.level == "general"
    assert {o.label for o in page_proof.outcomes} == {
        "bound",
        "attained",
        "normalised",
        "power iteration",
        "direction",
    }
    names = {f.name for f in page_proof.assumes}
    assert {SPECTRAL_THEOREM.name, LIMIT_LAWS.name} <= names
