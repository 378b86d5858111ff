"""Targeted falsehoods for the distillation gradient (map 4): without the temperature factor (any n),
logit matching without 1/n; the cross-check catches the missing factor on its own."""

from __future__ import annotations

from collections.abc import Callable

import sympy as sp
from sympy import Eq

from derive.identities.information import distillation_gradient as dg
from derive.numeric.sampling import generator


def test_distillation_gradient_without_the_temperature(rejected: Callable[..., None]) -> None:
    rejected(dg.DISTILLATION_GRADIENT, "gradient", Eq(sp.Derivative(dg.L_ANY, dg.sI[dg.jc]), dg.GRAD_J / dg.TEMP))


def test_logit_matching_without_one_over_n(rejected: Callable[..., None]) -> None:
    lim = sp.Limit(dg.GRAD[0].xreplace(dg.ZERO_MEAN), dg.TEMP, sp.oo)
    rejected(dg.DISTILLATION_GRADIENT, "logit matching", Eq(lim, dg.zs[0] - dg.zt[0]))


def test_the_crosscheck_catches_the_gradient_without_the_temperature() -> None:
    ctx = dg.DISTILLATION_GRADIENT.check_context(generator(5), 5, dg.GRAD_J / dg.TEMP, {})
    assert not dg.crosscheck(ctx).ok
    assert dg.crosscheck(dg.DISTILLATION_GRADIENT.check_context(generator(5), 5, dg.GRAD_J, {})).ok
