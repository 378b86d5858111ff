"""Derivations fail loudly: a wrong step or claim is named, bounds compose, solve is checked by substitution."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import sympy as sp
from sympy import Derivative, Eq

from derive.core.derivation import Derivation
from derive.core.identity import Identity
from derive.core.proof import prove_identity
from derive.core.statements import Statement
from derive.errors import DerivationError, DeriveError
from derive.maths.domains import positive, real
from derive.maths.special import Phi, phi, sigmoid
from derive.verify.ladder import Ladder

x = real(-8, 8).symbol("x")
Toy = Callable[..., Identity]  # the ``toy`` fixture of tests/conftest.py


def test_a_wrong_step_is_named(toy: Toy) -> None:
    def body(d: Derivation) -> None:
        d.begin(Derivative(x * Phi(x), x))
        d.then(Phi(x) + x * phi(x), "product rule")
        d.then(Phi(x) - x * phi(x), "a careless sign")
        d.conclude()

    p = prove_identity(toy(Eq(Derivative(x * Phi(x), x), Phi(x) - x * phi(x)), body))
    assert not p.ok
    assert "chain 1, step 2" in p.failure and "a careless sign" in p.failure and "is false" in p.failure


def test_a_wrong_claim_is_rejected_at_the_conclusion(toy: Toy) -> None:
    def body(d: Derivation) -> None:
        d.begin(Derivative(x * Phi(x), x))
        d.then(lambda e: e.doit(), "product rule")
        d.conclude()

    p = prove_identity(toy(Eq(Derivative(x * Phi(x), x), Phi(x) + 2 * x * phi(x)), body))
    assert not p.ok and "conclusion of statement 'claim' failed" in p.failure


def test_an_underived_statement_fails(toy: Toy) -> None:
    p = prove_identity(toy(Eq(Derivative(x * Phi(x), x), Phi(x) + x * phi(x)), lambda d: None))
    assert not p.ok and "not derived" in p.failure


def test_a_crashing_derivation_is_reported_not_raised(toy: Toy) -> None:
    def body(d: Derivation) -> None:
        raise ZeroDivisionError("boom")

    p = prove_identity(toy(Eq(Derivative(x * Phi(x), x), Phi(x) + x * phi(x)), body))
    assert not p.ok and "ZeroDivisionError" in p.failure


def test_bounds_compose_into_the_claimed_relation(toy: Toy) -> None:
    def body(d: Derivation) -> None:
        d.begin(sigmoid(x) * (1 - sigmoid(x)))
        d.bound(sp.Rational(1, 4), "AM-GM")
        d.conclude()

    assert prove_identity(toy(sp.Le(sigmoid(x) * (1 - sigmoid(x)), sp.Rational(1, 4)), body)).ok

    def too_strong(d: Derivation) -> None:
        d.begin(sigmoid(x) * (1 - sigmoid(x)))
        d.bound(sp.Rational(1, 5), "wrong bound")
        d.conclude()

    p = prove_identity(toy(sp.Le(sigmoid(x) * (1 - sigmoid(x)), sp.Rational(1, 5)), too_strong))
    assert not p.ok and "wrong bound" in p.failure


def test_solve_step_is_checked_by_substitution() -> None:
    w = real().symbol("w")
    a, b = positive().symbol("a"), real().symbol("b")

    def body(d: Derivation) -> None:
        d.begin(Eq(a * w - b, 0))
        d.solve(w)
        d.conclude()

    ident = Identity(
        name="toy-solve",
        title="t",
        section="3.1",
        map_row="t",
        statements=(Statement("claim", Eq(w, b / a)),),
        variables={w: real(), a: positive(), b: real()},
        derivation=body,
    )
    p = prove_identity(ident)
    assert p.ok, p.failure
    assert "substitution" in p.chains[0].steps[1].verification.method


def test_misusing_the_builder_is_a_derivation_error() -> None:
    """conclude() before begin() is the author's mistake, reported as such (a TypeError too)."""
    d = Derivation("toy", (Statement("claim", Eq(x, x)),), Ladder())
    with pytest.raises(DerivationError, match="begin"):
        d.conclude()
    with pytest.raises(TypeError):
        d.then(x, "no chain yet")
    d.begin(x)
    with pytest.raises(DerivationError, match="bound"):
        d.bound(x + 1, "not a bound", relation="=")
    assert issubclass(DerivationError, DeriveError)
