"""Question banks in YAML (issue 16): the same schema, validation and messages as TOML banks,
read with the safe loader only; hostile YAML (object tags, alias bombs, self-referring aliases,
deep nesting, huge files, other top levels) is a clear :class:`BankError`, quickly."""

from __future__ import annotations

import csv
import json
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

import derive
from derive.answers.bank import MAX_BYTES, MAX_YAML_NODES, BankError, load_bank
from derive.cli import main

TOML_BANK = Path(__file__).parents[1] / "data" / "questions.toml"
runner = CliRunner()

#: tests/data/questions.toml, written in YAML
YAML_BANK = """\
title: "Test bank: one question of each kind"
question:
  - name: line
    prompt: Solve 2x - y = -1 for y.
    expected: "y = 2x + 1"
    hints: { "y = 2x - 1": Check the sign of the constant term. }
  - name: roots
    prompt: The roots of x^2 - 3x + 2, as a set.
    expected: "{1, 2}"
  - name: half-line
    prompt: Solve 2x > 4.
    expected: x > 2
  - name: transpose
    prompt: The transpose of A.
    expected: "[[1, 3], [2, 4]]"
    variables: { A: "[[1, 2], [3, 4]]" }
  - name: vertex
    prompt: The vertex (x, y) of y = (x - 1)^2 + 3.
    expected: (1, 3)
  - name: pi
    prompt: Give pi to 3 significant figures.
    expected: pi
    tolerance: 3sf
  - name: antiderivative
    prompt: An antiderivative of 2x cos(x^2).
    expected: sin(x^2)
    up_to_constant: true
  - name: log-rule
    prompt: Simplify log(s^2) for s > 0.
    expected: 2*log(s)
    variables:
      s: positive
"""


@pytest.fixture
def yaml_bank(tmp_path: Path) -> Path:
    path = tmp_path / "bank.yaml"
    path.write_text(YAML_BANK, encoding="utf-8")
    return path


def test_a_yaml_bank_reads_exactly_like_its_toml_twin(yaml_bank: Path) -> None:
    from_yaml, from_toml = load_bank(yaml_bank), load_bank(TOML_BANK)
    assert from_yaml.title == from_toml.title
    assert from_yaml.questions == from_toml.questions
    yml = yaml_bank.with_suffix(".yml")
    yml.write_text(YAML_BANK, encoding="utf-8")
    assert load_bank(yml).questions == from_toml.questions


@pytest.mark.parametrize(
    ("name", "answer", "status"),
    [("line", "2x - y = -1", "correct"), ("roots", "{1, 3}", "incorrect"), ("pi", "3.14", "correct")],
)
def test_yaml_bank_questions_are_judged(yaml_bank: Path, name: str, answer: str, status: str) -> None:
    assert derive.check(name, answer, bank=yaml_bank).status == status


def test_a_named_wrong_answer_gets_its_hint(yaml_bank: Path) -> None:
    v = derive.check("line", "y = 2x - 1", bank=yaml_bank)
    assert v.status == "incorrect" and "Hint: Check the sign of the constant term." in v.message


Q = "question:\n  - name: a\n    prompt: p\n"
BAD = [
    (Q + "    expected: '1'\n    expectd: '2'\n", "line 5, question 1 ('a'): unknown key 'expectd'"),
    ("title: t\ntitel: u\n" + Q + "    expected: '1'\n", "line 2: unknown key 'titel'"),
    ("question:\n  - name: a\n    expected: '1'\n", "line 2, question 1 ('a'): 'prompt' is required"),
    (Q + "    expected: 1\n", "line 2, question 1 ('a'): 'expected' is required and must be text (put it in quotes)"),
    (Q + "    expected: '1'\n    kind: polynomial\n", "line 5, question 1 ('a'): unknown answer kind"),
    (Q + "    expected: '1'\n    kind: set\n", "not of the kind 'set'"),
    (Q + "    expected: pi\n    tolerance: sf=0\n", "line 5, question 1 ('a'): significant figures"),
    (Q + "    expected: '1'\n    variables: { x: 1 }\n", "variables must be a table of text"),
    (Q + "    expected: '1'\n    latex: 'yes'\n", "latex must be true or false"),
    ("question:\n  - name: a b\n    prompt: p\n    expected: '1'\n", "a name is letters"),
    (Q + "    expected: '1'\n  - name: a\n    prompt: q\n    expected: '2'\n", "line 5: a second question named 'a'"),
    ("title: t\n", "no questions (a list under question:)"),
    ("question: 3\n", "write each question as a mapping in the list question:"),
    ("question: [1, 2]\n", "write each question as a mapping in the list question:"),
    ("title: [unclosed\n", "not valid YAML"),
    (Q + "    expected: '1'\n    1: x\n", "unknown key '1'"),
    ("? [a, b]\n: 1\n", "not valid YAML"),
]


