"""Where the answer is undefined (issue 16, third bullet): compare only where the expected answer is
real and finite; an answer without a real value there is wrong and said so; never a non-real
counterexample for a real question; too few points where the expected answer is real: undecided.

Each row is an answer, the teacher's expected answer and variables, the verdict it must get, and two
mpmath functions computing both sides independently of the code under test at the test's own
points of each domain (60 digits). The label is checked against them first: points where the
expected value is not a finite real are skipped; ``incorrect`` iff at some remaining point the
answer is not a finite real or differs (beyond 40 digits); ``correct`` iff at least 3 points remain
and it agrees at all; ``undecided`` iff fewer than 3 remain. ``invalid`` rows have no values.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache
from typing import Any

import mpmath as mp
import pytest

from derive.answers.checker import judge
from derive.answers.question import Context, teacher_context

DPS = 60
TOL = mp.mpf(10) ** -40
#: the test's own points in each domain (not the checker's sample points)
VALUES = {
    "real": ["-7.3", "-2.1", "-0.6", "-0.05", "0.35", "0.8", "0.97", "1.7", "4.2", "9.5", "5.5", "6.3", "12.5"],
    "positive": ["0.3", "1.35", "3.9", "7.2", "0.05", "22"],
    "nonnegative": ["0", "0.3", "2.5", "8", "40"],
    "[-1, 1]": ["-1", "-0.6", "0", "0.45", "0.99", "1"],
    "(-1, 1)": ["-0.99", "-0.6", "0", "0.45", "0.9"],
    "(0, 1)": ["0.01", "0.3", "0.5", "0.77", "0.99"],
    "(1, inf)": ["1.01", "1.5", "3", "10", "50"],
}
R = {"x": "real"}
Fn = Callable[..., Any] | None
L = mp.log


# (answer, expected, variables, verdict, answer's value, expected value, what it tests)
CASES: list[tuple[str, str, dict[str, str], str, Fn, Fn, str]] = [
    # -- the examples, and others equal where the expected answer is real
    ("log((x+1)/(1-x))", "-log((1-x)/(x+1))", R, "correct", lambda x: L((x + 1) / (1 - x)),
     lambda x: -L((1 - x) / (x + 1)), "log of a ratio, real on (-1, 1) only"),
    ("log((x+1)/(1-x))", "-log((1-x)/(x+1))", {"x": "(-1, 1)"}, "correct", lambda x: L((x + 1) / (1 - x)),
     lambda x: -L((1 - x) / (x + 1)), "the same on its domain"),
    ("1/sqrt(x)", "sqrt(1/x)", R, "correct", lambda x: 1 / mp.sqrt(x), lambda x: mp.sqrt(1 / x),
     "root of a reciprocal"),
    ("1/sqrt(x)", "sqrt(1/x)", {"x": "positive"}, "correct", lambda x: 1 / mp.sqrt(x), lambda x: mp.sqrt(1 / x),
     "the same on x > 0"),
    ("sqrt(k/m)*sqrt(m/k)", "1", {"k": "positive", "m": "positive"}, "correct",
     lambda k, m: mp.sqrt(k / m) * mp.sqrt(m / k), lambda k, m: mp.mpf(1), "roots of reciprocals, positive"),
    ("2*atanh(x)", "log((1+x)/(1-x))", R, "correct", lambda x: 2 * mp.atanh(x), lambda x: L((1 + x) / (1 - x)),
     "atanh"),
    ("log(x^2)/2", "log(abs(x))", R, "correct", lambda x: L(x**2) / 2, lambda x: L(abs(x)), "log of a square"),
    ("sqrt(x^2)", "abs(x)", R, "correct", lambda x: mp.sqrt(x**2), lambda x: abs(x), "root of a square"),
    ("sqrt(x)*sqrt(x)", "x", {"x": "nonnegative"}, "correct", lambda x: mp.sqrt(x) ** 2, lambda x: x,
     "square of a root, x >= 0"),
    ("x^(1/2)", "sqrt(x)", R, "correct", lambda x: mp.power(x, 0.5), lambda x: mp.sqrt(x), "power one half"),
    ("log(x) - log(1-x)", "log(x/(1-x))", {"x": "(0, 1)"}, "correct", lambda x: L(x) - L(1 - x),
     lambda x: L(x / (1 - x)), "logit"),
    ("sqrt(x-1)*sqrt(x+1)", "sqrt(x^2-1)", {"x": "(1, inf)"}, "correct",
     lambda x: mp.sqrt(x - 1) * mp.sqrt(x + 1), lambda x: mp.sqrt(x**2 - 1), "product of roots, x > 1"),
    ("1/sqrt(1-x)/sqrt(1+x)", "1/sqrt(1-x^2)", R, "correct", lambda x: 1 / mp.sqrt(1 - x) / mp.sqrt(1 + x),
     lambda x: 1 / mp.sqrt(1 - x**2), "real on (-1, 1)"),
    ("asin(x) + acos(x)", "pi/2", {"x": "[-1, 1]"}, "correct", lambda x: mp.asin(x) + mp.acos(x),
     lambda x: mp.pi / 2, "on [-1, 1]"),
    ("exp(log(x))", "x", {"x": "positive"}, "correct", lambda x: mp.exp(L(x)), lambda x: x, "exp of log, x > 0"),
    ("1/(1 - 1/x)", "x/(x-1)", R, "correct", lambda x: 1 / (1 - 1 / x), lambda x: x / (x - 1),
     "isolated singularity at 0"),
    ("log(x - 5) + log(2)", "log(2*x - 10)", R, "correct", lambda x: L(x - 5) + L(2), lambda x: L(2 * x - 10),
     "real on x > 5 only: more points drawn there"),
    # -- undefined where the expected answer is defined, and near misses
    # (SymPy writes these as x while the answer is built: the parser keeps the lost condition)
    ("exp(log(x))", "x", R, "incorrect", lambda x: mp.exp(L(x)), lambda x: x, "exp of log, x < 0"),
    ("sqrt(x)^2", "x", R, "incorrect", lambda x: mp.sqrt(x) ** 2, lambda x: x, "square of a root, x < 0"),
    ("sqrt(x)*sqrt(x)", "x", R, "incorrect", lambda x: mp.sqrt(x) * mp.sqrt(x), lambda x: x, "root times root"),
    ("exp(2 log(x))", "x^2", R, "incorrect", lambda x: mp.exp(2 * L(x)), lambda x: x**2, "exp of 2 log"),
    ("x + log(x) - log(x)", "x", R, "incorrect", lambda x: x + L(x) - L(x), lambda x: x, "a log cancelled"),
    ("sqrt(x)^2", "x", {"x": "nonnegative"}, "correct", lambda x: mp.sqrt(x) ** 2, lambda x: x, "x >= 0"),
    ("sqrt(k/m)*sqrt(m/k)", "1", {"k": "real", "m": "real"}, "incorrect",
     lambda k, m: mp.sqrt(k / m) * mp.sqrt(m / k), lambda k, m: mp.mpf(1), "k/m < 0: no real value"),
    ("asin(x) + acos(x)", "pi/2", R, "incorrect", lambda x: mp.asin(x) + mp.acos(x), lambda x: mp.pi / 2,
     "undefined for |x| > 1"),
    ("log(x)", "log(abs(x))", R, "incorrect", lambda x: L(x), lambda x: L(abs(x)), "undefined for x < 0"),
    ("log(-x)", "log(abs(x))", R, "incorrect", lambda x: L(-x), lambda x: L(abs(x)), "undefined for x > 0"),
    ("sqrt(x)", "sqrt(abs(x))", R, "incorrect", lambda x: mp.sqrt(x), lambda x: mp.sqrt(abs(x)), "root, x < 0"),
    ("sqrt(-x^2)", "0", R, "incorrect", lambda x: mp.sqrt(-(x**2)), lambda x: mp.mpf(0), "imaginary everywhere"),
    ("(x^3)^(1/3)", "x", R, "incorrect", lambda x: mp.power(x**3, mp.mpf(1) / 3), lambda x: x,
     "principal cube root"),
    ("sqrt(x)*sqrt(x+1)", "sqrt(x^2+x)", R, "incorrect", lambda x: mp.sqrt(x) * mp.sqrt(x + 1),
     lambda x: mp.sqrt(x**2 + x), "product of roots, x < -1"),
    ("sqrt(x-1)*sqrt(x+1)", "sqrt(x^2-1)", R, "incorrect", lambda x: mp.sqrt(x - 1) * mp.sqrt(x + 1),
     lambda x: mp.sqrt(x**2 - 1), "product of roots, x < -1"),
    ("log((x+1)/(1-x))", "-log((1-x)/(x+1)) + 10^(-8)", R, "incorrect", lambda x: L((x + 1) / (1 - x)),
     lambda x: -L((1 - x) / (x + 1)) + mp.mpf(10) ** -8, "1e-8 off on (-1, 1)"),
    ("2*atanh(x)", "log((1+x)/(1-x))/2", R, "incorrect", lambda x: 2 * mp.atanh(x),
     lambda x: L((1 + x) / (1 - x)) / 2, "factor 4 on (-1, 1)"),
    ("log(0*x)", "log(x)", {"x": "positive"}, "incorrect", lambda x: L(0 * x), lambda x: L(x), "log of 0"),
    # -- too few points where the expected answer is real
    ("log((x-100)*(x-101))", "log(x-100) + log(x-101)", R, "undecided", lambda x: L((x - 100) * (x - 101)),
     lambda x: L(x - 100) + L(x - 101), "real only for x > 101"),
    ("x", "sqrt(-x^2 - 1)", R, "undecided", lambda x: x, lambda x: mp.sqrt(-(x**2) - 1), "never real"),
    # -- malformed and hostile
    ("1/(x-x)", "1/x", R, "invalid", None, None, "division by zero"),
    ("log(x", "log(x)", {"x": "positive"}, "invalid", None, None, "unclosed"),
    ("sqrt(x)^(10^10^10)", "x", R, "invalid", None, None, "huge power"),
]  # fmt: skip


def _points(variables: dict[str, str]) -> list[dict[str, Any]]:
    names = sorted(variables)
    n = max(len(VALUES[variables[v]]) for v in names)
    with mp.workdps(DPS):
        return [{v: mp.mpf(VALUES[variables[v]][(i + 2 * k) % len(VALUES[variables[v]])]) for k, v in enumerate(names)}
                for i in range(n)]  # fmt: skip


def _value(f: Callable[..., Any], p: dict[str, Any]) -> Any:
    """``f`` at ``p``, or ``None`` where it is not a finite real (a pole, a log of 0, a complex value)."""
    try:
        v = f(**p)
    except (ValueError, ZeroDivisionError):
        return None
    return v if isinstance(v, mp.mpf) and mp.isfinite(v) else None


def independent(answer: Callable[..., Any], expected: Callable[..., Any], variables: dict[str, str]) -> str:
    """The verdict from the two sides alone, on the test's points where the expected side is real."""
    compared = 0
    with mp.workdps(DPS):
        for p in _points(variables):
            e = _value(expected, p)
            if e is None:
                continue
            a = _value(answer, p)
            if a is None or abs(a - e) > TOL * max(abs(e), 1):
                return "incorrect"
            compared += 1
    return "correct" if compared >= 3 else "undecided"


