r"""The safe answer parser: a Lark grammar, resource limits, and a builder over an allow-list.

Text typed by a student is untrusted. :func:`parse` reads it in four stages, none of which
evaluates Python:

1. **normalise** (:mod:`.normalise`, a table of named rewrites): Unicode (``σ``, ``²``, ``·``,
   ``−``, ``√``) becomes LaTeX command tokens; in LaTeX mode ``\left``/``\right`` and spacing
   commands are dropped and single-character arguments of ``^``, ``_``, ``\frac``, ``\sqrt`` are
   braced (``x^23`` is :math:`x^2 \cdot 3` in LaTeX, as TeX reads it); absolute-value bars are
   paired;
2. **limits before parsing** (:mod:`.limits`): input length and bracket depth;
3. **parse** (:mod:`.grammar`) with one LALR grammar, ``grammar.lark`` (linear time), shared by
   plain and LaTeX input;
4. **limits before building**: tree depth, node count, digits of every literal, and an upper
   bound on the size of every constant power (``9**9**9**9``, ``x**(10**10**10)`` are refused
   here, before SymPy could try to compute them), then **build** (:mod:`.builder`): every name is
   resolved through the question's :class:`Scope` (:mod:`.scope`; declared variables first, so a
   variable ``sigma`` shadows the sigmoid) and every node maps to one SymPy constructor. Where
   SymPy's evaluation removes a logarithm or an even root the answer wrote (``exp(log(x))`` and
   ``sqrt(x)^2`` are built as ``x``), its real-value condition is kept: the answer is
   ``Piecewise((x, x > 0), (nan, True))``, undefined where the written form has no real value.

Implicit multiplication is accepted where it is unambiguous: ``2x``, ``x phi(x)``, ``2\pi x``,
``s_i (\delta_{ij} - s_j)``; an unknown run of letters is split into declared names when it can
be (``xy`` is ``x*y`` if ``x`` and ``y`` are variables; a declared ``mu0`` or ``ab`` is never
split, and ``μ0`` is ``mu0``), and a power on such a word binds to its last part (``nm^(-1)`` is
``n m^{-1}``). A word that names a function applies to what follows it (``\ln s^2`` is
``log(s**2)``, ``\sin^2 x`` is ``sin(x)**2``) and, while that is a number, to the factors written
next to it (``sin 5n`` is ``sin(5n)``, ``\log^2 2n`` is ``log(2n)^2``, ``\cos 2\pi x``; but
``sin x cos x``, ``sin(2) x`` and ``\ln 2 \cdot x`` end the argument); a variable followed by
brackets multiplies them (``x(1+x)``). Subscripts name variables (``\beta_1`` is
``beta1``, ``S_{xy}`` is ``Sxy``, ``\eta_{\min}`` is ``eta_min``, ``f_*``), entries of indexed
variables (``s_i``, ``z[k]``) or a Kronecker delta (``\delta_{ij}``); ``f'(x)`` is a derivative;
``[[a, b], [c, d]]``, ``\begin{pmatrix}...\end{pmatrix}``, ``diag(s)`` and ``s^T`` build matrices.
Cases build a ``Piecewise``: ``z - lambda if z > lambda else 0`` (conditions compare with ``<``,
``<=``, ``\le``, ..., chain as ``0 < x <= 1`` and combine with ``and``/``or``), and
``\begin{cases} z - \lambda & z > \lambda \\ 0 & \text{otherwise} \end{cases}`` is the same chain.
"""

from __future__ import annotations

import sympy as sp

from ...errors import AnswerSyntaxError, BudgetExceeded
from .builder import Builder
from .grammar import GRAMMAR_FILE, lark_parser, parse_tree
from .limits import Limits, check_built, check_source, check_text, check_tree
from .normalise import REWRITES, Rewrite, normalise
from .scope import CONSTANTS, FUNCTIONS, GREEK_NAMES, Fn, Scope

__all__ = [
    "CONSTANTS",
    "FUNCTIONS",
    "GRAMMAR_FILE",
    "GREEK_NAMES",
    "REWRITES",
    "Fn",
    "Limits",
    "Rewrite",
    "Scope",
    "lark_parser",
    "normalise",
    "parse",
]


def parse(text: str, scope: Scope | None = None, *, latex: bool = False, limits: Limits | None = None) -> sp.Basic:
    """Read ``text`` into a SymPy expression (or ``Matrix``) under ``scope``.

    Raises :class:`AnswerSyntaxError` with a message a student can act on; never evaluates the
    text as code.
    """
    scope = scope or Scope()
    limits = limits or Limits()
    check_text(text, limits, latex=latex)
    src = normalise(text.strip().strip("$").strip(), latex=latex)
    check_source(src, limits)
    tree = parse_tree(src)
    check_tree(tree, limits)
    try:
        built = Builder(scope, limits).build(tree)
        check_built(built, limits)
        return built
    except (AnswerSyntaxError, BudgetExceeded):  # out of time: undecided, not an invalid answer
        raise
    except (RecursionError, MemoryError):
        raise AnswerSyntaxError("the answer is too large to read", limit=True) from None
    except Exception as exc:  # SymPy refused a construction (a shape, an index): the answer is malformed
        raise AnswerSyntaxError(
            f"the answer cannot be built ({type(exc).__name__}: {str(exc).strip()[:120]})"
        ) from None
