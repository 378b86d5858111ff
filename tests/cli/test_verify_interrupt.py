"""Ctrl-C stops `derive verify --all` within a second, and leaves no worker process."""

from __future__ import annotations

import signal
import subprocess
import sys
import time


def _default_sigint() -> None:
    """In the child: Ctrl-C's default action. A test process may run with SIGINT ignored (a Dask
    cluster in the same pytest worker sets that), and a child inherits an ignored signal."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)  # kept over exec: Python then installs its own handler


def _children(pid: int) -> list[str]:
    out = subprocess.run(["ps", "-eo", "pid,ppid,args"], capture_output=True, text=True, check=True).stdout
    return [line for line in out.splitlines()[1:] if line.split()[1] == str(pid)]


def test_sigint_stops_verify_all_promptly() -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "derive", "verify", "--all", "-j", "2"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=_default_sigint,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and len(_children(proc.pid)) < 2:  # the workers are proving
        time.sleep(0.05)
    time.sleep(2.0)
    children = _children(proc.pid)
    assert children, "no worker processes started"
    sent = time.monotonic()
    proc.send_signal(signal.SIGINT)  # to the parent only, as `kill -INT` does (a terminal signals the group)
    proc.communicate(timeout=30)
    stopped = time.monotonic() - sent
    print(f"stopped {stopped:.2f} s after SIGINT")
    assert stopped < 1.0, f"took {stopped:.1f} s"
    assert proc.returncode != 0
    time.sleep(0.3)
    alive = [c for c in children if subprocess.run(["kill", "-0", c.split()[0]], capture_output=True).returncode == 0]
    assert alive == []
