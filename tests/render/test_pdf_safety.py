"""latexmk runs without shell escape, under a time limit, in a process group that is killed."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from derive.errors import CompileError
from derive.render.pdf import compile_tex

pytestmark = pytest.mark.latex

LOOP = r"""\documentclass{article}
\begin{document}
\def\a{\a}\a
\end{document}
"""

SHELL = r"""\documentclass{article}
\begin{document}
\immediate\write18{touch pwned}
shellescape=\the\pdfshellescape.
\end{document}
"""


def _running(name: str) -> list[str]:
    out = subprocess.run(["pgrep", "-af", name], capture_output=True, text=True, check=False).stdout
    return [line for line in out.splitlines() if "pgrep" not in line]


def test_a_looping_document_is_stopped_and_no_tex_is_left_running(tmp_path: Path, latex_available: None) -> None:
    with pytest.raises(CompileError, match="longer than 3 s"):
        compile_tex(LOOP, tmp_path, name="loop-sheet-3f9c", timeout=3)
    assert _running("loop-sheet-3f9c") == []


def test_shell_escape_is_off(tmp_path: Path, latex_available: None) -> None:
    """pdfTeX reports 0 (off), not TeX Live's default 2 (restricted commands allowed)."""
    pdf = compile_tex(SHELL, tmp_path, name="shell")
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "shellescape=0." in text
    assert not (tmp_path / "pwned").exists()
