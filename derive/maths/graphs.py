r"""Index forms of graph matrices at a symbolic number of nodes :math:`n` (``IndexedBase`` weights :math:`w_{ij}`).

- :func:`degree`, :func:`laplacian_entry`: :math:`d_i = \sum_k w_{ik}` and :math:`L_{ij} = \delta_{ij}d_i - w_{ij}`
  of :math:`L = D - W`;
- :func:`pair_sum`: :math:`\sum_{i=1}^n\sum_{j=1}^n f_{ij}` (limits in canonical order);
- :func:`in_eigenbasis`: :math:`(U^\top M\mathbf{y})_q` for :math:`M = U\Lambda U^\top` (the spectral theorem),
  held as nested sums so that :class:`~derive.maths.indexed.InverseOf` contracts :math:`U^\top U = I`;
- :class:`CanonicalOrder`: finite sums commute, as a rule: every multiple sum over independent ranges written
  with its indices in SymPy's canonical order, so :math:`\sum_{j}\sum_{i} f_{ij}` and :math:`\sum_{i}\sum_{j}
  f_{ij}` become one object;
- :func:`one_sum`: sums over the same limits joined, the summand factored;
- :func:`value_of`: the value behind a statement's notation.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import sympy as sp

from .notation import Notation


def degree(w: sp.IndexedBase, a: sp.Expr, k: sp.Symbol, n: sp.Expr) -> sp.Sum:
    r""":math:`d_a = \sum_{k=1}^n w_{ak}`, the weighted degree of node :math:`a`."""
    return sp.Sum(w[a, k], (k, 1, n))


def laplacian_entry(w: sp.IndexedBase, a: sp.Expr, b: sp.Expr, k: sp.Symbol, n: sp.Expr) -> sp.Expr:
    r""":math:`L_{ab} = \delta_{ab}d_a - w_{ab}`, the entry of :math:`L = D - W` (``k`` sums the degree)."""
    return sp.KroneckerDelta(a, b) * degree(w, a, k, n) - w[a, b]


def pair_sum(f: sp.Expr, i: sp.Symbol, j: sp.Symbol, n: sp.Expr) -> sp.Sum:
    r""":math:`\sum_{i=1}^n\sum_{j=1}^n f`, its limits in the order of :class:`CanonicalOrder`."""
    return CanonicalOrder()._order(sp.Sum(f, (j, 1, n), (i, 1, n)))


def in_eigenbasis(
    u: sp.IndexedBase,
    ut: sp.IndexedBase,
    lam: Callable[[sp.Expr], sp.Expr],
    y: Callable[[sp.Expr], sp.Expr],
    indices: tuple[sp.Symbol, sp.Symbol, sp.Symbol, sp.Expr],
    n: sp.Expr,
) -> sp.Expr:
    r""":math:`(U^\top M\mathbf{y})_q = \sum_a U^\top_{qa}\sum_r U_{ar}\lambda_r\sum_b U^\top_{rb}\,y_b` for
    :math:`M = U\Lambda U^\top` (``lam(r)``: :math:`\lambda_r`; ``y(b)``: :math:`y_b`; ``indices``: the summed
    :math:`a, r, b` and the free :math:`q`)."""
    a, r, b, q = indices
    inner = sp.Sum(ut[r, b] * y(b), (b, 1, n))
    return sp.Sum(ut[q, a] * sp.Sum(u[a, r] * lam(r) * inner, (r, 1, n)), (a, 1, n))


@dataclass(frozen=True)
class CanonicalOrder:
    r"""Finite sums commute: :math:`\sum_{j}\sum_{i} f_{ij} = \sum_{i}\sum_{j} f_{ij}` when neither range
    depends on the other index. As a rule: every multiple sum whose ranges name none of its indices gets its
    limits in SymPy's canonical order of the indices (innermost first); nothing else is rewritten."""

    def __call__(self, expr: sp.Basic) -> sp.Basic:
        return expr.replace(lambda e: isinstance(e, sp.Sum) and len(e.limits) > 1, self._order)

    @staticmethod
    def _order(total: sp.Sum) -> sp.Basic:
        indices = {lim[0] for lim in total.limits}
        if any((lo.free_symbols | hi.free_symbols) & indices for _, lo, hi in total.limits):
            return total
        return sp.Sum(total.function, *sorted(total.limits, key=lambda lim: sp.default_sort_key(lim[0])))


def one_sum(expr: sp.Expr) -> sp.Expr:
    r"""Sums over the same limits joined into one, :math:`a\sum f + b\sum g = \sum (af + bg)`, the joined summand
    factored (:func:`sympy.factor`); every other term is kept as it is."""
    groups: dict[tuple[sp.Basic, ...], list[tuple[sp.Expr, sp.Sum]]] = {}
    rest = []
    for term in sp.Add.make_args(expr):
        coeff, body = term.as_coeff_Mul()
        if isinstance(body, sp.Sum):
            groups.setdefault(body.limits, []).append((coeff, body))
        else:
            rest.append(term)
    for limits, terms in groups.items():
        if len(terms) == 1:
            rest.append(terms[0][0] * terms[0][1])
        else:
            rest.append(sp.Sum(sp.factor(sp.Add(*(c * s.function for c, s in terms))), *limits))
    return sp.Add(*rest)


def value_of(expr: sp.Basic) -> sp.Basic:
    r"""The value a :func:`~derive.maths.notation.notation` stands for (``expr`` itself otherwise), so that a step
    computed from a statement's left side shows its result, not the notation again."""
    return expr.args[1] if isinstance(expr, Notation) else expr
