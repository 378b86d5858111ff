"""The homework question an identity declares is shown where a teacher looks: the terminal, the
sheet and the book (which share the sheet's identity template)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import derive
from derive.core.proof import prove_identity
from derive.render.sheet import write_output
from derive.render.tex import plain


def test_the_terminal_and_the_sheet_show_the_question(tmp_path: Path) -> None:
    p = derive.prove("gelu'")
    prompt = p.identity.question.prompt
    assert prompt
    text = p.text()
    assert "Homework question" in text and plain(prompt) in text and 'derive check "gelu\'"' in text
    tex = write_output(p, tmp_path / "gelu.tex").read_text(encoding="utf-8")
    assert "Homework question" in tex and prompt in tex


def test_an_identity_without_a_question_shows_none() -> None:
    ident = replace(derive.get("sigmoid'"), question=None)
    assert "Homework question" not in prove_identity(ident).text()
