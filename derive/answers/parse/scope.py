"""The allow-list: the names an answer may use, and what each one builds.

A :class:`Scope` resolves every word a student types, in this order: declared variables (and
their spellings, ``lam`` for ``lambda``), indexed variables and vectors, the question's own
names, then the fixed tables :data:`FUNCTIONS` (function words, each an :class:`Fn`) and
:data:`CONSTANTS`. A word found nowhere is an error, never a new symbol.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import sympy as sp

from ...errors import AnswerSyntaxError
from ...maths.special import Phi, phi, sigmoid, softplus

# ------------------------------------------------------------------------------------ greek
_GREEK_NAMES = (
    "alpha beta gamma delta epsilon epsilon zeta eta theta theta iota kappa lambda mu nu xi pi rho rho "
    "sigma tau upsilon phi phi chi psi omega Gamma Delta Theta Lambda Xi Pi Sigma Phi Psi Omega"
)
#: the LaTeX names of Greek letters (``\\alpha`` ... ``\\Omega``, and the ``\\var`` forms)
GREEK_NAMES = frozenset(_GREEK_NAMES.split()) | {"varepsilon", "vartheta", "varphi", "varrho", "varsigma"}
#: each Greek letter typed in Unicode, as the name of its LaTeX command (``σ`` -> ``sigma``)
UNICODE_GREEK = dict(zip("αβγδεϵζηθϑικλμνξπρϱστυφϕχψωΓΔΘΛΞΠΣΦΨΩ", _GREEK_NAMES.split(), strict=True))


# ------------------------------------------------------------------------------------ functions
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


#: the largest integer whose factorial (or binomial coefficient) an answer may ask for
MAX_FACTORIAL = 1000


def _integer_argument(n: sp.Expr, what: str) -> sp.Expr:
    """``n`` itself, unless it is a constant over :data:`MAX_FACTORIAL` in size (``10^6``, ``1e6``,
    ``10^6 + 1/2``): SymPy would compute such a factorial exactly (or its huge float)."""
    if isinstance(n, sp.Expr) and n.is_number and not n.is_Integer:
        size = sp.Abs(n).evalf(15) if not n.is_Number else abs(n)
        if size.is_Number and size > MAX_FACTORIAL:
            raise AnswerSyntaxError(f"{what} of a number over {MAX_FACTORIAL} is too large to be an answer", limit=True)
    if n.is_Integer and abs(int(n)) > MAX_FACTORIAL:
        raise AnswerSyntaxError(f"{what} of a number over {MAX_FACTORIAL} is too large to be an answer", limit=True)
    return n


def _factorial(n: sp.Expr) -> sp.Expr:
    """:math:`n!` (``factorial(n)``, ``n!``)."""
    return sp.factorial(_integer_argument(n, "the factorial"))


def _binomial(n: sp.Expr, k: sp.Expr) -> sp.Expr:
    return sp.binomial(_integer_argument(n, "a binomial coefficient"), _integer_argument(k, "a binomial coefficient"))


#: what :meth:`Scope.lookup` returns for a word that names nothing
MISSING = object()

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
        Fn("frac", sp.frac),
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
        Fn("Product", lambda *a: a, (2,)),
        Fn("product", lambda *a: a, (2, 4)),
        Fn("prod", lambda *a: a, (2, 4)),
        Fn("factorial", _factorial),
        Fn("binomial", _binomial, (2,)),
        Fn("binom", _binomial, (2,)),
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


def _key(name: str) -> str:
    return name.replace("_", "").replace("{", "").replace("}", "").replace("\\", "")


# ------------------------------------------------------------------------------------ scope
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
        return self._by_key.get(_key(word), MISSING)

    def known_words(self) -> list[str]:
        if self.shown:
            return sorted(set(self.shown))
        return sorted(set(self.variables) | set(self.names) | set(self.indexed) | set(self.vectors))


def _as_entry(word: str, obj: Any) -> Any:
    if isinstance(obj, Fn):
        return obj
    if isinstance(obj, type) and issubclass(obj, sp.Function):
        function_class: Any = obj  # an undefined SymPy function (F): its nargs say how many arguments
        nargs = function_class.nargs if isinstance(function_class.nargs, sp.FiniteSet) else {1}
        return Fn(word, obj, tuple(sorted(int(n) for n in nargs)))
    if isinstance(obj, sp.FunctionClass):
        return Fn(word, obj)
    return obj
