"""Fault injection at the size of a course: `derive grade` on 50,000 rows of which 2% are broken in
every way a spreadsheet export can break them, and two grading runs side by side in one folder.

Every input row yields exactly one output row, in input order; each broken row is ``invalid`` with a
message naming its line; no good row is lost or misgraded; no worker outlives the run."""

from __future__ import annotations

import csv
import random
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROWS = 50_000
GOOD = ("gelu'", "Phi(x) + x*phi(x)")

#: (kind, the raw line after "s<k>,", what its output row must say): 2% of rows in all
FAULTS: tuple[tuple[str, bytes, str], ...] = (
    ("latin-1 byte", "gelu',Phi(x) + caf\xe9".encode("latin-1"), "not UTF-8"),
    ("oversize field", b"gelu'," + b"x+" * 6000 + b"x", "characters"),
    ("formula injection", b'gelu\',"=HYPERLINK(""http://e"",""x"")"', ""),
    ("unreadable answer", b"gelu',x*(", ""),
    ("unknown identity", b"no-such-identity,x", "no-such-identity"),
    ("NUL byte", b"gelu',Phi(x)\x00 + x*phi(x)", ""),
    ("empty answer", b"gelu',", ""),
    ("stray separators", b"gelu',Phi(x),,,,", ""),
)


def _write(path: Path, rows: int, seed: int) -> dict[int, tuple[str, str]]:
    """A CSV of ``rows`` answers; the faulty rows by index, with their kind and expected message part."""
    rng = random.Random(seed)
    lines, faults = [b"student,identity,answer"], {}
    for k in range(rows):
        if rng.random() < 0.02:
            kind, raw, says = FAULTS[rng.randrange(len(FAULTS))]
            faults[k] = (kind, says)
            lines.append(f"s{k},".encode() + raw)
        else:
            lines.append(f"s{k},{GOOD[0]},{GOOD[1]}".encode())
    path.write_bytes(b"\n".join(lines) + b"\n")
    return faults


def _grade(source: Path, out: Path, jobs: int = 2) -> subprocess.Popen[str]:
    cmd = [sys.executable, "-m", "derive", "grade", str(source), "-o", str(out), "-j", str(jobs), "-q"]
    return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def _workers() -> dict[int, int]:
    """Every running checking worker: pid -> parent pid."""
    out = subprocess.run(["ps", "-eo", "pid,ppid,args"], capture_output=True, text=True, check=True).stdout
    return {int(ln.split()[0]): int(ln.split()[1]) for ln in out.splitlines() if "derive.answers.worker" in ln}


def _workers_of(proc: subprocess.Popen[str], timeout: float = 120) -> set[int]:
    """The checking workers ``proc`` started (waiting until it has started them)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and proc.poll() is None:
        mine = {pid for pid, parent in _workers().items() if parent == proc.pid}
        if mine:
            return mine
        time.sleep(0.05)
    raise AssertionError("the grading run started no worker")


def _check(rows: list[dict[str, str]], n: int, faults: dict[int, tuple[str, str]]) -> None:
    assert len(rows) == n, f"{n} rows in, {len(rows)} out"
    assert [r["student"] for r in rows] == [f"s{k}" for k in range(n)], "rows out of order"
    for k, row in enumerate(rows):
        if k not in faults:
            assert row["status"] == "correct", (k, row)
            continue
        kind, says = faults[k]
        assert row["status"] in ("invalid", "incorrect"), (kind, row)
        assert says in row["message"], (kind, row["message"])
        assert not row["answer"].startswith(("=", "+", "-", "@")), (kind, row["answer"])
        assert "\x00" not in row["answer"], (kind, row["answer"])


@pytest.mark.xdist_group("grade-faults")
def test_fifty_thousand_rows_with_two_percent_faults(tmp_path: Path) -> None:
    faults = _write(tmp_path / "answers.csv", ROWS, seed=2026)
    assert 0.015 * ROWS < len(faults) < 0.025 * ROWS
    assert {kind for kind, _ in faults.values()} == {f[0] for f in FAULTS}
    start = time.perf_counter()
    proc = _grade(tmp_path / "answers.csv", tmp_path / "graded.csv")
    workers = _workers_of(proc)
    _, err = proc.communicate(timeout=1800)
    seconds = time.perf_counter() - start
    print(f"{ROWS} rows in {seconds:.1f} s ({ROWS / seconds:.0f} rows/s)")
    assert proc.returncode == 0, err[-2000:]
    _check(_rows(tmp_path / "graded.csv"), ROWS, faults)
    assert not workers & set(_workers()), "a worker outlived the run"


@pytest.mark.xdist_group("grade-faults")
def test_two_runs_side_by_side_write_their_own_outputs(tmp_path: Path) -> None:
    n = 400
    faults = [_write(tmp_path / f"answers{i}.csv", n, seed=i) for i in (1, 2)]
    procs = [_grade(tmp_path / f"answers{i}.csv", tmp_path / f"graded{i}.csv", jobs=1) for i in (1, 2)]
    for proc in procs:
        _, err = proc.communicate(timeout=600)
        assert proc.returncode == 0, err[-2000:]
    for i, fault in zip((1, 2), faults, strict=True):
        _check(_rows(tmp_path / f"graded{i}.csv"), n, fault)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["answers1.csv", "answers2.csv", "graded1.csv", "graded2.csv"]
