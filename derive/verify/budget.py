"""Time budgets for SymPy work.

SymPy cannot be interrupted from another thread, but it is pure Python, so a signal timer in the
main thread interrupts it between bytecodes. :func:`time_limit` arms such a timer (nesting keeps
the tighter deadline). Budgets count the process's CPU time (``ITIMER_PROF``), not wall time, so
a proof verified symbolically on an idle machine is verified the same way on a loaded one.
Off the main thread, or on platforms without ``setitimer``, the budget is advisory only: callers
there must rely on cheap operations, and untrusted work must run in a worker process that can be
killed on a wall-clock limit (see :mod:`derive.answers.pool`).
"""

from __future__ import annotations

import gc
import signal
import threading
import time
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType
from typing import TypeVar

from ..errors import BudgetExceeded

T = TypeVar("T")

_deadlines: list[float] = []


_SIGNAL = getattr(signal, "SIGPROF", None)
_TIMER = getattr(signal, "ITIMER_PROF", None)


def cpu_time() -> float:
    """The clock budgets are measured on: CPU seconds of this process."""
    return time.process_time()


def _timer() -> tuple[int, int] | None:
    """The signal and interval timer that interrupt this thread (``None`` off the main thread or
    on a platform without ``setitimer``)."""
    if _SIGNAL is None or _TIMER is None or threading.current_thread() is not threading.main_thread():
        return None
    return _SIGNAL, _TIMER


_RETRY = 0.01  # seconds of CPU time before a deferred alarm fires again
_WEAKREF = weakref.__file__


def _in_discarding_context(frame: FrameType | None) -> bool:
    """Whether ``frame`` runs where a raised exception is discarded, not propagated.

    Python prints and drops an exception raised in a ``__del__`` or in a ``gc.callbacks``
    function (pytest then fails the test with ``PytestUnraisableExceptionWarning``), so the
    budget's exception must not be raised there.
    """
    callbacks = {getattr(cb, "__code__", None) for cb in gc.callbacks}
    while frame is not None:
        code = frame.f_code
        if code.co_name == "__del__" or code in callbacks or code.co_filename == _WEAKREF:
            return True  # weakref.finalize runs its callbacks where exceptions are discarded too
        frame = frame.f_back
    return False


def _on_alarm(signum: int, frame: FrameType | None) -> None:
    # re-arm first: if the exception is deferred (or swallowed by a context we failed to
    # recognise) the budget must still end the work a moment later, in ordinary code
    if _TIMER is not None:
        signal.setitimer(_TIMER, _RETRY)
    if _in_discarding_context(frame):
        return
    raise BudgetExceeded("time budget exceeded")


@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Raise :class:`BudgetExceeded` in the block if it runs longer than ``seconds``."""
    if seconds <= 0:
        raise BudgetExceeded("no time left in the budget")
    timer = _timer()
    if timer is None:
        yield
        return
    signum, which = timer
    deadline = cpu_time() + seconds
    outer = _deadlines[-1] if _deadlines else None
    effective = min(deadline, outer) if outer is not None else deadline
    previous = signal.signal(signum, _on_alarm)
    _deadlines.append(effective)
    signal.setitimer(which, max(effective - cpu_time(), 1e-4))
    try:
        yield
    finally:
        signal.setitimer(which, 0)
        _deadlines.pop()
        signal.signal(signum, previous)
        if _deadlines:  # re-arm the enclosing budget
            # an expired outer budget fires at once, in the outer block, not swallowed here
            signal.setitimer(which, max(_deadlines[-1] - cpu_time(), 1e-4))


def enclosing_expired() -> bool:
    """Whether the budget enclosing the current block has run out (within one retry interval: the
    profiling timer can fire a clock tick before ``process_time`` reaches the deadline)."""
    return bool(_deadlines) and cpu_time() >= _deadlines[-1] - _RETRY


def attempt(fn: Callable[[], T], seconds: float) -> T | None:
    """Run ``fn`` under a budget; return ``None`` if it ran out of time or raised.

    An enclosing budget that ran out meanwhile is not this attempt's to swallow: it raises
    :class:`BudgetExceeded` (otherwise work made of many attempts would outlive its budget,
    each attempt failing fast and the caller going on with the next)."""
    try:
        with time_limit(seconds):
            return fn()
    except Exception:  # out of time, too deep, out of memory, or a SymPy routine failing on an exotic input
        pass
    if enclosing_expired():
        raise BudgetExceeded("time budget exceeded")
    return None
