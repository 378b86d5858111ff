"""Elementary expressions compiled once for the process: the code the independent routes run
hundreds of times per check (under a quadrature, a finite difference, a sum over terms).

:func:`compiled` turns an expression of :data:`COMPILABLE` nodes into an mpmath (or ``math``)
function of its symbols; :func:`entry_slots` first gives each entry ``z[k]`` a symbol of its own,
so a term or an integrand with entries compiles once and each term or point reads its entries.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import sympy as sp

#: the nodes an expression may be made of to be compiled to an mpmath function (same values as
#: :func:`precise.mp_value`, many times faster under a quadrature)
COMPILABLE: tuple[type, ...] = (sp.Add, sp.Mul, sp.Pow, sp.Symbol, sp.Number, sp.NumberSymbol, sp.exp, sp.log)
COMPILABLE += (sp.sin, sp.cos, sp.tanh, sp.erf)


@functools.lru_cache(maxsize=4096)
def compiled(e: sp.Basic, module: str = "mpmath") -> tuple[tuple[sp.Symbol, ...], Callable[..., Any]] | None:
    """``e`` as a function of its symbols when it is made of elementary nodes only
    (:data:`COMPILABLE`; evaluated hundreds of times under a quadrature, a difference or a sum):
    ``module``'s functions (mpmath; ``math`` in double precision; ``numpy`` on arrays of points). Cached
    for the process: every point of every statement check reuses the code (the printed code reads
    ``mp.dps`` when it runs, not when made)."""
    if not (e.free_symbols and all(isinstance(x, COMPILABLE) for x in sp.preorder_traversal(e))):
        return None
    symbols = tuple(sorted(e.free_symbols, key=sp.default_sort_key))
    return symbols, sp.lambdify(symbols, e, modules=module, cse=True)


@functools.lru_cache(maxsize=4096)
def entry_slots(e: sp.Basic) -> tuple[sp.Basic, dict[sp.Dummy, sp.Indexed]]:
    """``e`` with each entry ``z[k]`` replaced by a symbol of its own (one per entry, kept for the
    process), and the entries by symbol: a sum's term or an integrand with entries then compiles
    once, and each term or point reads its entries' values. Do not mutate the mapping."""
    entries = sorted(e.atoms(sp.Indexed), key=sp.default_sort_key) if e.has(sp.Indexed) else []
    if not entries:
        return e, {}
    slots = {_slot(x): x for x in entries}
    return e.xreplace({x: d for d, x in slots.items()}), slots


@functools.lru_cache(maxsize=65536)
def _slot(entry: sp.Indexed) -> sp.Dummy:
    """The symbol standing for ``entry`` in compiled code (no assumptions: the form is kept)."""
    return sp.Dummy("entry")
