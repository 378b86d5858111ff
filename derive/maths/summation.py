r"""SymPy's summation without its searches that cannot succeed.

To close :math:`\sum_{k=a}^{b} f(k)`, SymPy's ``eval_sum_symbolic`` ends with two searches for a
hypergeometric closed form: ``eval_sum_hyper`` and Gosper's algorithm (``gosper_sum``). Both start
from the term ratio :math:`f(k+1)/f(k)` and need it to be a rational function of :math:`k`. When
:math:`f` holds an indexed entry whose index moves with :math:`k` (:math:`x_k`, :math:`W_{k j}`,
:math:`p_{n-k}`), the ratio holds the independent symbols :math:`x_{k+1}` and :math:`x_k`, so it is
not rational and both searches return nothing; on the index-calculus pages they took more than half
of each proof (``hypersimp`` and ``powsimp`` on every term), only to conclude that.

:func:`indexed_sums_fast` answers those two searches "no closed form" at once, for exactly those
terms, and leaves every other path of SymPy's summation as it is (linearity, telescoping, Faulhaber,
geometric terms, Kronecker deltas, explicit short sums): a sum evaluates to the same result with or
without it. Gosper, *Decision procedure for indefinite hypergeometric summation*, PNAS 75 (1978).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import sympy as sp
from sympy.concrete import summations


def moving_index(f: sp.Basic, k: sp.Basic) -> bool:
    """Whether ``f`` holds an indexed entry whose index depends on ``k`` (then the term ratio
    ``f(k+1)/f(k)`` is not a rational function of ``k``)."""
    if not isinstance(f, sp.Basic) or not isinstance(k, sp.Symbol):
        return False
    return any(k in idx.free_symbols for x in f.atoms(sp.Indexed) for idx in x.indices)


def _variable(limits: Any) -> Any:
    return limits[0] if isinstance(limits, tuple | sp.Tuple) and len(limits) == 3 else limits


def _guarded(search: Callable[..., Any]) -> Callable[..., Any]:
    def guarded(f: sp.Basic, limits: Any, *args: Any, **kwargs: Any) -> Any:
        return None if moving_index(f, _variable(limits)) else search(f, limits, *args, **kwargs)

    guarded.__wrapped__ = search  # type: ignore[attr-defined]
    return guarded


@contextmanager
def indexed_sums_fast() -> Iterator[None]:
    """Within the block, SymPy's hypergeometric and Gosper searches return "no closed form" at once
    for a term with a moving index (what they would return after searching). Re-entrant; restores
    SymPy's own functions on exit, also on an exception."""
    hyper, gosper = summations.eval_sum_hyper, summations.gosper_sum
    summations.eval_sum_hyper = _guarded(hyper)
    summations.gosper_sum = _guarded(gosper)
    try:
        yield
    finally:
        summations.eval_sum_hyper, summations.gosper_sum = hyper, gosper
