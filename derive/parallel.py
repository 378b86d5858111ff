"""One ordered, crash-tolerant, interruptible parallel map: ``derive verify``, the book and grading.

:func:`ordered_map` applies a function to every item on a pool of worker processes (or threads, or
any :class:`concurrent.futures.Executor`) and returns the results in input order. An item whose call
raises, or whose worker dies, still yields a result: ``on_error(item, exc)``. ``progress(item,
result)`` is called as each item finishes, in completion order. Ctrl-C cancels the work not yet
started and re-raises, so the caller stops promptly.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, Literal, TypeVar

if TYPE_CHECKING:
    from concurrent.futures import Executor, Future

T = TypeVar("T")
R = TypeVar("R")


def workers(jobs: int = 0) -> int:
    """The number of workers for ``jobs`` (0: one per core)."""
    return jobs if jobs > 0 else os.cpu_count() or 1


def ordered_map(
    fn: Callable[[T], R],
    items: Sequence[T],
    *,
    on_error: Callable[[T, BaseException], R],
    jobs: int = 0,
    executor: Executor | None = None,
    kind: Literal["process", "thread"] = "process",
    progress: Callable[[T, R], None] | None = None,
) -> list[R]:
    """``[fn(item) for item in items]`` in parallel, in input order, one result per item.

    Args:
        fn: a picklable function (a module-level function or a ``functools.partial`` of one) when
            it runs in processes.
        on_error: the result for an item whose call raised (or whose worker died).
        jobs: workers of the pool this call makes (0: one per core); with one worker, or one item,
            the items run in this process.
        executor: run on this executor instead (a process pool, Dask, Ray...); it is not shut down.
            A ``dask.distributed.Client`` runs one task per item on its ``get_executor()``.
        kind: the pool this call makes: worker processes, or threads (for work that already runs
            in processes of its own).
        progress: called with each item and its result as it finishes.

    A worker process that dies breaks a process pool and every item still in it: those items are
    run again on a fresh pool, and the ones it breaks again each on a pool of their own, so only
    the item that kills its worker gets ``on_error``.
    """
    n = workers(jobs)
    if callable(getattr(executor, "get_executor", None)):  # a dask.distributed.Client: its Executor face
        executor = executor.get_executor(pure=False)  # type: ignore[union-attr]
    if executor is None and (n == 1 or len(items) <= 1):
        return [_one(fn, item, on_error, progress) for item in items]
    results: dict[int, R] = {}
    todo = list(range(len(items)))
    if executor is not None:
        _round(fn, items, todo, executor, on_error, progress, results, retry=False)
        return [results[i] for i in range(len(items))]
    for isolated in (False, False, True):  # a fresh pool for the lost items, then one pool each
        groups = [[i] for i in todo] if isolated else [todo] if todo else []
        broken: list[int] = []
        for group in groups:
            pool = _pool(kind, min(n, len(group)))
            try:
                broken += _round(fn, items, group, pool, on_error, progress, results, retry=not isolated)
            except BaseException:  # Ctrl-C: stop now, not after the proofs already running
                _stop(pool)
                raise
            pool.shutdown(wait=not broken)
        todo = broken
    return [results[i] for i in range(len(items))]


def _round(
    fn: Callable[[T], R],
    items: Sequence[T],
    indices: list[int],
    pool: Executor,
    on_error: Callable[[T, BaseException], R],
    progress: Callable[[T, R], None] | None,
    results: dict[int, R],
    *,
    retry: bool,
) -> list[int]:
    """Run ``indices`` on ``pool`` into ``results``; the indices lost to a dead worker (when
    ``retry``), to run again. Ctrl-C cancels what has not started and re-raises."""
    # imported here, like the pools: concurrent.futures loads logging and threading, which
    # `derive --help` need not pay for
    from concurrent.futures import as_completed
    from concurrent.futures.process import BrokenProcessPool

    futures: dict[Future[R], int] = {}
    lost: list[int] = []
    try:
        for i in indices:
            try:
                futures[pool.submit(fn, items[i])] = i
            except BrokenProcessPool:
                lost.append(i)
            except Exception as exc:  # the executor refused the item (pickling, shut down): still one result
                results[i] = _finish(items[i], on_error(items[i], exc), progress)
        for fut in as_completed(futures):
            i = futures[fut]
            try:
                value = fut.result()
            except BrokenProcessPool as exc:  # a worker died: this item may be innocent
                if retry:
                    lost.append(i)
                    continue
                value = on_error(items[i], exc)
            except Exception as exc:  # the call raised
                value = on_error(items[i], exc)
            results[i] = _finish(items[i], value, progress)
    except KeyboardInterrupt:
        for fut in futures:
            fut.cancel()
        raise
    if lost and not retry:
        for i in lost:
            results[i] = _finish(items[i], on_error(items[i], RuntimeError("its worker process died")), progress)
        return []
    return sorted(lost)


def _stop(pool: Executor) -> None:
    """Cancel what has not started and kill the worker processes running the rest (a process
    pool's ``shutdown`` would wait for them: a proof can run for many seconds)."""
    running = _processes(pool)  # read first: shutdown() forgets them
    pool.shutdown(wait=False, cancel_futures=True)
    for proc in running:
        with contextlib.suppress(OSError):
            proc.kill()
    for proc in running:  # reap them: the caller may exit at once (``os._exit``), leaving zombies
        with contextlib.suppress(Exception):
            proc.join(1.0)


def _processes(pool: Executor) -> list[Any]:
    found = getattr(pool, "_processes", None)  # ProcessPoolExecutor's own table (no public API before 3.14)
    return list(found.values()) if isinstance(found, dict) else []


def _pool(kind: str, size: int) -> Executor:
    from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

    return ProcessPoolExecutor(max_workers=size) if kind == "process" else ThreadPoolExecutor(max_workers=size)


def _one(
    fn: Callable[[T], R],
    item: T,
    on_error: Callable[[T, BaseException], R],
    progress: Callable[[T, R], None] | None,
) -> R:
    try:
        value = fn(item)
    except Exception as exc:
        value = on_error(item, exc)
    return _finish(item, value, progress)


def _finish(item: T, value: R, progress: Callable[[T, R], None] | None) -> R:
    if progress is not None:
        progress(item, value)
    return value
