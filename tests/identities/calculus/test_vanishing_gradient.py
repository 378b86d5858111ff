"""Targeted falsehoods for vanishing gradients (map 2.3): a missing sigma' factor or weight, a slope
bound of 1/8 or 1/2, a bound of 1/2 per layer, a matrix bound that is too tight, a limit of 1."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import sympy as sp
from sympy import Derivative, Eq, Le, Limit, Rational, oo

from derive.identities.calculus import vanishing_gradient as vg
from derive.maths.special import sigmoid


def test_vanishing_missing_slope_factor(rejected: Callable[..., None]) -> None:
    lhs, w, below = vg.CLAIM.relation.lhs, vg.WI[vg.L + 1], sp.Derivative(vg.A_BELOW(vg.a0), vg.a0)
    rejected(vg.VANISHING_GRADIENT, "chain rule", Eq(lhs, w * below))


def test_vanishing_missing_weight(rejected: Callable[..., None]) -> None:
    lhs, w, below = vg.CLAIM.relation.lhs, vg.WI[vg.L + 1], sp.Derivative(vg.A_BELOW(vg.a0), vg.a0)
    rejected(vg.VANISHING_GRADIENT, "chain rule", Eq(lhs, vg.SLOPE(w * vg.A_BELOW(vg.a0)) * below))


@pytest.mark.parametrize("bound", [Rational(1, 8), Rational(1, 2)])
def test_vanishing_wrong_slope_bound(bound: sp.Rational, rejected: Callable[..., None]) -> None:
    # 1/8 is false (sigma'(0) = 1/4); 1/2 is not the bound the derivation establishes (sup sigma' = 1/4)
    rejected(vg.VANISHING_GRADIENT, "sigma' <= 1/4", Le(Derivative(sigmoid(vg.x), vg.x), bound))


def test_vanishing_bound_with_one_eighth_per_layer_is_false(rejected: Callable[..., None]) -> None:
    """sigma'(0) = 1/4: one more layer can multiply the derivative by |w|/4, not only by |w|/8."""
    w = vg.WI[vg.L + 1]
    wrong = Le(sp.Abs(w * vg.SLOPE(vg.z_top) * vg.below), sp.Abs(w) * sp.Abs(vg.below) / 8)
    rejected(vg.VANISHING_GRADIENT, "bound", wrong)


def test_vanishing_induction_is_general() -> None:
    import derive

    p = derive.prove("vanishing-gradient")
    levels = {o.label: o.level for o in p.outcomes}
    assert (
        p.ok and levels["base case"] == levels["chain rule"] == levels["bound"] == levels["matrix bound"] == "general"
    )
    assert p.level == "general"
    assert any(c.title.startswith("Worked example: the bound at depth 4") for c in p.chains)


def test_vanishing_matrix_bound_too_tight(rejected: Callable[..., None]) -> None:
    # sigma' <= 1/8 per unit would give ||DW||_F^2 <= ||W||_F^2/64: false (sigma'(0) = 1/4, attained at z = 0)
    rejected(vg.VANISHING_GRADIENT, "matrix bound", Le(vg.LAYER_SQ, vg.FROB_W / 64))
    # and it is false: one unit, z = 0, W = 1: the left side is 1/16, the claimed bound 1/64
    one = {vg.n_w: 1, vg.m_w: 1}
    lhs = vg.LAYER_SQ.xreplace(one).doit().xreplace({vg.ZZ[1]: 0, vg.WM[1, 1]: 1})
    assert lhs.doit() == Rational(1, 16)


def test_vanishing_limit_is_not_one(rejected: Callable[..., None]) -> None:
    rejected(vg.VANISHING_GRADIENT, "vanishes", Eq(Limit(vg.GAIN_DOWN, vg.L, oo), 1))


def test_vanishing_spectral_bound_too_tight(rejected: Callable[..., None]) -> None:
    # ||D u||_2 <= ||u||_2/8 is false: one unit at z = 0 has sigma' = 1/4
    rejected(vg.VANISHING_GRADIENT, "spectral bound", Le(vg.SPEC_SQ, vg.U_SQ / 64))


def test_vanishing_spectral_induction_wrong_factor(rejected: Callable[..., None]) -> None:
    # one more layer multiplies the bound by ||W_{L+1}||_2/4, not by ||W_{L+1}||_2/2
    lhs, rhs = vg.SPECTRAL_STEP.relation.lhs, vg.SPECTRAL_STEP.relation.rhs
    rejected(vg.VANISHING_GRADIENT, "spectral induction", Eq(2 * lhs, rhs, evaluate=False))


def test_vanishing_spectral_levels_are_general() -> None:
    import derive

    levels = {o.label: o.level for o in derive.prove("vanishing-gradient").outcomes}
    assert levels["spectral bound"] == levels["spectral induction"] == "general"
