"""Targeted falsehoods for the KL divergence between Gaussians (map 4): the log ratio inverted, the
variance ratio swapped, the multivariate form (any d) without -d or with the determinants swapped; for
full covariances in any d, the quadratic identity with tr(S1) for tr(A S1) or the mean term's sign
flipped, a moment step without its mean term, tr(S1^-1 S1) = d without the cited inverse, and the full
KL without -d or with the mean term's sign flipped; the cross-check catches a wrong formula."""

from __future__ import annotations

from collections.abc import Callable

import sympy as sp
from sympy import Eq, Rational, log

from derive.core.proof import Proof
from derive.identities.information import kl_gaussians as kg
from derive.numeric.sampling import generator
from derive.verify.ladder import Ladder

PAGE = "kl-gaussians"
QUADRATIC, FULL = "quadratic (any d)", "full covariance (any d)"


def test_kl_gaussians_log_ratio_inverted(rejected: Callable[..., None]) -> None:
    wrong = log(kg.s1 / kg.s2) + (kg.s1**2 + (kg.m1 - kg.m2) ** 2) / (2 * kg.s2**2) - Rational(1, 2)
    rejected(kg.KL_GAUSSIANS, "1-D", Eq(kg.KL_GAUSS_DEF, wrong))


def test_kl_gaussians_variance_ratio_swapped(rejected: Callable[..., None]) -> None:
    wrong = log(kg.s2 / kg.s1) + (kg.s2**2 + (kg.m1 - kg.m2) ** 2) / (2 * kg.s1**2) - Rational(1, 2)
    rejected(kg.KL_GAUSSIANS, "1-D", Eq(kg.KL_GAUSS_DEF, wrong))


def test_kl_gaussians_multivariate_without_minus_d(rejected: Callable[..., None]) -> None:
    rejected(kg.KL_GAUSSIANS, "diagonal (any d)", Eq(kg.KL_DIAG, kg.KL_MATRIX + kg.dim / 2, evaluate=False))


def test_kl_gaussians_multivariate_with_the_determinants_swapped(rejected: Callable[..., None]) -> None:
    wrong = (kg.TRACE + kg.QUAD_FORM - kg.dim + log(kg.DET1 / kg.DET2)) / 2
    rejected(kg.KL_GAUSSIANS, "diagonal (any d)", Eq(kg.KL_DIAG, wrong, evaluate=False))


# ------------------------------------------------------------------------------ full covariances, any d
def test_the_full_covariance_statements_are_general_and_checked_independently(page_proof: Proof) -> None:
    assert page_proof.ok and page_proof.level == "general"
    levels = {o.label: o.level for o in page_proof.outcomes}
    assert levels[QUADRATIC] == levels[FULL] == "general"
    checks = {c.label: c for c in page_proof.numeric.statements}
    assert checks[QUADRATIC].ok and "Derivative: mpmath.diff" in checks[QUADRATIC].method
    assert checks[FULL].ok and "Sum: explicit summation" in checks[FULL].method
    assumed = {f.name for c in page_proof.chains if c.statement in (QUADRATIC, FULL) for f in c.assumes}
    assert {kg.GAUSSIAN_MGF.name, kg.SYMMETRIC.name, kg.INVERSE.name} <= assumed


def test_the_quadratic_identity_with_tr_s1_for_tr_a_s1_is_refused(
    page_proof: Proof, refused: Callable[..., None]
) -> None:
    trace_s1 = sp.Sum(kg.S1I[kg.cr, kg.cr], (kg.cr, 1, kg.dim))
    refused(page_proof, QUADRATIC, Eq(kg.QUAD_A, trace_s1 + kg.MEAN_A, evaluate=False))


def test_the_quadratic_identity_with_the_mean_term_flipped_is_refused(
    page_proof: Proof, refused: Callable[..., None]
) -> None:
    refused(page_proof, QUADRATIC, Eq(kg.QUAD_A, kg.TRACE_A - kg.MEAN_A, evaluate=False))


def test_a_moment_step_without_its_mean_term_is_refused_by_the_ladder() -> None:
    ladder = Ladder(domains=kg.KL_GAUSSIANS.domains, seed=1)
    assert ladder.equal(kg.QUAD_A, kg.TRACE_A).ok is not True  # E[y_r y_c] = Sigma_rc alone
    assert ladder.equal(kg.QUAD_A, kg._differentiate(kg.QUAD_A)).ok is True


def test_the_trace_of_the_inverse_times_the_matrix_is_d_only_by_the_cited_inverse() -> None:
    trace = kg._double(kg.S1INV[kg.cr, kg.cc] * kg.S1I[kg.cc, kg.cr])
    assert kg._constant_sums(kg.INVERSE_S1.rewrite(trace)) == kg.dim
    ladder = Ladder(domains=kg.KL_GAUSSIANS.domains, seed=1)
    assert ladder.equal(trace, kg.dim).ok is not True  # two unrelated matrices: no identity


def test_the_full_kl_without_minus_d_is_refused(page_proof: Proof, refused: Callable[..., None]) -> None:
    refused(page_proof, FULL, Eq(kg.KL_FULL, kg.KL_FULL_RHS + kg.dim / 2, evaluate=False))


def test_the_full_kl_with_the_mean_term_flipped_is_refused(page_proof: Proof, refused: Callable[..., None]) -> None:
    wrong = (kg.TRACE_FULL - kg.MEAN_FULL - kg.dim + log(kg.det2 / kg.det1)) / 2
    refused(page_proof, FULL, Eq(kg.KL_FULL, wrong, evaluate=False))


# ------------------------------------------------------------------------------ the cross-check
def test_kl_gaussians_crosscheck_catches_wrong_formula() -> None:
    wrong = log(kg.s1 / kg.s2) + (kg.s1**2 + (kg.m1 - kg.m2) ** 2) / (2 * kg.s2**2) - Rational(1, 2)
    any_d = {"KL any d": kg.KL_DIAG, "KL full any d": kg.KL_FULL_RHS}
    ctx = kg.KL_GAUSSIANS.check_context(generator(7), 7, wrong, any_d)
    assert not kg.crosscheck(ctx).ok
    right = kg.KL_GAUSSIANS.check_context(generator(7), 7, kg.KL_GAUSS, any_d)
    assert kg.crosscheck(right).ok
    one_minus_one_too_many = {**any_d, "KL any d": kg.KL_DIAG - sp.Rational(1, 2)}
    assert not kg.crosscheck(kg.KL_GAUSSIANS.check_context(generator(7), 7, kg.KL_GAUSS, one_minus_one_too_many)).ok


def test_the_crosscheck_catches_a_wrong_full_covariance_form() -> None:
    """Without -d, or with tr(S2^-1 S1) as tr(S1) (S2^-1 replaced by the identity in the trace only)."""
    wrong_trace = (
        kg.KL_FULL_RHS - kg.TRACE_FULL / 2 + kg._double(kg.S1I[kg.cr, kg.cc] * sp.KroneckerDelta(kg.cr, kg.cc)) / 2
    )
    for wrong in (kg.KL_FULL_RHS + kg.dim / 2, wrong_trace):
        values = {"KL any d": kg.KL_DIAG, "KL full any d": wrong}
        assert not kg.crosscheck(kg.KL_GAUSSIANS.check_context(generator(7), 7, kg.KL_GAUSS, values)).ok
