"""Vectors and matrices: a labelled table, each label checked by an independent mpmath evaluation.

Each row gives the answer, the expected matrix, the label, and both as mpmath matrices computed
by hand at 50 digits (entries with ``x`` evaluated at x = 0.7; ``None`` for unreadable or hostile
input). The independent check compares the shapes and then every entry.
"""

from __future__ import annotations

from typing import Any

import pytest
from mpmath import mp, mpf

import derive

mp.dps = 50
X = mpf("0.7")
M = mp.matrix([[1, 2], [3, 4]])
MT = M.T
MI = M**-1
A = {"A": "[[1, 2], [3, 4]]"}
Ax = {"A": "[[1, 2], [3, 4]]", "x": "real"}


def col(*v: Any) -> Any:
    return mp.matrix([[e] for e in v])


# (label, answer, expected, variables, answer's matrix, expected's matrix)
ROWS: list[tuple[str, str, str, dict[str, str] | None, Any, Any]] = [
    ("correct", "[[1, 3], [2, 4]]", "[[1, 3], [2, 4]]", None, MT, MT),
    ("correct", "[[1, 2], [3, 4]]^T", "[[1, 3], [2, 4]]", None, MT, MT),
    ("correct", "transpose([[1, 2], [3, 4]])", "[[1, 3], [2, 4]]", None, MT, MT),
    ("correct", "A^T", "[[1, 3], [2, 4]]", A, MT, MT),
    ("correct", "transpose(A)", "[[1, 3], [2, 4]]", A, MT, MT),
    ("correct", "inv(A)", "[[-2, 1], [3/2, -1/2]]", A, MI, MI),
    ("correct", "A^(-1)", "[[-2, 1], [3/2, -1/2]]", A, MI, MI),
    ("correct", "inverse(A)", "[[-2, 1], [3/2, -1/2]]", A, MI, MI),
    ("correct", "[[-4, 2], [3, -1]]/2", "inv(A)", A, MI, MI),
    ("correct", "2A - A", "A", A, M, M),
    ("correct", "A A", "[[7, 10], [15, 22]]", A, M * M, M * M),
    ("correct", "inv(A) A", "[[1, 0], [0, 1]]", A, mp.eye(2), mp.eye(2)),
    ("correct", "[1, 2]", "[1, 2]", None, col(1, 2), col(1, 2)),
    ("correct", "[[1], [2]]", "[1, 2]", None, col(1, 2), col(1, 2)),
    ("correct", "[sin(x)^2 + cos(x)^2, 2x]", "[1, x + x]", {"x": "real"}, col(1, 2 * X), col(1, 2 * X)),
    ("correct", "\\begin{pmatrix} 1 & 3 \\\\ 2 & 4 \\end{pmatrix}", "[[1, 3], [2, 4]]", None, MT, MT),
    ("correct", "x A", "[[x, 2x], [3x, 4x]]", Ax, X * M, X * M),
    ("incorrect", "[[1, 2], [3, 4]]", "[[1, 3], [2, 4]]", None, M, MT),
    ("incorrect", "A", "transpose(A)", A, M, MT),
    ("incorrect", "[[-2, 1], [3/2, 1/2]]", "inv(A)", A, mp.matrix([[-2, 1], [1.5, 0.5]]), MI),
    ("incorrect", "[[1, 3, 0], [2, 4, 0]]", "[[1, 3], [2, 4]]", None, mp.matrix([[1, 3, 0], [2, 4, 0]]), MT),
    ("incorrect", "[1, 2, 3]", "[1, 2]", None, col(1, 2, 3), col(1, 2)),
    ("incorrect", "[[1, 2]]", "[1, 2]", None, mp.matrix([[1, 2]]), col(1, 2)),
    ("incorrect", "[2, 1]", "[1, 2]", None, col(2, 1), col(1, 2)),
    ("incorrect", "[1, 2.000001]", "[1, 2]", None, col(1, mpf("2.000001")), col(1, 2)),
    ("incorrect", "[sin(x), 2x]", "[x, 2x]", {"x": "real"}, col(mp.sin(X), 2 * X), col(X, 2 * X)),
    ("incorrect", "A A", "[[7, 10], [15, 21]]", A, M * M, mp.matrix([[7, 10], [15, 21]])),
    ("incorrect", "3", "[[1, 3], [2, 4]]", None, mp.matrix([[3]]), MT),  # a scalar where a matrix is asked
    ("invalid", "[[1, 2], [3]]", "[[1, 3], [2, 4]]", None, None, MT),
    ("invalid", "[[1, 2], [3, 4]", "[[1, 3], [2, 4]]", None, None, MT),
    ("invalid", "inv([[1, 2], [3, 4]]", "[[1, 3], [2, 4]]", None, None, MT),
    ("invalid", "[[__import__('os'), 2], [3, 4]]", "[[1, 3], [2, 4]]", None, None, MT),
    ("invalid", "[[" + ", ".join(["1"] * 900) + "]]", "[[1, 3], [2, 4]]", None, None, MT),
    ("invalid", "[" * 60 + "1" + "]" * 60, "[[1, 3], [2, 4]]", None, None, MT),
    ("invalid", "[[9^9^9^9, 2], [3, 4]]", "[[1, 3], [2, 4]]", None, None, MT),
    ("invalid", "inv(" * 50 + "A" + ")" * 50, "A", A, None, M),  # more than 40 inv() calls
]  # fmt: skip


def _independent(row: tuple[str, str, str, dict[str, str] | None, Any, Any]) -> str:
    _, _, _, _, am, em = row
    if am is None:
        return "invalid"
    if (am.rows, am.cols) != (em.rows, em.cols):
        return "incorrect"
    same = all(abs(am[i, j] - em[i, j]) < mpf(10) ** -40 for i in range(am.rows) for j in range(am.cols))
    return "correct" if same else "incorrect"


@pytest.mark.parametrize("row", ROWS, ids=[f"{r[0]}:{r[1][:30]}" for r in ROWS])
def test_matrices(row: tuple[str, str, str, dict[str, str] | None, Any, Any]) -> None:
    label, answer, expected, variables, _, _ = row
    assert _independent(row) == label, "the label disagrees with the mpmath evaluation"
    v = derive.equivalent(answer, expected, variables)
    assert v.status == label, v.message


def test_shape_first_then_the_wrong_entry() -> None:
    v = derive.equivalent("[[1, 3, 0], [2, 4, 0]]", "[[1, 3], [2, 4]]")
    assert v.diagnosis == "wrong shape" and "(2, 3)" in v.message
    v = derive.equivalent("[[-2, 1], [3/2, 1/2]]", "inv(A)", A)
    assert v.counterexample is not None and v.counterexample["entry"] == [2, 2]
    assert derive.equivalent("A", "transpose(A)", A).diagnosis == "the matrix is transposed"
