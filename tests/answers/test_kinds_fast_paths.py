"""The exact shortcuts of the equation and interval judges (issue 16, speed): a polynomial with
rational coefficients is solved by ``real_roots``/``solve_poly_inequality`` instead of
``solveset``, and membership of a rational point in a set with rational ends is decided by exact
comparisons instead of ``contains``. Each is checked against the general SymPy routine on seeded
random cases, and the judges still refuse wrong answers that take the shortcuts."""

from __future__ import annotations

import random

import pytest
import sympy as sp

import derive
from derive.answers.kinds.base import rational_polynomial, solve_polynomial
from derive.answers.kinds.intervals import _member_rational

x = sp.Symbol("x", real=True)
DOMAINS = [sp.S.Reals, sp.Interval.open(0, sp.oo), sp.Interval.Ropen(sp.Rational(-1, 2), 3)]
OPS = ["<", ">", "<=", ">=", "=="]


def _random_polynomial(rng: random.Random) -> sp.Expr:
    """A product of rational linear factors (some repeated), times an optional irreducible quadratic."""
    factors = [x - sp.Rational(rng.randint(-6, 6), rng.randint(1, 3)) for _ in range(rng.randint(1, 2))]
    if rng.random() < 0.3:
        factors.append(factors[0])  # a double root
    extra = rng.choice([1, 1, x**2 + 1, x**2 - 2, -1, sp.Rational(3, 2)])
    return sp.expand(extra * sp.Mul(*factors))


def _same_set(a: sp.Set, b: sp.Set) -> bool:
    return a == b or (sp.Complement(a, b) is sp.S.EmptySet and sp.Complement(b, a) is sp.S.EmptySet)


@pytest.mark.parametrize("seed", range(3))
def test_polynomial_shortcut_agrees_with_solveset(seed: int) -> None:
    rng = random.Random(seed)
    for _ in range(3):
        p = _random_polynomial(rng)
        poly = rational_polynomial(p, x)
        assert poly is not None
        for op in OPS:
            rel = sp.Eq(p, 0) if op == "==" else sp.Rel(p, 0, op)
            for domain in DOMAINS:
                fast = solve_polynomial(rel if op != "==" else p, poly, domain)
                assert fast is not None
                assert _same_set(fast, sp.solveset(rel, x, domain)), (p, op, domain, fast)


def test_polynomial_shortcut_declines_what_it_cannot_decide_exactly() -> None:
    y = sp.Symbol("y")
    assert rational_polynomial(sp.sqrt(2) * x - 1, x) is None  # irrational coefficient
    assert rational_polynomial(y * x - 1, x) is None  # a symbolic coefficient
    assert rational_polynomial(1 / x - 1, x) is None  # not a polynomial
    assert rational_polynomial(sp.Integer(3), x) is None  # no x
    poly = rational_polynomial(x - 1, x)
    assert poly is not None
    assert solve_polynomial(sp.Ne(x - 1, 0), poly, sp.S.Reals) is None  # != goes to solveset
    assert solve_polynomial(x - 1, poly, sp.S.Integers) is None  # not an interval


@pytest.mark.parametrize("seed", range(4))
def test_rational_membership_agrees_with_contains(seed: int) -> None:
    rng = random.Random(100 + seed)

    def q() -> sp.Rational:
        return sp.Rational(rng.randint(-8, 8), rng.randint(1, 4))

    for _ in range(40):
        lo, hi = sorted([q(), q()])
        pieces: list[sp.Set] = [
            sp.Interval(lo, hi, rng.random() < 0.5, rng.random() < 0.5),
            sp.FiniteSet(q(), q()),
            sp.Interval(hi + 1, sp.oo, rng.random() < 0.5),
        ]
        s = sp.Union(*rng.sample(pieces, rng.randint(1, 3)))
        for v in [lo, hi, hi + 1, q(), q(), (lo + hi) / 2]:
            want = s.contains(v)
            assert _member_rational(s, v) is (want is sp.true), (s, v)
    assert _member_rational(sp.Interval(0, sp.sqrt(2)), sp.Integer(1)) is None  # an irrational end
    assert _member_rational(sp.Interval(0, 2), sp.sqrt(2)) is None  # an irrational point


# (answer, expected, variables, status): answers whose every set or root takes a shortcut
JUDGED = [
    ("2x + 1 > 0", "(-1/2, oo)", None, "correct"),
    ("2x + 1 > 0", "[-1/2, oo)", None, "incorrect"),
    ("-x > -2", "x < 2", None, "correct"),
    ("-x > -2", "x > 2", None, "incorrect"),
    ("x^2 > 1", "(1, oo)", None, "incorrect"),
    ("x^2 > 1", "(-oo, -1) U (1, oo)", None, "correct"),
    ("x^2 >= 1", "(-oo, -1) U (1, oo)", None, "incorrect"),
    ("x <= 3", "(-oo, 3)", None, "incorrect"),
    ("(x-1)^2 > 0", "(-oo, 1) U (1, oo)", None, "correct"),
    ("(x-1)^2 >= 0", "(-oo, 1) U (1, oo)", None, "incorrect"),
    ("x^3 - x < 0", "(-oo, -1) U (0, 1)", None, "correct"),
    ("x^3 - x < 0", "(-oo, -1) U [0, 1)", None, "incorrect"),
    ("2x + 3 = 0", "x = -3/2", None, "correct"),
    ("2x + 3 = 0", "x = 3/2", None, "incorrect"),
    ("x^2 = 2", "x = sqrt(2)", None, "incorrect"),
    ("(x - 1)^2 = 0", "x = 1", None, "correct"),
    ("x^2 = 4", "x = 2", {"x": "positive"}, "correct"),
    ("x^2 = 4", "x = 2", None, "incorrect"),
    ("4x - 2y = -2", "y = 2x + 1", None, "correct"),
    ("4x - 2y = -3", "y = 2x + 1", None, "incorrect"),
    ("y = 2x", "y = 2x + 1", None, "incorrect"),
]


@pytest.mark.parametrize(("answer", "expected", "variables", "status"), JUDGED)
def test_judges_on_the_shortcuts(answer: str, expected: str, variables: dict[str, str] | None, status: str) -> None:
    v = derive.equivalent(answer, expected, variables)
    assert v.status == status, v.message
    if status == "incorrect":
        assert v.counterexample, v.message
