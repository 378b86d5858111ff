r"""Finite sets and lists: ``{1, -1}``, ``\{x_1, x_2\}``, ``[3, 1, 2]``.

A **set** is compared order-insensitively: every element of the answer must equal some expected
element and every expected element must be matched (duplicates in the answer count once, as in
mathematics). A **list** is ordered: the lengths first, then element by element. Each pair of
elements is judged by the single-expression checker; the feedback names the missing element, the
extra one, or the first wrong position with its counterexample.
"""

from __future__ import annotations

from ..verdict import CORRECT, INCORRECT, INVALID, UNDECIDED, Verdict
from .base import Ask, invalid, make, other_kind, summary
from .reading import StructureError, check_size, enclosed, items

EMPTY = ("{}", "\\{\\}", "\\emptyset", "\\varnothing", "∅", "set()")
#: the most element comparisons one set answer may need (40 x 40 elements)
MAX_PAIRS = 1600


def elements(text: str, *, ordered: bool) -> list[str] | None:
    """The element texts of a set (``{...}``) or list (``[...]``, ``(...)``); ``None`` if ``text``
    is not one."""
    text = check_size(text)
    if text.replace(" ", "") in EMPTY:
        return []
    outer = enclosed(text)
    if outer is None:
        return None
    op, inner, cl = outer
    ok = (op, cl) in ((("[", "]"), ("(", ")")) if ordered else (("{", "}"),))
    return items(inner) if ok else None


def _shown(text: str) -> str:
    return text if len(text) <= 40 else text[:37] + "..."


def _both(answer: str, ask: Ask, *, ordered: bool) -> tuple[list[str], list[str]] | Verdict:
    """The expected and the given elements (a list when ``ordered``, else a set), or the verdict on
    an answer of another kind; an expected answer of the wrong kind is the question's error."""
    what, shape, example = ("a list", "[...]", "[1, 2, 3]") if ordered else ("a set", "{...}", "{1, 2}")
    expected = elements(ask.expected, ordered=ordered)
    if expected is None:
        raise ValueError(f"the expected answer {ask.expected!r} is not {what} {shape}")
    given = elements(answer, ordered=ordered)
    if given is None:
        return other_kind(answer, ask, "an ordered list" if ordered else "a set", example)
    return expected, given


def judge_set(answer: str, ask: Ask) -> Verdict:
    """Order-insensitive comparison of finite sets (see the module docstring)."""
    read = _both(answer, ask, ordered=False)
    if isinstance(read, Verdict):
        return read
    expected, given = read
    if len(given) * max(len(expected), 1) > MAX_PAIRS:
        raise StructureError(f"the set is too large to compare (over {MAX_PAIRS} element pairs)", limit=True)
    matched: set[int] = set()
    extra: list[str] = []
    undecided: list[str] = []
    for i, a in enumerate(given):
        hit, open_question = _match(a, i, expected, ask)
        if isinstance(hit, Verdict):
            return invalid(f"the element {_shown(a)!r}: {summary(hit)}")
        if hit is None:
            (undecided if open_question else extra).append(a)
        else:
            matched.add(hit)
    missing = [e for j, e in enumerate(expected) if j not in matched]
    return _set_verdict(given, missing, extra, undecided)


def _match(a: str, i: int, expected: list[str], ask: Ask) -> tuple[int | Verdict | None, bool]:
    """The index of the expected element ``a`` equals (the same position first), or an invalid
    verdict, or ``None`` and whether some comparison was undecided."""
    order = sorted(range(len(expected)), key=lambda j: (j != i, j))
    unsure = False
    for j in order:
        v = ask.same(a, expected[j])
        if v.status == CORRECT:
            return j, False
        if v.status == INVALID:
            return v, False
        unsure = unsure or v.status == UNDECIDED
    return None, unsure


def _set_verdict(given: list[str], missing: list[str], extra: list[str], undecided: list[str]) -> Verdict:
    parsed = "{" + ", ".join(given) + "}"
    if not missing and not extra and not undecided:
        return make(
            CORRECT, "Correct: the same set as the expected answer.", parsed=parsed, method="set, element by element"
        )
    if undecided and not missing and not extra:
        return make(UNDECIDED, f"No verdict on the element {_shown(undecided[0])!r}.", parsed=parsed, method="set")
    parts = []
    if missing:
        parts.append(
            f"the expected element {_shown(missing[0])} is missing"
            + (f" (and {len(missing) - 1} more)" if len(missing) > 1 else "")
        )
    if extra:
        parts.append(
            f"your element {_shown(extra[0])} is not in the expected set"
            + (f" (and {len(extra) - 1} more)" if len(extra) > 1 else "")
        )
    diagnosis = (
        "missing element" if missing and not extra else "extra element" if extra and not missing else "wrong element"
    )
    return make(
        INCORRECT,
        "Incorrect: " + "; ".join(parts) + ".",
        parsed=parsed,
        counterexample={"missing": missing, "extra": extra},
        diagnosis=diagnosis,
        method="set, element by element",
    )


def judge_list(answer: str, ask: Ask) -> Verdict:
    """Ordered comparison: the lengths, then each position (see the module docstring)."""
    read = _both(answer, ask, ordered=True)
    if isinstance(read, Verdict):
        return read
    expected, given = read
    parsed = "[" + ", ".join(given) + "]"
    if len(given) != len(expected):
        return make(
            INCORRECT,
            f"Incorrect: your list has {len(given)} elements, the expected list has {len(expected)}.",
            parsed=parsed,
            diagnosis="wrong length",
            method="list length",
        )
    for k, (a, e) in enumerate(zip(given, expected, strict=True), start=1):
        v = ask.same(a, e)
        if v.status == INVALID:
            return invalid(f"element {k} ({_shown(a)!r}): {summary(v)}")
        if v.status != CORRECT:
            return _wrong_position(k, a, expected, v, ask, parsed)
    return make(
        CORRECT,
        "Correct: every element equals the expected one, in order.",
        parsed=parsed,
        method="list, element by element",
    )


def _wrong_position(k: int, a: str, expected: list[str], v: Verdict, ask: Ask, parsed: str) -> Verdict:
    if v.status == UNDECIDED:
        return make(UNDECIDED, f"No verdict on element {k}: {summary(v)}.", parsed=parsed, method=v.method)
    elsewhere = next((j for j, e in enumerate(expected, start=1) if j != k and ask.same(a, e).status == CORRECT), None)
    note = f" (it is the expected element {elsewhere}: check the order)" if elsewhere else ""
    return make(
        INCORRECT,
        f"Incorrect: element {k} is wrong{note}. {v.message.removeprefix('Incorrect. ').removeprefix('Incorrect: ')}",
        parsed=parsed,
        counterexample={"element": k, **(v.counterexample or {})},
        diagnosis="wrong order" if elsewhere else v.diagnosis,
        method=v.method,
    )
