r"""Moves on products of indexed matrices written in an eigenbasis, at a symbolic size :math:`n`.

A product of two matrices in eigenform, :math:`(P\Lambda P^{-1})(P\Lambda^tP^{-1})`, has the entry
:math:`\sum_c \bigl(\sum_k P_{ak}\lambda_kQ_{kc}\bigr)\bigl(\sum_l P_{cl}\lambda_l^tQ_{lb}\bigr)`
(:math:`Q = P^{-1}`); the inverse pair :math:`\sum_c Q_{kc}P_{cl} = \delta_{kl}` only shows once the sum over
the shared index :math:`c` is innermost. :class:`ProductOfSums` is that rearrangement as a rule (finite sums
distribute and commute), so a derivation uses it through the cited fact of the exchange of finite sums
(:data:`~derive.core.facts.SUM_EXCHANGE`), as it uses :class:`~derive.maths.indexed.Exchange`.
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp


def _single(e: sp.Basic) -> bool:
    return isinstance(e, sp.Sum) and len(e.limits) == 1


@dataclass(frozen=True)
class ProductOfSums:
    r"""Finite sums distribute and commute: :math:`\sum_c a_c\bigl(\sum_k f_{kc}\bigr)\bigl(\sum_l g_{cl}\bigr)
    = \sum_k\sum_l\bigl(\text{factors free of } c\bigr)\sum_c a_c\,(\text{the rest})` when the ranges of
    :math:`k` and :math:`l` do not depend on :math:`c` and the three indices differ. Applied to every sum over
    one index whose summand is a product holding exactly two sums over one index each; nothing else is
    rewritten."""

    def __call__(self, expr: sp.Basic) -> sp.Basic:
        return expr.replace(_single, self._nest)

    @staticmethod
    def _nest(total: sp.Sum) -> sp.Basic:
        var = total.limits[0][0]
        factors = list(sp.Mul.make_args(total.function))
        inner = [f for f in factors if _single(f)]
        if len(inner) != 2:
            return total
        (k, *k_range), (ell, *l_range) = inner[0].limits[0], inner[1].limits[0]
        rest = [f for f in factors if not _single(f)]
        bounds = {s for r in (*k_range, *l_range) for s in sp.sympify(r).free_symbols}
        clash = {k, ell} & {s for f in rest for s in f.free_symbols} or k in inner[1].free_symbols
        clash = clash or ell in inner[0].free_symbols
        if len({var, k, ell}) != 3 or var in bounds or clash:
            return total
        body = sp.Mul.make_args(sp.Mul(*rest) * inner[0].function * inner[1].function)
        free = sp.Mul(*(f for f in body if var not in f.free_symbols))  # constant in the new inner sum
        tied = sp.Mul(*(f for f in body if var in f.free_symbols))
        return sp.Sum(free * sp.Sum(tied, total.limits[0]), inner[1].limits[0], inner[0].limits[0])
