r"""The safe answer parser: a Lark grammar, resource limits, and a builder over an allow-list.

Text typed by a student is untrusted. It is read in four stages, none of which evaluates Python:

1. **normalise** (:func:`normalise`): Unicode (``σ``, ``²``, ``·``, ``−``, ``√``) becomes LaTeX
   command tokens; in LaTeX mode ``\left``/``\right`` and spacing commands are dropped and
   single-character arguments of ``^``, ``_``, ``\frac``, ``\sqrt`` are braced (``x^23`` is
   :math:`x^2 \cdot 3` in LaTeX, as TeX reads it); absolute-value bars are paired;
2. **limits before parsing**: input length and bracket depth;
3. **parse** with one LALR grammar (linear time) shared by plain and LaTeX input;
4. **limits before building**: tree depth, node count, digits of every literal, and an upper
   bound on the size of every constant power (``9**9**9**9``, ``x**(10**10**10)`` are refused
   here, before SymPy could try to compute them), then **build**: every name is resolved
   through the question's :class:`Scope` (declared variables first, so a variable ``sigma``
   shadows the sigmoid) and every node maps to one SymPy constructor.

Implicit multiplication is accepted where it is unambiguous: ``2x``, ``x phi(x)``, ``2\pi x``,
``s_i (\delta_{ij} - s_j)``; an unknown run of letters is split into declared names when it can
be (``xy`` is ``x*y`` if ``x`` and ``y`` are variables). A word that names a function applies
to what follows it (``\ln s^2`` is ``log(s**2)``, ``\sin^2 x`` is ``sin(x)**2``); a variable
followed by brackets multiplies them (``x(1+x)``). Subscripts name variables (``\beta_1`` is
``beta1``, ``S_{xy}`` is ``Sxy``, ``\eta_{\min}`` is ``eta_min``, ``f_*``), entries of indexed
variables (``s_i``, ``z[k]``) or a Kronecker delta (``\delta_{ij}``); ``f'(x)`` is a derivative;
``[[a, b], [c, d]]``, ``\begin{pmatrix}...\end{pmatrix}``, ``diag(s)`` and ``s^T`` build matrices.
Cases build a ``Piecewise``: ``z - lambda if z > lambda else 0`` (conditions compare with ``<``,
``<=``, ``\le``, ..., chain as ``0 < x <= 1`` and combine with ``and``/``or``), and
``\begin{cases} z - \lambda & z > \lambda \\ 0 & \text{otherwise} \end{cases}`` is the same chain.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import sympy as sp

from ..errors import AnswerSyntaxError
from ..maths.special import Phi, phi, sigmoid, softplus


@dataclass(frozen=True)
class Limits:
    """Resource limits enforced before any SymPy object is built."""

    max_length: int = 2000
    max_bracket_depth: int = 40
    max_tree_depth: int = 200
    max_nodes: int = 800
    max_digits: int = 40
    max_exponent: int = 1000
    max_constant_digits: int = 2000
    max_sum_terms: int = 1000


# ------------------------------------------------------------------------------------ grammar
GRAMMAR = r"""
?start: expr
      | cases

cases: expr _IF cond (_ELSE (cases | expr))?
?cond: conj
     | cond _OR conj                -> or_
?conj: clause
     | conj _AND clause             -> and_
?clause: relation
       | "(" cond ")"
relation: expr (relop expr)+
!relop: "<" | ">" | "<=" | ">=" | "=" | "!=" | "\\le" | "\\leq" | "\\ge" | "\\geq" | "\\lt" | "\\gt" | "\\ne" | "\\neq"

?expr: term
     | expr "+" term        -> add
     | expr "-" term        -> sub

?term: unary
     | term MULOP unary     -> mul
     | term "/" unary       -> div
     | term factor          -> imul
     | term bigsum          -> imul

?unary: factor
      | "-" unary           -> neg
      | "+" unary           -> pos
      | bigsum

?factor: postfix
       | postfix POW unary  -> pow

?postfix: atom
        | postfix "_" script        -> subscript
        | postfix "'"               -> prime
        | postfix "[" arglist "]"   -> index

?atom: NUMBER                              -> number
     | NAME                                -> name
     | CMD                                 -> command
     | CALL arglist ")"                    -> call
     | "(" arglist ")"                     -> paren
     | "[" arglist "]"                     -> bracket
     | "{" expr "}"                        -> group
     | ABSOPEN expr ABSCLOSE               -> abs
     | FRAC atom atom                      -> frac
     | SQRT atom                           -> sqrt
     | ROOT atom atom                      -> root

script: NUMBER | NAME | CMD | "{" scriptbody "}"
scriptbody: (NUMBER | NAME | CMD | ",")+

arglist: item ("," item)*
?item: expr | cases

bigsum: SUM "_" "{" NAME "=" expr "}" POW atom term

