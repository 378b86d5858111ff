"""A derivative of a sum taken at a numeric point: the point is substituted before the sum is evaluated.

``Subs(Derivative(Sum(f_i(s, t), (i, 1, m)), s, t), (s, t), (0, 0)).doit()`` summed the polynomial in
s, t term by term (60 s for the Gauss-Newton Hessian) and only then set s = t = 0; the ladder now puts
the point in first (:func:`numeric_points_first`). It must still refuse a wrong step of that shape."""

from __future__ import annotations

import time

import sympy as sp

from derive.maths.domains import integer, real
from derive.verify.ladder import Ladder, numeric_points_first

i = sp.Symbol("i", integer=True, positive=True)
m = sp.Symbol("m", integer=True, positive=True)
s, t, x = sp.symbols("s t x", real=True)
r, J, H = (sp.IndexedBase(name, real=True) for name in ("r", "J", "H"))
# r_i(theta + s e_1 + t e_2) to second order, and L = 1/2 sum_i r_i^2 along it
MOVED = r[i] + s * J[i, 1] + t * J[i, 2] + (s**2 * H[i, 1, 1] + 2 * s * t * H[i, 1, 2] + t**2 * H[i, 2, 2]) / 2
LOSS = sp.Sum(MOVED**2, (i, 1, m)) / 2
HESS = sp.Subs(sp.Derivative(LOSS, s, t), (s, t), (0, 0))
GRAD = sp.Subs(sp.Derivative(LOSS, s), (s, t), (0, 0))
RIGHT_HESS = sp.Sum(J[i, 1] * J[i, 2] + r[i] * H[i, 1, 2], (i, 1, m))


def _ladder() -> Ladder:
    return Ladder(
        domains={
            m: integer(1, 5),
            s: real(-3, 3),
            t: real(-3, 3),
            x: real(-3, 3),
            **{b: real(-3, 3) for b in (r, J, H)},
        },
        seed=3,
    )


def test_the_gauss_newton_hessian_is_proved_quickly() -> None:
    start = time.process_time()
    v = _ladder().equal(HESS, RIGHT_HESS)
    assert v.ok is True and v.symbolic, v
    assert time.process_time() - start < 15  # it took 60 s when the sum was evaluated before s = t = 0


def test_a_wrong_hessian_of_the_same_shape_is_refused() -> None:
    """J^T J alone (the residual term dropped), and the residual term with a factor of two."""
    ladder = _ladder()
    assert ladder.equal(HESS, sp.Sum(J[i, 1] * J[i, 2], (i, 1, m))).ok is False
    assert ladder.equal(HESS, sp.Sum(J[i, 1] * J[i, 2] + 2 * r[i] * H[i, 1, 2], (i, 1, m))).ok is False


def test_the_gradient_and_a_wrong_gradient() -> None:
    ladder = _ladder()
    assert ladder.equal(GRAD, sp.Sum(J[i, 1] * r[i], (i, 1, m))).ok is True
    assert ladder.equal(GRAD, sp.Sum(J[i, 2] * r[i], (i, 1, m))).ok is False  # the other direction


def test_a_held_derivative_or_a_symbolic_point_is_left_to_subs() -> None:
    """The value of a derivative needs the neighbourhood of the point; a symbolic point is not put in."""
    held = sp.Subs(sp.Derivative(sp.Function("f")(x), x), x, 0)
    assert numeric_points_first(held) == held
    symbolic = sp.Subs(sp.Sum(x * i, (i, 1, m)), x, m)
    assert numeric_points_first(symbolic) == symbolic
    numeric = sp.Subs(sp.Sum(x * r[i], (i, 1, m)), x, 2)
    assert numeric_points_first(numeric) == sp.Sum(2 * r[i], (i, 1, m))


def test_a_point_where_the_function_differs_from_its_closed_form() -> None:
    """sum_{k=1}^{m} x^k at x = 1 is m: putting the point in first keeps the value (no case lost)."""
    k = sp.Symbol("k", integer=True)
    v = _ladder().equal(sp.Subs(sp.Sum(x**k, (k, 1, m)), x, 1), m)
    assert v.ok is True, v
    assert _ladder().equal(sp.Subs(sp.Sum(x**k, (k, 1, m)), x, 1), m + 1).ok is False
