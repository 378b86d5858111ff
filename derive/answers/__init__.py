r"""Checking homework answers: safe parsing, sound equivalence on the domain, useful feedback.

.. code-block:: python

    v = derive.check("gelu'", "1/2*(1+erf(x/sqrt(2))) + x*exp(-x^2/2)/sqrt(2*pi)")
    v.correct, v.status, v.method          # True, 'correct', 'proved: elementary rewrite + expand'
    derive.check("gelu'", r"\Phi(x) - x\varphi(x)", latex=True).diagnosis   # 'sign error in the term x*phi(x)'
    derive.equivalent("2*log(s)", expected="log(s^2)", variables={"s": "positive"}).correct   # True
    derive.grade(rows)                      # a list of dicts, one per row, in order

Modules:

- :mod:`~derive.answers.parse`: the safe parser (plain math and LaTeX), one module per stage:

  - :mod:`~derive.answers.parse.normalise`: the table of named rewrites into the grammar's tokens;
  - :mod:`~derive.answers.parse.limits`: :class:`~derive.answers.parse.Limits` and the checks on
    the text and the tree (length, bracket and tree depth, node count, digits, constant powers);
  - :mod:`~derive.answers.parse.grammar`: ``grammar.lark`` and its LALR parser;
  - :mod:`~derive.answers.parse.scope`: the allow-list (:class:`~derive.answers.parse.Scope`, the
    tables of function words, constants and Greek names);
  - :mod:`~derive.answers.parse.builder` (on :mod:`~derive.answers.parse.notation` and
    :mod:`~derive.answers.parse.values`): the tree builder, one handler per grammar rule;

- :mod:`~derive.answers.question`: what an answer is checked against (identity or teacher question);
- :mod:`~derive.answers.checker`: numeric screen, symbolic proof (the ladder), numeric
  verification, the verdict's message;
- :mod:`~derive.answers.compare`: the numeric comparison, at the fixed sample points and at points
  chosen against the answer (breakpoints, 40-digit points, a counterexample search);
- :mod:`~derive.answers.precision` / :mod:`~derive.answers.roundoff`: one point decided at the
  precision its dynamic range needs, after the common terms cancel; the round-off bound;
- :mod:`~derive.answers.diagnose`: the name of a wrong answer's mistake (sign, factor, term...);
- :mod:`~derive.answers.worker` / :mod:`~derive.answers.pool`: killable warm worker processes;
- :mod:`~derive.answers.api`: :func:`check`, :func:`equivalent`, :func:`grade`;
- :mod:`~derive.answers.kinds`: answers of other kinds (equations, intervals, sets, lists,
  matrices, multi-part, numeric with a tolerance, up to an additive constant), the kind inferred
  from the expected answer; :mod:`~derive.answers.working`: :func:`check_working`, a student's
  working line by line; :mod:`~derive.answers.bank`: teachers' question banks (TOML);

**Why our own Lark grammar, and not** ``sympy.parse_latex`` / ``parse_expr``. ``parse_expr``
and ``sympify`` evaluate Python, and even SymPy's LaTeX parser hands names to ``Symbol``/
``Function`` and parts of the text to ``sympify``-style conversion, so neither can be the
trust boundary. SymPy's LaTeX grammars also read only LaTeX (students type both), build every
unknown word as a new symbol or undefined function (``phi(x)`` would silently become an
unknown function instead of the normal density, and a typo would become a new variable
instead of an error), and evaluate powers as they build (``9^{9^{9^9}}`` would hang the
parser). One small LALR grammar (``derive/answers/parse/grammar.lark``, linear time) reads
both syntaxes; every tree node maps to one SymPy constructor, every name goes through the
question's allow-list (declared variables first, then the question's names, then a fixed
table of functions and constants), and limits on length, depth, node count, literal size and
constant powers are checked on the tree before any SymPy object exists.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._lazy import lazy_names

__all__ = ["NoQuestionError", "Verdict", "Working", "check", "check_working", "equivalent", "grade"]

if TYPE_CHECKING:
    from ..errors import NoQuestionError
    from .api import check, equivalent, grade
    from .verdict import Verdict
    from .working import Working, check_working

_LAZY = {
    "check": ("api", "check"),
    "equivalent": ("api", "equivalent"),
    "grade": ("api", "grade"),
    "Verdict": ("verdict", "Verdict"),
    "check_working": ("working", "check_working"),
    "Working": ("working", "Working"),
    "NoQuestionError": ("question", "NoQuestionError"),  # defined in derive.errors
}


__getattr__ = lazy_names(__name__, globals(), _LAZY)
