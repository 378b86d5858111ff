"""Question banks (TOML): loading, strict validation, checking with hints, and the command line
(`derive questions`, `derive check --bank/--kind/--tol/--up-to-constant`, `derive grade --bank`)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

import derive
from derive.answers.bank import BankError, load_bank
from derive.cli import main

BANK = Path(__file__).parents[1] / "data" / "questions.toml"
runner = CliRunner()

# (question, answer, status): one right and one wrong answer per question of the test bank
ANSWERS = [
    ("line", "2x - y = -1", "correct"),
    ("line", "y = 2x - 1", "incorrect"),
    ("roots", "{2, 1}", "correct"),
    ("roots", "{1, 3}", "incorrect"),
    ("half-line", "(2, oo)", "correct"),
    ("half-line", "[2, oo)", "incorrect"),
    ("transpose", "A^T", "correct"),
    ("transpose", "A", "incorrect"),
    ("vertex", "(1, 3)", "correct"),
    ("vertex", "(3, 1)", "incorrect"),
    ("pi", "3.14", "correct"),
    ("pi", "3.15", "incorrect"),
    ("antiderivative", "sin(x^2) + 4", "correct"),
    ("antiderivative", "cos(x^2)", "incorrect"),
    ("log-rule", "log(s) + log(s)", "correct"),
    ("log-rule", "log(2s)", "incorrect"),
]


def test_the_bank_loads_in_file_order() -> None:
    bank = load_bank(BANK)
    assert list(bank.questions) == [
        "line",
        "roots",
        "half-line",
        "transpose",
        "vertex",
        "pi",
        "antiderivative",
        "log-rule",
    ]
    assert bank["pi"].tolerance == "3sf" and bank["line"].hints


@pytest.mark.parametrize(("name", "answer", "status"), ANSWERS)
def test_bank_questions(name: str, answer: str, status: str) -> None:
    v = derive.check(name, answer, bank=BANK)
    assert v.status == status, v.message


def test_a_named_wrong_answer_gets_its_hint() -> None:
    v = derive.check("line", "y = 2x - 1", bank=BANK)
    assert v.status == "incorrect" and "Hint: Check the sign of the constant term." in v.message
    assert v.diagnosis == "Check the sign of the constant term."
    assert "Hint" not in derive.check("line", "y = 3x + 1", bank=BANK).message


def test_an_unknown_question_names_close_ones() -> None:
    with pytest.raises(BankError, match="did you mean roots"):
        derive.check("rootz", "{1}", bank=BANK)


BAD = [
    ('[[question]]\nname = "a"\nprompt = "p"\nexpected = "1"\nexpectd = "2"\n', "line 5, question 1 ('a'): unknown key 'expectd'"),  # noqa: E501
    ('title = "t"\ntitel = "u"\n[[question]]\nname = "a"\nprompt = "p"\nexpected = "1"\n', "line 2: unknown key 'titel'"),  # noqa: E501
    ('[[question]]\nname = "a"\nexpected = "1"\n', "line 1, question 1 ('a'): 'prompt' is required"),
    ('[[question]]\nname = "a"\nprompt = "p"\nexpected = "1"\nkind = "polynomial"\n', "line 5, question 1 ('a'): unknown answer kind"),  # noqa: E501
    ('[[question]]\nname = "a"\nprompt = "p"\nexpected = "1"\nkind = "set"\n', "not of the kind 'set'"),
    ('[[question]]\nname = "a"\nprompt = "p"\nexpected = "pi"\ntolerance = "sf=0"\n', "line 5, question 1 ('a'): significant figures"),  # noqa: E501
    ('[[question]]\nname = "a"\nprompt = "p"\nexpected = "1"\nvariables = { x = 1 }\n', "variables must be a table of text"),  # noqa: E501
    ('[[question]]\nname = "a"\nprompt = "p"\nexpected = "1"\nlatex = "yes"\n', "latex must be true or false"),
    ('[[question]]\nname = "a b"\nprompt = "p"\nexpected = "1"\n', "a name is letters"),
    ('[[question]]\nname = "a"\nprompt = "p"\nexpected = "1"\n[[question]]\nname = "a"\nprompt = "q"\nexpected = "2"\n',
     "a second question named 'a'"),
    ('title = "t"\n', "no [[question]] tables"),
    ("[[question]\n", "not valid TOML"),
    ("question = 3\n", "write each question as a [[question]] table"),
]  # fmt: skip


@pytest.mark.parametrize(("text", "message"), BAD, ids=[m[:30] for _, m in BAD])
def test_strict_validation_names_file_line_and_question(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "bank.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(BankError) as info:
        load_bank(path)
    assert str(path) in str(info.value) and message in str(info.value)


def test_hostile_bank_files(tmp_path: Path) -> None:
    path = tmp_path / "bank.toml"
    path.write_bytes(b"\xff\xfe not utf-8")
    with pytest.raises(BankError, match="not UTF-8"):
        load_bank(path)
    with pytest.raises(BankError, match="cannot read"):
        load_bank(tmp_path / "missing.toml")
    path.write_text("a = " + "[" * 5000 + "]" * 5000 + "\n", encoding="utf-8")
    with pytest.raises(BankError):
        load_bank(path)


def test_cli_questions_lists_a_bank() -> None:
    out = runner.invoke(main, ["questions", "--bank", str(BANK), "--json"])
    assert out.exit_code == 0, out.output
    rows = json.loads(out.stdout)
    assert [r["kind"] for r in rows] == [
        "equation",
        "set",
        "interval",
        "matrix",
        "tuple",
        "numeric",
        "constant",
        "expression",
    ]


def test_cli_questions_lists_the_catalogs_prompts(monkeypatch: pytest.MonkeyPatch) -> None:
    """The catalog's identities with a question, by name and prompt (a stand-in registry: loading
    the whole catalog takes half a minute, and its own tests cover it)."""
    from types import SimpleNamespace

    import derive.core.registry as registry

    fake = [
        SimpleNamespace(name="gelu'", title="GELU", question=SimpleNamespace(prompt="Differentiate  GELU.")),
        SimpleNamespace(name="no-question", title="None", question=None),
        SimpleNamespace(name="untitled", title="The title", question=SimpleNamespace(prompt="")),
    ]
    monkeypatch.setattr(registry, "REGISTRY", fake)
    out = runner.invoke(main, ["questions", "--json"])
    assert out.exit_code == 0, out.output
    assert json.loads(out.stdout) == [
        {"name": "gelu'", "kind": "", "prompt": "Differentiate GELU."},
        {"name": "untitled", "kind": "", "prompt": "The title"},
    ]


def test_cli_questions_refuses_a_bad_bank(tmp_path: Path) -> None:
    path = tmp_path / "bank.toml"
    path.write_text('[[question]]\nname = "a"\nprompt = "p"\nexpected = "1"\nhint = "x"\n', encoding="utf-8")
    out = runner.invoke(main, ["questions", "--bank", str(path)])
    assert out.exit_code == 5 and "unknown key 'hint'" in out.output


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (["check", "--expected", "y = 2x + 1", "2x - y = -1"], 0),
        (["check", "--expected", "pi", "--tol", "3sf", "3.14"], 0),
        (["check", "--expected", "pi", "--tol", "3sf", "3.15"], 1),
        (["check", "--expected", "x^2/2", "--up-to-constant", "x^2/2 + 1"], 0),
        (["check", "--expected", "(0, 5)", "--kind", "interval", "0 < x < 5"], 0),
        (["check", "--expected", "{1, 2}", "{1, 2"], 4),
        (["check", "--expected", "1", "--kind", "polynomial", "1"], 5),
        (["check", "--bank", str(BANK), "roots", "{1, 2}"], 0),
        (["check", "--bank", str(BANK), "nosuch", "1"], 5),
    ],
)
def test_cli_check_options(args: list[str], code: int) -> None:
    out = runner.invoke(main, args)
    assert out.exit_code == code, out.output


def test_cli_grade_with_a_bank_and_kind_columns(tmp_path: Path) -> None:
    src = tmp_path / "answers.csv"
    with src.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["student", "question", "expected", "kind", "tol", "answer"])
        w.writerow(["ann", "roots", "", "", "", "{2, 1}"])
        w.writerow(["bob", "line", "", "", "", "y = 2x - 1"])
        w.writerow(["cat", "", "pi", "", "2sf", "3.1"])
        w.writerow(["dan", "", "(0, 5)", "interval", "", "0 < x <= 5"])
        w.writerow(["eve", "nosuch", "", "", "", "1"])
    out_path = tmp_path / "graded.csv"
    out = runner.invoke(main, ["grade", str(src), "--bank", str(BANK), "-o", str(out_path), "-q", "-j", "1"])
    assert out.exit_code == 0, out.output
    with out_path.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert [r["status"] for r in rows] == ["correct", "incorrect", "correct", "incorrect", "invalid"]
    assert "Hint" in rows[1]["message"] and "no question named 'nosuch'" in rows[4]["message"]


def test_grade_without_the_bank_says_so() -> None:
    rows = derive.grade([{"question": "roots", "answer": "{1, 2}"}], jobs=1)
    assert rows[0]["status"] == "invalid" and "--bank" in rows[0]["message"]
