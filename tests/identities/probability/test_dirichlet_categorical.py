"""Targeted falsehood for Dirichlet-categorical conjugacy (map 3.2): the predictive without the prior."""

from __future__ import annotations

from collections.abc import Callable

from sympy import Eq

from derive.identities.probability import dirichlet_categorical as dc


def test_dirichlet_predictive_without_prior(rejected: Callable[..., None]) -> None:
    rejected(dc.DIRICHLET_CATEGORICAL, "predictive", Eq(dc.PRED, dc.counts[0] / dc.N_ALL))
