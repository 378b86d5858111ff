r"""LaTeX: SymPy printer tweaks, one Jinja environment, and compilation with latexmk.

Templates (``templates/*.tex.j2``) use LaTeX-safe delimiters: ``((* block *))``,
``((( variable )))`` and ``((= comment =))``; they receive strings already printed by SymPy and
never call SymPy themselves. Every display formula is wrapped so it is scaled down rather than
overflowing the line.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sympy as sp
from sympy.printing.latex import LatexPrinter

from .errors import CompileError

if TYPE_CHECKING:
    import jinja2

    from .proof import Proof

RELATION_TEX = {"=": "=", "<=": r"\le", "<": "<", ">=": r"\ge", ">": ">", "<=>": r"\iff"}


class DerivePrinter(LatexPrinter):
    """SymPy's LaTeX printer with the fixes a textbook page needs."""

    def _print_Derivative(self, expr: sp.Derivative) -> str:
        # SymPy prints d/dx x*Phi(x) without brackets, which reads as (d/dx x) * Phi(x)
        inner = expr.expr
        if isinstance(inner, sp.Add | sp.Mul) or (isinstance(inner, sp.Pow) and not inner.exp.is_Integer):
            body = rf"\left({self._print(inner)}\right)"
            head = super()._print_Derivative(sp.Derivative(sp.Symbol("XBODYX"), *expr.variable_count))
            return head.replace("XBODYX", body)
        return super()._print_Derivative(expr)


@cache
def printer() -> DerivePrinter:
    return DerivePrinter({"mul_symbol": None, "ln_notation": True})


def tex(e: Any) -> str:
    """LaTeX of a SymPy object with the project's printer."""
    if isinstance(e, str):
        return e
    return printer().doprint(e)


_ESCAPE = {
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "{": r"\{",
    "}": r"\}",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
    "\\": r"\textbackslash{}",
}


def escape(text: str) -> str:
    """Escape plain text (names, messages) for LaTeX."""
    return "".join(_ESCAPE.get(c, c) for c in str(text))


