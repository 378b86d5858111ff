"""Targeted falsehoods for vanishing gradients (map 2.3): a missing sigma' factor or weight, a slope
bound of 1/8 or 1/2, a bound of 1/2 per layer, a matrix bound that is too tight, a limit of 1."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import sympy as sp
from sympy import Derivative, Eq, Le, Limit, Rational, oo

from derive.identities.calculus import vanishing_gradient as vg
from derive.maths.matrices import frobenius_sq
from derive.maths.special import sigmoid


def test_vanishing_missing_slope_factor(rejected: Callable[..., None]) -> None:
    top = vg.SLOPE(vg.PREACT[-1](vg.a0))
    rejected(vg.VANISHING_GRADIENT, "chain rule", Eq(Derivative(vg.ACT[-1](vg.a0), vg.a0), vg.PRODUCT / top))


def test_vanishing_missing_weight(rejected: Callable[..., None]) -> None:
    rejected(vg.VANISHING_GRADIENT, "chain rule", Eq(Derivative(vg.ACT[-1](vg.a0), vg.a0), vg.PRODUCT / vg.W[0]))


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
    assert p.ok and levels["base case"] == levels["one more layer"] == levels["bound"] == "general"
    assert any(c.title.startswith("Worked example: the bound at depth 4") for c in p.chains)


def test_vanishing_matrix_bound_too_tight(rejected: Callable[..., None]) -> None:
    # sigma' <= 1/8 per unit would give 1/64^2: false (sigma'(0) = 1/4 and the Frobenius bound is attained)
    wrong = Le(vg.FROB_J, frobenius_sq(vg.MU) * frobenius_sq(vg.MV) / 8**4)
    rejected(vg.VANISHING_GRADIENT, "matrix bound", wrong)
    # and it is false: at z = 0 with U = V = e_1 e_1^T the left side is 1/256, the claimed bound 1/4096
    point = {e: 0 for e in [*vg.MU, *vg.MV, *vg.MZ1, *vg.MZ2]}
    point[vg.MU[0, 0]] = point[vg.MV[0, 0]] = 1
    assert (wrong.lhs.doit().subs(point) - wrong.rhs.subs(point)) == Rational(1, 256) - Rational(1, 4096)


def test_vanishing_limit_is_not_one(rejected: Callable[..., None]) -> None:
    rejected(vg.VANISHING_GRADIENT, "vanishes", Eq(Limit(vg.GAIN_DOWN, vg.L, oo), 1))
