"""Targeted falsehoods for Dirichlet-categorical conjugacy (map 3.2), any number K of categories: the predictive
without the prior, a Dirichlet integral step off by a Gamma factor, and the posterior mode in the cross-check."""

from __future__ import annotations

from collections.abc import Callable

import sympy as sp
from sympy import Eq

from derive.identities.probability import dirichlet_categorical as dc


def test_dirichlet_predictive_without_prior(rejected: Callable[..., None]) -> None:
    rejected(
        dc.DIRICHLET_CATEGORICAL, "predictive", Eq(dc.PRED, dc.countI[dc.j] / sp.Sum(dc.countI[dc.k], (dc.k, 1, dc.K)))
    )


def test_dirichlet_step_missing_the_split_factor(rejected: Callable[..., None], lhs: Callable[..., sp.Basic]) -> None:
    wrong = Eq(
        lhs(dc.DIRICHLET_CATEGORICAL, "Dirichlet step"), dc.dirichlet.normaliser(dc._alpha, dc.k, dc.K + 1) * dc.K
    )
    rejected(dc.DIRICHLET_CATEGORICAL, "Dirichlet step", wrong)


def test_the_cross_check_refuses_the_posterior_mode(cross_fails: Callable[..., None]) -> None:
    total = sp.Sum(dc.alphaI[dc.k] + dc.countI[dc.k], (dc.k, 1, dc.K))
    mode = (dc.alphaI[dc.j] + dc.countI[dc.j] - 1) / (total - dc.K)
    cross_fails(dc.DIRICHLET_CATEGORICAL, dc.crosscheck, mode)
