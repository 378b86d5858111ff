r"""The relations a derivation's links and statements use, in one table.

A link of a chain is ``=`` (:meth:`Derivation.then`), a bound ``<=``, ``<``, ``>=``, ``>``
(:meth:`Derivation.bound`), ``<=>`` between equivalent equations (:meth:`Derivation.solve` when the
root is the only one in the domain, or ``then`` on an ``Eq``), or ``<==`` when the new equation only
implies the previous one (:meth:`Derivation.solve` with a chosen ``root``: the root satisfies the
equation, other roots may exist). Links compose: ``=`` is neutral, ``<=`` then ``<`` is ``<``,
``<=>`` then ``<==`` is ``<==``, ``<=`` then ``>=`` proves nothing. A chain proves the composition of
its links, and that must imply the statement's own relation (a chain of ``=`` and ``<`` links proves
a ``<=`` statement; a chain with a ``<==`` link proves no equivalence).
"""

from __future__ import annotations

from enum import StrEnum

import sympy as sp


class Relation(StrEnum):
    """A relation between consecutive forms (its value is the ASCII spelling, ``"<="``)."""

    EQ = "="
    LE = "<="
    LT = "<"
    GE = ">="
    GT = ">"
    IFF = "<=>"
    #: the next equation implies the previous one (a chosen root satisfies the equation)
    IF = "<=="

    @property
    def tex(self) -> str:
        """The LaTeX symbol (``\\le``)."""
        return _TEX[self]

    @property
    def text(self) -> str:
        """The symbol for plain text (``≤``)."""
        return _TEXT[self]

    @property
    def strict(self) -> bool:
        return self in (Relation.LT, Relation.GT)

    @property
    def upward(self) -> bool:
        """True for ``<=`` and ``<``: the next form is the larger one."""
        return self in (Relation.LE, Relation.LT)

    def then(self, other: Relation) -> Relation | None:
        """The relation of two links in a row (``None``: they prove nothing together)."""
        return _COMPOSE.get((self, other)) or _COMPOSE.get((other, self))

    def implies(self, claimed: Relation) -> bool:
        """Whether a chain proving ``self`` proves a statement claiming ``claimed``."""
        return self in _IMPLIED_BY[claimed]

    @classmethod
    def of(cls, relation: sp.Basic) -> Relation:
        """The relation of a SymPy ``Eq``/``Le``/``Lt``/``Ge``/``Gt`` (``EQ`` for anything else)."""
        return _SYMPY.get(type(relation), Relation.EQ)


_TEX = {
    Relation.EQ: "=",
    Relation.LE: r"\le",
    Relation.LT: "<",
    Relation.GE: r"\ge",
    Relation.GT: ">",
    Relation.IFF: r"\iff",
    Relation.IF: r"\Longleftarrow",
}
_TEXT = {
    Relation.EQ: "=",
    Relation.LE: "≤",
    Relation.LT: "<",
    Relation.GE: "≥",
    Relation.GT: ">",
    Relation.IFF: "⇔",
    Relation.IF: "⇐",
}
_SYMPY = {sp.Eq: Relation.EQ, sp.Le: Relation.LE, sp.Lt: Relation.LT, sp.Ge: Relation.GE, sp.Gt: Relation.GT}
#: two links and what they prove together (either order; ``=`` is neutral)
_COMPOSE = {
    (Relation.EQ, Relation.EQ): Relation.EQ,
    (Relation.EQ, Relation.LE): Relation.LE,
    (Relation.EQ, Relation.LT): Relation.LT,
    (Relation.LE, Relation.LE): Relation.LE,
    (Relation.LE, Relation.LT): Relation.LT,
    (Relation.LT, Relation.LT): Relation.LT,
    (Relation.EQ, Relation.GE): Relation.GE,
    (Relation.EQ, Relation.GT): Relation.GT,
    (Relation.GE, Relation.GE): Relation.GE,
    (Relation.GE, Relation.GT): Relation.GT,
    (Relation.GT, Relation.GT): Relation.GT,
    (Relation.EQ, Relation.IFF): Relation.IFF,
    (Relation.IFF, Relation.IFF): Relation.IFF,
    (Relation.EQ, Relation.IF): Relation.IF,
    (Relation.IFF, Relation.IF): Relation.IF,
    (Relation.IF, Relation.IF): Relation.IF,
}
#: a statement claiming the key is proved by a chain of any of these
_IMPLIED_BY = {
    Relation.EQ: {Relation.EQ},
    Relation.LE: {Relation.EQ, Relation.LE, Relation.LT},
    Relation.LT: {Relation.LT},
    Relation.GE: {Relation.EQ, Relation.GE, Relation.GT},
    Relation.GT: {Relation.GT},
    Relation.IFF: {Relation.IFF},
    Relation.IF: {Relation.IFF, Relation.IF},
}
