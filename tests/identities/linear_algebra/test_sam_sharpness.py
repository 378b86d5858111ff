"""Targeted falsehoods for SAM's inner maximisation (map 1.2): an unnormalised step, a halved bound; the
power iteration of the cross-check finds the largest eigenvalue, not the largest in magnitude."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import sympy as sp
from sympy import Eq, Le

from derive.identities.linear_algebra import sam_sharpness as sam


def test_sam_unnormalised_step_is_rejected(rejected: Callable[..., None], lhs: Callable[..., sp.Basic]) -> None:
    wrong = sam.rho_s * sam.GN_NORM**2  # e = rho g: the value of an unnormalised step
    rejected(sam.SAM_SHARPNESS, "maximiser", Eq(lhs(sam.SAM_SHARPNESS, "maximiser"), wrong, evaluate=False))


def test_sam_halved_bound_is_rejected(rejected: Callable[..., None], lhs: Callable[..., sp.Basic]) -> None:
    rejected(
        sam.SAM_SHARPNESS, "first-order max", Le(lhs(sam.SAM_SHARPNESS, "first-order max"), sam.rho_s * sam.gnorm / 2)
    )


def test_sam_crosscheck_power_iteration_matches_eigvalsh() -> None:
    h = np.diag([3.0, -5.0, 1.0])
    assert abs(sam._power_iteration(h, np.ones(3)) - 3.0) < 1e-8
