"""Targeted falsehoods for 1.1 (matrix multiplication) and 1.2 (eigendecomposition).

Each test states a mistake a student or a careless derivation makes (a transposed matrix, a missing
1/sqrt(d), a sign error in a quadratic form, a forgotten learning rate...) and checks that the
engine rejects it, naming the statement; a few check that the independent cross-check catches a
wrong derived formula on its own.
"""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp
from sympy import Eq, Ge, Le, cos, exp

import derive
from derive.core.near_misses import perturbed
from derive.core.proof import prove_identity as prove
from derive.identities import eigen as ei
from derive.identities import matmul as mm
from derive.maths.notation import notation
from derive.numeric.sampling import generator


def _rejected(name: str, label: str, wrong: sp.Basic) -> None:
    p = prove(perturbed(derive.get(name), label, wrong))
    assert not p.ok, f"{name}: the wrong {label!r} was accepted"
    assert p.failure is not None and label in p.failure, p.failure


def _lhs(name: str, label: str) -> sp.Basic:
    st = next(s for s in derive.get(name).statements if s.label == label)
    return st.relation.lhs


# ------------------------------------------------------------------------------ 1.1 dense layer
def test_dense_dw_transposed_is_rejected() -> None:
    wrong = mm.xI[mm.iD] * mm.deltaI[mm.jD]  # (x delta^T)_ij, the shape of W^T
    _rejected("dense-backprop", "dL/dW", Eq(_lhs("dense-backprop", "dL/dW"), wrong, evaluate=False))


def test_dense_dx_without_transpose_is_rejected() -> None:
    wrong = sp.Sum(mm.WI[mm.jD, mm.kD] * mm.deltaI[mm.kD], (mm.kD, 1, mm.mD))  # (W delta)_j
    _rejected("dense-backprop", "dL/dx", Eq(_lhs("dense-backprop", "dL/dx"), wrong, evaluate=False))


def test_dense_db_with_input_is_rejected() -> None:
    wrong = mm.deltaI[mm.iD] * mm.xI[mm.iD]
    _rejected("dense-backprop", "dL/db", Eq(_lhs("dense-backprop", "dL/db"), wrong, evaluate=False))


def test_dense_crosscheck_catches_transposed_result() -> None:
    ident = derive.get("dense-backprop")
    ctx = ident.check_context(generator(1, salt="t"), 1, result=mm.xI[mm.iD] * mm.deltaI[mm.jD])
    assert not ident.crosscheck(ctx).ok


# ------------------------------------------------------------------------------ 1.1 attention
def test_attention_dq_without_scaling_is_rejected() -> None:
    _rejected("attention-backprop", "dQ", Eq(_lhs("attention-backprop", "dQ"), mm.dSm * mm.Km, evaluate=False))


def test_attention_dk_without_transpose_is_rejected() -> None:
    _rejected(
        "attention-backprop", "dK", Eq(_lhs("attention-backprop", "dK"), mm.dSm * mm.Qm / sp.sqrt(2), evaluate=False)
    )


def test_attention_ds_without_row_term_is_rejected() -> None:
    # forgetting D: A * dA instead of A * (dA - D 1^T)
    wrong = notation("A * dA", mm.SOFT.multiply_elementwise(mm.dO * mm.Vm.T), "A*dA")
    _rejected("attention-backprop", "dS", Eq(_lhs("attention-backprop", "dS"), wrong, evaluate=False))


def test_attention_dv_untransposed_is_rejected() -> None:
    _rejected("attention-backprop", "dV", Eq(_lhs("attention-backprop", "dV"), mm.Am * mm.dO, evaluate=False))


def test_attention_crosscheck_catches_wrong_ds() -> None:
    ident = derive.get("attention-backprop")
    wrong = {"dS": mm.SOFT.multiply_elementwise(mm.dO * mm.Vm.T)}
    ctx = ident.check_context(generator(1, salt="t"), 1, result=None, values=wrong)
    assert not ident.crosscheck(ctx).ok


