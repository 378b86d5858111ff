r"""Normalisation: untrusted text rewritten into the token language of the grammar (no evaluation).

:func:`normalise` applies the steps of :data:`REWRITES` in order, each a named :class:`Rewrite`
with the reason it exists. Unicode (``σ``, ``²``, ``·``, ``−``, ``√``) becomes LaTeX command
tokens; in LaTeX mode ``\left``/``\right`` and spacing commands are dropped, environments
become brackets and ``if ... else`` chains, and single-character arguments of ``^``, ``_``,
``\frac``, ``\sqrt`` are braced (``x^23`` is :math:`x^2 \cdot 3` in LaTeX, as TeX reads it);
finally absolute-value bars are paired. The order matters: a later step relies on the output of
an earlier one (the cases environment is read before row breaks become matrix rows, ``\tilde``
before spacing commands are dropped, braces are added last).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

from .scope import UNICODE_GREEK


@dataclass(frozen=True)
class Rewrite:
    """One normalisation step: ``apply`` maps text to text; ``latex_only`` steps run on LaTeX only."""

    name: str
    reason: str
    apply: Callable[[str], str]
    latex_only: bool = False


def _sub(pattern: re.Pattern[str], repl: str | Callable[[re.Match[str]], str]) -> Callable[[str], str]:
    """A step that substitutes every match of ``pattern`` with ``repl``."""
    return lambda text: pattern.sub(repl, text)


def _replace(*pairs: tuple[str, str]) -> Callable[[str], str]:
    """A step that replaces each literal ``old`` with ``new``, pair by pair, in order."""

    def apply(text: str) -> str:
        for old, new in pairs:
            text = text.replace(old, new)
        return text

    return apply


# ------------------------------------------------------------------------------------ unicode
_SUPERSCRIPT_MAP = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺ᵀⁿᵗ", "0123456789-+Tnt")
_SUPERSCRIPT_RUN = re.compile("[⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺ᵀⁿᵗ]+")
_INVISIBLE = re.compile("[\u200b-\u200f\u2060\ufeff\u202a-\u202e]")
_SYMBOLS = {
    "·": "*",
    "×": "*",
    "⋅": "*",
    "∗": "*",
    "−": "-",
    "–": "-",
    "÷": "/",
    "√": r"\sqrt ",
    "∑": r"\sum",
    "∏": r"\prod",
    "∞": "oo",
    "ℓ": "l",
}
_STARRED = re.compile(r"[_^]\s*(\{\s*(\*|\\ast|\\star)\s*\}|\*(?!\*)|\\ast\b|\\star\b)")


def _superscripts(text: str) -> str:
    return _SUPERSCRIPT_RUN.sub(lambda m: "^(" + m.group(0).translate(_SUPERSCRIPT_MAP) + ")", text)


def _compatibility(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def _greek(text: str) -> str:
    return "".join(f"\\{UNICODE_GREEK[c]} " if c in UNICODE_GREEK else c for c in text)


# ------------------------------------------------------------------------------------ latex
_CASES = re.compile(r"\\begin\{cases\}(.*?)\\end\{cases\}", re.S)
_TEXT_WORD = re.compile(r"\\(?:text|textrm|mathrm|quad|qquad)\s*(?:\{\s*([A-Za-z ]*?)\s*\})?")
_CONDITION_WORD = re.compile(r"^(if|for|when)\b")
_OTHERWISE = re.compile(r"(otherwise|else|sonst)?")
_MATRIX_BEGIN = re.compile(r"\\begin\{[pbvBV]?matrix\}")
_MATRIX_END = re.compile(r"\\end\{[pbvBV]?matrix\}")
_NORM_OPEN = re.compile(r"(?:\\(?:left|right|big|Big|bigg|Bigg))?\s*\\lVert")
_NORM_CLOSE = re.compile(r"(?:\\(?:left|right|big|Big|bigg|Bigg))?\s*\\rVert")
_FLOOR_OPEN = re.compile(r"\\(left|right|big|Big)?\s*\\lfloor")
_CEIL_OPEN = re.compile(r"\\(left|right|big|Big)?\s*\\lceil")
_FLOOR_CEIL_CLOSE = re.compile(r"\\(left|right|big|Big)?\s*\\r(floor|ceil)")
_ACCENTS = {"tilde": "tilde", "widetilde": "tilde", "hat": "hat", "widehat": "hat", "bar": "bar", "overline": "bar"}
_ACCENT = re.compile(r"\\(widetilde|tilde|widehat|hat|overline|bar)\s*\{\s*([A-Za-z]+)\s*\}")
_NULL_DELIMITER = re.compile(r"\\(left|right)\s*\.")
_NTH_ROOT = re.compile(r"\\sqrt\s*\[([^\]]*)\]")
_LATEX_DROP = re.compile(
    r"\\(left|right|big|Big|bigg|Bigg)(?=[(\[\]).|]|\\[{}|]|\\[lr]vert)"
    r"|\\[,;:! ]|\\(quad|qquad|displaystyle|textstyle|limits)\b|~"
)
_KEYWORD = re.compile(r"\\(?:text|textrm|mathrm)\s*\{\s*(if|else|otherwise|and|or)\s*\}")
_LATEX_WORD = re.compile(
    r"\\(operatorname\*?|mathrm|text|textrm|mathit|mathsf|rm|mathbf|boldsymbol|bm)\s*\{\s*([A-Za-z]+)\s*\}"
)
_FRAC_VARIANT = re.compile(r"\\(?:[dt]frac\b|cfrac\b\s*(?:\[[lrc]\])?)")
_BAR_WORD = re.compile(r"\\(mid|vert)\b")
_TRANSPOSE = re.compile(r"\\(top|intercal|mathsf\{T\}|mathrm\{T\})")
_FRAC_SQRT_TOKEN = re.compile(r"(\\frac|\\sqrt|\\[dt]?binom)\s*([0-9A-Za-z])")
_FRAC_SECOND_TOKEN = re.compile(r"(\\(?:frac|[dt]?binom)\{[^{}]*\})\s*([0-9A-Za-z])")
_SCRIPT_TOKEN = re.compile(r"([\^_])\s*([0-9A-Za-z])")


def _cases_as_chain(match: re.Match[str]) -> str:
    """``\\begin{cases} a & c_1 \\\\ b & \\text{otherwise} \\end{cases}`` as ``(a if c_1 else b)``."""
    pieces: list[str] = []
    for row in (r for r in match.group(1).split("\\\\") if r.strip()):
        value, _, cond = row.partition("&")
        cond = _TEXT_WORD.sub(lambda m: f" {m.group(1) or ''} ", cond).strip().rstrip(",.;").strip()
        cond = _CONDITION_WORD.sub("", cond).strip()
        if _OTHERWISE.fullmatch(cond):
            pieces.append(f"({value})")
            break
        pieces.append(f"({value}) if {cond} else")
    return "(" + " ".join(pieces).removesuffix(" else") + ")"


def _pair_bars(text: str) -> str:
    """``|x|`` as ``\\lvert x \\rvert``: a bar opens after an operator or at the start, else closes."""
    if "|" not in text:
        return text
    out: list[str] = []
    open_bars = 0
    prev = ""
    for ch in text:
        if ch == "|":
            opening = open_bars == 0 or prev in "+-*/^(,[{=_<>" or (prev == "|" and out[-1].endswith(r"\lvert "))
            if opening:
                out.append(r" \lvert ")
                open_bars += 1
            else:
                out.append(r" \rvert ")
                open_bars -= 1
            prev = "|"
            continue
        out.append(ch)
        if not ch.isspace():
            prev = ch
    return "".join(out)


def _latex(name: str, reason: str, apply: Callable[[str], str]) -> Rewrite:
    return Rewrite(name, reason, apply, latex_only=True)


#: the normalisation steps, applied in this order (LaTeX-only steps are skipped for plain text)
REWRITES: tuple[Rewrite, ...] = (
    Rewrite(
        "superscripts", "a run of superscript characters is one exponent: x⁻¹ is x^(-1), x¹⁰ is x^(10)", _superscripts
    ),
    Rewrite(
        "compatibility forms",
        "full-width digits, the micro sign, no-break spaces become plain ones (NFKC)",
        _compatibility,
    ),
    Rewrite(
        "invisible characters", "zero-width and direction marks pasted from documents are dropped", _sub(_INVISIBLE, "")
    ),
    Rewrite(
        "unicode operators",
        "·, ×, −, ÷, √, ∑, ∏, ∞ become the operators and commands the grammar reads",
        _replace(*_SYMBOLS.items()),
    ),
    Rewrite("unicode greek", "a Greek letter becomes its LaTeX command (σ is \\sigma)", _greek),
    Rewrite("starred names", "f_*, f^*, f_{\\ast} name an optimum, never a product", _sub(_STARRED, "_{ast}")),
    _latex(
        "cases environment",
        "\\begin{cases} is a chain of 'if ... else' (read before row breaks and & become matrix rows)",
        _sub(_CASES, _cases_as_chain),
    ),
    _latex("matrix begin", "\\begin{pmatrix} (and b, v, B, V) opens the list of rows [[", _sub(_MATRIX_BEGIN, "[[")),
    _latex("matrix end", "\\end{pmatrix} closes the list of rows ]]", _sub(_MATRIX_END, "]]")),
    _latex(
        "matrix separators",
        "a row break \\\\ separates rows, & separates entries",
        _replace(("\\\\", "],["), ("&", ",")),
    ),
    _latex("norm open", "\\lVert (sized or not) is two bars", _sub(_NORM_OPEN, r" \\lvert \\lvert ")),
    _latex("norm close", "\\rVert (sized or not) is two bars", _sub(_NORM_CLOSE, r" \\rvert \\rvert ")),
    _latex(
        "sized bars",
        "\\left| and \\right| are an opening and a closing bar",
        _replace((r"\left|", r"\lvert "), (r"\right|", r"\rvert ")),
    ),
    _latex("floor", "\\lfloor opens floor(", _sub(_FLOOR_OPEN, r" \\floor(")),
    _latex("ceiling", "\\lceil opens ceiling(", _sub(_CEIL_OPEN, r" \\ceiling(")),
    _latex("floor and ceiling close", "\\rfloor and \\rceil close the call", _sub(_FLOOR_CEIL_CLOSE, ")")),
    _latex(
        "accents",
        "an accent names a variable: \\tilde{d} is dtilde, \\hat{y} is yhat, \\bar{x} is xbar",
        _sub(_ACCENT, lambda m: "{" + m.group(2) + _ACCENTS[m.group(1)] + "}"),
    ),
    _latex("null delimiters", "\\left. and \\right. delimit nothing", _sub(_NULL_DELIMITER, " ")),
    _latex("nth root", "\\sqrt[n]{x} is \\root{n}{x}", _sub(_NTH_ROOT, r"\\root{\1}")),
    _latex(
        "escaped delimiters",
        "\\| is a bar, \\{ and \\} are parentheses",
        _replace((r"\|", "|"), (r"\{", "("), (r"\}", ")")),
    ),
    _latex(
        "sizing and spacing",
        "\\left, \\right, \\big..., spacing commands, \\displaystyle and ~ change no value",
        _sub(_LATEX_DROP, " "),
    ),
    _latex(
        "text keywords",
        "\\text{if}, \\text{otherwise}, ... are the keywords of a case chain",
        _sub(_KEYWORD, lambda m: f" {m.group(1)} "),
    ),
    _latex(
        "operator names",
        "\\operatorname{sign}, \\mathrm{e}, \\text{softplus} are the words themselves",
        _sub(_LATEX_WORD, lambda m: "\\" + m.group(2)),
    ),
    _latex(
        "fraction variants",
        "\\dfrac, \\tfrac and \\cfrac (its [l] alignment dropped) are \\frac",
        _sub(_FRAC_VARIANT, r"\\frac"),
    ),
    _latex("bar words", "\\mid and \\vert are bars", _sub(_BAR_WORD, "|")),
    _latex("transpose", "\\top, \\intercal, \\mathsf{T}, \\mathrm{T} are the transpose T", _sub(_TRANSPOSE, "T")),
    _latex(
        "fraction and root tokens",
        "TeX reads one token after \\frac, \\sqrt and \\binom: brace a single character",
        _sub(_FRAC_SQRT_TOKEN, r"\1{\2}"),
    ),
    _latex(
        "second fraction token",
        "TeX reads one token as the second argument of \\frac and \\binom: brace it",
        _sub(_FRAC_SECOND_TOKEN, r"\1{\2}"),
    ),
    _latex(
        "script tokens", "TeX reads one token after ^ and _: brace a single character", _sub(_SCRIPT_TOKEN, r"\1{\2}")
    ),
    Rewrite(
        "absolute value bars",
        "|x| is \\lvert x \\rvert: a bar opens after an operator or at the start, else closes",
        _pair_bars,
    ),
)


def normalise(text: str, *, latex: bool) -> str:
    """Rewrite ``text`` into the token language of the grammar (``grammar.lark``), step by step
    through :data:`REWRITES` (no evaluation)."""
    for step in REWRITES:
        if latex or not step.latex_only:
            text = step.apply(text)
    return text
