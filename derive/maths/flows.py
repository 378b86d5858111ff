r"""Index moves for linear flows and matrix functions in an eigenbasis (any size :math:`n`).

A matrix written in its eigenbasis, :math:`\Theta_{il} = \sum_p U_{ip}\lambda_p U^{-1}_{pl}`, meets another sum over
the shared index :math:`l`; the defining property :math:`\sum_l U^{-1}_{pl}U_{lq} = \delta_{pq}`
(:class:`~derive.maths.indexed.InverseOf`) applies only once the sum over :math:`l` is the innermost one:

- :class:`Innermost`: :math:`\sum_l c_l\prod_s\sum_{q_s} f_s(l, q_s) = \sum_{q_1, \dots, q_m}
  \bigl(\prod\text{factors free of } l\bigr)\sum_l(\text{factors with } l)`, for the sums over one named index
  (finite sums commute: the rule of the cited exchange of finite sums);
- :class:`SwapLimits`: :math:`\sum_i\sum_j f_{ij} = \sum_j\sum_i f_{ij}` for a double sum;
- :func:`index_form`: the indexed sums a statement's notation stands for.

The rules are picklable objects (a proof crosses process boundaries).
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from .notation import Notation


@dataclass(frozen=True)
class Innermost:
    r"""Make the sum over ``var`` the innermost one: :math:`\sum_l c_l(\sum_p a_p b_{lp})(\sum_q d_q e_{lq}) =
    \sum_q d_q\sum_p a_p\sum_l c_l b_{lp}e_{lq}`, each factor free of :math:`l` inside the sums of its indices.
    Applied to every sum over ``var`` alone whose summand is a product holding at least one sum; a sum whose inner
    ranges depend on ``var``, or whose inner indices repeat, clash with ``var`` or appear outside their sums, is
    left unchanged. A statement's notation is read as the sums it stands for (:func:`index_form`)."""

    var: sp.Symbol

    def __call__(self, expr: sp.Basic) -> sp.Basic:
        return index_form(expr).replace(
            lambda e: isinstance(e, sp.Sum) and len(e.limits) == 1 and e.limits[0][0] == self.var, self._move
        )

    def _move(self, total: sp.Sum) -> sp.Basic:
        factors = sp.Mul.make_args(total.function)
        inner = [f for f in factors if isinstance(f, sp.Sum)]
        if not inner:
            return total
        limits = [lim for f in inner for lim in f.limits]
        bound = [lim[0] for lim in limits]
        ranges = set().union(*(lim[1].free_symbols | lim[2].free_symbols for lim in limits))
        rest = [f for f in factors if not isinstance(f, sp.Sum)]
        captured = set(bound) & sp.Mul(*rest).free_symbols
        if len(set(bound)) != len(bound) or self.var in bound or self.var in ranges or captured:
            return total
        body = [*rest, *(b for f in inner for b in sp.Mul.make_args(f.function))]
        out = sp.Sum(sp.Mul(*(b for b in body if self.var in b.free_symbols)), total.limits[0])
        free = [b for b in body if self.var not in b.free_symbols]
        for depth in range(len(limits) - 1, -1, -1):  # each factor at the depth of its innermost index
            later = {lim[0] for lim in limits[depth + 1 :]}
            here = [b for b in free if limits[depth][0] in b.free_symbols and not later & b.free_symbols]
            out = sp.Sum(sp.Mul(*here) * out, limits[depth])
        outside = [b for b in free if not set(bound) & b.free_symbols]
        return sp.Mul(*outside) * out


@dataclass(frozen=True)
class SwapLimits:
    r"""Exchange the order of a double sum: :math:`\sum_{i}\sum_{j} f_{ij} = \sum_{j}\sum_{i} f_{ij}`, for every
    ``Sum`` over exactly two indices whose ranges do not name each other (finite sums commute) and whose inner
    index is ``inner`` (any when ``inner`` is ``None``); nothing else is rewritten."""

    inner: sp.Symbol | None = None

    def __call__(self, expr: sp.Basic) -> sp.Basic:
        return expr.replace(
            lambda e: (
                isinstance(e, sp.Sum) and len(e.limits) == 2 and (self.inner is None or e.limits[0][0] == self.inner)
            ),
            self._swap,
        )

    @staticmethod
    def _swap(total: sp.Sum) -> sp.Basic:
        (a, alo, ahi), (b, blo, bhi) = total.limits
        if a in blo.free_symbols | bhi.free_symbols or b in alo.free_symbols | ahi.free_symbols:
            return total
        return sp.Sum(total.function, (b, blo, bhi), (a, alo, ahi))


def index_form(expr: sp.Basic) -> sp.Basic:
    r"""The indexed sums a :func:`~derive.maths.notation.notation` stands for (``expr`` itself otherwise): the
    first step of a chain that opens at a statement's textbook notation and then rewrites its sums."""
    return expr.args[1] if isinstance(expr, Notation) else expr
