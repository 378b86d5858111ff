r"""Numbers for cross-checks of identities about discrete distributions.

- :func:`distributions` -- random distributions on :math:`n` outcomes (seeded, away from 0);
- :func:`weights` -- the substitution ``{weights[k]: value}`` that puts numbers into a symbolic
  table of :mod:`derive.moves.discrete`;
- :func:`value_at` -- a derived symbolic form (function heads unfolded) at such numbers, in double
  precision, to compare with a direct numpy computation of the definition.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np
import sympy as sp

from ..moves.discrete import Table


def distributions(rng: np.random.Generator, n: int, size: int, *, floor: float = 1e-3) -> np.ndarray:
    """``size`` random distributions on ``n`` outcomes (rows, uniform on the simplex, each entry at
    least ``floor`` so logarithms stay finite)."""
    return rng.dirichlet(np.ones(n), size) * (1 - floor * n) + floor


def weights(table: Table, values: np.ndarray) -> dict[sp.Basic, float]:
    """``{table.weights[k]: values[k - 1]}`` for ``k = 1..n``."""
    return {table.weights[k + 1]: float(v) for k, v in enumerate(values)}


def value_at(expr: sp.Expr, subs: Mapping[sp.Basic, float], unfold: Callable[[sp.Basic], sp.Basic]) -> float:
    """``expr`` with its definitions unfolded and ``subs`` substituted, evaluated at 30 digits and
    returned as a float."""
    e = unfold(expr)
    return float(sp.N(e.xreplace({k: sp.Float(v, 30) for k, v in subs.items()}), 20))
