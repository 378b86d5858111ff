"""Ctrl-C stops `derive book` promptly in both of its phases (proving in worker processes, then
LaTeX in a process group of its own), and leaves no worker, latexmk or pdflatex behind."""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest


def _default_sigint() -> None:
    """In the child: Ctrl-C's default action. A test process may run with SIGINT ignored (a Dask
    cluster in the same pytest worker sets that), and a child inherits an ignored signal."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)  # kept over exec: Python then installs its own handler


def _table() -> list[tuple[int, int, str]]:
    out = subprocess.run(["ps", "-eo", "pid,ppid,args"], capture_output=True, text=True, check=True).stdout
    rows = []
    for line in out.splitlines()[1:]:
        pid, ppid, *args = line.split(maxsplit=2)
        rows.append((int(pid), int(ppid), args[0] if args else ""))
    return rows


def _descendants(pid: int) -> list[tuple[int, str]]:
    """Every process below ``pid`` (children, their children...), as (pid, command line)."""
    table = _table()
    found, frontier = [], {pid}
    while frontier:
        level = [(p, args) for p, pp, args in table if pp in frontier]
        found += level
        frontier = {p for p, _ in level}
    return found


def _alive(pids: list[int]) -> list[int]:
    now = {p for p, _, _ in _table()}
    return [p for p in pids if p in now]


def _interrupt_when(proc: subprocess.Popen[str], ready: str, timeout: float = 120) -> tuple[float, list[int]]:
    """Send SIGINT to the parent once a descendant whose command line contains ``ready`` runs;
    the seconds it took to stop and the descendants seen just before the signal."""
    deadline = time.monotonic() + timeout
    seen: list[tuple[int, str]] = []
    while time.monotonic() < deadline and proc.poll() is None:
        seen = _descendants(proc.pid)
        if any(ready in args for _, args in seen):
            break
        time.sleep(0.02)
    assert any(ready in args for _, args in seen), f"never saw {ready!r} running"
    sent = time.monotonic()
    proc.send_signal(signal.SIGINT)  # the parent only, as `kill -INT` does
    proc.communicate(timeout=30)
    return time.monotonic() - sent, [p for p, _ in seen]


def test_sigint_while_proving_stops_the_book(tmp_path: Path) -> None:
    cmd = [sys.executable, "-m", "derive", "book", "-o", str(tmp_path / "book.pdf"), "-j", "2", "--keep-going"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, preexec_fn=_default_sigint)
    stopped, seen = _interrupt_when(proc, "derive")  # the forked proving workers
    print(f"stopped {stopped:.2f} s after SIGINT while proving")
    assert proc.returncode != 0
    assert stopped < 1.0, f"took {stopped:.1f} s"
    time.sleep(0.3)
    assert _alive(seen) == []
    assert not (tmp_path / "book.pdf").exists()


@pytest.mark.skipif(shutil.which("latexmk") is None, reason="TeX is not installed")
def test_sigint_while_typesetting_leaves_no_pdflatex(tmp_path: Path) -> None:
    cmd = [sys.executable, "-m", "derive", "book", "-o", str(tmp_path / "book.pdf"), "--names", "gelu'", "-j", "1"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, preexec_fn=_default_sigint)
    stopped, seen = _interrupt_when(proc, "latexmk")
    print(f"stopped {stopped:.2f} s after SIGINT while typesetting")
    assert proc.returncode != 0
    assert stopped < 1.0, f"took {stopped:.1f} s"
    time.sleep(0.3)
    assert _alive(seen) == []
    assert not any("pdflatex" in args or "latexmk" in args for _, _, args in _table() if str(tmp_path) in args)
