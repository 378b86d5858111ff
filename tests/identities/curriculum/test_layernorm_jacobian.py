"""Targeted falsehoods for the layer-norm Jacobian (map 6, chapter 13): the Jacobian without its yy^T term,
outputs on the unit sphere."""

from __future__ import annotations

from collections.abc import Callable

import sympy as sp
from sympy import Eq

from derive.identities.curriculum import layernorm_jacobian as ln


def test_layernorm_jacobian_without_the_yy_term(rejected: Callable[..., None]) -> None:
    lhs = ln.LAYERNORM_JACOBIAN.statements[0].relation.lhs
    wrong = (sp.KroneckerDelta(ln.i_ln, ln.j_ln) - 1 / ln.n_ln) / ln.SIGMA_N
    rejected(ln.LAYERNORM_JACOBIAN, "Jacobian", Eq(lhs, wrong))


def test_layernorm_sum_of_squares_is_not_one(rejected: Callable[..., None]) -> None:
    lhs = ln.LAYERNORM_JACOBIAN.statements[2].relation.lhs
    rejected(ln.LAYERNORM_JACOBIAN, "sum y^2 = n", Eq(lhs, 1))
