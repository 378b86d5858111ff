"""SymPy settings every proof relies on, applied once when the mathematical layer is imported.

SymPy's old assumptions answer a query (``(x*y).is_positive``) by a search over the facts that could
decide it, and shuffle that search's queue with a random generator it never seeds
(``sympy.core.random._assumptions_rng``): the path of a query changes from process to process. With
consistent handlers the answer does not, but its cost does (a shuffle per step: 3% of
``verify --all``), and a handler inconsistent with the inference rules would make a verdict depend on
the run. derive's proofs are reproducible, so the queue keeps SymPy's own order.
"""

from __future__ import annotations

import importlib
from typing import Any

# by module path: ``import sympy.core.assumptions as m`` binds the function ``sympy.core.assumptions``
# (the package attribute shadows the module of the same name), and setting an attribute on it changes nothing
_assumptions: Any = importlib.import_module("sympy.core.assumptions")


def _keep_order(facts: list[Any]) -> None:
    """The queue of facts still to try, left in the order SymPy's inference rules give it."""


_assumptions.shuffle = _keep_order  # the name _ask calls (imported from sympy.core.random)
