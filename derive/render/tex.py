r"""The one printer: SymPy objects as LaTeX, plain text for terminals, escaping.

- :func:`tex`: LaTeX of a SymPy object with the project's printer (:class:`DerivePrinter`);
- :func:`escape`: plain text (names, messages) made safe inside LaTeX; :func:`escape_prose` keeps
  the ``$...$`` math of prose;
- :func:`plain`: LaTeX-ish prose made readable in a terminal (``$\\Phi' = \\varphi$`` is ``Φ' = φ``);
- :func:`form`: a SymPy object on one line of plain text (relations as ``lhs = rhs``);
- :func:`label`: a LaTeX label / hyperref anchor for an identity name.

Relation symbols come from :class:`~derive.core.relations.Relation` (``.tex``, ``.text``).
"""

from __future__ import annotations

import re
from functools import cache, lru_cache
from typing import Any

import sympy as sp
from sympy.printing.latex import LatexPrinter

from ..core.relations import Relation


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


def escape_prose(text: str) -> str:
    """Escape prose that may hold ``$...$`` math (a chain's scope inside a level's reason): the
    text between the dollars is kept as LaTeX, the rest escaped; unbalanced dollars escape all."""
    parts = str(text).split("$")
    if len(parts) % 2 == 0:
        return escape(text)
    return "".join(escape(p) if k % 2 == 0 else f"${p}$" for k, p in enumerate(parts))


def label(name: str) -> str:
    """A LaTeX label / hyperref anchor for an identity name."""
    return "id:" + re.sub(r"[^A-Za-z0-9-]", lambda m: f"-{ord(m.group()):x}", name)


def _argument(l2tobj: Any, node: Any) -> str:
    """A macro argument as text, bracketed when it is more than one symbol."""
    text = l2tobj.nodelist_to_text([node]).strip() if node is not None else ""
    return text if re.fullmatch(r"[\w.]*", text) else f"({text})"


def _fraction(node: Any, l2tobj: Any) -> str:
    numerator, denominator = node.nodeargd.argnlist[-2:]
    return f"{_argument(l2tobj, numerator)}/{_argument(l2tobj, denominator)}"


@cache
def _latex_to_text() -> Any:
    """pylatexenc's converter, with fractions bracketed (``(x-μ)^2/(2s^2)``) and spacing macros."""
    from pylatexenc.latex2text import LatexNodes2Text, MacroTextSpec, get_default_latex_context_db

    db = get_default_latex_context_db().filter_context(keep_categories=None)
    macros = [MacroTextSpec("frac", simplify_repl=_fraction)]
    spacing = {"|": "‖", ",": " ", ";": " ", ":": " ", "!": "", "top": "T", "quad": " ", "qquad": " ", "ne": "≠"}
    macros += [MacroTextSpec(name, simplify_repl=text) for name, text in spacing.items()]
    db.add_context_category("derive", prepend=True, macros=macros)
    return LatexNodes2Text(latex_context=db, math_mode="text", strict_latex_spaces=False)


@cache
def _walker_context() -> Any:
    """The parser's macro table, built once (pylatexenc's ``LatexWalker`` rebuilds its default
    table on every call: 0.5 ms per feedback string in a grading run)."""
    from pylatexenc.latexwalker import get_default_latex_context_db

    return get_default_latex_context_db()


@lru_cache(maxsize=4096)
def plain(text: str) -> str:
    r"""LaTeX prose as plain text for terminals and CSV cells (``$\Phi' = \varphi$`` -> ``Φ' = φ``),
    by pylatexenc; a bare ``%`` is kept as a percent sign, not read as a comment. Kept by text: a
    grading run repeats the same feedback for many students."""
    from pylatexenc.latexwalker import LatexWalker

    source = re.sub(r"(?<!\\)%", r"\\%", text)
    source = re.sub(r"\\[tdc]frac(?![A-Za-z])", r"\\frac", source)  # one spelling for pylatexenc
    try:
        walker = LatexWalker(source, latex_context=_walker_context(), tolerant_parsing=True)
        nodes, _, _ = walker.get_latex_nodes()
        out = _latex_to_text().nodelist_to_text(nodes)
    except Exception:  # pylatexenc is tolerant; should it give up, the text is still shown
        out = source.replace("$", "")
    return re.sub(r"\s+", " ", out).strip()


def plain_math(text: str) -> str:
    r"""Only the ``$...$`` spans of ``text`` as plain text (``sign flipped: $\sigma(1+\sigma)$`` ->
    ``sign flipped: σ(1+σ)``); the rest is left as written (a student's answer quoted in a message
    keeps its braces and backslashes)."""
    return re.sub(r"\$([^$]+)\$", lambda m: plain(m.group(0)), text)


def form(e: sp.Basic) -> str:
    """One-line text of a form; relations as ``lhs = rhs`` rather than ``Eq(lhs, rhs)``."""
    if isinstance(e, sp.Eq | sp.Le | sp.Lt | sp.Ge | sp.Gt):
        return f"{sp.sstr(e.lhs, order='none')} {Relation.of(e).text} {sp.sstr(e.rhs, order='none')}"
    return sp.sstr(e, order="none")
