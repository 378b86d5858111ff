r"""Entries of linked indexed objects for the numeric statement checks: a named inverse and a symmetric matrix.

A statement may name :math:`H^{-1}` as an ``IndexedBase`` of its own; drawn independently of :math:`H`, its
entries would make every such statement fail. The link is declared once, by the cited fact a derivation
assumes (:meth:`~derive.core.derivation.Derivation.assume` with ``INVERSE.applied(InverseOf(H, Hinv, n))`` or
``SYMMETRIC.applied(Symmetric(H))``): :class:`Links` reads those rules from the chains, and
:class:`LinkedEntries` draws the entries of :math:`H` as one block at the point's size :math:`n` (symmetric if
declared so, redrawn until well conditioned, :math:`\kappa_2(H) \le` :data:`MAX_CONDITION`) and sets
:math:`H^{-1}` from ``mpmath``'s inverse at the check's precision. Every other entry is drawn on its own.

A matrix built from data (:math:`M = X^\top X + \lambda I`, :math:`\Phi\Phi^\top + \lambda I`) is not drawn: it is a
:class:`MatrixEntry` function :math:`M_{ab}` defined by its body (the identity's ``definitions``, which the ladder
unfolds), and its named inverse rests on :class:`DefinedInverse`, the defining property with :math:`M` given by
that body. Its entries are then *computed*: :math:`M` from the entries of the data drawn for the same point (shared
with the rest of the statement) and its inverse by ``mpmath``; positive definite for :math:`\lambda > 0`, it
needs no redraw. :class:`SymmetricIn` is the symmetry of two index positions of a many-index object (the
Hessians :math:`(\nabla^2 r_i)_{jk}` of several residuals), drawn symmetric in them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import mpmath
import numpy as np
import sympy as sp

from ..maths.indexed import InverseOf, Symmetric
from ..numeric import precise

#: the largest 2-norm condition number accepted for a matrix whose inverse is named, and the draws tried
MAX_CONDITION = 1e3
TRIES = 50

Draw = Callable[[sp.IndexedBase], Any]
#: the summation index an inserted :math:`M^{-1}M` uses by default
INNER = sp.Symbol("l", integer=True, positive=True)


class MatrixEntry(sp.Function):
    r"""The entry :math:`M_{ab}` of a matrix built from data, a function of its two indices printed with the
    class's ``tex`` as :math:`M_{ab}`; subclass it per matrix (``class Gram(MatrixEntry): tex = "G"``) and define
    ``Gram(a, b)`` by its body in the identity's ``definitions``."""

    tex = "M"
    nargs = 2

    def _latex(self, printer: Any, exp: Any = None) -> str:
        sub = "".join(printer._print(a) for a in self.args)
        head = rf"{self.tex}_{{{sub}}}"
        return head if exp is None else rf"\left({head}\right)^{{{exp}}}"

    def _sympystr(self, printer: Any) -> str:
        return f"{type(self).__name__}[{', '.join(printer._print(a) for a in self.args)}]"


@dataclass(frozen=True)
class DefinedInverse:
    r"""The defining property of a named inverse :math:`B = M^{-1}` (an ``IndexedBase``) of an :math:`n\times n`
    matrix built from data, :math:`M_{ab}` = ``head`` (a :class:`MatrixEntry` at two symbols) = ``body``.

    As a rule: every :math:`\sum_{l=1}^n M_{al}B_{lb}` (or :math:`B_{al}M_{lb}`, and their vector forms) becomes
    :math:`\delta_{ab}`, as :class:`~derive.maths.indexed.InverseOf` does for a named matrix; with ``insert``, the
    property read the other way: a factor :math:`\delta_{xv}` of a sum over :math:`v = 1..n` becomes
    :math:`\sum_{l=1}^n B_{xl}M_{lv}` (``inner`` is :math:`l`), inserting :math:`I = M^{-1}M` (or
    :math:`MM^{-1}`, ``right``). Nothing else is rewritten; the numeric checks compute :math:`B` from ``body``
    (:class:`LinkedEntries`)."""

    head: sp.Basic
    body: sp.Basic
    inverse: sp.IndexedBase
    size: sp.Expr
    insert: bool = False
    inner: sp.Symbol = INNER
    #: with ``insert``: :math:`\delta_{vx} \to \sum_l M_{vl}B_{lx}` (:math:`I = MM^{-1}`, to the right of :math:`v`)
    right: bool = False

    def __call__(self, expr: sp.Basic) -> sp.Basic:
        return self._insert(expr) if self.insert else self._contract(expr)

    def _contract(self, expr: sp.Basic) -> sp.Basic:
        stand = sp.IndexedBase(f"{type(self.head).__name__}__entries")
        named = expr.replace(type(self.head), lambda a, b: stand[a, b])
        out = InverseOf(stand, self.inverse, self.size)(named)
        return out.replace(
            lambda e: isinstance(e, sp.Indexed) and e.base == stand, lambda e: type(self.head)(*e.indices)
        )

    def _insert(self, expr: sp.Basic) -> sp.Basic:
        def one(total: sp.Sum) -> sp.Basic:
            var, lo, hi = total.limits[0]
            if (lo, hi) != (1, self.size):
                return total
            terms = []
            for term in sp.Add.make_args(total.function):
                factors = list(sp.Mul.make_args(term))
                hit = next((f for f in factors if _delta_on(f, var)), None)
                if hit is not None:
                    x, l_ = next(a for a in hit.args if a != var), self.inner
                    pair = (
                        type(self.head)(var, l_) * self.inverse[l_, x]
                        if self.right
                        else self.inverse[x, l_] * type(self.head)(l_, var)
                    )
                    inserted = sp.Sum(pair, (l_, 1, self.size))
                    term = sp.Mul(*(inserted if f is hit else f for f in factors))
                terms.append(term)
            return sp.Sum(sp.Add(*terms), total.limits[0])

        return expr.replace(lambda e: isinstance(e, sp.Sum) and len(e.limits) == 1, one)


