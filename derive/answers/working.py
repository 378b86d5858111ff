r"""A student's working, checked line by line (as STACK's equivalence-reasoning input does).

.. code-block:: python

    w = derive.check_working(["(x+1)^2 - 1", "= x^2 + 2x", "= x(x + 2)"])
    w.correct, w.first_wrong_line          # True, None
    w = derive.check_working(["2x + 3 = 7", "2x = 4", "=> x = 3"])
    w.first_wrong_line, w.verdicts[2].message   # 3, 'Line 3 does not follow from line 2: ...'

One step per line, plain or LaTeX (``&=`` alignment and a trailing ``\\`` are dropped). A line is
an expression or an equation, optionally led by its link to the line before: ``=`` (an
expression equal to the previous one), ``<=>``/``⇔``/``\iff`` (an equivalent equation), or
``=>``/``⇒``/``\implies`` (implication: every solution of the previous equation must solve this
one; squaring both sides is allowed, losing a solution is not). Each link is judged by the same
machinery as an answer (:func:`derive.equivalent`: the ladder, numeric verification, and the
equation kind's solution sets), so a wrong line is named with a counterexample.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from .api import DEFAULT_TIMEOUT, expression_verdict
from .kinds import judge
from .kinds.base import Compare, summary
from .kinds.equations import sides
from .kinds.reading import MAX_ITEMS
from .verdict import CORRECT, INCORRECT, INVALID, UNDECIDED, Verdict

#: the most lines one piece of working may have
MAX_LINES = MAX_ITEMS

_LINKS = (
    ("<=>", "iff"), ("⇔", "iff"), ("\\iff", "iff"), ("\\Leftrightarrow", "iff"), ("=>", "implies"),
    ("⇒", "implies"), ("\\implies", "implies"), ("\\Rightarrow", "implies"), ("→", "implies"),
    ("&=", "equals"), ("=", "equals"),
)  # fmt: skip


@dataclass(frozen=True)
class Working:
    """The verdict on each line of a piece of working.

    Attributes:
        lines: the lines as read (links and alignment removed).
        links: how each line is linked to the one before (``start``, ``equals``, ``iff``, ``implies``).
        verdicts: one per line: line 1 is read; every later line is judged against the one before.
        correct: every line readable and every link valid.
        first_wrong_line: the 1-based index of the first line that does not follow from the line
            before it (or cannot be read), ``None`` if there is none.
    """

    lines: tuple[str, ...]
    links: tuple[str, ...]
    verdicts: tuple[Verdict, ...]
    correct: bool
    first_wrong_line: int | None

    def __str__(self) -> str:
        marks = {CORRECT: "ok", INCORRECT: "WRONG", INVALID: "UNREADABLE", UNDECIDED: "?"}
        rows = [
            f"{k:>3} {marks[v.status]:<10} {line}  -- {v.message}"
            for k, (line, v) in enumerate(zip(self.lines, self.verdicts, strict=True), 1)
        ]
        head = (
            "working correct"
            if self.correct
            else f"first wrong line: {self.first_wrong_line}"
            if self.first_wrong_line
            else "working not confirmed"
        )
        return "\n".join([head, *rows])

    def to_dict(self) -> dict[str, Any]:
        return {
            "correct": self.correct,
            "first_wrong_line": self.first_wrong_line,
            "lines": [
                {"line": s, "link": k, **v.to_dict()}
                for s, k, v in zip(self.lines, self.links, self.verdicts, strict=True)
            ],
        }


def split_lines(lines: str | Iterable[str], latex: bool = False) -> list[tuple[str, str]]:
    """``(link, text)`` for each non-empty line (a string is split at newlines, and in LaTeX at ``\\\\``)."""
    if isinstance(lines, str):
        raw = re.split(r"\\\\|\n", lines) if latex else lines.splitlines()
    else:
        raw = [str(s) for s in lines]
    out: list[tuple[str, str]] = []
    for line in raw:
        text = line.strip().removesuffix("\\\\").strip()
        if not text or text.startswith(("\\begin{", "\\end{")):
            continue
        link = "start" if not out else "equals"
        for token, name in _LINKS:
            if text.startswith(token):
                link, text = name, text[len(token) :].strip()
                break
        out.append((link, text.replace("&", " ").strip()))
        if len(out) > MAX_LINES:
            raise ValueError(f"the working has more than {MAX_LINES} lines")
    return out


def check_working(
    lines: str | Iterable[str],
    variables: Mapping[str, str] | None = None,
    *,
    latex: bool = False,
    timeout: float = DEFAULT_TIMEOUT,
) -> Working:
    """Check ``lines`` link by link (see the module docstring).

    Args:
        lines: the working, one step per line (a list, or one string with newlines).
        variables: the variables' domain words (default: every unknown name is real).
        latex: read the lines as LaTeX.
        timeout: hard limit in seconds for each link.
    """
    steps = split_lines(lines, latex)
    if not steps:
        raise ValueError("the working has no lines")
    names = dict(variables) if variables is not None else _guess(steps, latex)
    texts = tuple(t for _, t in steps)
    verdicts: list[Verdict] = [_first(texts[0], names, latex, timeout)]
    for k in range(1, len(steps)):
        verdicts.append(_link(k + 1, texts[k - 1], texts[k], steps[k][0], names, latex, timeout))
    wrong = next((k for k, v in enumerate(verdicts, 1) if v.status in (INCORRECT, INVALID)), None)
    correct = all(v.status == CORRECT for v in verdicts)
    return Working(texts, tuple(link for link, _ in steps), tuple(verdicts), correct, wrong)


def _guess(steps: list[tuple[str, str]], latex: bool) -> dict[str, str]:
    from .kinds.base import guess

    return guess([re.sub(r"<=|>=|=|<|>", ",", t) for _, t in steps], latex)


def _first(text: str, names: Mapping[str, str], latex: bool, timeout: float) -> Verdict:
    """Line 1 is only read: each side (and each part of an ``or``) by the safe parser."""
    from .kinds.base import Ask, invalid, timed
    from .kinds.infer import UNIONS
    from .kinds.reading import check_size, relations, split_top

    ask = Ask(text, dict(names), _compare(timeout), latex=latex)

    def read() -> Verdict:
        body = check_size(text)
        cuts = [0, *[p for p, _ in relations(body)], len(body)]
        rels = {p: len(sym) for p, sym in relations(body)}
        pieces = [body[a + rels.get(a, 0) : b] for a, b in itertools.pairwise(cuts)]
        for piece in pieces:
            for part in split_top(piece, UNIONS):
                if not part.strip():
                    return invalid("a side of the line is empty")
                ask.read(part)
        return Verdict(True, CORRECT, "Line 1: the starting point.", method="read")

    return timed(read)


def _link(k: int, before: str, line: str, link: str, names: Mapping[str, str], latex: bool, timeout: float) -> Verdict:
    """Line ``k`` against line ``k - 1``: equal expressions, or equations with the same solutions
    (for ``=>`` only those of line ``k - 1`` must be kept); a disjunction ``x = 2 or x = 3`` is read
    as a set of reals."""
    kind = _kind(before, line)
    implies = link == "implies" and kind != "expression"
    try:
        v = judge(kind, line, before, names, _compare(timeout), latex=latex, implies=implies)
    except ValueError as exc:  # line k - 1 cannot be read: this link cannot be judged
        return Verdict(None, UNDECIDED, f"Line {k}: no verdict, line {k - 1} cannot be read ({exc}).", method="working")
    verb = "follows from" if implies else "is equal to" if kind == "expression" else "is equivalent to"
    if v.status == CORRECT:
        return Verdict(
            True, CORRECT, f"Line {k} {verb} line {k - 1}: {_tail(v, k)}.", v.parsed, None, None, v.method, v.seconds
        )
    if v.status == INVALID:
        return Verdict(None, INVALID, f"Line {k} cannot be read: {_tail(v, k)}.", None, None, None, v.method, v.seconds)
    if v.status == UNDECIDED:
        msg = f"Line {k}: no verdict on the step from line {k - 1}: {_tail(v, k)}."
        return Verdict(None, UNDECIDED, msg, v.parsed, None, None, v.method, v.seconds)
    msg = f"Line {k} does not follow from line {k - 1}: {_tail(v, k)}."
    return Verdict(False, INCORRECT, msg, v.parsed, v.counterexample, v.diagnosis, v.method, v.seconds)


def _kind(before: str, line: str) -> str:
    from .kinds.infer import UNIONS
    from .kinds.reading import StructureError, split_top

    try:
        if any(len(split_top(t, UNIONS)) > 1 for t in (before, line)):
            return "interval"
        return "equation" if sides(line) is not None and sides(before) is not None else "expression"
    except StructureError:
        return "expression"


def _compare(timeout: float) -> Compare:
    def compare(a: str, e: str, names: Mapping[str, str], tex: bool) -> Verdict:
        return expression_verdict(a, e, names, latex=tex, timeout=timeout)

    return compare


_WORDS = (
    ("your answer", "line {k}"), ("your equation", "line {k}"), ("your set", "line {k}"), ("not yours", "not line {k}"),
    ("in yours", "in line {k}"), ("the expected answer", "line {p}"), ("the expected value", "line {p}"),
    ("the expected equation", "line {p}"), ("the expected one", "line {p}"), ("the expected set", "line {p}"),
)  # fmt: skip


def _tail(v: Verdict, k: int) -> str:
    """The verdict's message in the words of working: line ``k`` and line ``k - 1``."""
    out = summary(v)
    for old, new in _WORDS:
        out = out.replace(old, new.format(k=k, p=k - 1))
    return out[:1].lower() + out[1:] if out[:2] != "At" else out