def _real_text(text: str) -> bool:
    if text == "undefined":
        return True
    try:
        mp.mpf(text)
    except ValueError:
        return False
    return True


@cache
def context(expected: str, variables: tuple[tuple[str, str], ...]) -> Context:
    return teacher_context(expected, dict(variables))


@pytest.mark.parametrize("case", CASES, ids=[f"{c[6]}: {c[0][:30]}" for c in CASES])
def test_where_undefined(case: tuple[str, str, dict[str, str], str, Fn, Fn, str]) -> None:
    answer, expected, variables, label, fa, fe, _what = case
    v = judge(context(expected, tuple(sorted(variables.items()))), answer, budget=5.0)
    if label == "invalid":
        assert fa is None and fe is None
        assert v["status"] == "invalid", v["message"]
        return
    assert fa is not None and fe is not None
    assert independent(fa, fe, variables) == label, "the label disagrees with the independent evaluation"
    assert v["status"] == label, v["message"]
    if label == "incorrect":
        cex = v["counterexample"]
        assert all(_real_text(cex[k]) for k in ("answer", "expected")), f"a non-real value shown: {cex}"
        assert not re.search(r"\di\b", v["message"]), "a complex number in the message"


def test_undefined_answer_message_names_the_point() -> None:
    v = judge(context("log(abs(x))", (("x", "real"),)), "log(x)")
    assert v["status"] == "incorrect" and v["diagnosis"] == "undefined where the expected answer is defined"
    assert "undefined at x = -" in v["message"] and "where the expected answer is" in v["message"]
    assert v["counterexample"]["answer"] == "undefined"


def test_too_few_real_points_says_why() -> None:
    v = judge(context("sqrt(-x^2 - 1)", (("x", "real"),)), "x")
    assert v["status"] == "undecided" and "real at only 0 of" in v["message"]


def test_points_are_added_where_the_expected_answer_is_real() -> None:
    ctx = context("log(x - 5)", (("x", "real"),))
    real = [p for p in ctx.points if p and p[next(iter(p))] > 5]
    assert len(real) >= 18, "half the sample points lie where the expected answer is real"
