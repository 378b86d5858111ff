"""Compiling LaTeX to PDF with latexmk, and reading its log."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from ..errors import CompileError


def latexmk() -> str | None:
    return shutil.which("latexmk")


def compile_tex(source: str, workdir: Path, *, name: str = "sheet", timeout: float = 180.0) -> Path:
    """Compile ``source`` in ``workdir`` with latexmk; return the PDF path or raise CompileError."""
    exe = latexmk()
    if exe is None:
        raise CompileError(
            "latexmk was not found, so the PDF cannot be built. Install TeX (Debian/Ubuntu: apt-get install "
            "latexmk texlive-latex-base texlive-latex-recommended texlive-latex-extra lmodern), or write the "
            "LaTeX source instead (an output path ending in .tex)."
        )
    tex_path = workdir / f"{name}.tex"
    tex_path.write_text(source, encoding="utf-8")
    cmd = [exe, "-pdf", *LATEX_FLAGS, f"{name}.tex"]
    returncode, stdout = _run_in_own_group(
        cmd, workdir, timeout, f"latexmk ran longer than {timeout:.0f} s on {name}.tex"
    )
    pdf = workdir / f"{name}.pdf"
    if returncode != 0 or not pdf.exists():
        raise CompileError(f"LaTeX failed on {name}.tex:\n{log_excerpt(workdir / f'{name}.log', stdout)}")
    return pdf


#: no shell escape (a sheet's text comes from plugins and answers: ``write18`` must not run
#: commands), no interaction, stop at the first error
LATEX_FLAGS = ("-no-shell-escape", "-interaction=nonstopmode", "-halt-on-error", "-file-line-error")


def _run_in_own_group(cmd: list[str], workdir: Path, timeout: float, late: str) -> tuple[int, str]:
    r"""Run ``cmd`` in a process group of its own; on a timeout (``\def\a{\a}\a`` loops forever)
    or an interrupt the whole group is killed, so no pdflatex is left running, orphaned."""
    proc = subprocess.Popen(
        cmd, cwd=workdir, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True
    )
    try:
        stdout, _ = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill_group(proc)
        raise CompileError(late) from None
    except BaseException:
        _kill_group(proc)
        raise
    return proc.returncode, stdout


def _kill_group(proc: subprocess.Popen[str]) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.communicate()


def log_excerpt(log: Path, fallback: str = "", context: int = 6) -> str:
    """The lines of a LaTeX log around its first error."""
    text = log.read_text(encoding="utf-8", errors="replace") if log.exists() else fallback
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if line.startswith("!") or re.match(r"^[^:\s]+\.tex:\d+:", line):
            return "\n".join(lines[max(0, i - 2) : i + context])
    return "\n".join(lines[-context * 2 :])


def warnings_in_log(log_text: str) -> list[str]:
    """LaTeX warnings and over/underfull boxes found in a log (the tests treat them as failures)."""
    pattern = re.compile(r"(LaTeX Warning:.*|Package \w+ Warning:.*|Overfull \\hbox.*|Underfull \\hbox.*)")
    return [m.group(0) for m in pattern.finditer(log_text)]


def write_pdf(source: str, path: Path) -> Path:
    """Compile ``source`` and copy the PDF to ``path``."""
    path = Path(path)
    with tempfile.TemporaryDirectory(prefix="derive-") as tmp:
        pdf = compile_tex(source, Path(tmp), name=path.stem or "sheet")
        path.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(pdf, path)
    return path
