"""Multi-part answers: a labelled table, each label checked by an independent mpmath evaluation.

Each row gives the answer, the expected parts, the label, and the value of every part of each
side as mpmath numbers at 50 digits (``None`` for unreadable or hostile input). The independent
check compares the number of parts and then each part.
"""

from __future__ import annotations

from typing import Any

import pytest
from mpmath import mp, mpf

import derive

mp.dps = 50
S2 = mp.sqrt(2)

# (label, answer, expected, answer's parts, expected's parts)
ROWS: list[tuple[str, str, str, list[Any] | None, list[Any]]] = [
    ("correct", "(1, 3)", "(1, 3)", [1, 3], [1, 3]),
    ("correct", "(2/2, 9/3)", "(1, 3)", [1, 3], [1, 3]),
    ("correct", "1; 3", "(1, 3)", [1, 3], [1, 3]),
    ("correct", "1, 3", "(1, 3)", [1, 3], [1, 3]),
    ("correct", "(sqrt(2), 2^(3/2))", "(sqrt(2), 2sqrt(2))", [S2, 2 * S2], [S2, 2 * S2]),
    ("correct", "(log(e), exp(0), 1)", "(1, 1, 1)", [1, 1, 1], [1, 1, 1]),
    ("correct", "(pi/4, atan(1))", "(atan(1), pi/4)", [mp.pi / 4, mp.pi / 4], [mp.pi / 4, mp.pi / 4]),
    ("correct", "(0.5, 0.25)", "(1/2, 1/4)", [mpf(1) / 2, mpf(1) / 4], [mpf(1) / 2, mpf(1) / 4]),
    ("correct", "(1, 2, 3, 4)", "(1, 2, 3, 4)", [1, 2, 3, 4], [1, 2, 3, 4]),
    ("correct", "(cos(0), sin(pi/2))", "(1, 1)", [1, 1], [1, 1]),
    ("correct", "(-1, 1)", "(-1, 1)", [-1, 1], [-1, 1]),
    ("correct", "(3/6, 2)", "(1/2, 2)", [mpf(1) / 2, 2], [mpf(1) / 2, 2]),
    ("correct", "(e^2, log(8)/log(2))", "(exp(2), 3)", [mp.e**2, 3], [mp.e**2, 3]),
    ("correct", "(1e-3, 1000)", "(0.001, 10^3)", [mpf("1e-3"), 1000], [mpf("0.001"), 1000]),
    ("incorrect", "(3, 1)", "(1, 3)", [3, 1], [1, 3]),
    ("incorrect", "(1, 4)", "(1, 3)", [1, 4], [1, 3]),
    ("incorrect", "(1, 3, 5)", "(1, 3)", [1, 3, 5], [1, 3]),
    ("incorrect", "(1)", "(1, 3)", [1], [1, 3]),
    ("incorrect", "(1.4142, 2.8284)", "(sqrt(2), 2sqrt(2))", [mpf("1.4142"), mpf("2.8284")], [S2, 2 * S2]),
    ("incorrect", "(0.33, 1)", "(1/3, 1)", [mpf("0.33"), 1], [mpf(1) / 3, 1]),
    ("incorrect", "(-1, -1)", "(-1, 1)", [-1, -1], [-1, 1]),
    ("incorrect", "(pi, 3)", "(3, pi)", [mp.pi, 3], [3, mp.pi]),
    ("incorrect", "(1, 2, 3, 5)", "(1, 2, 3, 4)", [1, 2, 3, 5], [1, 2, 3, 4]),
    ("incorrect", "(e, 3)", "(exp(2), 3)", [mp.e, 3], [mp.e**2, 3]),
    ("incorrect", "4", "(1, 3)", [4], [1, 3]),  # one number where two parts are asked
    ("invalid", "(1, 3", "(1, 3)", None, [1, 3]),
    ("invalid", "(1, , 3)", "(1, 3)", None, [1, 3]),
    ("invalid", "(1; ; 3)", "(1, 3)", None, [1, 3]),
    ("invalid", "(1, __import__('os'))", "(1, 3)", None, [1, 3]),
    ("invalid", "(" + ", ".join(["1"] * 100) + ")", "(1, 3)", None, [1, 3]),
    ("invalid", "(1, 9^9^9^9)", "(1, 3)", None, [1, 3]),
    ("invalid", "(1, " + "(" * 80 + "3" + ")" * 80 + ")", "(1, 3)", None, [1, 3]),
]  # fmt: skip


def _independent(row: tuple[str, str, str, list[Any] | None, list[Any]]) -> str:
    _, _, _, ap, ep = row
    if ap is None:
        return "invalid"
    same = len(ap) == len(ep) and all(abs(mpf(a) - mpf(e)) < mpf(10) ** -40 for a, e in zip(ap, ep, strict=True))
    return "correct" if same else "incorrect"


@pytest.mark.parametrize("row", ROWS, ids=[f"{r[0]}:{r[1][:30]}" for r in ROWS])
def test_parts(row: tuple[str, str, str, list[Any] | None, list[Any]]) -> None:
    label, answer, expected, _, _ = row
    assert _independent(row) == label, "the label disagrees with the mpmath evaluation"
    v = derive.equivalent(answer, expected)
    assert v.status == label, v.message


def test_feedback_per_part_and_parts_of_other_kinds() -> None:
    v = derive.equivalent("(1, 4)", "(1, 3)")
    assert "Part 1: correct" in v.message and "Part 2: incorrect" in v.message
    assert v.counterexample is not None and v.counterexample["part"] == 2
    v = derive.equivalent("2x - y = -1; {2, 1}", "y = 2x + 1; {1, 2}")
    assert v.correct, v.message
    v = derive.equivalent("y = 2x; {2, 1}", "y = 2x + 1; {1, 2}")
    assert v.status == "incorrect" and v.counterexample is not None and v.counterexample["part"] == 1


def test_parts_with_a_tolerance() -> None:
    assert derive.equivalent("(3.14, 2.72)", "(pi, e)", tol="3sf").correct
    assert derive.equivalent("(3.14, 2.7)", "(pi, e)", tol="3sf").status == "incorrect"
