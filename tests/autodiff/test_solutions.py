"""Worked solutions of differentiation questions, and ``derive grade --solutions``."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
import sympy as sp
from click.testing import CliRunner

from derive.answers.api import RESULT_FIELDS
from derive.autodiff import ExpressionError, solution_for
from derive.autodiff import solutions as solutions_module
from derive.cli import main


def _result(text: str) -> str:
    return next(line for line in text.splitlines() if line.startswith("Result: "))[len("Result: ") :]


def test_a_teachers_expression() -> None:
    text = solution_for("x^2*sin(x)", "x")
    lines = text.splitlines()
    assert lines[0] == "d/dx x**2*sin(x):"
    assert lines[1] == "1. product rule: (f g)' = f' g + f g'"
    assert "2. sin (chain rule): d/dx sin(u) = cos(u) du/dx" in lines
    x = sp.Symbol("x", real=True)
    result = sp.sympify(_result(text), locals={"x": x})
    assert sp.simplify(result - sp.diff(x**2 * sp.sin(x), x)) == 0  # against SymPy's own diff
    assert lines[-1] == f"({solutions_module.VERIFIED})"


def test_a_catalog_derivative_and_refusals() -> None:
    text = solution_for("gelu'")
    assert text.startswith("d/dx x*Phi(x):") and "Phi (chain rule)" in text
    assert _result(text) == "x*phi(x) + Phi(x)"
    with pytest.raises(ExpressionError, match="not a derivative"):
        solution_for("elbo")
    with pytest.raises(ExpressionError, match="cannot read"):
        solution_for("x*Phi(", "x")


def _grade(tmp_path: Path, *extra: str) -> list[dict[str, str]]:
    source = tmp_path / "answers.csv"
    source.write_text(
        "student,identity,answer\na,gelu',Phi(x) + x*phi(x)\nb,gelu',Phi(x)\nc,elbo,x\n",
        encoding="utf-8",
    )
    out = tmp_path / "graded.csv"
    # a generous wall-clock limit: the two runs' verdicts are compared, and a loaded machine must
    # not turn one of them undecided
    result = CliRunner().invoke(
        main, ["grade", str(source), "-o", str(out), "-j", "1", "--quiet", "--timeout", "20", *extra]
    )
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    with out.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def test_grade_adds_solutions_only_when_asked(tmp_path: Path) -> None:
    plain_rows = _grade(tmp_path)
    assert "solution" not in plain_rows[0]
    solutions_module._cell.cache_clear()
    rows = _grade(tmp_path, "--solutions")
    assert list(rows[0])[-len(RESULT_FIELDS) - 1 :] == [*RESULT_FIELDS, "solution"]
    assert [r["status"] for r in rows] == [r["status"] for r in plain_rows]  # the verdicts are unchanged
    assert rows[0]["solution"] == rows[1]["solution"] == solution_for("gelu'")
    assert rows[2]["solution"] == ""  # not a derivative question
    assert solutions_module._cell.cache_info().misses == 2  # once per identity (gelu', elbo)
