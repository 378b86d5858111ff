"""Targeted falsehoods for MAP with a Gaussian prior (map 3.1): the ridge penalty inverted or missing,
X for X^T, the penalty over the noise variance; the cross-check catches an inverted lambda on its own."""

from __future__ import annotations

from collections.abc import Callable

import sympy as sp
from sympy import Eq, log, pi

from derive.authoring import CheckContext
from derive.identities.probability import map_ridge as mr


def test_ridge_lambda_inverted(rejected: Callable[..., None]) -> None:
    rejected(mr.MAP_RIDGE, "MAP (1-D)", Eq(mr.w_map, mr.Sxy / (mr.Sxx + mr.tau**2 / mr.sigma**2)))


def test_ridge_without_prior_is_least_squares_not_map(rejected: Callable[..., None]) -> None:
    rejected(mr.MAP_RIDGE, "MAP (1-D)", Eq(mr.w_map, mr.Sxy / mr.Sxx))


def test_ridge_matrix_form_with_x_instead_of_x_transpose(rejected: Callable[..., None]) -> None:
    gram = mr.X2.T * mr.X2 + mr.LAMBDA * sp.eye(2)
    wrong = gram.adjugate() * (mr.X2 * mr.y2) / gram.det()
    rejected(mr.MAP_RIDGE, "ridge (2x2)", Eq(mr.w2_map, wrong))


def test_ridge_penalty_over_sigma_instead_of_tau(rejected: Callable[..., None]) -> None:
    wrong = (
        mr.SSE_NAME / (2 * mr.sigma**2)
        + mr.w**2 / (2 * mr.sigma**2)
        + mr.n_obs * log(2 * pi * mr.sigma**2) / 2
        + log(2 * pi * mr.tau**2) / 2
    )
    rejected(mr.MAP_RIDGE, "neg log posterior", Eq(mr.NLP_NAME, wrong))


def test_ridge_crosscheck_catches_inverted_lambda(context: Callable[..., CheckContext]) -> None:
    right = context(mr.MAP_RIDGE, mr.Sxy / (mr.Sxx + mr.sigma**2 / mr.tau**2))
    assert mr.crosscheck(right).ok
    wrong = context(mr.MAP_RIDGE, mr.Sxy / (mr.Sxx + mr.tau**2 / mr.sigma**2))
    assert not mr.crosscheck(wrong).ok
