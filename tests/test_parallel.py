"""The one parallel map behind verify, the book and grading: ordered, one result per item, crash-tolerant."""

from __future__ import annotations

import math
from concurrent.futures import ThreadPoolExecutor

import pytest

from derive.parallel import ordered_map, workers


def _failed(item: float, exc: BaseException) -> str:
    return f"failed {item}: {type(exc).__name__}"


@pytest.mark.parametrize(("jobs", "kind"), [(1, "process"), (2, "process"), (2, "thread")])
def test_results_come_back_in_input_order_errors_included(jobs: int, kind: str) -> None:
    items = [16.0, -1.0, 9.0, 4.0, -4.0, 1.0]
    seen: list[float] = []
    out = ordered_map(math.sqrt, items, on_error=_failed, jobs=jobs, kind=kind, progress=lambda i, _r: seen.append(i))
    assert out == [4.0, "failed -1.0: ValueError", 3.0, 2.0, "failed -4.0: ValueError", 1.0]
    assert sorted(seen) == sorted(items)  # progress once per item, in completion order


def test_a_given_executor_is_used_and_left_open() -> None:
    with ThreadPoolExecutor(2) as pool:
        assert ordered_map(math.sqrt, [1.0, 4.0], on_error=_failed, executor=pool) == [1.0, 2.0]
        assert pool.submit(math.sqrt, 9.0).result() == 3.0  # still usable


def test_an_executor_that_refuses_work_still_gives_one_result_per_item() -> None:
    pool = ThreadPoolExecutor(1)
    pool.shutdown()
    assert ordered_map(math.sqrt, [1.0, 4.0], on_error=_failed, executor=pool) == [
        "failed 1.0: RuntimeError",
        "failed 4.0: RuntimeError",
    ]


def test_workers_defaults_to_the_cores() -> None:
    assert workers(3) == 3 and workers(0) >= 1


def _dies_at_3(item: int) -> int:
    import os
    import time

    if item == 3:
        os._exit(9)  # the worker process dies, as under kill -9 or the OOM killer
    time.sleep(0.05)
    return item * item


def test_a_dying_worker_costs_only_its_own_item() -> None:
    """A dead worker breaks a process pool and every item still in it; they are run again, and
    only the item that kills its worker is reported failed (75 identities: one FAILED, not 65)."""
    out = ordered_map(_dies_at_3, list(range(10)), on_error=_failed, jobs=2, kind="process")
    assert out == [0, 1, 4, "failed 3: BrokenProcessPool", 16, 25, 36, 49, 64, 81]
