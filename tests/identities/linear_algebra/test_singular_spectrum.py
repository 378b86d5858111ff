"""Targeted falsehoods for the singular spectrum (map 1.3), any m x n of any rank: the Frobenius norm adding
singular values instead of their squares, the Gram eigenvalues unsquared, a stable rank bounded by one; the
cross-check catches the nuclear norm in place of the Frobenius norm.

The page is proved once (the ``page_proof`` fixture, for ``PAGE``); each falsehood is checked on the page's
own chains (the ``refused`` fixture of tests/identities/conftest.py)."""

from __future__ import annotations

from collections.abc import Callable

import sympy as sp
from sympy import Eq, Le

from derive.core.proof import Proof
from derive.identities.linear_algebra import singular_spectrum as ss

PAGE = "singular-spectrum"
Refused = Callable[[Proof, str, sp.Basic], None]


def test_singular_spectrum_is_general(page_proof: Proof) -> None:
    assert page_proof.ok, page_proof.failure
    assert page_proof.level == "general"
    assert {o.label: o.level for o in page_proof.outcomes} == dict.fromkeys(
        ("Frobenius", "eigenvalues", "stable rank"), "general"
    )


def test_frobenius_norm_adds_squares(page_proof: Proof, refused: Refused) -> None:
    refused(page_proof, "Frobenius", Eq(ss.FRO_W, sp.Sum(ss.sigma[ss.a], (ss.a, 1, ss.p)), evaluate=False))


def test_gram_eigenvalues_are_squares(page_proof: Proof, refused: Refused) -> None:
    refused(page_proof, "eigenvalues", Eq(ss.GRAM_W, ss.sigma[ss.a] * ss.delta(ss.a, ss.b), evaluate=False))


def test_stable_rank_is_not_at_most_one(page_proof: Proof, refused: Refused) -> None:
    refused(page_proof, "stable rank", Le(ss.STABLE, 1))


def test_spectrum_cross_check_catches_the_nuclear_norm(cross_fails: Callable[..., None]) -> None:
    cross_fails(ss.SINGULAR_SPECTRUM, ss.crosscheck, sp.Sum(ss.sigma[ss.a], (ss.a, 1, ss.p)))
