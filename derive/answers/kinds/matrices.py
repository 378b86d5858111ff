r"""Vectors and matrices: the shape first, then entry by entry (the single-expression checker's
matrix path, which names the first wrong entry and its counterexample).

Added here: matrix notation in answers and expected answers. ``inv(A)`` / ``inverse(A)`` is read
as ``(A)^(-1)`` and ``transpose(A)`` as ``(A)^T``; a variable whose "domain" is a matrix literal
(``variables={"A": "[[1, 2], [3, 4]]"}``) is a named matrix, so ``A^T A``, ``inv(A) b`` and
``2A - I`` can be typed. The rewrites work on the token level (whole words, matched brackets);
the result is read by the safe parser like any other answer.
"""

from __future__ import annotations

import re

from ..verdict import Verdict
from .base import Ask
from .reading import MAX_ITEMS, StructureError, check_size

_CALL = re.compile(r"(?<![A-Za-z0-9_\\])(inv|inverse|transpose)\s*\(")
_POWER = {"inv": "^(-1)", "inverse": "^(-1)", "transpose": "^T"}


def is_matrix_literal(word: str) -> bool:
    w = word.strip()
    return w.startswith(("[[", "\\begin{pmatrix}", "\\begin{bmatrix}"))


def _close(text: str, start: int) -> int:
    """The index of the bracket closing the ``(`` at ``start``."""
    depth = 0
    for i in range(start, len(text)):
        if text[i] == "(":
            depth += 1
        elif text[i] == ")":
            depth -= 1
            if depth == 0:
                return i
    raise StructureError(f"an unclosed bracket after position {start}")


def rewrite(text: str, named: dict[str, str]) -> str:
    """``inv(X)`` -> ``(X)^(-1)``, ``transpose(X)`` -> ``(X)^T``, named matrices by their literal."""
    text = check_size(text)
    for _ in range(MAX_ITEMS):
        m = _CALL.search(text)
        if m is None:
            break
        end = _close(text, m.end() - 1)
        text = f"{text[: m.start()]}({text[m.end() : end]}){_POWER[m.group(1)]}{text[end + 1 :]}"
    else:
        raise StructureError(f"more than {MAX_ITEMS} inv()/transpose() calls", limit=True)
    for name, literal in named.items():
        pattern = rf"(?<![A-Za-z_\\]){re.escape(name)}(?![A-Za-z0-9_])"
        text = re.sub(pattern, f"({literal})".replace("\\", "\\\\"), text)
    return check_size(text)


def judge_matrix(answer: str, ask: Ask) -> Verdict:
    """The answer and the expected matrix, notation rewritten, through the matrix checker."""
    named = {k: v for k, v in ask.variables.items() if is_matrix_literal(v)}
    scalars = {k: v for k, v in ask.variables.items() if k not in named}
    return ask.compare(rewrite(answer, named), rewrite(ask.expected, named), scalars, ask.latex)
