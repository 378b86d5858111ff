r"""Answer kinds beyond one expression: equations, intervals, sets, lists, matrices, multi-part
answers, numeric answers with a tolerance, and answers equal up to an additive constant.

:func:`judge` is the one entry point; the kind is inferred from the expected answer when not
given (:mod:`.infer`). Each kind reads the answer's *structure* at the text level (:mod:`.reading`,
capped in size and nesting) and judges every expression in it with the single-expression checker
it is given (``compare``: in the API a warm worker with a hard time limit), so elements, entries,
sides and parts get the same proofs, counterexamples and diagnoses as a plain expression. Each
returns a :class:`~derive.answers.verdict.Verdict`; unreadable or oversized input is ``invalid``.

==============  ===============================  ============================================
kind            module                           correct when
==============  ===============================  ============================================
``equation``    :mod:`.equations`                the same solution set
``interval``    :mod:`.intervals`                the same set of reals on the domain
``set``         :mod:`.sets`                     the same elements, in any order
``list``        :mod:`.sets`                     the same elements in the same order
``matrix``      :mod:`.matrices`                 the same shape and every entry equal
``tuple``       :mod:`.parts`                    every part right (each by its own kind)
``numeric``     :mod:`.numeric`                  within the tolerance (abs, rel, sf)
``constant``    :mod:`.constant`                 equal up to an additive constant
``expression``  the single-expression checker    equal on the domain
==============  ===============================  ============================================
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

from ..verdict import Verdict
from .base import Ask, Compare, deadline, guess, remaining, timed
from .constant import judge_constant
from .equations import judge_equation
from .infer import KINDS, infer_kind
from .intervals import judge_interval
from .matrices import judge_matrix
from .numeric import Tolerance, judge_numeric, tolerance
from .parts import judge_tuple
from .reading import StructureError, check_size, split_top
from .sets import judge_list, judge_set

__all__ = ["KINDS", "Tolerance", "choose_kind", "infer_kind", "judge", "remaining", "tolerance"]


def choose_kind(expected: str, kind: str | None, tol: Any, up_to_constant: bool, latex: bool = False) -> str:
    """The kind to judge by: ``kind`` if given (checked), else the expected answer's structure;
    a plain expression with a tolerance is ``numeric``, with ``up_to_constant`` ``constant``."""
    if kind is not None:
        k = str(kind).strip().lower()
        k = {"equations": "equation", "inequality": "interval", "intervals": "interval", "sets": "set",
             "lists": "list", "vector": "matrix", "matrices": "matrix", "parts": "tuple", "multi-part": "tuple",
             "number": "numeric", "antiderivative": "constant"}.get(k, k)  # fmt: skip
        if k not in KINDS:
            raise ValueError(f"unknown answer kind {kind!r}: use one of {', '.join(KINDS)}")
        return k
    inferred = infer_kind(expected, latex)
    if inferred == "expression" and tol is not None:
        return "numeric"
    if inferred == "expression" and up_to_constant:
        return "constant"
    return inferred


def _guess(expected: str, latex: bool) -> dict[str, str]:
    return dict(_guessed(expected, latex))


@functools.lru_cache(maxsize=256)
def _guessed(expected: str, latex: bool) -> tuple[tuple[str, str], ...]:
    """The expected answer's unknown words as real variables (once per question)."""
    try:
        text = check_size(expected)
        pieces = split_top(text, (";", ",", "=", "<=", ">=", "<", ">", " U ", " or ", " and "))
    except StructureError:
        pieces = [expected]
    cleaned = [p.strip("{}[]()\\ ") or "0" for p in pieces]
    return tuple(guess(cleaned, latex).items())


def judge(
    kind: str | None,
    answer: str,
    expected: str,
    variables: Mapping[str, str] | None,
    compare: Compare,
    *,
    latex: bool = False,
    tol: Any = None,
    up_to_constant: bool = False,
    implies: bool = False,
    budget: float = 6.0,
) -> Verdict:
    """Judge ``answer`` against ``expected`` as an answer of ``kind`` (see the module docstring);
    ``implies``: for equations and intervals, only every solution of ``expected`` must solve ``answer``;
    ``budget``: wall seconds for the whole answer (past it the verdict is ``undecided``).

    Raises ``ValueError`` when the *question* is unusable (an unknown kind, an expected answer
    that is not of its kind, a bad tolerance); a bad *answer* is always a verdict.
    """
    k = choose_kind(expected, kind, tol, up_to_constant, latex)
    if tol is not None:
        tolerance(tol)  # a bad tolerance is the question's fault: raise before judging
    names = dict(variables) if variables is not None else _guess(expected, latex)
    ask = Ask(
        expected,
        names,
        compare,
        latex=latex,
        tol=tol,
        up_to_constant=up_to_constant,
        ordered=k == "list",
        implies=implies,
    )

    def run() -> Verdict:
        with deadline(budget):
            return _dispatch(k, answer, ask, 0)

    return timed(run)


def _dispatch(k: str, answer: str, ask: Ask, depth: int) -> Verdict:
    if k == "tuple":

        def part(a: str, e: str, d: int) -> Verdict:
            sub = Ask(e, ask.variables, ask.compare, latex=ask.latex, tol=ask.tol, up_to_constant=ask.up_to_constant)
            return timed(lambda: _dispatch(choose_kind(e, None, ask.tol, ask.up_to_constant, ask.latex), a, sub, d))

        return judge_tuple(answer, ask, part, depth)
    table = {
        "equation": judge_equation,
        "interval": judge_interval,
        "set": judge_set,
        "list": judge_list,
        "matrix": judge_matrix,
        "numeric": judge_numeric,
        "constant": judge_constant,
    }
    if k in table and not (k == "numeric" and ask.tol is None):
        return table[k](answer, ask)
    return ask.same(answer, ask.expected)  # an expression
