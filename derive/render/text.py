"""Plain-text and Markdown renderings of records (for the terminal and notebooks)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..core.proof import link_words, step_words
from .tex import form, plain, plain_math, tex

if TYPE_CHECKING:
    from ..core.derivation import Step
    from ..core.proof import Proof
    from ..verify.ladder import Verification


def _method(v: Verification | None) -> str:
    """✓ for a proof, ≈ for a numeric verification (saying what was checked), ✗ refuted, ? undecided."""
    if v is None:
        return ""
    mark = {True: "✓" if v.symbolic else "≈", False: "✗", None: "?"}[v.ok]
    uses = f"; uses {', '.join(v.lemmas)}" if v.lemmas else ""
    return f"{mark} {plain(link_words(v))}{uses}"


def _step_note(s: Step) -> str:
    """The bracket after a step's reason: a mark (:func:`_method`), how the form was obtained and
    how it was verified (:func:`~derive.core.proof.step_words`)."""
    if s.verification is None:
        return s.provenance
    mark = _method(s.verification).split(" ", 1)[0]
    uses = f"; uses {', '.join(s.verification.lemmas)}" if s.verification.lemmas else ""
    return f"{mark} {plain(step_words(s))}{uses}"


def _c(text: str, code: str, color: bool) -> str:
    return f"\x1b[{code}m{text}\x1b[0m" if color else text


def proof_text(p: Proof, *, color: bool = False) -> str:
    """The derivation as the terminal shows it: statement, steps with reasons, checks, verdict."""
    ident = p.identity
    lines = [_c(f"{ident.title}  [{ident.name}]", "1", color), f"map {ident.section}: {plain(ident.map_row)}", ""]
    lines.append(_c("Statement", "1", color))
    for o in p.outcomes:
        body = form(o.relation) if o.relation is not None else plain(o.text)
        lines.append(f"  ({o.label})  {body}" + (f"   [{plain(o.scope)}]" if o.scope else ""))
    if ident.variables:
        lines.append("  where " + "; ".join(plain(v) for _, v in ident.variable_table))
    lines += ["", _c("Derivation", "1", color)]
    for k, c in enumerate(p.chains, 1):
        head = f"  [{k}] proof of ({c.statement})" if c.statement else f"  [{k}] lemma"
        lines.append(head + (f" — {c.scope}" if c.scope else ""))
        for note in c.notes:
            lines.append(f"      {plain(note)}")
        for i, s in enumerate(c.steps):
            lead = "     " if i == 0 else f"   {s.relation.text} "
            lines.append(f"  {lead}{form(s.expr)}")
            why = plain(s.why)
            method = _step_note(s)
            if why or method:
                lines.append(_c(f"        {why}" + (f"   [{method}]" if method else ""), "2", color))
        for v in c.conclusion:
            lines.append(_c(f"      ⇒ {_method(v)}", "2", color))
    n = p.numeric
    lines += [
        "",
        _c("Numeric check", "1", color),
        f"  {n.samples} samples, seed {n.seed}: max abs error {n.max_abs_error:.2e}, "
        f"max rel error {n.max_rel_error:.2e}",
    ]
    for check in n.statements:
        method = f" [{check.method}]" if check.method else ""
        if check.note or method or not check.ok:
            lines.append(f"  ({check.label}) {'ok' if check.ok else 'FAIL'}{method} {check.note}".rstrip())
    for r in ([n.crosscheck] if n.crosscheck else []) + list(n.extra):
        mark = "✓" if r.ok else "✗"
        lines.append(
            f"  {mark} {r.name} [{r.method}]: error {r.error:.2e} (tolerance {r.tolerance:.0e}, "
            f"{r.samples} samples)" + (f"\n      {r.detail}" if r.detail and not r.ok else "")
        )
    if p.lemmas:
        lines += ["", _c("Assumes/uses lemmas", "1", color), "  " + ", ".join(p.lemmas)]
    lines += _question(p, color)
    verdict = f"Verdict: {p.verdict}"
    lines.append(_c(verdict, ("1;33" if p.level == "numeric" else "1;32") if p.ok else "1;31", color))
    if p.failure:
        lines.append(_c(p.failure, "31", color))
    for o in p.outcomes:
        lines.append(f"  ({o.label}) {o.level}{'' if o.ok else ' NOT ESTABLISHED'}: {plain(o.how)}")
    return "\n".join(lines)


def _question(p: Proof, color: bool) -> list[str]:
    """The homework question a teacher can set with this identity, and how to check an answer."""
    q = p.identity.question
    if q is None or not q.prompt:
        return [""]
    return [
        "",
        _c("Homework question", "1", color),
        f"  {plain(q.prompt)}",
        f'  check: derive check "{p.name}" ANSWER',
        "",
    ]


def proof_markdown(p: Proof) -> str:
    """Markdown with LaTeX math, for Jupyter."""
    ident = p.identity
    out = [f"**{ident.title}** (`{ident.name}`, map {ident.section}) — **{p.verdict}**", ""]
    for o in p.outcomes:
        out.append(f"- ${tex(o.relation)}$" if o.relation is not None else f"- {o.text} *(numeric)*")
    out.append("")
    for c in p.chains:
        out.append(f"*Proof of {c.statement}*" if c.statement else "*Lemma*")
        out.append("")
        for i, s in enumerate(c.steps):
            lead = "" if i == 0 else s.relation.tex + " "
            note = f" — {s.why}" if s.why else ""
            method = f" *({link_words(s.verification)})*" if s.verification else ""
            out.append(f"- ${lead}{tex(s.expr)}${note}{method}")
        out.append("")
    if p.lemmas:
        out += [f"Assumes/uses lemmas: {', '.join(p.lemmas)}", ""]
    out += [f"- ({o.label}) **{o.level}**: {o.how}" for o in p.outcomes] + [""]
    n = p.numeric
    out.append(
        f"Numeric check: {n.samples} samples (seed {n.seed}), max rel. error {n.max_rel_error:.1e}"
        + (f"; cross-check {n.crosscheck.name}: {n.crosscheck.error:.1e}" if n.crosscheck else "")
    )
    return "\n".join(out)


def verdict_text(v: Any) -> str:
    """An answer's verdict in one line: its status, the message, the diagnosis if not already said."""
    out = f"{v.status}: {plain_math(v.message)}"
    if v.diagnosis and v.diagnosis not in v.message:
        out += f" ({plain_math(v.diagnosis)})"
    return out


def verdict_markdown(v: Any) -> str:
    """An answer's verdict for a notebook: status, how the answer was read, the message."""
    read = f" — read as ${tex(v.parsed)}$" if v.parsed is not None else ""
    return f"**{v.status}**{read}\n\n{v.message}"
