"""Finite sets and lists: a labelled table, each label checked by an independent mpmath evaluation.

Each row gives the answer, the expected answer, the label, and the values its elements denote,
written by hand as mpmath expressions at 50 digits (``None`` for unreadable or hostile input, whose
label is ``invalid`` by construction). The independent check compares the values as sets (sets:
order and duplicates ignored) or as sequences (lists), so a wrong label fails before the checker
is asked.
"""

from __future__ import annotations

from typing import Any

import pytest
from mpmath import mp, mpf

import derive

mp.dps = 50
S2, PI, E = mp.sqrt(2), mp.pi, mp.e

# (label, answer, expected, answer values or None, expected values)
SETS: list[tuple[str, str, str, list[Any] | None, list[Any]]] = [
    ("correct", "{1, 2}", "{1, 2}", [1, 2], [1, 2]),
    ("correct", "{2, 1}", "{1, 2}", [2, 1], [1, 2]),
    ("correct", "{1, 2, 2}", "{1, 2}", [1, 2, 2], [1, 2]),
    ("correct", "{4/2, 1}", "{1, 2}", [2, 1], [1, 2]),
    ("correct", "{sqrt(4), 1.0}", "{1, 2}", [2, 1], [1, 2]),
    ("correct", "\\{1, 2\\}", "{1, 2}", [1, 2], [1, 2]),
    ("correct", "{-sqrt(2), sqrt(2)}", "{sqrt(2), -sqrt(2)}", [-S2, S2], [S2, -S2]),
    ("correct", "{2^(1/2), -2^(1/2)}", "{sqrt(2), -sqrt(2)}", [S2, -S2], [S2, -S2]),
    ("correct", "{pi/2 - atan(2), 1}", "{atan(1/2), 1}", [mp.atan(mpf(1) / 2), 1], [mp.atan(mpf(1) / 2), 1]),
    ("correct", "{log(e^3), 0}", "{3, 0}", [3, 0], [3, 0]),
    ("correct", "{}", "{}", [], []),
    ("correct", "{(1+sqrt(5))/2, (1-sqrt(5))/2}", "{(1-sqrt(5))/2, (1+sqrt(5))/2}",
     [(1 + mp.sqrt(5)) / 2, (1 - mp.sqrt(5)) / 2], [(1 - mp.sqrt(5)) / 2, (1 + mp.sqrt(5)) / 2]),
    ("correct", "{1, 1, 1}", "{1}", [1, 1, 1], [1]),
    ("correct", "{sin(pi/6), cos(0)}", "{1/2, 1}", [mpf(1) / 2, 1], [mpf(1) / 2, 1]),
    ("incorrect", "{1, 3}", "{1, 2}", [1, 3], [1, 2]),
    ("incorrect", "{1}", "{1, 2}", [1], [1, 2]),
    ("incorrect", "{1, 2, 3}", "{1, 2}", [1, 2, 3], [1, 2]),
    ("incorrect", "{}", "{1, 2}", [], [1, 2]),
    ("incorrect", "{-1, -2}", "{1, 2}", [-1, -2], [1, 2]),
    ("incorrect", "{sqrt(2), 1.41421356}", "{sqrt(2), -sqrt(2)}", [S2, mpf("1.41421356")], [S2, -S2]),
    ("incorrect", "{1.0000001, 2}", "{1, 2}", [mpf("1.0000001"), 2], [1, 2]),
    ("incorrect", "{pi, e}", "{pi, 3}", [PI, E], [PI, 3]),
    ("incorrect", "{1/3, 2}", "{0.33, 2}", [mpf(1) / 3, 2], [mpf("0.33"), 2]),
    ("incorrect", "2", "{2}", [2], [2]),  # the wrong kind: a number where a set is asked
    ("incorrect", "(1, 2)", "{1, 2}", [1, 2], [1, 2]),  # a tuple where a set is asked
    ("invalid", "{1, 2", "{1, 2}", None, [1, 2]),
    ("invalid", "{1,, 2}", "{1, 2}", None, [1, 2]),
    ("invalid", "{1, 2 +}", "{1, 2}", None, [1, 2]),
    ("invalid", "{__import__('os').system('true'), 2}", "{1, 2}", None, [1, 2]),
    ("invalid", "{" + ", ".join(["1"] * 500) + "}", "{1}", None, [1]),  # too many elements
    ("invalid", "{" * 60 + "1" + "}" * 60, "{1}", None, [1]),  # nested too deep
    ("invalid", "{9^9^9^9, 1}", "{1, 2}", None, [1, 2]),  # a constant power too large to build
    ("invalid", "{1, 2}" + " " * 3000, "{1, 2}", None, [1, 2]),  # too long
    ("invalid", "", "{1, 2}", None, [1, 2]),
]  # fmt: skip

