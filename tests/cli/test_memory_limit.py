"""Under an address-space limit too small to load SymPy, NumPy and SciPy, every command fails at
once with a message that names the limit (it hung for minutes, children stuck importing)."""

from __future__ import annotations

import resource
import subprocess
import sys
import time

import pytest


def _limit(megabytes: int) -> None:
    resource.setrlimit(resource.RLIMIT_AS, (megabytes * 2**20, megabytes * 2**20))


@pytest.mark.parametrize("args", [["verify", "--all"], ["prove", "gelu'"], ["book", "-o", "x.pdf"]])
def test_a_small_memory_limit_fails_fast_and_names_it(args: list[str]) -> None:
    start = time.monotonic()
    out = subprocess.run(
        [sys.executable, "-m", "derive", *args],
        capture_output=True,
        text=True,
        timeout=60,
        preexec_fn=lambda: _limit(300),
    )
    assert out.returncode == 1 and time.monotonic() - start < 20
    assert "limited to 300 MB" in out.stderr and "ulimit -v" in out.stderr


def test_help_works_under_the_limit() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "derive", "--help"],
        capture_output=True,
        text=True,
        timeout=60,
        preexec_fn=lambda: _limit(300),
    )
    assert out.returncode == 0 and "verify" in out.stdout
