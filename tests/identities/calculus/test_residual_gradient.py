"""Targeted falsehoods for residual connections (map 2.3): the Jacobian without the identity path,
and the path expansion as if the block Jacobians commuted."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import sympy as sp
from sympy import Eq

from derive.identities.calculus import residual_gradient as rg
from derive.maths.matrices import jacobian_form


def test_residual_without_identity_path(rejected: Callable[..., None]) -> None:
    jac_f = rg.BLOCK_J - sp.eye(2)
    rejected(rg.RESIDUAL_GRADIENT, "block", Eq(jacobian_form(rg.X + rg.FX, list(rg.X)), jac_f))


def _matrix_value(expr: sp.Expr, mats: dict[sp.Symbol, np.ndarray]) -> np.ndarray:
    """A polynomial in non-commuting symbols evaluated on matrices, factors in their order."""
    out = np.zeros((3, 3))
    for term in sp.Add.make_args(sp.expand(expr)):
        commutative, ordered = term.args_cnc()
        value = float(sp.Mul(*commutative)) * np.eye(3)
        for factor in ordered:
            value = value @ mats[factor]
        out += value
    return out


def test_residual_expansion_order_matters(rejected: Callable[..., None]) -> None:
    j1, j2, j3 = rg.JS
    commuted = rg.EXPANSION - j2 * j1 + j1 * j2  # as if the block Jacobians commuted
    rejected(rg.RESIDUAL_GRADIENT, "expansion", Eq((1 + j3) * (1 + j2) * (1 + j1), commuted))
    rng = np.random.default_rng(3)
    mats = {j: rng.normal(size=(3, 3)) for j in rg.JS}
    product = (np.eye(3) + mats[j3]) @ (np.eye(3) + mats[j2]) @ (np.eye(3) + mats[j1])
    assert np.allclose(_matrix_value(rg.EXPANSION, mats), product)
    assert not np.allclose(_matrix_value(commuted, mats), product)
