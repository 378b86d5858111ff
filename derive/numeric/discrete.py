r"""Numbers for cross-checks of identities about discrete distributions.

- :func:`distributions` -- random distributions on :math:`n` outcomes (seeded, away from 0);
- :func:`weights` -- the substitution ``{weights[k]: value}`` that puts numbers into a symbolic
  table of :mod:`derive.maths.discrete`;
- :func:`value_at` -- a derived symbolic form (function heads unfolded) at such numbers, evaluated at
  30 digits and returned in double precision, to compare with a direct numpy computation of the definition;
- :func:`evaluator` -- the same, lambdified once (for many evaluations).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import mpmath
import numpy as np
import sympy as sp

from ..maths.discrete import Table, written_out
from . import precise
from .compare import numpy_function


def distributions(rng: np.random.Generator, n: int, size: int, *, floor: float = 1e-3) -> np.ndarray:
    """``size`` random distributions on ``n`` outcomes (rows, uniform on the simplex, each entry at
    least ``floor`` so logarithms stay finite)."""
    return rng.dirichlet(np.ones(n), size) * (1 - floor * n) + floor


def weights(table: Table, values: np.ndarray) -> dict[sp.Basic, float]:
    """``{table.weights[k]: values[k - 1]}`` for ``k = 1..n``."""
    return {table.weights[k + 1]: float(v) for k, v in enumerate(values)}


def value_at(expr: sp.Expr, subs: Mapping[sp.Basic, float], unfold: Callable[[sp.Basic], sp.Basic]) -> float:
    """``expr`` with its definitions unfolded and ``subs`` substituted, evaluated at 30 digits
    (:func:`derive.numeric.precise.value`) and returned as a float."""
    e = unfold(expr).xreplace({k: sp.Float(v, 30) for k, v in subs.items()})
    v = precise.value(e, 30)
    if v is None:
        raise ValueError(f"no finite value: {sp.sstr(e)[:200]}")
    return float(mpmath.re(v))


def evaluator(
    expr: sp.Expr, unfold: Callable[[sp.Basic], sp.Basic], sizes: Mapping[sp.Symbol, int] | None = None
) -> Callable[[Mapping[sp.Basic, float]], float]:
    """A fast float evaluator of ``expr`` (definitions unfolded) at table entries: lambdified once,
    then called with ``{weights[k]: value}`` (every indexed entry and free symbol it uses). A symbolic
    size is fixed by ``sizes`` (``{K: 5}``) and its sums are expanded first."""
    e = unfold(expr)
    if sizes:
        e = written_out(e.xreplace({k: sp.Integer(v) for k, v in sizes.items()})).doit()
    entries = sorted(e.atoms(sp.Indexed), key=str)
    labels = {ix.base.label for ix in entries}
    atoms = entries + sorted((s for s in e.free_symbols if isinstance(s, sp.Symbol) and s not in labels), key=str)
    dummies = [sp.Dummy(f"v{j}") for j in range(len(atoms))]
    fn = numpy_function(e.xreplace(dict(zip(atoms, dummies, strict=True))), dummies)

    def at(subs: Mapping[sp.Basic, float]) -> float:
        return float(np.real(fn(*[subs[a] for a in atoms])))

    return at
