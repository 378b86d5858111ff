r"""The structure of an answer, read at the text level: brackets, separators, size caps.

Only the *shape* is read here (``{a, b}``, ``(a, b]``, ``a = b``, ``x > 2 or x < -1``); every piece
is then read by the safe parser (:func:`derive.answers.parse.parse`, with its limits and time
budget) or judged by the single-expression checker. The scan is linear in the text, and every
structure is capped (:data:`MAX_TEXT` characters, :data:`MAX_ITEMS` items, :data:`MAX_NESTING`
structures inside structures), so hostile text is refused before any SymPy object exists.
"""

from __future__ import annotations

import functools
import re

MAX_TEXT = 2000
MAX_ITEMS = 40
MAX_NESTING = 3
MAX_DEPTH = 40


class StructureError(ValueError):
    """The text's structure cannot be read (``limit``: a size cap was hit)."""

    def __init__(self, message: str, *, limit: bool = False) -> None:
        super().__init__(message)
        self.limit = limit


def check_size(text: str) -> str:
    """``text`` stripped (and its ``$`` delimiters), or :class:`StructureError` if empty or too long."""
    if not isinstance(text, str):
        raise StructureError("the answer must be text")
    if len(text) > MAX_TEXT:
        raise StructureError(f"the answer is too long ({len(text)} characters; the limit is {MAX_TEXT})", limit=True)
    out = text.strip().strip("$").strip()
    if not out:
        raise StructureError("the answer is empty")
    return out


_TOKEN = re.compile(r"\\left\\\{|\\right\\\}|\\left[(\[]|\\right[)\]]|\\[{}]|[()\[\]{}]")


@functools.lru_cache(maxsize=512)
def scan(text: str) -> tuple[tuple[int, int, int], ...]:
    """``(position, depth_after, length)`` of every bracket token; raises on an unbalanced text."""
    out = []
    depth = 0
    for m in _TOKEN.finditer(text):
        tok = m.group()
        if tok[-1] in "([{":
            depth += 1
            if depth > MAX_DEPTH:
                raise StructureError(f"brackets nested more than {MAX_DEPTH} deep", limit=True)
        else:
            depth -= 1
            if depth < 0:
                raise StructureError(f"an unmatched closing bracket at position {m.start() + 1}")
        out.append((m.start(), depth, len(tok)))
    if depth:
        raise StructureError("an unclosed bracket")
    return tuple(out)


@functools.lru_cache(maxsize=512)
def top_level(text: str) -> tuple[bool, ...]:
    """For each character, whether it lies outside every bracket."""
    flags = [True] * len(text)
    depth = 0
    marks = {pos: (d, n) for pos, d, n in scan(text)}
    i = 0
    while i < len(text):
        if i in marks:
            d, n = marks[i]
            for j in range(i, i + n):
                flags[j] = False
            depth = d
            i += n
            continue
        flags[i] = depth == 0
        i += 1
    return tuple(flags)


def split_top(text: str, separators: tuple[str, ...]) -> list[str]:
    """``text`` split at the ``separators`` that lie outside every bracket (words match whole)."""
    flags = top_level(text)
    pieces: list[str] = []
    start = i = 0
    while i < len(text):
        hit = None
        if flags[i]:
            for sep in separators:
                if text.startswith(sep, i) and all(flags[i : i + len(sep)]) and _whole(text, i, sep):
                    hit = sep
                    break
        if hit:
            pieces.append(text[start:i])
            i += len(hit)
            start = i
            if len(pieces) > MAX_ITEMS:
                raise StructureError(f"more than {MAX_ITEMS} items", limit=True)
        else:
            i += 1
    pieces.append(text[start:])
    return [p.strip() for p in pieces]


def _whole(text: str, i: int, sep: str) -> bool:
    """A separator word (``or``, ``U``) must not be part of a longer word or a command."""
    if not sep[0].isalpha():
        return True
    before = text[i - 1] if i > 0 else " "
    after = text[i + len(sep)] if i + len(sep) < len(text) else " "
    return not (before.isalnum() or before in "\\_") and not (after.isalnum() or after == "_")


def enclosed(text: str) -> tuple[str, str, str] | None:
    """``(opener, inner, closer)`` when one bracket pair encloses the whole text, else ``None``."""
    marks = scan(text)
    if not marks or marks[0][0] != 0:
        return None
    first = next((m for m in marks[1:] if m[1] == 0), None)
    if first is None or first[0] + first[2] != len(text):
        return None
    op = text[: marks[0][2]]
    cl = text[first[0] :]
    return _plain(op), text[marks[0][2] : first[0]], _plain(cl)


def _plain(tok: str) -> str:
    return tok.replace("\\left", "").replace("\\right", "").replace("\\", "")


def items(inner: str) -> list[str]:
    """The comma-separated items of a bracket's inside (an empty inside has none)."""
    if not inner.strip():
        return []
    out = split_top(inner, (",",))
    if any(not p for p in out):
        raise StructureError("an empty item between commas")
    return out


_RELATION = re.compile(r"<=|>=|!=|==|=|<|>|\\leq?|\\geq?|\\neq|≤|≥|≠")


def relations(text: str) -> list[tuple[int, str]]:
    """The top-level relation symbols of ``text``: ``(position, symbol)``."""
    flags = top_level(text)
    return [(m.start(), m.group()) for m in _RELATION.finditer(text) if flags[m.start()]]
