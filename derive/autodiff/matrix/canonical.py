r"""One form for equal index expressions: sums merged to the front, bound indices renamed canonically.

Entry :math:`(k, l)` of :math:`-X^{-\top} a a^\top X^{-\top}` and the collapsed entrywise derivative
of :math:`a^\top X^{-1} a` are the same double sum with the two bound indices met in another order;
renaming by nesting depth (:func:`derive.verify.sums.index_canonical`) keeps them apart. Here every
term is written :math:`\sum_{t_1 \dots t_r} c \prod_j f_j` (products distributed over sums, integer
powers of sums multiplied out, a bound index that no factor uses counted by its range), and its bound
indices get the names that make the product's printed form least among all orders (up to
:data:`MAX_INDICES` indices). Only identities of finite sums are used (linearity, exchanging the
order of summation, renaming a bound index); the ladder verifies each link that uses this form.
A sum inside a function (:math:`e^{\sum_t \dots}`, :math:`1/\sum_t \dots`) is put in this form inside,
with names of its own depth, so no index is captured.
"""

from __future__ import annotations

from collections.abc import Mapping
from itertools import count, permutations, product

import sympy as sp

from .index import IndexSum

MAX_INDICES = 6
MAX_TERMS = 400
Limit = tuple[sp.Symbol, sp.Expr, sp.Expr]
Term = tuple[list[sp.Expr], list[Limit]]


class _TooLarge(Exception):
    pass


Ranges = Mapping[sp.Basic, tuple[sp.Expr, sp.Expr]]


def canonical(e: sp.Expr, ranges: Ranges | None = None) -> sp.Expr:
    """``e`` with its sums merged, Kronecker deltas sifted and bound indices renamed; ``e`` itself if
    that grows too large. ``ranges`` gives the ranges ``(lo, hi)`` of free indices (``k`` in ``1..n``)."""
    try:
        return _canonical(e, 0, dict(ranges or {}))
    except _TooLarge:
        return e


def _canonical(e: sp.Expr, depth: int, ranges: dict[sp.Basic, tuple[sp.Expr, sp.Expr]]) -> sp.Expr:
    fresh = count()
    terms = _terms(e, depth, fresh, ranges)
    return sp.Add(*(_close(factors, limits, depth, ranges) for factors, limits in terms))


def _sift(factors: list[sp.Expr], limits: list[Limit], ranges: Mapping[sp.Basic, tuple[sp.Expr, sp.Expr]]) -> None:
    r""":math:`\sum_{a=lo}^{hi} \delta_{ab}\, g(a) = g(b)` for every delta factor with a summed side
    ``a`` whose other side ``b`` surely lies in ``lo..hi`` (another summed index over the same range,
    or a free index whose range is that range), in place."""
    for _ in range(len(limits)):
        found = None
        for pos, f in enumerate(factors):
            if not isinstance(f, sp.KroneckerDelta):
                continue
            for a, b in (f.args, f.args[::-1]):
                lim = next((lim for lim in limits if lim[0] == a), None)
                other = next(((lo, hi) for v, lo, hi in limits if v == b), ranges.get(b))
                if lim is not None and other == (lim[1], lim[2]):
                    found = (pos, lim, b)
                    break
            if found:
                break
        if found is None:
            return
        pos, lim, b = found
        del factors[pos]
        limits.remove(lim)
        factors[:] = [x.xreplace({lim[0]: b}) for x in factors]


def _terms(e: sp.Expr, depth: int, fresh: count[int], ranges: dict[sp.Basic, tuple[sp.Expr, sp.Expr]]) -> list[Term]:
    """``e`` as a list of terms, each a product of factors under a list of summation limits."""
    if isinstance(e, sp.Add):
        out = [t for a in e.args for t in _terms(a, depth, fresh, ranges)]
    elif isinstance(e, sp.Mul):
        out = _times([_terms(a, depth, fresh, ranges) for a in e.args])
    elif isinstance(e, sp.Sum) and _independent(e):
        renames = {lim[0]: sp.Dummy("s", integer=True, positive=True) for lim in e.limits}
        limits = [(renames[v], lo, hi) for v, lo, hi in e.limits]
        inner = {**ranges, **{v: (lo, hi) for v, lo, hi in limits}}  # for the sums inside functions
        out = [(f, [*lim, *limits]) for f, lim in _terms(e.function.xreplace(renames), depth, fresh, inner)]
    elif isinstance(e, sp.Pow) and e.exp.is_Integer and 1 < e.exp <= 4 and e.base.has(sp.Sum):
        out = _times([_terms(e.base, depth, fresh, ranges) for _ in range(int(e.exp))])
    else:
        out = [([_atom(e, depth, ranges)], [])]
    if len(out) > MAX_TERMS:
        raise _TooLarge
    return out


def _times(groups: list[list[Term]]) -> list[Term]:
    """The product of sums of terms, distributed (bound indices renamed apart in each copy)."""
    size = 1
    for g in groups:
        size *= len(g)
    if size > MAX_TERMS:
        raise _TooLarge
    out: list[Term] = []
    for choice in product(*groups):
        factors: list[sp.Expr] = []
        limits: list[tuple[sp.Symbol, sp.Expr, sp.Expr]] = []
        for f, lim in choice:
            apart = {v: sp.Dummy("s", integer=True, positive=True) for v, _, _ in lim}
            factors += [x.xreplace(apart) for x in f]
            limits += [(apart[v], lo, hi) for v, lo, hi in lim]
        out.append((factors, limits))
    return out


def _independent(total: sp.Sum) -> bool:
    """The ranges name none of the sum's own indices (so the order of summation may change)."""
    own = {lim[0] for lim in total.limits}
    return not any((lo.free_symbols | hi.free_symbols) & own for _, lo, hi in total.limits)


def _atom(e: sp.Expr, depth: int, ranges: dict[sp.Basic, tuple[sp.Expr, sp.Expr]]) -> sp.Expr:
    """A factor that is not a sum of products: its arguments put in canonical form one level deeper."""
    if not e.args or not e.has(sp.Sum) or isinstance(e, sp.Lambda):
        return e
    args = [_canonical(a, depth + 1, ranges) if isinstance(a, sp.Expr) and a.has(sp.Sum) else a for a in e.args]
    return e.func(*args)


def _close(factors: list[sp.Expr], limits: list[Limit], depth: int, ranges: Ranges) -> sp.Expr:
    """One term: deltas sifted, unused indices counted, the others renamed canonically, the sum rebuilt."""
    factors, limits = list(factors), list(limits)
    _sift(factors, limits, ranges)
    body = sp.Mul(*factors)
    used = []
    for v, lo, hi in limits:
        if v in body.free_symbols:
            used.append((v, lo, hi))
        else:
            body = body * (hi - lo + 1)
    if not used:
        return body
    names = [sp.Symbol(f"s{depth}{chr(97 + k)}", integer=True, positive=True) for k in range(len(used))]

    def renamed(order: tuple[tuple[sp.Symbol, sp.Expr, sp.Expr], ...]) -> sp.Expr:
        return body.xreplace(dict(zip([u[0] for u in order], names, strict=True)))

    orders = permutations(used) if len(used) <= MAX_INDICES else iter([tuple(used)])
    order = min(orders, key=lambda o: sp.sstr(renamed(o)))
    body = renamed(order)
    limits_out = [(name, lo, hi) for name, (_, lo, hi) in zip(names, order, strict=True)]
    number, rest = body.as_coeff_Mul()  # the number outside: exp(-S) exp(S) then cancels
    return number * IndexSum(rest, *limits_out)
