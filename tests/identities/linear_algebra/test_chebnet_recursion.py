"""Targeted falsehoods for ChebNet's recursion (map 1.2), for any order and any number n of nodes: a sign error in
the induction step, a wrong base case, the filter's recursion with a sign error or without the factor 2; the
recursion gives the Chebyshev polynomials; the level and the cited spectral theorem."""

from __future__ import annotations

from collections.abc import Callable

import sympy as sp
from sympy import Eq, cos

from derive.core.facts import SPECTRAL_THEOREM
from derive.core.proof import Proof
from derive.identities.linear_algebra import chebnet_recursion as cheb

PAGE = "chebnet-recursion"
t, k, q = cheb.t, cheb.k, cheb.q


def test_chebnet_statements_are_general_and_cite_the_spectral_theorem(page_proof: Proof) -> None:
    assert page_proof.ok, page_proof.failure
    assert page_proof.level == "general"
    assert {o.label: o.level for o in page_proof.outcomes} == dict.fromkeys(("step", "base cases", "filter"), "general")
    assert [f.name for f in page_proof.assumes] == [SPECTRAL_THEOREM.name]


def test_chebnet_wrong_sign_step_is_refused(page_proof: Proof, refused: Callable[..., None]) -> None:
    refused(page_proof, "step", Eq(2 * cos(t) * cos((k - 1) * t) + cos((k - 2) * t), cos(k * t)))


def test_chebnet_wrong_base_case_is_refused(page_proof: Proof, refused: Callable[..., None]) -> None:
    refused(page_proof, "base cases", Eq(cheb.chebyshev(1, cos(t))[1], cos(2 * t)))


def _filter_lhs() -> sp.Basic:
    return next(s.relation.lhs for s in cheb.CHEBNET_RECURSION.statements if s.label == "filter")


def test_chebnet_filter_without_the_factor_two_is_refused(page_proof: Proof, refused: Callable[..., None]) -> None:
    phi, c = cheb.phiI[q], cheb.cI[q]
    wrong = (cos(phi) * cos((k - 1) * phi) - cos((k - 2) * phi)) * c  # x_k = L~ x_(k-1) - x_(k-2)
    refused(page_proof, "filter", Eq(_filter_lhs(), wrong, evaluate=False))


def test_chebnet_filter_with_a_plus_is_refused(page_proof: Proof, refused: Callable[..., None]) -> None:
    wrong = cos(k * cheb.phiI[q]) * cheb.cI[q] + 2 * cos((k - 2) * cheb.phiI[q]) * cheb.cI[q]  # x_k = 2 L~ x + x
    refused(page_proof, "filter", Eq(_filter_lhs(), wrong, evaluate=False))


def test_chebnet_recursion_polynomials() -> None:
    x = cheb.x
    assert cheb.chebyshev(4, x)[3] == 4 * x**3 - 3 * x
    assert cheb.chebyshev(4, x)[4] == 8 * x**4 - 8 * x**2 + 1
    # the recursion's polynomials agree with SymPy's Chebyshev polynomials of the first kind
    assert all(sp.expand(p - sp.chebyshevt(d, x)) == 0 for d, p in enumerate(cheb.chebyshev(8, x)))
