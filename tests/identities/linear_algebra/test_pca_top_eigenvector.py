"""Targeted falsehoods for PCA's top eigenvector (map 1.2), for any n: the Rayleigh quotient bounded by a
smaller eigenvalue, a sign error in the Lagrangian's stationarity condition; the spectral theorem is cited."""

from __future__ import annotations

from collections.abc import Callable

import sympy as sp
from sympy import Eq, Le

import derive
from derive.core.facts import SPECTRAL_THEOREM
from derive.identities.linear_algebra import pca_top_eigenvector as pca


def test_pca_bound_by_smaller_eigenvalue_is_rejected(
    rejected: Callable[..., None], lhs: Callable[..., sp.Basic]
) -> None:
    smaller = (pca.lam1 - pca.gap) * pca.NORM_N
    rejected(pca.PCA_TOP_EIGENVECTOR, "maximum", Le(lhs(pca.PCA_TOP_EIGENVECTOR, "maximum"), smaller))


def test_pca_stationarity_sign_is_rejected(rejected: Callable[..., None], lhs: Callable[..., sp.Basic]) -> None:
    right = pca.STATIONARITY.relation.rhs  # type: ignore[union-attr]
    wrong = right + 4 * pca.lagrange * pca.vI[pca.i]  # + 2 lambda v_i instead of - 2 lambda v_i
    rejected(pca.PCA_TOP_EIGENVECTOR, "stationarity", Eq(lhs(pca.PCA_TOP_EIGENVECTOR, "stationarity"), wrong))


def test_pca_statements_are_general_for_any_n_and_cite_the_spectral_theorem() -> None:
    p = derive.prove("pca-top-eigenvector")
    assert p.ok
    levels = {o.label: o.level for o in p.outcomes}
    assert levels == {"maximum": "general", "attained": "general", "stationarity": "general", "first PC": "numeric"}
    assert [f.name for f in p.assumes] == [SPECTRAL_THEOREM.name]
