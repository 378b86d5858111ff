"""Targeted falsehoods for PCA's top eigenvector (map 1.2), for any n: the Rayleigh quotient bounded by a
smaller eigenvalue, every eigenvector capturing the top variance, a sign error in the Lagrangian's stationarity
condition, the projected variance with the wrong normalisation or without its cross terms; the spectral theorem
and the exchange of finite sums are cited."""

from __future__ import annotations

from collections.abc import Callable

import sympy as sp
from sympy import Eq, Le

from derive.core.facts import SPECTRAL_THEOREM, SUM_EXCHANGE
from derive.core.proof import Proof
from derive.identities.linear_algebra import pca_top_eigenvector as pca

PAGE = "pca-top-eigenvector"


def test_pca_bound_by_smaller_eigenvalue_is_rejected(
    rejected: Callable[..., None], lhs: Callable[..., sp.Basic]
) -> None:
    smaller = (pca.lam1 - pca.gap) * pca.NORM_N
    rejected(pca.PCA_TOP_EIGENVECTOR, "maximum", Le(lhs(pca.PCA_TOP_EIGENVECTOR, "maximum"), smaller))


def test_pca_stationarity_sign_is_rejected(rejected: Callable[..., None], lhs: Callable[..., sp.Basic]) -> None:
    right = pca.STATIONARITY.relation.rhs  # type: ignore[union-attr]
    wrong = right + 4 * pca.lagrange * pca.vI[pca.i]  # + 2 lambda v_i instead of - 2 lambda v_i
    rejected(pca.PCA_TOP_EIGENVECTOR, "stationarity", Eq(lhs(pca.PCA_TOP_EIGENVECTOR, "stationarity"), wrong))


def test_pca_first_pc_divided_by_n_is_refused(page_proof: Proof, refused: Callable[..., None]) -> None:
    # the sample covariance divides by N - 1; the projected variance divided by N is another number
    wrong = pca.QUAD * (pca.N_SAMPLES - 1) / pca.N_SAMPLES
    refused(page_proof, "first PC", Eq(pca.PROJ_VAR, wrong, evaluate=False))


def test_pca_first_pc_without_cross_terms_is_refused(page_proof: Proof, refused: Callable[..., None]) -> None:
    # (x^T v)^2 is not sum_q X_pq^2 v_q^2: the cross terms q != r carry the covariances
    p, q, n, big_n = pca.p, pca.q, pca.n, pca.N_SAMPLES
    diagonal = sp.Sum(pca.vI[q] ** 2 * sp.Sum(pca.XI[p, q] ** 2, (p, 1, big_n)), (q, 1, n)) / (big_n - 1)
    refused(page_proof, "first PC", Eq(pca.PROJ_VAR, diagonal, evaluate=False))


def test_pca_every_eigenvector_capturing_lambda_max_is_refused(page_proof: Proof, refused: Callable[..., None]) -> None:
    # the variance along u_t is lambda_t = lambda_1 - g_t: lambda_max only for a top eigenvector
    refused(page_proof, "variance at u_t", Eq(pca.TOP_VARIANCE, pca.lam1))


def test_pca_statements_are_general_for_any_n_and_cite_the_spectral_theorem(page_proof: Proof) -> None:
    assert page_proof.ok, page_proof.failure
    levels = {o.label: o.level for o in page_proof.outcomes}
    assert levels == dict.fromkeys(("maximum", "attained", "variance at u_t", "stationarity", "first PC"), "general")
    assert page_proof.level == "general"
    assert [f.name for f in page_proof.assumes] == [SPECTRAL_THEOREM.name, SUM_EXCHANGE.name]
