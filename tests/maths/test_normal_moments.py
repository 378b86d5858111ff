"""Gaussian integrals of polynomials, term by term, agree with SymPy's own integration and with mpmath
quadrature; integrals of any other form are left alone."""

from __future__ import annotations

import mpmath
import pytest
import sympy as sp

from derive.maths.normal_moments import gaussian_polynomial_integrals

x, y, t1, t2 = sp.symbols("x y t1 t2", real=True)
mu = sp.Symbol("mu", real=True)
s, v = sp.symbols("s v", positive=True)
S = sp.IndexedBase("s", positive=True)
i = sp.Symbol("i", integer=True)
oo = sp.oo
AT = {mu: sp.Rational(3, 7), s: sp.Rational(5, 4), v: sp.Rational(2, 3), S[i]: sp.Rational(9, 5)}

EVALUATED = [
    sp.Integral((x**2 / 2 - x * mu / s**2 - sp.log(s)) * sp.exp(-((x - mu) ** 2) / (2 * s**2)), (x, -oo, oo)),
    sp.Integral((t1**2 * (S[i] ** 2 - 1) + t1 * mu * S[i] - sp.log(S[i])) * sp.exp(-(t1**2) / 2), (t1, -oo, oo)),
    sp.Integral(
        (t1**2 * t2**2 * v + 2 * t1 * t2 * mu) * sp.exp(-(t1**2) / 2) * sp.exp(-(t2**2) / 2),
        (t1, -oo, oo),
        (t2, -oo, oo),
    ),
    sp.Integral(x**3 * sp.exp(-3 * x**2 + 2 * x * mu + 1), (x, -oo, oo)),
]
LEFT = [
    sp.Integral(sp.exp(-(x**2) - x * y - y**2), (x, -oo, oo), (y, -oo, oo)),  # a cross term
    sp.Integral(sp.Max(x, 0) * sp.exp(-(x**2) / 2), (x, -oo, oo)),  # not a polynomial factor
    sp.Integral(x**2 * sp.exp(-mu * x**2), (x, -oo, oo)),  # a = mu: not known positive
    sp.Integral(x**2 * sp.exp(-(x**2)), (x, 0, oo)),  # a half line
    sp.Integral(x**2, (x, -oo, oo)),  # no kernel: divergent
]


def _quad(e: sp.Integral) -> mpmath.mpf:
    body = sp.lambdify([lim[0] for lim in e.limits], e.function.subs(AT), "mpmath")
    return mpmath.quad(body, *([-mpmath.inf, mpmath.inf] for _ in e.limits))


@pytest.mark.parametrize("integral", EVALUATED, ids=range(len(EVALUATED)))
def test_the_value_is_sympys_and_quadratures(integral: sp.Integral) -> None:
    got = gaussian_polynomial_integrals(integral)
    assert not got.has(sp.Integral)
    value = sp.N(got.subs(AT), 30)
    assert abs(value - sp.N(integral.doit(conds="none").subs(AT), 30)) < 1e-25 * (1 + abs(value))
    if len(integral.limits) == 1:  # mpmath's 2-D quadrature over the plane takes tens of seconds
        assert abs(value - _quad(integral)) < 1e-10 * (1 + abs(value))


@pytest.mark.parametrize("integral", LEFT, ids=range(len(LEFT)))
def test_other_integrals_are_left_alone(integral: sp.Integral) -> None:
    assert gaussian_polynomial_integrals(integral) == integral


def test_a_wrong_moment_would_show() -> None:
    """The fourth moment of the standard normal is 3 (times the normaliser), not 1: a sanity bound on
    what the module computes, against the textbook value."""
    got = gaussian_polynomial_integrals(sp.Integral(x**4 * sp.exp(-(x**2) / 2) / sp.sqrt(2 * sp.pi), (x, -oo, oo)))
    assert sp.simplify(got) == 3
