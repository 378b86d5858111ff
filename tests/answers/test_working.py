"""Student working, line by line: a labelled table whose first wrong line is checked independently.

Each row gives the lines, the expected first wrong line, and each line as an mpmath function of x
(an expression, or ``lhs - rhs`` of an equation) with the link it claims. The independent check
compares consecutive lines at 50 digits: expressions by value at seven points, equations by their
real zeros on [-10, 10] (sign changes refined by bisection); an implication only needs the zeros
of the line before to be zeros of the next.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from mpmath import mp, mpf

import derive
from derive.answers.working import split_lines

mp.dps = 50
Line = tuple[str, Callable[[Any], Any] | None]  # (kind: "expr" / "eq", function)

# (lines, first wrong line, per line: kind and mpmath function)
ROWS: list[tuple[list[str], int | None, list[Line]]] = [
    (["(x+1)^2 - 1", "= x^2 + 2x", "= x(x + 2)"], None,
     [("expr", lambda x: (x + 1) ** 2 - 1), ("expr", lambda x: x**2 + 2 * x), ("expr", lambda x: x * (x + 2))]),
    (["(x+1)^2", "= x^2 + 1", "= x^2 + 1"], 2,
     [("expr", lambda x: (x + 1) ** 2), ("expr", lambda x: x**2 + 1), ("expr", lambda x: x**2 + 1)]),
    (["sin(2x)", "= 2 sin(x) cos(x)", "= 2 sin(x)"], 3,
     [("expr", lambda x: mp.sin(2 * x)), ("expr", lambda x: 2 * mp.sin(x) * mp.cos(x)), ("expr", lambda x: 2 * mp.sin(x))]),  # noqa: E501
    (["2x + 3 = 7", "2x = 4", "x = 2"], None,
     [("eq", lambda x: 2 * x - 4), ("eq", lambda x: 2 * x - 4), ("eq", lambda x: x - 2)]),
    (["2x + 3 = 7", "2x = 4", "x = 3"], 3,
     [("eq", lambda x: 2 * x - 4), ("eq", lambda x: 2 * x - 4), ("eq", lambda x: x - 3)]),
    (["2x + 3 = 7", "2x = 10", "x = 5"], 2,
     [("eq", lambda x: 2 * x - 4), ("eq", lambda x: 2 * x - 10), ("eq", lambda x: x - 5)]),
    (["x^2 - 5x + 6 = 0", "(x - 2)(x - 3) = 0", "x = 2 or x = 3"], None,
     [("eq", lambda x: x**2 - 5 * x + 6), ("eq", lambda x: (x - 2) * (x - 3)), ("eq", lambda x: (x - 2) * (x - 3))]),
    (["x^2 - 5x + 6 = 0", "(x - 2)(x - 3) = 0", "x = 2"], 3,
     [("eq", lambda x: x**2 - 5 * x + 6), ("eq", lambda x: (x - 2) * (x - 3)), ("eq", lambda x: x - 2)]),
    (["x = 2", "=> x^2 = 4"], None, [("eq", lambda x: x - 2), ("imp", lambda x: x**2 - 4)]),
    (["x^2 = 4", "=> x = 2"], 2, [("eq", lambda x: x**2 - 4), ("imp", lambda x: x - 2)]),
    (["x^2 = 4", "⇒ x = 2 or x = -2"], None, [("eq", lambda x: x**2 - 4), ("imp", lambda x: (x - 2) * (x + 2))]),
    (["sqrt(x + 2) = x", "=> x + 2 = x^2", "=> x = 2 or x = -1"], None,
     [("eq", lambda x: mp.sqrt(x + 2) - x if x >= -2 else mpf(1)), ("imp", lambda x: x + 2 - x**2),
      ("imp", lambda x: (x - 2) * (x + 1))]),
    (["x + 1 = 3", "<=> x = 2"], None, [("eq", lambda x: x - 2), ("eq", lambda x: x - 2)]),
    (["x + 1 = 3", "<=> x = 4"], 2, [("eq", lambda x: x - 2), ("eq", lambda x: x - 4)]),
    (["e^(log(x))", "= x"], None, [("expr", lambda x: x), ("expr", lambda x: x)]),
]  # fmt: skip

POINTS = [mpf(s) for s in ("0.3", "0.9", "1.7", "2.2", "3.1", "-0.55", "-1.25")]
GRID = [mpf(k) / 20 - 10 for k in range(401)]


def _zeros(f: Callable[[Any], Any]) -> list[Any]:
    vals = [f(t) for t in GRID]
    out = [t for t, v in zip(GRID, vals, strict=True) if v == 0]
    for i in range(len(GRID) - 1):
        a, b, fa = GRID[i], GRID[i + 1], vals[i]
        if fa * vals[i + 1] < 0:
            for _ in range(170):
                m = (a + b) / 2
                if f(m) * fa <= 0:
                    b = m
                else:
                    a, fa = m, f(m)
            out.append((a + b) / 2)
    return out


def _follows(before: Line, line: Line) -> bool:
    (_, f0), (kind, f1) = before, line
    assert f0 is not None and f1 is not None
    if kind == "expr":
        return all(abs(f0(x) - f1(x)) < mpf(10) ** -40 for x in POINTS)
    z0, z1 = _zeros(f0), _zeros(f1)
    kept = all(abs(f1(z)) < mpf(10) ** -30 for z in z0)
    return kept if kind == "imp" else kept and all(abs(f0(z)) < mpf(10) ** -30 for z in z1)


def _independent(funcs: list[Line]) -> int | None:
    return next((k + 1 for k in range(1, len(funcs)) if not _follows(funcs[k - 1], funcs[k])), None)


@pytest.mark.parametrize("row", ROWS, ids=[" | ".join(r[0])[:40] for r in ROWS])
def test_working(row: tuple[list[str], int | None, list[Line]]) -> None:
    lines, wrong, funcs = row
    assert _independent(funcs) == wrong, "the label disagrees with the mpmath evaluation"
    w = derive.check_working(lines, {"x": "real"})
    assert w.first_wrong_line == wrong, str(w)
    assert w.correct is (wrong is None), str(w)
    assert len(w.verdicts) == len(lines)
    if wrong is not None:
        assert w.verdicts[wrong - 1].status == "incorrect"
        assert f"Line {wrong} does not follow from line {wrong - 1}" in w.verdicts[wrong - 1].message


def test_the_wrong_line_carries_a_counterexample() -> None:
    w = derive.check_working(["(x+1)^2", "= x^2 + 1"])
    v = w.verdicts[1]
    assert v.counterexample is not None and "x" in v.counterexample["point"]
    x = mpf(v.counterexample["point"]["x"])
    assert abs((x + 1) ** 2 - (x**2 + 1)) > mpf("1e-3")  # the point really separates the lines


def test_latex_working() -> None:
    w = derive.check_working(
        "\\begin{align}\n(a+b)^2 \\\\\n&= a^2 + 2ab + b^2\\\\\n&= a^2 + b^2\n\\end{align}", latex=True
    )
    assert w.lines == ("(a+b)^2", "a^2 + 2ab + b^2", "a^2 + b^2") and w.first_wrong_line == 3, str(w)
    w = derive.check_working("(a+b)^2 \\\\ &= a^2 + 2ab + b^2 \\\\ &= a^2 + b^2", latex=True)
    assert w.first_wrong_line == 3, str(w)


def test_unreadable_and_hostile_lines() -> None:
    w = derive.check_working(["x +", "= x"])
    assert w.first_wrong_line == 1 and w.verdicts[0].status == "invalid"
    assert w.verdicts[1].status == "undecided"
    w = derive.check_working(["x", "= __import__('os')"])
    assert w.first_wrong_line == 2 and w.verdicts[1].status == "invalid"
    w = derive.check_working(["x", "= " + "(" * 500 + "x" + ")" * 500])
    assert w.verdicts[1].status == "invalid"
    with pytest.raises(ValueError, match="more than"):
        derive.check_working(["x"] * 500)
    with pytest.raises(ValueError, match="no lines"):
        derive.check_working(["", "  "])


def test_split_lines_reads_links() -> None:
    assert split_lines(["x^2 = 4", "=> x = 2", "<=> x - 2 = 0", "= y"]) == [
        ("start", "x^2 = 4"),
        ("implies", "x = 2"),
        ("iff", "x - 2 = 0"),
        ("equals", "y"),
    ]
