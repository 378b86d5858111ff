r"""Reusable chains: derivation patterns that several identities share.

- :func:`induction_statements` and :func:`prove_by_induction`: a candidate closed form :math:`X(t)` of
  the recurrence :math:`x_t = a\,x_{t-1} + b_t` is *the* solution when the base case
  :math:`X(0) = x_0` and the step :math:`a X(t-1) + b_t = X(t)` hold; the base case is derived by
  evaluating the empty sum, the step by moving :math:`a` into the sum, writing :math:`b_t` as the
  :math:`k = t` term and joining the adjacent ranges (a closed form without a sum: by ``cancel``).
  :func:`derive.maths.recurrences.unrolled` builds the usual candidate.
- :func:`statement_lhs`: the left side of a statement, so a chain begins at the notation the statement
  uses (:math:`\partial L/\partial W`, say) and its first step shows SymPy evaluating it.
"""

from __future__ import annotations

from collections.abc import Callable

import sympy as sp
from sympy.simplify.simplify import sum_combine

from ..maths.recurrences import Drive
from .derivation import Derivation
from .statements import Statement


def _at_zero(closed: Callable[[sp.Expr], sp.Expr]) -> sp.Expr:
    """The candidate at t = 0, left unevaluated (so a closed form reads $g(1 - \\beta^0)/(1 - \\beta)$, not 0)."""
    value = closed(sp.S.Zero)
    if value.has(sp.Sum):
        return value  # an empty sum already reads as one
    with sp.evaluate(False):
        return closed(sp.S.Zero)


def induction_statements(
    closed: Callable[[sp.Expr], sp.Expr],
    a: sp.Expr,
    b: Drive,
    t: sp.Symbol,
    x0: sp.Expr = sp.S.Zero,
    *,
    name: str = "x",
    base: str = "base case",
    step: str = "induction step",
) -> list[Statement]:
    r"""The base case $X(0) = x_0$ and the step $a X(t-1) + b_t = X(t)$ for a candidate $X$."""
    return [
        Statement(
            base,
            sp.Eq(_at_zero(closed), x0, evaluate=False),
            text=rf"at $t = 0$ the candidate is ${name}_0 = {sp.latex(x0)}$",
        ),
        Statement(
            step,
            sp.Eq(a * closed(t - 1) + b(t), closed(t), evaluate=False),
            text=rf"the candidate satisfies ${name}_t = {sp.latex(a)}\,{name}_{{t-1}} + {sp.latex(b(t))}$",
        ),
    ]


def _join_sums(e: sp.Expr) -> sp.Expr:
    """Combine sums over adjacent index ranges (``sum_combine`` joins [1, t-1] and [t, t])."""
    sums = [term for term in sp.Add.make_args(e) if isinstance(term, sp.Sum)]
    rest = [term for term in sp.Add.make_args(e) if not isinstance(term, sp.Sum)]
    return sp.Add(*rest, sum_combine(sums))


def prove_by_induction(
    d: Derivation,
    closed: Callable[[sp.Expr], sp.Expr],
    a: sp.Expr,
    b: Drive,
    t: sp.Symbol,
    k: sp.Symbol | None = None,
    *,
    base: str = "base case",
    step: str = "induction step",
) -> None:
    """Derive both :func:`induction_statements` on ``d`` (sum forms need the summation index ``k``)."""
    d.begin(_at_zero(closed), r"the candidate at $t = 0$")
    d.then(lambda e: e.doit(), "an empty sum is zero" if k is not None else "substitute $t = 0$")
    d.conclude(base)

    d.begin(a * closed(t - 1) + b(t), r"the recurrence applied to the candidate at $t - 1$")
    if k is None:
        d.then(lambda e: sp.factor(sp.cancel(e)), "common denominator")
        d.conclude(step)
        return
    summand = sp.Sum(a ** (t - k) * b(k), (k, 1, t)).function
    rest = closed(t) - sp.Sum(summand, (k, 1, t))
    d.then(
        sp.expand(rest) + sp.Sum(summand, (k, 1, t - 1)) + b(t),
        rf"move ${sp.latex(a)}$ into the sum: ${sp.latex(a)}\cdot {sp.latex(a)}^{{t-1-k}} = {sp.latex(a)}^{{t-k}}$",
    )
    d.then(
        lambda e: e.subs(b(t), sp.Sum(summand, (k, t, t))),
        rf"${sp.latex(b(t))}$ is the $k = t$ term of the sum",
    )
    d.then(_join_sums, r"join the ranges $1..t-1$ and $t..t$")
    d.conclude(step)


def statement_lhs(d: Derivation, label: str) -> sp.Basic:
    """The left side of statement ``label`` of the identity being derived."""
    relation = d.statement(label).relation
    assert relation is not None  # statement() returns symbolic statements only
    return relation.lhs
