"""Targeted falsehoods for the nuclear norm (map 1.4), any m x n of any rank: the sum of squared singular values,
the Gram eigenvalues unsquared, the prox objective without its 1/2, von Neumann's bound without the penalty,
the threshold tau/2; the cross-check catches the Frobenius norm on its own.

The page is proved once (the ``page_proof`` fixture, for ``PAGE``); each falsehood is checked on the page's
own chains (the ``refused`` fixture of tests/identities/conftest.py)."""

from __future__ import annotations

from collections.abc import Callable

import sympy as sp
from sympy import Abs, Eq, Ge

from derive.core.proof import Proof
from derive.identities.linear_algebra import nuclear_norm as nn

PAGE = "nuclear-norm"
Refused = Callable[[Proof, str, sp.Basic], None]


def test_nuclear_norm_is_general(page_proof: Proof) -> None:
    assert page_proof.ok, page_proof.failure
    assert page_proof.level == "general"
    assert all(o.level == "general" for o in page_proof.outcomes)
    assert {"singular value decomposition", "von Neumann's trace inequality"} <= {f.name for f in page_proof.assumes}


def test_nuclear_norm_is_not_sum_of_squares(page_proof: Proof, refused: Refused) -> None:
    refused(page_proof, "trace of the root", Eq(nn.NUC, sp.Sum(nn.sigma[nn.c] ** 2, (nn.c, 1, nn.p)), evaluate=False))


def test_gram_eigenvalues_are_squares(page_proof: Proof, refused: Refused) -> None:
    refused(page_proof, "root", Eq(nn.GRAM_A, nn.sigma[nn.a] * nn.delta(nn.a, nn.b), evaluate=False))


def test_prox_objective_keeps_its_half(page_proof: Proof, refused: Refused) -> None:
    wrong = sp.Sum((nn.xI[nn.a] - nn.sigma[nn.a]) ** 2 + nn.tau * Abs(nn.xI[nn.a]), (nn.a, 1, nn.p))
    refused(page_proof, "separable", Eq(nn.PROX_OBJ, wrong, evaluate=False))


def test_von_neumann_bound_keeps_the_penalty(page_proof: Proof, refused: Refused) -> None:
    """Dropping tau ||X||_* is a weaker bound, but not the claimed one: the bound with 2 tau is false."""
    wrong = sp.Sum((nn.xiI[nn.a] - nn.sigma[nn.a]) ** 2 / 2 + 2 * nn.tau * nn.xiI[nn.a], (nn.a, 1, nn.p))
    refused(page_proof, "any X", Ge(nn.ANY_OBJ, wrong, evaluate=False))


def test_singular_value_threshold_is_tau(page_proof: Proof, refused: Refused) -> None:
    refused(page_proof, "prox", Eq(nn.SOFT_CASES, sp.Max(nn.sv - nn.tau / 2, 0)))


def test_nuclear_cross_check_catches_the_frobenius_norm(cross_fails: Callable[..., None]) -> None:
    cross_fails(nn.NUCLEAR_NORM, nn.crosscheck, sp.sqrt(sp.Sum(nn.sigma[nn.c] ** 2, (nn.c, 1, nn.p))))
