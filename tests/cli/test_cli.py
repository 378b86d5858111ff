"""The command line: listings, proofs, sheets, verification tables and exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

import derive
from derive.cli import main
from derive.core.registry import REGISTRY

runner = CliRunner()


def test_list_groups_identities_under_map_sections() -> None:
    out = runner.invoke(main, ["list"])
    assert out.exit_code == 0
    assert "2.2 Key Derivatives in Practice" in out.output
    for name in derive.names():
        assert name in out.output
    data = json.loads(runner.invoke(main, ["list", "--json", "--section", "2.2"]).output)
    assert {d["section"] for d in data} == {"2.2"} and any(d["name"] == "gelu'" for d in data)


def test_prove_prints_steps_checks_and_verdict() -> None:
    out = runner.invoke(main, ["prove", "gelu-derivative", "--no-color"])
    assert out.exit_code == 0, out.output
    for part in (
        "Statement",
        "Derivation",
        "product rule",
        "Numeric check",
        "central differences",
        "Verdict: proved (general)",
    ):
        assert part in out.output


def test_unknown_name_is_a_usage_error_with_suggestions() -> None:
    out = runner.invoke(main, ["prove", "gelu"])
    assert out.exit_code == 2
    assert "no identity named 'gelu'" in out.output and "gelu'" in out.output


def test_sheet_writes_tex_source(tmp_path: Path) -> None:
    out = runner.invoke(main, ["sheet", "gelu'", "-o", str(tmp_path / "gelu.tex")])
    assert out.exit_code == 0, out.output
    source = (tmp_path / "gelu.tex").read_text()
    assert source.startswith("\\documentclass") and "\\Phi" in source


def test_sheet_compiles_pdf(tmp_path: Path, latex_available: None) -> None:
    out = runner.invoke(main, ["sheet", "gelu'", "-o", str(tmp_path / "gelu.pdf")])
    assert out.exit_code == 0, out.output
    assert (tmp_path / "gelu.pdf").read_bytes()[:5] == b"%PDF-"


def test_sheet_without_latexmk_explains_what_to_install(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import derive.render.pdf

    monkeypatch.setattr(derive.render.pdf, "latexmk", lambda: None)
    out = runner.invoke(main, ["sheet", "gelu'", "-o", str(tmp_path / "gelu.pdf")])
    assert out.exit_code == 1
    assert "latexmk was not found" in out.output and ".tex" in out.output


def test_compile_error_shows_the_log_lines(tmp_path: Path, latex_available: None) -> None:
    from derive.errors import CompileError
    from derive.render.pdf import compile_tex

    with pytest.raises(CompileError) as info:
        compile_tex("\\documentclass{article}\\begin{document}\\undefinedmacro\\end{document}", tmp_path)
    assert "Undefined control sequence" in str(info.value)


def test_verify_json_and_exit_status() -> None:
    out = runner.invoke(main, ["verify", "gelu'", "--json", "-j", "1"])
    assert out.exit_code == 0
    (row,) = json.loads(out.output)
    assert row["name"] == "gelu'" and row["ok"] and row["level"] == "general"


def test_verify_exits_1_when_a_proof_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    import derive.cli.catalog

    def failing(name: str, seed: object, modules: object) -> dict[str, object]:
        return {
            "name": name,
            "section": "2.2",
            "ok": False,
            "level": "numeric",
            "steps": 1,
            "max_rel_error": 1.0,
            "crosscheck": None,
            "crosscheck_error": None,
            "crosscheck_tolerance": None,
            "seconds": 0.0,
            "failure": "simulated",
        }

    monkeypatch.setattr(derive.cli.catalog, "verify_one", failing)
    out = runner.invoke(main, ["verify", "gelu'", "-j", "1"])
    assert out.exit_code == 1 and "FAILED" in out.output and "simulated" in out.output


def test_verify_needs_names() -> None:
    assert runner.invoke(main, ["verify"]).exit_code == 2


def test_python_dash_m_and_help() -> None:
    out = subprocess.run([sys.executable, "-m", "derive", "--help"], capture_output=True, text=True, check=True)
    for command in ("list", "prove", "sheet", "verify", "check", "grade", "book", "new"):
        assert command in out.stdout


def test_help_does_not_import_sympy() -> None:
    code = "import sys; from derive.cli import main; print('sympy' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_verify_json_shows_levels_methods_provenance_and_lemmas() -> None:
    out = runner.invoke(main, ["verify", "gelu'", "--json", "-j", "1"])
    (row,) = json.loads(out.output)
    assert row["verdict"] == "proved (general)" and isinstance(row["lemmas"], list)
    statement = row["statements"][0]
    assert set(statement) >= {"label", "level", "ok", "how", "evidence", "check_method", "check_samples"}
    assert statement["level"] == "general" and statement["how"].startswith("proved symbolically")
    assert all(isinstance(s["check_method"], str) for s in row["statements"])  # StatementCheck.method
    steps = row["chains"][0]["steps"]
    assert set(steps[1]) == {"why", "provenance", "verified", "symbolic", "points", "lemmas"}
    assert all(s["provenance"] for s in steps) and steps[1]["verified"]
    assert row["chains"][0]["conclusion"] and row["chains"][0]["statement"] == "claim"


MISLABELLED = '''
import sympy as sp
from derive.authoring import declare, real

x = real(-8, 8).symbol("x")


def derivation(d):
    """x^2 + 2x through an explicit 2x2 determinant, with no scope declared."""
    d.begin(x**2 + 2 * x)
    d.then(sp.Determinant(sp.ImmutableMatrix([[x, -x], [2, x]])), "a determinant")
    d.then(x * (x + 2), "factor")
    d.conclude()


MISLABELLED = declare(
    "cli-mislabelled", title="Mislabelled", section="2.2", map_row="toy",
    claim=sp.Eq(x**2 + 2 * x, x * (x + 2)), variables={x: real(-8, 8)}, derivation=derivation,
)
'''


def test_verify_json_names_the_evidence_of_a_mislabelled_level(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "cli_mislabelled.py").write_text(MISLABELLED)
    monkeypatch.syspath_prepend(str(tmp_path))
    try:
        out = runner.invoke(main, ["verify", "cli-mislabelled", "--module", "cli_mislabelled", "--json", "-j", "1"])
    finally:  # a failing identity left registered would fail every later book test in this worker
        REGISTRY.remove("cli-mislabelled")
    assert out.exit_code == 1, out.output
    (row,) = json.loads(out.output)
    assert not row["ok"] and "explicit 2x2 matrix in step 1" in row["failure"]
    (statement,) = row["statements"]
    assert statement["level"] == "fixed-size" and not statement["ok"]
    assert statement["evidence"] == ["explicit 2x2 matrix in step 1"] and "labelled general" in statement["how"]
