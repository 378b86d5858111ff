"""Equations: a labelled table, each label checked by an independent evaluation of solution sets.

Each row gives the answer, the expected equation, the label, and ``lhs - rhs`` of each side written
by hand as an mpmath function (``None`` for unreadable or hostile input). The independent check
finds the real zeros of both functions at 50 digits (for each of a few fixed x in two-variable
rows, the zeros in y) by sign changes on a fine grid refined by bisection, and labels the row
``correct`` exactly when each function vanishes at every zero of the other.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from mpmath import mp, mpf

import derive

mp.dps = 50
F = Callable[..., Any] | None
LINE: F = lambda x, y: y - (2 * x + 1)  # noqa: E731 - the expected line y = 2x + 1
TWO: F = lambda x: x - 2  # noqa: E731

# (label, answer, expected, answer's lhs - rhs, expected's lhs - rhs)
ROWS: list[tuple[str, str, str, F, F]] = [
    ("correct", "2x - y = -1", "y = 2x + 1", lambda x, y: 2 * x - y + 1, LINE),
    ("correct", "y - 2x = 1", "y = 2x + 1", lambda x, y: y - 2 * x - 1, LINE),
    ("correct", "4x - 2y = -2", "y = 2x + 1", lambda x, y: 4 * x - 2 * y + 2, LINE),
    ("correct", "y/2 = x + 1/2", "y = 2x + 1", lambda x, y: y / 2 - x - mpf(1) / 2, LINE),
    ("correct", "2x + 1 = y", "y = 2x + 1", lambda x, y: 2 * x + 1 - y, LINE),
    ("correct", "-y = -2x - 1", "y = 2x + 1", lambda x, y: -y + 2 * x + 1, LINE),
    ("correct", "3(y - 1) = 6x", "y = 2x + 1", lambda x, y: 3 * (y - 1) - 6 * x, LINE),
    ("correct", "(y - 1)/2 = x", "y = 2x + 1", lambda x, y: (y - 1) / 2 - x, LINE),
    ("correct", "y = 1 + 2x", "y = 2x + 1", lambda x, y: y - 1 - 2 * x, LINE),
    ("correct", "x^2 + y^2 = 1", "y^2 = 1 - x^2", lambda x, y: x**2 + y**2 - 1, lambda x, y: y**2 - 1 + x**2),
    ("correct", "x^3 = 8", "x = 2", lambda x: x**3 - 8, TWO),
    ("correct", "2x = 4", "x = 2", lambda x: 2 * x - 4, TWO),
    ("correct", "x/2 = 1", "x = 2", lambda x: x / 2 - 1, TWO),
    ("correct", "exp(x) = e^2", "x = 2", lambda x: mp.exp(x) - mp.e**2, TWO),
    ("correct", "(x - 2)(x + 3) = 0", "x^2 + x - 6 = 0", lambda x: (x - 2) * (x + 3), lambda x: x**2 + x - 6),
    ("correct", "x^2 + x = 6", "x^2 + x - 6 = 0", lambda x: x**2 + x - 6, lambda x: x**2 + x - 6),
    # a factor with no real zero: the same solution set (proved by SymPy's assumptions)
    ("correct", "(y - 2x - 1)(x^2 + 1) = 0", "y = 2x + 1", lambda x, y: (y - 2 * x - 1) * (x**2 + 1), LINE),
    ("correct", "(y - 2x - 1) exp(x) = 0", "y = 2x + 1", lambda x, y: (y - 2 * x - 1) * mp.exp(x), LINE),
    ("correct", "(y - 2x - 1)/(y^2 + 1) = 0", "y = 2x + 1", lambda x, y: (y - 2 * x - 1) / (y**2 + 1), LINE),
    ("incorrect", "(y - 2x - 1)(x^2 - 1.69) = 0", "y = 2x + 1",
     lambda x, y: (y - 2 * x - 1) * (x**2 - mpf("1.69")), LINE),
    ("incorrect", "(y - 2x - 1)(x^2 + 1)(x - 0.4) = 0", "y = 2x + 1",
     lambda x, y: (y - 2 * x - 1) * (x**2 + 1) * (x - mpf("0.4")), LINE),
    ("incorrect", "y = 2x + 2", "y = 2x + 1", lambda x, y: y - 2 * x - 2, LINE),
    ("incorrect", "y = -2x + 1", "y = 2x + 1", lambda x, y: y + 2 * x - 1, LINE),
    ("incorrect", "y = x + 1", "y = 2x + 1", lambda x, y: y - x - 1, LINE),
    ("incorrect", "x (y - 2x - 1) = 0", "y = 2x + 1", lambda x, y: x * (y - 2 * x - 1), LINE),
    ("incorrect", "(y - 2x - 1) max(x, 0) = 0", "y = 2x + 1", lambda x, y: (y - 2 * x - 1) * max(x, 0), LINE),
    ("incorrect", "y (1 if x > 0 else 0) = (2x + 1)(1 if x > 0 else 0)", "y = 2x + 1",
     lambda x, y: (y - 2 * x - 1) * (1 if x > 0 else 0), LINE),
    ("incorrect", "x^2 + y^2 = 2", "x^2 + y^2 = 1", lambda x, y: x**2 + y**2 - 2, lambda x, y: x**2 + y**2 - 1),
    ("incorrect", "x^2 = 4", "x = 2", lambda x: x**2 - 4, TWO),
    ("incorrect", "x = 3", "x = 2", lambda x: x - 3, TWO),
    ("incorrect", "x = -2", "x^2 + x - 6 = 0", lambda x: x + 2, lambda x: x**2 + x - 6),
    ("incorrect", "x = 2.0000001", "x = 2", lambda x: x - mpf("2.0000001"), TWO),
    ("incorrect", "x = x", "x = 2", lambda x: x - x, TWO),
    ("incorrect", "2x + 1", "y = 2x + 1", None, LINE),  # an expression where an equation is asked
    ("invalid", "y = 2x +", "y = 2x + 1", None, LINE),
    ("invalid", "y = 2x + 1 = 3", "y = 2x + 1", None, LINE),
    ("invalid", "= 2x + 1", "y = 2x + 1", None, LINE),
    ("invalid", "y < 2x = 1", "y = 2x + 1", None, LINE),
    ("invalid", "y = __import__('os')", "y = 2x + 1", None, LINE),
    ("invalid", "y = 9^9^9^9", "y = 2x + 1", None, LINE),
    ("invalid", "y = " + "x*" * 1500 + "1", "y = 2x + 1", None, LINE),
    ("invalid", "y = " + "(" * 100 + "x" + ")" * 100, "y = 2x + 1", None, LINE),
]  # fmt: skip

GRID = [mpf(k) / 20 - 10 for k in range(401)]
XS = (mpf("-1.3"), mpf(0), mpf("0.4"), mpf("2.7"))  # x <= 0 too: factors that vanish there


def _zeros(f: Callable[[Any], Any]) -> list[Any] | None:
    """The zeros of ``f`` on [-10, 10] (``None``: zero everywhere on the grid)."""
    vals = [f(t) for t in GRID]
    if all(abs(v) < mpf(10) ** -40 for v in vals):
        return None
    out = [t for t, v in zip(GRID, vals, strict=True) if v == 0]
    for (a, fa), (b, fb) in zip(zip(GRID, vals, strict=True), zip(GRID[1:], vals[1:], strict=True), strict=False):
        if fa * fb < 0:
            for _ in range(170):  # bisection to 50 digits
                m = (a + b) / 2
                if f(m) * fa <= 0:
                    b = m
                else:
                    a, fa = m, f(m)
            out.append((a + b) / 2)
    return out


def _agree(fa: Callable[[Any], Any], fe: Callable[[Any], Any]) -> bool:
    za, ze = _zeros(fa), _zeros(fe)
    if za is None or ze is None:
        return za is None and ze is None

    def vanish(f: Callable[[Any], Any], pts: list[Any]) -> bool:
        return all(abs(f(p)) < mpf(10) ** -30 for p in pts)

    return vanish(fa, ze) and vanish(fe, za)


def _independent(row: tuple[str, str, str, F, F]) -> str:
    label, _, _, fa, fe = row
    if fa is None:
        return "invalid" if label == "invalid" else "incorrect"  # unreadable, or not an equation
    assert fe is not None
    if fe.__code__.co_argcount == 2:
        same = all(_agree(lambda y, x=x: fa(x, y), lambda y, x=x: fe(x, y)) for x in XS)
    else:
        same = _agree(fa, fe)
    return "correct" if same else "incorrect"


@pytest.mark.parametrize("row", ROWS, ids=[f"{r[0]}:{r[1][:30]}" for r in ROWS])
def test_equations(row: tuple[str, str, str, F, F]) -> None:
    label, answer, expected, _, _ = row
    assert _independent(row) == label, "the label disagrees with the mpmath evaluation"
    v = derive.equivalent(answer, expected)
    assert v.status == label, v.message


def test_lost_and_extra_solutions_are_named() -> None:
    v = derive.equivalent("x^2 = 4", "x = 2")
    assert v.counterexample == {"point": {"x": "-2"}, "solves": "answer"}
    v = derive.equivalent("x = 2", "x^2 = 4")
    assert v.counterexample == {"point": {"x": "-2"}, "solves": "expected"}
    assert v.diagnosis == "a different solution set"


def test_witness_point_solves_one_equation_only() -> None:
    from fractions import Fraction

    v = derive.equivalent("y = 2x + 2", "y = 2x + 1")
    assert v.counterexample is not None
    p = {k: Fraction(s) for k, s in v.counterexample["point"].items()}
    assert p["y"] == 2 * p["x"] + 1 and p["y"] != 2 * p["x"] + 2  # on the expected line, off the answer's


def test_a_factor_nonzero_only_on_the_domain() -> None:
    """``x (y - 2x - 1) = 0`` is the line for positive x (x is never zero there), not for real x."""
    line = "y = 2x + 1"
    assert derive.equivalent("x (y - 2x - 1) = 0", line, {"x": "positive", "y": "real"}).status == "correct"
    assert derive.equivalent("x (y - 2x - 1) = 0", line, {"x": "real", "y": "real"}).status == "incorrect"


def test_domain_restricts_solutions() -> None:
    assert derive.equivalent("x^2 = 4", "x = 2", {"x": "positive"}).correct


def test_costly_answers_end_on_grading_threads() -> None:
    """derive.grade runs rows on threads, where no signal interrupts SymPy: the kinds' own SymPy
    work runs in a child process there, killed at the answer's deadline."""
    import time

    rows = [
        {"expected": "x = 2", "answer": "x^100 - 3x^17 + 1 = 0"},
        {"expected": "x > 2", "answer": "x^100 > 3x^17 - 1"},
        {"expected": "y = 2x + 1", "answer": "exp(x) + x^5 = sin(x) y"},
        {"expected": "x = 2", "answer": "x^3 = 8"},
    ]
    start = time.perf_counter()
    graded = derive.grade(rows, jobs=2)
    assert [r["status"] for r in graded] == ["undecided", "undecided", "incorrect", "correct"]
    assert time.perf_counter() - start < 20
