"""Targeted falsehoods for MAP with a Laplace prior (map 3.1): the threshold without sigma^2, the
positive branch with the wrong sign."""

from __future__ import annotations

from collections.abc import Callable

import sympy as sp
from sympy import Eq

from derive.identities.probability import map_lasso as ml


def test_lasso_threshold_without_sigma_squared(rejected: Callable[..., None]) -> None:
    wrong = (
        (ml.w - ml.Sxy / ml.Sxx) ** 2 / 2
        + sp.Abs(ml.w) / (ml.b_scale * ml.Sxx)
        + (ml.Syy - ml.Sxy**2 / ml.Sxx) / (2 * ml.Sxx)
    )
    rejected(ml.MAP_LASSO, "prox form", Eq(ml.sigma**2 / ml.Sxx * ml.LASSO_NLP, wrong))


def test_lasso_positive_branch_with_wrong_sign(rejected: Callable[..., None]) -> None:
    rejected(ml.MAP_LASSO, "w > 0", Eq(ml.w_pos, ml.z_ols + ml.t_thr))
