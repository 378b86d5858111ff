"""Targeted near misses for 2.3 gradient flow and 2.4 second-order methods.

Each test replaces one statement by the mistake a student or a careless derivation makes (a missing
:math:`\\sigma'` factor, a slope bound of 1/8, the Gauss-Newton matrix called the Hessian, the
Kronecker factors of an inverse swapped, the Newton step with the wrong sign...) and asserts that
``prove`` rejects it and names the statement. The cross-check tests feed a wrong formula to a
numeric check and assert that it fails.
"""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp
from sympy import Derivative, Eq, KroneckerDelta, Le, Limit, Rational, kronecker_product, oo

import derive.identities.gradient_flow as gf
import derive.identities.second_order as so
from derive.core.identity import Identity
from derive.core.near_misses import perturbed
from derive.core.proof import prove_identity as prove
from derive.maths.matrices import frobenius_sq, hessian_form, vec
from derive.maths.notation import notation
from derive.maths.special import sigmoid
from derive.numeric.crosscheck import CheckContext
from derive.numeric.sampling import generator
from derive.verify.ladder import Ladder


def rejects(ident: Identity, label: str, wrong: sp.Basic) -> None:
    p = prove(perturbed(ident, label, wrong))
    assert not p.ok, f"{ident.name}: the wrong {label!r} was accepted"
    assert p.failure and label in p.failure, p.failure


# ----------------------------------------------------------------------------- vanishing gradient
def test_vanishing_missing_slope_factor() -> None:
    top = gf.SLOPE(gf.PREACT[-1](gf.a0))
    rejects(gf.vanishing_gradient, "chain rule", Eq(Derivative(gf.ACT[-1](gf.a0), gf.a0), gf.PRODUCT / top))


def test_vanishing_missing_weight() -> None:
    rejects(gf.vanishing_gradient, "chain rule", Eq(Derivative(gf.ACT[-1](gf.a0), gf.a0), gf.PRODUCT / gf.W[0]))


@pytest.mark.parametrize("bound", [Rational(1, 8), Rational(1, 2)])
def test_vanishing_wrong_slope_bound(bound: sp.Rational) -> None:
    # 1/8 is false (sigma'(0) = 1/4); 1/2 is not the bound the derivation establishes (sup sigma' = 1/4)
    rejects(gf.vanishing_gradient, "sigma' <= 1/4", Le(Derivative(sigmoid(gf.x), gf.x), bound))


def test_vanishing_bound_with_one_half_per_layer_is_not_derived() -> None:
    wrong = Le(sp.Abs(gf.PRODUCT_Z), sp.Mul(*[sp.Abs(w) for w in gf.W]) / 2**gf.DEPTH)
    rejects(gf.vanishing_gradient, "bound", wrong)


def test_vanishing_matrix_bound_too_tight() -> None:
    # sigma' <= 1/8 per unit would give 1/64^2: false (sigma'(0) = 1/4 and the Frobenius bound is attained)
    wrong = Le(gf.FROB_J, frobenius_sq(gf.MU) * frobenius_sq(gf.MV) / 8**4)
    rejects(gf.vanishing_gradient, "matrix bound", wrong)
    # and it is false: at z = 0 with U = V = e_1 e_1^T the left side is 1/256, the claimed bound 1/4096
    point = {e: 0 for e in [*gf.MU, *gf.MV, *gf.MZ1, *gf.MZ2]}
    point[gf.MU[0, 0]] = point[gf.MV[0, 0]] = 1
    assert (wrong.lhs.doit().subs(point) - wrong.rhs.subs(point)) == Rational(1, 256) - Rational(1, 4096)


def test_vanishing_limit_is_not_one() -> None:
    rejects(gf.vanishing_gradient, "vanishes", Eq(Limit(gf.GAIN_DOWN, gf.L, oo), 1))


