"""The derivation sheet of one proof: its template context, its LaTeX source, the file written.

:func:`proof_context` turns a :class:`~derive.core.proof.Proof` into strings and plain data (printed
by :mod:`.tex`, picklable, so the book's workers can return it); ``templates/sheet.tex.j2`` lays it
out. Nothing here recomputes mathematics.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import sympy as sp

from ..core.claims import StatementCheck
from ..core.derivation import Chain, Cited, Step
from ..core.proof import NUMERIC, Outcome, Proof, link_words, step_words
from ..numeric.crosscheck import CrossCheckResult
from ..verify.ladder import Verification
from .figures import coordinates, figure
from .pdf import write_pdf
from .templates import environment
from .tex import escape, escape_prose, label, plain, tex


def verification_text(v: Verification | None) -> str:
    """How a link was verified, in words (``proved: expand``; for a numeric verification what was
    checked, never "proved"): :func:`~derive.core.proof.link_words`."""
    return link_words(v)


def proof_context(p: Proof, linked: frozenset[str] = frozenset()) -> dict[str, Any]:
    """Everything a template needs about one proof, as strings and plain data (picklable).

    ``linked`` names the identities present in the same document: references to them become
    hyperlinks, others stay plain names.
    """
    ident = p.identity
    num = p.numeric
    return {
        "name": escape(ident.name),
        "label": label(ident.name),
        "title": ident.title,
        "title_plain": escape(plain(ident.title)),
        "section": ident.section,
        "map_row": ident.map_row,
        "summary": ident.summary,
        "variables": [v for _, v in ident.variable_table],
        "outcomes": [_outcome(o) for o in p.outcomes],
        "chains": [_chain(p, c) for c in p.chains],
        "checks": [_statement_check(s) for s in num.statements],
        "cross": [_crosscheck(r) for r in ([num.crosscheck] if num.crosscheck else []) + list(num.extra)],
        "samples": num.samples,
        "seed": p.seed,
        "ok": p.ok,
        "level": p.level,
        "verdict": escape(p.verdict),
        "numeric": p.level == NUMERIC,
        "failure": escape(p.failed_because if not p.ok else ""),
        "lemmas": [escape(name) for name in p.lemmas],
        "assumes": [_fact(f) for f in p.assumes],
        "question": ident.question.prompt if ident.question is not None else "",
        "refs": [{"text": r.text, "url": r.url, "where": escape(r.where)} for r in ident.refs],
        "builds_on": [{"name": escape(n), "label": label(n), "linked": n in linked} for n in ident.builds_on],
        "seconds": f"{p.seconds:.2f}",
        "versions": p.versions,
        "figure": _figure_context(p),
    }


def _fact(f: Cited) -> dict[str, str]:
    """A named fact the proof assumes: its name, statement (LaTeX) and citation."""
    return {"name": escape(f.name), "statement": f.statement, "ref": f.citation}


def _step(k: int, s: Step) -> dict[str, Any]:
    return {
        "tex": tex(s.expr),
        "relation": s.relation.tex,
        "why": s.why,
        "method": escape_prose(step_words(s)),
        "provenance": escape(s.provenance),
        "lemmas": [escape(name) for name in (s.verification.lemmas if s.verification else ())],
        "numeric": s.verification is not None and not s.verification.symbolic,
        "ok": s.ok,
        "first": k == 0,
        "equation": isinstance(s.expr, sp.Eq),
    }


def _chain(p: Proof, c: Chain) -> dict[str, Any]:
    statement = next((st for st in p.identity.statements if st.label == c.statement), None)
    return {
        "steps": [_step(k, s) for k, s in enumerate(c.steps)],
        "title": c.title,
        "scope": c.scope,
        "notes": list(c.notes),
        "statement_label": escape(c.statement),
        "statement_tex": tex(statement.relation) if statement and statement.relation is not None else "",
        "conclusion": [escape_prose(verification_text(v)) for v in c.conclusion],
        "ok": c.ok,
    }


def _outcome(o: Outcome) -> dict[str, Any]:
    return {
        "label": escape(o.label),
        "tex": tex(o.relation) if o.relation is not None else "",
        "text": o.text,
        "level": o.level,
        "ok": o.ok,
        "how": escape_prose(o.how),
        "evidence": [escape(e) for e in o.evidence],
        "scope": o.scope,
    }


def _statement_check(s: StatementCheck) -> dict[str, Any]:
    return {
        "label": escape(s.label),
        "samples": s.samples,
        "abs": f"{s.max_abs_error:.2e}",
        "rel": f"{s.max_rel_error:.2e}",
        "ok": s.ok,
        "note": escape(s.note),
        "method": escape(s.method),
    }


def _crosscheck(r: CrossCheckResult) -> dict[str, Any]:
    return {
        "name": escape(r.name),
        "method": escape(r.method),
        "error": f"{r.error:.2e}",
        "tolerance": f"{r.tolerance:.0e}",
        "samples": r.samples,
        "ok": r.ok,
        "detail": escape(r.detail),
    }


def _figure_context(p: Proof) -> dict[str, Any] | None:
    fig = figure(p)
    if fig is None:
        return None
    return {
        "var": fig.var,
        "curves": [{"label": name, "coords": coordinates(fig.x, y)} for name, y in fig.curves],
        "error": coordinates(fig.x, fig.error),
        # an exact check leaves the error at the floor everywhere: give the axis a range anyway
        "error_max": f"{max(1e-13, 10 * float(fig.error.max())):.0e}",
        "error_label": fig.error_label,
        "fixed": fig.fixed,
    }


def sheet_source(p: Proof) -> str:
    """A standalone LaTeX document for one proof."""
    return environment().get_template("sheet.tex.j2").render(proof=proof_context(p), standalone=True)


def write_output(p: Proof, path: Path) -> Path:
    """Write a sheet to ``path``: LaTeX source for ``.tex``, a compiled PDF otherwise."""
    path = Path(path)
    source = sheet_source(p)
    if path.suffix == ".tex":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(source, encoding="utf-8")
        return path
    return write_pdf(source, path)
