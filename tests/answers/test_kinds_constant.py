"""Answers equal up to an additive constant: a labelled table checked by an independent evaluation.

Each row gives the answer, the expected antiderivative, the label, and both as mpmath functions
of x at 50 digits (``None`` for unreadable or hostile input). The independent check evaluates the
difference at seven points of the domain: the label is ``correct`` exactly when it is the same
constant at all of them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from mpmath import mp, mpf

import derive

mp.dps = 50
Fn = Callable[[Any], Any] | None
POS = {"x": "positive"}

# (label, answer, expected, variables, answer F(x), expected F(x))
ROWS: list[tuple[str, str, str, dict[str, str] | None, Fn, Fn]] = [
    ("correct", "x^2/2", "x^2/2", None, lambda x: x**2 / 2, lambda x: x**2 / 2),
    ("correct", "x^2/2 + 7", "x^2/2", None, lambda x: x**2 / 2 + 7, lambda x: x**2 / 2),
    ("correct", "(x^2 + 1)/2", "x^2/2", None, lambda x: (x**2 + 1) / 2, lambda x: x**2 / 2),
    ("correct", "x^2/2 + C", "x^2/2", None, lambda x: x**2 / 2, lambda x: x**2 / 2),
    ("correct", "sin(x)^2", "-cos(x)^2", None, lambda x: mp.sin(x) ** 2, lambda x: -mp.cos(x) ** 2),
    ("correct", "-cos(2x)/4", "sin(x)^2/2", None, lambda x: -mp.cos(2 * x) / 4, lambda x: mp.sin(x) ** 2 / 2),
    ("correct", "sin(x^2)", "sin(x^2) + 1", None, lambda x: mp.sin(x**2), lambda x: mp.sin(x**2) + 1),
    ("correct", "log(3x)", "log(x)", POS, lambda x: mp.log(3 * x), mp.log),
    ("correct", "log(x^2)/2", "log(x)", POS, lambda x: mp.log(x**2) / 2, mp.log),
    ("correct", "x log(x) - x + 5", "x log(x) - x", POS, lambda x: x * mp.log(x) - x + 5, lambda x: x * mp.log(x) - x),
    ("correct", "exp(x + 1)", "e exp(x)", None, lambda x: mp.exp(x + 1), lambda x: mp.e * mp.exp(x)),
    ("correct", "atan(x) + pi", "atan(x)", None, lambda x: mp.atan(x) + mp.pi, mp.atan),
    ("correct", "-atan(1/x)", "atan(x)", POS, lambda x: -mp.atan(1 / x), mp.atan),
    ("correct", "tanh(x)^2", "-sech(x)^2", None, lambda x: mp.tanh(x) ** 2, lambda x: -mp.sech(x) ** 2),
    ("correct", "(x + 1)^3/3", "x^3/3 + x^2 + x", None, lambda x: (x + 1) ** 3 / 3, lambda x: x**3 / 3 + x**2 + x),
    ("correct", "sqrt(1 + x^2) - 2", "sqrt(1 + x^2)", None, lambda x: mp.sqrt(1 + x**2) - 2, lambda x: mp.sqrt(1 + x**2)),  # noqa: E501
    ("incorrect", "x^2", "x^2/2", None, lambda x: x**2, lambda x: x**2 / 2),
    ("incorrect", "x^2/2 + x", "x^2/2", None, lambda x: x**2 / 2 + x, lambda x: x**2 / 2),
    ("incorrect", "cos(x)^2", "-cos(x)^2", None, lambda x: mp.cos(x) ** 2, lambda x: -mp.cos(x) ** 2),
    ("incorrect", "-sin(x^2)", "sin(x^2)", None, lambda x: -mp.sin(x**2), lambda x: mp.sin(x**2)),
    ("incorrect", "log(x) + x", "log(x)", POS, lambda x: mp.log(x) + x, mp.log),
    ("incorrect", "2 log(x)", "log(x)", POS, lambda x: 2 * mp.log(x), mp.log),
    ("incorrect", "x exp(x)", "exp(x)", None, lambda x: x * mp.exp(x), mp.exp),
    ("incorrect", "x^3/3 + x^2", "x^3/3 + x^2 + x", None, lambda x: x**3 / 3 + x**2, lambda x: x**3 / 3 + x**2 + x),
    ("incorrect", "atan(2x)", "atan(x)", None, lambda x: mp.atan(2 * x), mp.atan),
    ("incorrect", "x^2/2.0000001", "x^2/2", None, lambda x: x**2 / mpf("2.0000001"), lambda x: x**2 / 2),
    ("incorrect", "sqrt(x^2)", "x", None, lambda x: abs(x), lambda x: x),
    ("invalid", "x^2/2 +", "x^2/2", None, None, lambda x: x**2 / 2),
    ("invalid", "x^2/2, x) - diff(x, x", "x^2/2", None, None, lambda x: x**2 / 2),  # cannot splice into diff()
    ("invalid", "x^2 = 2", "x^2/2", None, None, lambda x: x**2 / 2),
    ("invalid", "__import__('os')", "x^2/2", None, None, lambda x: x**2 / 2),
    ("invalid", "x^(9^9^9^9)", "x^2/2", None, None, lambda x: x**2 / 2),
    ("invalid", "x" + "+x" * 1500, "x^2/2", None, None, lambda x: x**2 / 2),
    ("invalid", "(" * 100 + "x" + ")" * 100, "x^2/2", None, None, lambda x: x**2 / 2),
]  # fmt: skip

POINTS = [mpf(s) for s in ("0.3", "0.9", "1.7", "2.2", "3.1", "0.55", "1.25")]
NEGATIVE = [mpf(s) for s in ("-0.4", "-1.3", "-2.6")]  # on the reals too, unless x is positive


def _independent(row: tuple[str, str, str, dict[str, str] | None, Fn, Fn]) -> str:
    _, _, _, variables, fa, fe = row
    if fa is None:
        return "invalid"
    assert fe is not None
    diffs = [fa(x) - fe(x) for x in POINTS + ([] if variables == POS else NEGATIVE)]
    same = all(abs(d - diffs[0]) < mpf(10) ** -40 for d in diffs)
    return "correct" if same else "incorrect"


@pytest.mark.parametrize("row", ROWS, ids=[f"{r[0]}:{r[1][:30]}" for r in ROWS])
def test_up_to_a_constant(row: tuple[str, str, str, dict[str, str] | None, Fn, Fn]) -> None:
    label, answer, expected, variables, _, _ = row
    assert _independent(row) == label, "the label disagrees with the mpmath evaluation"
    v = derive.equivalent(answer, expected, variables, up_to_constant=True)
    assert v.status == label, v.message


def test_without_the_option_a_constant_is_wrong() -> None:
    assert derive.equivalent("x^2/2 + 7", "x^2/2").status == "incorrect"


def test_two_variables_need_every_partial_derivative() -> None:
    v = {"x": "real", "y": "real"}
    assert derive.equivalent("x y + 3", "x y", v, up_to_constant=True).correct
    assert derive.equivalent("x y + y", "x y", v, up_to_constant=True).status == "incorrect"
