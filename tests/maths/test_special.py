"""Special functions: every derivative matches its closed form; values and LaTeX are right."""

from __future__ import annotations

import pytest
import sympy as sp

from derive.maths.domains import real
from derive.maths.special import SPECIAL_FUNCTIONS, Phi, phi, sigmoid, softplus
from derive.verify.ladder import Ladder

x = real(-8, 8).symbol("x")


@pytest.mark.parametrize("cls", SPECIAL_FUNCTIONS)
def test_special_function_derivatives_match_their_closed_forms(cls: type) -> None:
    y = real().symbol("y")
    from_fdiff = sp.diff(cls(y), y)
    from_closed_form = sp.diff(cls.closed_form(y), y)
    assert Ladder(domains={y: real(-8, 8)}).equal(from_fdiff, from_closed_form).ok is True


def test_special_values_and_latex() -> None:
    assert Phi(0) == sp.Rational(1, 2) and sigmoid(0) == sp.Rational(1, 2) and softplus(0) == sp.log(2)
    assert sp.latex(Phi(x)) == r"\Phi\left(x\right)" and sp.latex(phi(x)) == r"\varphi\left(x\right)"
