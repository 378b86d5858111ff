"""Registry-driven tests: every registered identity proves, rejects near misses, and compiles."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

import derive
from derive.core.near_misses import near_misses
from derive.core.proof import derive_chains
from derive.render.pdf import compile_tex, warnings_in_log

NAMES = derive.names()


@pytest.mark.parametrize("name", NAMES)
def test_proves(name: str) -> None:
    p = derive.prove(name)
    assert p.ok, p.text()
    assert p.level in ("general", "fixed-size", "numeric")
    assert p.steps, "a proof must have steps"
    # every symbolic statement is concluded by a chain, and the numeric check really ran
    assert all(o.ok for o in p.outcomes)
    assert p.numeric.crosscheck is not None or any(s.samples for s in p.numeric.statements)
    # the central move is computed by SymPy (a derivative, an integral, a solve, a sum...), not typed in
    assert any(s.provenance.startswith("computed by SymPy") for c in p.chains for s in c.steps), name


@pytest.mark.parametrize("name", NAMES)
def test_near_misses_are_rejected(name: str) -> None:
    """The derivation of each near miss fails at the statement changed (its chain no longer ends at
    the wrong right side); the numeric checks, which :func:`prove_identity` would run after it, are
    tested against the same near misses in tests/core/test_claims_independent.py."""
    ident = derive.get(name)
    misses = list(near_misses(ident))
    for statement, description, wrong in misses:
        _, failure = derive_chains(wrong)
        assert failure and statement.label in failure, (f"{name}: {description} in {statement.label!r}", failure)


@pytest.mark.parametrize("name", NAMES)
def test_sheet_compiles(name: str, tmp_path: Path, latex_available: None) -> None:
    p = derive.prove(name)
    pdf = compile_tex(p.latex(), tmp_path)
    warnings = warnings_in_log((tmp_path / "sheet.log").read_text(encoding="utf-8", errors="replace"))
    assert not warnings, f"LaTeX warnings (overfull boxes, bad PDF strings...) in the sheet of {name}: {warnings}"
    text = _letters(subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout)
    assert _letters(p.identity.title.split("$")[0])[:20] in text
    assert "verdict" in text and "proved" in text
    for o in p.outcomes:  # every statement label, as printed (quotes and dashes set by TeX)
        assert _letters(o.label)[:12] in text, o.label


def _letters(text: str) -> str:
    """Lower-case letters and digits only: what survives TeX typography and pdftotext alike."""
    return "".join(c for c in text.lower() if c.isalnum())
