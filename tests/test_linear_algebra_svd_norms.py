"""Targeted falsehoods for the SVD (1.3) and norms (1.4) identities: the mistakes a student or a careless
derivation makes must be rejected, naming the statement, and the cross-checks must catch a wrong formula."""

from __future__ import annotations

import pytest
import sympy as sp
from sympy import Abs, Eq, Le, Limit, Max, sign

from derive.core.identity import Identity
from derive.core.near_misses import perturbed
from derive.core.proof import prove_identity as prove
from derive.identities import norms, svd
from derive.numeric.sampling import generator


def _rejected(ident: Identity, label: str, wrong: sp.Basic) -> None:
    p = prove(perturbed(ident, label, wrong))
    assert not p.ok, f"{ident.name}: a wrong {label!r} was accepted"
    assert p.failure and label in p.failure, p.failure


def _cross_fails(ident: Identity, check: object, wrong_result: sp.Basic) -> None:
    ctx = ident.check_context(generator(7, salt=ident.name), 7, wrong_result, {})
    r = check(ctx)  # type: ignore[operator]
    assert not r.ok, f"{ident.name}: the cross-check accepted a wrong formula ({r.detail})"


# ------------------------------------------------------------------------------------------ LoRA
def test_lora_gradient_for_b_is_not_bt_g() -> None:
    """B^T G is the gradient for A; as the gradient for B it has the wrong shape."""
    _rejected(svd.lora_low_rank, "dL/dB", Eq(svd.lora_low_rank.claim.lhs, svd.Bm.T * svd.Gm, evaluate=False))


def test_lora_gradient_for_a_is_not_transposed() -> None:
    """G^T B has the shape of A but is (B^T G)^T."""
    lhs = next(s.relation.lhs for s in svd.lora_low_rank.statements if s.label == "dL/dA")
    _rejected(svd.lora_low_rank, "dL/dA", Eq(lhs, svd.Gm.T * svd.Bm, evaluate=False))


def test_lora_parameter_count_is_not_dk() -> None:
    lhs = next(s.relation.lhs for s in svd.lora_low_rank.statements if s.label == "parameters")
    _rejected(svd.lora_low_rank, "parameters", Eq(lhs, svd.d_dim * svd.k_dim))


# ---------------------------------------------------------------------------------- Eckart-Young
def test_eckart_young_error_is_the_dropped_value() -> None:
    """Keeping sigma_1 and reporting sigma_1^2 as the error is the classic slip."""
    _rejected(svd.eckart_young, "Frobenius", Eq(svd.FRO_ERR, svd.SIG2[0] ** 2, evaluate=False))


def test_eckart_young_cross_check_catches_a_wrong_error() -> None:
    _cross_fails(svd.eckart_young, svd._ey_errors, svd.SIG2[1])


# --------------------------------------------------------------------------------- least squares
def test_normal_equation_is_not_inverted() -> None:
    aa, ab = (svd.a_ls.T * svd.a_ls)[0], (svd.a_ls.T * svd.b_ls)[0]
    _rejected(svd.pseudoinverse_least_squares, "normal equations", Eq(svd.x_ls, aa / ab))


def test_pseudoinverse_is_not_the_transpose() -> None:
    """A^+ A A^+ = A^T: confusing the pseudoinverse with the transpose."""
    _rejected(
        svd.pseudoinverse_least_squares,
        "A+ A A+ = A+",
        Eq(svd.PENROSE2, svd.A_SHOW.T, evaluate=False),
    )


# ------------------------------------------------------------------------------------------ ridge
def test_ridge_filter_sign_of_lambda() -> None:
    wrong = sp.Matrix(2, 2, lambda i, j: svd.SR[i] / (svd.SR[i] ** 2 - svd.lam) if i == j else 0)
    _rejected(svd.ridge_svd, "filter", Eq(svd.RIDGE, wrong, evaluate=False))


def test_ridge_limit_is_not_sigma() -> None:
    _rejected(svd.ridge_svd, "limit", Eq(Limit(svd.sig / (svd.sig**2 + svd.lam), svd.lam, 0, "+"), svd.sig))


