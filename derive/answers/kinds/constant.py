r"""Answers equal up to an additive constant (antiderivatives).

:math:`F` and :math:`G` differ by a constant on a connected domain exactly when
:math:`\partial F/\partial v = \partial G/\partial v` for every variable :math:`v`; each
derivative is taken exactly by SymPy (the answer read by the safe parser first) and each pair is
judged by the single-expression checker, so
``x^2/2 + 7`` and ``(x^2 + 1)/2`` are accepted for :math:`\int x\,dx` and ``x^2`` is not. A
trailing ``+ C`` (``c``, ``K``, ``const``) is dropped before reading. The answer is first read
alone by the safe parser, so its text cannot reach outside its own brackets.
"""

from __future__ import annotations

import re

import sympy as sp

from ..verdict import CORRECT, UNDECIDED, Verdict
from .base import Ask, make, own_work, summary
from .reading import check_size, split_top

_CONSTANT = re.compile(r"\s*\+\s*(?:C|c|K|const|\\text\{\s*const\s*\}|\\mathrm\{C\})\s*$")


def strip_constant(text: str, ask: Ask) -> str:
    """``text`` without a trailing ``+ C`` (unless ``C`` is one of the question's variables)."""
    m = _CONSTANT.search(text)
    if m and m.group().strip().lstrip("+").strip() not in ask.variables:
        rest = text[: m.start()]
        if rest.strip() and len(split_top(rest, ("+",))) >= 1:
            return rest
    return text


def judge_constant(answer: str, ask: Ask) -> Verdict:
    """Equal up to an additive constant: every partial derivative agrees (see the module docstring)."""
    text = strip_constant(check_size(answer), ask)
    parsed = ask.read(text)  # the answer alone: unreadable text is invalid here, never spliced
    expected = strip_constant(check_size(ask.expected), ask)
    names = sorted(str(s) for s in ask.read(expected).free_symbols if str(s) in ask.variables)
    if not names:
        v = ask.same(text, expected)
        return make(
            v.status, v.message, parsed=parsed, counterexample=v.counterexample, diagnosis=v.diagnosis, method=v.method
        )
    a_expr = ask.read(text)
    e_expr = ask.read(expected)
    methods = []
    for name in names:
        v = _derivatives_agree(a_expr, e_expr, name, ask)
        if v.status != CORRECT:
            head = {"incorrect": "Incorrect", "invalid": "Could not read the answer", "undecided": "No verdict"}[
                v.status
            ]
            return make(
                v.status,
                f"{head}: the derivative of your answer with respect to {name} is not the derivative of the expected "
                f"answer, so they do not differ by a constant ({summary(v)}).",
                parsed=parsed,
                counterexample=v.counterexample,
                diagnosis=v.diagnosis,
                method=f"derivative in {name}: {v.method}",
            )
        methods.append(v.method)
    return make(
        CORRECT,
        "Correct: equal to the expected answer up to an additive constant (their derivatives in "
        f"{', '.join(names)} agree).",
        parsed=parsed,
        method="up to a constant: " + "; ".join(sorted(set(methods))),
    )


def _derivatives_agree(a: sp.Basic, e: sp.Basic, name: str, ask: Ask) -> Verdict:
    """The derivatives in ``name``, taken exactly here, judged by the single-expression checker."""
    v = ask.symbols()[name]
    da, de = own_work(lambda: (sp.diff(a, v), sp.diff(e, v)))
    ta, te = ask.printed(da), ask.printed(de)
    if ta is None or te is None:
        return make(UNDECIDED, "the derivatives cannot be compared", method="derivative")
    return ask.same(ta, te, plain=True)
