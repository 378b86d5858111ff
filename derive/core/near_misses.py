"""Near-miss versions of a claim, for testing that the engine rejects falsehood.

:func:`perturbations` makes, for one statement, the mistakes a careless derivation or a student
makes: a coefficient off by one part in a million, the sign of one term flipped, one term
dropped, a matrix transposed. :func:`perturbed` returns the identity with that statement
replaced (not registered), so ``prove(perturbed(...))`` must fail, naming the statement.

:func:`adversarial` makes the falsehoods built to slip past sampling: a narrow bump, a comb term
that vanishes at every short decimal, a sum or integral bound shifted by one, two symbols
swapped, a tie at a breakpoint decided the other way, a relative error of 1e-12. Each differs from
the truth somewhere on the domain, so the ladder must never accept one, not even numerically.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Mapping
from typing import Any

import sympy as sp

from ..maths.domains import Domain
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


_TINY = sp.Rational(1, 1000)


def _interior(v: sp.Symbol, domains: Mapping[Any, Domain] | None) -> bool:
    """Whether ``v`` ranges over an interval with interior (not a named constant, not integers)."""
    dom = (domains or {}).get(v)
    if dom is None:
        return domains is None
    lo, hi = sp.sympify(dom.lo), sp.sympify(dom.hi)
    return not dom.integer and not (dom.lo is not None and dom.hi is not None and sp.Eq(lo, hi) is sp.true)


def _real_variable(e: sp.Basic, domains: Mapping[Any, Domain] | None) -> sp.Symbol | None:
    """A free real, non-integer symbol of ``e`` with an interval of values (a bump or a comb in it
    is then visible somewhere on its domain)."""
    labels = {ix.base.label for ix in e.atoms(sp.Indexed)}  # z in z[k] is not a variable of its own
    reals = [
        v
        for v in e.free_symbols - labels
        if isinstance(v, sp.Symbol) and v.is_real and not v.is_integer and _interior(v, domains)
    ]
    return min(reals, key=str) if reals else None


def _centre(v: sp.Symbol, domains: Mapping[Any, Domain] | None) -> sp.Expr:
    """A point inside the domain of ``v``: the middle of a bounded one, else 3/10 on its side of 0."""
    dom = (domains or {}).get(v)
    if dom is not None and dom.lo is not None and dom.hi is not None:
        lo, hi = sp.sympify(dom.lo), sp.sympify(dom.hi)
        if not (lo.free_symbols or hi.free_symbols):
            return sp.nsimplify((lo + hi) / 2)
    return sp.Rational(-3, 10) if v.is_nonpositive else sp.Rational(3, 10)


def _shift_bound(e: sp.Basic) -> sp.Basic | None:
    """``e`` with the upper bound of its first sum, product or integral moved by one."""
    for node in sp.preorder_traversal(e):
        if isinstance(node, sp.Sum | sp.Product | sp.Integral) and len(node.limits[0]) == 3:
            var, lo, hi = node.limits[0]
            shifted = node.func(node.function, (var, lo, hi + 1), *node.limits[1:])
            return e.xreplace({node: shifted})
    return None


def _swap(e: sp.Basic) -> sp.Basic | None:
    """``e`` with two of its free symbols exchanged, if that changes it."""
    symbols = sorted((v for v in e.free_symbols if isinstance(v, sp.Symbol)), key=str)
    for i, a in enumerate(symbols):
        for b in symbols[i + 1 :]:
            if a.assumptions0 == b.assumptions0:
                swapped = e.xreplace({a: b, b: a})
                if swapped != e:
                    return swapped
    return None


_FLIP = {
    sp.StrictGreaterThan: sp.GreaterThan,
    sp.GreaterThan: sp.StrictGreaterThan,
    sp.StrictLessThan: sp.LessThan,
    sp.LessThan: sp.StrictLessThan,
}


def _tie(e: sp.Basic) -> sp.Basic | None:
    """``e`` with one breakpoint decided the other way: a strict comparison in a ``Piecewise``
    made non-strict (or back), or ``Heaviside(0)`` given another value."""
    for pw in sorted(e.atoms(sp.Piecewise), key=sp.default_sort_key):  # sorted: the same tie every run
        for piece in pw.args:
            for rel in sorted(sp.S(piece.cond).atoms(*_FLIP), key=sp.default_sort_key):
                return e.xreplace({rel: _FLIP[type(rel)](rel.lhs, rel.rhs)})
    for h in sorted(e.atoms(sp.Heaviside), key=sp.default_sort_key):
        return e.xreplace({h: sp.Heaviside(h.args[0], 1 if h.args[1:] != (1,) else 0)})
    return None


def adversarial(
    relation: sp.Basic, domains: Mapping[Any, Domain] | None = None
) -> Iterator[tuple[str, sp.Expr, sp.Expr]]:
    """``(description, true right side, wrong right side)`` of an ``Eq`` with a scalar right side,
    for the families that random points miss. The bump, the comb and the relative error are false
    by construction (``domains`` keeps them off a named constant); a swap, a shifted bound or a
    tie can happen to be true (a symmetric formula, a term constant in the variable, a continuous
    ``Piecewise``), so a test keeps those only with a witness that they differ."""
    if not isinstance(relation, sp.Eq) or any(getattr(side, "is_Matrix", True) for side in relation.args):
        return
    rhs = relation.rhs
    yield "relative 1e-12", rhs, rhs * (1 + sp.Rational(1, 10**12)) if rhs != 0 else sp.Rational(1, 10**12)
    v = _real_variable(relation, domains)
    if v is not None:
        centre = _centre(v, domains)
        bump = _TINY * sp.exp(-(10**6) * (v - centre) ** 2)
        yield f"narrow bump at {v} = {centre}", rhs, rhs + bump
        yield f"comb term in {v}", rhs, rhs + _TINY * sp.sin(3 * 10**20 * sp.pi * v)
    for description, wrong in (
        ("bound shifted by one", _shift_bound(rhs)),
        ("symbols swapped", _swap(rhs)),
        ("tie at a breakpoint", _tie(rhs)),
    ):
        if wrong is not None and wrong != rhs:
            yield description, rhs, wrong
