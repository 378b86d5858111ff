"""Targeted falsehoods for MAP with a Gaussian prior (map 3.1): the ridge penalty inverted or missing,
X for X^T, the penalty over the noise variance; the cross-check catches an inverted lambda on its own.

The page is proved once (the ``page_proof`` fixture, for ``PAGE``); each falsehood is checked
on the page's own chains (the ``refused`` fixture of tests/identities/conftest.py)."""

from __future__ import annotations

from collections.abc import Callable

import sympy as sp
from sympy import Eq, log, pi

from derive.authoring import CheckContext
from derive.core.proof import Proof
from derive.identities.probability import map_ridge as mr

PAGE = "map-ridge"
Refused = Callable[[Proof, str, Eq], None]


def test_ridge_lambda_inverted(page_proof: Proof, refused: Refused) -> None:
    refused(page_proof, "MAP (1-D)", Eq(mr.w_map, mr.Sxy / (mr.Sxx + mr.tau**2 / mr.sigma**2)))


def test_ridge_without_prior_is_least_squares_not_map(page_proof: Proof, refused: Refused) -> None:
    refused(page_proof, "MAP (1-D)", Eq(mr.w_map, mr.Sxy / mr.Sxx))


def test_ridge_any_size_with_the_penalty_inverted(page_proof: Proof, refused: Refused) -> None:
    """The gradient with lambda = tau^2/sigma^2 does not vanish at (X^T X + sigma^2/tau^2 I)^-1 X^T y."""
    data = sp.Sum(mr.X_ik[mr.i_obs, mr.j_feat] * (mr.PRED_I - mr.yi_[mr.i_obs]), mr.OBS)
    grad = (data + mr.tau**2 / mr.sigma**2 * mr.w_k[mr.j_feat]) / mr.sigma**2
    at = grad.replace(lambda e: isinstance(e, sp.Indexed) and e.base == mr.w_k, lambda e: mr.ridge_weight(e.indices[0]))
    refused(page_proof, "ridge (any size)", Eq(at, 0))


def test_ridge_any_size_is_general_and_checked_with_the_computed_inverse(page_proof: Proof) -> None:
    assert page_proof.ok and page_proof.level == "general", page_proof
    check = next(c for c in page_proof.numeric.statements if c.label == "ridge (any size)")
    assert check.ok and check.samples >= 3 and "Sum: explicit summation" in check.method, check


def test_ridge_penalty_over_sigma_instead_of_tau(page_proof: Proof, refused: Refused) -> None:
    wrong = (
        mr.SSE_NAME / (2 * mr.sigma**2)
        + mr.w**2 / (2 * mr.sigma**2)
        + mr.n_obs * log(2 * pi * mr.sigma**2) / 2
        + log(2 * pi * mr.tau**2) / 2
    )
    refused(page_proof, "neg log posterior", Eq(mr.NLP_NAME, wrong))


def test_ridge_crosscheck_catches_inverted_lambda(context: Callable[..., CheckContext]) -> None:
    right = context(mr.MAP_RIDGE, mr.Sxy / (mr.Sxx + mr.sigma**2 / mr.tau**2))
    assert mr.crosscheck(right).ok
    wrong = context(mr.MAP_RIDGE, mr.Sxy / (mr.Sxx + mr.tau**2 / mr.sigma**2))
    assert not mr.crosscheck(wrong).ok
