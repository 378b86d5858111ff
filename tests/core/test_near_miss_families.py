"""Every catalog statement rejects the adversarial near misses: falsehoods built to slip past random
points (a narrow bump, a comb term, a bound shifted by one, symbols swapped, a tie at a breakpoint,
a relative 1e-12). The ladder compares the true right side with the wrong one, exactly as a
chain's conclusion does, and must never accept, not even numerically.

A swap, a shifted bound or a tie can happen to be *true* (a symmetric formula, a sum whose extra
term is constant in the derivative's variable, a continuous ``Piecewise``): such a near miss is
kept only with a witness that it differs from the truth, found without the ladder: the
independent statement check (mpmath routes) at random points, or, for a tie, both sides at the
breakpoint. The bump, the comb and the relative error are false by construction."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

import derive
from derive.core.claims import VACUOUS, check_statements
from derive.core.identity import Identity
from derive.core.near_misses import adversarial
from derive.core.statements import Statement
from derive.maths.domains import Domain
from derive.numeric.sampling import exact_points, generator
from derive.verify.ladder import Ladder

NAMES = derive.names()
FAMILIES = (
    "relative 1e-12",
    "narrow bump",
    "comb term",
    "bound shifted by one",
    "symbols swapped",
    "tie at a breakpoint",
)
WITNESSED = ("bound shifted by one", "symbols swapped", "tie at a breakpoint")


def _family(description: str) -> str:
    return next(f for f in FAMILIES if description.startswith(f))


def _differs_at_random_points(ident: Identity, ladder: Ladder, truth: sp.Expr, wrong: sp.Expr) -> bool:
    statement = Statement("near miss", sp.Eq(truth, wrong, evaluate=False))
    (c,) = check_statements(
        [statement], ident.domains, ladder, generator(7, salt=ident.name), 12, (), ident.definitions
    )
    return not c.ok and c.method != VACUOUS


def _differs_at_a_breakpoint(ident: Identity, truth: sp.Expr, wrong: sp.Expr) -> bool:
    """Both sides on the breakpoint ``lhs = rhs`` of each comparison in the truth's conditions,
    the other variables at exact random points of their domains."""
    rng = generator(7, salt=ident.name)
    scalars = {s: d for s, d in ident.domains.items() if isinstance(s, sp.Symbol) and hasattr(d, "edge_points")}
    for pw in truth.atoms(sp.Piecewise):
        for rel in sorted({r for _, cond in pw.args for r in sp.S(cond).atoms(sp.Rel)}, key=str):
            for v in sorted(rel.free_symbols & set(scalars), key=str):
                for root in sp.solve(rel.lhs - rel.rhs, v):
                    for point in exact_points(_not_bounded_by(v, scalars), rng, 4):
                        at = {**point, v: root.xreplace(point)}
                        if not (at[v].is_number and scalars[v].contains(at[v])):
                            continue  # the breakpoint is off the domain (ReLU' is not stated at 0)
                        try:
                            gap = complex(sp.N((wrong - truth).xreplace(at), 30))
                        except (TypeError, ValueError):
                            continue
                        if np.isfinite(gap) and abs(gap) > 1e-9:
                            return True
    return False


def _not_bounded_by(v: sp.Symbol, scalars: dict[sp.Symbol, Domain]) -> dict[sp.Symbol, Domain]:
    """The domains of ``scalars`` but ``v`` and those whose bounds name it, directly or through others
    (a tap ``j <= k`` when ``v = k``): they cannot be drawn before ``v`` is placed on its breakpoint."""
    dropped = {v}
    while grown := {s for s, d in scalars.items() if s not in dropped and d.depends_on() & dropped}:
        dropped |= grown
    return {s: d for s, d in scalars.items() if s not in dropped}


@pytest.mark.parametrize("name", NAMES)
def test_adversarial_near_misses_are_never_accepted(name: str) -> None:
    ident = derive.get(name)
    ladder = Ladder(domains=ident.domains, unfold=ident.unfold, salt=name, symbolic_budget=0.5, rung_budget=0.5)
    accepted = []
    for st in ident.statements:
        for description, truth, wrong in adversarial(st.relation, ident.domains) if st.relation is not None else ():
            family = _family(description)
            if family in WITNESSED:
                witnessed = (
                    _differs_at_a_breakpoint(ident, truth, wrong)
                    if family == "tie at a breakpoint"
                    else _differs_at_random_points(ident, ladder, truth, wrong)
                )
                if not witnessed:
                    continue
            v = ladder.equal(truth, wrong)
            if v.ok is True:
                accepted.append(f"{st.label}: {description} ({v.label})")
    assert not accepted, accepted


def test_the_families_are_generated() -> None:
    x, y = sp.symbols("x y", real=True)
    k, n = sp.symbols("k n", integer=True)
    rel = sp.Eq(sp.Symbol("f"), sp.Piecewise((x - y, x > 1), (0, True)) + sp.Sum(k, (k, 1, n)))
    assert {_family(description) for description, _, _ in adversarial(rel)} == set(FAMILIES)


def test_a_named_constant_gets_no_bump_or_comb() -> None:
    """A comb in a variable whose domain is one point (GELU's c = 0.044715) may vanish there: the
    generator must pick a variable with an interval of values."""
    from derive.maths.domains import Domain, real

    c, x = sp.Symbol("c", real=True), sp.Symbol("x", real=True)
    rel = sp.Eq(sp.Symbol("f"), c * x)
    domains = {c: Domain(sp.Rational(44715, 10**6), sp.Rational(44715, 10**6)), x: real(-3, 3)}
    described = [d for d, _, _ in adversarial(rel, domains)]
    assert "narrow bump at x = 0" in described and "comb term in x" in described
    assert not any(" c" in d for d in described)
