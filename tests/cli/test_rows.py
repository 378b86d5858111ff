"""A grading file yields exactly one row per input row, in order, whatever it holds."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from click.testing import CliRunner

from derive.cli import main
from derive.cli.rows import MAX_FIELD, csv_rows, jsonl_rows, read_rows

GOOD = "gelu',Phi(x) + x*phi(x)"


def _write(tmp_path: Path, name: str, data: bytes) -> str:
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


def test_a_latin1_byte_costs_only_its_row(tmp_path: Path) -> None:
    data = b"identity,answer\n" + b"gelu',x\xe9\n" + (GOOD + "\n").encode() * 3
    rows = read_rows(_write(tmp_path, "a.csv", data), "auto")
    assert len(rows) == 4 and "not UTF-8 (byte 0xE9" in rows[0]["_error"]
    assert all("_error" not in r for r in rows[1:])


def test_an_oversize_field_costs_only_its_row() -> None:
    rows = csv_rows("identity,answer\n" + "gelu'," + "x" * 200_000 + "\n" + GOOD + "\n")
    assert len(rows) == 2 and f"at most {MAX_FIELD}" in rows[0]["_error"] and "_error" not in rows[1]


def test_an_unbalanced_quote_merges_nothing() -> None:
    lines = [GOOD] * 11
    lines[3] = "gelu',\"Phi(x) + x*phi(x)"
    rows = csv_rows("identity,answer\n" + "\n".join(lines) + "\n")
    assert len(rows) == 11
    assert [i for i, r in enumerate(rows) if "_error" in r] == [3] and "unbalanced quote" in rows[3]["_error"]
    assert all(r["answer"] == "Phi(x) + x*phi(x)" for i, r in enumerate(rows) if i != 3)


def test_a_quoted_comma_and_a_stray_comma_are_kept_in_the_answer() -> None:
    rows = csv_rows("identity,answer\ngelu',\"max(0, x)\"\ngelu',max(0, x)\n")
    assert [r["answer"] for r in rows] == ["max(0, x)", "max(0, x)"]


def test_a_file_without_a_header_reports_every_line() -> None:
    rows = csv_rows(GOOD + "\n" + GOOD + "\n")
    assert len(rows) == 2 and all("no header" in r["_error"] for r in rows)


def test_jsonl_faults_each_cost_one_row() -> None:
    lines = [
        json.dumps({"identity": "gelu'", "answer": "x\u2028y"}),  # a line separator inside a string
        '{"answer": ' + "9" * 5000 + "}",  # over Python's 4,300-digit limit
        "[" * 100_000 + "]" * 100_000,  # nested too deep
        "not json",
        "[1, 2]",
        json.dumps({"identity": "gelu'", "answer": "Phi(x) + x*phi(x)"}),
    ]
    rows = jsonl_rows("\n".join(lines) + "\n")
    assert len(rows) == 6
    assert rows[0]["answer"] == "x\u2028y" and "_error" not in rows[0]
    assert [("_error" in r) for r in rows] == [False, True, True, True, True, False]


def test_grade_writes_one_row_per_input_row_from_a_hostile_file(tmp_path: Path) -> None:
    data = (
        b"student,identity,answer\n"
        b"a,gelu',Phi(x) + x*phi(x)\n"
        b"b,gelu',x\xe9\n"
        b"c,gelu',\"Phi(x)\n"
        b"d,gelu'," + b"y" * 140_000 + b"\n"
        b"e,gelu',Phi(x) + x*phi(x)\n"
    )
    out = tmp_path / "graded.csv"
    result = CliRunner().invoke(main, ["grade", _write(tmp_path, "in.csv", data), "-o", str(out), "-j", "1", "-q"])
    assert "Traceback" not in result.output
    with out.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert [r["student"] for r in rows] == list("abcde")
    assert [r["status"] for r in rows] == ["correct", "invalid", "invalid", "invalid", "correct"]


def test_a_lone_surrogate_from_jsonl_is_written_to_csv(tmp_path: Path) -> None:
    source = _write(tmp_path, "in.jsonl", (json.dumps({"identity": "gelu'", "answer": "x\ud800"}) + "\n").encode())
    out = tmp_path / "graded.csv"
    result = CliRunner().invoke(main, ["grade", source, "-o", str(out), "-j", "1", "-q"])
    assert "Traceback" not in result.output
    with out.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 1 and rows[0]["answer"] == "x\\ud800" and rows[0]["status"] == "invalid"


def test_an_unquoted_comma_before_the_last_column_is_reported_not_shifted() -> None:
    rows = csv_rows("student,identity,answer,format\ns1,gelu',max(x, 0),plain\ns2,gelu',Phi(x),plain\n")
    assert len(rows) == 2
    assert "5 fields but the header names 4" in rows[0]["_error"] and "quoted" in rows[0]["_error"]
    assert "_error" not in rows[1] and rows[1]["format"] == "plain"


def test_an_unquoted_comma_in_a_last_answer_column_stays_in_the_answer() -> None:
    (row,) = csv_rows("student,identity,answer\ns1,gelu',max(x, 0)\n")
    assert row["answer"] == "max(x, 0)" and "_error" not in row


def test_a_form_export_yields_one_row_per_question_column() -> None:
    text = (
        "Timestamp,Email address,Q1: gelu',Q2 (sigmoid'),Comments\n"
        "2026-12-01,a@uni.edu,Phi(x) + x*phi(x),sigma(x)*(1-sigma(x)),none\n"
        "2026-12-01,b@uni.edu,,sigma(x)\n"
    )
    rows = csv_rows(text)
    assert [(r["student"], r["identity"], r["answer"]) for r in rows] == [
        ("a@uni.edu", "gelu'", "Phi(x) + x*phi(x)"),
        ("a@uni.edu", "sigmoid'", "sigma(x)*(1-sigma(x))"),
        ("b@uni.edu", "gelu'", ""),
        ("b@uni.edu", "sigmoid'", "sigma(x)"),
    ]
    assert rows[1]["column"] == "Q2 (sigmoid')"


def test_a_form_export_is_graded_per_answer(tmp_path: Path) -> None:
    source = _write(tmp_path, "form.csv", b"Name,Q1 gelu',Q2 sigmoid'\nAda,Phi(x) + x*phi(x),sigma(x)\n")
    out = tmp_path / "graded.csv"
    result = CliRunner().invoke(main, ["grade", source, "-o", str(out), "-j", "1", "-q"])
    assert result.exit_code == 0, result.output
    with out.open(encoding="utf-8", newline="") as f:
        graded = list(csv.DictReader(f))
    assert [(r["student"], r["identity"], r["status"]) for r in graded] == [
        ("Ada", "gelu'", "correct"),
        ("Ada", "sigmoid'", "incorrect"),
    ]
