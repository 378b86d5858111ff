"""Targeted falsehoods for the Laplace evidence (map 3.3): the Occam factor's sign, the curvature without
the prior, the MAP without shrinkage."""

from __future__ import annotations

from collections.abc import Callable

from sympy import Derivative, Eq, log, pi

from derive.identities.probability import laplace_evidence as le


def test_laplace_occam_factor_sign(rejected: Callable[..., None]) -> None:
    integral = le.LAPLACE_EVIDENCE.statements[1].relation
    assert integral is not None
    lhs = integral.lhs
    rejected(le.LAPLACE_EVIDENCE, "Gaussian integral", Eq(lhs, le.f_star + log(2 * pi) / 2 + log(le.h) / 2))


def test_laplace_curvature_missing_prior(rejected: Callable[..., None]) -> None:
    rejected(le.LAPLACE_EVIDENCE, "curvature", Eq(-Derivative(le.LOG_JOINT, (le.theta, 2)), 1 / le.sigma**2))


def test_laplace_map_without_shrinkage(rejected: Callable[..., None]) -> None:
    rejected(le.LAPLACE_EVIDENCE, "MAP", Eq(le.theta_star, le.x))
