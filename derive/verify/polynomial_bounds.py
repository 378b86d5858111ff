r"""The sign of a polynomial on a bounded interval, decided exactly.

For $P \in \mathbb{Q}[x]$ and $x \in [l, h]$ with $l \le h$ rational, write the square-free
decomposition $P = c\prod_i f_i^{e_i}$ and let $O = \prod_{e_i \text{ odd}} f_i$ (square-free). Away from
the roots of the even part, $\operatorname{sign} P = \operatorname{sign}(cO)$, so by continuity

* $P \ge 0$ on $[l, h]$ iff $O$ has no root in $(l, h)$ and $cO > 0$ at the midpoint (or $l = h$ and $P(l) \ge 0$);
* $P > 0$ on $[l, h]$ iff $P$ has no root in $[l, h]$ and $P(l) > 0$.

Roots are counted by Sturm sequences over $\mathbb{Q}$ (``Poly.count_roots``): every step is exact
rational arithmetic. An open end is treated as closed: for $\ge 0$ that is equivalent (continuity),
for $> 0$ it is sound (it may refuse a true claim, which then falls to the other rungs).
Floats are refused: a decimal coefficient is not an exact number. A claim that fails is refuted at an
exact rational point inside the interval (between two isolated roots), however narrow the window where
it fails: :math:`(x - 1/3)^2 - 10^{-12} \ge 0` fails only within :math:`10^{-6}` of :math:`1/3`, where
random samples rarely fall.
"""

from __future__ import annotations

from collections.abc import Mapping
from itertools import pairwise

import sympy as sp

from ..maths.domains import Domain, exact

METHOD = "sign of a polynomial on an interval, real roots isolated exactly"


def _interval(x: sp.Symbol, domains: Mapping[sp.Symbol, Domain]) -> tuple[sp.Rational, sp.Rational] | None:
    """The closure $[l, h]$ of ``x``'s domain if both ends are rational numbers, else ``None``."""
    dom = domains.get(x)
    if not isinstance(dom, Domain) or dom.lo is None or dom.hi is None:
        return None
    lo, hi = exact(dom.lo), exact(dom.hi)
    if not (isinstance(lo, sp.Rational) and isinstance(hi, sp.Rational)) or lo > hi:
        return None
    return lo, hi


def _rational_poly(e: sp.Expr, domains: Mapping[sp.Symbol, Domain]) -> tuple[sp.Poly, sp.Rational, sp.Rational] | None:
    """``e`` as a polynomial over $\\mathbb{Q}$ in its one free symbol, with that symbol's interval."""
    free = e.free_symbols if isinstance(e, sp.Expr) else set()
    if len(free) != 1:
        return None
    (x,) = free
    box = _interval(x, domains) if isinstance(x, sp.Symbol) else None
    if box is None or e.has(sp.Float) or not e.is_polynomial(x):
        return None
    poly = sp.Poly(sp.expand(e), x)
    if not (poly.domain.is_ZZ or poly.domain.is_QQ):
        return None
    return poly, box[0], box[1]


def _odd_part(poly: sp.Poly) -> tuple[sp.Rational, sp.Poly]:
    """$(c, O)$: the leading constant and the product of the square-free factors of odd multiplicity."""
    c, factors = poly.sqf_list()
    odd = sp.Poly(1, *poly.gens, domain=poly.domain)
    for f, mult in factors:
        if mult % 2 == 1:
            odd = odd * f
    return sp.Rational(c), odd


def decide(
    e: sp.Expr, domains: Mapping[sp.Symbol, Domain], *, strict: bool = False
) -> tuple[bool | None, dict[sp.Symbol, sp.Rational]]:
    """The verdict on ``e >= 0`` (``> 0`` if ``strict``) over the whole interval of its one variable,
    with the point that refutes it: ``(True, {})`` proved; ``(False, {x: t})`` refuted at the rational
    ``t`` strictly inside; ``(None, {})`` when ``e`` is not a rational polynomial in one bounded variable."""
    found = _rational_poly(e, domains)
    if found is None:
        return None, {}
    poly, lo, hi = found
    if poly.is_zero:
        return (None if strict else True), {}
    if strict:
        if poly.count_roots(lo, hi) == 0 and poly.eval(lo) > 0:
            return True, {}
    elif lo == hi:
        if poly.eval(lo) >= 0:
            return True, {}
    else:
        c, odd = _odd_part(poly)
        inside = odd.count_roots(lo, hi) - (odd.eval(lo) == 0) - (odd.eval(hi) == 0)
        if inside == 0 and c * odd.eval((lo + hi) / 2) > 0:
            return True, {}
    point = _point(poly, lo, hi, strict)
    return (None, {}) if point is None else (False, {poly.gens[0]: point})


def polynomial_sign(e: sp.Expr, domains: Mapping[sp.Symbol, Domain], *, strict: bool = False) -> bool | None:
    """The verdict of :func:`decide`."""
    return decide(e, domains, strict=strict)[0]


def witness(e: sp.Expr, domains: Mapping[sp.Symbol, Domain], *, strict: bool = False) -> dict[sp.Symbol, sp.Rational]:
    """The point of :func:`decide` where ``e < 0`` (``e <= 0`` if ``strict``), exactly; ``{}`` if none."""
    return decide(e, domains, strict=strict)[1]


def _point(poly: sp.Poly, lo: sp.Rational, hi: sp.Rational, strict: bool) -> sp.Rational | None:
    """The first rational of ``(lo, hi)`` where ``poly`` is negative (or zero, if ``strict``): the
    candidates are the ends of the roots' isolating intervals (exact roots included) and the midpoints
    between consecutive candidates, one in every interval of constant sign."""
    ends = {lo, hi}
    for (a, b), _ in poly.intervals(inf=lo, sup=hi):
        ends |= {sp.Rational(a), sp.Rational(b)}
    ordered = sorted(ends)
    candidates = ordered + [(u + v) / 2 for u, v in pairwise(ordered)]
    for t in sorted(c for c in candidates if lo < c < hi):
        value = poly.eval(t)
        if value < 0 or (strict and value == 0):
            return t
    return None
