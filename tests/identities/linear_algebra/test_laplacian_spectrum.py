"""Targeted falsehoods for the graph Laplacian (map 1.2): the signless Laplacian's quadratic form, each edge
counted twice, a spectral filter without the transpose."""

from __future__ import annotations

from collections.abc import Callable

import sympy as sp
from sympy import Eq

from derive.authoring import notation
from derive.identities.linear_algebra import laplacian_spectrum as lap


def test_laplacian_sign_error_is_rejected(rejected: Callable[..., None], lhs: Callable[..., sp.Basic]) -> None:
    wrong = sp.Add(*(lap.AW[(i, j)] * (lap.x4[i] + lap.x4[j]) ** 2 for i, j in lap.PAIRS))
    rejected(
        lap.LAPLACIAN_SPECTRUM,
        "quadratic form",
        Eq(lhs(lap.LAPLACIAN_SPECTRUM, "quadratic form"), wrong, evaluate=False),
    )


def test_laplacian_double_count_is_rejected(rejected: Callable[..., None], lhs: Callable[..., sp.Basic]) -> None:
    rejected(
        lap.LAPLACIAN_SPECTRUM,
        "quadratic form",
        Eq(lhs(lap.LAPLACIAN_SPECTRUM, "quadratic form"), 2 * lap.EDGE_SUM, evaluate=False),
    )


def test_laplacian_filter_without_transpose_is_rejected(
    rejected: Callable[..., None], lhs: Callable[..., sp.Basic]
) -> None:
    # U g(Lambda) U x instead of U g(Lambda) U^T x (U is not symmetric)
    g = lap.U_K3.T * lap._eigen_filter(lap.U_K3, lap.LAM_K3) * lap.U_K3  # g(Lambda)
    wrong = notation("wrong", lap.U_K3 * g * lap.U_K3 * lap.x3)
    rejected(
        lap.LAPLACIAN_SPECTRUM,
        "spectral filter",
        Eq(lhs(lap.LAPLACIAN_SPECTRUM, "spectral filter"), wrong, evaluate=False),
    )
