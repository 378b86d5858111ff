"""Grading on a Dask cluster (the optional extra ``derive[dask]``): a ``LocalCluster`` of two worker
processes grades a few thousand rows through :func:`derive.grade` with a ``Client``, through
:func:`derive.answers.dask.grade` and through ``derive grade --executor dask://...``; rows in =
rows out, in order; a Dask worker killed mid-batch costs only its batch, graded again or marked;
no process is left behind."""

from __future__ import annotations

import contextlib
import csv
import gc
import os
import sys
import warnings
from collections.abc import Iterator
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

pytest.importorskip("distributed")

import cloudpickle
import dask
import psutil
from distributed import Client, LocalCluster

import derive
from derive.answers import dask as on_dask
from derive.answers.api import _lost_row
from derive.cli.answers import grade as grade_cmd

pytestmark = pytest.mark.xdist_group("dask")  # one cluster at a time: it takes both cores

cloudpickle.register_pickle_by_value(sys.modules[__name__])  # the workers cannot import this test module

WRONG_EVERY = 97  # every 97th answer misses the constant term


def _rows(n: int) -> list[dict[str, str]]:
    """Cheap answers: identical rewrites of the expected answer, and a few wrong ones."""
    return [
        {
            "student": f"s{i}",
            "expected": "x^2 + 1",
            "variables": "x=real",
            "answer": "x^2" if i % WRONG_EVERY == 0 else ("x^2 + 1" if i % 2 else "1 + x*x"),
        }
        for i in range(n)
    ]


def _assert_graded(rows: list[dict[str, Any]], out: list[dict[str, Any]]) -> None:
    assert len(out) == len(rows)
    assert [r["student"] for r in out] == [r["student"] for r in rows]
    want = ["incorrect" if int(r["student"][1:]) % WRONG_EVERY == 0 else "correct" for r in rows]
    assert [r["status"] for r in out] == want


#: checking workers seen in the Dask workers (some die with their Dask worker): none may outlive the cluster
CHECKERS: list[int] = []


@pytest.fixture(scope="module")
def client() -> Iterator[Client]:
    before = {p.pid for p in psutil.Process().children(recursive=True)}
    with (
        dask.config.set({"distributed.scheduler.allowed-failures": 1, "distributed.comm.timeouts.connect": "120s"}),
        LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address="127.0.0.1:0") as cluster,
        Client(cluster) as c,
    ):
        yield c
        ours = [p for p in psutil.Process().children(recursive=True) if p.pid not in before and not _tracker(p)]
    assert len(ours) >= 2  # the Dask worker processes (and their checkers) were seen
    left = psutil.wait_procs([p for p in map(_process, {*CHECKERS, *(p.pid for p in ours)}) if p], timeout=10)[1]
    assert not left, f"left behind: {left}"
    with warnings.catch_warnings():  # the closed cluster's sockets, collected here rather than in a later test
        warnings.simplefilter("ignore", ResourceWarning)
        gc.collect()


def _checker_pids() -> list[int]:
    """The live checking workers of this Dask worker."""
    from derive.answers.pool import default_pool

    return [w.proc.pid for w in default_pool()._all if w.alive]


def _tracker(p: psutil.Process) -> bool:
    """multiprocessing's resource tracker: one per interpreter, it ends with this one."""
    with contextlib.suppress(psutil.Error):
        return any("resource_tracker" in part for part in p.cmdline())
    return False


def _process(pid: int) -> psutil.Process | None:
    try:
        p = psutil.Process(pid)
        return None if p.status() == psutil.STATUS_ZOMBIE else p
    except psutil.NoSuchProcess:
        return None


def test_grade_on_dask_in_batches_keeps_every_row_in_order(client: Client) -> None:
    rows = _rows(1500)
    seen: dict[int, str] = {}
    done: list[int] = []
    grader = partial(derive.grade, timeout=5.0)
    out = on_dask.grade(
        client,
        grader,
        rows,
        on_error=_lost_row,
        progress=done.append,
        on_row=lambda i, r: seen.setdefault(i, r["student"]),
    )
    _assert_graded(rows, out)
    assert seen == {i: r["student"] for i, r in enumerate(rows)} and done[-1] == len(rows)
    CHECKERS.extend(pid for pids in client.run(_checker_pids).values() for pid in pids)
    assert len(CHECKERS) == 2  # one warm checking worker in each Dask worker (one thread each)


def test_derive_grade_takes_a_dask_client(client: Client) -> None:
    rows = _rows(200)  # one task per row: the batched path above is the fast one
    _assert_graded(rows, derive.grade(rows, executor=client, timeout=5.0))


def test_cli_grade_on_dask(client: Client, tmp_path: Path) -> None:
    rows = _rows(1000)
    src, dst = tmp_path / "answers.csv", tmp_path / "graded.csv"
    with src.open("w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    address = client.scheduler.address.replace("tcp://", "dask://")
    result = CliRunner().invoke(grade_cmd, [str(src), "-o", str(dst), "--executor", address, "--timeout", "5"])
    assert result.exit_code == 0, result.output
    with dst.open(newline="") as f:
        _assert_graded(rows, list(csv.DictReader(f)))
    assert "1000 answers" in result.output


def _dies_on(flag: Path, rows: list[dict[str, Any]], jobs: int = 1) -> list[dict[str, Any]]:
    """Grades a batch, but kills its Dask worker on a row marked ``die`` (``once``: the first time)."""
    for r in rows:
        if r.get("die") == "always" or (r.get("die") == "once" and not flag.exists()):
            flag.touch()
            os._exit(1)
    return derive.grade(rows, jobs=jobs, timeout=5.0)


def test_a_lost_worker_costs_only_its_batch(client: Client, tmp_path: Path) -> None:
    rows = _rows(40)
    rows[5]["die"] = "once"  # its batch is graded again on a fresh worker
    out = on_dask.grade(client, partial(_dies_on, tmp_path / "died"), rows, on_error=_lost_row)
    _assert_graded(rows, out)

    rows[5]["die"], rows[35]["die"] = "", "always"  # kills two workers (allowed-failures is 1): marked
    out = on_dask.grade(client, partial(_dies_on, tmp_path / "died"), rows, on_error=_lost_row)
    size = on_dask.batch_size(len(rows), 2)
    marked = {i for i, r in enumerate(out) if r["status"] == "undecided" and "KilledWorker" in r["message"]}
    # the killer's batch is marked; a batch that sat on the dying workers may share its fate, whole
    assert set(range(35 // size * size, 40)) <= marked and all(i - i % size in marked for i in marked)
    kept = [i for i in range(len(rows)) if i not in marked]
    _assert_graded([rows[i] for i in kept], [out[i] for i in kept])


def test_executor_spec_is_checked(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="dask://HOST:PORT"), on_dask.connect("http://nowhere:1"):
        pass
    src = tmp_path / "answers.csv"
    src.write_text("student,identity,answer\na,gelu',x\n")
    result = CliRunner().invoke(grade_cmd, [str(src), "--executor", "scheduler:8786"])
    assert result.exit_code == 2 and "dask://HOST:PORT" in result.output
