"""Targeted falsehoods for the graph Laplacian (map 1.2), for any number n of nodes: the signless Laplacian's
quadratic form, each edge counted twice, a wrong row of L x, a wrong power in the eigenbasis; the level and the
cited facts (the undirected graph's symmetry, the exchange of sums, the spectral theorem, von Luxburg's
components)."""

from __future__ import annotations

from collections.abc import Callable

import sympy as sp
from sympy import Eq

from derive.core.facts import GRAPH_COMPONENTS, SPECTRAL_THEOREM, SUM_EXCHANGE, UNDIRECTED
from derive.core.proof import Proof
from derive.identities.linear_algebra import laplacian_spectrum as lap
from derive.maths.graphs import CanonicalOrder, degree, one_sum, pair_sum

PAGE = "laplacian-spectrum"
i, j, n = lap.i, lap.j, lap.n


def test_laplacian_statements_are_general_and_cite_their_facts(page_proof: Proof) -> None:
    assert page_proof.ok, page_proof.failure
    assert page_proof.level == "general"
    assert {o.label: o.level for o in page_proof.outcomes} == dict.fromkeys(
        ("quadratic form", "components", "PSD", "L 1 = 0", "spectral filter"), "general"
    )
    names = {f.name for f in page_proof.assumes}
    assert names == {f.name for f in (GRAPH_COMPONENTS, UNDIRECTED, SUM_EXCHANGE, SPECTRAL_THEOREM)}


def test_laplacian_signless_form_is_refused(page_proof: Proof, refused: Callable[..., None]) -> None:
    wrong = pair_sum(sp.Rational(1, 2) * lap.wI[i, j] * (lap.xI[i] + lap.xI[j]) ** 2, i, j, n)
    refused(page_proof, "quadratic form", Eq(lap.QUAD, wrong, evaluate=False))


def test_laplacian_double_count_is_refused(page_proof: Proof, refused: Callable[..., None]) -> None:
    refused(page_proof, "quadratic form", Eq(lap.QUAD, 2 * lap.EDGE_FORM, evaluate=False))


def test_laplacian_row_with_sum_of_neighbours_is_refused(page_proof: Proof, refused: Callable[..., None]) -> None:
    wrong = sp.Sum(lap.wI[i, j] * (lap.xI[i] + lap.xI[j]), (j, 1, n))  # the signless Laplacian's row
    refused(page_proof, "components", Eq(lap.LX_ROW, wrong, evaluate=False))


def test_laplacian_power_off_by_one_is_refused(page_proof: Proof, refused: Callable[..., None]) -> None:
    wrong = lap.lamI[lap.q] ** (lap.p - 1) * lap.cI[lap.q]  # L applied, the eigenvalue not multiplied in
    refused(page_proof, "spectral filter", Eq(lap.POWER, wrong, evaluate=False))


def test_laplacian_row_sum_is_not_the_degree_is_refused(page_proof: Proof, refused: Callable[..., None]) -> None:
    refused(page_proof, "L 1 = 0", Eq(lhs_of("L 1 = 0"), degree(lap.wI, i, lap.k, n), evaluate=False))


def test_laplacian_psd_bound_by_the_norm_is_refused(page_proof: Proof, refused: Callable[..., None]) -> None:
    norm = sp.Sum(lap.xI[i] ** 2, (i, 1, n))  # the Laplacian is PSD, not bounded below by the identity
    refused(page_proof, "PSD", sp.Ge(lap.EDGE_FORM, norm))


def lhs_of(label: str) -> sp.Basic:
    return next(
        s.relation.lhs for s in lap.LAPLACIAN_SPECTRUM.statements if s.label == label and s.relation is not None
    )


def _at(e: sp.Basic, w: dict[tuple[int, int], int], x: dict[int, int]) -> sp.Basic:
    """``e`` on a graph with weights ``w`` and signal ``x`` (sums written out at n = 2)."""
    out = e.xreplace({n: 2}).doit()
    return out.replace(
        lambda a: isinstance(a, sp.Indexed),
        lambda a: w[(int(a.indices[0]), int(a.indices[1]))] if a.base == lap.wI else x[int(a.indices[0])],
    )


def test_laplacian_quadratic_form_needs_symmetric_weights() -> None:
    """Without w_ij = w_ji the halves do not match: a directed edge (w_12 = 1, w_21 = 0) at x = (1, 0) has
    sum_i x_i (L x)_i = 1 but 1/2 sum_ij w_ij (x_i - x_j)^2 = 1/2; symmetric weights agree."""
    x = {1: 1, 2: 0}
    directed = {(1, 1): 0, (1, 2): 1, (2, 1): 0, (2, 2): 0}
    assert _at(lap.QUAD, directed, x) == 1 and _at(lap.EDGE_FORM, directed, x) == sp.Rational(1, 2)
    undirected = {**directed, (2, 1): 1}
    assert _at(lap.QUAD, undirected, x) == _at(lap.EDGE_FORM, undirected, x) == 1


def test_canonical_order_and_one_sum() -> None:
    f = lap.wI[i, j] * lap.xI[j]
    assert CanonicalOrder()(sp.Sum(f, (j, 1, n), (i, 1, n))) == sp.Sum(f, (i, 1, n), (j, 1, n))
    dependent = sp.Sum(f, (j, 1, i), (i, 1, n))  # a range that names the other index is left alone
    assert CanonicalOrder()(dependent) == dependent
    x, c = lap.xI[i], lap.cI[i]
    two = sp.Sum(x**2, (i, 1, n)) + 2 * sp.Sum(x * c, (i, 1, n)) + sp.Sum(c**2, (i, 1, n))
    assert one_sum(two) == sp.Sum((x + c) ** 2, (i, 1, n))  # joined, the square completed
    other = sp.Sum(lap.xI[j], (j, 1, n - 1))  # other limits, and a term that is no sum: kept as they are
    assert one_sum(two + other + 1) == sp.Sum((x + c) ** 2, (i, 1, n)) + other + 1
