r"""Worked solutions of differentiation questions: the rule engine's steps as numbered plain text.

A homework question asks for :math:`\frac{d}{dx} f` when it is a catalog identity whose claim is
``Eq(Derivative(f, x), g)``, or a teacher's own expression. :func:`solution_for` writes the automatic
derivation (:func:`~derive.autodiff.scalar.derivation_only`: every step verified by the ladder,
the result proved equal to ``sympy.diff``) as text a student reads. The grading verdict is not
changed: ``derive grade --solutions`` adds the text as a column of its own (:func:`solution_cells`),
computed once per question, in the grading process.

>>> print(solution_for("x^2*sin(x)", "x"))  # doctest: +SKIP
d/dx x**2*sin(x):
1. product rule: (f g)' = f' g + f g'
   = x**2*Derivative(sin(x), x) + sin(x)*Derivative(x**2, x)
...
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import Any

import sympy as sp

from ..core.autodiff.automatic import derivative_claims
from ..core.derivation import Derivation
from ..core.proof import derive_chains
from ..core.registry import REGISTRY
from ..errors import DeriveError, ExpressionError
from ..render.tex import form, plain
from .scalar import Problem, checked, identity_for, problem, steps_of

#: the grading column that holds the worked solution
COLUMN = "solution"
VERIFIED = "every step verified by derive's ladder, the result equal to sympy.diff"


def question_problem(name: str) -> Problem | None:
    """What a catalog identity asks to differentiate: ``f`` and ``x`` of its claim
    ``Eq(Derivative(f, x), g)`` with its domains (definitions unfolded), or ``None`` when its
    claim is not a first derivative. Raises :class:`~derive.errors.UnknownIdentityError`."""
    ident = REGISTRY.get(name)
    try:
        (_, f, x), *_ = derivative_claims(ident.statements[:1])
    except ValueError:
        return None
    return checked(Problem(ident.unfold(f), x, dict(ident.domains)))


def solution_for(
    name_or_expr: str | sp.Expr, var: str | sp.Basic | None = None, variables: Mapping[str, str] | None = None
) -> str:
    r"""The worked solution of :math:`\frac{d}{dx} f`: numbered steps, each a rule and the form it
    gives, then the result and whether every step was verified.

    ``name_or_expr`` is a catalog identity whose claim is a derivative (``var`` not needed), or an
    expression (text read by the safe parser, or SymPy) with its variable ``var`` and the
    variables' domain words. Raises :class:`~derive.errors.ExpressionError` (a ``ValueError``) for
    an identity whose claim is not a derivative or input that cannot be read."""
    if var is None:
        if not isinstance(name_or_expr, str):
            raise ExpressionError("give the variable to differentiate in")
        p = question_problem(name_or_expr)
        if p is None:
            raise ExpressionError(f"{name_or_expr}: its claim is not a derivative d/dx f = g")
    else:
        p = problem(name_or_expr, var, variables)
    d, failure = derive_chains(identity_for(p, *steps_of(p)))
    return _text(p, d, failure)


def _text(p: Problem, d: Derivation, failure: str | None) -> str:
    chain = d.chains[0]
    lines = [f"d/d{p.x} {form(p.f)}:"]
    for k, step in enumerate(chain.steps[1:], 1):
        mark = "" if step.ok and step.symbolic else "  [not verified]"
        lines += [f"{k}. {_words(step.why)}{mark}", f"   = {form(step.expr)}"]
    lines.append(f"Result: {form(chain.steps[-1].expr)}")
    lines.append(f"({VERIFIED})" if failure is None else f"(not verified: {plain(failure)})")
    return "\n".join(lines)


def _words(why: str) -> str:
    """A step's reason as plain text, ``d/dx`` and brackets spaced as written."""
    return re.sub(r"d/dx(?=\S)", "d/dx ", re.sub(r"\s+\)", ")", plain(why)))


@lru_cache(maxsize=256)
def _cell(name: str) -> str:
    try:
        return solution_for(name)
    except (DeriveError, ValueError, LookupError):
        return ""  # not a differentiation question (or not one the rules can write): no solution


def solution_cells(rows: Iterable[Mapping[str, Any]]) -> dict[str, str]:
    """The worked solution of each catalog identity the rows name (``identity`` column), once per
    identity; ``""`` for an identity whose claim is not a derivative or that is unknown."""
    names = {str(r.get("identity") or "").strip() for r in rows if not r.get("expected") and not r.get("question")}
    return {name: _cell(name) for name in sorted(names - {""})}
