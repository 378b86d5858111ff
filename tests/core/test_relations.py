"""Relations: how links compose, and which statements a chain proves."""

from __future__ import annotations

import sympy as sp

from derive.core.relations import Relation


def test_links_compose() -> None:
    eq, le, lt, ge = Relation.EQ, Relation.LE, Relation.LT, Relation.GE
    assert eq.then(le) is le and le.then(eq) is le  # = is neutral, either order
    assert le.then(lt) is lt and lt.then(lt) is lt
    assert le.then(ge) is None  # <= then >= proves nothing
    assert Relation.IFF.then(eq) is Relation.IFF


def test_a_chain_proves_only_what_its_relation_implies() -> None:
    assert Relation.LT.implies(Relation.LE) and Relation.EQ.implies(Relation.GE)
    assert not Relation.LE.implies(Relation.LT) and not Relation.LE.implies(Relation.EQ)


def test_spellings() -> None:
    x = sp.Symbol("x")
    assert Relation.of(sp.Le(x, 1)) is Relation.LE and Relation.of(sp.Eq(x, 1)) is Relation.EQ
    assert Relation.LE == "<=" and Relation.LE.tex == r"\le" and Relation.LE.text == "≤"
    assert Relation.GT.strict and not Relation.GE.strict and Relation.LT.upward and not Relation.GT.upward
