"""Statement checks naming a symbolic inverse: H and H^-1 drawn together when a cited fact links them."""

from __future__ import annotations

import dataclasses
from typing import Any

import sympy as sp

from derive.core.claims import StatementCheck, check_statements
from derive.core.derivation import Chain, Step
from derive.core.facts import INVERSE, SYMMETRIC
from derive.core.statements import Statement
from derive.maths.domains import integer, real
from derive.maths.indexed import InverseOf, Symmetric
from derive.numeric.sampling import generator
from derive.verify.ladder import Ladder

n = integer(2, 5).symbol("n")
j = integer(1, n).symbol("j")
i, l_ = sp.symbols("i l", integer=True, positive=True)
H, Hinv, t = sp.IndexedBase("H", real=True), sp.IndexedBase("H^{-1}", real=True), sp.IndexedBase("t", real=True)
DOMAINS: dict[Any, Any] = {n: integer(2, 5), j: integer(1, n), H: real(-5, 5), Hinv: real(-5, 5), t: real(-2, 2)}
#: (H^-1 (H t))_j
BACK = sp.Sum(Hinv[j, i] * sp.Sum(H[i, l_] * t[l_], (l_, 1, n)), (i, 1, n))


def _chain(*rules: Any) -> Chain:
    facts = tuple(f.applied(r) for f, r in zip((INVERSE, SYMMETRIC), rules, strict=False))
    return Chain((Step(t[j], "start", None, assumes=facts),), statement="claim")


def check(relation: sp.Basic, chains: list[Chain]) -> StatementCheck:
    ladder = Ladder(domains=DOMAINS, seed=3)
    (out,) = check_statements([Statement("claim", relation)], DOMAINS, ladder, generator(3), 64, chains)
    return out


def test_a_named_inverse_checks_when_the_fact_links_it() -> None:
    c = check(sp.Eq(BACK, t[j]), [_chain(InverseOf(H, Hinv, n))])
    assert c.ok and c.samples >= 3 and c.max_rel_error < 1e-20, c


def test_without_the_link_the_inverse_is_drawn_independently_and_fails() -> None:
    assert not check(sp.Eq(BACK, t[j]), []).ok


def test_a_false_statement_about_the_inverse_still_fails() -> None:
    chains = [_chain(InverseOf(H, Hinv, n))]
    assert not check(sp.Eq(BACK, 2 * t[j]), chains).ok
    transposed = sp.Sum(Hinv[i, j] * sp.Sum(H[i, l_] * t[l_], (l_, 1, n)), (i, 1, n))  # H^-T H t != t
    assert not check(sp.Eq(transposed, t[j]), chains).ok


def test_only_the_facts_of_the_statements_own_chains_link() -> None:
    other = dataclasses.replace(_chain(InverseOf(H, Hinv, n)), statement="another statement")
    assert not check(sp.Eq(BACK, t[j]), [other]).ok


def test_a_symmetric_matrix_is_drawn_symmetric() -> None:
    swap = sp.Eq(sp.Sum(H[j, i] * t[i], (i, 1, n)), sp.Sum(H[i, j] * t[i], (i, 1, n)))
    assert not check(swap, []).ok
    both = _chain(InverseOf(H, Hinv, n), Symmetric(H))
    assert check(swap, [both]).ok
    inverse_transposed = sp.Sum(Hinv[i, j] * sp.Sum(H[i, l_] * t[l_], (l_, 1, n)), (i, 1, n))
    assert check(sp.Eq(inverse_transposed, t[j]), [both]).ok  # H symmetric: H^-T = H^-1
