"""Targeted falsehoods for the Gaussian normaliser (map 3.2): s inside the root, the determinant taken as the
trace, the d-dimensional log-normaliser without the 1/2 on its log-determinant (diagonal and any covariance), the
eigenbasis quadratic form with Sigma in place of its inverse, and a factor that is not the transpose of U; every
statement holds for every d."""

from __future__ import annotations

from collections.abc import Callable

import sympy as sp
from sympy import Eq, log, pi, sqrt

from derive.core.proof import Proof
from derive.identities.probability import gaussian_normalizer as gn
from derive.verify.ladder import Ladder

PAGE = "gaussian-normalizer"
Refused = Callable[[Proof, str, Eq], None]


def _ladder() -> Ladder:
    ident = gn.GAUSSIAN_NORMALIZER
    return Ladder(domains=ident.domains, unfold=ident.unfold, seed=1)


def test_normalizer_is_general(page_proof: Proof) -> None:
    assert page_proof.ok and page_proof.level == "general", {o.label: o.level for o in page_proof.outcomes}
    assert all(not c.scope for c in page_proof.chains)
    assumed = {f.name for f in page_proof.assumes}
    assert {"multiplicativity of the determinant", "change of variables by an orthogonal map"} <= assumed


def test_normalizer_s_inside_the_root(page_proof: Proof, refused: Refused) -> None:
    one_d = next(s.relation for s in gn.GAUSSIAN_NORMALIZER.statements if s.label == "1-D")
    assert one_d is not None
    refused(page_proof, "1-D", Eq(one_d.lhs, sqrt(2 * pi * gn.s)))


def test_normalizer_any_d_with_the_whole_log_det(page_proof: Proof, refused: Refused) -> None:
    """(2 pi)^(d/2) |Sigma| instead of |Sigma|^(1/2): the log-determinant without its 1/2."""
    wrong = gn.dim * log(2 * pi) / 2 + log(gn.DET_D)
    refused(page_proof, "diagonal (any d)", Eq(gn.LOG_NORMALIZER_D, wrong, evaluate=False))


def test_normalizer_quadratic_form_without_the_eigenvalues(page_proof: Proof, refused: Refused) -> None:
    """x^T Sigma^-1 x as sum_k u_k^2 lambda_k (Sigma, not its inverse), for any d."""
    wrong = sp.Sum(
        sp.Sum(gn.UI[gn.ea, gn.ek] * gn.xI[gn.ea], (gn.ea, 1, gn.dim)) ** 2 * gn.lamI[gn.ek], (gn.ek, 1, gn.dim)
    )
    refused(page_proof, "quadratic form", Eq(gn.QUAD_D, wrong, evaluate=False))


def test_normalizer_det_is_not_the_trace(page_proof: Proof) -> None:
    """det Sigma = prod_k lambda_k, not sum_k lambda_k: the chain's end differs from the trace at sampled d."""
    chain = next(c for c in page_proof.chains if c.statement == "det")
    trace = sp.Sum(gn.lamI[gn.ci], (gn.ci, 1, gn.dim))
    assert _ladder().equal(chain.steps[-1].expr, trace).ok is False


def test_normalizer_any_covariance_with_the_whole_log_det(page_proof: Proof) -> None:
    """For any covariance the log-normaliser is d/2 log 2 pi + 1/2 log det Sigma: with log det Sigma whole, the
    chain from the determinant's side does not reach it."""
    chain = next(c for c in page_proof.chains if c.statement == "any covariance (any d)")
    after_det = chain.steps[2].expr  # d/2 log 2 pi + 1/2 log prod_k lambda_k
    wrong = gn.dim * log(2 * pi) / 2 + log(gn.DET_D)
    assert _ladder().equal(after_det, wrong).ok is False
    assert _ladder().equal(chain.steps[-1].expr, gn.LOG_NORMALIZER_FULL).symbolic


def test_eigen_determinant_needs_the_transpose() -> None:
    """The rule det U^T = 1/det U is orthogonality (U^T U = I): for U Lambda U (no transpose) det U^2 is left."""
    u, lam = gn.U_MAT, gn.L_MAT
    product = sp.Product(gn.lamI[gn.ci], (gn.ci, 1, gn.dim))
    assert gn.EIGEN_DET.rewrite(sp.Determinant(u * lam * u.T).doit()) == product
    assert gn.EIGEN_DET.rewrite(sp.Determinant(u * lam * u).doit()) != product
