"""SymPy settings every proof relies on, applied once when the mathematical layer is imported.

SymPy's old assumptions answer a query (``(x*y).is_positive``) by a search over the facts that could
decide it, and shuffle that search's queue with a random generator it never seeds
(``sympy.core.random._assumptions_rng``): the path of a query changes from process to process. With
consistent handlers the answer does not, but its cost does (a shuffle per step; without it the
catalog proved in one process took 66–71 s of CPU instead of 76 s), and a handler inconsistent with
the inference rules would make a verdict depend on the run. derive's proofs are reproducible, so the
queue keeps SymPy's own order.

Each indexed symbol ``w[i, j]`` gets the knowledge base its assumptions deduce, deduced once per set of
assumptions instead of once per object (the same facts, a copy each).
"""

from __future__ import annotations

import importlib
from typing import Any

from sympy.core.logic import fuzzy_bool
from sympy.tensor.indexed import IndexedBase

# by module path: ``import sympy.core.assumptions as m`` binds the function ``sympy.core.assumptions``
# (the package attribute shadows the module of the same name), and setting an attribute on it changes nothing
_assumptions: Any = importlib.import_module("sympy.core.assumptions")
StdFactKB: Any = _assumptions.StdFactKB


def _keep_order(facts: list[Any]) -> None:
    """The queue of facts still to try, left in the order SymPy's inference rules give it."""


_assumptions.shuffle = _keep_order  # the name _ask calls (imported from sympy.core.random)


# -- the facts of an indexed symbol, deduced once per set of assumptions ------------------------------
#: the knowledge base of each set of assumptions an ``Indexed`` or ``IndexedBase`` was built with
_INDEXED_FACTS: dict[frozenset[tuple[str, Any]], Any] = {}


def _set_indexed_assumptions(obj: Any, assumptions: dict[str, Any]) -> None:
    """SymPy's ``IndexedBase._set_assumptions``, with the deduction done once per set of assumptions.

    SymPy builds every ``w[i, j]`` (each ``xreplace`` or ``subs`` through a sum rebuilds it) with a
    fresh knowledge base, deducing all facts of its base's assumptions again (4% of a profile of ``verify --all``).
    The facts follow from the assumptions alone (``Indexed`` has no handlers of its own), so each object
    gets a copy of the knowledge base deduced the first time (its own dict: queries add to it)."""
    key = frozenset(assumptions.items())
    known = _INDEXED_FACTS.get(key)
    if known is None:
        generator = dict(assumptions)
        known = StdFactKB({**assumptions, "commutative": fuzzy_bool(assumptions.get("commutative", True))})
        known._generator = generator  # SymPy issue 8873: the assumptions as given
        _INDEXED_FACTS[key] = known
    facts = StdFactKB()
    facts.update(known)
    facts._generator = known._generator
    obj._assumptions = facts


IndexedBase._set_assumptions = staticmethod(_set_indexed_assumptions)
