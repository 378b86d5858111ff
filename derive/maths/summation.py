r"""SymPy's summation without its searches that cannot succeed.

To close :math:`\sum_{k=a}^{b} f(k)`, SymPy's ``eval_sum_symbolic`` ends with two searches for a
hypergeometric closed form: ``eval_sum_hyper`` and Gosper's algorithm (``gosper_sum``). Both start
from the term ratio :math:`f(k+1)/f(k)` and need it to be a rational function of :math:`k`. When
:math:`f` holds an indexed entry whose index moves with :math:`k` (:math:`x_k`, :math:`W_{k j}`,
:math:`p_{n-k}`), the ratio holds the independent symbols :math:`x_{k+1}` and :math:`x_k`, so it is
not rational and both searches return nothing; on the index-calculus pages they took more than half
of each proof (``hypersimp`` and ``powsimp`` on every term), only to conclude that. Likewise its
telescoping test: when pattern matching finds no shift, it calls ``solve`` for one, which cannot find
a shift hidden in an index either. And a term whose moving entries are all one entry (:math:`x_k`, no
:math:`x_{k+1}` beside it) has no closed form by any of its routes, which SymPy learns only after
trying each (partial fractions, factoring, a retry on the factored form).

:func:`indexed_sums_fast` answers those two searches "no closed form" at once, for exactly those
terms, and leaves every other path of SymPy's summation as it is (linearity, telescoping, Faulhaber,
geometric terms, Kronecker deltas, explicit short sums): a sum evaluates to the same result with or
without it. Within the block each sum is also evaluated once: a chain's links share most of their sums,
and the ladder evaluates both sides of every link (a third of the summation work was repeats).
Gosper, *Decision procedure for indefinite hypergeometric summation*, PNAS 75 (1978).
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


def _shift_by_match(left: sp.Basic, right: sp.Basic, k: sp.Symbol) -> bool:
    """Whether ``-right`` is ``left`` shifted by an integer, found by pattern matching (SymPy's first try)."""
    shift = sp.Wild("shift")
    found = (-right).match(left.subs(k, k + shift))
    if not found or shift not in found:
        return False
    s = found[shift]
    return bool(s.is_Integer) and left.subs(k, k + s) + right == 0


def _telescoping(telescopic: Callable[..., Any]) -> Callable[..., Any]:
    """SymPy's telescoping test, which after pattern matching calls ``solve`` for the shift: for
    indexed terms ``x_{k+m}`` the shift is in the index, which matching finds and ``solve`` cannot."""

    def guarded(left: sp.Basic, right: sp.Basic, limits: Any) -> Any:
        k = limits[0]
        if (moving_index(left, k) or moving_index(right, k)) and not (
            left.is_Add or right.is_Add or _shift_by_match(left, right, k)
        ):
            return None
        return telescopic(left, right, limits)

    guarded.__wrapped__ = telescopic  # type: ignore[attr-defined]
    return guarded


def _may_telescope(f: sp.Basic, k: sp.Symbol) -> bool:
    """Whether two indexed entries of ``f`` of one base could be shifts of each other in ``k`` (``x_k``
    and ``x_{k+1}``): the only way a sum of terms with a moving index closes (by telescoping)."""
    moving: dict[sp.Basic, set[sp.Basic]] = {}
    for x in f.atoms(sp.Indexed):
        if any(k in idx.free_symbols for idx in x.indices):
            moving.setdefault(x.base, set()).add(x)
    return any(len(entries) > 1 for entries in moving.values())


def _symbolic(evaluate: Callable[..., Any]) -> Callable[..., Any]:
    """SymPy's ``eval_sum_symbolic``, answering "no closed form" at once for a term with a moving index
    and no pair of entries that could telescope (nor a Kronecker delta or a piecewise part): each of
    its routes (linearity, Faulhaber, geometric terms, Gosper, hypergeometric terms, residues, a
    factored retry) needs either a term free of the moving entry or a telescoping pair."""

    def guarded(f: sp.Basic, limits: Any) -> Any:
        k = limits[0]
        if moving_index(f, k) and not f.has(sp.KroneckerDelta, sp.Piecewise) and not _may_telescope(f, k):
            return None
        return evaluate(f, limits)

    guarded.__wrapped__ = evaluate  # type: ignore[attr-defined]
    return guarded


def _remembered(doit: Callable[..., Any]) -> Callable[..., Any]:
    """``Sum.doit`` evaluating each sum (with the same hints) once: SymPy's expressions are
    immutable, so the result is reused as it is (a mutable matrix, or a tuple, is computed anew)."""
    if getattr(doit, "remembers", False):  # an enclosing block's: one memory is enough
        return doit
    memory: dict[tuple[sp.Basic, tuple[tuple[str, Any], ...]], sp.Basic] = {}

    def remembered(self: sp.Sum, **hints: Any) -> Any:
        key = (self, tuple(sorted(hints.items())))
        try:
            known = memory.get(key)
        except TypeError:  # an unhashable hint
            return doit(self, **hints)
        if known is None:
            known = doit(self, **hints)
            if isinstance(known, sp.Basic):  # not a mutable matrix, nor a tuple
                memory[key] = known
        return known

    remembered.remembers = True  # type: ignore[attr-defined]
    remembered.__wrapped__ = doit  # type: ignore[attr-defined]
    return remembered


@contextmanager
def indexed_sums_fast() -> Iterator[None]:
    """Within the block, SymPy's hypergeometric and Gosper searches return "no closed form" at once
    for a term with a moving index, its telescoping test does not call ``solve`` for one (what
    they would return after searching), and each sum is evaluated once. Re-entrant; restores
    SymPy's own functions on exit, also on an exception."""
    saved = summations.eval_sum_hyper, summations.gosper_sum, summations.telescopic, summations.eval_sum_symbolic
    saved_doit = sp.Sum.doit
    summations.eval_sum_hyper = _guarded(saved[0])
    summations.gosper_sum = _guarded(saved[1])
    summations.telescopic = _telescoping(saved[2])
    summations.eval_sum_symbolic = _symbolic(saved[3])
    sp.Sum.doit = _remembered(saved_doit)
    try:
        yield
    finally:
        (
            summations.eval_sum_hyper,
            summations.gosper_sum,
            summations.telescopic,
            summations.eval_sum_symbolic,
        ) = saved
        sp.Sum.doit = saved_doit
