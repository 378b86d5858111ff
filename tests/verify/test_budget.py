"""CPU-time budgets: they interrupt SymPy, count CPU not waiting, and never fire where exceptions are discarded."""

from __future__ import annotations

import gc
import sys
import time
import weakref
from collections.abc import Callable

import pytest
import sympy as sp

from derive.errors import BudgetExceeded
from derive.verify.budget import attempt, time_limit


def test_budgets_count_cpu_time_not_waiting() -> None:
    with time_limit(0.5):
        time.sleep(1.0)  # waiting costs no CPU: a loaded machine does not shrink a budget


def test_time_limit_interrupts_sympy() -> None:
    start = time.perf_counter()
    with pytest.raises(BudgetExceeded), time_limit(0.3):
        sp.factorint(2**601 - 1)  # would take minutes
    assert time.perf_counter() - start < 2.0


def _spin(seconds: float) -> None:
    end = time.process_time() + seconds
    while time.process_time() < end:
        pass


class _SlowFinaliser:
    def __del__(self) -> None:
        _spin(0.3)  # the budget runs out in here


def _slow_gc_callback(phase: str, info: dict[str, int]) -> None:
    if phase == "start":
        _spin(0.3)  # the budget runs out in here


def _collect_with_slow_callback() -> None:
    gc.callbacks.append(_slow_gc_callback)
    try:
        gc.collect()
    finally:
        gc.callbacks.remove(_slow_gc_callback)


def _drop_slow_finaliser() -> None:
    obj = _SlowFinaliser()
    del obj


class _Owner:
    pass


def _run_slow_weakref_finalizer() -> None:
    owner = _Owner()
    weakref.finalize(owner, _spin, 0.3)  # SymPy's caches register such finalisers
    del owner


@pytest.mark.parametrize("trigger", [_collect_with_slow_callback, _drop_slow_finaliser, _run_slow_weakref_finalizer])
def test_budget_never_fires_where_exceptions_are_discarded(
    trigger: Callable[[], None], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Python discards an exception raised in a gc callback or a ``__del__`` as 'unraisable'
    (hypothesis installs such a callback, and pytest fails the test); the budget waits for
    ordinary code and fires there."""
    unraisable: list[object] = []
    monkeypatch.setattr(sys, "unraisablehook", unraisable.append)
    with pytest.raises(BudgetExceeded), time_limit(0.05):
        trigger()
        _spin(2.0)
    assert unraisable == []


def test_attempt_returns_none_past_its_budget() -> None:
    assert attempt(lambda: sp.factorint(2**601 - 1), 0.2) is None
    assert attempt(lambda: 1 + 1, 1.0) == 2


def test_attempts_do_not_swallow_an_enclosing_budget() -> None:
    """Work made of many attempts (each would fail fast once the outer budget is gone) stops at
    the outer budget instead of going on with every later attempt failing."""
    done = 0
    start = time.process_time()
    with pytest.raises(BudgetExceeded), time_limit(0.2):
        for _ in range(100):
            attempt(lambda: sp.factorint(2**601 - 1), 1.0)
            done += 1
    assert done <= 1 and time.process_time() - start < 1.0  # not 100 attempts each failing fast
    assert attempt(lambda: 1 + 1, 1.0) == 2  # no budget left armed