@cache
def template_dir() -> Path:
    """``templates/`` shipped in the wheel (``derive/templates``) or beside the source tree."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "templates", here.parent / "templates"):
        if (candidate / "sheet.tex.j2").exists():
            return candidate
    raise FileNotFoundError("derive's LaTeX templates are missing (expected derive/templates or ./templates)")


@cache
def environment() -> jinja2.Environment:
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(template_dir())),
        block_start_string="((*",
        block_end_string="*))",
        variable_start_string="(((",
        variable_end_string=")))",
        comment_start_string="((=",
        comment_end_string="=))",
        line_statement_prefix=None,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        keep_trailing_newline=True,
    )
    env.filters["escape_tex"] = escape
    return env


def label(name: str) -> str:
    """A LaTeX label / hyperref anchor for an identity name."""
    return "id:" + re.sub(r"[^A-Za-z0-9-]", lambda m: f"-{ord(m.group()):x}", name)


def _verification_text(v: Any) -> str:
    if v is None:
        return ""
    word = {True: "proved" if v.symbolic else "numerically verified", False: "FALSE", None: "undecided"}[v.ok]
    return f"{word}: {v.method}"


def proof_context(p: Proof, linked: frozenset[str] = frozenset()) -> dict[str, Any]:
    """Everything a template needs about one proof, as strings and plain data (picklable).

    ``linked`` names the identities present in the same document: references to them become
    hyperlinks, others stay plain names.
    """
    ident = p.identity
    chains = []
    for c in p.chains:
        steps = []
        for k, s in enumerate(c.steps):
            steps.append(
                {
                    "tex": tex(s.expr),
                    "relation": RELATION_TEX.get(s.relation, "="),
                    "why": s.why,
                    "method": escape(_verification_text(s.verification)),
                    "numeric": s.verification is not None and not s.verification.symbolic,
                    "ok": s.ok,
                    "first": k == 0,
                    "equation": isinstance(s.expr, sp.Eq),
                }
            )
        statement = next((st for st in ident.statements if st.label == c.statement), None)
        chains.append(
            {
                "steps": steps,
                "title": c.title,
                "scope": c.scope,
                "notes": list(c.notes),
                "statement_label": escape(c.statement),
                "statement_tex": tex(statement.relation) if statement and statement.relation is not None else "",
                "conclusion": [escape(_verification_text(v)) for v in c.conclusion],
                "ok": c.ok,
            }
        )
    outcomes = [
        {
            "label": escape(o.label),
            "tex": tex(o.relation) if o.relation is not None else "",
            "text": o.text,
            "level": o.level,
            "ok": o.ok,
            "how": escape(o.how),
        }
        for o in p.outcomes
    ]
    num = p.numeric
    checks = [
        {
            "label": escape(s.label),
            "samples": s.samples,
            "abs": f"{s.max_abs_error:.2e}",
            "rel": f"{s.max_rel_error:.2e}",
            "ok": s.ok,
            "note": escape(s.note),
        }
        for s in num.statements
    ]
    cross = []
    for r in ([num.crosscheck] if num.crosscheck else []) + list(num.extra):
        cross.append(
            {
                "name": escape(r.name),
                "method": escape(r.method),
                "error": f"{r.error:.2e}",
                "tolerance": f"{r.tolerance:.0e}",
                "samples": r.samples,
                "ok": r.ok,
                "detail": escape(r.detail),
            }
        )
    return {
        "name": escape(ident.name),
        "label": label(ident.name),
        "title": ident.title,
        "title_plain": escape(_plain(ident.title)),
        "section": ident.section,
        "map_row": ident.map_row,
        "summary": ident.summary,
        "variables": [v for _, v in ident.variable_table],
        "outcomes": outcomes,
        "chains": chains,
        "checks": checks,
        "cross": cross,
        "samples": num.samples,
        "seed": p.seed,
        "ok": p.ok,
        "level": p.level,
        "verdict": escape(p.verdict),
        "failure": escape(p.failure or ""),
        "refs": [{"text": r.text, "url": r.url, "where": escape(r.where)} for r in ident.refs],
        "builds_on": [{"name": escape(n), "label": label(n), "linked": n in linked} for n in ident.builds_on],
        "seconds": f"{p.seconds:.2f}",
        "versions": p.versions,
        "figure": _figure_context(p),
    }


def _figure_context(p: Proof) -> dict[str, Any] | None:
    from .figures import coordinates, figure

    fig = figure(p)
    if fig is None:
        return None
    return {
        "var": fig.var,
        "curves": [{"label": label, "coords": coordinates(fig.x, y)} for label, y in fig.curves],
        "error": coordinates(fig.x, fig.error),
        # an exact check leaves the error at the floor everywhere: give the axis a range anyway
        "error_max": f"{max(1e-13, 10 * float(fig.error.max())):.0e}",
        "error_label": fig.error_label,
        "fixed": fig.fixed,
    }


def _plain(text: str) -> str:
    from .terminal import plain

    return plain(text)


def sheet_source(p: Proof) -> str:
    """A standalone LaTeX document for one proof."""
    return environment().get_template("sheet.tex.j2").render(proof=proof_context(p), standalone=True)


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
    cmd = [exe, "-pdf", "-interaction=nonstopmode", "-halt-on-error", "-file-line-error", f"{name}.tex"]
    try:
        proc = subprocess.run(cmd, cwd=workdir, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired as exc:
        raise CompileError(f"latexmk ran longer than {timeout:.0f} s on {name}.tex") from exc
    pdf = workdir / f"{name}.pdf"
    if proc.returncode != 0 or not pdf.exists():
        raise CompileError(f"LaTeX failed on {name}.tex:\n{log_excerpt(workdir / f'{name}.log', proc.stdout)}")
    return pdf


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


def write_output(p: Proof, path: Path) -> Path:
    """Write a sheet to ``path``: LaTeX source for ``.tex``, a compiled PDF otherwise."""
    path = Path(path)
    if path.suffix == ".tex":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(p.latex(), encoding="utf-8")
        return path
    return write_pdf(p.latex(), path)
