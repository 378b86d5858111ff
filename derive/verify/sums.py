r"""The algebra of sums and Kronecker deltas that the ladder uses.

- :func:`index_canonical`: a sum-and-delta expression in a canonical form (constants pulled out,
  separable multiple sums split, indices renamed, :math:`\delta_{ab} f(b)` written :math:`\delta_{ab} f(a)`),
  so that equal sums written differently become one object;
- :func:`align_sum_ranges`: sums of the same summand over ranges that differ by a few terms, split
  so the common part cancels;
- :func:`align_product_ranges`: the same for products, :math:`\prod_{k=a}^{b+1} f(k) = f(b+1)\prod_{k=a}^{b} f(k)`
  (a factor peeled), each product's index renamed canonically;
- :func:`unroll_sums`: sums over concrete ranges written out term by term;
- :func:`decide_conditions`: the case conditions that the variables' bounds decide (``j <= n`` for
  ``j`` in ``[1, n]``), replaced by ``True``/``False``; inside a sum its index lies in the sum's range
  (:func:`enclosing_ranges`, a range that may run backwards excepted).

Every rewrite here is an identity of sums (linearity, renaming a bound index, sifting a delta that
multiplies the summand); the ladder accepts a link only if the rewritten difference is zero.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping

import sympy as sp
from sympy.concrete.expr_with_limits import ExprWithLimits
from sympy.simplify.simplify import factor_sum

from ..maths.domains import Domain
from ..maths.notation import Notation


def index_canonical(e: sp.Expr) -> sp.Expr:
    """``e`` with factors free of a sum's index taken out of it, multiple sums of separable
    products split into products of sums, every sum's index renamed
    canonically (``sum_j f(j)`` and ``sum_k f(k)`` become one object) and each ``delta_ab * f(b)``
    term rewritten as ``delta_ab * f(a)``, then expanded."""
    if not e.has(sp.Sum, sp.KroneckerDelta):
        return e
    pulled = e.replace(lambda x: isinstance(x, sp.Sum), factor_sum)  # constants out of sums
    pulled = pulled.replace(lambda x: isinstance(x, sp.Sum), _split_sum)  # and signs
    pulled = pulled.replace(lambda x: isinstance(x, sp.Sum) and len(x.limits) > 1, _separate)
    pulled = pulled.replace(lambda x: isinstance(x, sp.Sum), factor_sum)  # what the split freed
    renamed = _rename_indices(pulled, 1)
    return sp.expand(sp.Add(*(_sift(term) for term in sp.Add.make_args(sp.expand(renamed)))))


def _sift(term: sp.Expr) -> sp.Expr:
    r"""``delta_ab * f(b)`` as ``delta_ab * f(a)``: true pointwise (where the delta is 1, ``a = b``),
    but only for a delta that *multiplies* the term. A delta anywhere else (``1/(1 + delta)``,
    ``exp(delta)``, an exponent) is left alone: sifting it would prove ``z_j/(1 + delta_ij) =
    delta_ij z_i / 2``."""
    for _ in range(8):  # each pass sifts one delta; the term changes, so look again
        deltas = [f for f in sp.Mul.make_args(term) if isinstance(f, sp.KroneckerDelta)]
        for delta in deltas:
            a, b = delta.args
            rest = term / delta
            bound = {lim[0] for total in rest.atoms(sp.Sum, sp.Product) for lim in total.limits}
            if isinstance(b, sp.Symbol) and b in rest.free_symbols and b not in bound:
                term = delta * rest.xreplace({b: a})
                break
        else:
            return term
    return term


def _separate(total: sp.Sum) -> sp.Expr:
    """``sum_i sum_j f(i) g(j) c`` as ``c (sum_i f(i)) (sum_j g(j))``: a multiple sum of a product
    whose every factor uses at most one index, over ranges that do not mention the other indices."""
    indices = {lim[0] for lim in total.limits}
    if any((lo.free_symbols | hi.free_symbols) & indices for _, lo, hi in total.limits):
        return total
    groups: dict[sp.Symbol, list[sp.Expr]] = {k: [] for k in indices}
    rest: list[sp.Expr] = []
    for factor in sp.Mul.make_args(sp.expand_power_exp(total.function)):  # e^(a+b) as e^a e^b
        used = factor.free_symbols & indices
        if len(used) > 1:
            return total
        (groups[used.pop()] if used else rest).append(factor)
    return sp.Mul(*rest, *(sp.Sum(sp.Mul(*groups[lim[0]]), lim) for lim in total.limits))


UNROLL_TERMS = 2000


def unroll_sums(e: sp.Basic) -> sp.Basic:
    """Sums over concrete integer ranges written out term by term, outermost index first, so a
    triangular ``sum_{i=1}^{3} sum_{k=1}^{i} a_i b_k`` becomes its six terms (``doit`` leaves it)."""
    budget = [UNROLL_TERMS]

    def unroll(total: sp.Sum) -> sp.Basic:
        var, lo, hi = total.limits[-1]
        if not (lo.is_Integer and hi.is_Integer) or hi - lo >= budget[0]:
            return total
        budget[0] -= int(max(hi - lo + 1, 0))
        inner = total.limits[:-1]
        body = sp.Sum(total.function, *inner) if inner else total.function
        return sp.Add(*(body.xreplace({var: sp.Integer(t)}) for t in range(int(lo), int(hi) + 1)))

    for _ in range(8):  # each pass opens one more level of nesting
        if not e.has(sp.Sum):
            break
        opened = e.replace(lambda x: isinstance(x, sp.Sum), unroll)
        if opened == e:
            break
        e = opened
    return e


def align_sum_ranges(e: sp.Expr) -> sp.Expr:
    """Split sums that differ only in how far they run, so the common part cancels.

    ``sum_{k=a}^{b+o} f(k)`` becomes ``sum_{k=a}^{b+m} f(k) + f(b+m+1) + ... + f(b+o)`` where ``m``
    is the smallest offset among the sums of the same ``f`` from the same ``a`` (``b`` symbolic,
    offsets integers), so sum_{k=1}^{t-1} f(k) + f(t) and sum_{k=1}^{t} f(k) meet term by term;
    then the products' ranges alike (:func:`align_product_ranges`).
    """
    e = sp.Add(*[_absorb_into_sum(t) for t in sp.Add.make_args(sp.expand(e))])
    e = sp.expand(e.replace(lambda x: isinstance(x, sp.Sum) and len(x.limits) == 1, _split_sum))
    e = e.replace(lambda x: isinstance(x, sp.Sum) and _short_range(x), lambda x: x.doit())  # sum_{k=t}^{t} f = f(t)
    sums = [x for x in e.atoms(sp.Sum) if len(x.limits) == 1]
    groups: dict[tuple[sp.Basic, ...], list[tuple[sp.Sum, sp.Expr, int]]] = {}
    for total in sums:
        ((k, lo, hi),) = total.limits
        offset = hi.as_coeff_Add()[0] if hi.as_coeff_Add()[0].is_Integer else sp.S.Zero
        base = hi - offset
        canon = sp.Symbol("_k", **k.assumptions0)
        key = (total.function.xreplace({k: canon}), lo, base)
        groups.setdefault(key, []).append((total, base, int(offset)))
    replacements: dict[sp.Basic, sp.Basic] = {}
    for members in groups.values():
        if len(members) < 2:
            continue
        low = min(o for _, _, o in members)
        for total, base, off in members:
            if off == low:
                continue
            ((k, lo, _hi),) = total.limits
            extra = [total.function.xreplace({k: base + j}) for j in range(low + 1, off + 1)]
            replacements[total] = sp.Sum(total.function, (k, lo, base + low)) + sp.Add(*extra)
    e = sp.expand(e.xreplace(replacements)) if replacements else e
    return align_product_ranges(e)  # and the products' ranges alike


def align_product_ranges(e: sp.Expr) -> sp.Expr:
    r"""Split products that differ only in how far they run, so the common part cancels.

    ``prod_{k=a}^{b+o} f(k)`` becomes ``prod_{k=a}^{b+m} f(k) * f(b+m+1) * ... * f(b+o)`` where ``m`` is the
    smallest offset among the products of the same ``f`` from the same ``a`` (``b`` symbolic, offsets
    integers), every product's index renamed canonically, then expanded: so ``f(t) prod_{k=1}^{t-1} f(k)``
    and ``prod_{j=1}^{t} f(j)`` meet. Splitting a range is an identity of products under Karr's convention,
    the one SymPy uses (the ladder guards ranges that may run backwards before it comes here)."""
    products = [x for x in e.atoms(sp.Product) if len(x.limits) == 1]
    if not products:
        return e
    canonical: dict[sp.Basic, sp.Product] = {}
    groups: dict[tuple[sp.Basic, ...], list[tuple[sp.Product, sp.Expr, int]]] = {}
    for total in products:
        ((k, lo, hi),) = total.limits
        canon = sp.Symbol("_p", **k.assumptions0)
        body = total.function.xreplace({k: canon})
        canonical[total] = sp.Product(body, (canon, lo, hi))
        head = hi.as_coeff_Add()[0]
        offset = head if head.is_Integer else sp.S.Zero
        groups.setdefault((body, lo, hi - offset), []).append((canonical[total], hi - offset, int(offset)))
    replacements: dict[sp.Basic, sp.Basic] = {}
    for (body, lo, base), members in groups.items():
        low = min(o for _, _, o in members)
        for total, _, off in members:
            canon = total.limits[0][0]
            extra = [body.xreplace({canon: base + j}) for j in range(low + 1, off + 1)]
            replacements[total] = sp.Mul(sp.Product(body, (canon, lo, base + low)), *extra)
    return sp.expand(e.xreplace(canonical).xreplace(replacements))


def _split_sum(total: sp.Sum) -> sp.Expr:
    """Linearity: ``sum_k (c a(k) + b(k)) = c sum_k a(k) + sum_k b(k)`` with numeric ``c`` outside."""
    parts = []
    for term in sp.Add.make_args(sp.expand(total.function)):
        number, rest = term.as_coeff_Mul()
        parts.append(number * sp.Sum(sp.powsimp(rest), *total.limits))
    return sp.Add(*parts)


def _short_range(total: sp.Sum) -> bool:
    """A sum over a range of a few terms whose count does not depend on any symbol."""
    if len(total.limits) != 1:
        return False
    ((_, lo, hi),) = total.limits
    count = sp.simplify(hi - lo)
    return bool(count.is_Integer and 0 <= count < 8)


def _absorb_into_sum(term: sp.Expr) -> sp.Expr:
    """``c * sum_k f(k)`` as ``sum_k c f(k)`` (powers merged) when ``c`` does not involve ``k``."""
    factors = sp.Mul.make_args(term)
    sums = [f for f in factors if isinstance(f, sp.Sum) and len(f.limits) == 1]
    if len(sums) != 1:
        return term
    (total,) = sums
    number, coefficient = sp.Mul(*[f for f in factors if f is not total]).as_coeff_Mul()
    k = total.limits[0][0]
    if coefficient.has(k):
        return term
    return number * sp.Sum(sp.powsimp(sp.expand(coefficient * total.function)), total.limits[0])


def _rename_indices(e: sp.Basic, depth: int) -> sp.Basic:
    """Rename the indices of each sum by nesting depth (sums are independent scopes). A sum over
    several indices (SymPy flattens nested sums into one) numbers them from the outermost."""
    if isinstance(e, sp.Sum):
        limits = list(e.limits)  # innermost first
        count = len(limits)
        renames = {}
        new_limits = []
        for position, (var, lo, hi) in enumerate(limits):
            canon = sp.Symbol(f"_i{depth + count - 1 - position}", **var.assumptions0)
            renames[var] = canon
            new_limits.append((canon, lo.xreplace(renames), hi.xreplace(renames)))
        inner = _rename_indices(e.function, depth + count)
        return sp.Sum(inner.xreplace(renames), *new_limits)
    if not e.args or not e.has(sp.Sum):
        return e
    return e.func(*[_rename_indices(a, depth) for a in e.args])


def decide_conditions(e: sp.Basic, domains: Mapping[sp.Basic, Domain]) -> sp.Basic:
    r"""Replace each relation in ``e`` that the variables' bounds decide by ``True``/``False``.

    A linear relation ``lhs >= rhs`` holds on the domain when ``lhs - rhs``, with every bounded
    symbol moved to the end of its interval that makes the difference smallest, is still
    nonnegative (``j <= n`` for ``j`` in ``[1, n]``). Inside a sum or product its index also lies in
    :math:`[lo, hi]` when the range cannot run backwards (:func:`enclosing_ranges`):
    :math:`\sum_{l=1}^{n} [l \le n]\, v_l = \sum_{l=1}^{n} v_l`. Relations it cannot decide are kept.
    """
    if not any(isinstance(r, _ORDER) for r in e.atoms(sp.Rel)):
        return e
    return _decide(e, dict(domains))


_ORDER = (sp.Le, sp.Lt, sp.Ge, sp.Gt)


def _decide(e: sp.Basic, domains: dict[sp.Basic, Domain]) -> sp.Basic:
    if isinstance(e, _ORDER):
        gap = e.gts - e.lts  # the relation says gap >= 0 (or > 0)
        strict = isinstance(e, sp.Lt | sp.Gt)
        if always(gap, strict, domains):
            return sp.true
        return sp.false if always(-gap, not strict, domains) else e
    if not e.args or not e.has(*_ORDER):
        return e
    if isinstance(e, sp.Sum | sp.Product):
        body = _decide(e.function, enclosing_ranges(e.limits, domains))
        return e if body == e.function else e.func(body, *e.limits)
    if isinstance(e, ExprWithLimits):  # an integral's variable is another variable than a free one of its name
        inner = {s: dom for s, dom in domains.items() if s not in e.variables}
        body = _decide(e.function, inner)
        return e if body == e.function else e.func(body, *e.limits)
    args = [_decide(a, domains) for a in e.args]
    return e if all(a is b for a, b in zip(args, e.args, strict=True)) else e.func(*args)


def enclosing_ranges(
    limits: tuple[tuple[sp.Basic, ...], ...], domains: Mapping[sp.Basic, Domain]
) -> dict[sp.Basic, Domain]:
    r"""``domains`` inside a sum or product with these ``limits`` (innermost first): each index lies in
    :math:`[lo, hi]` when :math:`hi \ge lo - 1` follows from the domains (and the outer indices' ranges).
    A range that may run backwards gives its index no domain (Karr's convention sums such a range over
    :math:`[hi + 1, lo - 1]`), nor the domain of a free variable of the same name. An empty range gives
    an empty interval: whatever it decides holds vacuously, the sum being 0 (the product 1)."""
    inner = dict(domains)
    for var, low, high in reversed(limits):  # outermost first: inner ranges may name outer indices
        lo, hi = sp.sympify(low), sp.sympify(high)
        own = var in (lo.free_symbols | hi.free_symbols)  # sum_{k=1}^{k}: the bound names the outer k
        if not own and always(sp.expand(hi - lo + 1), False, inner):
            inner[var] = Domain(lo=lo, hi=hi, integer=True)
        else:
            inner.pop(var, None)
    return inner


def _height(s: sp.Basic, domains: Mapping[sp.Basic, Domain], seen: frozenset[sp.Basic] = frozenset()) -> int:
    """How long the chain of bounds from ``s`` is: 0 for a constant interval, ``j`` in ``[1, i]`` with
    ``i`` in ``[1, n]`` and ``n`` in ``[1, 6]`` gives 2 for ``j`` (a cycle of bounds stops the count)."""
    dom = domains.get(s)
    if dom is None or s in seen:
        return 0
    deps = dom.depends_on()
    return 1 + max((_height(t, domains, seen | {s}) for t in deps), default=-1) if deps else 0


def always(gap: sp.Expr, strict: bool, domains: Mapping[sp.Basic, Domain]) -> bool:
    """True if ``gap >= 0`` (``> 0``) at the least favourable ends of the symbols' intervals.

    Each symbol is moved to its worst end in the order of its chain of bounds (``j`` in ``[1, i]``
    before ``i`` in ``[1, n]`` before ``n``), and the ends are followed through the bounds they
    name (``p <= m <= 4`` gives ``p <= 4``): every move keeps a lower bound of ``gap`` at each point
    of the domains, so a nonnegative end proves the relation."""
    worst = gap
    for _ in range(_ROUNDS):  # bounds name other bounded symbols (j <= n, n <= 6): follow them
        changed = False
        order = sorted(worst.free_symbols, key=lambda s: (-_height(s, domains), str(s)))
        for s in order:
            dom = domains.get(s)
            if dom is None or not worst.is_polynomial(s) or sp.degree(worst, s) != 1:
                continue
            slope = worst.coeff(s)
            end = dom.lo if slope.is_positive else dom.hi if slope.is_negative else None
            if end is None:
                continue
            worst = sp.expand(worst.subs(s, sp.sympify(end)))
            changed = True
        if not changed:
            break
    return bool(worst.is_positive) if strict else bool(worst.is_nonnegative)


#: the most rounds of following bounds through other bounds (a cycle of bounds stops here)
_ROUNDS = 12


def standard_ranges(e: sp.Basic, domains: Mapping[sp.Basic, Domain]) -> sp.Basic:
    r"""Sums and products whose range may run backwards on the domains, made empty there.

    SymPy evaluates :math:`\sum_{k=a}^{b}` with :math:`b < a - 1` by Karr's convention
    (:math:`\sum_{k=1}^{-1} 1 = -1`), while a sum over an empty range is 0 (a product 1). The two
    agree when :math:`b \ge a - 1`; where the domains (and the ranges of enclosing indices) do not
    prove that, the sum becomes ``Piecewise((sum, b >= a - 1), (0, True))``, which the case split
    and the numeric test then see honestly."""
    if not e.has(sp.Sum, sp.Product):
        return e
    return _standard(e, dict(domains))


def _standard(e: sp.Basic, domains: dict[sp.Basic, Domain]) -> sp.Basic:
    if isinstance(e, sp.Sum | sp.Product):
        inner = dict(domains)
        limits = list(e.limits)  # innermost first
        doubtful = []
        for var, lo, hi in reversed(limits):  # outermost first: inner ranges may name outer indices
            if not always(sp.expand(hi - lo + 1), False, inner):
                doubtful.append((var, lo, hi))
            inner[var] = Domain(lo=lo, hi=hi, integer=True)
        body = _standard(e.function, inner)
        if not doubtful:
            return e.func(body, *limits)
        empty = sp.S.Zero if isinstance(e, sp.Sum) else sp.S.One
        for var, lo, hi in limits:  # rebuilt innermost first, each doubtful range guarded
            body = e.func(body, (var, lo, hi))
            if (var, lo, hi) in doubtful:
                body = sp.Piecewise((body, sp.Ge(hi - lo, -1)), (empty, True))
        return body
    if not e.args or not e.has(sp.Sum, sp.Product):
        return e
    return e.func(*[_standard(a, domains) for a in e.args])


# ------------------------------------------------------------------------------ nested sums, flattened
#: a term of a flattened sum: the summand (a product) and its limits, outermost last
_Flat = tuple[sp.Expr, tuple[tuple[sp.Symbol, sp.Expr, sp.Expr], ...]]
#: the most indices of one term renamed by trying every order (6! = 720 orders)
MAX_RENAMED = 6


def flat_canonical(e: sp.Expr, domains: Mapping[sp.Basic, Domain] | None = None) -> sp.Expr | None:
    r"""``e`` as a sum of terms :math:`c\sum_{i_1..i_k} t`, every nested sum and product of sums flattened into one
    multiple sum (fresh indices), the summand expanded, each :math:`\delta_{uv}` between two summed indices of the
    same range sifted, and the indices renamed canonically (the least printed form over the renamings that keep each
    index's range): equal sums written in other nestings, orders or index names become one object. Sound for finite
    sums whose ranges do not mention other indices (linearity, Fubini, renaming); ``None`` when ``e`` holds a sum it
    cannot flatten (inside a function, a range depending on another index). With ``domains``, a
    :math:`\delta_{vx}` between a summed :math:`v` and a free :math:`x` is sifted too when the domains put :math:`x`
    inside :math:`v`'s range (:func:`always`)."""
    terms = _flat_terms(e)
    if terms is None:
        return None
    out = []
    for body, limits in terms:
        for mono in sp.Add.make_args(sp.expand(body)):
            out.append(_canonical_term(mono, limits, domains or {}))
    return sp.Add(*out)


def _flat_terms(e: sp.Basic) -> list[_Flat] | None:
    if not e.has(sp.Sum):
        return [(e, ())]
    if isinstance(e, Notation):  # a form written in textbook notation stands for its value
        return _flat_terms(e.doit(deep=False))
    if isinstance(e, sp.Add):
        parts = [_flat_terms(a) for a in e.args]
        return None if any(p is None for p in parts) else [t for p in parts for t in p or ()]
    if isinstance(e, sp.Mul) or (isinstance(e, sp.Pow) and e.exp.is_Integer and 1 < int(e.exp) <= 4):
        out: list[_Flat] = [(sp.S.One, ())]
        for f in e.args if isinstance(e, sp.Mul) else [e.base] * int(e.exp):
            part = _flat_terms(f)
            if part is None:
                return None
            out = [(b1 * b2, l1 + l2) for b1, l1 in out for b2, l2 in part]
        return out
    if isinstance(e, sp.Sum):
        body, limits = e.function, list[tuple[sp.Symbol, sp.Expr, sp.Expr]]()
        for var, lo, hi in e.limits:  # innermost first
            if (lo.free_symbols | hi.free_symbols) & {v for v, _, _ in limits}:
                return None
            fresh = sp.Dummy(var.name, **var.assumptions0)
            body = body.xreplace({var: fresh})
            limits.append((fresh, lo, hi))
        inner = _flat_terms(body)
        bound = {v for v, _, _ in limits} | {v for _, ls in inner or () for v, _, _ in ls}
        if inner is None or any((lo.free_symbols | hi.free_symbols) & bound for _, ls in inner for _, lo, hi in ls):
            return None
        return [(b, ls + tuple(limits)) for b, ls in inner]
    return None


def _canonical_term(
    mono: sp.Expr, limits: tuple[tuple[sp.Symbol, sp.Expr, sp.Expr], ...], domains: Mapping[sp.Basic, Domain]
) -> sp.Expr:
    """One flattened term: deltas between a summed index and an index sure to lie in its range sifted, indices
    renamed canonically."""
    ranges = {v: (lo, hi) for v, lo, hi in limits}

    def inside(x: sp.Basic, v: sp.Basic) -> bool:  # x sure to lie in v's range (x summed: in its own range)
        lo, hi = ranges[v]
        if x in ranges and ranges[x] == (lo, hi):
            return True
        known = enclosing_ranges(((x, *ranges[x]),), domains) if x in ranges else domains
        return isinstance(x, sp.Symbol) and always(x - lo, False, known) and always(hi - x, False, known)

    for _ in range(len(ranges)):
        sift = next(
            (
                (f, v, x)
                for f in sp.Mul.make_args(mono)
                if isinstance(f, sp.KroneckerDelta) and f.args[0] != f.args[1]
                for v, x in (f.args, f.args[::-1])
                if v in ranges and inside(x, v)
            ),
            None,
        )
        if sift is None:
            break
        delta, v, x = sift
        mono = (mono / delta).xreplace({v: x})
        del ranges[v]
    used = [v for v in ranges if v in mono.free_symbols]
    factors = sp.Mul.make_args(mono)
    coeff = sp.Mul(*(f for f in factors if not (f.free_symbols & set(used))))
    body = sp.Mul(*(f for f in factors if f.free_symbols & set(used)))
    count = sp.Mul(*(ranges[v][1] - ranges[v][0] + 1 for v in ranges if v not in used))
    if not used:
        return count * coeff * body
    orders = itertools.permutations(used) if len(used) <= MAX_RENAMED else iter([tuple(used)])
    best: tuple[str, sp.Expr] | None = None
    for order in orders:
        names = {v: sp.Symbol(f"_c{k}", **v.assumptions0) for k, v in enumerate(order)}
        renamed = sp.Sum(body.xreplace(names), *((names[v], *ranges[v]) for v in order))
        key = sp.sstr(renamed)
        if best is None or key < best[0]:
            best = (key, renamed)
    assert best is not None
    return count * coeff * best[1]
