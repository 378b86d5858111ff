"""Resource limits, checked before any SymPy object exists, and once more on what was built.

On the text (:func:`check_text`, :func:`check_source`): input length and, after normalisation,
bracket depth. On the parse tree (:func:`check_tree`): depth, node count and the digits of
every literal, iteratively (no recursion on untrusted depth); then
(:func:`check_constant_powers`) an upper bound on the size of every constant power, so that
``9**9**9**9`` and ``x**(10**10**10)`` are refused here, before SymPy could try to compute them.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

from ...errors import AnswerSyntaxError


@dataclass(frozen=True)
class Limits:
    """Resource limits enforced before any SymPy object is built."""

    max_length: int = 2000
    max_bracket_depth: int = 40
    max_tree_depth: int = 200
    max_nodes: int = 800
    max_digits: int = 40
    max_exponent: int = 1000
    max_constant_digits: int = 2000
    max_sum_terms: int = 1000


# ------------------------------------------------------------------------------------ text
def check_text(text: str, limits: Limits, *, latex: bool) -> None:
    """The raw answer: text, not empty, not too long, and (LaTeX) with balanced braces."""
    if not isinstance(text, str):
        raise AnswerSyntaxError("the answer must be text")
    if not text.strip():
        raise AnswerSyntaxError("the answer is empty")
    if len(text) > limits.max_length:
        raise AnswerSyntaxError(
            f"the answer is too long ({len(text)} characters; the limit is {limits.max_length})", limit=True
        )
    if latex and text.count("{") != text.count("}"):
        raise AnswerSyntaxError("unbalanced braces { } in the LaTeX answer")


def check_source(src: str, limits: Limits) -> None:
    """The normalised text: brackets nested at most ``max_bracket_depth`` deep."""
    if bracket_depth(src) > limits.max_bracket_depth:
        raise AnswerSyntaxError(f"brackets are nested too deeply (limit {limits.max_bracket_depth})", limit=True)


def bracket_depth(text: str) -> int:
    depth = deepest = 0
    for ch in text:
        if ch in "([{":
            depth += 1
            deepest = max(deepest, depth)
        elif ch in ")]}":
            depth -= 1
    return deepest


# ------------------------------------------------------------------------------------ tree
def check_tree(tree: Any, limits: Limits) -> None:
    """Depth, node count and literal sizes, iteratively (no recursion on untrusted depth)."""
    from lark import Token, Tree

    stack = [(tree, 1)]
    nodes = 0
    while stack:
        node, depth = stack.pop()
        nodes += 1
        if nodes > limits.max_nodes:
            raise AnswerSyntaxError(f"the answer is too large (more than {limits.max_nodes} parts)", limit=True)
        if depth > limits.max_tree_depth:
            raise AnswerSyntaxError(f"the answer is nested too deeply (limit {limits.max_tree_depth})", limit=True)
        if isinstance(node, Tree):
            stack.extend((c, depth + 1) for c in node.children)
        elif isinstance(node, Token) and node.type == "NUMBER":
            digits = sum(ch.isdigit() for ch in node.split("e")[0].split("E")[0])
            if digits > limits.max_digits:
                raise AnswerSyntaxError(f"a number has too many digits (limit {limits.max_digits})", limit=True)
            if re.search(r"[eE]", node) and abs(int(re.split(r"[eE]", node)[1])) > 300:
                raise AnswerSyntaxError("a number's exponent is too large", limit=True)


# ------------------------------------------------------------------------------------ constant powers
def check_constant_powers(tree: Any, limits: Limits) -> float | None:
    """Upper bound on the number of digits of a constant subtree (``None``: not constant).

    Raises when a constant power would be too large to compute, or a symbolic power has an
    exponent beyond ``max_exponent``. Recursive: run it after :func:`check_tree` has bounded the
    depth."""
    from lark import Tree

    if not isinstance(tree, Tree):
        return None
    kind = tree.data
    kids = [c for c in tree.children if isinstance(c, Tree)]
    sizes = [check_constant_powers(c, limits) for c in kids]
    if kind == "number":  # 1e300 has 301 digits, not 2
        text = str(tree.children[0])
        mantissa, _, exponent = text.replace("E", "e").partition("e")
        shift = abs(int(exponent)) if exponent.lstrip("+-").isdigit() else 0
        return float(max(1, sum(ch.isdigit() for ch in mantissa) + shift))
    if kind == "name" and str(tree.children[0]) in ("pi", "e"):
        return 1.0
    if kind in ("neg", "pos", "group", "paren") and len(kids) == 1 and len(tree.children) == 1:
        return sizes[0]
    if kind == "abs" and len(kids) == 1:  # |c| is as large as c
        return sizes[0]
    if kind == "arglist" and len(kids) == 1:
        return sizes[0]
    if kind in ("add", "sub", "mul", "div", "frac", "imul"):
        known = [s for s in sizes if s is not None]
        if len(known) < len(sizes):
            return None  # not constant
        if kind in ("add", "sub"):
            return max(known) + 1
        return sum(known) if known else None
    if kind == "pow":
        base, exp = sizes[0], sizes[-1]
        bound = _exponent_bound(kids[-1], exp)
        if bound is not None and bound > limits.max_exponent and base is None:
            raise AnswerSyntaxError(
                f"an exponent is too large (over {limits.max_exponent}); no answer needs that", limit=True
            )
        if base is not None and exp is not None:
            digits = (bound or 0.0) * base
            if digits > limits.max_constant_digits:
                raise AnswerSyntaxError("a constant power is too large to compute", limit=True)
            return max(digits, 1.0)
        return None
    return None


def _exponent_bound(tree: Any, size: float | None) -> float | None:
    """Upper bound on ``|exponent|`` for a constant exponent subtree."""
    from lark import Tree

    node = tree
    while (
        isinstance(node, Tree)
        and node.data in ("neg", "pos", "group", "paren", "arglist", "abs")
        and len([c for c in node.children if isinstance(c, Tree)]) == 1
    ):
        node = next(c for c in node.children if isinstance(c, Tree))
    if isinstance(node, Tree) and node.data == "number":
        try:
            return abs(float(str(node.children[0])))
        except (ValueError, OverflowError):
            return math.inf
    if size is None:
        return None
    return math.inf if size > 300 else 10.0**size


# ------------------------------------------------------------------------------------ what was built
def check_built(expr: Any, limits: Limits) -> None:
    """The built expression, whatever path it took (``|1e300|^|1e300|``, ``((x^1000)^1000)^1000``
    folded to ``x^(10^9)``): no number over ``max_constant_digits`` digits, no symbolic power with
    an exponent over ``max_exponent``. Iterative; the sizes are read from bit lengths, never by
    printing (Python refuses to print an integer of over 4,300 digits)."""
    import sympy as sp

    bits = limits.max_constant_digits * 3.33
    stack = [expr]
    while stack:
        node = stack.pop()
        if isinstance(node, sp.Rational) and max(int(node.p).bit_length(), int(node.q).bit_length()) > bits:
            raise AnswerSyntaxError(f"a number is too large (over {limits.max_constant_digits} digits)", limit=True)
        if isinstance(node, sp.Float) and abs(int(node._mpf_[2]) + int(node._mpf_[3])) > bits:
            raise AnswerSyntaxError(f"a number is too large (over {limits.max_constant_digits} digits)", limit=True)
        huge_power = isinstance(node, sp.Pow) and node.exp.is_Number and abs(node.exp) > limits.max_exponent
        if huge_power and node.base.free_symbols:
            raise AnswerSyntaxError(
                f"an exponent is too large (over {limits.max_exponent}); no answer needs that", limit=True
            )
        stack.extend(getattr(node, "args", ()))
