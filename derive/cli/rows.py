"""Reading a grading file into rows: one row per input row, whatever the file holds.

A spreadsheet export is untrusted input. Every fault is reported on the row where it is, as
``_error`` (graded ``invalid`` with that message), and never costs another row:

- bytes that are not UTF-8 (a latin-1 ``é``): that row, with the line and the byte;
- a field longer than :data:`MAX_FIELD` characters (Python's csv module stops the whole file at
  131,072): that row;
- an unbalanced quote, which makes a CSV reader swallow the following lines into one field: the
  physical lines are read one by one instead, and the line with the stray quote is reported;
- a missing header (the first line is an answer, not column names): every line is kept and
  reported, the first included;
- a comma left unquoted in an answer: kept in the answer when the answer is the last column,
  reported on its row otherwise (the fields after it cannot be told apart);
- a form tool's export (one column per question, free column names such as ``Q1: gelu'``): each
  column whose header names an identity becomes one row per respondent, with the respondent from
  a column called name, email, student or id;
- JSONL: a line that is not JSON, not an object, nested too deep or holding an integer too long
  to read; lines are split at ``\\n`` only (``str.splitlines`` would also split inside a string
  at U+2028).
"""

from __future__ import annotations

import csv
import json
import sys
from typing import Any

#: the longest field a row may hold (an answer, an expected answer, a variables list)
MAX_FIELD = 10_000
#: a header must name one of these columns
KNOWN_COLUMNS = frozenset({"answer", "identity", "expected", "student", "variables", "format"})

Row = dict[str, Any]


def read_rows(path: str, fmt: str) -> list[Row]:
    """The rows of ``path`` (``-``: stdin) as CSV or JSONL (``auto``: by the file's extension)."""
    data = sys.stdin.buffer.read() if path == "-" else _read_bytes(path)
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    text = data.decode("utf-8", errors="surrogateescape")  # bad bytes kept, and found per row below
    if fmt == "auto":
        fmt = "jsonl" if path.endswith((".jsonl", ".ndjson", ".json")) else "csv"
    return jsonl_rows(text) if fmt == "jsonl" else csv_rows(text)


def _read_bytes(path: str) -> bytes:
    with open(path, "rb") as f:
        return f.read()


# ------------------------------------------------------------------------------ JSONL
def jsonl_rows(text: str) -> list[Row]:
    rows: list[Row] = []
    for n, line in enumerate(text.split("\n"), start=1):
        line = line.rstrip("\r")
        if not line.strip():
            continue
        rows.append(_json_row(n, line))
    return rows


def _json_row(n: int, line: str) -> Row:
    bad = _undecodable(line)
    if bad is not None:
        return _invalid(n, f"line {n} is not UTF-8 ({bad})")
    if len(line) > 4 * MAX_FIELD:
        return _invalid(n, f"line {n} has {len(line)} characters; at most {4 * MAX_FIELD}")
    try:
        obj = json.loads(line)
    except json.JSONDecodeError as exc:
        return _invalid(n, f"line {n} is not JSON: {exc.msg}")
    except (ValueError, RecursionError) as exc:  # an integer over 4,300 digits; arrays nested 100,000 deep
        reason = "nested too deep" if isinstance(exc, RecursionError) else str(exc).split(";")[0]
        return _invalid(n, f"line {n} cannot be read: {reason}")
    if not isinstance(obj, dict):
        return _invalid(n, f"line {n} is not an object")
    return _checked(n, {str(k): v for k, v in obj.items()})


# ------------------------------------------------------------------------------ CSV
def csv_rows(text: str) -> list[Row]:
    previous = csv.field_size_limit(sys.maxsize)  # long fields are reported on their row, not raised
    try:
        return _csv_rows(text)
    finally:
        csv.field_size_limit(previous)


def _csv_rows(text: str) -> list[Row]:
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    if not lines:
        return []
    header = _fields(lines[0].rstrip("\r"))
    columns = [c.strip() for c in header]
    questions = {} if "answer" in {c.lower() for c in columns} else question_columns(columns)
    if not questions and not KNOWN_COLUMNS & {c.lower() for c in columns}:
        message = (
            "the file has no header: its first line must name the columns (answer, and identity or "
            "expected), or name an identity in each question's column (a form's export)"
        )
        return [_invalid(n, message) for n, line in enumerate(lines, start=1) if line.strip()]
    rows: list[Row] = []
    n = 2
    while n <= len(lines):
        record, used = _record(lines, n)
        if record is None:  # a quote left open swallows the lines after it: read this line alone
            rows.append(_row(n, columns, _fields(lines[n - 1].rstrip("\r")), unbalanced=True))
            n += 1
            continue
        if any(f.strip() for f in record):
            rows += _wide(n, columns, record, questions) if questions else [_row(n, columns, record)]
        n += used
    return rows


