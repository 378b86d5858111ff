"""Targeted falsehoods for the spectral norm (map 1.4): the attained value not squared, power iteration
converging to sigma_1 instead of sigma_1^2, a bound by the smaller singular value."""

from __future__ import annotations

from collections.abc import Callable

import sympy as sp
from sympy import Eq, Le, Limit

from derive.identities.linear_algebra import spectral_norm as sn


def test_spectral_norm_attained_value_is_squared(rejected: Callable[..., None]) -> None:
    rejected(sn.SPECTRAL_NORM, "attained", Eq(sn.WV1, sn.s1, evaluate=False))


def test_power_iteration_limit_is_sigma_squared(rejected: Callable[..., None]) -> None:
    rejected(sn.SPECTRAL_NORM, "power iteration", Eq(Limit(sn.RAYLEIGH, sn.it, sp.oo), sn.s1))


def test_spectral_bound_with_sigma2_is_false(rejected: Callable[..., None]) -> None:
    rejected(sn.SPECTRAL_NORM, "bound", Le(sn.WY, sn.s2**2 * (sn.YN[0] ** 2 + sn.YN[1] ** 2), evaluate=False))
