"""Targeted falsehoods for the distillation gradient (map 4): without the temperature factor (any n),
logit matching without 1/n or without the means (any n); the cross-check catches the missing factor on its own."""

from __future__ import annotations

from collections.abc import Callable

import sympy as sp
from sympy import Eq

from derive.identities.information import distillation_gradient as dg
from derive.numeric.sampling import generator


def test_distillation_gradient_without_the_temperature(rejected: Callable[..., None]) -> None:
    rejected(dg.DISTILLATION_GRADIENT, "gradient", Eq(sp.Derivative(dg.L_ANY, dg.sI[dg.jc]), dg.GRAD_J / dg.TEMP))


def test_logit_matching_without_one_over_n(rejected: Callable[..., None]) -> None:
    lim = sp.Limit(dg.NUM_J / dg.DEN, dg.TEMP, sp.oo)
    rejected(
        dg.DISTILLATION_GRADIENT, "logit matching", Eq(lim, (dg.sI[dg.jc] - dg.S_MEAN) - (dg.tI[dg.jc] - dg.T_MEAN))
    )


def test_logit_matching_without_the_means(rejected: Callable[..., None]) -> None:
    """(s_j - t_j)/n holds only for zero-mean logits; for any logits the means are subtracted."""
    lim = sp.Limit(dg.NUM_J / dg.DEN, dg.TEMP, sp.oo)
    rejected(dg.DISTILLATION_GRADIENT, "logit matching", Eq(lim, (dg.sI[dg.jc] - dg.tI[dg.jc]) / dg.n))


def test_the_crosscheck_catches_the_gradient_without_the_temperature() -> None:
    ctx = dg.DISTILLATION_GRADIENT.check_context(generator(5), 5, dg.GRAD_J / dg.TEMP, {})
    assert not dg.crosscheck(ctx).ok
    assert dg.crosscheck(dg.DISTILLATION_GRADIENT.check_context(generator(5), 5, dg.GRAD_J, {})).ok
