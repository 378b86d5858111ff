"""Targeted falsehoods for the Gaussian normaliser (map 3.2): s inside the root, the 2-D normaliser
without the square root of the determinant, the determinant taken as the trace, the
d-dimensional log-normaliser without the 1/2 on its log-determinant, the eigenbasis quadratic form with
Sigma in place of its inverse (any d)."""

from __future__ import annotations

from collections.abc import Callable

import sympy as sp
from sympy import Eq, log, pi, sqrt

from derive.identities.probability import gaussian_normalizer as gn


def test_normalizer_s_inside_the_root(rejected: Callable[..., None]) -> None:
    one_d = gn.GAUSSIAN_NORMALIZER.statements[1].relation
    assert one_d is not None
    rejected(gn.GAUSSIAN_NORMALIZER, "1-D", Eq(one_d.lhs, sqrt(2 * pi * gn.s)))


def test_normalizer_2d_without_square_root_of_det(rejected: Callable[..., None]) -> None:
    rejected(gn.GAUSSIAN_NORMALIZER, "2-D", Eq(gn.NORMALIZER_2D, 2 * pi * gn.lam1 * gn.lam2))


def test_normalizer_det_as_trace(rejected: Callable[..., None]) -> None:
    rejected(gn.GAUSSIAN_NORMALIZER, "det", Eq(gn.DET, gn.lam1 + gn.lam2))


def test_normalizer_any_d_with_the_whole_log_det(rejected: Callable[..., None]) -> None:
    """(2 pi)^(d/2) |Sigma| instead of |Sigma|^(1/2): the log-determinant without its 1/2."""
    wrong = gn.dim * log(2 * pi) / 2 + log(gn.DET_D)
    rejected(gn.GAUSSIAN_NORMALIZER, "diagonal (any d)", Eq(gn.LOG_NORMALIZER_D, wrong, evaluate=False))


def test_normalizer_quadratic_form_without_the_eigenvalues(rejected: Callable[..., None]) -> None:
    """x^T Sigma^-1 x as sum_k u_k^2 lambda_k (Sigma, not its inverse), for any d."""
    gn_ = gn.GAUSSIAN_NORMALIZER
    wrong = sp.Sum(
        sp.Sum(gn.UI[gn.ea, gn.ek] * gn.xI[gn.ea], (gn.ea, 1, gn.dim)) ** 2 * gn.lamI[gn.ek], (gn.ek, 1, gn.dim)
    )
    rejected(gn_, "quadratic form", Eq(gn.QUAD_D, wrong, evaluate=False))
