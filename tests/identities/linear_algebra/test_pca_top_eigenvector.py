"""Targeted falsehoods for PCA's top eigenvector (map 1.2): the Rayleigh quotient bounded by the smaller
eigenvalue, a sign error in the Lagrangian's stationarity condition."""

from __future__ import annotations

from collections.abc import Callable

import sympy as sp
from sympy import Eq, Le

from derive.authoring import notation
from derive.identities.linear_algebra import pca_top_eigenvector as pca


def test_pca_bound_by_smaller_eigenvalue_is_rejected(
    rejected: Callable[..., None], lhs: Callable[..., sp.Basic]
) -> None:
    rejected(pca.PCA_TOP_EIGENVECTOR, "maximum", Le(lhs(pca.PCA_TOP_EIGENVECTOR, "maximum"), pca.lam1 - pca.gap))


def test_pca_stationarity_sign_is_rejected(rejected: Callable[..., None], lhs: Callable[..., sp.Basic]) -> None:
    wrong = notation("wrong", 2 * (pca.S3 * pca.v3 + pca.lagrange * pca.v3))
    rejected(
        pca.PCA_TOP_EIGENVECTOR, "stationarity", Eq(lhs(pca.PCA_TOP_EIGENVECTOR, "stationarity"), wrong, evaluate=False)
    )