def _delta_on(f: sp.Basic, var: sp.Symbol) -> bool:
    """Whether ``f`` is a Kronecker delta between ``var`` and another index."""
    return isinstance(f, sp.KroneckerDelta) and var in f.args and f.args[0] != f.args[1]


@dataclass(frozen=True)
class SymmetricIn:
    r"""The symmetry of an object in two index positions, :math:`T_{ijk} = T_{ikj}` (``positions`` counted from
    0): every entry written with those indices in SymPy's canonical order."""

    base: sp.IndexedBase
    positions: tuple[int, int] = (1, 2)

    def __call__(self, expr: sp.Basic) -> sp.Basic:
        return expr.replace(
            lambda e: isinstance(e, sp.Indexed) and e.base == self.base and len(e.indices) > max(self.positions),
            lambda e: self.base[self.canonical(e.indices)],
        )

    def canonical(self, indices: tuple[Any, ...]) -> tuple[Any, ...]:
        """``indices`` with the two positions in SymPy's order (numbers: ascending)."""
        a, b = self.positions
        pair = sorted((indices[a], indices[b]), key=sp.default_sort_key)
        out = list(indices)
        out[a], out[b] = pair
        return tuple(out)


@dataclass(frozen=True)
class Links:
    """The inverse pairs and the symmetric matrices the derivation's cited facts declare."""

    inverses: tuple[InverseOf, ...] = ()
    symmetric: frozenset[sp.Basic] = frozenset()
    #: named inverses of matrices built from data, one per inverse
    defined: tuple[DefinedInverse, ...] = ()
    #: objects symmetric in two index positions
    partial: tuple[SymmetricIn, ...] = ()

    @classmethod
    def of(cls, chains: Iterable[Any]) -> Links:
        """The links declared by the rules of the facts the ``chains``' steps assume."""
        rules = [getattr(f, "rule", None) for c in chains for s in c.steps for f in s.assumes]
        inverses = tuple(dict.fromkeys(r for r in rules if isinstance(r, InverseOf)))
        symmetric = frozenset(r.base for r in rules if isinstance(r, Symmetric))
        defined = {r.inverse: r for r in rules if isinstance(r, DefinedInverse)}
        partial = tuple(dict.fromkeys(r for r in rules if isinstance(r, SymmetricIn)))
        return cls(inverses, symmetric, tuple(defined.values()), partial)

    def __bool__(self) -> bool:
        return bool(self.inverses or self.symmetric or self.defined or self.partial)


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
        for sym in self.links.partial:
            if sym.base == base and len(indices) > max(sym.positions):
                indices = sym.canonical(indices)
        key = (base, indices)
        if key not in self.cache:
            pair = next((p for p in self.links.inverses if base in (p.matrix, p.inverse)), None)
            defined = next((d for d in self.links.defined if d.inverse == base), None)
            if defined is not None:
                self._compute(defined)
                if key not in self.cache:
                    raise ValueError(
                        f"the entry {base}{list(indices)} is outside its {self._size(defined)}-square matrix"
                    )
            elif pair is None:
                self.cache[key] = self.draw(base)
            else:
                self._fill(pair)
                if key not in self.cache:
                    raise ValueError(f"the entry {base}{list(indices)} is outside its {self._size(pair)}-square matrix")
        return self.cache[key]

    def _size(self, pair: InverseOf | DefinedInverse) -> int:
        size = sp.sympify(pair.size).xreplace(dict(self.point))
        if not size.is_Integer or size < 1:
            raise ValueError(f"the size {pair.size} of {pair.inverse}'s matrix is not a positive integer at this point")
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

    def _compute(self, link: DefinedInverse) -> None:
        r"""Set :math:`M^{-1}` from :math:`M` computed entry by entry from its body, on this point's data (the data
        entries drawn once, shared with the statement); a singular :math:`M` is a ``ValueError``."""
        n = self._size(link)
        a, b = link.head.args
        at = precise.to_mp(self.point, self.dps)
        params = {s for s in link.body.free_symbols if isinstance(s, sp.Symbol)} - {a, b} - set(at)
        for sym in sorted(params, key=str):  # a parameter only the body shows
            if (sym, ()) not in self.cache:
                self.cache[(sym, ())] = self.draw(sp.IndexedBase(sym))  # drawn from the domain of its label
            at[sym] = self.cache[(sym, ())]
        m = [
            [precise.mp_value(link.body.xreplace({a: r, b: c}), at, self.dps, self) for c in range(1, n + 1)]
            for r in range(1, n + 1)
        ]
        with mpmath.workdps(self.dps):
            try:
                inv = mpmath.matrix(m) ** -1
            except ZeroDivisionError:
                raise ValueError(f"the matrix {link.head} is singular at this point") from None
        for r in range(n):
            for c in range(n):
                self.cache[(link.inverse, (r + 1, c + 1))] = inv[r, c]
