"""Regression: a derivative of a sum is taken under the sum before the sum is evaluated.

``Derivative(Sum(x**k, (k, 1, n)), x).doit()`` sums first (``Piecewise((n, Eq(x, 1)), ...)``) and
then differentiates case by case, giving ``Piecewise((0, Eq(x, 1)), ...)``: wrong at x = 1, where
the derivative is n(n + 1)/2. The ladder used to prove that false form "identical"."""

from __future__ import annotations

import sympy as sp

from derive.maths.domains import integer, real
from derive.verify.ladder import Ladder, differentiate_under_sums

x = sp.Symbol("x", real=True)
k = sp.Symbol("k", integer=True)
n = sp.Symbol("n", integer=True, positive=True)
m = sp.Symbol("m", integer=True, positive=True)
GEOMETRIC = sp.Derivative(sp.Sum(x**k, (k, 1, n)), x)


def _ladder() -> Ladder:
    return Ladder(domains={x: real(-2, 2), n: integer(1, 30), m: integer(1, 30)}, seed=7)


def test_the_value_at_one_is_the_triangular_number() -> None:
    value = _ladder().evaluate(GEOMETRIC)
    for size in range(1, 6):
        got = sp.simplify(value.subs({x: 1, n: size}).doit())
        assert got == sum(range(1, size + 1))  # d/dx sum x^k at 1 = 1 + 2 + ... + n, added up here


def test_sympys_case_split_form_is_refuted_at_one() -> None:
    wrong = GEOMETRIC.doit()
    assert wrong.subs({x: 1}) == 0  # the SymPy behaviour this guards against
    v = _ladder().equal(GEOMETRIC, wrong)
    assert v.ok is False and v.counterexample is not None and v.counterexample["x"] == "1"


def test_the_sum_of_derivatives_is_proved() -> None:
    v = _ladder().equal(GEOMETRIC, sp.Sum(k * x ** (k - 1), (k, 1, n)))
    assert v.ok and v.symbolic


def test_inside_an_expression_and_a_bound_in_the_variable() -> None:
    outer = sp.Derivative(3 * sp.Sum(x**k, (k, 1, n)) + x, x)
    assert differentiate_under_sums(outer) == 3 * sp.Sum(k * x**k / x, (k, 1, n)) + 1
    held = sp.Derivative(sp.Sum(k * m, (k, 1, m)), m)  # a bound in the variable: left as it is
    assert differentiate_under_sums(held) == held
    assert differentiate_under_sums(x**2) == x**2
