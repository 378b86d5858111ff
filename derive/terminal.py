"""Plain-text and Markdown renderings of a Proof (for the terminal and notebooks)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import sympy as sp

if TYPE_CHECKING:
    from .equivalence import Verification
    from .proof import Proof

_TEX_WORDS = {
    r"\Phi": "Φ",
    r"\varphi": "φ",
    r"\phi": "φ",
    r"\sigma": "σ",
    r"\mu": "μ",
    r"\eta": "η",
    r"\lambda": "λ",
    r"\tau": "τ",
    r"\theta": "θ",
    r"\beta": "β",
    r"\alpha": "α",
    r"\delta": "δ",
    r"\epsilon": "ε",
    r"\varepsilon": "ε",
    r"\pi": "π",
    r"\rho": "ρ",
    r"\Sigma": "Σ",
    r"\Lambda": "Λ",
    r"\nabla": "∇",
    r"\partial": "∂",
    r"\le": "≤",
    r"\ge": "≥",
    r"\leq": "≤",
    r"\geq": "≥",
    r"\ne": "≠",
    r"\to": "→",
    r"\infty": "∞",
    r"\cdot": "·",
    r"\times": "×",
    r"\sum": "Σ",
    r"\prod": "∏",
    r"\int": "∫",
    r"\approx": "≈",
    r"\in": "∈",
    r"\sqrt": "√",
    r"\top": "T",
    r"\operatorname": "",
    r"\mathrm": "",
    r"\tfrac": "frac",
    r"\frac": "frac",
    r"\log": "log",
    r"\exp": "exp",
    r"\quad": " ",
    r"\,": " ",
    r"\;": " ",
    r"\!": "",
    r"\mathbb": "",
    r"\mathbf": "",
    r"\boldsymbol": "",
    r"\text": "",
    r"\bigl": "",
    r"\bigr": "",
    r"\left": "",
    r"\right": "",
    r"\ell": "ℓ",
    r"\odot": "⊙",
    r"\otimes": "⊗",
    r"\kappa": "κ",
    r"\gamma": "γ",
    r"\omega": "ω",
    r"\Omega": "Ω",
    r"\Theta": "Θ",
    r"\Delta": "Δ",
    r"\psi": "ψ",
}


def plain(text: str) -> str:
    """Make LaTeX-ish prose readable in a terminal (``$\\Phi' = \\varphi$`` -> ``Φ' = φ``)."""
    out = text.replace("$", "")
    for word in sorted(_TEX_WORDS, key=len, reverse=True):
        out = re.sub(re.escape(word) + r"(?![A-Za-z])", _TEX_WORDS[word], out)
    out = re.sub(r"frac\{([^{}]*)\}\{([^{}]*)\}", r"(\1)/(\2)", out)
    out = out.replace("{", "").replace("}", "").replace("\\\\", " ").replace("~", " ")
    return re.sub(r"\s+", " ", out).strip()


_REL = {sp.Eq: "=", sp.Le: "≤", sp.Lt: "<", sp.Ge: "≥", sp.Gt: ">"}


def _form(e: sp.Basic) -> str:
    """One-line text of a form; relations as ``lhs = rhs`` rather than ``Eq(lhs, rhs)``."""
    if type(e) in _REL:
        return f"{sp.sstr(e.lhs, order='none')} {_REL[type(e)]} {sp.sstr(e.rhs, order='none')}"
    return sp.sstr(e, order="none")


def _method(v: Verification | None) -> str:
    if v is None:
        return ""
    if v.ok is True:
        return ("✓ " if v.symbolic else "≈ ") + v.method
    return ("✗ " if v.ok is False else "? ") + v.method + (f": {v.detail}" if v.detail else "")


def _c(text: str, code: str, color: bool) -> str:
    return f"\x1b[{code}m{text}\x1b[0m" if color else text


def proof_text(p: Proof, *, color: bool = False) -> str:
    """The derivation as the terminal shows it: statement, steps with reasons, checks, verdict."""
    ident = p.identity
    rel = {"=": "=", "<=": "≤", "<": "<", ">=": "≥", ">": ">", "<=>": "⇔"}
    lines = [_c(f"{ident.title}  [{ident.name}]", "1", color), f"map {ident.section}: {plain(ident.map_row)}", ""]
    lines.append(_c("Statement", "1", color))
    for o in p.outcomes:
        body = _form(o.relation) if o.relation is not None else plain(o.text)
        lines.append(f"  ({o.label})  {body}")
    if ident.variables:
        lines.append("  where " + "; ".join(plain(v) for _, v in ident.variable_table))
    lines += ["", _c("Derivation", "1", color)]
    for k, c in enumerate(p.chains, 1):
        head = f"  [{k}] proof of ({c.statement})" if c.statement else f"  [{k}] lemma"
        lines.append(head + (f" — {c.scope}" if c.scope else ""))
        for note in c.notes:
            lines.append(f"      {plain(note)}")
        for i, s in enumerate(c.steps):
            lead = "     " if i == 0 else f"   {rel.get(s.relation, '=')} "
            lines.append(f"  {lead}{_form(s.expr)}")
            why = plain(s.why)
            method = _method(s.verification)
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
    for s in n.statements:
        if s.note or not s.ok:
            lines.append(f"  ({s.label}) {'ok' if s.ok else 'FAIL'} {s.note}")
    for r in ([n.crosscheck] if n.crosscheck else []) + list(n.extra):
        mark = "✓" if r.ok else "✗"
        lines.append(
            f"  {mark} {r.name} [{r.method}]: error {r.error:.2e} (tolerance {r.tolerance:.0e}, "
            f"{r.samples} samples)" + (f"\n      {r.detail}" if r.detail and not r.ok else "")
        )
    lines.append("")
    verdict = f"Verdict: {p.verdict}"
    lines.append(_c(verdict, "1;32" if p.ok else "1;31", color))
    if p.failure:
        lines.append(_c(p.failure, "31", color))
    for o in p.outcomes:
        if not o.ok or o.level != "general":
            lines.append(f"  ({o.label}) {o.level}: {o.how}")
    return "\n".join(lines)


def proof_markdown(p: Proof) -> str:
    """Markdown with LaTeX math, for Jupyter."""
    from .render import RELATION_TEX, tex

    ident = p.identity
    out = [f"**{ident.title}** (`{ident.name}`, map {ident.section}) — **{p.verdict}**", ""]
    for o in p.outcomes:
        out.append(f"- $ {tex(o.relation)} $" if o.relation is not None else f"- {o.text} *(numeric)*")
    out.append("")
    for c in p.chains:
        out.append(f"*Proof of {c.statement}*" if c.statement else "*Lemma*")
        out.append("")
        for i, s in enumerate(c.steps):
            lead = "" if i == 0 else RELATION_TEX.get(s.relation, "=") + " "
            note = f" — {s.why}" if s.why else ""
            method = f" *({s.verification.label})*" if s.verification else ""
            out.append(f"- $ {lead}{tex(s.expr)} ${note}{method}")
        out.append("")
    n = p.numeric
    out.append(
        f"Numeric check: {n.samples} samples (seed {n.seed}), max rel. error {n.max_rel_error:.1e}"
        + (f"; cross-check {n.crosscheck.name}: {n.crosscheck.error:.1e}" if n.crosscheck else "")
    )
    return "\n".join(out)
