r"""Proofs and verdicts as HTML for notebooks: math in ``\(...\)`` and ``\[...\]``, which MathJax and
KaTeX typeset in Jupyter, VS Code and Colab alike (``$ x $`` with inner spaces is left as text by
several Markdown front-ends), and every other string HTML-escaped."""

from __future__ import annotations

import re
from html import escape
from typing import Any

from ..core.proof import Proof, link_words
from .tex import tex


def _math(e: Any) -> str:
    return rf"\({escape(tex(e), quote=False)}\)"


def _prose(text: str) -> str:
    """LaTeX prose (``softplus' = $\\sigma$``) as HTML, its ``$...$`` spans as ``\\(...\\)``."""
    return re.sub(r"\$([^$]+)\$", r"\\(\1\\)", escape(text, quote=False))


def proof_html(p: Proof) -> str:
    """Title and verdict, the statements, each chain's steps with their reasons, the levels."""
    ident = p.identity
    colour = "#1a7f37" if p.ok else "#cf222e"
    out = [
        f"<div><b>{_prose(ident.title)}</b> <code>{escape(ident.name)}</code> (map {escape(ident.section)})"
        f" — <b style='color:{colour}'>{escape(p.verdict)}</b>",
        "<ul>",
    ]
    for o in p.outcomes:
        body = _math(o.relation) if o.relation is not None else _prose(o.text) + " <i>(numeric)</i>"
        out.append(f"<li>({escape(o.label)}) {body}</li>")
    out.append("</ul>")
    for c in p.chains:
        out.append(f"<p><i>{'Proof of ' + escape(c.statement) if c.statement else 'Lemma'}</i></p><ol>")
        for i, s in enumerate(c.steps):
            lead = "" if i == 0 else s.relation.tex + " "
            why = f" — {_prose(s.why)}" if s.why else ""
            how = f" <small>({_prose(link_words(s.verification))})</small>" if s.verification else ""
            out.append(rf"<li>\({escape(lead + tex(s.expr), quote=False)}\){why}{how}</li>")
        out.append("</ol>")
    out.append(
        "<ul>"
        + "".join(f"<li>({escape(o.label)}) <b>{escape(o.level)}</b>: {_prose(o.how)}</li>" for o in p.outcomes)
        + "</ul></div>"
    )
    return "\n".join(out)


def verdict_html(v: Any) -> str:
    """Status, how the answer was read, the message (its math typeset), the counterexample."""
    colour = {"correct": "#1a7f37", "incorrect": "#cf222e"}.get(v.status, "#9a6700")
    read = f" — read as {_math(v.parsed)}" if v.parsed is not None else ""
    out = f"<div><b style='color:{colour}'>{escape(v.status)}</b>{read}<br>{_prose(v.message)}"
    if v.diagnosis and v.diagnosis not in v.message:
        out += f"<br><i>{_prose(v.diagnosis)}</i>"
    return out + "</div>"
