"""Progress of long runs on stderr: a bar on a terminal, one line per finished item otherwise (a CI
log, a pipe, a notebook's ``!derive``), and a closing summary with timings.

    with Progress(75, "proving") as bar:
        ...
        bar.done("gelu'", ok=True, seconds=0.41)    # "[ 3/75] gelu' ok 0.41 s" when not a terminal
"""

from __future__ import annotations

import sys
import time
from types import TracebackType
from typing import Any

import click


class Progress:
    """Reports ``total`` items as they finish (in any order); silent when ``quiet``."""

    def __init__(self, total: int, label: str, *, quiet: bool = False, terminal: bool | None = None) -> None:
        self.total, self.label, self.quiet = total, label, quiet
        self.terminal = sys.stderr.isatty() if terminal is None else terminal
        self.finished = 0
        self.failed: list[str] = []
        self.times: list[tuple[float, str]] = []
        self.kept = 0
        self.start = time.perf_counter()
        self._bar: Any = None

    def __enter__(self) -> Progress:
        if not self.quiet and self.terminal and self.total > 1:
            self._bar = click.progressbar(length=self.total, label=self.label, file=sys.stderr, show_pos=True)
            self._bar.__enter__()
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        if self._bar is not None:
            self._bar.__exit__(kind, exc, tb)

    def done(self, name: str, *, ok: bool = True, seconds: float | None = None, kept: bool = False) -> None:
        """One item finished: a step of the bar, or a line ``[ k/n] name ok 1.23 s`` (``kept``: read from
        the proof cache, ``[ k/n] name ok kept`` and left out of the timings)."""
        self.finished += 1
        self.kept += kept
        if not ok:
            self.failed.append(name)
        if seconds is not None and not kept:
            self.times.append((seconds, name))
        if self.quiet:
            return
        if self._bar is not None:
            self._bar.update(1)
            return
        width = len(str(self.total))
        took = " kept" if kept else "" if seconds is None else f" {seconds:.2f} s"
        verdict = "ok" if ok else "FAILED"
        click.echo(f"[{self.finished:>{width}}/{self.total}] {name} {verdict}{took}", err=True)

    def stage(self, text: str) -> None:
        """A phase that has no items (typesetting the book): one line, so the wait is explained."""
        if not self.quiet:
            click.echo(f"{text} ...", err=True)

    def summary(self, slowest: int = 3) -> str:
        """``75 done, 0 failed in 101.2 s; slowest: a 14.3 s, b 11.7 s, c 9.0 s`` (``75 done (75 kept from
        the proof cache), ...`` when items were read, not run)."""
        wall = time.perf_counter() - self.start
        kept = f" ({self.kept} kept from the proof cache)" if self.kept else ""
        text = f"{self.finished} done{kept}, {len(self.failed)} failed in {wall:.1f} s"
        top = sorted(self.times, reverse=True)[:slowest]
        if top:
            text += "; slowest: " + ", ".join(f"{name} {s:.1f} s" for s, name in top)
        return text
