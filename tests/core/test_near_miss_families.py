"""Every catalog statement rejects the adversarial near misses: falsehoods built to slip past random
points (a narrow bump, a comb term, a bound shifted by one, symbols swapped, a tie at a breakpoint,
a relative 1e-12). The ladder compares the true right side with the wrong one, exactly as a
chain's conclusion does, and must never accept, not even numerically."""

from __future__ import annotations

import pytest
import sympy as sp

import derive
from derive.core.near_misses import adversarial
from derive.verify.ladder import Ladder

NAMES = derive.names()


@pytest.mark.parametrize("name", NAMES)
def test_adversarial_near_misses_are_never_accepted(name: str) -> None:
    ident = derive.get(name)
    ladder = Ladder(domains=ident.domains, unfold=ident.unfold, salt=name, symbolic_budget=0.5, rung_budget=0.5)
    accepted = []
    for st in ident.statements:
        for description, truth, wrong in adversarial(st.relation) if st.relation is not None else ():
            v = ladder.equal(truth, wrong)
            if v.ok is True:
                accepted.append(f"{st.label}: {description} ({v.label})")
    assert not accepted, accepted


def test_the_families_are_generated() -> None:
    x, y = sp.symbols("x y", real=True)
    k, n = sp.symbols("k n", integer=True)
    rel = sp.Eq(sp.Symbol("f"), sp.Piecewise((x - y, x > 1), (0, True)) + sp.Sum(k, (k, 1, n)))
    names = {description.split(" at ")[0].split(" in ")[0] for description, _, _ in adversarial(rel)}
    assert names == {
        "relative 1e-12",
        "narrow bump",
        "comb term",
        "bound shifted by one",
        "symbols swapped",
        "tie at a breakpoint",
    }
