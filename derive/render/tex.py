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
from functools import cache
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


def form(e: sp.Basic) -> str:
    """One-line text of a form; relations as ``lhs = rhs`` rather than ``Eq(lhs, rhs)``."""
    if isinstance(e, sp.Eq | sp.Le | sp.Lt | sp.Ge | sp.Gt):
        return f"{sp.sstr(e.lhs, order='none')} {Relation.of(e).text} {sp.sstr(e.rhs, order='none')}"
    return sp.sstr(e, order="none")
