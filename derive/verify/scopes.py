r"""Bound variables as fresh dummies, so a free symbol's assumptions never leak into them.

``Integral(|t|, (t, -1, 1))`` written with a ``t`` declared positive elsewhere would be evaluated
as if :math:`t > 0` on :math:`[-1, 1]` (giving 0). Before anything is evaluated, the variable of
every integral, sum, product, limit and substitution is replaced by a dummy that carries only what
its scope implies: real for an integral or a limit, integer for a sum or a product. The dummies are
deterministic (named after the variable, numbered by nesting depth), so two copies of one
expression still compare equal.
"""

from __future__ import annotations

from collections.abc import Mapping

import sympy as sp
from sympy.core.facts import InconsistentAssumptions

from ..maths.domains import Domain
from .sums import always

#: keeps these dummies apart from any other :class:`sympy.Dummy`
_BASE = 7_340_000


def _scope(node: sp.Basic, var: sp.Symbol, depth: int) -> sp.Dummy:
    integer = isinstance(node, sp.Sum | sp.Product)
    facts = {"integer": True} if integer else {"real": True}
    return sp.Dummy(var.name, dummy_index=_BASE + 2 * depth + int(integer), **facts)


def fresh_bound(e: sp.Basic, depth: int = 0) -> sp.Basic:
    """``e`` with every bound variable renamed to a scope dummy (see the module docstring)."""
    if not isinstance(e, sp.Basic) or not e.args:
        return e
    if isinstance(e, sp.Integral | sp.Sum | sp.Product) and all(len(lim) == 3 for lim in e.limits):
        renames: dict[sp.Basic, sp.Basic] = {}
        limits = []
        # innermost first in SymPy; an inner range may name an outer variable, so rename outermost first
        for k, (var, lo, hi) in enumerate(reversed(e.limits)):
            fresh = _scope(e, var, depth + k)
            limits.append((fresh, lo.xreplace(renames), hi.xreplace(renames)))
            renames[var] = fresh
        body = fresh_bound(e.function.xreplace(renames), depth + len(limits))
        return e.func(body, *reversed(limits))
    if isinstance(e, sp.Limit):
        body, var, point, direction = e.args
        fresh = _scope(e, var, depth)
        return sp.Limit(fresh_bound(body.xreplace({var: fresh}), depth + 1), fresh, point, str(direction))
    if not e.has(sp.Integral, sp.Sum, sp.Product, sp.Limit):
        return e
    return e.func(*[fresh_bound(a, depth) for a in e.args])


_FACTS = ("positive", "negative", "nonnegative", "nonpositive", "nonzero", "zero", "integer", "even", "odd", "prime")


def _implied(node: sp.Basic, lo: sp.Basic, hi: sp.Basic, domains: Mapping[sp.Basic, Domain]) -> sp.Dummy | None:
    """A probe carrying what the range ``[lo, hi]`` of ``node``'s variable guarantees, the bounds'
    signs decided by the free symbols' domains."""
    discrete = isinstance(node, sp.Sum | sp.Product)
    facts: dict[str, bool] = {"integer": True} if discrete else {"real": True}
    # an integral or a limit never sees its endpoints (a set of measure zero, a one-sided approach)
    if _sign(lo, domains, strict=True) or (not discrete and _sign(lo, domains, strict=False)):
        facts["positive"] = True
    elif _sign(lo, domains, strict=False):
        facts["nonnegative"] = True
    if _sign(-hi, domains, strict=True) or (not discrete and _sign(-hi, domains, strict=False)):
        facts["negative"] = True
    elif _sign(-hi, domains, strict=False):
        facts["nonpositive"] = True
    try:
        return sp.Dummy("probe", **facts)
    except InconsistentAssumptions:  # an empty range: the variable takes no value, any claim holds
        return None


def _sign(e: sp.Basic, domains: Mapping[sp.Basic, Domain], *, strict: bool) -> bool:
    e = sp.sympify(e)
    known = e.is_extended_positive if strict else e.is_extended_nonnegative
    return bool(known) or (not e.has(sp.oo, -sp.oo) and always(e, strict, domains))


def _ranges(node: sp.Basic) -> list[tuple[sp.Symbol, sp.Basic, sp.Basic]]:
    if isinstance(node, sp.Integral | sp.Sum | sp.Product):
        return [tuple(lim) for lim in node.limits if len(lim) == 3]
    if isinstance(node, sp.Limit):
        _, var, point, direction = node.args
        side = str(direction)
        if point.is_zero:  # the approach decides the sign
            lo, hi = (point, sp.oo) if side == "+" else (-sp.oo, point) if side == "-" else (-sp.oo, sp.oo)
            return [(var, lo, hi)]
        return [(var, point, point)]  # near a nonzero point the variable has the point's sign
    return []


#: a limit is taken over the reals, which gives the limit along integers too when it exists
_REAL_ONLY = ("integer", "even", "odd", "prime")


def leaked_assumption(e: sp.Basic, domains: Mapping[sp.Basic, Domain] | None = None) -> str | None:
    """The first bound variable whose assumptions claim more than its range gives (``t`` positive
    as the variable of an integral over ``[-1, 1]``), described; ``None`` if there is none.

    SymPy applies a symbol's assumptions as the expression is built (``|t|`` becomes ``t``), so
    such an expression may already be wrong: it is refused rather than evaluated."""
    domains = domains or {}
    for node in sp.preorder_traversal(e):
        if not isinstance(node, sp.Basic):
            continue
        for var, lo, hi in _ranges(node):
            probe = _implied(node, lo, hi, domains)
            for fact in _FACTS if probe is not None else ():
                if isinstance(node, sp.Limit) and fact in _REAL_ONLY:
                    continue
                if var.assumptions0.get(fact) is True and getattr(probe, f"is_{fact}") is not True:
                    return (
                        f"the bound variable {var} of {type(node).__name__} is declared {fact}, "
                        f"which its range does not imply: write it with a plain symbol"
                    )
    return None
