r"""The kind of an answer, inferred from the teacher's expected answer.

================  ==========================================================================
kind              expected answer looks like
================  ==========================================================================
``equation``      one top-level ``=``: ``y = 2x + 1``
``interval``      a top-level ``<``, ``>``, ``<=``, ``\le``..., a union (``U``, ``\cup``,
                  ``or``), or a bracket pair with ``oo``/``inf`` or mixed ends: ``[0, 1)``
``set``           ``{a, b}`` or ``\{a, b\}``
``matrix``        ``[[a, b], [c, d]]``, ``\begin{pmatrix}...``, a vector ``[a, b]``
``tuple``         ``(a, b)`` or parts separated by top-level ``;``
``expression``    anything else (the single-expression checker, unchanged)
================  ==========================================================================

``list`` (an ordered ``[a, b, c]``), ``numeric`` (given a tolerance) and ``constant`` (up to an
additive constant) are asked for explicitly: ``[a, b]`` alone is read as a vector and ``(2, 5)``
as a pair; say ``kind="interval"`` for the open interval.
"""

from __future__ import annotations

import re

from .reading import StructureError, check_size, enclosed, items, relations, split_top

KINDS = ("expression", "equation", "interval", "set", "list", "matrix", "tuple", "numeric", "constant")
UNIONS = (" U ", "\\cup", "∪", " or ")
_INFINITY = ("oo", "inf", "\\infty", "∞")
#: some structure is possible only if one of these occurs
_MAYBE = re.compile(r"[,;=<>{}≤≥≠∪]|\\(?:le|ge|neq|cup|land|begin)|\b(?:U|or|and)\b|∅|\\emptyset|\\varnothing")


def infer_kind(expected: str, latex: bool = False) -> str:
    """The kind named by ``expected``'s outermost structure (``expression`` if none); in LaTeX a
    set needs ``\\{ \\}`` (plain ``{ }`` group)."""
    try:
        text = check_size(expected)
        if not _MAYBE.search(text):
            return "expression"  # no comma, relation, union or set brace: one expression (fast path)
        if any(w in text for w in (" if ", "if ", "\\begin{cases}", "\\text{if}", "otherwise")):
            return "expression"  # cases: the comparisons are conditions, not the answer
        if len(split_top(text, (";",))) > 1 or len(split_top(text, (",",))) > 1:
            return "tuple"
        rels = relations(text)
        if any(sym in ("<", ">", "<=", ">=", "\\le", "\\leq", "\\ge", "\\geq", "≤", "≥") for _, sym in rels):
            return "interval"
        if len(split_top(text, UNIONS)) > 1:
            return "interval"
        if len(rels) == 1 and rels[0][1] == "=":
            return "equation"
        if text.startswith(("\\begin{pmatrix}", "\\begin{bmatrix}", "[[", "\\left[\\left[")):
            return "matrix"
        outer = enclosed(text)
        if outer is None:
            return "expression"
        op, inner, cl = outer
        if op == "{" and cl == "}":
            return "set" if not latex or "\\{" in text[:8] else "expression"
        parts = items(inner)
        if len(parts) == 2 and (op + cl in ("(]", "[)") or any(w in inner for w in _INFINITY)):
            return "interval"
        if op == "(" and cl == ")" and len(parts) > 1:
            return "tuple"
        return "expression"
    except StructureError:
        return "expression"  # the single-expression checker says what is wrong with it
