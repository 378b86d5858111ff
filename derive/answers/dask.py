"""Grading on a Dask cluster: ``derive grade FILE --executor dask://HOST:PORT`` (or ``local``).

Rows travel in batches of at most :data:`BATCH`: one Dask task grades one batch with
:func:`derive.answers.api.grade` on its Dask worker, whose threads drive that process's own warm
pool of killable checking workers (:mod:`derive.answers.pool`: plain subprocesses, so they also
run inside a nanny's daemonic worker process). A per-row task would cost more in scheduling than
a typical answer costs to check (a few ms).

Rows in = rows out, in input order. A Dask worker lost mid-batch costs only its batches: the
scheduler runs them again on another worker (up to ``distributed.scheduler.allowed-failures``
times); a batch that still fails has each of its rows marked ``undecided`` with the reason
(:func:`derive.parallel.ordered_map`'s ``on_error``), never dropped.

Needs the optional extra ``pip install 'derive[dask]'``; nothing here imports Dask until used.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Callable, Iterator, Mapping, Sequence
from functools import partial
from typing import Any

from ..parallel import ordered_map

#: at most this many rows per Dask task (a lost worker costs at most its batches, graded again)
BATCH = 100
#: at least this many batches per Dask thread, so a slow batch does not hold up the end of the run
WAVES = 4

Row = dict[str, Any]
Batch = tuple[int, list[Row]]  # (index of its first row, rows)


def is_client(obj: object) -> bool:
    """Whether ``obj`` is a :class:`dask.distributed.Client` (checked without importing Dask)."""
    return type(obj).__module__.startswith("distributed.") and callable(getattr(obj, "get_executor", None))


def batch_size(rows: int, threads: int) -> int:
    """Rows per task: ``ceil(rows / (WAVES * threads))``, between 1 and :data:`BATCH`."""
    return max(1, min(BATCH, math.ceil(rows / (WAVES * max(threads, 1)))))


def _grade_batch(batch: Batch, grade_rows: Callable[..., list[Row]]) -> list[Row]:
    """One task, on a Dask worker: ``grade_rows(rows, jobs=threads)``, whose threads drive this
    process's warm checking pool (as many checking workers as the Dask worker has threads)."""
    from distributed import get_worker

    try:
        jobs = get_worker().state.nthreads
    except ValueError:  # not in a Dask worker: one checker
        jobs = 1
    graded = grade_rows(batch[1], jobs=jobs)
    if len(graded) != len(batch[1]):  # never a silent loss: the batch's rows get on_error instead
        raise RuntimeError(f"the grader returned {len(graded)} rows for {len(batch[1])}")
    return graded


def _lost_batch(on_error: Callable[[Row, BaseException], Row], batch: Batch, exc: BaseException) -> list[Row]:
    """Each row of a batch that the cluster could not grade (workers lost, scheduler gone), marked."""
    return [on_error(row, exc) for row in batch[1]]


def grade(
    client: Any,
    grade_rows: Callable[..., list[Row]],
    rows: Sequence[Mapping[str, Any]],
    *,
    on_error: Callable[[Row, BaseException], Row],
    progress: Callable[[int], None] | None = None,
    on_row: Callable[[int, Row], None] | None = None,
) -> list[Row]:
    """``grade_rows(rows)`` on the Dask cluster of ``client``, in batches: one output row per input
    row, in input order.

    Args:
        grade_rows: a picklable ``grade_rows(rows, jobs=n) -> rows`` (one out per row, in order),
            run on a Dask worker for each batch, e.g. ``partial(derive.grade, timeout=2.0)``.
        on_error: the row for an input row whose batch the cluster failed on.
        progress: called with the number of rows finished so far, as each batch returns.
        on_row: called with each row's index and its graded row, as each batch returns.
    """
    todo = [dict(r) for r in rows]
    size = batch_size(len(todo), sum(client.nthreads().values()))
    batches: list[Batch] = [(i, todo[i : i + size]) for i in range(0, len(todo), size)]
    done = 0

    def report(batch: Batch, graded: list[Row]) -> None:
        nonlocal done
        done += len(graded)
        for j, row in enumerate(graded):
            if on_row is not None:
                on_row(batch[0] + j, row)
        if progress is not None:
            progress(done)

    results = ordered_map(
        partial(_grade_batch, grade_rows=grade_rows),
        batches,
        on_error=partial(_lost_batch, on_error),
        executor=client.get_executor(pure=False),  # pure=False: two equal rows are two tasks
        progress=report,
    )
    return [row for graded in results for row in graded]


#: the local cluster's dashboard: any free port on this machine only (the default, port 8787 on
#: every interface, may be taken: Dask then warns, and a warning-strict caller fails)
DASHBOARD = "127.0.0.1:0"


@contextlib.contextmanager
def connect(spec: str, workers: int = 0) -> Iterator[Any]:
    """A :class:`dask.distributed.Client` for ``spec``, closed on exit.

    ``dask://HOST:PORT`` (or ``tcp://``): a running scheduler. ``local``: a ``LocalCluster`` of
    ``workers`` processes (0: one per core), one thread each, started for this run and shut down.
    """
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise ImportError("grading on Dask needs the extra: pip install 'derive[dask]'") from None
    if spec == "local":
        from ..parallel import workers as count

        with (
            LocalCluster(
                n_workers=count(workers), threads_per_worker=1, processes=True, dashboard_address=DASHBOARD
            ) as lc,
            Client(lc) as client,
        ):
            yield client
        return
    scheme, sep, address = spec.partition("://")
    if not sep or scheme not in ("dask", "tcp") or not address:
        raise ValueError(f"{spec!r}: give dask://HOST:PORT (a running dask scheduler) or local")
    with Client(f"tcp://{address}") as client:
        yield client
