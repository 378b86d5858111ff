"""Targeted falsehoods for the RNN's spectral radius (map 1.2), for any hidden size n: an off-by-one power in the
induction step, the eigenvalue on the wrong side of P, a transposed Jacobian, a norm bound by rho instead of
rho^2, a decaying mode that tends to 1; the cross-check catches Lambda^t without the change of basis; the rule
that moves the shared index of a product of sums innermost."""

from __future__ import annotations

from collections.abc import Callable

import sympy as sp
from sympy import Eq, Le

from derive.authoring import notation
from derive.core.facts import INVERSE, OPERATOR_SUBMULTIPLICATIVE, SUM_EXCHANGE
from derive.core.proof import Proof
from derive.identities.linear_algebra import rnn_spectral_radius as rnn
from derive.maths.spectral import ProductOfSums
from derive.numeric.sampling import generator

PAGE = "rnn-spectral-radius"


def _lhs(label: str) -> sp.Basic:
    relation = next(s.relation for s in rnn.RNN_SPECTRAL_RADIUS.statements if s.label == label)
    assert relation is not None
    return relation.lhs


def test_rnn_step_off_by_one_power_is_refused(page_proof: Proof, refused: Callable[..., None]) -> None:
    wrong = notation("wrong", rnn.power_entry(rnn.t, rnn.a, rnn.b))
    refused(page_proof, "step", Eq(_lhs("step"), wrong, evaluate=False))


def test_rnn_eigenvalue_on_the_wrong_side_is_refused(page_proof: Proof, refused: Callable[..., None]) -> None:
    # W P = P Lambda scales column b by lambda_b; lambda_a P_ab would be Lambda P
    refused(page_proof, "diagonalise", Eq(_lhs("diagonalise"), rnn.lamI[rnn.a] * rnn.PI[rnn.a, rnn.b]))


def test_rnn_transposed_jacobian_is_refused(page_proof: Proof, refused: Callable[..., None]) -> None:
    refused(page_proof, "Jacobian", Eq(_lhs("Jacobian"), rnn.power_entry(rnn.t, rnn.c, rnn.a)))


def test_rnn_norm_bound_by_rho_is_rejected(rejected: Callable[..., None]) -> None:
    rejected(rnn.RNN_SPECTRAL_RADIUS, "norm", Le(_lhs("norm"), rnn.rho * rnn.NORM_Z))


def test_rnn_decay_to_one_is_rejected(rejected: Callable[..., None], lhs: Callable[..., sp.Basic]) -> None:
    rejected(rnn.RNN_SPECTRAL_RADIUS, "decay", Eq(lhs(rnn.RNN_SPECTRAL_RADIUS, "decay"), 1))


def test_rnn_crosscheck_catches_lambda_power_only() -> None:
    ident = rnn.RNN_SPECTRAL_RADIUS
    ctx = ident.check_context(generator(1, salt="t"), 1, values={"power": sp.diag(rnn.l_1**rnn.t, rnn.l_2**rnn.t)})
    assert not ident.crosscheck(ctx).ok


def test_rnn_statements_are_general_for_any_hidden_size(page_proof: Proof) -> None:
    assert page_proof.ok, page_proof.failure
    assert page_proof.level == "general"
    assert {o.label for o in page_proof.outcomes} == {
        "diagonalise",
        "base",
        "step",
        "Jacobian",
        "decay",
        "growth",
        "norm",
    }
    names = {f.name for f in page_proof.assumes}
    assert {INVERSE.name, SUM_EXCHANGE.name, OPERATOR_SUBMULTIPLICATIVE.name} <= names


def test_product_of_sums_moves_the_shared_index_innermost() -> None:
    a, b, c, k, ell, n = rnn.a, rnn.b, rnn.c, rnn.k, rnn.ell, rnn.n
    f, g = sp.IndexedBase("f"), sp.IndexedBase("g")
    total = sp.Sum(sp.Sum(f[a, k] * f[k, c], (k, 1, n)) * sp.Sum(g[c, ell] * g[ell, b], (ell, 1, n)), (c, 1, n))
    nested = ProductOfSums()(total)
    inner = sp.Sum(f[k, c] * g[c, ell], (c, 1, n))
    assert nested == sp.Sum(f[a, k] * g[ell, b] * inner, (ell, 1, n), (k, 1, n))
    for n_ in (1, 3):  # the same number at concrete sizes, summed out
        values = {f[i, j]: sp.Rational(i + 2 * j, 7) for i in range(1, 4) for j in range(1, 4)}
        values |= {g[i, j]: sp.Rational(3 * i - j, 5) for i in range(1, 4) for j in range(1, 4)}
        point = {a: 1, b: 2, n: n_}
        assert total.subs(point).doit().xreplace(values) == nested.subs(point).doit().xreplace(values)


def test_product_of_sums_leaves_a_captured_index_alone() -> None:
    c, k, n = rnn.c, rnn.k, rnn.n
    f = sp.IndexedBase("f")
    # the second sum reads k from outside: nesting it inside the sum over k would capture it
    total = sp.Sum(sp.Sum(f[k, c], (k, 1, n)) * sp.Sum(f[c, k] * f[c, rnn.ell], (rnn.ell, 1, n)), (c, 1, n))
    assert ProductOfSums()(total) == total
