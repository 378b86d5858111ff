"""Inequalities and intervals: a labelled table, each label checked by an independent evaluation.

Each row gives the answer, the expected answer, the label, and the membership predicate of each
side written by hand with mpmath (``None`` for unreadable or hostile input). The independent check
evaluates both predicates at 50 digits on a fine grid and at every special point the table uses
(integers, sqrt(2), pi, e): the label is ``correct`` exactly when they agree everywhere.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from mpmath import mp, mpf

import derive

mp.dps = 50
S2 = mp.sqrt(2)
Pred = Callable[[Any], bool] | None


def gt(a: Any) -> Pred:
    return lambda x: x > a


def between(a: Any, b: Any, lo_closed: bool = False, hi_closed: bool = False) -> Pred:
    return lambda x: (x >= a if lo_closed else x > a) and (x <= b if hi_closed else x < b)


# (label, answer, expected, answer's predicate, expected's predicate, variables)
ROWS: list[tuple[str, str, str, Pred, Pred, dict[str, str] | None]] = [
    ("correct", "(2, oo)", "x > 2", gt(2), gt(2), None),
    ("correct", "x > 2", "(2, oo)", gt(2), gt(2), None),
    ("correct", "2 < x", "x > 2", gt(2), gt(2), None),
    ("correct", "2x > 4", "x > 2", gt(2), gt(2), None),
    ("correct", "-x < -2", "x > 2", gt(2), gt(2), None),
    ("correct", "(2, \\infty)", "x > 2", gt(2), gt(2), None),
    ("correct", "x >= 2", "[2, oo)", lambda x: x >= 2, lambda x: x >= 2, None),
    ("correct", "-1 < x <= 3", "(-1, 3]", between(-1, 3, hi_closed=True), between(-1, 3, hi_closed=True), None),
    ("correct", "x > -1 and x <= 3", "(-1, 3]", between(-1, 3, hi_closed=True), between(-1, 3, hi_closed=True), None),
    ("correct", "x < -1 or x > 1", "(-oo, -1) U (1, oo)", lambda x: abs(x) > 1, lambda x: abs(x) > 1, None),
    ("correct", "x^2 > 1", "(-oo, -1) U (1, oo)", lambda x: abs(x) > 1, lambda x: abs(x) > 1, None),
    ("correct", "(1, oo) U (-oo, -1)", "x < -1 or x > 1", lambda x: abs(x) > 1, lambda x: abs(x) > 1, None),
    ("correct", "(-oo, -1) \\cup (1, oo)", "x^2 > 1", lambda x: abs(x) > 1, lambda x: abs(x) > 1, None),
    ("correct", "[0, 1) U [1, 2]", "0 <= x <= 2", between(0, 2, True, True), between(0, 2, True, True), None),
    ("correct", "x^2 <= 2", "-sqrt(2) <= x <= sqrt(2)", between(-S2, S2, True, True), between(-S2, S2, True, True), None),  # noqa: E501
    ("correct", "(-2^(1/2), 2^(1/2))", "x^2 < 2", between(-S2, S2), between(-S2, S2), None),
    ("correct", "(0, 1)", "x < 1", between(0, 1), lambda x: 0 < x < 1, {"x": "positive"}),
    ("correct", "t > 3", "(3, oo)", gt(3), gt(3), None),
    ("correct", "x != 0", "(-oo, 0) U (0, oo)", lambda x: x != 0, lambda x: x != 0, None),
    ("correct", "x in (2, oo)", "x > 2", gt(2), gt(2), None),
    ("correct", "x ∈ [2, oo)", "x >= 2", lambda x: x >= 2, lambda x: x >= 2, None),
    ("incorrect", "[2, oo)", "x > 2", lambda x: x >= 2, gt(2), None),
    ("incorrect", "(2, oo)", "x >= 2", gt(2), lambda x: x >= 2, None),
    ("incorrect", "x < 2", "x > 2", lambda x: x < 2, gt(2), None),
    ("incorrect", "x > 3", "x > 2", gt(3), gt(2), None),
    ("incorrect", "x > 1", "(-oo, -1) U (1, oo)", gt(1), lambda x: abs(x) > 1, None),
    ("incorrect", "-1 < x < 1", "x^2 > 1", lambda x: abs(x) < 1, lambda x: abs(x) > 1, None),
    ("incorrect", "(-1, 3)", "(-1, 3]", between(-1, 3), between(-1, 3, hi_closed=True), None),
    ("incorrect", "(-1.414, 1.414)", "x^2 < 2", between(mpf("-1.414"), mpf("1.414")), between(-S2, S2), None),
    ("incorrect", "[0, 1] U [2, 3]", "0 <= x <= 3", lambda x: 0 <= x <= 1 or 2 <= x <= 3, between(0, 3, True, True), None),  # noqa: E501
    ("incorrect", "2", "x > 2", lambda x: x == 2, gt(2), None),  # a number where a set is asked
    ("incorrect", "{2}", "x > 2", lambda x: x == 2, gt(2), None),
    ("invalid", "(2, oo", "x > 2", None, gt(2), None),
    ("invalid", "x >", "x > 2", None, gt(2), None),
    ("invalid", "(1, 2, 3)", "x > 2", None, gt(2), None),
    ("invalid", "x > __import__('os')", "x > 2", None, gt(2), None),
    ("invalid", " or ".join(["x > 1"] * 100), "x > 2", None, gt(2), None),  # too many pieces
    ("invalid", "(" * 80 + "2" + ")" * 80 + " < x", "x > 2", None, gt(2), None),  # nested too deep
    ("invalid", "x > 9^9^9^9", "x > 2", None, gt(2), None),
    ("invalid", "", "x > 2", None, gt(2), None),
]  # fmt: skip

PROBES = [mpf(k) / 8 for k in range(-96, 97)] + [S2, -S2, mp.pi, -mp.pi, mp.e, mpf("1.414"), mpf("-1.414")]


def _independent(row: tuple[str, str, str, Pred, Pred, dict[str, str] | None]) -> str:
    _, answer, _, pa, pe, variables = row
    if pa is None:
        return "invalid"
    domain = (lambda x: x > 0) if variables and variables.get("x") == "positive" else (lambda x: True)
    same = all(bool(pa(x)) == bool(pe(x)) for x in PROBES if domain(x))
    structured = any(c in answer for c in "<>!([{") or " or " in answer
    return "correct" if same and structured else "incorrect"


@pytest.mark.parametrize("row", ROWS, ids=[f"{r[0]}:{r[1][:30]}" for r in ROWS])
def test_intervals(row: tuple[str, str, str, Pred, Pred, dict[str, str] | None]) -> None:
    label, answer, expected, _, _, variables = row
    assert _independent(row) == label, "the label disagrees with the mpmath evaluation"
    v = derive.equivalent(answer, expected, variables)
    assert v.status == label, v.message


def test_feedback_names_the_end() -> None:
    v = derive.equivalent("[2, oo)", "x > 2")
    assert v.counterexample == {"point": {"x": "2"}, "in_answer": True, "in_expected": False}
    assert "end is included" in v.message


def test_latex_intervals() -> None:
    assert derive.equivalent("x \\geq 2", "[2, \\infty)", latex=True).correct
    assert derive.equivalent("x \\in (2, \\infty)", "x > 2", latex=True).correct
    assert derive.equivalent("(2, \\infty) \\cup (-\\infty, -2)", "x^2 > 4", latex=True).correct
    assert derive.equivalent("y \\in (2, \\infty)", "x > 2", latex=True).status == "invalid"


def test_explicit_kind_reads_a_pair_as_an_interval() -> None:
    assert derive.equivalent("0 < x < 5", "(0, 5)", kind="interval").correct
    assert derive.equivalent("(0, 5)", "(0, 5)").correct  # as a pair, part by part


def test_hostile_intervals_are_refused_fast() -> None:
    import time

    for text in ("(" * 2000, "x > " + "1+" * 3000 + "1", "(1, 2)" * 400, "\\left(" * 50):
        start = time.perf_counter()
        v = derive.equivalent(text, "x > 2")
        assert v.status == "invalid", (text[:20], v.message)
        assert time.perf_counter() - start < 2.0
