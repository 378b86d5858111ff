"""Declarations validate themselves: every symbol has a domain its assumptions agree with."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import sympy as sp
from sympy import Eq

from derive.core.identity import Identity
from derive.core.statements import Statement
from derive.errors import DeclarationError
from derive.maths.domains import interval, positive, real

x = real(-8, 8).symbol("x")
Toy = Callable[..., Identity]  # the ``toy`` fixture of tests/conftest.py


def test_undeclared_symbol_is_a_declaration_error(toy: Toy) -> None:
    y = sp.Symbol("y", real=True)
    with pytest.raises(DeclarationError, match="without a domain"):
        toy(Eq(y, y**2), lambda d: None)


def test_symbol_assumptions_must_match_the_domain() -> None:
    y = sp.Symbol("y", positive=True)
    with pytest.raises(DeclarationError, match="assumptions"):
        Identity(
            name="toy",
            title="t",
            section="1.1",
            map_row="t",
            statements=(Statement("claim", Eq(y, 2 * y)),),
            variables={y: real()},
            derivation=lambda d: None,
        )


def test_dependent_bounds_are_respected() -> None:
    from derive.numeric.sampling import exact_points, generator, sample_scalars

    big_t = positive(100).symbol("T")
    t = interval(0, big_t).symbol("t")
    doms = {big_t: positive(100), t: interval(0, big_t)}
    values = sample_scalars(doms, generator(1), 500)
    assert (values[t] >= 0).all() and (values[t] <= values[big_t]).all()
    assert all(0 <= p[t] <= p[big_t] for p in exact_points(doms, generator(1), 30))
