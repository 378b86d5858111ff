"""`derive grade` under SIGINT and SIGTERM: it stops at once, keeps the rows finished so far, in
order, in the output, leaves no worker behind, and --resume grades the rest."""

from __future__ import annotations

import csv
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROWS = 16
#: an answer that keeps a worker busy until the time limit (1 s here) kills it
SLOW = "sin(exp(1e300))"


def _default_sigint() -> None:
    """In the child: Ctrl-C's default action. A test process may run with SIGINT ignored (a Dask
    cluster in the same pytest worker sets that), and a child inherits an ignored signal."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)  # kept over exec: Python then installs its own handler


def _input(tmp_path: Path) -> Path:
    lines = ["student,identity,answer"] + [f"s{k},gelu',{SLOW if k % 2 else 'Phi(x) + x*phi(x)'}" for k in range(ROWS)]
    path = tmp_path / "answers.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _workers_of(pid: int) -> list[str]:
    out = subprocess.run(["ps", "-eo", "pid,ppid,args"], capture_output=True, text=True, check=True).stdout
    return [line for line in out.splitlines() if "derive.answers.worker" in line and f" {pid} " in f" {line} "]


def _partial_rows(folder: Path) -> int:
    return sum(len(p.read_text(encoding="utf-8").splitlines()) - 1 for p in folder.glob(".graded-*.partial"))


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_an_interrupted_grade_keeps_its_rows_and_resumes(tmp_path: Path, signum: int) -> None:
    source, out = _input(tmp_path), tmp_path / "graded.csv"
    cmd = [sys.executable, "-m", "derive", "grade", str(source), "-o", str(out), "-j", "2", "-q", "--timeout", "1"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, preexec_fn=_default_sigint)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and _partial_rows(tmp_path) < 3:  # some rows graded, most not
        time.sleep(0.02)
    sent = time.monotonic()
    proc.send_signal(signum)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 130, err
    assert time.monotonic() - sent < 5, "stopped too slowly"
    assert "interrupted" in err and "--resume" in err
    assert _workers_of(proc.pid) == []
    kept = _rows(out)
    assert 0 < len(kept) < ROWS and [r["student"] for r in kept] == [f"s{k}" for k in range(len(kept))]
    assert not list(tmp_path.glob(".graded-*.partial"))

    done = subprocess.run([*cmd, "--resume"], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    rows = _rows(out)
    assert [r["student"] for r in rows] == [f"s{k}" for k in range(ROWS)]
    assert all(r["status"] in ("correct", "incorrect", "undecided") for r in rows)
    assert os.path.getsize(out) > 0
