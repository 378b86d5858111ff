"""Targeted falsehoods for the KL divergence between Gaussians (map 4): the log ratio inverted, the
variance ratio swapped, the multivariate form (any d) without -d or with
the determinants swapped; the cross-check catches a wrong formula."""

from __future__ import annotations

from collections.abc import Callable

import sympy as sp
from sympy import Eq, Rational, log

from derive.identities.information import kl_gaussians as kg
from derive.numeric.sampling import generator


def test_kl_gaussians_log_ratio_inverted(rejected: Callable[..., None]) -> None:
    wrong = log(kg.s1 / kg.s2) + (kg.s1**2 + (kg.m1 - kg.m2) ** 2) / (2 * kg.s2**2) - Rational(1, 2)
    rejected(kg.KL_GAUSSIANS, "1-D", Eq(kg.KL_GAUSS_DEF, wrong))


def test_kl_gaussians_variance_ratio_swapped(rejected: Callable[..., None]) -> None:
    wrong = log(kg.s2 / kg.s1) + (kg.s2**2 + (kg.m1 - kg.m2) ** 2) / (2 * kg.s1**2) - Rational(1, 2)
    rejected(kg.KL_GAUSSIANS, "1-D", Eq(kg.KL_GAUSS_DEF, wrong))


def test_kl_gaussians_multivariate_without_minus_d(rejected: Callable[..., None]) -> None:
    rejected(kg.KL_GAUSSIANS, "diagonal (any d)", Eq(kg.KL_DIAG, kg.KL_MATRIX + kg.dim / 2, evaluate=False))


def test_kl_gaussians_multivariate_with_the_determinants_swapped(rejected: Callable[..., None]) -> None:
    wrong = (kg.TRACE + kg.QUAD_FORM - kg.dim + log(kg.DET1 / kg.DET2)) / 2
    rejected(kg.KL_GAUSSIANS, "diagonal (any d)", Eq(kg.KL_DIAG, wrong, evaluate=False))


def test_kl_gaussians_crosscheck_catches_wrong_formula() -> None:
    wrong = log(kg.s1 / kg.s2) + (kg.s1**2 + (kg.m1 - kg.m2) ** 2) / (2 * kg.s2**2) - Rational(1, 2)
    any_d = {"KL any d": kg.KL_DIAG}
    ctx = kg.KL_GAUSSIANS.check_context(generator(7), 7, wrong, any_d)
    assert not kg.crosscheck(ctx).ok
    right = kg.KL_GAUSSIANS.check_context(generator(7), 7, kg.KL_GAUSS, any_d)
    assert kg.crosscheck(right).ok
    one_minus_one_too_many = {"KL any d": kg.KL_DIAG - sp.Rational(1, 2)}
    assert not kg.crosscheck(kg.KL_GAUSSIANS.check_context(generator(7), 7, kg.KL_GAUSS, one_minus_one_too_many)).ok
