"""Targeted falsehoods for the Laplace evidence (map 3.3): the Occam factor's sign, the curvature without
the prior, the MAP without shrinkage; the non-Gaussian gap is checked on data sets of its own stream."""

from __future__ import annotations

from collections.abc import Callable

from sympy import Derivative, Eq, log, pi

from derive.authoring import CheckContext
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


def test_laplace_non_gaussian_data_do_not_depend_on_earlier_draws(context: Callable[..., CheckContext]) -> None:
    """The logistic data sets come from the seed (salted), not from the shared generator: draws taken before
    the check (more statement-check points, say) leave its verdict and its worst gap unchanged."""
    fresh = le._laplace_non_gaussian(context(le.LAPLACE_EVIDENCE))
    used = context(le.LAPLACE_EVIDENCE)
    used.rng.normal(size=1000)
    after = le._laplace_non_gaussian(used)
    assert fresh.ok and after.ok
    assert (fresh.error, fresh.detail) == (after.error, after.detail)
