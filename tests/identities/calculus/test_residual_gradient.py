"""Targeted falsehoods for residual connections (map 2.3): the Jacobian without the identity path,
and the path expansion as if the block Jacobians commuted."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import sympy as sp
from sympy import Eq

from derive.identities.calculus import residual_gradient as rg


def test_residual_without_identity_path(rejected: Callable[..., None]) -> None:
    rejected(rg.RESIDUAL_GRADIENT, "block", Eq(rg.BLOCK_IJ, rg.JFI[rg.i, rg.j]))


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
    jn, rb = rg.J_NEXT, rg.R_BELOW
    # the new block's path on the wrong side: R J instead of J R
    rejected(rg.RESIDUAL_GRADIENT, "expansion", Eq((1 + jn) * (1 + rb), 1 + (jn + rb + rb * jn)))
    commuted = rg.EXPANSION - j2 * j1 + j1 * j2  # as if the block Jacobians commuted
    rng = np.random.default_rng(3)
    mats = {j: rng.normal(size=(3, 3)) for j in rg.JS}
    product = (np.eye(3) + mats[j3]) @ (np.eye(3) + mats[j2]) @ (np.eye(3) + mats[j1])
    assert np.allclose(_matrix_value(rg.EXPANSION, mats), product)
    assert not np.allclose(_matrix_value(commuted, mats), product)


def test_residual_gradient_is_general_with_its_worked_examples() -> None:
    import derive

    p = derive.prove("residual-gradient")
    assert p.ok and p.level == "general"
    assert [c.title for c in p.chains if not c.statement] == [
        "Worked example: three blocks, unrolled",
        "Worked example: three paths",
    ]