POW.3: "^" | "**"
MULOP.2: "*" | "\\cdot" | "\\times"
FRAC.2: "\\frac"
SQRT.2: "\\sqrt"
ROOT.2: "\\root"
SUM.2: "\\sum"
ABSOPEN.2: "\\lvert"
ABSCLOSE.2: "\\rvert"
_IF.2: /if\b/
_ELSE.2: /(else|otherwise)\b/
_AND.2: /(and|\\wedge|\\land)\b/
_OR.2: /(or|\\vee|\\lor)\b/
CALL.1: /\\?(?!(?:if|else|otherwise|and|or)\b)[A-Za-z][A-Za-z0-9]*[ \t]*\(/
CMD: /\\[A-Za-z]+/
NAME: /[A-Za-z][A-Za-z0-9]*/
NUMBER: /(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?/

%ignore /[ \t\r\n]+/
"""


@lru_cache(maxsize=1)
def _lark() -> Any:
    from lark import Lark

    return Lark(GRAMMAR, parser="lalr", maybe_placeholders=False, propagate_positions=False)


# ------------------------------------------------------------------------------------ normalise
_GREEK_NAMES = (
    "alpha beta gamma delta epsilon epsilon zeta eta theta theta iota kappa lambda mu nu xi pi rho rho "
    "sigma tau upsilon phi phi chi psi omega Gamma Delta Theta Lambda Xi Pi Sigma Phi Psi Omega"
)
GREEK_NAMES = frozenset(_GREEK_NAMES.split()) | {"varepsilon", "vartheta", "varphi", "varrho", "varsigma"}
_UNICODE_GREEK = dict(zip("αβγδεϵζηθϑικλμνξπρϱστυφϕχψωΓΔΘΛΞΠΣΦΨΩ", _GREEK_NAMES.split(), strict=True))
_SUPERSCRIPT_MAP = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺ᵀⁿᵗ", "0123456789-+Tnt")
_SUPERSCRIPT_RUN = re.compile("[⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺ᵀⁿᵗ]+")
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
    "∞": "oo",
    "ℓ": "l",
}
_LATEX_DROP = re.compile(
    r"\\(left|right|big|Big|bigg|Bigg)(?=[(\[\]).|]|\\[{}|]|\\[lr]vert)"
    r"|\\[,;:! ]|\\(quad|qquad|displaystyle|textstyle|limits)\b|~"
)
_LATEX_WORD = re.compile(
    r"\\(operatorname\*?|mathrm|text|textrm|mathit|mathsf|rm|mathbf|boldsymbol|bm)\s*\{\s*([A-Za-z]+)\s*\}"
)


_ACCENTS = {"tilde": "tilde", "widetilde": "tilde", "hat": "hat", "widehat": "hat", "bar": "bar", "overline": "bar"}
_ACCENT = re.compile(r"\\(widetilde|tilde|widehat|hat|overline|bar)\s*\{\s*([A-Za-z]+)\s*\}")


_CASES = re.compile(r"\\begin\{cases\}(.*?)\\end\{cases\}", re.S)
_TEXT_WORD = re.compile(r"\\(?:text|textrm|mathrm|quad|qquad)\s*(?:\{\s*([A-Za-z ]*?)\s*\})?")
_KEYWORD = re.compile(r"\\(?:text|textrm|mathrm)\s*\{\s*(if|else|otherwise|and|or)\s*\}")
_OTHERWISE = re.compile(r"(otherwise|else|sonst)?")


def _cases_as_chain(match: re.Match[str]) -> str:
    """``\\begin{cases} a & c_1 \\\\ b & \\text{otherwise} \\end{cases}`` as ``(a if c_1 else b)``."""
    pieces: list[str] = []
    for row in (r for r in match.group(1).split("\\\\") if r.strip()):
        value, _, cond = row.partition("&")
        cond = _TEXT_WORD.sub(lambda m: f" {m.group(1) or ''} ", cond).strip().rstrip(",.;").strip()
        cond = re.sub(r"^(if|for|when)\b", "", cond).strip()
        if _OTHERWISE.fullmatch(cond):
            pieces.append(f"({value})")
            break
        pieces.append(f"({value}) if {cond} else")
    return "(" + " ".join(pieces).removesuffix(" else") + ")"


def normalise(text: str, *, latex: bool) -> str:
    """Rewrite ``text`` into the token language of :data:`GRAMMAR` (no evaluation)."""
    # a run of superscript characters is one exponent: x⁻¹ is x^(-1), x¹⁰ is x^(10)
    text = _SUPERSCRIPT_RUN.sub(lambda m: "^(" + m.group(0).translate(_SUPERSCRIPT_MAP) + ")", text)
    # compatibility forms (full-width digits, micro sign, no-break space) to plain ones; invisible
    # characters pasted from documents are dropped
    text = unicodedata.normalize("NFKC", text)
    text = re.sub("[\u200b-\u200f\u2060\ufeff\u202a-\u202e]", "", text)
    for k, v in _SYMBOLS.items():
        text = text.replace(k, v)
    text = "".join(f"\\{_UNICODE_GREEK[c]} " if c in _UNICODE_GREEK else c for c in text)
    # f_*, f^*, f_{\ast}: the starred name (an optimum), never a product
    text = re.sub(r"[_^]\s*(\{\s*(\*|\\ast|\\star)\s*\}|\*(?!\*)|\\ast\b|\\star\b)", "_{ast}", text)
    if latex:
        # \begin{cases} is a chain of "if ... else" (before row breaks and & become matrix rows)
        text = _CASES.sub(_cases_as_chain, text)
        # \begin{pmatrix} a & b \\ c & d \end{pmatrix} is the list of rows [[a, b], [c, d]]
        text = re.sub(r"\\begin\{[pbvBV]?matrix\}", "[[", text)
        text = re.sub(r"\\end\{[pbvBV]?matrix\}", "]]", text)
        text = text.replace("\\\\", "],[").replace("&", ",")
        text = re.sub(r"(?:\\(?:left|right|big|Big|bigg|Bigg))?\s*\\lVert", r" \\lvert \\lvert ", text)
        text = re.sub(r"(?:\\(?:left|right|big|Big|bigg|Bigg))?\s*\\rVert", r" \\rvert \\rvert ", text)
        text = text.replace(r"\left|", r"\lvert ").replace(r"\right|", r"\rvert ")
        text = re.sub(r"\\(left|right|big|Big)?\s*\\lfloor", r" \\floor(", text)
        text = re.sub(r"\\(left|right|big|Big)?\s*\\lceil", r" \\ceiling(", text)
        text = re.sub(r"\\(left|right|big|Big)?\s*\\r(floor|ceil)", ")", text)
        # accents name a variable: \tilde{d} is dtilde, \hat{y} is yhat, \bar{x} is xbar
        text = _ACCENT.sub(lambda m: "{" + m.group(2) + _ACCENTS[m.group(1)] + "}", text)
        text = re.sub(r"\\(left|right)\s*\.", " ", text)
        text = re.sub(r"\\sqrt\s*\[([^\]]*)\]", r"\\root{\1}", text)
        text = text.replace(r"\|", "|").replace(r"\{", "(").replace(r"\}", ")")
        text = _LATEX_DROP.sub(" ", text)
        text = _KEYWORD.sub(lambda m: f" {m.group(1)} ", text)
        text = _LATEX_WORD.sub(lambda m: "\\" + m.group(2), text)
        text = re.sub(r"\\[dt]frac\b", r"\\frac", text)
        text = re.sub(r"\\(mid|vert)\b", "|", text)
        text = re.sub(r"\\(top|intercal|mathsf\{T\}|mathrm\{T\})", "T", text)
        # TeX reads one token after ^ _ \frac \sqrt: brace single characters
        text = re.sub(r"(\\frac|\\sqrt)\s*([0-9A-Za-z])", r"\1{\2}", text)
        text = re.sub(r"(\\frac\{[^{}]*\})\s*([0-9A-Za-z])", r"\1{\2}", text)
        text = re.sub(r"([\^_])\s*([0-9A-Za-z])", r"\1{\2}", text)
    return _pair_bars(text)


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


def _bracket_depth(text: str) -> int:
    depth = deepest = 0
    for ch in text:
        if ch in "([{":
            depth += 1
            deepest = max(deepest, depth)
        elif ch in ")]}":
            depth -= 1
    return deepest


# ------------------------------------------------------------------------------------ scope
@dataclass(frozen=True)
class Fn:
    """A function word a student may type: ``build(*args)`` makes the SymPy node."""

    name: str
    build: Callable[..., sp.Basic]
    nargs: tuple[int, ...] = (1,)


def _log(x: sp.Expr, base: sp.Expr | None = None) -> sp.Expr:
    return sp.log(x) if base is None else sp.log(x) / sp.log(base)


def _max(*args: sp.Expr) -> sp.Expr:
    return sp.Max(*args)


def _min(*args: sp.Expr) -> sp.Expr:
    return sp.Min(*args)


_MISSING = object()

FUNCTIONS: dict[str, Fn] = {
    f.name: f
    for f in [
        Fn("exp", sp.exp),
        Fn("log", _log, (1, 2)),
        Fn("ln", sp.log),
        Fn("log2", lambda x: sp.log(x) / sp.log(2)),
        Fn("log10", lambda x: sp.log(x) / sp.log(10)),
        Fn("lg", lambda x: sp.log(x) / sp.log(2)),
        Fn("sqrt", sp.sqrt),
        Fn("erf", sp.erf),
        Fn("erfc", sp.erfc),
        Fn("Phi", Phi),
        Fn("phi", phi),
        Fn("varphi", phi),
        Fn("sigma", sigmoid),
        Fn("sigmoid", sigmoid),
        Fn("logistic", sigmoid),
        Fn("softplus", softplus),
        Fn("relu", lambda x: sp.Max(0, x)),
        Fn("ReLU", lambda x: sp.Max(0, x)),
        Fn("max", _max, (2, 3, 4)),
        Fn("min", _min, (2, 3, 4)),
        Fn("abs", sp.Abs),
        Fn("tanh", sp.tanh),
        Fn("sinh", sp.sinh),
        Fn("cosh", sp.cosh),
        Fn("sech", sp.sech),
        Fn("csch", sp.csch),
        Fn("coth", sp.coth),
        Fn("sin", sp.sin),
        Fn("cos", sp.cos),
        Fn("tan", sp.tan),
        Fn("sec", sp.sec),
        Fn("csc", sp.csc),
        Fn("cot", sp.cot),
        Fn("arctan", sp.atan),
        Fn("atan", sp.atan),
        Fn("arcsin", sp.asin),
        Fn("asin", sp.asin),
        Fn("arccos", sp.acos),
        Fn("acos", sp.acos),
        Fn("artanh", sp.atanh),
        Fn("arctanh", sp.atanh),
        Fn("atanh", sp.atanh),
        Fn("sign", sp.sign),
        Fn("floor", sp.floor),
        Fn("ceil", sp.ceiling),
        Fn("ceiling", sp.ceiling),
        Fn("sgn", sp.sign),
        Fn("heaviside", lambda x: sp.Heaviside(x, sp.Rational(1, 2))),
        Fn("Heaviside", lambda x: sp.Heaviside(x, sp.Rational(1, 2))),
        Fn("step", lambda x: sp.Heaviside(x, sp.Rational(1, 2))),
        Fn("delta", sp.KroneckerDelta, (2,)),
        Fn("KroneckerDelta", sp.KroneckerDelta, (2,)),
        Fn("diag", lambda *a: a, tuple(range(1, 9))),
        Fn("Sum", lambda *a: a, (2,)),
        Fn("sum", lambda *a: a, (2, 4)),
    ]
}
FUNCTIONS["Max"] = FUNCTIONS["max"]
FUNCTIONS["Min"] = FUNCTIONS["min"]
FUNCTIONS["Abs"] = FUNCTIONS["abs"]

CONSTANTS: dict[str, sp.Expr] = {"pi": sp.pi, "e": sp.E, "E": sp.E, "oo": sp.oo, "infty": sp.oo, "inf": sp.oo}

#: spellings of one name (a student types ``lam`` or ``\lambda`` for a variable named ``lambda``)
_ALIASES = {
    "lambda": ("lam", "lamda", "lmbda", "lmb"),
    "epsilon": ("eps", "varepsilon"),
    "theta": ("vartheta",),
    "rho": ("varrho",),
}
_FORBIDDEN_HINT = {"factorial", "import", "eval", "exec", "os", "system", "open", "subs", "getattr", "globals"}


def _key(name: str) -> str:
    return name.replace("_", "").replace("{", "").replace("}", "").replace("\\", "")


@dataclass
class Scope:
    """The names an answer may use: declared variables (shadow everything), extra names of the
    question, indexed variables and their index symbols, vectors (matrix answers), defaults."""

    variables: Mapping[str, sp.Symbol] = field(default_factory=dict)
    names: Mapping[str, Any] = field(default_factory=dict)
    indexed: Mapping[str, sp.IndexedBase] = field(default_factory=dict)
    vectors: Mapping[str, sp.Matrix] = field(default_factory=dict)
    matrix_size: int = 0
    vector_entries: Mapping[str, Mapping[int, sp.Expr]] = field(default_factory=dict)
    #: the length of an indexed vector (``g`` -> ``n`` when the targets sum ``g[j]`` over ``j = 1..n``)
    sizes: Mapping[str, sp.Expr] = field(default_factory=dict)
    #: the words an error message lists (the question's own variables and names); all if empty
    shown: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        table: dict[str, Any] = {}
        for name, fn in FUNCTIONS.items():
            table[name] = fn
        for name, c in CONSTANTS.items():
            table[name] = c
        for word, obj in self.names.items():
            table[word] = _as_entry(word, obj)
        for name, base in self.indexed.items():
            table[name] = base
        for name, vec in self.vectors.items():
            table[name] = vec
        for name, sym in self.variables.items():
            table[name] = sym
            for alias in _ALIASES.get(name, ()):
                table.setdefault(alias, sym)
        self._table = table
        self._by_key: dict[str, Any] = {}
        for name, obj in table.items():
            self._by_key.setdefault(_key(name), obj)
        for name in self.variables:  # declared variables win on canonical keys too
            self._by_key[_key(name)] = table[name]

    def lookup(self, word: str) -> Any:
        if word in self._table:
            return self._table[word]
        return self._by_key.get(_key(word), _MISSING)

    def known_words(self) -> list[str]:
        if self.shown:
            return sorted(set(self.shown))
        return sorted(set(self.variables) | set(self.names) | set(self.indexed) | set(self.vectors))


def _as_entry(word: str, obj: Any) -> Any:
    if isinstance(obj, Fn):
        return obj
    if isinstance(obj, type) and issubclass(obj, sp.Function):
        nargs = obj.nargs if isinstance(obj.nargs, sp.FiniteSet) else {1}
        return Fn(word, obj, tuple(sorted(int(n) for n in nargs)))
    if isinstance(obj, sp.FunctionClass):
        return Fn(word, obj)
    return obj


# ------------------------------------------------------------------------------------ parse
def parse(text: str, scope: Scope | None = None, *, latex: bool = False, limits: Limits | None = None) -> sp.Basic:
    """Read ``text`` into a SymPy expression (or ``Matrix``) under ``scope``.

    Raises :class:`AnswerSyntaxError` with a message a student can act on; never evaluates the
    text as code.
    """
    scope = scope or Scope()
    limits = limits or Limits()
    if not isinstance(text, str):
        raise AnswerSyntaxError("the answer must be text")
    if not text.strip():
        raise AnswerSyntaxError("the answer is empty")
    if len(text) > limits.max_length:
        raise AnswerSyntaxError(
            f"the answer is too long ({len(text)} characters; the limit is {limits.max_length})", limit=True
        )
    if latex and text.count("{") != text.count("}"):
        raise AnswerSyntaxError("unbalanced braces { } in the LaTeX answer")
    src = normalise(text.strip().strip("$").strip(), latex=latex)
    if _bracket_depth(src) > limits.max_bracket_depth:
        raise AnswerSyntaxError(f"brackets are nested too deeply (limit {limits.max_bracket_depth})", limit=True)
    tree = _parse_tree(src)
    _check_tree(tree, limits)
    try:
        return _Builder(scope, limits).build(tree)
    except AnswerSyntaxError:
        raise
    except (RecursionError, MemoryError):
        raise AnswerSyntaxError("the answer is too large to read", limit=True) from None
    except Exception as exc:  # SymPy refused a construction (a shape, an index): the answer is malformed
        raise AnswerSyntaxError(
            f"the answer cannot be built ({type(exc).__name__}: {str(exc).strip()[:120]})"
        ) from None


def _parse_tree(src: str) -> Any:
    from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken

    try:
        return _lark().parse(src)
    except UnexpectedCharacters as exc:
        ch = src[exc.pos_in_stream] if exc.pos_in_stream < len(src) else ""
        raise AnswerSyntaxError(f"unexpected character {ch!r} at position {exc.column}") from None
    except UnexpectedEOF:
        raise AnswerSyntaxError("the answer ends too early (an operator or bracket is not completed)") from None
    except UnexpectedToken as exc:
        if exc.token.type == "$END":
            raise AnswerSyntaxError("the answer ends too early (an operator or bracket is not completed)") from None
        tok = str(exc.token)
        tok = tok if len(tok) <= 40 else tok[:37] + "..."
        raise AnswerSyntaxError(f"unexpected {tok!r} at position {exc.column}") from None
    except UnexpectedInput as exc:  # pragma: no cover - other lark errors
        raise AnswerSyntaxError(f"could not read the answer ({type(exc).__name__})") from None


def _check_tree(tree: Any, limits: Limits) -> None:
    """Depth, node count and literal sizes, iteratively (no recursion on untrusted depth)."""
    from lark import Token, Tree

    stack = [(tree, 1)]
    nodes = 0
    while stack:
        node, depth = stack.pop()
        nodes += 1
        if nodes > limits.max_nodes:
            raise AnswerSyntaxError(f"the answer is too large (more than {limits.max_nodes} parts)", limit=True)
        if depth > limits.max_tree_depth:
            raise AnswerSyntaxError(f"the answer is nested too deeply (limit {limits.max_tree_depth})", limit=True)
        if isinstance(node, Tree):
            stack.extend((c, depth + 1) for c in node.children)
        elif isinstance(node, Token) and node.type == "NUMBER":
            digits = sum(ch.isdigit() for ch in node.split("e")[0].split("E")[0])
            if digits > limits.max_digits:
                raise AnswerSyntaxError(f"a number has too many digits (limit {limits.max_digits})", limit=True)
            if re.search(r"[eE]", node) and abs(int(re.split(r"[eE]", node)[1])) > 300:
                raise AnswerSyntaxError("a number's exponent is too large", limit=True)


# ------------------------------------------------------------------------------------ build
class _Applied:
    """Marker for a function word not yet applied (``\\ln`` before ``x``), with an optional power."""

    def __init__(
        self, fn: Fn, power: sp.Expr | None = None, base: sp.Expr | None = None, sign: int = 1, order: int = 0
    ) -> None:
        self.fn, self.power, self.base, self.sign, self.order = fn, power, base, sign, order

    def apply(self, arg: Any) -> sp.Basic:
        args = list(arg) if isinstance(arg, tuple) else [arg]
        if self.base is not None:
            args.append(self.base)
        out = _call(self.fn, args) if not self.order else _derivative(self.fn, args, self.order)
        out = out if self.power is None else _pow(out, self.power)
        return out if self.sign > 0 else -out


class _Vector:
    """A vector of a matrix answer whose entries can also be named (``s``, ``s_1``, ``s[1]``)."""

    def __init__(self, name: str, matrix: sp.Matrix, entries: Mapping[int, sp.Expr]) -> None:
        self.name, self.matrix, self.entries = name, matrix, entries

    def entry(self, idx: list[sp.Expr]) -> sp.Expr:
        if len(idx) == 1 and idx[0].is_Integer and int(idx[0]) in self.entries:
            return self.entries[int(idx[0])]
        raise AnswerSyntaxError(f"{self.name} has entries {', '.join(map(str, sorted(self.entries)))}")


class _Bracket:
    """``[a, b]`` before it is known to be an index (``z[k]``), a grouping, a vector or a matrix."""

    MAX = 12

    def __init__(self, items: list[Any]) -> None:
        self.items = items

    def value(self) -> sp.Basic:
        items = self.items
        if len(items) == 1 and not isinstance(items[0], _Bracket):
            return _plain(items[0])  # [x + 1] is a grouping
        if len(items) == 1 and all(isinstance(r, _Bracket) for r in items[0].items):
            return items[0].value()  # \left[\begin{matrix}...\end{matrix}\right]: brackets around a matrix
        if len(items) == 1:
            return sp.Matrix([[_plain(x) for x in items[0].items]])  # [[a, b]]: one row
        if all(isinstance(r, _Bracket) for r in items):  # [[a, b], [c, d]]: rows
            rows = [[_plain(x) for x in r.items] for r in items]
            if len({len(r) for r in rows}) != 1:
                raise AnswerSyntaxError("the rows of a matrix must have the same length")
            if len(rows) > self.MAX or len(rows[0]) > self.MAX:
                raise AnswerSyntaxError(f"matrices larger than {self.MAX}x{self.MAX} are not read")
            return sp.Matrix(rows)
        if len(items) > self.MAX:
            raise AnswerSyntaxError(f"vectors longer than {self.MAX} are not read")
        return sp.Matrix([_plain(x) for x in items])  # [a, b, c]: a column vector


def _plain(v: Any) -> sp.Expr:
    if isinstance(v, _Bracket):
        raise AnswerSyntaxError("a matrix entry must be a scalar")
    if isinstance(v, sp.MatrixBase) or not isinstance(v, sp.Expr):
        raise AnswerSyntaxError("a matrix entry must be a scalar expression")
    return v


def _call(fn: Fn, args: list[Any]) -> sp.Basic:
    if fn.name in ("Sum", "sum", "diag"):
        raise AnswerSyntaxError(f"{fn.name}(...) is handled elsewhere")  # pragma: no cover
    if len(args) not in fn.nargs:
        want = " or ".join(map(str, fn.nargs))
        raise AnswerSyntaxError(f"{fn.name} takes {want} argument(s), got {len(args)}")
    for a in args:
        if isinstance(a, sp.MatrixBase):
            raise AnswerSyntaxError(f"{fn.name} cannot be applied to a matrix")
        if not isinstance(a, sp.Expr):
            raise AnswerSyntaxError(f"cannot apply {fn.name} to that")
    return fn.build(*args)


def _derivative(fn: Fn, args: list[Any], order: int) -> sp.Basic:
    """``f'(u)``: the derivative of ``f`` at ``u`` (a ``Derivative``, or a ``Subs`` when ``u`` is
    not a plain symbol)."""
    if len(args) != 1 or order > 3:
        raise AnswerSyntaxError(f"{fn.name}' takes one argument (and at most three primes)")
    arg = args[0]
    if isinstance(arg, sp.Symbol):
        return sp.Derivative(_call(fn, [arg]), (arg, order))
    xi = sp.Dummy("xi", real=True)
    return sp.Subs(sp.Derivative(_call(fn, [xi]), (xi, order)), xi, arg)


def _pow(base: Any, exponent: Any) -> sp.Basic:
    if isinstance(base, sp.MatrixBase):
        if exponent == sp.Symbol("T") or (isinstance(exponent, sp.Symbol) and exponent.name == "T"):
            return base.T
        if exponent == -1 or (exponent.is_Integer and 1 <= exponent <= 4):
            if not base.is_square or base.rows > 4:
                raise AnswerSyntaxError(f"a power or inverse needs a small square matrix, not shape {base.shape}")
            if exponent == -1:  # H^{-1}: the inverse of a declared (small, symbolic) matrix
                if base.det() == 0:
                    raise AnswerSyntaxError("the matrix is singular: it has no inverse")
                return base.inv()
            return base ** int(exponent)
        raise AnswerSyntaxError("only the transpose ^T, the inverse ^{-1} and small powers of a matrix are understood")
    if isinstance(exponent, sp.MatrixBase) or not isinstance(base, sp.Expr) or not isinstance(exponent, sp.Expr):
        raise AnswerSyntaxError("cannot raise that to a power")
    return sp.Pow(base, exponent)


class _Builder:
    def __init__(self, scope: Scope, limits: Limits) -> None:
        self.scope = scope
        self.limits = limits
        self.bound: dict[str, sp.Symbol] = {}

    # -- entry -------------------------------------------------------------------------------
    def build(self, tree: Any) -> sp.Basic:
        self._size(tree)
        out = self.value(tree)
        if isinstance(out, _Bracket | _Vector):
            out = self._as_expr(out)
        if isinstance(out, _Applied):
            raise AnswerSyntaxError(f"the function {out.fn.name} needs an argument")
        if isinstance(out, tuple):
            raise AnswerSyntaxError("a comma outside a function call")
        if isinstance(out, sp.IndexedBase):
            raise AnswerSyntaxError(f"{out} is a vector: write an entry such as {out}_i")
        if isinstance(out, sp.MatrixBase) and out.shape == (1, 1):
            return out[0, 0]
        if not isinstance(out, sp.Expr | sp.MatrixBase):
            raise AnswerSyntaxError("the answer is not a mathematical expression")
        return out

    # -- constant size analysis (before anything is built) ------------------------------------
    def _size(self, tree: Any) -> float | None:
        """Upper bound on the number of digits of a constant subtree (``None``: not constant).

        Raises when a constant power would be too large to compute, or a symbolic power has an
        exponent beyond ``max_exponent``."""
        from lark import Tree

        if not isinstance(tree, Tree):
            return None
        kind = tree.data
        kids = [c for c in tree.children if isinstance(c, Tree)]
        sizes = [self._size(c) for c in kids]
        if kind == "number":
            return float(max(1, sum(ch.isdigit() for ch in str(tree.children[0]))))
        if kind == "name" and str(tree.children[0]) in ("pi", "e"):
            return 1.0
        if kind in ("neg", "pos", "group", "paren") and len(kids) == 1 and len(tree.children) == 1:
            return sizes[0]
        if kind == "arglist" and len(kids) == 1:
            return sizes[0]
        if kind in ("add", "sub") and all(s is not None for s in sizes):
            return max(sizes) + 1  # type: ignore[type-var]
        if kind in ("mul", "div", "frac") and all(s is not None for s in sizes) and sizes:
            return sum(sizes)  # type: ignore[arg-type]
        if kind == "imul" and all(s is not None for s in sizes) and sizes:
            return sum(sizes)  # type: ignore[arg-type]
        if kind == "pow":
            base, exp = sizes[0], sizes[-1]
            bound = self._exponent_bound(kids[-1], exp)
            if bound is not None and bound > self.limits.max_exponent and base is None:
                raise AnswerSyntaxError(
                    f"an exponent is too large (over {self.limits.max_exponent}); no answer needs that", limit=True
                )
            if base is not None and exp is not None:
                digits = (bound or 0.0) * base
                if digits > self.limits.max_constant_digits:
                    raise AnswerSyntaxError("a constant power is too large to compute", limit=True)
                return max(digits, 1.0)
            return None
        return None

    @staticmethod
    def _exponent_bound(tree: Any, size: float | None) -> float | None:
        """Upper bound on ``|exponent|`` for a constant exponent subtree."""
        from lark import Tree

        node = tree
        while (
            isinstance(node, Tree)
            and node.data in ("neg", "pos", "group", "paren", "arglist")
            and len(node.children) == 1
        ):
            node = node.children[0]
        if isinstance(node, Tree) and node.data == "number":
            try:
                return abs(float(str(node.children[0])))
            except (ValueError, OverflowError):
                return math.inf
        if size is None:
            return None
        return math.inf if size > 300 else 10.0**size

    # -- node values ---------------------------------------------------------------------------
    def expr(self, tree: Any) -> sp.Basic:
        return self._as_expr(self.value(tree))

    def _number(self, tok: Any) -> sp.Expr:
        s = str(tok)
        mant, _, exp = s.lower().partition("e")
        whole, _, frac = mant.partition(".")
        value = sp.Rational(int((whole or "0") + frac), 10 ** len(frac))
        if exp:
            value = value * sp.Rational(10) ** int(exp)
        return value

    def _name(self, tok: Any) -> Any:
        return self.word(str(tok), allow_split=True)

    def _command(self, tok: Any) -> Any:
        return self.word(str(tok)[1:], allow_split=False)

    def word(self, word: str, *, allow_split: bool) -> Any:
        if word in self.bound:
            return self.bound[word]
        obj = self.scope.lookup(word)
        if obj is not _MISSING:
            if isinstance(obj, sp.MatrixBase) and word in self.scope.vector_entries:
                return _Vector(word, obj, self.scope.vector_entries[word])
            return _Applied(obj) if isinstance(obj, Fn) else obj
        entry = self._numbered_entry(word)
        if entry is not None:
            return entry
        if allow_split and len(word) > 1:
            parts = self._split(word)
            if parts is not None:
                return sp.Mul(*[self.word(p, allow_split=False) for p in parts])
        hint = ""
        if word in _FORBIDDEN_HINT:
            hint = f" ({word} is not allowed in answers)"
        known = self.scope.known_words()
        if known and not hint:
            hint = f"; this question knows {', '.join(known)}"
        shown = word if len(word) <= 40 else word[:37] + "..."
        raise AnswerSyntaxError(f"unknown name {shown!r}{hint}")

    def _numbered_entry(self, word: str) -> sp.Expr | None:
        """``s1`` (like ``s_1``) is entry 1 of a declared indexed variable or vector ``s``, when no
        name ``s1`` is declared (checked before: a declared scalar ``s1`` wins)."""
        m = re.fullmatch(r"([A-Za-z]+)(\d{1,2})", word)
        if m is None or m.group(1) in self.bound:
            return None
        base = self.scope.lookup(m.group(1))
        idx = sp.Integer(int(m.group(2)))
        if isinstance(base, sp.IndexedBase):
            return base[idx]
        if isinstance(base, sp.MatrixBase) and m.group(1) in self.scope.vector_entries:
            return _Vector(m.group(1), base, self.scope.vector_entries[m.group(1)]).entry([idx])
        return None

    def _split(self, word: str) -> list[str] | None:
        """Split a run of letters into declared variables/constants (``xy`` -> ``x y``), if unique."""
        words = [w for w in (*self.scope.variables, *self.bound, "pi", "e") if w.isalpha()]

        def rec(rest: str) -> list[list[str]]:
            if not rest:
                return [[]]
            out = []
            for w in words:
                if rest.startswith(w):
                    out += [[w, *tail] for tail in rec(rest[len(w) :])]
                    if len(out) > 1:
                        return out
            return out

        found = rec(word)
        return found[0] if len(found) == 1 else None

    def _call(self, head: Any, args: Any) -> Any:
        name = str(head).rstrip("( \t").lstrip("\\")
        if name in ("Sum", "sum") and name not in self.scope.variables:
            return self._plain_sum(name, args)
        if name == "norm" and self.scope.lookup(name) is _MISSING:
            if len(args.children) != 1:
                raise AnswerSyntaxError("norm takes one vector")
            v = self.value(args.children[0])
            if not self._is_vector(v):
                raise AnswerSyntaxError("norm(...) is the norm of a vector of the question")
            return self._norm(v)
        if name in ("Derivative", "diff") and self.scope.lookup(name) is _MISSING:
            return self._derivative_call(name, args)
        if name in ("Matrix", "matrix") and name not in self.scope.variables:  # Matrix([[a, b], [c, d]])
            m = self._args(args)
            if not isinstance(m, sp.MatrixBase):
                raise AnswerSyntaxError("write Matrix([[a, b], [c, d]]) (a list of rows)")
            return m
        values = self._args(args)
        target = self.bound.get(name)
        if target is None:
            target = self.word(name, allow_split=True)
        return self._juxtapose(target, values)

    # -- cases: ``a if z > 0 else b``, ``\\begin{cases} a & z > 0 \\\\ b & \\text{otherwise} \\end{cases}``
    _RELATIONS: Mapping[str, Callable[[sp.Expr, sp.Expr], sp.Basic]] = {
        "<": sp.Lt, r"\lt": sp.Lt, ">": sp.Gt, r"\gt": sp.Gt,
        "<=": sp.Le, r"\le": sp.Le, r"\leq": sp.Le, ">=": sp.Ge, r"\ge": sp.Ge, r"\geq": sp.Ge,
        "=": sp.Eq, "!=": sp.Ne, r"\ne": sp.Ne, r"\neq": sp.Ne,
    }  # fmt: skip

    def _cases(self, value: Any, cond: Any, rest: Any = None) -> sp.Expr:
        pieces = [(self._scalar(value), self._condition(cond))]
        if rest is not None and rest.data == "cases":
            pieces.extend(self._cases(*rest.children).args)
        elif rest is not None:
            pieces.append((self._scalar(rest), sp.true))
        return sp.Piecewise(*pieces)

    def _condition(self, tree: Any) -> sp.Basic:
        return self.value(tree)

    def _relation(self, *parts: Any) -> sp.Basic:
        """``a < b <= c`` is ``a < b and b <= c``, as written."""
        values = [self._scalar(t) for t in parts[0::2]]
        ops = [str(t.children[0]) for t in parts[1::2]]
        try:
            return sp.And(*(self._RELATIONS[op](a, b) for op, a, b in zip(ops, values, values[1:], strict=False)))
        except TypeError as exc:  # a comparison of non-real values
            raise AnswerSyntaxError(f"a condition compares values that are not real ({exc})") from None

    def _and_(self, a: Any, b: Any) -> sp.Basic:
        return sp.And(self._condition(a), self._condition(b))

    def _or_(self, a: Any, b: Any) -> sp.Basic:
        return sp.Or(self._condition(a), self._condition(b))

    def _scalar(self, tree: Any) -> sp.Expr:
        v = self.expr(tree)
        if not isinstance(v, sp.Expr) or isinstance(v, sp.MatrixBase):
            raise AnswerSyntaxError("a case and its condition must be scalar expressions")
        return v

    def _args(self, arglist: Any) -> Any:
        vals = [self.expr(c) for c in arglist.children]
        return vals[0] if len(vals) == 1 else tuple(vals)

    def _paren(self, arglist: Any) -> Any:
        return self._args(arglist)

    def _group(self, e: Any) -> Any:
        return self.expr(e)

    def _abs(self, _o: Any, e: Any, _c: Any) -> sp.Expr:
        from lark import Tree

        if isinstance(e, Tree) and e.data == "abs":  # \|g\| read as ||g||: the norm of a vector
            inner = self.value(e.children[1])
            if self._is_vector(inner):
                return self._norm(inner)
        v = self.value(e)
        if self._is_vector(v):  # |g| of a vector: its Euclidean norm
            return self._norm(v)
        v = self._as_expr(v)
        if isinstance(v, sp.MatrixBase):
            raise AnswerSyntaxError("|...| of a matrix is not understood")
        return sp.Abs(v)

    def _frac(self, _t: Any, a: Any, b: Any) -> Any:
        leibniz = self._leibniz(a, b)
        if leibniz is not None:  # \frac{dF}{dx}, \frac{d}{dx}
            return leibniz
        return self._divide(self.expr(a), self.expr(b))

    @staticmethod
    def _is_vector(v: Any) -> bool:
        return isinstance(v, sp.IndexedBase | _Vector) or (isinstance(v, sp.MatrixBase) and v.cols == 1 and v.rows > 1)

    def _norm(self, v: Any) -> sp.Expr:
        """The Euclidean norm of a declared vector: ``sqrt(Sum(g[k]**2, (k, 1, n)))`` for an indexed
        ``g`` of the question's length ``n``, or the root of the sum of squares of a column's entries."""
        if isinstance(v, _Vector):
            v = v.matrix
        if isinstance(v, sp.MatrixBase):
            return sp.sqrt(sp.Add(*[x**2 for x in v]))
        size = self.scope.sizes.get(str(v.label))
        if size is None:
            raise AnswerSyntaxError(f"the length of the vector {v} is not known to this question; write its entries")
        k = sp.Dummy("k", integer=True)
        return sp.sqrt(sp.Sum(v[k] ** 2, (k, 1, size)))

    def _leibniz(self, num: Any, den: Any) -> Any:
        """``dF/dx`` (the derivative of a function word ``F`` of one argument at ``x``) or the
        operator ``d/dx``, when ``dF`` and ``dx`` are not names of the question and ``x`` is a
        declared variable; otherwise ``None`` (an ordinary quotient)."""
        from lark import Tree

        words = []
        for tree in (num, den):
            node = tree
            while isinstance(node, Tree) and node.data == "group":
                node = node.children[0]
            if not (isinstance(node, Tree) and node.data in ("name", "command")):
                return None
            words.append(str(node.children[0]).lstrip("\\"))
        top, bottom = words
        if not (top.startswith("d") and bottom.startswith("d") and len(bottom) > 1):
            return None
        if any(w in self.bound or self.scope.lookup(w) is not _MISSING for w in (top, bottom)):
            return None
        var = self.bound.get(bottom[1:], self.scope.lookup(bottom[1:]))
        if not isinstance(var, sp.Symbol):
            return None
        if top == "d":
            return _Applied(Fn(f"d/d{var}", lambda e: sp.Derivative(e, var)))
        fn = self.scope.lookup(top[1:])
        if not isinstance(fn, Fn) or 1 not in fn.nargs:
            return None
        return sp.Derivative(_call(fn, [var]), var)

    def _derivative_call(self, name: str, arglist: Any) -> sp.Expr:
        """``Derivative(F(x), x)``, ``diff(F(x), x, 2)``, ``diff(f, x, y)``: at most three orders."""
        args = [self.expr(c) for c in arglist.children]
        if len(args) < 2 or not isinstance(args[0], sp.Expr) or isinstance(args[0], sp.MatrixBase):
            raise AnswerSyntaxError(f"write {name}(f, x) for the derivative of f with respect to x")
        pairs: list[list[Any]] = []
        for a in args[1:]:
            if isinstance(a, sp.Symbol):
                pairs.append([a, 1])
            elif isinstance(a, sp.Integer) and pairs and pairs[-1][1] == 1 and 1 <= a <= 3:
                pairs[-1][1] = int(a)
            else:
                raise AnswerSyntaxError(f"{name}(f, x, ...): differentiate with respect to variables (and orders 1-3)")
        if sum(n for _, n in pairs) > 3:
            raise AnswerSyntaxError(f"{name}: at most three derivatives")
        return sp.Derivative(args[0], *[(v, n) for v, n in pairs])

    def _sqrt(self, _t: Any, a: Any) -> sp.Expr:
        return _call(FUNCTIONS["sqrt"], [self.expr(a)])

    def _root(self, _t: Any, n: Any, a: Any) -> sp.Expr:
        k = self.expr(n)
        if not (isinstance(k, sp.Integer) and 2 <= k <= 100):
            raise AnswerSyntaxError(r"\sqrt[n]{...} needs a small integer n")
        return sp.root(self.expr(a), k)

    def _index(self, base_tree: Any, arglist: Any) -> Any:
        """``z[k]``, ``A[i, j]``, ``s[1]`` of a vector; after anything else, brackets group: ``2[x+1]``."""
        base = self.value(base_tree)
        items = [self.value(c) for c in arglist.children]
        if isinstance(base, sp.IndexedBase):
            idx = [self._as_expr(x) for x in items]
            return base[tuple(idx)] if len(idx) > 1 else base[idx[0]]
        if isinstance(base, _Vector):
            return base.entry([self._as_expr(x) for x in items])
        if isinstance(base, _Bracket | _Vector):
            base = self._as_expr(base)
        return self._juxtapose(base, self._as_expr(_Bracket(items)))

    def _prime(self, a: Any) -> Any:
        v = self.value(a)
        if isinstance(v, Fn):
            v = _Applied(v)
        if not isinstance(v, _Applied) or v.power is not None or v.base is not None:
            raise AnswerSyntaxError("a prime ' must follow a function name, as in f'(x)")
        return _Applied(v.fn, None, None, v.sign, v.order + 1)

    def _neg(self, a: Any) -> Any:
        v = self.value(a)
        if isinstance(v, Fn):
            v = _Applied(v)
        if isinstance(v, _Applied):  # -\ln x
            return _Applied(v.fn, v.power, v.base, -v.sign, v.order)
        return -self._as_expr(v)

    def _pos(self, a: Any) -> Any:
        return self.expr(a)

    def _add(self, a: Any, b: Any) -> Any:
        return self._combine(self.expr(a), self.expr(b), 1)

    def _sub(self, a: Any, b: Any) -> Any:
        return self._combine(self.expr(a), self.expr(b), -1)

    @staticmethod
    def _combine(x: Any, y: Any, sign: int) -> Any:
        if isinstance(x, sp.MatrixBase) != isinstance(y, sp.MatrixBase):
            raise AnswerSyntaxError("cannot add a scalar and a matrix")
        if isinstance(x, sp.MatrixBase) and x.shape != y.shape:
            raise AnswerSyntaxError(f"cannot add matrices of shapes {x.shape} and {y.shape}")
        return x + y if sign > 0 else x - y

    def _mul(self, *_: Any) -> Any:  # the whole product chain is read by _chain
        raise AssertionError("unreachable")

    def _chain(self, tree: Any) -> Any:
        """A product ``a * b / c d e``: flatten it, let each function word take the factor that
        follows it (``x \\ln x``, ``\\sin x \\cos x``), then multiply and divide left to right."""
        from lark import Tree

        items: list[tuple[str, Any]] = []
        node = tree
        while isinstance(node, Tree) and node.data in ("mul", "div", "imul"):
            op = {"mul": "*", "div": "/", "imul": " "}[node.data]
            items.append((op, node.children[-1]))
            node = node.children[0]
        items.append(("*", node))
        items.reverse()
        values: list[tuple[str, Any]] = []
        k = 0
        while k < len(items):
            op, t = items[k]
            if k + 1 < len(items) and items[k + 1][0] == "/":
                leibniz = self._leibniz(t, items[k + 1][1])
                if leibniz is not None:  # dF/dx
                    values.append((op, leibniz))
                    k += 2
                    continue
            values.append((op, self.value(t)))
            k += 1
        out: list[tuple[str, Any]] = []
        i = 0
        while i < len(values):
            op = values[i][0]
            v, i = self._unit(values, i)
            out.append((op, v))
        acc = self._as_expr(out[0][1])
        for op, v in out[1:]:
            v = self._as_expr(v)
            acc = self._divide(acc, v) if op == "/" else self._times(acc, v)
        return acc

    def _unit(self, values: list[tuple[str, Any]], i: int) -> tuple[Any, int]:
        v = values[i][1]
        if isinstance(v, Fn):
            v = _Applied(v)
        if isinstance(v, _Applied):
            if i + 1 < len(values) and values[i + 1][0] == " ":
                arg, j = self._unit(values, i + 1)
                return self._juxtapose(v, arg if isinstance(arg, tuple) else self._as_expr(arg)), j
            raise AnswerSyntaxError(f"the function {v.fn.name} needs an argument")
        if isinstance(v, _Vector):
            v = v.matrix
        return v, i + 1

    _div = _mul
    _imul = _mul

    @staticmethod
    def _times(x: Any, y: Any) -> Any:
        if isinstance(x, sp.MatrixBase) and isinstance(y, sp.MatrixBase) and x.cols != y.rows:
            raise AnswerSyntaxError(f"cannot multiply matrices of shapes {x.shape} and {y.shape}")
        return x * y

    @staticmethod
    def _divide(x: Any, y: Any) -> Any:
        if isinstance(y, sp.MatrixBase):
            raise AnswerSyntaxError("cannot divide by a matrix")
        if y == 0:
            raise AnswerSyntaxError("division by zero")
        return x / y

    def value(self, tree: Any) -> Any:
        if tree.data in ("mul", "div", "imul"):
            return self._chain(tree)
        method = getattr(self, f"_{tree.data}", None)
        if method is None:  # pragma: no cover - grammar and builder out of sync
            raise AnswerSyntaxError(f"unsupported construct {tree.data}")
        return method(*tree.children)

    def _juxtapose(self, left: Any, right: Any) -> Any:
        if isinstance(left, Fn):
            left = _Applied(left)
        if isinstance(left, _Applied):
            if isinstance(right, _Applied):
                raise AnswerSyntaxError(f"the function {left.fn.name} needs an argument")
            if left.fn.name == "diag":
                return self._diag(right, left.power) * left.sign
            return left.apply(right)
        if isinstance(right, _Applied | Fn):
            raise AnswerSyntaxError(
                f"the function {(right.fn if isinstance(right, _Applied) else right).name} needs an argument"
            )
        if isinstance(right, tuple) or isinstance(left, tuple):
            raise AnswerSyntaxError("a comma outside a function call")
        if isinstance(left, sp.IndexedBase) or isinstance(right, sp.IndexedBase):
            base = left if isinstance(left, sp.IndexedBase) else right
            raise AnswerSyntaxError(f"{base} is a vector: write an entry such as {base}_i")
        return self._times(left, right)

    def _diag(self, arg: Any, power: Any) -> sp.Matrix:
        entries = list(arg) if isinstance(arg, tuple) else [arg]
        if len(entries) == 1 and isinstance(entries[0], sp.MatrixBase):
            entries = list(entries[0])
        if power is not None:
            raise AnswerSyntaxError("a power of diag(...) is not understood")
        if any(not isinstance(e, sp.Expr) for e in entries) or len(entries) > 64:
            raise AnswerSyntaxError("diag(...) takes a vector or a list of scalars")
        n = len(entries)
        return sp.Matrix(n, n, lambda r, c: entries[r] if r == c else sp.S.Zero)

    def _pow(self, a: Any, _op: Any, b: Any) -> Any:
        base = self.value(a)
        if isinstance(base, _Bracket | _Vector):
            base = self._as_expr(base)
        if isinstance(base, _Applied):  # \sin^2 x: the power applies after the function
            if base.power is not None:
                raise AnswerSyntaxError(f"two powers on {base.fn.name}")
            return _Applied(base.fn, self.expr(b), base.base, base.sign, base.order)
        if isinstance(base, sp.MatrixBase):
            ex = self._transpose_marker(b)
            return _pow(base, ex)
        return _pow(self._as_expr(base), self.expr(b))

    def _transpose_marker(self, tree: Any) -> Any:
        from lark import Tree

        node = tree
        while isinstance(node, Tree) and node.data == "group":
            node = node.children[0]
        if (
            isinstance(node, Tree)
            and node.data in ("name", "command")
            and str(node.children[0]).lstrip("\\") in ("T", "top")
        ):
            return sp.Symbol("T")
        return self.expr(tree)

    def _as_expr(self, v: Any) -> sp.Basic:
        if isinstance(v, _Vector):
            return v.matrix
        if isinstance(v, _Bracket):
            return v.value()
        if isinstance(v, _Applied | Fn):
            raise AnswerSyntaxError(f"the function {(v.fn if isinstance(v, _Applied) else v).name} needs an argument")
        if isinstance(v, tuple):
            raise AnswerSyntaxError("a comma outside a function call")
        if isinstance(v, sp.IndexedBase):
            raise AnswerSyntaxError(f"{v} is a vector: write an entry such as {v}_i")
        return v

    def _bracket(self, arglist: Any) -> _Bracket:
        return _Bracket([self.value(c) for c in arglist.children])

    # -- subscripts: beta_1 -> beta1, S_{xy} -> Sxy, delta_{ij}, s_i, log_2 -----------------------
    def _subscript(self, base_tree: Any, script: Any) -> Any:
        from lark import Token, Tree

        parts: list[str] = []
        for tok in script.scan_values(lambda t: isinstance(t, Token)):
            if str(tok) != ",":
                parts.append(str(tok).lstrip("\\"))
        sub = "".join(parts)
        if sub == "ast":
            sub = "*"  # f_*, f^*, f_{\ast}
        base_word = None
        node = base_tree
        while isinstance(node, Tree) and node.data == "group":  # {s}_{j}, as SymPy prints it
            node = node.children[0]
        base_tree = node
        if isinstance(node, Tree) and node.data == "abs" and sub == "2":  # \|g\|_2: the Euclidean norm
            return self.value(node)
        if isinstance(node, Tree) and node.data in ("name", "command"):
            base_word = str(node.children[0]).lstrip("\\")
        if base_word in self.scope.vector_entries and base_word not in self.bound:
            vec = self.word(base_word, allow_split=False)
            if isinstance(vec, _Vector):  # s_1 in a matrix answer: the form's own first entry
                return vec.entry(self._indices(parts, sub))
        if base_word is not None:
            # a declared name written with a subscript wins: beta_1, S_{xy}, eta_{min}, T_{warm}
            for candidate in (f"{base_word}{sub}", f"{base_word}_{sub}"):
                obj = self.scope.lookup(candidate) if candidate not in self.bound else self.bound[candidate]
                if isinstance(obj, sp.Symbol):  # a variable, never a constant: p_i is not pi
                    return obj
            if base_word == "delta" and isinstance(self.scope.lookup("delta"), Fn):
                idx = self._indices(parts, sub)
                if len(idx) == 2:
                    return sp.KroneckerDelta(*idx)
                raise AnswerSyntaxError(f"delta_{sub}: write two indices, as in delta_ij")
            if base_word in ("log", "lg") and base_word not in self.scope.variables:
                b = self._subscript_value(script)
                return _Applied(FUNCTIONS["log"], None, b)
        base = self.value(base_tree)
        if isinstance(base, sp.IndexedBase):
            idx = self._indices(parts, sub)
            return base[tuple(idx)] if len(idx) > 1 else base[idx[0]]
        if isinstance(base, sp.MatrixBase) and base.cols == 1:
            idx = self._indices(parts, sub)
            if len(idx) == 1 and idx[0].is_Integer and 1 <= idx[0] <= base.rows:
                return base[int(idx[0]) - 1, 0]
        name = base_word or str(base)
        raise AnswerSyntaxError(f"unknown name {name}_{sub}")

    def _subscript_value(self, script: Any) -> sp.Expr:
        from lark import Token

        toks = [str(t) for t in script.scan_values(lambda t: isinstance(t, Token))]
        if len(toks) == 1:
            tok = toks[0]
            if re.fullmatch(r"\d+", tok):
                return sp.Integer(int(tok))
            return self.expr_word(tok)
        raise AnswerSyntaxError("a logarithm base must be a number or a name")

    def expr_word(self, tok: str) -> sp.Expr:
        v = self.word(tok.lstrip("\\"), allow_split=False)
        return self._as_expr(v)

    def _indices(self, parts: list[str], sub: str) -> list[sp.Expr]:
        """Index symbols of a subscript: ``ij`` is ``i, j`` when both are declared."""
        out: list[sp.Expr] = []
        pieces = parts if len(parts) > 1 else ([sub] if sub in self.bound or sub.isdigit() else list(sub))
        for p in pieces:
            if p.isdigit():
                out.append(sp.Integer(int(p)))
                continue
            v = self.bound.get(p)
            if v is None:
                v = self.scope.lookup(p)
            if v is _MISSING or not isinstance(v, sp.Symbol):
                raise AnswerSyntaxError(f"unknown index {p!r}")
            out.append(v)
        return out

    # -- sums --------------------------------------------------------------------------------
    def _bigsum(self, _t: Any, var: Any, lo: Any, _pow: Any, hi: Any, body: Any) -> sp.Expr:
        return self._make_sum(str(var), lo, hi, body)

    def _make_sum(self, var: str, lo_tree: Any, hi_tree: Any, body_tree: Any) -> sp.Expr:
        return self._make_sums([(var, lo_tree, hi_tree)], body_tree)

    def _make_sums(self, limits: list[tuple[str, Any, Any]], body_tree: Any) -> sp.Expr:
        """``Sum(body, (k1, a1, b1), (k2, a2, b2), ...)`` with every index bound while reading."""
        saved = {var: self.bound.get(var) for var, _, _ in limits}
        out_limits = []
        try:
            for var, _, _ in limits:
                self.bound[var] = sp.Symbol(var, integer=True)
            for var, lo_tree, hi_tree in limits:
                lo, hi = self.expr(lo_tree), self.expr(hi_tree)
                if lo.is_number and hi.is_number and (hi - lo) > self.limits.max_sum_terms:
                    raise AnswerSyntaxError(f"a sum with more than {self.limits.max_sum_terms} terms", limit=True)
                out_limits.append((self.bound[var], lo, hi))
            body = self.expr(body_tree)
        finally:
            for var, old in saved.items():
                if old is None:
                    self.bound.pop(var, None)
                else:
                    self.bound[var] = old
        if isinstance(body, sp.MatrixBase):
            raise AnswerSyntaxError("a sum of matrices is not understood")
        return sp.Sum(body, *out_limits)

    def _plain_sum(self, name: str, arglist: Any) -> sp.Expr:
        """``Sum(f, (k, a, b))`` or ``sum(f, k, a, b)``."""
        from lark import Tree

        kids = arglist.children
        specs = [k.children[0].children for k in kids[1:] if isinstance(k, Tree) and k.data == "paren"]
        if len(kids) >= 2 and len(specs) == len(kids) - 1 and all(len(sp_) == 3 for sp_ in specs):
            # Sum(f, (j, 1, n), (i, 1, n)): the first limit is the innermost
            return self._make_sums([(self._bound_name(sp_[0]), sp_[1], sp_[2]) for sp_ in specs], kids[0])
        if len(kids) == 4:
            return self._make_sum(self._bound_name(kids[1]), kids[2], kids[3], kids[0])
        raise AnswerSyntaxError(f"write {name}(f, (k, a, b)) for the sum of f over k = a..b")

    @staticmethod
    def _bound_name(tree: Any) -> str:
        from lark import Tree

        if isinstance(tree, Tree) and tree.data in ("name", "command"):
            return str(tree.children[0]).lstrip("\\")
        raise AnswerSyntaxError("the summation index must be a name")