@pytest.mark.parametrize(("text", "message"), BAD, ids=[m[:30] for _, m in BAD])
def test_strict_validation_names_file_line_and_question(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "bank.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(BankError) as info:
        load_bank(path)
    assert str(path) in str(info.value) and message in str(info.value)


def _billion_laughs() -> str:
    lines = ["a0: &a0 [" + ", ".join(["lol"] * 10) + "]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 10)]
    return "\n".join(lines) + "\nquestion: *a9\n"


HOSTILE = [
    ("!!python/object/apply:os.system ['touch {marker}']\n", "not valid YAML"),
    ("title: !!python/object/new:os.system ['touch {marker}']\n", "not valid YAML"),
    ("question:\n  - !!python/name:os.system\n", "not valid YAML"),
    (_billion_laughs(), f"more than {MAX_YAML_NODES} nodes"),
    ("title: &t [*t]\n", "refers to itself"),
    ("a: &a {b: *a}\n", "refers to itself"),
    ("a: " + "[" * 5000 + "]" * 5000 + "\n", "YAML"),
    ("a: " + "- " * 200 + "x\n", "YAML"),
    ("- a\n- b\n", "the top level must be a mapping"),
    ("just text\n", "the top level must be a mapping"),
    ("", "not nothing"),
    ("a: 1\n---\nb: 2\n", "not valid YAML"),
]


@pytest.mark.parametrize(("text", "message"), HOSTILE, ids=[m for _, m in HOSTILE])
def test_hostile_yaml_is_a_clear_error(tmp_path: Path, text: str, message: str) -> None:
    marker = tmp_path / "executed"
    path = tmp_path / "bank.yaml"
    path.write_text(text.replace("{marker}", str(marker)), encoding="utf-8")
    start = time.process_time()
    with pytest.raises(BankError) as info:
        load_bank(path)
    assert time.process_time() - start < 10.0
    assert str(path) in str(info.value)
    assert message in str(info.value)
    assert not marker.exists()


def test_a_huge_yaml_file_is_refused_before_it_is_read(tmp_path: Path) -> None:
    path = tmp_path / "bank.yaml"
    path.write_bytes(b"# " + b"x" * MAX_BYTES + b"\n")
    start = time.process_time()
    with pytest.raises(BankError, match="larger than"):
        load_bank(path)
    assert time.process_time() - start < 5.0


def test_cli_questions_lists_a_yaml_bank(yaml_bank: Path) -> None:
    out = runner.invoke(main, ["questions", "--bank", str(yaml_bank), "--json"])
    assert out.exit_code == 0, out.output
    assert [r["name"] for r in json.loads(out.stdout)][:3] == ["line", "roots", "half-line"]


def test_cli_questions_refuses_a_bad_yaml_bank(tmp_path: Path) -> None:
    path = tmp_path / "bank.yml"
    path.write_text(Q + "    expected: '1'\n    hint: x\n", encoding="utf-8")
    out = runner.invoke(main, ["questions", "--bank", str(path)])
    assert out.exit_code == 5 and "unknown key 'hint'" in out.output


def test_cli_grade_with_a_yaml_bank(tmp_path: Path, yaml_bank: Path) -> None:
    src = tmp_path / "answers.csv"
    with src.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["student", "question", "answer"])
        w.writerow(["ann", "roots", "{2, 1}"])
        w.writerow(["bob", "line", "y = 2x - 1"])
    out_path = tmp_path / "graded.csv"
    out = runner.invoke(main, ["grade", str(src), "--bank", str(yaml_bank), "-o", str(out_path), "-q", "-j", "1"])
    assert out.exit_code == 0, out.output
    with out_path.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert [r["status"] for r in rows] == ["correct", "incorrect"] and "Hint" in rows[1]["message"]
