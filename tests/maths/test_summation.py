"""SymPy's summation with its futile hypergeometric searches skipped gives SymPy's own results."""

from __future__ import annotations

from typing import Any

import sympy as sp
from sympy.concrete import summations

from derive.maths.summation import indexed_sums_fast, moving_index

k, j, n = sp.symbols("k j n", integer=True, positive=True)
x, W = sp.IndexedBase("x"), sp.IndexedBase("W")
q = sp.Symbol("q", positive=True)

SUMS = [
    sp.Sum(x[k], (k, 1, n)),
    sp.Sum(x[k] * sp.log(x[k]) + k, (k, 1, n)),
    sp.Sum(x[k + 1] - x[k], (k, 1, n)),  # telescopes: x[n+1] - x[1]
    sp.Sum(x[k] * sp.KroneckerDelta(k, j), (k, 1, n)),  # collapses
    sp.Sum(W[j, k] * q**k, (k, 1, n)),
    sp.Sum(x[k], (k, 1, 4)),  # short: written out
    sp.Sum(k**2, (k, 1, n)),  # Faulhaber
    sp.Sum(q**k, (k, 0, n)),  # geometric
    sp.Sum(sp.binomial(n, k), (k, 0, n)),  # hypergeometric: still found
    sp.Sum(x[j] * k, (k, 1, n)),  # an index that does not move
    sp.Sum(x[2 * k + 2] - x[2 * k], (k, 1, n)),  # telescopes through a shift in the index
    sp.Sum(k * x[k] - (k + 1) * x[k + 1], (k, 1, n)),  # telescopes with a moving coefficient
    sp.Sum(x[k] - x[k + 1] / 2, (k, 1, n)),  # does not telescope
    sp.Sum(x[k] * k / (k + 1) + k**2, (k, 1, n)),  # one moving entry: no closed form, at once
    sp.Sum(x[k] * sp.KroneckerDelta(k, j) ** 2, (k, 1, n)),  # a delta: SymPy's own path
    sp.Sum(x[k] * x[k + 2], (k, 1, n)),  # two entries of one base: SymPy's own path
]


def test_the_same_results_as_sympy() -> None:
    plain = [s.doit() for s in SUMS]
    sp.core.cache.clear_cache()
    with indexed_sums_fast():
        fast = [s.doit() for s in SUMS]
    assert fast == plain
    assert plain[2] == x[n + 1] - x[1] and plain[8] == 2**n  # the paths that must survive the guard


def test_the_searches_are_skipped_only_for_moving_indices() -> None:
    assert moving_index(x[k] * k, k) and moving_index(W[j, n - k], k)
    assert not moving_index(x[j] * k, k) and not moving_index(sp.binomial(n, k), k)
    calls: list[sp.Basic] = []
    original = summations.eval_sum_hyper
    summations.eval_sum_hyper = lambda f, limits: calls.append(f) or original(f, limits)
    try:
        with indexed_sums_fast():
            sp.Sum(x[k] * sp.log(x[k]), (k, 1, n)).doit()
            assert not calls  # the moving index: answered at once
            sp.Sum(sp.binomial(n, k) * k, (k, 0, n)).doit()
            assert calls  # a hypergeometric term: searched as before
    finally:
        summations.eval_sum_hyper = original


def test_sympy_is_restored_also_after_an_error() -> None:
    hyper, gosper, doit = summations.eval_sum_hyper, summations.gosper_sum, sp.Sum.doit
    try:
        with indexed_sums_fast(), indexed_sums_fast():
            assert summations.eval_sum_hyper is not hyper and sp.Sum.doit is not doit
            raise ZeroDivisionError
    except ZeroDivisionError:
        pass
    assert summations.eval_sum_hyper is hyper and summations.gosper_sum is gosper and sp.Sum.doit is doit


def test_each_sum_is_evaluated_once_within_the_block() -> None:
    calls: list[sp.Basic] = []
    original = summations.eval_sum

    def counted(f: sp.Basic, limits: Any) -> Any:
        calls.append(f)
        return original(f, limits)

    summations.eval_sum = counted
    try:
        with indexed_sums_fast(), indexed_sums_fast():  # nested: still one memory
            first = sp.Sum(k**2 * x[j], (k, 1, n)).doit()
            again = sp.Sum(k**2 * x[j], (k, 1, n)).doit()
            assert again is first and len(calls) == 1
            assert sp.Sum(k**2 * x[j], (k, 1, n)).doit(deep=False) == first and len(calls) == 2  # other hints
        with indexed_sums_fast():  # a sum of a matrix is immutable (Sum makes it so): shared too
            total = sp.Sum(sp.Matrix([[k, 1]]), (k, 1, 3)).doit()
            assert total == sp.ImmutableMatrix([[6, 3]]) and sp.Sum(sp.Matrix([[k, 1]]), (k, 1, 3)).doit() is total
        before = len(calls)
        sp.Sum(k**2 * x[j], (k, 1, n)).doit()
        assert len(calls) == before + 1  # outside the block: evaluated again (SymPy's doit is back)
    finally:
        summations.eval_sum = original