def test_attention_unscaled_logits_are_rejected() -> None:
    _rejected(
        "attention-scaling", "unit logits", Eq(_lhs("attention-scaling", "unit logits"), sp.sqrt(mm.dk), evaluate=False)
    )


def test_attention_variance_with_std_is_rejected() -> None:
    wrong = sp.sqrt(mm.dk) * (mm.sigma_q**2 * mm.sigma_k**2 + mm.sigma_q**2 * mm.mu_k**2 + mm.mu_q**2 * mm.sigma_k**2)
    _rejected("attention-scaling", "variance", Eq(_lhs("attention-scaling", "variance"), wrong))


def test_attention_cost_of_one_product_is_rejected() -> None:
    _rejected("attention-scaling", "cost", Eq(_lhs("attention-scaling", "cost"), mm.nA**2 * mm.dk, evaluate=False))


# ------------------------------------------------------------------------------ 1.1 GCN
def test_gcn_inverse_sqrt_eigenvector_is_rejected() -> None:
    wrong = sp.Matrix([1 / sp.sqrt(dg) for dg in mm.DEGREES])
    _rejected("gcn-propagation", "eigenvector", Eq(_lhs("gcn-propagation", "eigenvector"), wrong, evaluate=False))


def test_gcn_too_strong_lower_bound_is_rejected() -> None:
    _rejected("gcn-propagation", "lambda > -1", Ge(_lhs("gcn-propagation", "lambda > -1"), 3 * mm.NORM_SQ))


def test_gcn_message_passing_with_transposed_weights_is_rejected() -> None:
    wrong = notation(
        "wrong",
        sp.Matrix.vstack(*(sum((mm.Pm[j, i] * mm.HW.row(j) for j in range(3)), sp.zeros(1, 2)) for i in range(3))),
    )
    _rejected(
        "gcn-propagation", "message passing", Eq(_lhs("gcn-propagation", "message passing"), wrong, evaluate=False)
    )


# ------------------------------------------------------------------------------ 1.2 Laplacian
def test_laplacian_sign_error_is_rejected() -> None:
    wrong = sp.Add(*(ei.AW[(i, j)] * (ei.x4[i] + ei.x4[j]) ** 2 for i, j in ei.PAIRS))
    _rejected(
        "laplacian-spectrum", "quadratic form", Eq(_lhs("laplacian-spectrum", "quadratic form"), wrong, evaluate=False)
    )


def test_laplacian_double_count_is_rejected() -> None:
    _rejected(
        "laplacian-spectrum",
        "quadratic form",
        Eq(_lhs("laplacian-spectrum", "quadratic form"), 2 * ei.EDGE_SUM, evaluate=False),
    )


def test_laplacian_filter_without_transpose_is_rejected() -> None:
    # U g(Lambda) U x instead of U g(Lambda) U^T x (U is not symmetric)
    g = ei.U_K3.T * ei._eigen_filter(ei.U_K3, ei.LAM_K3) * ei.U_K3  # g(Lambda)
    wrong = notation("wrong", ei.U_K3 * g * ei.U_K3 * ei.x3)
    _rejected(
        "laplacian-spectrum",
        "spectral filter",
        Eq(_lhs("laplacian-spectrum", "spectral filter"), wrong, evaluate=False),
    )


# ------------------------------------------------------------------------------ 1.2 RNN, PCA, SAM
def test_rnn_step_off_by_one_power_is_rejected() -> None:
    wrong = notation("wrong", ei._power(ei.tt))
    _rejected("rnn-spectral-radius", "step", Eq(_lhs("rnn-spectral-radius", "step"), wrong, evaluate=False))


def test_rnn_decay_to_one_is_rejected() -> None:
    _rejected("rnn-spectral-radius", "decay", Eq(_lhs("rnn-spectral-radius", "decay"), 1))


