r"""Products over symbolic ranges, compared through sums of logarithms.

:func:`products_as_sums` rewrites a difference so the sum rung (:func:`.sums.index_canonical`) can decide it:

- every :math:`\prod_{k} f_k` whose factors SymPy knows to be positive becomes :math:`\exp\sum_k \log f_k`
  (true for positive factors; a product of factors of unknown sign is left alone);
- in each such summand, a Kronecker delta inside a non-linear function is taken out by
  :math:`g(\delta) = g(0) + \delta\,(g(1) - g(0))`, exact because :math:`\delta \in \{0, 1\}`;
- the exponentials of one term are merged and their exponents put in the canonical sum form.

Every rewrite is an identity, so a difference is proved zero only if it is zero.
"""

from __future__ import annotations

from collections.abc import Mapping
from itertools import product

import sympy as sp

from ..maths.domains import Domain
from .sums import decide_conditions, index_canonical


def _affine_in_deltas(e: sp.Expr) -> sp.Expr:
    """``e`` with each Kronecker delta that is not a plain factor of a term written affinely:
    ``g(delta) = g(0) + delta (g(1) - g(0))``."""
    for delta in e.atoms(sp.KroneckerDelta):
        zero, one = e.xreplace({delta: sp.S.Zero}), e.xreplace({delta: sp.S.One})
        e = zero + delta * (one - zero)
    return sp.expand(e)


def _positive(f: sp.Expr) -> bool:
    """SymPy knows ``f`` positive for every value 0 or 1 of its Kronecker deltas (at most 3 of them)."""
    deltas = list(f.atoms(sp.KroneckerDelta))
    if len(deltas) > 3:
        return False
    cases = product((sp.S.Zero, sp.S.One), repeat=len(deltas))
    return all(f.xreplace(dict(zip(deltas, c, strict=True))).is_positive is True for c in cases)


def _as_log_sum(total: sp.Product) -> sp.Expr:
    if len(total.limits) != 1 or not _positive(total.function):
        return total
    logged = sp.expand_log(sp.log(total.function), force=True)  # sound: every factor is positive
    logged = sp.Add(*(_affine_in_deltas(term) for term in sp.Add.make_args(sp.expand(logged))))
    return sp.exp(sp.Sum(logged, total.limits))


def _merge_exponentials(term: sp.Expr, domains: Mapping[sp.Basic, Domain]) -> sp.Expr:
    """The exponential factors of one term as one, its exponent's sums evaluated (case conditions decided by the
    index domains) and put in canonical form."""
    exps = [f for f in sp.Mul.make_args(term) if isinstance(f, sp.exp)]
    if not exps:
        return term
    rest = sp.Mul(*(f for f in sp.Mul.make_args(term) if not isinstance(f, sp.exp)))
    exponent = sp.expand(sp.Add(*(f.args[0] for f in exps)))
    decided = index_canonical(decide_conditions(exponent.doit(), domains))
    return rest * sp.exp(decided)


def products_as_sums(e: sp.Expr, domains: Mapping[sp.Basic, Domain]) -> sp.Expr:
    r"""``e`` with products of positive factors written :math:`\exp\sum\log`, deltas taken out of non-linear
    functions, exponentials merged and exponents in canonical sum form; ``e`` itself without a product."""
    if not e.has(sp.Product):
        return e
    rewritten = e.replace(lambda x: isinstance(x, sp.Product), _as_log_sum)
    terms = (_merge_exponentials(t, domains) for t in sp.Add.make_args(sp.expand(rewritten, power_exp=False)))
    return sp.expand(sp.gammasimp(index_canonical(decide_conditions(sp.Add(*terms).doit(), domains))), power_exp=False)
