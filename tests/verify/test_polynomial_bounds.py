"""The exact polynomial-sign rung: a double root is fine for >= 0 and not for > 0, a sign change is refused,
Floats are refused (left to the other rungs), and a polynomial negative only on a width-2e-6 subinterval
(missed by the numeric rung's sample points) is not proved."""

from __future__ import annotations

import sympy as sp

from derive.maths.domains import interval, positive, real
from derive.verify.ladder import Ladder
from derive.verify.polynomial_bounds import METHOD, polynomial_sign, witness

x = sp.Symbol("x", real=True)
y = sp.Symbol("y", real=True)
ON_0_3 = {x: real(0, 3)}
ON_0_1 = {x: real(0, 1)}


def test_double_root_is_nonnegative_not_positive() -> None:
    square = x**2 - 2 * x + 1
    assert polynomial_sign(square, ON_0_3) is True
    assert polynomial_sign(square, ON_0_3, strict=True) is False
    assert witness(square, ON_0_3, strict=True) == {x: 1}  # the double root, exactly
    assert Ladder(domains=ON_0_3, seed=0).nonnegative(square).method == METHOD
    assert Ladder(domains=ON_0_3, seed=0).nonnegative(square, strict=True).ok is False


def test_sign_change_is_refused() -> None:
    cubic = x**3 - x
    assert polynomial_sign(cubic, {x: real(-2, 2)}) is False
    (point,) = witness(cubic, {x: real(-2, 2)}).values()
    assert -2 < point < 2 and cubic.subs(x, point) < 0
    assert Ladder(domains={x: real(-2, 2)}, seed=0).nonnegative(cubic).ok is False
    assert polynomial_sign(cubic, {x: real(1, 2)}) is True  # roots only at the left end
    assert polynomial_sign(cubic, {x: real(1, 2)}, strict=True) is None  # its root x = 1 is an end: not refuted


def test_floats_unbounded_and_several_variables_are_left_to_other_rungs() -> None:
    assert polynomial_sign(x**2 - 2.0 * x + 1, ON_0_3) is None
    assert polynomial_sign(x**2 - 2 * x + 1, {x: real(0, 3.5)}) is True  # a decimal end is read as 7/2
    assert polynomial_sign(x**2 + 1, {x: real()}) is None
    assert polynomial_sign(x**2 + 1, {x: positive()}) is None
    assert polynomial_sign(x**2 + y**2, {x: real(0, 1), y: real(0, 1)}) is None
    assert polynomial_sign(sp.sqrt(x + 1), ON_0_1) is None
    assert polynomial_sign(x + y, {x: real(0, 1), y: interval(0, x)}) is None


def test_adversarial_near_miss_is_not_proved() -> None:
    """(x - 1/3)^2 - 10^-12 < 0 only for |x - 1/3| < 10^-6: the exact rung counts its two roots and
    refutes the claim at an exact point between them (the numeric rung's samples miss that window)."""
    near = (x - sp.Rational(1, 3)) ** 2 - sp.Rational(1, 10**12)
    assert polynomial_sign(near, ON_0_1) is False
    assert polynomial_sign(near + sp.Rational(2, 10**12), ON_0_1, strict=True) is True
    v = Ladder(domains=ON_0_1, seed=0).nonnegative(near)
    assert v.ok is False and v.symbolic and v.method == METHOD, v
    (point,) = witness(near, ON_0_1).values()
    assert near.subs(x, point) < 0


def test_open_ends_read_as_closed() -> None:
    """x >= 0 on (0, 1] holds on the closure; x > 0 there is not proved by this rung (x = 0 on the closure)."""
    assert polynomial_sign(x, {x: positive(1)}) is True
    assert polynomial_sign(x, {x: positive(1)}, strict=True) is None
    assert polynomial_sign(sp.Integer(0) * x, ON_0_1) is None  # no variable left