# ------------------------------------------------------------------------------ a form's export
#: columns that name the person who answered, in a form tool's export
STUDENT_WORDS = ("student", "name", "email", "e-mail", "username", "id")


def question_columns(columns: list[str]) -> dict[int, str]:
    """Columns of a form's export that ask a catalog question: the header names an identity or an
    alias as one of its words (``Q1: gelu'``, ``sigmoid' (derivative)``), by position."""
    from ..core.registry import REGISTRY

    known = {alias: ident.name for ident in REGISTRY for alias in (ident.name, *ident.aliases)}
    found: dict[int, str] = {}
    if any(ch in column for column in columns for ch in "*^+=/"):  # a line of answers, not of names
        return found
    for k, column in enumerate(columns):
        words = [w.strip(".:;()[]{}") for w in column.replace(",", " ").split()]
        names = {known[w] for w in words if w in known}
        if len(names) == 1:
            found[k] = names.pop()
    return found


def _wide(n: int, columns: list[str], record: list[str], questions: dict[int, str]) -> list[Row]:
    """One row per question column of a form's export: who answered, the identity, the answer."""
    who = next((k for k, c in enumerate(columns) if c.lower().strip() in STUDENT_WORDS), None)
    if who is None:
        who = next((k for k, c in enumerate(columns) if any(w in c.lower() for w in STUDENT_WORDS)), None)
    student = record[who] if who is not None and who < len(record) else f"line {n}"
    if len(record) > len(columns):
        message = f"line {n} has {len(record)} fields but the header names {len(columns)}: quote answers with commas"
        return [{"student": student, "identity": name, "answer": "", "_error": message} for name in questions.values()]
    out = []
    for k, name in questions.items():
        answer = record[k] if k < len(record) else ""
        out.append(_checked(n, {"student": student, "identity": name, "column": columns[k], "answer": answer}))
    return out


def _record(lines: list[str], n: int) -> tuple[list[str] | None, int]:
    """The CSV record that starts at line ``n`` and how many lines it spans; ``None`` when a quoted
    field would run on past a line that is itself a complete record (a stray quote)."""
    reader = csv.reader(_LineFeed(lines, n - 1), strict=True)
    try:
        record = next(reader)
    except StopIteration:
        return [], 1
    except csv.Error:
        return None, 1
    used = reader.line_num
    if used > 1 and any(_complete(lines[k].rstrip("\r")) for k in range(n, n - 1 + used)):
        return None, 1
    return record, used


class _LineFeed:
    """The lines from ``start`` on, each with its newline, for ``csv.reader``."""

    def __init__(self, lines: list[str], start: int) -> None:
        self.lines, self.k = lines, start

    def __iter__(self) -> _LineFeed:
        return self

    def __next__(self) -> str:
        if self.k >= len(self.lines):
            raise StopIteration
        self.k += 1
        return self.lines[self.k - 1] + "\n"


def _complete(line: str) -> bool:
    """Whether ``line`` alone is a well-formed record without an unbalanced quote."""
    return line.count('"') % 2 == 0 and "," in line


def _fields(line: str) -> list[str]:
    try:
        return next(csv.reader([line]))
    except (csv.Error, StopIteration):
        return line.split(",")


def _row(n: int, columns: list[str], record: list[str], *, unbalanced: bool = False) -> Row:
    row: Row = {}
    for column, value in zip(columns, record, strict=False):
        row[column] = value
    extra = record[len(columns) :]
    if extra and columns and columns[-1].lower() != "answer":  # the comma's field cannot be told
        message = (
            f"line {n} has {len(record)} fields but the header names {len(columns)}: an answer with a "
            'comma must be quoted ("max(x, 0)")'
        )
        return {**row, "_error": message}
    if extra:  # an unquoted comma in the last column (the answer): keep it in the answer
        row["answer"] = ",".join([row.get("answer") or "", *extra])
    if unbalanced:
        return {**row, "_error": f'line {n} has an unbalanced quote (") and was read on its own'}
    return _checked(n, row)


# ------------------------------------------------------------------------------ both
def _checked(n: int, row: Row) -> Row:
    for key, value in row.items():
        if not isinstance(value, str):
            continue
        bad = _undecodable(value)
        if bad is not None:
            return {
                **row,
                key: value.encode("utf-8", "surrogateescape").decode("latin-1"),
                "_error": f"line {n}: the {key!r} field is not UTF-8 ({bad}); save the file as UTF-8",
            }
        if len(value) > MAX_FIELD:
            return {
                **row,
                key: value[:80] + "...",
                "_error": f"line {n}: the {key!r} field has {len(value)} characters; at most {MAX_FIELD}",
            }
    return row


def _undecodable(text: str) -> str | None:
    for i, ch in enumerate(text):
        if "\udc80" <= ch <= "\udcff":
            return f"byte 0x{ord(ch) - 0xDC00:02X} at character {i + 1}"
    return None


def _invalid(n: int, message: str) -> Row:
    return {"line": n, "answer": None, "_error": message}
