"""``derive diff`` and ``derive prove --claim`` through click's CliRunner."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from derive.cli import main


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout, result.stderr


def test_diff_shows_named_verified_steps() -> None:
    code, out, _ = run("diff", "x*Phi(x)", "x", "--no-color")
    assert code == 0
    assert "product rule" in out and "Phi (chain rule)" in out and "proved (general)" in out
    assert "Derived automatically" in out and "x*phi(x) + Phi(x)" in out


def test_diff_json() -> None:
    code, out, _ = run("diff", "log(1 + exp(-y*w*x))", "w", "--json")
    assert code == 0
    data = json.loads(out)
    assert data["ok"] is True and data["level"] == "general" and "sigmoid" in data["result"]
    steps = data["chains"][0]["steps"]
    assert steps[1]["why"].startswith("log (chain rule)") and all(s["symbolic"] for s in steps)
    assert data["crosscheck"]["ok"] is True


def test_diff_with_domains_and_a_tex_sheet(tmp_path: Path) -> None:
    out_file = tmp_path / "steps.tex"
    code, out, _ = run("diff", "x*log(x)", "x", "--var", "x=positive", "-o", str(out_file))
    assert code == 0 and out_file.exists() and "wrote" in out
    source = out_file.read_text(encoding="utf-8")
    assert "automatically" in source and r"\log" in source


def test_diff_unreadable_input_exits_2_without_a_traceback() -> None:
    code, out, err = run("diff", "x*Phi(", "x")
    assert code == 2 and "cannot read the expression" in err and "Traceback" not in out + err
    code, _, err = run("diff", "x^2", "x", "--var", "x")
    assert code == 2 and "NAME=DOMAIN" in err


def test_prove_claim_true_false_and_malformed() -> None:
    code, out, _ = run("prove", "--claim", "d/dx log(1+exp(x)) = sigmoid(x)", "--no-color")
    assert code == 0 and "proved (general)" in out
    code, out, _ = run("prove", "--claim", "d/dx log(1+exp(x)) = sigmoid(-x)", "--no-color")
    assert code == 1 and "FAILED" in out and "differ by" in out
    code, out, err = run("prove", "--claim", "d/dx log(1+exp(x)")
    assert code == 2 and "Traceback" not in out + err


def test_prove_needs_a_name_or_a_claim() -> None:
    code, _, err = run("prove")
    assert code == 2 and "--claim" in err
    code, _, err = run("prove", "gelu'", "--claim", "d/dx x = 1")
    assert code == 2 and "not both" in err


def test_prove_claim_json_is_a_verify_row() -> None:
    """``prove --claim --json`` prints the row ``verify --json`` prints for a catalog identity."""
    from derive.cli.catalog import verify_one

    code, out, _ = run("prove", "--claim", "d/dx log(1+exp(x)) = sigmoid(x)", "--json")
    assert code == 0
    row = json.loads(out)
    assert row["ok"] is True and row["level"] == "general" and not row["failure"]
    assert set(row) == set(verify_one("sigmoid'"))
    assert row["chains"][0]["statement"] == "claim" and row["crosscheck"].startswith("central differences")
    code, out, _ = run("prove", "--claim", "d/dx log(1+exp(x)) = sigmoid(-x)", "--json")
    row = json.loads(out)
    assert code == 1 and row["ok"] is False and "differ by" in row["failure"]
