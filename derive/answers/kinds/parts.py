"""Multi-part answers: a tuple ``(a, b)`` or parts separated by ``;``, each part judged on its own.

Each part is judged by the kind its expected part names (an expression, an equation, a set...),
so ``(x = 2; {1, 2})`` works; the message gives a verdict per part. The answer is correct when
every part is; otherwise the first wrong part's counterexample is reported.
"""

from __future__ import annotations

from collections.abc import Callable

from ..verdict import CORRECT, INCORRECT, INVALID, UNDECIDED, Verdict
from .base import Ask, make, other_kind, summary
from .reading import MAX_NESTING, StructureError, check_size, enclosed, items, split_top

#: judges one part: ``(answer_part, expected_part, depth) -> Verdict``
PartJudge = Callable[[str, str, int], Verdict]


def parts(text: str) -> list[str] | None:
    """The parts of ``a; b; c``, ``(a, b)`` or ``a, b``; ``None`` for a single piece."""
    text = check_size(text)
    by_semicolon = split_top(text, (";",))
    if len(by_semicolon) > 1:
        if any(not p for p in by_semicolon):
            raise StructureError("an empty part between semicolons")
        return by_semicolon
    outer = enclosed(text)
    if outer is not None and outer[0] == "(" and outer[2] == ")":
        inner = items(outer[1])
        return inner if len(inner) > 1 else None
    bare = split_top(text, (",",))
    if len(bare) > 1:
        if any(not p for p in bare):
            raise StructureError("an empty part between commas")
        return bare
    return None


def judge_tuple(answer: str, ask: Ask, judge_part: PartJudge, depth: int = 0) -> Verdict:
    """Each part against the expected part (see the module docstring)."""
    if depth >= MAX_NESTING:
        raise StructureError(f"parts nested more than {MAX_NESTING} deep", limit=True)
    expected = parts(ask.expected)
    if expected is None:
        raise ValueError(f"the expected answer {ask.expected!r} has no parts (write (a, b) or a; b)")
    given = parts(answer)
    if given is None:
        return other_kind(answer, ask, f"{len(expected)} parts", "(a, b) or a; b")
    if len(given) != len(expected):
        return make(
            INCORRECT,
            f"Incorrect: your answer has {len(given)} parts, the question asks for {len(expected)}.",
            diagnosis="wrong number of parts",
            method="parts",
        )
    verdicts = [judge_part(a, e, depth + 1) for a, e in zip(given, expected, strict=True)]
    return _combine(verdicts)


def _combine(verdicts: list[Verdict]) -> Verdict:
    statuses = [v.status for v in verdicts]
    for status in (INCORRECT, INVALID, UNDECIDED):
        if status in statuses:
            break
    else:
        status = CORRECT
    lines = [
        f"Part {k}: {v.status}" + ("" if v.status == CORRECT else f" ({summary(v)})") for k, v in enumerate(verdicts, 1)
    ]
    head = {
        CORRECT: "Correct: every part is right.",
        INCORRECT: "Incorrect:",
        INVALID: "Could not read every part:",
        UNDECIDED: "No verdict on every part:",
    }[status]
    first = next((k for k, v in enumerate(verdicts, 1) if v.status == status), None)
    bad = verdicts[first - 1] if first and status != CORRECT else None
    return make(
        status,
        head + (" " + "; ".join(lines) + "." if status != CORRECT else ""),
        parsed=tuple(v.parsed for v in verdicts),
        counterexample={"part": first, "parts": statuses, **(bad.counterexample or {})} if bad else None,
        diagnosis=f"part {first}: {bad.diagnosis}" if bad and bad.diagnosis else None,
        method="parts: " + ", ".join(sorted({v.method for v in verdicts})),
    )
