"""A named inverse of a matrix built from data (M = X^T X + lambda I): the rules of its defining property, its
entries computed from the drawn data in the statement checks, and the ladder's flattening of nested sums."""

from __future__ import annotations

from typing import Any

import sympy as sp

from derive.core.claims import StatementCheck, check_statements
from derive.core.derivation import Chain, Step
from derive.core.facts import INVERSE
from derive.core.linked import DefinedInverse, MatrixEntry, SymmetricIn
from derive.core.statements import Statement
from derive.maths.domains import integer, positive, real
from derive.maths.indexed import collapse
from derive.numeric.sampling import generator
from derive.verify.ladder import Ladder
from derive.verify.sums import flat_canonical

N, P = integer(1, 4), integer(1, 4)
n, p = N.symbol("n"), P.symbol("p")
j = integer(1, p).symbol("j")
a, b, i, k, l_, t = sp.symbols("a b i k l t", integer=True, positive=True)
lam = positive(3).symbol("lambda")
X, y, Minv = sp.IndexedBase("X", real=True), sp.IndexedBase("y", real=True), sp.IndexedBase("M^{-1}", real=True)


class Gram(MatrixEntry):
    """M_ab = (X^T X + lambda I)_ab."""

    tex = "M"


BODY = sp.Sum(X[i, a] * X[i, b], (i, 1, n)) + lam * sp.KroneckerDelta(a, b)
RULE = DefinedInverse(Gram(a, b), BODY, Minv, p)
DOMAINS: dict[Any, Any] = {n: N, p: P, j: integer(1, p), lam: positive(3), X: real(-2, 2), y: real(-2, 2)}
DOMAINS[Minv] = real(-5, 5)
#: (X^T y)_t and w_k = (M^-1 X^T y)_k
XTY = sp.Sum(X[i, t] * y[i], (i, 1, n))
W = sp.Sum(Minv[k, t] * XTY, (t, 1, p))
#: (M w)_j - (X^T y)_j with M written out from the data: the normal equations' residual at w = M^-1 X^T y
RESIDUAL = sp.Sum(BODY.xreplace({a: j, b: k}) * W, (k, 1, p)) - XTY.xreplace({t: j})


def check(relation: sp.Basic, rule: Any = RULE) -> StatementCheck:
    chain = Chain((Step(y[j], "start", None, assumes=(INVERSE.applied(rule),)),), statement="claim")
    ladder = Ladder(domains=DOMAINS, seed=3)
    (out,) = check_statements([Statement("claim", relation)], DOMAINS, ladder, generator(3), 64, [chain])
    return out


def test_the_rule_contracts_a_defined_matrix_with_its_inverse() -> None:
    form = sp.Sum(Gram(j, k) * W, (k, 1, p))
    assert collapse(RULE(form)) == XTY.xreplace({t: j})


def test_the_rule_inserts_the_identity_in_a_sum_of_the_right_size_only() -> None:
    insert = DefinedInverse(Gram(a, b), BODY, Minv, p, insert=True, inner=l_)
    form = sp.Sum(sp.KroneckerDelta(j, k) * y[k], (k, 1, p))
    assert insert(form) == sp.Sum(sp.Sum(Minv[j, l_] * Gram(l_, k), (l_, 1, p)) * y[k], (k, 1, p))
    other = sp.Sum(sp.KroneckerDelta(j, k) * y[k], (k, 1, n))  # a sum over another range: left alone
    assert insert(other) == other


def test_the_inverse_is_computed_from_the_drawn_data() -> None:
    c = check(sp.Eq(RESIDUAL, 0))
    assert c.ok and c.samples >= 3 and "explicit summation" in c.method, c


def test_a_false_statement_about_the_computed_inverse_fails() -> None:
    assert not check(sp.Eq(RESIDUAL + 1, 0)).ok
    wrong_body = DefinedInverse(Gram(a, b), BODY - lam * sp.KroneckerDelta(a, b), Minv, p)  # X^T X, no ridge
    assert not check(sp.Eq(RESIDUAL, 0), wrong_body).ok


def test_symmetric_in_two_positions() -> None:
    T = sp.IndexedBase("T")
    rule = SymmetricIn(T)
    assert rule(T[i, k, j]) == rule(T[i, j, k]) and rule(T[k, i, j]) != rule(T[j, i, k])


def test_flattened_nested_sums_prove_a_reordering_and_refuse_a_false_one() -> None:
    m = integer(1, 4).symbol("m")
    A, B = sp.IndexedBase("A"), sp.IndexedBase("B")
    nested = sp.Sum(A[j, k] * sp.Sum(B[k, l_] * y[l_], (l_, 1, n)), (k, 1, m))
    other_order = sp.Sum(y[i] * sp.Sum(A[j, t] * B[t, i], (t, 1, m)), (i, 1, n))
    assert flat_canonical(nested - other_order) == 0
    assert flat_canonical(nested - other_order.xreplace({B: A})) != 0
    wrong_range = sp.Sum(y[i] * sp.Sum(A[j, t] * B[t, i], (t, 1, n)), (i, 1, n))
    assert flat_canonical(nested - wrong_range) != 0
    ladder = Ladder(domains={m: integer(1, 4), n: N, j: integer(1, 4), A: real(-2, 2), B: real(-2, 2), y: real(-2, 2)})
    assert ladder.equal(nested, other_order).method == "nested sums flattened, indices renamed"
    assert ladder.equal(nested, 2 * other_order).ok is not True


def test_a_delta_with_a_free_index_is_sifted_only_inside_its_range() -> None:
    m, q = integer(1, 4).symbol("m"), integer(1, n).symbol("q")
    total = sp.Sum(sp.KroneckerDelta(j, k) * y[k], (k, 1, p)) - y[j]
    assert flat_canonical(total, {p: P, j: integer(1, p)}) == 0
    assert flat_canonical(total) != 0  # no domains: j might lie outside 1..p
    outside = sp.Sum(sp.KroneckerDelta(q, k) * y[k], (k, 1, m)) - y[q]  # q in 1..n, not 1..m
    assert flat_canonical(outside, {m: integer(1, 4), n: N, q: integer(1, n)}) != 0
