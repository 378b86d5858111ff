"""Randomised SVD (map 1.3) for any sizes: the projector, its symmetry, exact recovery and the lift are general
(index calculus at symbolic m, l, n), the Halko-Martinsson-Tropp error bound stays numeric (a statistical bound),
and targeted falsehoods of the general forms are refused (a projector that squares to twice itself, Q Q^T taken
for the identity, the projection confused with the coefficients Q^T A, the lift without U_B^T or without U_B).

The page is proved once (the ``page_proof`` fixture, for ``PAGE``); each falsehood is checked on the page's own
chains (the ``refused`` fixture of tests/identities/conftest.py)."""

from __future__ import annotations

from collections.abc import Callable

import sympy as sp
from sympy import Eq

from derive.core.facts import SVD_ORTHONORMAL
from derive.core.proof import Proof
from derive.identities.linear_algebra import randomized_svd as rsvd

PAGE = "randomized-svd"
Refused = Callable[[Proof, str, Eq], None]
i, j, s, t, a = rsvd.i_, rsvd.j_, rsvd.s_, rsvd.t_, rsvd.a_


def test_three_statements_are_general_and_the_bound_numeric(page_proof: Proof) -> None:
    assert page_proof.ok, page_proof.failure
    levels = {o.label: o.level for o in page_proof.outcomes}
    assert levels == {
        "projector": "general",
        "symmetric": "general",
        "exact recovery": "general",
        "lift": "general",
        "lifted SVD": "general",
        "error bound": "numeric",
    }
    assert {rsvd.RANGE_FINDER.name, SVD_ORTHONORMAL.name} <= {f.name for f in page_proof.assumes}


def test_each_chain_collapses_a_kronecker_sum(page_proof: Proof) -> None:
    """The key step of each general chain is a computed delta collapse, ending at the claimed entry."""
    for label in ("projector", "exact recovery", "lift"):
        forms = [st.expr for st in next(c for c in page_proof.chains if c.statement == label).steps]
        assert any(f.has(sp.KroneckerDelta) for f in forms), label
        rows = [lim for total in forms[-1].atoms(sp.Sum) for lim in total.limits if lim[2] == rsvd.m_]
        assert not rows, label  # the sum over Q's m rows is gone


def test_the_rule_only_contracts_q_transpose_q() -> None:
    """Q^T Q = I_l is the assumption; Q Q^T (a sum over the l columns) is a projector, not the identity."""
    qqt = rsvd.p_entry(i, j, a)
    assert rsvd.RANGE_FINDER.rewrite(qqt) == qqt
    c = rsvd.c_
    qtq = sp.Sum(rsvd.QT[s, c] * rsvd.QI[c, t], (c, 1, rsvd.m_))
    assert rsvd.RANGE_FINDER.rewrite(qtq) == sp.KroneckerDelta(s, t)


def test_projector_squared_is_not_twice_the_projector(page_proof: Proof, refused: Refused) -> None:
    refused(page_proof, "projector", Eq(rsvd.PSQ, 2 * rsvd.P_IJ))


def test_projector_is_not_the_identity(page_proof: Proof, refused: Refused) -> None:
    """Q Q^T = I_m would be the wrong order (only Q^T Q = I_l): P^2 = I is refused for l < m."""
    refused(page_proof, "projector", Eq(rsvd.PSQ, sp.KroneckerDelta(i, j)))


def test_symmetric_is_not_the_diagonal(page_proof: Proof, refused: Refused) -> None:
    refused(page_proof, "symmetric", Eq(rsvd.PT, sp.Sum(rsvd.QI[i, a] ** 2, (a, 1, rsvd.l_))))


def test_recovery_is_not_the_coefficients(page_proof: Proof, refused: Refused) -> None:
    """Q Q^T A = A, not Q^T A = B: the projection confused with the small matrix."""
    refused(page_proof, "exact recovery", Eq(rsvd.PA, rsvd.BI[i, rsvd.h_]))


def test_lift_without_u_b_transpose(page_proof: Proof, refused: Refused) -> None:
    """(Q U_B)^T (Q U_B) = U_B^T U_B = I, not U_B (the lift without U_B^T or without U_B)."""
    refused(page_proof, "lift", Eq(rsvd.LIFT, rsvd.UI[s, t]))


def test_lifted_svd_needs_u_b(page_proof: Proof, refused: Refused) -> None:
    """Q B = (Q U_B) Sigma V^T, not Q Sigma V^T: the lift without U_B."""
    wrong = sp.Sum(rsvd.QI[i, a] * rsvd.svI[a] * rsvd.VT[a, rsvd.h_], (a, 1, rsvd.l_))
    refused(page_proof, "lifted SVD", Eq(rsvd.QB_SVD, wrong))


def test_lift_is_not_twice_the_identity(rejected: Callable[..., None]) -> None:
    rejected(rsvd.RANDOMIZED_SVD, "lift", Eq(rsvd.LIFT, 2 * sp.KroneckerDelta(s, t)))