LISTS: list[tuple[str, str, str, list[Any] | None, list[Any]]] = [
    ("correct", "[1, 2, 3]", "[1, 2, 3]", [1, 2, 3], [1, 2, 3]),
    ("correct", "(1, 2, 3)", "[1, 2, 3]", [1, 2, 3], [1, 2, 3]),
    ("correct", "[2/2, sqrt(4), 3]", "[1, 2, 3]", [1, 2, 3], [1, 2, 3]),
    ("correct", "[1, 1, 2]", "[1, 1, 2]", [1, 1, 2], [1, 1, 2]),
    ("correct", "[exp(0), log(e^2)]", "[1, 2]", [1, 2], [1, 2]),
    ("incorrect", "[2, 1, 3]", "[1, 2, 3]", [2, 1, 3], [1, 2, 3]),
    ("incorrect", "[1, 2]", "[1, 2, 3]", [1, 2], [1, 2, 3]),
    ("incorrect", "[1, 2, 2]", "[1, 2]", [1, 2, 2], [1, 2]),
    ("incorrect", "[1, 2]", "[1, 1, 2]", [1, 2], [1, 1, 2]),
    ("incorrect", "{1, 2}", "[1, 2]", [1, 2], [1, 2]),  # a set where an ordered list is asked
    ("invalid", "[1, 2", "[1, 2]", None, [1, 2]),
    ("invalid", "[1, ?]", "[1, 2]", None, [1, 2]),
]  # fmt: skip


def _same_set(a: list[Any], e: list[Any]) -> bool:
    def has(vals: list[Any], v: Any) -> bool:
        return any(abs(mpf(v) - mpf(w)) < mpf(10) ** -40 for w in vals)

    return all(has(e, v) for v in a) and all(has(a, v) for v in e)


def _same_list(a: list[Any], e: list[Any]) -> bool:
    return len(a) == len(e) and all(abs(mpf(v) - mpf(w)) < mpf(10) ** -40 for v, w in zip(a, e, strict=True))


def _independent(label: str, answer: str, expected: str, av: list[Any] | None, ev: list[Any], *, ordered: bool) -> str:
    if av is None:
        return "invalid"
    looks_right = answer.strip().startswith(("[", "(") if ordered else ("{", "\\{"))
    same = _same_list(av, ev) if ordered else _same_set(av, ev)
    return "correct" if same and looks_right else "incorrect"


@pytest.mark.parametrize("row", SETS, ids=[f"{r[0]}:{r[1][:30]}" for r in SETS])
def test_sets(row: tuple[str, str, str, list[Any] | None, list[Any]]) -> None:
    label, answer, expected, _, _ = row
    assert _independent(*row, ordered=False) == label, "the label disagrees with the mpmath evaluation"
    v = derive.equivalent(answer, expected)
    assert v.status == label, v.message


@pytest.mark.parametrize("row", LISTS, ids=[f"{r[0]}:{r[1][:30]}" for r in LISTS])
def test_lists(row: tuple[str, str, str, list[Any] | None, list[Any]]) -> None:
    label, answer, expected, _, _ = row
    assert _independent(*row, ordered=True) == label, "the label disagrees with the mpmath evaluation"
    v = derive.equivalent(answer, expected, kind="list")
    assert v.status == label, v.message


def test_set_feedback_names_missing_and_extra() -> None:
    v = derive.equivalent("{1, 3}", "{1, 2}")
    assert "2 is missing" in v.message and "3 is not in the expected set" in v.message
    assert v.counterexample == {"missing": ["2"], "extra": ["3"]}


def test_list_feedback_names_the_position_and_the_order() -> None:
    v = derive.equivalent("[2, 1, 3]", "[1, 2, 3]", kind="list")
    assert v.counterexample is not None and v.counterexample["element"] == 1
    assert v.diagnosis == "wrong order"


def test_elements_with_variables() -> None:
    assert derive.equivalent("{-b, b}", "{b, -b}", {"b": "real"}).correct
    v = derive.equivalent("{b, 2b}", "{b, -b}", {"b": "positive"})
    assert v.status == "incorrect" and "-b is missing" in v.message


def test_hostile_sets_are_refused_fast() -> None:
    import time

    for text in ("{" + ",".join(["x"] * 5000) + "}", "{" + "(" * 1000 + "}", "{1, 2}}}}", "{\x00}"):
        start = time.perf_counter()
        v = derive.equivalent(text, "{1, 2}")
        assert v.status == "invalid", (text[:20], v.message)
        assert time.perf_counter() - start < 2.0
