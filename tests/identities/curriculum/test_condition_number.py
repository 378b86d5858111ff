"""Targeted falsehoods for the condition number (map 6, chapter 10): the bound with kappa not squared, the
Gram matrix with unsquared singular values."""

from __future__ import annotations

from collections.abc import Callable

from sympy import Eq, Le

from derive.identities.curriculum import condition_number as cn
from derive.maths.notation import notation


def test_condition_bound_with_kappa_not_squared(rejected: Callable[..., None]) -> None:
    rejected(cn.CONDITION_NUMBER, "bound", Le(cn.REL_X, cn.KAPPA * cn.REL_B))


def test_condition_gram_has_squared_singular_values(rejected: Callable[..., None]) -> None:
    wrong = notation("wrong", cn.V_C * cn.S_C * cn.V_C.T, "V S V^T")
    rejected(cn.CONDITION_NUMBER, "Gram spectrum", Eq(cn.GRAM, wrong, evaluate=False))
