"""Numeric answers with a tolerance: a labelled table, each label checked independently.

Each row gives the answer, the expected value, the tolerance, the label, and both values as mpmath
numbers at 50 digits (``None`` for unreadable or hostile input). The independent check recomputes
the accepted width from the tolerance's definition (absolute, relative to the expected value, or
half a unit in the last of ``sf`` significant figures) and compares.
"""

from __future__ import annotations

from typing import Any

import pytest
from mpmath import mp, mpf

import derive
from derive.answers.kinds import tolerance

mp.dps = 50
PI, E = mp.pi, mp.e

# (label, answer, expected, tol, answer's value, expected's value)
ROWS: list[tuple[str, str, str, Any, Any, Any]] = [
    ("correct", "3.14", "pi", "3sf", mpf("3.14"), PI),
    ("correct", "3.142", "pi", "3sf", mpf("3.142"), PI),
    ("correct", "3.1416", "pi", "4 sig figs", mpf("3.1416"), PI),
    ("correct", "22/7", "pi", "3sf", mpf(22) / 7, PI),
    ("correct", "3.14159", "pi", 1e-5, mpf("3.14159"), PI),
    ("correct", "3.1", "pi", 0.05, mpf("3.1"), PI),
    ("correct", "2.718", "e", "rel=1e-3", mpf("2.718"), E),
    ("correct", "2.72", "e", "1%", mpf("2.72"), E),
    ("correct", "0.333", "1/3", "abs=0.001", mpf("0.333"), mpf(1) / 3),
    ("correct", "0.33", "1/3", "2sf", mpf("0.33"), mpf(1) / 3),
    ("correct", "1.41", "sqrt(2)", "3sf", mpf("1.41"), mp.sqrt(2)),
    ("correct", "6.02e23", "6.022e23", "3sf", mpf("6.02e23"), mpf("6.022e23")),
    ("correct", "1.6e-19", "1.602e-19", "2sf", mpf("1.6e-19"), mpf("1.602e-19")),
    ("correct", "sqrt(2)", "1.4142", "abs=1e-4", mp.sqrt(2), mpf("1.4142")),
    ("correct", "100", "99.5", {"abs": 0.5}, mpf(100), mpf("99.5")),
    ("correct", "-2.50", "-5/2", "3sf", mpf("-2.5"), mpf("-2.5")),
    ("correct", "0", "0.0004", "abs=0.001", mpf(0), mpf("0.0004")),
    ("incorrect", "3.15", "pi", "3sf", mpf("3.15"), PI),
    ("incorrect", "3.1", "pi", "3sf", mpf("3.1"), PI),
    ("incorrect", "22/7", "pi", "4sf", mpf(22) / 7, PI),
    ("incorrect", "2.7", "e", "rel=1e-3", mpf("2.7"), E),
    ("incorrect", "0.3", "1/3", "abs=0.01", mpf("0.3"), mpf(1) / 3),
    ("incorrect", "31.4", "pi", "3sf", mpf("31.4"), PI),
    ("incorrect", "-3.14", "pi", "3sf", mpf("-3.14"), PI),
    ("incorrect", "6.0e23", "6.022e23", "3sf", mpf("6.0e23"), mpf("6.022e23")),
    ("incorrect", "1.42", "sqrt(2)", "3sf", mpf("1.42"), mp.sqrt(2)),
    ("incorrect", "100.6", "99.5", {"abs": 1}, mpf("100.6"), mpf("99.5")),
    ("invalid", "y", "pi", "3sf", None, PI),  # an unknown name
    ("incorrect", "oo", "pi", "3sf", None, PI),  # not a finite number
    ("invalid", "3..14", "pi", "3sf", None, PI),
    ("invalid", "3.14.15", "pi", "3sf", None, PI),
    ("invalid", "3,14", "pi", "3sf", None, PI),
    ("invalid", "pi +", "pi", "3sf", None, PI),
    ("invalid", "__import__('os')", "pi", "3sf", None, PI),
    ("invalid", "9^9^9^9", "pi", "3sf", None, PI),
    ("invalid", "1" * 3000, "pi", "3sf", None, PI),
    ("invalid", "(" * 100 + "3" + ")" * 100, "pi", "3sf", None, PI),
]  # fmt: skip


def _width(tol: Any, e: Any) -> Any:
    """The accepted width, from the definitions (not from the checker's code)."""
    if isinstance(tol, float):
        return mpf(tol)
    if isinstance(tol, dict):
        return mpf(tol["abs"])
    t = str(tol)
    if t.endswith("%"):
        return mpf(t[:-1]) / 100 * abs(e)
    if t.startswith("rel="):
        return mpf(t[4:]) * abs(e)
    if t.startswith("abs="):
        return mpf(t[4:])
    sf = int(t.split("s")[0].strip())
    return mpf(10) ** (mp.floor(mp.log10(abs(e))) - sf + 1) / 2


def _independent(row: tuple[str, str, str, Any, Any, Any]) -> str:
    label, _, _, tol, a, e = row
    if a is None:
        return label  # unreadable, hostile, or not a number: labelled by construction
    return "correct" if abs(a - e) <= _width(tol, e) else "incorrect"


@pytest.mark.parametrize("row", ROWS, ids=[f"{r[0]}:{r[1][:20]}:{r[3]}" for r in ROWS])
def test_numeric(row: tuple[str, str, str, Any, Any, Any]) -> None:
    label, answer, expected, tol, _, _ = row
    assert _independent(row) == label, "the label disagrees with the mpmath evaluation"
    v = derive.equivalent(answer, expected, tol=tol)
    assert v.status == label, v.message


def test_a_variable_where_a_number_is_asked() -> None:
    v = derive.equivalent("x", "pi", {"x": "real"}, tol="3sf")
    assert v.status == "incorrect" and v.diagnosis == "wrong kind of answer"


def test_decimal_point_slip_is_named() -> None:
    v = derive.equivalent("31.4", "pi", tol="3sf")
    assert v.diagnosis is not None and "10^1" in v.diagnosis


@pytest.mark.parametrize("bad", ["", "abc", "sf=0", "sf=99", "abs=-1", "nan", "inf", {"abz": 1}, True, "x" * 200])
def test_bad_tolerances_are_the_questions_fault(bad: Any) -> None:
    with pytest.raises(ValueError):
        tolerance(bad)
    with pytest.raises(ValueError):
        derive.equivalent("3.14", "pi", tol=bad)


def test_significant_figures_of_zero_are_refused() -> None:
    with pytest.raises(ValueError):
        derive.equivalent("0.001", "0", tol="2sf")
