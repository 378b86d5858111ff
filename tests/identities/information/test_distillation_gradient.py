"""Targeted falsehoods for the distillation gradient (map 4): without the temperature factor, logit
matching without 1/n."""

from __future__ import annotations

from collections.abc import Callable

import sympy as sp
from sympy import Eq

from derive.identities.information import distillation_gradient as dg


def test_distillation_gradient_without_the_temperature(rejected: Callable[..., None]) -> None:
    rejected(
        dg.DISTILLATION_GRADIENT,
        "gradient",
        Eq(sp.Matrix([sp.Derivative(dg.L_DISTILL, z) for z in dg.zs]), dg.GRAD / dg.TEMP),
    )


def test_logit_matching_without_one_over_n(rejected: Callable[..., None]) -> None:
    lim = sp.Limit(dg.GRAD[0].xreplace(dg.ZERO_MEAN), dg.TEMP, sp.oo)
    rejected(dg.DISTILLATION_GRADIENT, "logit matching", Eq(lim, dg.zs[0] - dg.zt[0]))