# ----------------------------------------------------------------------------- residual, LSTM, clipping
def test_residual_without_identity_path() -> None:
    jac_f = gf.BLOCK_J - sp.eye(2)
    rejects(gf.residual_gradient, "block", Eq(gf.jacobian_form(gf.X + gf.FX, list(gf.X)), jac_f))


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


def test_residual_expansion_order_matters() -> None:
    j1, j2, j3 = gf.JS
    commuted = gf.EXPANSION - j2 * j1 + j1 * j2  # as if the block Jacobians commuted
    rejects(gf.residual_gradient, "expansion", Eq((1 + j3) * (1 + j2) * (1 + j1), commuted))
    rng = np.random.default_rng(3)
    mats = {j: rng.normal(size=(3, 3)) for j in gf.JS}
    product = (np.eye(3) + mats[j3]) @ (np.eye(3) + mats[j2]) @ (np.eye(3) + mats[j1])
    assert np.allclose(_matrix_value(gf.EXPANSION, mats), product)
    assert not np.allclose(_matrix_value(commuted, mats), product)


def test_lstm_without_forget_gate() -> None:
    rejects(gf.lstm_cell_gradient, "direct path", Eq(Derivative(gf.CELL, gf.cp[gf.j]), KroneckerDelta(gf.j, gf.k)))


def test_lstm_one_more_step_drops_the_new_gate() -> None:
    """Forgetting f_{T+1}: the induction step would claim the error passes a new step undamped."""
    rel = next(s.relation for s in gf.lstm_cell_gradient.statements if s.label == "one more step")
    rejects(gf.lstm_cell_gradient, "one more step", Eq(rel.lhs, Derivative(gf.C_BELOW(gf.c0), gf.c0)))


def test_clipping_does_not_keep_the_norm() -> None:
    clipped = gf.clipped_norm(gf.C_TIGHT)
    rejects(gf.gradient_clipping, "clipped norm", Eq(clipped, gf.NORM_G))


def test_clipping_below_the_threshold_does_not_rescale_to_c() -> None:
    """||g'|| = c holds only above the threshold: for c = (1 + u)||g||, any dimension, g' = g."""
    rejects(gf.gradient_clipping, "unclipped norm", Eq(gf.clipped_norm(gf.C_LOOSE), gf.C_LOOSE))


def test_clipping_direction_is_not_reversed() -> None:
    rel = gf.gradient_clipping.statements[3].relation
    rejects(gf.gradient_clipping, "direction", Eq(rel.lhs, -1))


# ----------------------------------------------------------------------------- Newton, Gauss-Newton
def test_newton_wrong_sign() -> None:
    rejects(so.newton_step, "minimiser", Eq(so.DV, -so.NEWTON_DIRECTION))


def test_newton_gradient_step_is_not_the_minimiser() -> None:
    rejects(so.newton_step, "minimiser", Eq(so.DV, -so.GV))


def test_newton_one_step_does_not_land_on_b() -> None:
    rejects(so.newton_step, "one step", Eq(so.STEP_FORM, so.BV, evaluate=False))


def test_gauss_newton_matrix_is_not_the_hessian() -> None:
    gn = notation(r"J^\top J", so.GN, "J^T J")
    rejects(so.gauss_newton, "Hessian", Eq(so.HESS_L, gn, evaluate=False))


def test_gauss_newton_not_exact_for_nonlinear_residuals() -> None:
    # r_i = (A theta - y)_i^2 is nonlinear: the ladder must refute "Hessian = J^T J" with a counterexample
    theta = sp.Matrix(so.THETA)
    residual = (so.AM * theta - so.BR).applyfunc(lambda e: e**2)
    jac = residual.jacobian(theta)
    loss = Rational(1, 2) * sum(r**2 for r in residual)
    ident = so.gauss_newton
    ladder = Ladder(domains=ident.domains, unfold=ident.unfold, seed=1, salt="gn")
    v = ladder.equal(hessian_form(loss, so.THETA).doit(), jac.T * jac)
    assert v.ok is False and v.counterexample, v
    # ... while the full Hessian J^T J + sum_i r_i hess r_i is proved
    second = sum((r * sp.hessian(r, so.THETA) for r in residual), sp.zeros(2, 2))
    assert ladder.equal(hessian_form(loss, so.THETA).doit(), jac.T * jac + second).ok is True