def test_rnn_crosscheck_catches_lambda_power_only() -> None:
    ident = derive.get("rnn-spectral-radius")
    ctx = ident.check_context(generator(1, salt="t"), 1, values={"power": sp.diag(ei.l_1**ei.tt, ei.l_2**ei.tt)})
    assert not ident.crosscheck(ctx).ok


def test_pca_bound_by_smaller_eigenvalue_is_rejected() -> None:
    _rejected("pca-top-eigenvector", "maximum", Le(_lhs("pca-top-eigenvector", "maximum"), ei.lam1 - ei.gap))


def test_pca_stationarity_sign_is_rejected() -> None:
    wrong = notation("wrong", 2 * (ei.S3 * ei.v3 + ei.lagrange * ei.v3))
    _rejected(
        "pca-top-eigenvector", "stationarity", Eq(_lhs("pca-top-eigenvector", "stationarity"), wrong, evaluate=False)
    )


def test_sam_unnormalised_step_is_rejected() -> None:
    wrong = ei.rho_s * ei.GN_NORM**2  # e = rho g: the value of an unnormalised step
    _rejected("sam-sharpness", "maximiser", Eq(_lhs("sam-sharpness", "maximiser"), wrong, evaluate=False))


def test_sam_halved_bound_is_rejected() -> None:
    _rejected("sam-sharpness", "first-order max", Le(_lhs("sam-sharpness", "first-order max"), ei.rho_s * ei.gnorm / 2))


def test_sam_crosscheck_power_iteration_matches_eigvalsh() -> None:
    h = np.diag([3.0, -5.0, 1.0])
    assert abs(ei._power_iteration(h, np.ones(3)) - 3.0) < 1e-8


# ------------------------------------------------------------------------------ 1.2 ChebNet, NTK
def test_chebnet_wrong_sign_step_is_rejected() -> None:
    t, k = ei.t_angle, ei.kC
    _rejected("chebnet-recursion", "step", Eq(2 * cos(t) * cos((k - 1) * t) + cos((k - 2) * t), cos(k * t)))


def test_chebnet_recursion_polynomials() -> None:
    x = ei.xC
    assert ei.chebyshev(4, x)[3] == 4 * x**3 - 3 * x
    assert ei.chebyshev(4, x)[4] == 8 * x**4 - 8 * x**2 + 1


def test_ntk_mode_without_learning_rate_is_rejected() -> None:
    wrong = exp(-ei.mu1 * ei.time_t) * (ei.U_NTK[:, 0].T * ei.r0)[0, 0]
    _rejected("ntk-linear-dynamics", "mode 1", Eq(_lhs("ntk-linear-dynamics", "mode 1"), wrong, evaluate=False))


def test_ntk_gradient_ascent_is_rejected() -> None:
    wrong = notation("wrong", ei.eta * ei.THETA_K * ei.RESIDUAL)
    _rejected(
        "ntk-linear-dynamics", "gradient flow", Eq(_lhs("ntk-linear-dynamics", "gradient flow"), wrong, evaluate=False)
    )


@pytest.mark.parametrize(
    "name",
    [
        "dense-backprop",
        "attention-scaling",
        "attention-backprop",
        "gcn-propagation",
        "rnn-spectral-radius",
        "pca-top-eigenvector",
        "laplacian-spectrum",
        "chebnet-recursion",
        "sam-sharpness",
        "ntk-linear-dynamics",
    ],
)
def test_levels_say_which_part_is_numeric(name: str) -> None:
    p = derive.prove(name)
    assert p.ok, p.failure
    numeric_parts = {o.label for o in p.outcomes if o.level == "numeric"}
    declared = {s.label for s in p.identity.statements if s.relation is None}
    assert numeric_parts == declared  # only the parts declared numerically(...) are numeric
    assert p.level == "numeric" if declared else p.level in ("general", "fixed-size")
