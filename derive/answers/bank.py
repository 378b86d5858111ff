r"""Question banks: a teacher's own questions in a TOML or YAML file, checked strictly on loading.

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

The same bank in YAML (a file ending ``.yaml`` or ``.yml``; read with ``yaml.safe_load``'s
loader, so no tag builds a Python object, and refused if its aliases expand to more than
:data:`MAX_YAML_NODES` nodes or nest deeper than :data:`MAX_YAML_DEPTH`):

.. code-block:: yaml

    title: "Week 3: lines and sets"
    question:
      - name: line
        prompt: Solve 2x - y = -1 for y.
        expected: "y = 2x + 1"
        variables: { x: real, y: real }
        hints: { "y = 2x - 1": Check the sign of the constant term. }

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
#: the most nodes a YAML bank may hold once its aliases are expanded (a "billion laughs" has 10^9)
MAX_YAML_NODES = 500_000
#: the deepest nesting of a YAML bank (a question is three levels deep)
MAX_YAML_DEPTH = 64
YAML_SUFFIXES = (".yaml", ".yml")
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


@dataclass(frozen=True)
class _Syntax:
    """How a format writes keys and questions: for messages that name a line and the fix."""

    assign: str  # "=" (TOML) or ":" (YAML)
    each: str  # how to write a question
    none: str  # the complaint for a bank without questions
    starts: tuple[int, ...]  # the 1-based line where each question starts


def load_bank(path: str | Path) -> Bank:
    """Read and validate a TOML or YAML (``.yaml``, ``.yml``) question bank (raises :class:`BankError`)."""
    p = Path(path)
    try:
        raw = p.read_bytes()
    except OSError as exc:
        raise BankError(f"{p}: cannot read the question bank ({exc.strerror or exc})") from None
    if len(raw) > MAX_BYTES:
        raise BankError(f"{p}: the file is larger than {MAX_BYTES // 2**20} MB")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BankError(f"{p}: not UTF-8 text (byte {exc.start})") from None
    if p.suffix.lower() in YAML_SUFFIXES:
        data, syntax = _load_yaml(str(p), text)
    else:
        data, syntax = _load_toml(str(p), text)
    return _bank(str(p), text, data, syntax)


def _load_toml(path: str, text: str) -> tuple[dict[str, Any], _Syntax]:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise BankError(f"{path}: not valid TOML: {exc}") from None
    except RecursionError:
        raise BankError(f"{path}: not valid TOML: arrays or tables nested too deep") from None
    starts = [i for i, line in enumerate(text.splitlines(), 1) if re.match(r"^\s*\[\[\s*question\s*\]\]", line)]
    return data, _Syntax("=", "[[question]] table", "[[question]] tables", tuple(starts))


def _load_yaml(path: str, text: str) -> tuple[dict[str, Any], _Syntax]:
    """The YAML document, composed first (no object built) and refused if it is too large once its
    aliases are expanded, then constructed by the safe constructor (plain data only)."""
    import yaml  # type: ignore[import-untyped]  # no stubs (types-PyYAML is not a dependency)

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)(text)
    try:
        node = loader.get_single_node()
        if node is not None:
            _check_yaml_size(path, node)
        data = loader.construct_document(node) if node is not None else None
    except yaml.YAMLError as exc:
        raise BankError(f"{path}: not valid YAML: {' '.join(str(exc).split())[:300]}") from None
    except RecursionError:
        raise BankError(f"{path}: not valid YAML: nested too deep") from None
    finally:
        loader.dispose()
    if not isinstance(data, dict):
        found = "nothing" if data is None else type(data).__name__
        raise BankError(f"{path}: the top level must be a mapping (title: ..., question: [...]), not {found}")
    starts: list[int] = []
    for key, value in node.value:
        if getattr(key, "value", None) == "question" and isinstance(value, yaml.SequenceNode):
            starts = [item.start_mark.line + 1 for item in value.value]
    return data, _Syntax(":", "mapping in the list question:", "questions (a list under question:)", tuple(starts))


def _check_yaml_size(path: str, root: Any) -> None:
    """Nodes counted as expanded (an alias counts its whole anchor every time), iteratively and
    once per node (so counting a billion laughs is linear in its text), with the depth and
    self-referring aliases refused."""
    import yaml

    def children(node: Any) -> list[Any]:
        if isinstance(node, yaml.MappingNode):
            return [c for pair in node.value for c in pair]
        return list(node.value) if isinstance(node, yaml.SequenceNode) else []

    size: dict[int, int] = {}
    active: set[int] = set()
    stack: list[tuple[Any, int, bool]] = [(root, 1, False)]
    while stack:
        node, depth, leaving = stack.pop()
        key = id(node)
        if leaving:
            active.discard(key)
            size[key] = 1 + sum(size[id(c)] for c in children(node))
            if size[key] > MAX_YAML_NODES:
                raise BankError(f"{path}: the YAML expands to more than {MAX_YAML_NODES} nodes (aliases?)")
            continue
        if key in size:
            continue
        if key in active:
            raise BankError(f"{path}: an alias in the YAML refers to itself")
        if depth > MAX_YAML_DEPTH:
            raise BankError(f"{path}: the YAML is nested deeper than {MAX_YAML_DEPTH} levels")
        active.add(key)
        stack.append((node, depth, True))
        stack.extend((c, depth + 1, False) for c in children(node))


def _bank(path: str, text: str, data: dict[str, Any], syntax: _Syntax) -> Bank:
    unknown = sorted(map(str, set(data) - set(TOP)))
    if unknown:
        line = _line(text, unknown[0], syntax.assign)
        raise BankError(f"{path}, line {line}: unknown key {unknown[0]!r} (the file has {', '.join(TOP)})")
    title = data.get("title", "")
    if not isinstance(title, str):
        raise BankError(f"{path}, line {_line(text, 'title', syntax.assign)}: title must be text")
    entries = data.get("question", [])
    if not isinstance(entries, list) or not all(isinstance(q, dict) for q in entries):
        raise BankError(f"{path}: write each question as a {syntax.each}")
    if not entries:
        raise BankError(f"{path}: no {syntax.none}")
    if len(entries) > MAX_QUESTIONS:
        raise BankError(f"{path}: more than {MAX_QUESTIONS} questions")
    questions: dict[str, BankQuestion] = {}
    for k, entry in enumerate(entries, 1):
        start = syntax.starts[k - 1] if k <= len(syntax.starts) else 1
        q = _question(path, text, k, entry, start, syntax.assign)
        if q.name in questions:
            line = _line(text, "name", syntax.assign, q.name, after=start)
            raise BankError(f"{path}, line {line}: a second question named {q.name!r}")
        questions[q.name] = q
    return Bank(path, title, questions)


def _line(text: str, key: str, assign: str = "=", value: str | None = None, after: int = 0) -> int:
    """The 1-based line where ``key`` (with ``value``, if given) is set with ``assign`` (``=`` or
    ``:``; a YAML list item's ``- `` allowed before it), from line ``after`` on."""
    quoted = rf"\s*[\"']?{re.escape(value)}[\"']?\s*(#.*)?$" if value else ""
    pattern = re.compile(rf"^\s*(-\s+)?[\"']?{re.escape(key)}[\"']?\s*{re.escape(assign)}" + quoted)
    lines = text.splitlines()
    for i in range(max(after - 1, 0), len(lines)):
        if pattern.match(lines[i]):
            return i + 1
    return max(after, 1)


def _question(path: str, text: str, k: int, entry: dict[str, Any], start: int, assign: str) -> BankQuestion:
    label = f"question {k} ({entry.get('name')!r})" if isinstance(entry.get("name"), str) else f"question {k}"

    def fail(key: str, why: str) -> BankError:
        return BankError(f"{path}, line {_line(text, key, assign, after=start)}, {label}: {why}")

    unknown = sorted(map(str, set(entry) - set(REQUIRED) - set(OPTIONAL)))
    if unknown:
        raise fail(unknown[0], f"unknown key {unknown[0]!r} (a question has {', '.join(REQUIRED + OPTIONAL)})")
    for key in REQUIRED:
        if not isinstance(entry.get(key), str) or not entry[key].strip():
            quote = " (put it in quotes)" if isinstance(entry.get(key), int | float) else ""
            raise BankError(f"{path}, line {start}, {label}: {key!r} is required and must be text{quote}")
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
