"""Beta integrals by the Mellin route: SymPy's own values, and only where they converge."""

from __future__ import annotations

import sympy as sp

from derive.maths.dirichlet import beta_integrals

a, b = sp.symbols("a b", positive=True)
c = sp.Symbol("c", real=True)
t = sp.Symbol("t")


def test_the_beta_function_where_the_integral_converges() -> None:
    assert beta_integrals(sp.Integral(t ** (a - 1) * (1 - t) ** (b - 1), (t, 0, 1))) == sp.gamma(a) * sp.gamma(
        b
    ) / sp.gamma(a + b)
    assert beta_integrals(3 * sp.Integral(c * t**3 * (1 - t) ** 2, (t, 0, 1))) == c / 20
    assert sp.Integral(t**3 * (1 - t) ** 2, (t, 0, 1)).doit() == sp.Rational(1, 60)


def test_other_integrals_are_left_alone() -> None:
    left = [
        sp.Integral(t ** (c - 1) * (1 - t) ** (b - 1), (t, 0, 1)),  # c - 1 > -1 unknown: may diverge
        sp.Integral(t ** (a - 1) * (1 - t) ** (b - 1) * sp.exp(t), (t, 0, 1)),  # another factor in t
        sp.Integral(t ** (a - 1) * (1 - t) ** (b - 1), (t, 0, 2)),  # another range
        sp.Integral(t ** (a - 1), (t, 0, 1)),  # no (1 - t) factor
    ]
    for e in left:
        assert beta_integrals(e) == e
