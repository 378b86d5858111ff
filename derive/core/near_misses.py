"""Near-miss versions of a claim, for testing that the engine rejects falsehood.

:func:`perturbations` makes, for one statement, the mistakes a careless derivation or a student
makes: a coefficient off by one part in a million, the sign of one term flipped, one term
dropped, a matrix transposed. :func:`perturbed` returns the identity with that statement
replaced (not registered), so ``prove(perturbed(...))`` must fail, naming the statement.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import sympy as sp

from .identity import Identity
from .statements import Statement


def _terms(e: sp.Basic) -> tuple[sp.Basic, ...]:
    return sp.Add.make_args(e) if isinstance(e, sp.Expr) else ()


def perturbations(relation: sp.Basic) -> Iterator[tuple[str, sp.Basic]]:
    """``(description, wrong relation)`` pairs for an ``Eq`` (other relations: none)."""
    if not isinstance(relation, sp.Eq):
        return
    lhs, rhs = relation.lhs, relation.rhs
    rebuild = relation.func
    if isinstance(rhs, sp.MatrixBase):
        if rhs.is_square and rhs != rhs.T:
            yield "transposed matrix", rebuild(lhs, rhs.T, evaluate=False)
        i, j = next(((i, j) for i in range(rhs.rows) for j in range(rhs.cols) if rhs[i, j] != 0), (0, 0))
        wrong = rhs.as_mutable()
        wrong[i, j] = wrong[i, j] * sp.Rational(1000001, 1000000) if wrong[i, j] != 0 else sp.Rational(1, 10**6)
        yield f"entry ({i + 1}, {j + 1}) off by 1e-6", rebuild(lhs, sp.ImmutableMatrix(wrong), evaluate=False)
        return
    if not isinstance(rhs, sp.Expr):
        return
    terms = _terms(rhs)
    scale = sp.Rational(1000001, 1000000)
    if rhs != 0:
        if len(terms) > 1:
            yield "one coefficient off by 1e-6", rebuild(lhs, scale * terms[0] + sp.Add(*terms[1:]), evaluate=False)
        else:
            yield "coefficient off by 1e-6", rebuild(lhs, scale * rhs, evaluate=False)
    else:
        yield "nonzero constant instead of 0", rebuild(lhs, sp.Rational(1, 10**6), evaluate=False)
    if len(terms) > 1:
        yield "sign of one term flipped", rebuild(lhs, sp.Add(*terms[:-1]) - terms[-1], evaluate=False)
        yield "one term dropped", rebuild(lhs, sp.Add(*terms[:-1]), evaluate=False)


def perturbed(ident: Identity, label: str, relation: sp.Basic) -> Identity:
    """``ident`` with the statement ``label`` replaced by ``relation`` (not registered)."""
    statements = tuple(dataclasses.replace(s, relation=relation) if s.label == label else s for s in ident.statements)
    if statements == ident.statements:
        raise KeyError(f"{ident.name} has no statement {label!r}")
    return dataclasses.replace(ident, statements=statements)


def near_misses(ident: Identity) -> Iterator[tuple[Statement, str, Identity]]:
    """Every ``(statement, description, perturbed identity)`` for the identity's statements."""
    for st in ident.statements:
        if st.relation is None:
            continue
        for description, wrong in perturbations(st.relation):
            yield st, description, perturbed(ident, st.label, wrong)
