"""Targeted falsehoods for the Gaussian normaliser (map 3.2): s inside the root, the d-dimensional
log-normaliser (any covariance, any d) without the 1/2 on its log-determinant or on its log 2 pi, a wrong
step of that chain (the 1-D integrals without their 2 pi), the eigenbasis quadratic form with Sigma in
place of its inverse (any d), the determinant taken as the sum of the eigenvalues in the cross-check."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import sympy as sp
from sympy import Eq, log, pi, sqrt

from derive.authoring import CheckContext
from derive.core.facts import DETERMINANT_PRODUCT, FUBINI, LINEAR_CHANGE_OF_VARIABLES, SPECTRAL_THEOREM
from derive.core.proof import Proof
from derive.identities.probability import gaussian_normalizer as gn
from derive.verify.ladder import Ladder

PAGE = "gaussian-normalizer"


def test_normalizer_is_general_for_any_covariance_and_cites_its_facts(page_proof: Proof) -> None:
    assert page_proof.ok and page_proof.level == "general", page_proof
    levels = {o.label: o.level for o in page_proof.outcomes}
    assert levels == {"any d": "general", "1-D": "general", "quadratic form": "general"}, levels
    assert {f.name for f in page_proof.assumes} == {
        SPECTRAL_THEOREM.name,
        LINEAR_CHANGE_OF_VARIABLES.name,
        FUBINI.name,
        DETERMINANT_PRODUCT.name,
    }
    checks = {c.label: c for c in page_proof.numeric.statements}
    assert checks["any d"].ok and "explicit summation" in checks["any d"].method and "quad" in checks["any d"].method


def test_normalizer_s_inside_the_root(rejected: Callable[..., None]) -> None:
    one_d = next(st.relation for st in gn.GAUSSIAN_NORMALIZER.statements if st.label == "1-D")
    assert one_d is not None
    rejected(gn.GAUSSIAN_NORMALIZER, "1-D", Eq(one_d.lhs, sqrt(2 * pi * gn.s)))


def test_normalizer_any_d_with_the_whole_log_det(refused: Callable[..., None], page_proof: Proof) -> None:
    """(2 pi)^(d/2) |Sigma| instead of |Sigma|^(1/2): the log-determinant without its 1/2."""
    wrong = gn.dim * log(2 * pi) / 2 + log(gn.DET_D)
    refused(page_proof, "any d", Eq(gn.LOG_NORMALIZER_D, wrong, evaluate=False))


def test_normalizer_any_d_with_2pi_to_the_d(refused: Callable[..., None], page_proof: Proof) -> None:
    """(2 pi)^d |Sigma|^(1/2): one factor 2 pi per coordinate instead of its square root."""
    wrong = gn.dim * log(2 * pi) + log(gn.DET_D) / 2
    refused(page_proof, "any d", Eq(gn.LOG_NORMALIZER_D, wrong, evaluate=False))


def test_normalizer_any_d_whole_proof_refuses_the_missing_half(rejected: Callable[..., None]) -> None:
    wrong = gn.dim * log(2 * pi) / 2 + log(gn.DET_D)
    rejected(gn.GAUSSIAN_NORMALIZER, "any d", Eq(gn.LOG_NORMALIZER_D, wrong, evaluate=False))


def test_normalizer_any_d_wrong_step_is_refused_by_the_ladder() -> None:
    """A wrong link of the eigenbasis chain: the d factorised 1-D integrals as sum_k log sqrt(pi lambda_k)
    (the 2 in 2 lambda_k lost), and the eigen-coordinates integral as (2 pi)^(d/2) det Sigma."""
    ident = gn.GAUSSIAN_NORMALIZER
    ladder = Ladder(domains=ident.domains, unfold=ident.unfold, seed=1)
    no_two = sp.Sum(log(sqrt(pi * gn.lamI[gn.ci])), (gn.ci, 1, gn.dim))
    assert not ladder.equal(gn.LOG_FACTORS, no_two).ok
    assert not ladder.equal(gn.LOG_EIGEN_D, gn.dim * log(2 * pi) / 2 + log(gn.DET_D)).ok
    assert ladder.equal(gn.LOG_EIGEN_D, gn.dim * log(2 * pi) / 2 + log(gn.DET_D) / 2).ok  # the right link passes


def test_normalizer_quadratic_form_without_the_eigenvalues(rejected: Callable[..., None]) -> None:
    """x^T Sigma^-1 x as sum_k u_k^2 lambda_k (Sigma, not its inverse), for any d."""
    gn_ = gn.GAUSSIAN_NORMALIZER
    wrong = sp.Sum(
        sp.Sum(gn.UI[gn.ea, gn.ek] * gn.xI[gn.ea], (gn.ea, 1, gn.dim)) ** 2 * gn.lamI[gn.ek], (gn.ek, 1, gn.dim)
    )
    rejected(gn_, "quadratic form", Eq(gn.QUAD_D, wrong, evaluate=False))


def test_normalizer_crosscheck_refuses_det_as_the_sum_of_eigenvalues(
    context: Callable[..., CheckContext], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The cross-check compares prod_k lambda_k with numpy's LU determinant at d = 1, 3, 7: a determinant
    taken as sum_k lambda_k (the trace) fails it, the product passes."""
    assert gn._eigen_quadratic(context(gn.GAUSSIAN_NORMALIZER)).ok
    monkeypatch.setattr(gn, "DET_D", sp.Sum(gn.lamI[gn.ci], (gn.ci, 1, gn.dim)))
    assert not gn._eigen_quadratic(context(gn.GAUSSIAN_NORMALIZER)).ok
