r"""Entries of linked indexed objects for the numeric statement checks: a named inverse and a symmetric matrix.

A statement may name :math:`H^{-1}` as an ``IndexedBase`` of its own; drawn independently of :math:`H`, its
entries would make every such statement fail. The link is declared once, by the cited fact a derivation
assumes (:meth:`~derive.core.derivation.Derivation.assume` with ``INVERSE.applied(InverseOf(H, Hinv, n))`` or
``SYMMETRIC.applied(Symmetric(H))``): :class:`Links` reads those rules from the chains, and
:class:`LinkedEntries` draws the entries of :math:`H` as one block at the point's size :math:`n` (symmetric if
declared so, redrawn until well conditioned, :math:`\kappa_2(H) \le` :data:`MAX_CONDITION`) and sets
:math:`H^{-1}` from ``mpmath``'s inverse at the check's precision. Every other entry is drawn on its own.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import mpmath
import numpy as np
import sympy as sp

from ..maths.indexed import InverseOf, Symmetric

#: the largest 2-norm condition number accepted for a matrix whose inverse is named, and the draws tried
MAX_CONDITION = 1e3
TRIES = 50

Draw = Callable[[sp.IndexedBase], Any]


@dataclass(frozen=True)
class Links:
    """The inverse pairs and the symmetric matrices the derivation's cited facts declare."""

    inverses: tuple[InverseOf, ...] = ()
    symmetric: frozenset[sp.Basic] = frozenset()

    @classmethod
    def of(cls, chains: Iterable[Any]) -> Links:
        """The links declared by the rules of the facts the ``chains``' steps assume."""
        rules = [getattr(f, "rule", None) for c in chains for s in c.steps for f in s.assumes]
        inverses = tuple(dict.fromkeys(r for r in rules if isinstance(r, InverseOf)))
        symmetric = frozenset(r.base for r in rules if isinstance(r, Symmetric))
        return cls(inverses, symmetric)

    def __bool__(self) -> bool:
        return bool(self.inverses or self.symmetric)


@dataclass
class LinkedEntries:
    """``entry(base, indices)`` for one point: each entry drawn once by ``draw`` and kept; a symmetric base's
    :math:`H_{ba}` read as :math:`H_{ab}`; a matrix and its named inverse filled together as one block."""

    links: Links
    draw: Draw
    point: Mapping[sp.Basic, sp.Basic]
    dps: int
    cache: dict[tuple[sp.Basic, tuple[int, ...]], Any] = field(default_factory=dict)

    def __call__(self, base: sp.IndexedBase, indices: tuple[int, ...]) -> Any:
        indices = tuple(int(i) for i in indices)
        if base in self.links.symmetric and len(indices) == 2:
            indices = (min(indices), max(indices))
        key = (base, indices)
        if key not in self.cache:
            pair = next((p for p in self.links.inverses if base in (p.matrix, p.inverse)), None)
            if pair is None:
                self.cache[key] = self.draw(base)
            else:
                self._fill(pair)
                if key not in self.cache:
                    raise ValueError(f"the entry {base}{list(indices)} is outside its {self._size(pair)}-square matrix")
        return self.cache[key]

    def _size(self, pair: InverseOf) -> int:
        size = sp.sympify(pair.size).xreplace(dict(self.point))
        if not size.is_Integer or size < 1:
            raise ValueError(f"the size {pair.size} of {pair.matrix} is not a positive integer at this point")
        return int(size)

    def _fill(self, pair: InverseOf) -> None:
        r"""Draw :math:`A` (well conditioned; symmetric if declared) and set :math:`A^{-1}` beside it."""
        n = self._size(pair)
        symmetric = pair.matrix in self.links.symmetric
        for _ in range(TRIES):
            a = [[self.draw(pair.matrix) for _ in range(n)] for _ in range(n)]
            if symmetric:
                a = [[a[min(r, c)][max(r, c)] for c in range(n)] for r in range(n)]
            if np.linalg.cond(np.array(a, dtype=float)) <= MAX_CONDITION:
                break
        else:
            raise ValueError(f"no well-conditioned {pair.matrix} in {TRIES} draws")
        with mpmath.workdps(self.dps):
            inv = mpmath.matrix(a) ** -1
        for r in range(n):
            for c in range(n):
                self.cache[(pair.matrix, (r + 1, c + 1))] = mpmath.mpf(a[r][c])
                self.cache[(pair.inverse, (r + 1, c + 1))] = inv[r, c]
