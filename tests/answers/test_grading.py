"""Batch grading and the command line: :func:`derive.grade` (threads, any executor, a process
pool), ``derive check`` (exit statuses, JSON) and ``derive grade`` (CSV and JSON Lines)."""

from __future__ import annotations

import csv
import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from click.testing import CliRunner

import derive
from derive.cli.answers import check as check_cmd
from derive.cli.answers import grade as grade_cmd


# ------------------------------------------------------------------------------------ grading
def test_grade_yields_one_row_per_input_row_errors_included() -> None:
    rows = [
        {"student": "a", "identity": "gelu'", "answer": "Phi(x) + x*phi(x)"},
        {"student": "b", "identity": "no-such-identity", "answer": "x"},
        {"student": "c", "identity": "gelu'"},
        {"student": "d", "answer": "x"},
        {"student": "e", "expected": "log(s^2)", "variables": "s=positive", "answer": "2 log(s)"},
        {"student": "f", "expected": "x", "variables": "x=nowhere", "answer": "x"},
        {"student": "g", "identity": "gelu'", "answer": r"\Phi(x)+x\varphi(x)", "format": "latex"},
    ]
    out = derive.grade(rows, executor=ThreadPoolExecutor(2))
    assert [r["student"] for r in out] == list("abcdefg")
    assert [r["status"] for r in out] == ["correct", "invalid", "invalid", "invalid", "correct", "invalid", "correct"]
    assert all(r["message"] for r in out)


def test_grade_keeps_rows_the_executor_refuses_or_fails() -> None:
    from concurrent.futures import Executor, Future

    class Flaky(Executor):
        def __init__(self) -> None:
            self.calls = 0

        def submit(self, fn, /, *args, **kwargs):  # type: ignore[no-untyped-def]
            self.calls += 1
            if self.calls == 2:
                raise RuntimeError("cannot pickle this row")
            fut: Future = Future()
            if self.calls == 3:
                fut.set_exception(ConnectionError("worker lost"))
            else:
                fut.set_result(fn(*args, **kwargs))
            return fut

    rows = [{"identity": "gelu'", "answer": a} for a in ("Phi(x) + x*phi(x)", "Phi(x)", "x*(", "Phi(x)")]
    out = derive.grade(rows, executor=Flaky())
    assert [r["status"] for r in out] == ["correct", "undecided", "undecided", "incorrect"]
    assert "cannot pickle" in out[1]["message"] and "worker lost" in out[2]["message"]


@pytest.mark.slow
def test_grade_on_a_process_pool() -> None:
    from concurrent.futures import ProcessPoolExecutor

    rows = [{"identity": "gelu'", "answer": a} for a in ("Phi(x) + x*phi(x)", "Phi(x)", "x*(")]
    with ProcessPoolExecutor(1) as ex:
        out = derive.grade(rows, executor=ex)
    assert [r["status"] for r in out] == ["correct", "incorrect", "invalid"]


# ------------------------------------------------------------------------------------ CLI
@pytest.mark.parametrize(
    ("args", "code"),
    [
        (["gelu'", "Phi(x) + x*phi(x)"], 0),
        (["gelu'", "Phi(x) - x*phi(x)"], 1),
        (["gelu'", "x*("], 4),
        (["gelu'", "__import__('os').system('echo pwned')"], 4),
        (["gelu'", "Phi(x) + Sum(sin(k*x)/k^9, (k, 1, 900))", "--timeout", "0.3"], 3),
        (["no-such-identity", "x"], 2),
        (["gelu'"], 2),
        (["gelu'", "--latex", r"\Phi(x)+x\frac{e^{-x^2/2}}{\sqrt{2\pi}}"], 0),
        (["--expected", "log(s^2)", "--var", "s=positive", "2*log(s)"], 0),
        (["--expected", "log(s^2)", "--var", "s=real", "2*log(s)"], 1),
        (
            [
                "--expected",
                "Sxy/(Sxx + sigma^2/tau^2)",
                "--var",
                "Sxy=real",
                "--var",
                "Sxx=positive",
                "--var",
                "sigma=positive",
                "--var",
                "tau=positive",
                "Sxy*tau^2/(Sxx*tau^2 + sigma^2)",
            ],
            0,
        ),
        (["--expected", "x +", "--var", "x=real", "x"], 5),
    ],
)
def test_check_exit_status(args: list[str], code: int) -> None:
    result = CliRunner().invoke(check_cmd, args)
    assert result.exit_code == code, result.output


def test_check_json_output() -> None:
    result = CliRunner().invoke(check_cmd, ["--json", "--expected", "Phi(x) + x*phi(x)", "--var", "x=real", "Phi(x)"])
    assert result.exit_code == 1
    data = json.loads(result.output)
    assert data["status"] == "incorrect" and data["diagnosis"] == "missing term x*phi(x)"


def test_grade_csv_and_jsonl(tmp_path: Path) -> None:
    src = tmp_path / "answers.csv"
    with src.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["student", "identity", "answer", "format"])
        w.writerow(["ann", "gelu'", "Phi(x) + x*phi(x)", ""])
        w.writerow(["bob", "gelu'", r"\Phi(x)", "latex"])
        w.writerow(["cat", "gelu'", "9**9**9**9", ""])
        w.writerow(["dan", "nope", "x", ""])
    out = tmp_path / "graded.csv"
    result = CliRunner().invoke(grade_cmd, [str(src), "-o", str(out), "-j", "2"])
    assert result.exit_code == 0, result.output
    with out.open(newline="") as f:
        graded = list(csv.DictReader(f))
    assert [r["student"] for r in graded] == ["ann", "bob", "cat", "dan"]
    assert [r["status"] for r in graded] == ["correct", "incorrect", "invalid", "invalid"]
    assert "total" in result.output  # the summary table

    src_j = tmp_path / "answers.jsonl"
    src_j.write_text('{"student": "ann", "identity": "gelu\'", "answer": "Phi(x)"}\nnot json\n')
    out_j = tmp_path / "graded.jsonl"
    result = CliRunner().invoke(grade_cmd, [str(src_j), "-o", str(out_j), "-q"])
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in out_j.read_text().splitlines()]
    assert [r["status"] for r in lines] == ["incorrect", "invalid"]


def test_import_of_commands_is_light() -> None:
    import subprocess
    import sys

    code = "import sys, derive.cli.answers; print('sympy' in sys.modules, 'lark' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["False", "False"]


def test_grade_exits_4_when_no_row_could_be_judged(tmp_path: Path) -> None:
    source = tmp_path / "answers.csv"
    source.write_text("identity,answer\ngelu',x*(\ngelu',)\n", encoding="utf-8")
    result = CliRunner().invoke(grade_cmd, [str(source), "-o", str(tmp_path / "out.csv"), "-j", "1", "-q"])
    assert result.exit_code == 4, result.output
    source.write_text("identity,answer\ngelu',x*(\ngelu',Phi(x)\n", encoding="utf-8")
    result = CliRunner().invoke(grade_cmd, [str(source), "-o", str(tmp_path / "out.csv"), "-j", "1", "-q"])
    assert result.exit_code == 0, result.output
