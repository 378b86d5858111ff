"""Commands whose output a program might read take --json and print one JSON document on stdout."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from derive.cli import main


def test_sheet_json(tmp_path: Path) -> None:
    out = tmp_path / "s.tex"
    result = CliRunner().invoke(main, ["sheet", "sigmoid'", "-o", str(out), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data == {
        "name": "sigmoid'",
        "ok": True,
        "level": "general",
        "verdict": "proved (general)",
        "output": str(out),
    }
    assert out.read_text(encoding="utf-8").startswith("\\documentclass")


def test_book_json(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main, ["book", "--names", "sigmoid',tanh'", "--format", "tex", "-o", str(tmp_path / "b"), "-j", "1", "--json"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["output"].endswith("book.tex") and [e["name"] for e in data["identities"]] == ["sigmoid'", "tanh'"]
    assert all(e["ok"] and e["level"] == "general" for e in data["identities"])
