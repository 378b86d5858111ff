r"""Finite sums over a symbolic range, opened by linearity.

:func:`linear_sums` distributes every sum over one index across the terms of its summand and takes
the factors free of the index outside:

.. math:: \sum_{i=1}^{n} \bigl(c\,a_i + b_i\bigr) = c\sum_{i=1}^{n} a_i + \sum_{i=1}^{n} b_i.

With it a weighted second moment opens into moments:
:math:`\sum_i p_i v_i (v_i - \bar v) = \sum_i p_i v_i^2 - \bar v \sum_i p_i v_i`, and with
:math:`\sum_i p_i = 1` the variance :math:`\sum_i p_i (v_i - \bar v)^2 = \sum_i p_i v_i^2 - \bar v^2`.
A derivation uses it as a computing step; the ladder verifies the link (sums in canonical form).
"""

from __future__ import annotations

import sympy as sp


def _open(total: sp.Sum) -> sp.Expr:
    ((k, lo, hi),) = total.limits
    parts = []
    for term in sp.Add.make_args(sp.expand(total.function)):
        free, tied = term.as_independent(k, as_Add=False)
        parts.append(free * sp.Sum(tied, (k, lo, hi)))
    return sp.Add(*parts)


def linear_sums(expr: sp.Basic) -> sp.Basic:
    r"""``expr`` with every sum over one index split over its summand's terms, constants taken out."""
    return expr.replace(lambda e: isinstance(e, sp.Sum) and len(e.limits) == 1, _open)
