"""The renderers behind the display methods of records (:mod:`derive.core.display`).

:class:`ProofRenderer` shows a :class:`~derive.core.proof.Proof` as terminal text, Markdown, a
LaTeX sheet or a PDF; :class:`VerdictRenderer` shows an answer's verdict (duck-typed: ``status``,
``message``, ``diagnosis``, ``parsed``), so this layer needs nothing from answer checking.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..core.proof import Proof
from .html import proof_html, verdict_html
from .pdf import write_pdf
from .sheet import sheet_source
from .tex import tex
from .text import proof_markdown, proof_text, verdict_markdown, verdict_text


class ProofRenderer:
    def text(self, record: Proof, *, color: bool = False) -> str:
        return proof_text(record, color=color)

    def markdown(self, record: Proof) -> str:
        return proof_markdown(record)

    def html(self, record: Proof) -> str:
        return proof_html(record)

    def latex(self, record: Proof) -> str:
        return sheet_source(record)

    def inline_latex(self, record: Proof) -> str:
        lines = [rf"\text{{{record.identity.title} — {record.verdict}}}"]
        lines += [tex(o.relation) for o in record.outcomes if o.relation is not None]
        return "$\\displaystyle\\begin{gathered}" + r"\\ ".join(lines) + r"\end{gathered}$"

    def pdf(self, record: Proof, path: Path) -> Path:
        return write_pdf(sheet_source(record), path)


class VerdictRenderer:
    def text(self, record: Any, *, color: bool = False) -> str:
        return verdict_text(record)

    def markdown(self, record: Any) -> str:
        return verdict_markdown(record)

    def html(self, record: Any) -> str:
        return verdict_html(record)

    def latex(self, record: Any) -> str:
        read = tex(record.parsed) if record.parsed is not None else r"\text{(unread)}"
        return rf"{read} \quad \text{{{record.status}}}"

    def inline_latex(self, record: Any) -> str:
        return f"${self.latex(record)}$"

    def pdf(self, record: Any, path: Path) -> Path:
        raise TypeError("a verdict is not a document: write its latex() into one")
