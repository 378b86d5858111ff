r"""Question banks: a teacher's own questions in a TOML file, checked strictly on loading.

.. code-block:: toml

    title = "Week 3: lines and sets"          # optional

    [[question]]
    name = "line"                             # how answers and `derive grade` refer to it
    prompt = "Solve 2x - y = -1 for y."
    expected = "y = 2x + 1"
    kind = "equation"                         # optional: inferred from `expected`
    variables = { x = "real", y = "real" }    # optional: domain words (default: every name real)
    hints = { "y = 2x - 1" = "Check the sign of the constant term." }   # named wrong answers

    [[question]]
    name = "pi"
    prompt = "Give pi to 3 significant figures."
    expected = "pi"
    tolerance = "3sf"                         # or 1e-3, "2%", { abs = 0.01, rel = 1e-3 }

Keys of a question: ``name``, ``prompt``, ``expected`` (required); ``kind``, ``variables``,
``tolerance``, ``up_to_constant``, ``latex``, ``hints`` (optional). Anything else, a duplicate
name, a wrong type, an unknown kind, a bad tolerance or an expected answer that is not of its
kind is a :class:`BankError` naming the file, the line and the question. Answers are judged by
``derive.check(name, answer, bank=...)``; a wrong answer equal to one of the ``hints`` gets the
hint in its message (and as its diagnosis).
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import QuestionError
from .kinds import KINDS, choose_kind, tolerance
from .kinds.reading import StructureError

REQUIRED = ("name", "prompt", "expected")
OPTIONAL = ("kind", "variables", "tolerance", "up_to_constant", "latex", "hints")
TOP = ("title", "question")
MAX_QUESTIONS = 10_000
MAX_BYTES = 8 * 2**20
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.'\-]{0,79}")


class BankError(QuestionError):
    """A question bank cannot be used; the message names the file, the line and the fix."""


@dataclass(frozen=True)
class BankQuestion:
    """One question of a bank (see the module docstring for the keys)."""

    name: str
    prompt: str
    expected: str
    kind: str | None = None
    variables: Mapping[str, str] | None = None
    tolerance: Any = None
    up_to_constant: bool = False
    latex: bool = False
    hints: Mapping[str, str] = field(default_factory=dict)

    def options(self) -> dict[str, Any]:
        """The keyword arguments of :func:`derive.equivalent` for this question."""
        return {"kind": self.kind, "tol": self.tolerance, "up_to_constant": self.up_to_constant}


@dataclass(frozen=True)
class Bank:
    """The questions of one file, by name, in file order."""

    path: str
    title: str
    questions: Mapping[str, BankQuestion]

    def __getitem__(self, name: str) -> BankQuestion:
        try:
            return self.questions[name]
        except KeyError:
            import difflib

            close = difflib.get_close_matches(name, list(self.questions), n=3)
            also = (
                f"; did you mean {', '.join(close)}?" if close else f"; it has {', '.join(list(self.questions)[:10])}"
            )
            raise BankError(f"{self.path}: no question named {name!r}{also}") from None

    def __contains__(self, name: object) -> bool:
        return name in self.questions


def load_bank(path: str | Path) -> Bank:
    """Read and validate a TOML question bank (raises :class:`BankError`)."""
    p = Path(path)
    try:
        raw = p.read_bytes()
    except OSError as exc:
        raise BankError(f"{p}: cannot read the question bank ({exc.strerror or exc})") from None
    if len(raw) > MAX_BYTES:
        raise BankError(f"{p}: the file is larger than {MAX_BYTES // 2**20} MB")
    try:
        text = raw.decode("utf-8")
        data = tomllib.loads(text)
    except UnicodeDecodeError as exc:
        raise BankError(f"{p}: not UTF-8 text (byte {exc.start})") from None
    except tomllib.TOMLDecodeError as exc:
        raise BankError(f"{p}: not valid TOML: {exc}") from None
    except RecursionError:
        raise BankError(f"{p}: not valid TOML: arrays or tables nested too deep") from None
    return _bank(str(p), text, data)


def _bank(path: str, text: str, data: dict[str, Any]) -> Bank:
    unknown = sorted(set(data) - set(TOP))
    if unknown:
        raise BankError(
            f"{path}, line {_line(text, unknown[0])}: unknown key {unknown[0]!r} (the file has {', '.join(TOP)})"
        )
    title = data.get("title", "")
    if not isinstance(title, str):
        raise BankError(f"{path}, line {_line(text, 'title')}: title must be text")
    entries = data.get("question", [])
    if not isinstance(entries, list) or not all(isinstance(q, dict) for q in entries):
        raise BankError(f"{path}: write each question as a [[question]] table")
    if not entries:
        raise BankError(f"{path}: no [[question]] tables")
    if len(entries) > MAX_QUESTIONS:
        raise BankError(f"{path}: more than {MAX_QUESTIONS} questions")
    questions: dict[str, BankQuestion] = {}
    for k, entry in enumerate(entries, 1):
        q = _question(path, text, k, entry)
        if q.name in questions:
            raise BankError(f"{path}, line {_line(text, 'name', q.name)}: a second question named {q.name!r}")
        questions[q.name] = q
    return Bank(path, title, questions)


def _line(text: str, key: str, value: str | None = None, after: int = 0) -> int:
    """The 1-based line where ``key`` (with ``value``, if given) is set, from line ``after`` on."""
    pattern = re.compile(
        rf"^\s*[\"']?{re.escape(key)}[\"']?\s*=" + (rf"\s*[\"']{re.escape(value)}[\"']" if value else "")
    )
    lines = text.splitlines()
    for i in range(max(after - 1, 0), len(lines)):
        if pattern.match(lines[i]):
            return i + 1
    return max(after, 1)


def _question_line(text: str, k: int) -> int:
    """The line of the ``k``-th ``[[question]]`` header."""
    seen = 0
    for i, line in enumerate(text.splitlines(), 1):
        if re.match(r"^\s*\[\[\s*question\s*\]\]", line):
            seen += 1
            if seen == k:
                return i
    return 1


def _question(path: str, text: str, k: int, entry: dict[str, Any]) -> BankQuestion:
    start = _question_line(text, k)
    label = f"question {k} ({entry.get('name')!r})" if isinstance(entry.get("name"), str) else f"question {k}"

    def fail(key: str, why: str) -> BankError:
        return BankError(f"{path}, line {_line(text, key, after=start)}, {label}: {why}")

    unknown = sorted(set(entry) - set(REQUIRED) - set(OPTIONAL))
    if unknown:
        raise fail(unknown[0], f"unknown key {unknown[0]!r} (a question has {', '.join(REQUIRED + OPTIONAL)})")
    for key in REQUIRED:
        if not isinstance(entry.get(key), str) or not entry[key].strip():
            raise BankError(f"{path}, line {start}, {label}: {key!r} is required and must be text")
    if not _NAME.fullmatch(entry["name"]):
        raise fail("name", "a name is letters, digits and _ . ' - (at most 80 characters)")
    for key in ("up_to_constant", "latex"):
        if key in entry and not isinstance(entry[key], bool):
            raise fail(key, f"{key} must be true or false")
    variables = _text_table(entry.get("variables"), lambda why: fail("variables", why), "variables")
    hints = _text_table(entry.get("hints"), lambda why: fail("hints", why), "hints") or {}
    tol = entry.get("tolerance")
    try:
        if tol is not None:
            tolerance(tol)
    except ValueError as exc:
        raise fail("tolerance", str(exc)) from None
    try:
        kind = choose_kind(
            entry["expected"], entry.get("kind"), tol, bool(entry.get("up_to_constant")), bool(entry.get("latex"))
        )
        _shape(kind, entry["expected"])
    except (ValueError, StructureError) as exc:
        key = "kind" if "kind" in entry and "unknown answer kind" in str(exc) else "expected"
        raise fail(key, str(exc)) from None
    return BankQuestion(
        name=entry["name"],
        prompt=entry["prompt"].strip(),
        expected=entry["expected"],
        kind=entry.get("kind"),
        variables=variables,
        tolerance=tol,
        up_to_constant=bool(entry.get("up_to_constant", False)),
        latex=bool(entry.get("latex", False)),
        hints=hints,
    )


def _text_table(value: Any, fail: Any, key: str) -> dict[str, str] | None:
    if value is None:
        return None
    if not isinstance(value, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
        raise fail(f'{key} must be a table of text, e.g. {key} = {{ x = "real" }}')
    return dict(value)


def _shape(kind: str, expected: str) -> None:
    """The expected answer has its kind's structure (read at the text level only)."""
    from .kinds.equations import sides
    from .kinds.parts import parts
    from .kinds.sets import elements

    checks = {
        "equation": lambda: sides(expected),
        "set": lambda: elements(expected, ordered=False),
        "list": lambda: elements(expected, ordered=True),
        "tuple": lambda: parts(expected),
    }
    if kind in checks and checks[kind]() is None:
        raise ValueError(f"the expected answer {expected!r} is not of the kind {kind!r} (kinds: {', '.join(KINDS)})")
