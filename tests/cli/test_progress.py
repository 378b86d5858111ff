"""Long runs say how far they are: one line per finished item when stderr is not a terminal, a
bar when it is, and a closing summary with timings."""

from __future__ import annotations

import subprocess
import sys

from derive.cli.progress import Progress


def test_one_line_per_item_off_a_terminal(capsys: object) -> None:
    with Progress(3, "proving", terminal=False) as bar:
        bar.done("a", seconds=0.5)
        bar.done("b", ok=False, seconds=2.0)
        bar.stage("typesetting")
        bar.done("c", seconds=1.0)
    err = capsys.readouterr().err  # type: ignore[attr-defined]
    assert err.splitlines() == ["[1/3] a ok 0.50 s", "[2/3] b FAILED 2.00 s", "typesetting ...", "[3/3] c ok 1.00 s"]
    summary = bar.summary(slowest=2)
    assert summary.startswith("3 done, 1 failed in ") and summary.endswith("slowest: b 2.0 s, c 1.0 s")


def test_quiet_prints_nothing(capsys: object) -> None:
    with Progress(2, "proving", quiet=True, terminal=False) as bar:
        bar.done("a")
        bar.stage("typesetting")
    assert capsys.readouterr().err == ""  # type: ignore[attr-defined]


def test_verify_reports_each_identity_in_a_log() -> None:
    names = ["sigmoid'", "tanh'", "relu'"]
    proc = subprocess.run(
        [sys.executable, "-m", "derive", "verify", *names, "-j", "2"], capture_output=True, text=True, timeout=300
    )
    assert proc.returncode == 0, proc.stderr
    lines = [ln for ln in proc.stderr.splitlines() if ln.startswith("[")]
    assert len(lines) == 3 and {ln.split()[1] for ln in lines} == set(names), proc.stderr
    assert all(ln.split()[2] == "ok" and ln.endswith(" s") for ln in lines)
    assert "3 done, 0 failed in" in proc.stderr


def test_kept_rows_say_so_and_stay_out_of_the_timings(capsys: object) -> None:
    with Progress(2, "proving", terminal=False) as bar:
        bar.done("a", seconds=9.0, kept=True)
        bar.done("b", seconds=1.0)
    assert capsys.readouterr().err.splitlines() == ["[1/2] a ok kept", "[2/2] b ok 1.00 s"]  # type: ignore[attr-defined]
    summary = bar.summary()
    assert summary.startswith("2 done (1 kept from the proof cache), 0 failed in ")
    assert summary.endswith("slowest: b 1.0 s")
