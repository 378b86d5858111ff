r"""Read a matrix expression safely: a tokenizer and a recursive-descent parser with an allow-list.

The grammar (``*`` and ``@`` are products, ``'`` is not accepted; ``^T`` and ``.T`` transpose,
``^-1`` inverts a square matrix; a scalar power is ``^p`` or ``**p`` with a rational ``p``)::

    expr    := term (("+" | "-") term)*
    term    := unary (("*" | "@" | "/") unary)*
    unary   := "-" unary | power
    power   := postfix (("^" | "**") exponent)?
    exponent:= "T" | "-"? NUMBER | "(" "-"? NUMBER ")"
    postfix := atom (".T")*
    atom    := NUMBER | NAME "(" expr ("," expr)* ")" | NAME | "(" expr ")"

Names are the keys of ``shapes`` (sizes given as names or positive integers; ``()`` a scalar, ``("n",)``
a column vector, ``("m", "n")`` a matrix), the sizes themselves as scalars (``sum(x)/n``), ``ones(n)``
and ``ones(m, n)``, and the functions of :mod:`.nodes` (``tr`` is ``trace``).
Nothing is evaluated: no ``eval``, no ``sympify`` of the text. Input is refused by name beyond
:data:`MAX_LENGTH` characters, :data:`MAX_DEPTH` nested brackets, :data:`MAX_NODES` tokens, or
numbers longer than :data:`MAX_DIGITS` digits.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

import sympy as sp

from .nodes import (
    ELEMENTWISE,
    FUNCTIONS,
    Node,
    Shape,
    call,
    fail,
    matmul,
    neg,
    number,
    ones,
    power,
    size,
    symbol,
    transpose,
)
from .nodes import add as add_nodes

MAX_LENGTH = 400
MAX_DEPTH = 30
MAX_NODES = 200
MAX_DIGITS = 12
MAX_NAMES = 20

ALIASES = {"tr": "trace", "transpose": "T"}
_TOKEN = re.compile(r"\s*(?:(\d+(?:\.\d+)?)|([A-Za-z_][A-Za-z_0-9]*)|(\.T\b)|(\*\*|[-+*@/^(),]))")
_SIZE = re.compile(r"^[A-Za-z][A-Za-z_0-9]{0,15}$|^[1-9][0-9]{0,3}$")
_NAME = re.compile(r"^[A-Za-z][A-Za-z_0-9]{0,15}$")
_RESERVED = {*ELEMENTWISE, *FUNCTIONS, *ALIASES, "T", "I", "E", "pi", "oo", "nan", "ones"}


def sizes(shapes: Mapping[str, Sequence[str | int]]) -> dict[str, Shape]:
    """The shapes as SymPy sizes: names become positive integer symbols, ``("n",)`` a column."""
    if len(shapes) > MAX_NAMES:
        raise fail(f"too many names ({len(shapes)}; the limit is {MAX_NAMES})")
    out: dict[str, Shape] = {}
    for name, dims in shapes.items():
        if not isinstance(name, str) or not _NAME.match(name) or name in _RESERVED:
            raise fail(f"{name!r} cannot name a variable (letters, digits and _, not a function name)")
        if isinstance(dims, str) or len(dims) > 2:
            raise fail(f"the shape of {name} must be (), (n,) or (m, n), not {dims!r}")
        parsed = [_dimension(name, d) for d in dims]
        padded = [*parsed, sp.S.One, sp.S.One]
        out[name] = (padded[0], padded[1])
    return out


def _dimension(name: str, d: str | int) -> sp.Expr:
    text = str(d).strip()
    if not _SIZE.match(text):
        raise fail(f"the size {d!r} of {name} must be a name or a positive integer")
    return sp.Integer(int(text)) if text.isdigit() else sp.Symbol(text, integer=True, positive=True)


def tokenize(text: str) -> list[str]:
    """The tokens of ``text`` (numbers, names, ``.T``, operators); anything else is refused."""
    if not isinstance(text, str) or not text.strip():
        raise fail("the expression is empty")
    if len(text) > MAX_LENGTH:
        raise fail(f"the expression is too long ({len(text)} characters; the limit is {MAX_LENGTH})")
    tokens: list[str] = []
    pos = 0
    text = text.rstrip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None or m.end() == pos:
            raise fail(f"unexpected character {text[pos:].lstrip()[:1]!r} at position {pos + 1}")
        tok = next(g for g in m.groups() if g is not None)
        if tok[0].isdigit() and len(tok.replace(".", "")) > MAX_DIGITS:
            raise fail(f"the number {tok[:20]}... has more than {MAX_DIGITS} digits")
        tokens.append(tok)
        pos = m.end()
    if len(tokens) > MAX_NODES:
        raise fail(f"the expression has too many parts ({len(tokens)} tokens; the limit is {MAX_NODES})")
    return tokens


class Parser:
    """Recursive descent over the tokens, building checked nodes (shapes verified as it goes)."""

    def __init__(self, text: str, shapes: Mapping[str, Shape]) -> None:
        self.tokens = tokenize(text)
        self.pos = 0
        self.depth = 0
        self.shapes = shapes
        self.sizes = {str(d): d for shape in shapes.values() for d in shape if isinstance(d, sp.Symbol)}

    def parse(self) -> Node:
        node = self.expr()
        if self.pos != len(self.tokens):
            raise fail(f"unexpected {self.tokens[self.pos]!r} after a complete expression")
        return node

    # -- helpers
    def peek(self) -> str | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self, expected: str | None = None) -> str:
        tok = self.peek()
        if tok is None:
            raise fail("the expression ends too early" + (f" (expected {expected!r})" if expected else ""))
        if expected is not None and tok != expected:
            raise fail(f"expected {expected!r}, found {tok!r}")
        self.pos += 1
        return tok

    def nested(self) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise fail(f"the expression is nested too deeply (limit {MAX_DEPTH})")

    # -- grammar
    def expr(self) -> Node:
        self.nested()
        terms = [self.term()]
        while self.peek() in ("+", "-"):
            op = self.take()
            t = self.term()
            terms.append(neg(t) if op == "-" else t)
        self.depth -= 1
        return add_nodes(*terms)

    def term(self) -> Node:
        node = self.unary()
        while self.peek() in ("*", "@", "/"):
            op = self.take()
            right = self.unary()
            if op == "/":
                if not right.scalar:
                    raise fail("only division by a scalar is allowed (use inv(...) for a matrix)")
                node = matmul(power(right, sp.Integer(-1)), node)
            elif op == "@" and (node.scalar or right.scalar):
                raise fail("@ is the matrix product; use * to scale by a scalar")
            else:
                node = matmul(node, right)
        return node

    def unary(self) -> Node:
        if self.peek() == "-":
            self.take()
            self.nested()
            node = neg(self.unary())
            self.depth -= 1
            return node
        if self.peek() == "+":
            self.take()
        return self.power()

    def power(self) -> Node:
        node = self.postfix()
        if self.peek() in ("^", "**"):
            self.take()
            if self.peek() == "T":
                self.take()
                return transpose(node)
            return power(node, self.exponent())
        return node

    def exponent(self) -> sp.Rational:
        paren = self.peek() == "("
        if paren:
            self.take()
        sign = -1 if self.peek() == "-" else 1
        if sign < 0:
            self.take()
        tok = self.take()
        if not tok[0].isdigit():
            raise fail(f"an exponent must be T or a number, not {tok!r}")
        if paren:
            self.take(")")
        value = sign * sp.Rational(tok)
        if abs(value) > 16:
            raise fail(f"the exponent {value} is beyond the limit of 16")
        return value

    def postfix(self) -> Node:
        node = self.atom()
        while self.peek() == ".T":
            self.take()
            node = transpose(node)
        return node

    def atom(self) -> Node:
        tok = self.take()
        if tok[0].isdigit():
            return number(sp.Rational(tok))
        if tok == "(":
            node = self.expr()
            self.take(")")
            return node
        if tok[0].isalpha() or tok[0] == "_":
            name = ALIASES.get(tok, tok)
            if self.peek() == "(" and (name in ELEMENTWISE or name in FUNCTIONS):
                return self.arguments(name)
            if self.peek() == "(" and name == "ones":
                return self.ones()
            if name in self.shapes:
                return symbol(name, self.shapes[name])
            if name in self.sizes:
                return size(name)
            if name in ELEMENTWISE or name in FUNCTIONS:
                raise fail(f"{name} is a function: write {name}(...)")
            known = ", ".join(sorted(self.shapes)) or "none"
            raise fail(f"unknown name {tok!r}: give its shape (known names: {known})")
        raise fail(f"unexpected {tok!r}")

    def ones(self) -> Node:
        """``ones(n)``: a column of ones; ``ones(m, n)``: a matrix of ones (sizes or integers)."""
        self.take("(")
        dims = [self.dimension()]
        if self.peek() == ",":
            self.take()
            dims.append(self.dimension())
        self.take(")")
        return ones((dims[0], dims[1] if len(dims) > 1 else sp.S.One))

    def dimension(self) -> sp.Expr:
        tok = self.take()
        if tok in self.sizes:
            return self.sizes[tok]
        if tok.isdigit() and int(tok) > 0:
            return sp.Integer(int(tok))
        raise fail(f"ones(...) takes sizes such as n or 3, not {tok!r}")

    def arguments(self, name: str) -> Node:
        self.take("(")
        args = [self.expr()]
        while self.peek() == ",":
            self.take()
            args.append(self.expr())
        self.take(")")
        return call(name, args)


def parse(text: str, shapes: Mapping[str, Sequence[str | int]]) -> Node:
    """The checked node of ``text`` given the variables' ``shapes`` (see :func:`sizes`)."""
    return Parser(text, sizes(shapes)).parse()
