"""Targeted falsehoods for the GCN propagation matrix (map 1.1), for any number n of nodes: the inverse square
roots as eigenvector, a wrong row of D~ + A~ (the self-loops forgotten), a too strong lower bound on the spectrum,
message passing with transposed propagation; the level and the cited facts."""

from __future__ import annotations

from collections.abc import Callable

import sympy as sp
from sympy import Eq, Ge

from derive.core.facts import SUM_EXCHANGE, UNDIRECTED
from derive.core.proof import Proof
from derive.identities.linear_algebra import gcn_propagation as gcn

PAGE = "gcn-propagation"
i, j, n = gcn.i, gcn.j, gcn.n


def _lhs(label: str) -> sp.Basic:
    return next(s.relation.lhs for s in gcn.GCN_PROPAGATION.statements if s.label == label and s.relation is not None)


def test_gcn_statements_are_general_and_cite_their_facts(page_proof: Proof) -> None:
    assert page_proof.ok, page_proof.failure
    assert page_proof.level == "general"
    labels = ("eigenvector", "symmetric", "lambda <= 1", "row of D~ + A~", "lambda > -1")
    assert {o.label: o.level for o in page_proof.outcomes} == dict.fromkeys((*labels, "message passing"), "general")
    assert {f.name for f in page_proof.assumes} == {UNDIRECTED.name, SUM_EXCHANGE.name}


def test_gcn_inverse_sqrt_eigenvector_is_refused(page_proof: Proof, refused: Callable[..., None]) -> None:
    wrong = 1 / sp.sqrt(gcn.d_tilde(i))
    refused(page_proof, "eigenvector", Eq(_lhs("eigenvector"), wrong, evaluate=False))


def test_gcn_row_without_self_loops_is_refused(page_proof: Proof, refused: Callable[..., None]) -> None:
    wrong = sp.Sum(gcn.wI[i, j] * (gcn.yI[i] + gcn.yI[j]), (j, 1, n))  # the 2 y_i of the self-loops forgotten
    refused(page_proof, "row of D~ + A~", Eq(_lhs("row of D~ + A~"), wrong, evaluate=False))


def test_gcn_too_strong_lower_bound_is_refused(page_proof: Proof, refused: Callable[..., None]) -> None:
    refused(page_proof, "lambda > -1", Ge(_lhs("lambda > -1"), 3 * gcn.NORM_SQ))


def test_gcn_row_of_the_signless_laplacian_for_lambda_le_1_is_refused(
    page_proof: Proof, refused: Callable[..., None]
) -> None:
    wrong = sp.Sum(gcn.wI[i, j] * (gcn.yI[i] + gcn.yI[j]), (j, 1, n))  # D~ - A~ is D - W, not D + W
    refused(page_proof, "lambda <= 1", Eq(_lhs("lambda <= 1"), wrong, evaluate=False))


def test_gcn_message_passing_with_transposed_propagation_is_refused(
    page_proof: Proof, refused: Callable[..., None]
) -> None:
    wrong = sp.Sum(
        gcn.PI[j, i] * sp.Sum(gcn.HI[j, gcn.ell] * gcn.WI[gcn.ell, gcn.c], (gcn.ell, 1, gcn.f_in)), (j, 1, n)
    )
    refused(page_proof, "message passing", Eq(_lhs("message passing"), wrong, evaluate=False))


def test_gcn_a_hat_is_symmetric_only_for_symmetric_weights() -> None:
    """A directed edge (w_12 = 1, w_21 = 0) at n = 2 makes A_hat_12 != A_hat_21; a symmetric one does not."""

    def entry(a: int, b: int, w: dict[tuple[int, int], int]) -> sp.Expr:
        out = gcn.a_hat(a, b).xreplace({n: 2}).doit()
        return out.replace(lambda e: isinstance(e, sp.Indexed), lambda e: w[(int(e.indices[0]), int(e.indices[1]))])

    directed = {(1, 1): 0, (1, 2): 1, (2, 1): 0, (2, 2): 0}
    assert entry(1, 2, directed) != entry(2, 1, directed)
    undirected = {**directed, (2, 1): 1}
    assert entry(1, 2, undirected) == entry(2, 1, undirected) == sp.Rational(1, 2)
