r"""The sign of a combination of sums over one range, decided term by term.

:func:`termwise` writes :math:`c_1\sum_{i} f_i + c_2\sum_{i} g_i` (constants :math:`c` free of the index, the same
range) as one :math:`\sum_i (c_1 f_i + c_2 g_i)` and factors each summand, so that SymPy's sign of a ``Sum``
(nonnegative when its summand is, for a range that does not run backwards) can decide it:
:math:`\sum_i W_i^2/16 - \sum_i W_i^2\,\sigma'(z_i)^2` is nonnegative because each term factors into squares.
Both rewrites are identities; the sign is SymPy's, from the assumptions.
"""

from __future__ import annotations

import sympy as sp


def _merge(a: sp.Add) -> sp.Expr:
    by_range: dict[tuple[sp.Basic, ...], list[sp.Expr]] = {}
    rest: list[sp.Expr] = []
    for term in a.args:
        coeff, body = term.as_independent(sp.Sum, as_Add=False)
        if isinstance(body, sp.Sum) and not coeff.free_symbols & {lim[0] for lim in body.limits}:
            by_range.setdefault(body.limits, []).append(coeff * body.function)
        else:
            rest.append(term)
    return sp.Add(*rest, *(sp.Sum(sp.Add(*fs), *lims) for lims, fs in by_range.items()))


def _flat(total: sp.Sum) -> sp.Expr:
    """``sum_i c_i sum_j g_ij`` as the multiple sum ``sum_{i,j} c_i g_ij`` (a factor moved into the inner sum)."""
    coeff, body = total.function.as_independent(sp.Sum, as_Add=False)
    if not isinstance(body, sp.Sum):
        return total
    return sp.Sum(coeff * body.function, *body.limits, *total.limits)


def termwise(e: sp.Expr) -> sp.Expr:
    """``e`` with nested sums written as multiple sums, the sums of one range merged into one and every summand
    factored."""
    if not e.has(sp.Sum):
        return e
    nested = e.replace(lambda x: isinstance(x, sp.Sum), _flat)
    merged = sp.expand(nested, power_exp=False)
    if isinstance(merged, sp.Add):
        merged = _merge(merged)
    return merged.replace(lambda x: isinstance(x, sp.Sum), lambda s: sp.Sum(sp.factor(s.function), *s.limits))
