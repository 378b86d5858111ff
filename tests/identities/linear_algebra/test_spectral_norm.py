"""Targeted falsehoods for the spectral norm (map 1.4): the attained eigenvalue of W^T W as sigma, power
iteration converging to sigma_1 instead of sigma_1^2, a bound by a smaller eigenvalue (any size)."""

from __future__ import annotations

from collections.abc import Callable

import sympy as sp
from sympy import Eq, Le, Limit

from derive.identities.linear_algebra import spectral_norm as sn
from derive.identities.linear_algebra._shared import gapI


def test_spectral_norm_attained_value_is_squared(rejected: Callable[..., None]) -> None:
    # the eigenvalue of W^T W at the top right singular vector is lambda_t = sigma_t^2, not its square root
    lhs = sn.ATTAINED.relation.lhs
    rejected(sn.SPECTRAL_NORM, "attained", Eq(lhs, sp.sqrt(sn.lamI[sn.t_top]) * sp.KroneckerDelta(sn.k, sn.t_top)))


def test_power_iteration_limit_is_sigma_squared(rejected: Callable[..., None]) -> None:
    rejected(sn.SPECTRAL_NORM, "power iteration", Eq(Limit(sn.RAYLEIGH, sn.it, sp.oo), sn.s1))


def test_spectral_bound_with_sigma2_is_false(rejected: Callable[..., None]) -> None:
    # any size: the bound with a smaller eigenvalue lambda_1 - g_1 in place of lambda_1 = sigma_1^2
    lhs = sn.CLAIM.relation.lhs
    rejected(sn.SPECTRAL_NORM, "bound", Le(lhs, (sn.lam1 - gapI[1]) * sn.NORM_N))