def test_ridge_cross_check_catches_the_hat_matrix_factor() -> None:
    wrong = sp.Matrix(2, 2, lambda i, j: svd.SR[i] ** 2 / (svd.SR[i] ** 2 + svd.lam) if i == j else 0)
    _cross_fails(svd.ridge_svd, svd._ridge_check, wrong)


# ------------------------------------------------------------------------------ singular spectrum
def test_frobenius_norm_adds_squares() -> None:
    _rejected(svd.singular_spectrum, "Frobenius", Eq(svd.FRO_W, svd.SW[0] + svd.SW[1], evaluate=False))


def test_stable_rank_is_not_at_most_one() -> None:
    _rejected(svd.singular_spectrum, "stable rank", Le((svd.SW[0] ** 2 + svd.SW[1] ** 2) / svd.SW[0] ** 2, 1))


# ---------------------------------------------------------------------------------- randomised SVD
def test_projector_squared_is_not_twice_the_projector() -> None:
    _rejected(svd.randomized_svd, "projector", Eq(svd.PSQ, 2 * svd.P_R, evaluate=False))


# ---------------------------------------------------------------------------------- weight decay
def test_weight_decay_gradient_has_no_factor_two() -> None:
    _rejected(norms.weight_decay_l2, "gradient", Eq(norms.GRAD_J, 2 * norms.lam_wd * norms.th, evaluate=False))


def test_weight_decay_shrinks_not_grows() -> None:
    lhs = next(s.relation.lhs for s in norms.weight_decay_l2.statements if s.label == "step")
    wrong = (1 + norms.eta * norms.lam_wd) * norms.th - norms.eta * norms.g
    _rejected(norms.weight_decay_l2, "step", Eq(lhs, wrong))


# ---------------------------------------------------------------------------------- soft threshold
@pytest.mark.parametrize(
    "wrong",
    [
        sign(norms.z) * Max(Abs(norms.z) - norms.lam1 / 2, 0),  # threshold lambda/2
        norms.z * sp.Heaviside(Abs(norms.z) - norms.lam1),  # hard threshold
        norms.z - norms.lam1 * sign(norms.z),  # no clamp at zero
    ],
    ids=["half-threshold", "hard-threshold", "no-clamp"],
)
def test_soft_threshold_near_misses(wrong: sp.Expr) -> None:
    _rejected(norms.l1_soft_threshold, "soft threshold", Eq(norms.CASES, wrong))


def test_soft_threshold_cross_check_catches_a_wrong_threshold() -> None:
    _cross_fails(norms.l1_soft_threshold, norms._soft_check, sign(norms.z) * Max(Abs(norms.z) - 1.1 * norms.lam1, 0))


# ---------------------------------------------------------------------------------- spectral norm
def test_spectral_norm_attained_value_is_squared() -> None:
    _rejected(norms.spectral_norm, "attained", Eq(norms.WV1, norms.s1, evaluate=False))


def test_power_iteration_limit_is_sigma_squared() -> None:
    _rejected(norms.spectral_norm, "power iteration", Eq(Limit(norms.RAYLEIGH, norms.it, sp.oo), norms.s1))


def test_spectral_bound_with_sigma2_is_false() -> None:
    _rejected(
        norms.spectral_norm, "bound", Le(norms.WY, norms.s2**2 * (norms.YN[0] ** 2 + norms.YN[1] ** 2), evaluate=False)
    )


# ---------------------------------------------------------------------------------- nuclear norm
def test_nuclear_norm_is_not_sum_of_squares() -> None:
    _rejected(norms.nuclear_norm, "trace of the root", Eq(norms.NUC, norms.n1**2 + norms.n2**2, evaluate=False))


def test_nuclear_cross_check_catches_the_frobenius_norm() -> None:
    _cross_fails(norms.nuclear_norm, norms._nuclear_check, sp.sqrt(norms.n1**2 + norms.n2**2))