def test_gauss_newton_linear_case_factor_two() -> None:
    rejects(so.gauss_newton, "linear", Eq(so.HESS_LINEAR, 2 * so.AM.T * so.AM, evaluate=False))


def test_gauss_newton_gradient_factor_two() -> None:
    rejects(so.gauss_newton, "gradient", Eq(so.GRAD_L, 2 * so.JAC.T * so.RES, evaluate=False))


# ----------------------------------------------------------------------------- K-FAC, Fisher
def test_kfac_inverse_factors_swapped() -> None:
    swapped = notation(r"B^{-1} \otimes A^{-1}", kronecker_product(so.KB.inv(), so.KA.inv()), "B^-1 kron A^-1")
    rejects(so.kfac_kronecker, "inverse", Eq(so.KRON_INV, swapped, evaluate=False))


def test_kfac_vec_order_swapped() -> None:
    rejects(so.kfac_kronecker, "vec", Eq(so.VEC_G, kronecker_product(so.DL, so.AV), evaluate=False))


def test_kfac_mat_vec_with_a_and_b_exchanged() -> None:
    wrong = notation(r"\operatorname{vec}(A X B^\top)", vec(so.KA * so.KX * so.KB.T), "vec(A X B^T)")
    rejects(so.kfac_kronecker, "mat-vec", Eq(so.KRON_VEC, wrong, evaluate=False))


def test_kfac_factor_order_in_the_expectation() -> None:
    wrong = notation(r"E[\delta\delta^\top] \otimes E[aa^\top]", kronecker_product(so.ED, so.EA), "swapped")
    rejects(so.kfac_kronecker, "independence", Eq(so.FISHER_BLOCK, wrong, evaluate=False))


def test_fisher_without_outer_product() -> None:
    diag_only = so.PROB(so.i_f) * KroneckerDelta(so.i_f, so.j_f)
    rejects(so.fisher_hessian, "Fisher", Eq(so.FISHER_SUM, diag_only, evaluate=False))


def test_expected_hessian_sign() -> None:
    rejects(so.fisher_hessian, "expected Hessian", Eq(so.NEG_HESS_SUM, -so.FISHER, evaluate=False))


# ----------------------------------------------------------------------------- cross-checks catch wrong formulas
def _ctx(ident: Identity, result: sp.Basic) -> CheckContext:
    return ident.check_context(generator(7, salt=ident.name), 7, result, {})


def test_crosschecks_pass_on_the_identities() -> None:
    for ident in (
        gf.vanishing_gradient,
        gf.residual_gradient,
        gf.lstm_cell_gradient,
        gf.gradient_clipping,
        so.newton_step,
        so.gauss_newton,
        so.kfac_kronecker,
        so.fisher_hessian,
    ):
        r = ident.crosscheck(_ctx(ident, ident.claim.rhs))
        assert r.ok, (ident.name, r)


def test_lstm_crosscheck_detects_a_missing_gate() -> None:
    # the same finite differences of the unrolled cell, compared with prod f_t over 99 steps
    ctx = _ctx(gf.lstm_cell_gradient, gf.lstm_cell_gradient.claim.rhs)
    f = ctx.rng.uniform(0.3, 0.7, (100, 4))
    c0 = ctx.rng.normal(size=4)
    c_plus, c_minus = c0 + 0.5, c0 - 0.5
    for t in range(100):
        c_plus, c_minus = f[t] * c_plus, f[t] * c_minus
    fd = c_plus - c_minus
    assert np.allclose(fd, np.prod(f, axis=0), rtol=1e-12)
    assert not ctx.compare("wrong", "fd", fd, np.prod(f[1:], axis=0), rtol=1e-6).ok
