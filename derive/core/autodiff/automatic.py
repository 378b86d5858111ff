r"""Derivations written by the rule engine: an identity declared with a derivative claim and no
hand-written derivation.

For each statement :math:`\frac{d}{dx} f = g` (``Eq(Derivative(f, x), g)``), :func:`write_steps`
writes the engine's steps (:mod:`.engine`) on the derivation one named rule per link, concludes the
statement (so the ladder proves the result equal to :math:`g`), and adds a lemma chain proving the
rules' raw form equal to ``sympy.diff(f, x)``, an independent computation. Every link is verified
by the ladder like a hand-written one; the engine is never trusted.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import sympy as sp

from ...errors import BudgetExceeded, DeclarationError, ExpressionError
from ...maths.domains import Domain
from ...verify.budget import time_limit
from ..derivation import Derivation
from ..statements import CrossCheck, Statement
from .check import central_differences
from .engine import RuleStep, Steps, derivative_steps

#: CPU seconds to run the rule engine and ``sympy.diff`` on one expression
ENGINE_SECONDS = 30.0
#: the title of the chain that proves the result equal to SymPy's own ``diff``
AGREES = "agrees with sympy.diff"
#: what the sheet says of an automatic derivation
AUTOMATIC = "derived automatically by derive's differentiation rules"
NOTE = (
    f"{AUTOMATIC.capitalize()}: each step applies one rule of the table "
    "(or says which sub-expression had no rule), and the ladder verifies every step."
)


class Replay:
    """A producer for :meth:`Derivation.then` that returns the engine's next form (its
    ``__name__`` is what the step's provenance records)."""

    def __init__(self, step: RuleStep) -> None:
        self.form = step.form
        self.__name__ = f"derive.autodiff {step.kind}: {step.rule}"

    def __call__(self, prev: sp.Basic) -> sp.Basic:
        return self.form


def engine_steps(f: sp.Expr, x: sp.Basic, domains: Mapping[sp.Basic, Domain] | None = None) -> tuple[Steps, sp.Expr]:
    """The engine's steps for :math:`\\frac{d}{dx} f` and ``sympy.diff(f, x)``, under :data:`ENGINE_SECONDS`."""
    try:
        with time_limit(ENGINE_SECONDS):
            return derivative_steps(f, x, domains), sp.diff(f, x)
    except BudgetExceeded:
        raise BudgetExceeded(f"differentiating took more than {ENGINE_SECONDS:g} s of CPU time") from None
    except RecursionError as exc:
        raise ExpressionError(f"the expression is too deep to differentiate: {exc}") from None


def write_steps(d: Derivation, steps: Steps, reference: sp.Expr, statement: str = "claim") -> None:
    """Write ``steps`` on ``d`` as one chain concluding ``statement``, then the lemma chain
    ``raw form = reference`` (titled :data:`AGREES`)."""
    d.begin(steps.opening)
    d.note(NOTE)
    for st in steps.steps:
        d.then(Replay(st), st.why)
    d.conclude(statement)
    d.begin(steps.raw, title=AGREES)
    d.note(
        "The derivative as the rules wrote it (the chain above proves it equal to the result) compared "
        "with SymPy's own diff of the input, an independent computation"
    )
    d.then(reference, "sympy.diff of the input")


def derivative_claims(statements: Sequence[Statement]) -> list[tuple[str, sp.Expr, sp.Basic]]:
    """``(label, f, x)`` of each statement ``Eq(Derivative(f, x), g)`` (a first derivative in one
    variable); raises :class:`ValueError` naming the first statement of another form."""
    out = []
    for st in statements:
        rel = st.relation
        lhs = rel.lhs if isinstance(rel, sp.Eq) else None
        if not (isinstance(lhs, sp.Derivative) and len(lhs.variable_count) == 1 and lhs.variable_count[0][1] == 1):
            raise ValueError(f"statement {st.label!r} is not Eq(Derivative(f, x), g)")
        out.append((st.label, lhs.expr, lhs.variables[0]))
    return out


def automatic(
    name: str, statements: Sequence[Statement], domains: Mapping[sp.Basic, object]
) -> tuple[Callable[[Derivation], None], CrossCheck | None]:
    """The derivation of an identity declared without one, and a default cross-check (central
    differences of the principal ``f`` against the derived result when ``x`` is a symbol).
    Raises :class:`DeclarationError` unless every statement is a derivative claim."""
    try:
        claims = derivative_claims(statements)
    except ValueError as exc:
        raise DeclarationError(
            f"{name}: without a derivation every statement must be Eq(Derivative(f, x), g) ({exc}); "
            "write derivation= or state the claim as a derivative"
        ) from None
    scalar = {s: dom for s, dom in domains.items() if isinstance(dom, Domain)}

    def derivation(d: Derivation) -> None:
        for label, f, x in claims:
            write_steps(d, *engine_steps(f, x, scalar), statement=label)

    fs = ", ".join(rf"$\frac{{d}}{{d{sp.latex(x)}}}\,{sp.latex(f)}$" for _, f, x in claims)
    derivation.__doc__ = (
        f"{fs}: {AUTOMATIC} (each step one named rule of its table, verified by the ladder like a "
        "hand-written step; the result is also proved equal to SymPy's own diff)."
    )
    _, f, x = claims[0]
    return derivation, (central_differences(f, x) if isinstance(x, sp.Symbol) else None)
