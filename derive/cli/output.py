"""Writing graded rows: streamed in input order, atomically, safe to open in a spreadsheet.

:class:`RowWriter` writes each row as soon as every row before it is graded, into a temporary
file beside the output; :meth:`RowWriter.close` renames it onto the output (also on an
interrupt), so the output is never half a file, and rows finished before a Ctrl-C or a SIGTERM
are kept. :func:`resume_count` reads back how many rows an interrupted output holds, for
``derive grade --resume``.
"""

from __future__ import annotations

import csv
import json
import os
import re
import sys
import tempfile
import time
from collections.abc import Sequence
from typing import IO, Any

#: the first characters that make a spreadsheet read a cell as a formula (OWASP, CSV injection)
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")


#: how often written rows reach the file (close, also on an interrupt, writes the rest; a killed
#: run loses at most this much work, which ``--resume`` grades again)
FLUSH_SECONDS = 0.2

#: control characters a cell must not carry raw
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def spreadsheet_safe(value: Any) -> Any:
    """A CSV cell that a spreadsheet shows as text: a leading ``'`` before a formula start (``=HYPERLINK(...)``,
    ``-2+3+cmd|...``), as OWASP advises; lone surrogates (they cannot be UTF-8) and control characters
    other than tab and line breaks (a NUL ends a cell in some readers) written as escapes."""
    if not isinstance(value, str):
        return value
    text = value.encode("utf-8", "backslashreplace").decode("utf-8")
    text = CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _cells(row: dict[str, Any]) -> dict[str, Any]:
    out = dict(row)
    if isinstance(out.get("counterexample"), dict):
        out["counterexample"] = json.dumps(out["counterexample"])
    if out.get("correct") is not None:
        out["correct"] = "true" if out["correct"] else "false"
    if isinstance(out.get("seconds"), float):
        out["seconds"] = f"{out['seconds']:.4f}"
    for key in ("message", "diagnosis"):  # plain text in a spreadsheet: no $\sigma$
        if isinstance(out.get(key), str) and "$" in out[key]:
            from ..render.tex import plain_math

            out[key] = plain_math(out[key])
    return {k: spreadsheet_safe(v) for k, v in out.items()}


class RowWriter:
    """Rows ``0, 1, 2, ...`` written in order as they arrive (in any order) to ``path`` (``None``
    or ``-``: stdout), as CSV with ``columns`` or as JSON Lines; ``append`` continues a file."""

    def __init__(self, path: str | None, fmt: str, columns: Sequence[str], *, append: bool = False) -> None:
        self.path = None if path in (None, "-") else path
        self.fmt, self.columns = fmt, list(columns)
        self.pending: dict[int, dict[str, Any]] = {}
        self.written = 0
        self._flushed = time.monotonic()
        self._temp: str | None = None
        self.stream: IO[str] = sys.stdout
        resumed = append and self.path is not None and os.path.exists(self.path)
        if self.path is not None:
            folder = os.path.dirname(os.path.abspath(self.path))
            fd, self._temp = tempfile.mkstemp(prefix=".graded-", suffix=".partial", dir=folder)
            self.stream = os.fdopen(fd, "w", encoding="utf-8", newline="")
            if resumed:  # the rows graded before the interruption come first, as they were
                with open(self.path, encoding="utf-8", newline="") as old:
                    self.stream.write(old.read())
        self._csv = (
            csv.DictWriter(self.stream, fieldnames=self.columns, extrasaction="ignore") if fmt == "csv" else None
        )
        if self._csv is not None and not resumed:
            self._csv.writeheader()

    def add(self, index: int, row: dict[str, Any]) -> None:
        """Row ``index`` is done: write it and every done row after it that it was holding back."""
        self.pending[index] = row
        while self.written in self.pending:
            self._write(self.pending.pop(self.written))
            self.written += 1
        now = time.monotonic()
        if now - self._flushed >= FLUSH_SECONDS:  # a flush per row cost more than grading a kept answer
            self.stream.flush()
            self._flushed = now

    def _write(self, row: dict[str, Any]) -> None:
        if self._csv is not None:
            self._csv.writerow(_cells(row))
        else:
            self.stream.write(json.dumps(row, default=str) + "\n")

    def close(self) -> None:
        """Finish: the written rows replace the output in one rename (a reader never sees half a file)."""
        if self._temp is None:
            self.stream.flush()
            return
        self.stream.close()
        assert self.path is not None
        os.replace(self._temp, self.path)
        self._temp = None


def resume_count(path: str | None, fmt: str) -> int:
    """How many graded rows ``path`` already holds (0 if there is no such file)."""
    if path in (None, "-") or not os.path.exists(str(path)):
        return 0
    with open(str(path), encoding="utf-8", newline="") as f:
        if fmt == "jsonl":
            return sum(1 for line in f if line.strip())
        return max(sum(1 for _ in csv.reader(f)) - 1, 0)
