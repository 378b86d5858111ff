"""Targeted falsehoods for Eckart-Young (map 1.3), any m x n of any rank and any k: the kept singular value
reported as the error, the bound and the attained value at the wrong singular value, an optimality claim that
counts a kept square; the cross-check catches a wrong error on its own.

The page is proved once (the ``page_proof`` fixture, for ``PAGE``); each falsehood is checked on the page's
own chains (the ``refused`` fixture of tests/identities/conftest.py)."""

from __future__ import annotations

from collections.abc import Callable

import sympy as sp
from sympy import Eq, Ge, Le

from derive.core.proof import Proof
from derive.identities.linear_algebra import eckart_young as ey

PAGE = "eckart-young"
Refused = Callable[[Proof, str, sp.Basic], None]


def test_eckart_young_is_general(page_proof: Proof) -> None:
    assert page_proof.ok, page_proof.failure
    assert page_proof.level == "general"
    assert {o.label: o.level for o in page_proof.outcomes} == dict.fromkeys(
        ("Frobenius", "spectral bound", "attained", "optimal", "optimal (spectral)"), "general"
    )
    assumed = {f.name for f in page_proof.assumes}
    assert {"singular value decomposition", "Weyl's inequality for singular values"} <= assumed


def test_eckart_young_error_is_the_dropped_tail(page_proof: Proof, refused: Refused) -> None:
    """Reporting the kept sigma_k^2 with the tail (one index early) is the classic slip."""
    wrong = sp.Sum(ey.sigma[ey.k + ey.t - 1] ** 2, (ey.t, 1, ey.q))
    refused(page_proof, "Frobenius", Eq(ey.FRO_ERR, wrong, evaluate=False))


def test_eckart_young_spectral_bound_is_squared(page_proof: Proof, refused: Refused) -> None:
    """The norm sigma_{k+1} in place of its square bounds the squared error."""
    wrong = ey.sigma[ey.k + 1] * ey.NORM_Y
    refused(page_proof, "spectral bound", Le(ey.ERR_X, wrong, evaluate=False))


def test_eckart_young_attained_value(page_proof: Proof, refused: Refused) -> None:
    refused(page_proof, "attained", Eq(ey.ERR_V, ey.sigma[ey.k + 1], evaluate=False))


def test_eckart_young_optimality_does_not_cover_a_kept_square(page_proof: Proof, refused: Refused) -> None:
    """||A - B||_F^2 >= the tail plus sigma_k^2 does not follow (B may match sigma_k exactly)."""
    wrong = ey.TAIL_SUM + ey.sigma[ey.k] ** 2
    refused(page_proof, "optimal", Ge(ey.FRO_B, wrong, evaluate=False))


def test_eckart_young_cross_check_catches_a_wrong_error(cross_fails: Callable[..., None]) -> None:
    cross_fails(ey.ECKART_YOUNG, ey.crosscheck, sp.Sum(ey.sigma[ey.k + ey.t], (ey.t, 1, ey.q)))
