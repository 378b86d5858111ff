"""What an identity claims: one or more labelled :class:`Statement` parts.

A part is a SymPy relation (``Eq``, ``Le``, ``Lt``, ``Ge``, ``Gt``) that a chain of the derivation
concludes, or, for what can only be checked numerically (an optimality over all matrices, a measured
constant, a statistical bound), a sentence with the numeric check that supports it
(:func:`numerically`); the sheet and ``Proof.level`` say which part is which.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import sympy as sp

from ..numeric.crosscheck import CheckContext, CrossCheckResult

#: an independent numeric check: a seeded context in, a result (error, tolerance, verdict) out
CrossCheck = Callable[[CheckContext], CrossCheckResult]


@dataclass(frozen=True)
class Statement:
    """One part of a claim: ``relation`` (symbolic), or ``numeric`` with ``text`` saying what it checks."""

    label: str
    relation: sp.Basic | None = None
    numeric: CrossCheck | None = None
    text: str = ""

    @property
    def symbolic(self) -> bool:
        return self.relation is not None


def numerically(label: str, text: str, check: CrossCheck) -> Statement:
    """A claim part established only numerically (the sheet and ``Proof.level`` say so)."""
    return Statement(label, None, check, text)
