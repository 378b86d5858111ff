r"""Kronecker products and :math:`\operatorname{vec}` at symbolic sizes, entry by entry.

An index of a Kronecker product or of a vectorised matrix is a *pair*: for an :math:`m\times m` matrix
:math:`A` and an :math:`n\times n` matrix :math:`B`, row :math:`(a, g)` of :math:`A \otimes B` is the flat row
:math:`(a - 1)n + g` (block :math:`a`, row :math:`g` inside it), and

- :func:`kron_entry`: :math:`(A \otimes B)_{(a,g),(c,k)} = A_{ac}B_{gk}` (the definition);
- :func:`vec_entry`: :math:`\operatorname{vec}(X)_{(c,k)} = X_{kc}` for :math:`X` with :math:`n` rows
  (columns stacked: block :math:`c` is column :math:`c`), the same pair convention, so that
  :math:`\operatorname{vec}(\delta a^\top) = a \otimes \delta`; :func:`vec_blocks` is the definition
  :math:`\operatorname{vec}(X) = \sum_c e_c \otimes X_{:,c}` as a sum with a Kronecker delta;
- :func:`kron_matvec`: :math:`((A \otimes B)\operatorname{vec} X)_{(a,g)} = \sum_{c=1}^{m}\sum_{k=1}^{n}
  A_{ac}B_{gk}X_{kc}` as nested sums;
- :func:`triple_entry`: :math:`(LMR)_{ga} = \sum_k\sum_c L_{gk}M_{kc}R_{ca}`;
- :func:`factor_sums`: constant factors pulled out of every sum, innermost first, so a nested sum of a
  product whose factors each use one index becomes a product of sums
  (:math:`\sum_u\sum_v f_u g_v = (\sum_u f_u)(\sum_v g_v)`).

An entry is given by an :data:`Entry` (``A[r, c]`` for an ``IndexedBase``, :func:`transposed` for
:math:`A^\top`). Rules a derivation applies through a named, cited fact (picklable objects):

- :class:`ExchangeLimits`: :math:`\sum_{c}\sum_{k} f = \sum_{k}\sum_{c} f` for a sum over two independent ranges;
- :class:`ProductLaw`: a joint law :math:`P_{uv}` of two independent variables as :math:`p_u q_v`;
- :class:`Regroup`: products of finite sums distributed into one sum and regrouped (:func:`merge_sums`,
  :func:`regroup`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import sympy as sp
from sympy.simplify.simplify import factor_sum

#: an entry of a matrix as a function of its row and column index
Entry = Callable[[sp.Expr, sp.Expr], sp.Expr]
#: a pair index (block, position in the block)
Pair = tuple[sp.Expr, sp.Expr]


@dataclass(frozen=True)
class transposed:
    r"""The entries of :math:`A^\top`: :math:`(A^\top)_{rc} = A_{cr}`."""

    base: sp.IndexedBase

    def __call__(self, r: sp.Expr, c: sp.Expr) -> sp.Expr:
        return self.base[c, r]


def entries(base: sp.IndexedBase) -> Entry:
    """The entries ``base[r, c]`` of a named matrix."""
    return lambda r, c: base[r, c]


def kron_entry(left: Entry, right: Entry, row: Pair, col: Pair) -> sp.Expr:
    r""":math:`(A \otimes B)_{(a,g),(c,k)} = A_{ac}B_{gk}`."""
    return left(row[0], col[0]) * right(row[1], col[1])


def vec_entry(x: Entry, pos: Pair) -> sp.Expr:
    r""":math:`\operatorname{vec}(X)_{(c,k)} = X_{kc}`: block :math:`c` of the column stack is column :math:`c`."""
    return x(pos[1], pos[0])


def vec_blocks(x: Entry, pos: Pair, over: tuple[sp.Symbol, sp.Expr]) -> sp.Sum:
    r"""Column stacking as a sum of blocks, :math:`\operatorname{vec}(X) = \sum_{c=1}^{m} e_c \otimes X_{:,c}`:
    entry :math:`(j, i)` is :math:`\sum_{c=1}^{m} [j = c]\,X_{ic}` (``over``: the column index :math:`c` and
    the number of columns :math:`m`)."""
    c, m = over
    return sp.Sum(sp.KroneckerDelta(pos[0], c) * x(pos[1], c), (c, 1, m))


def kron_matvec(left: Entry, right: Entry, x: Entry, row: Pair, inner: Pair, sizes: Pair) -> sp.Sum:
    r""":math:`((A \otimes B)\operatorname{vec} X)_{(a,g)} = \sum_{c=1}^{m}\sum_{k=1}^{n}
    (A \otimes B)_{(a,g),(c,k)}\operatorname{vec}(X)_{(c,k)}` (``inner``: the summation pair :math:`(c, k)`;
    ``sizes``: :math:`(m, n)`)."""
    (c, k), (m, n) = inner, sizes
    return sp.Sum(sp.Sum(kron_entry(left, right, row, inner) * vec_entry(x, inner), (k, 1, n)), (c, 1, m))


def triple_entry(left: Entry, mid: Entry, right: Entry, row: sp.Expr, col: sp.Expr, inner: Pair, sizes: Pair) -> sp.Sum:
    r""":math:`(LMR)_{gc'} = \sum_{k=1}^{n}\sum_{c=1}^{m} L_{gk}M_{kc}R_{cc'}` (``inner``: :math:`(c, k)`,
    ``sizes``: :math:`(m, n)`, the inner dimensions)."""
    (c, k), (m, n) = inner, sizes
    return sp.Sum(left(row, k) * mid(k, c) * right(c, col), (c, 1, m), (k, 1, n))


def factor_sums(expr: sp.Basic) -> sp.Basic:
    r"""Every sum with the factors free of its index taken out, innermost sums first (a sum over several
    indices taken as nested sums): :math:`\sum_u\sum_v f_u g_v = \sum_u f_u \sum_v g_v = (\sum_u f_u)(\sum_v g_v)`."""
    if isinstance(expr, sp.Sum):
        body = expr.function
        for lim in expr.limits[:-1]:  # innermost first
            body = sp.Sum(body, lim)
        return factor_sum(sp.Sum(factor_sums(body), expr.limits[-1]))
    if not expr.args or not expr.has(sp.Sum):
        return expr
    return expr.func(*(factor_sums(a) for a in expr.args))


# ------------------------------------------------------------------------------ rules for cited facts
@dataclass(frozen=True)
class ExchangeLimits:
    r"""Finite sums commute: every sum over two indices whose ranges do not name each other,
    :math:`\sum_{c}\sum_{k} f_{ck}`, written :math:`\sum_{k}\sum_{c} f_{ck}` (the order of its limits reversed)."""

    def __call__(self, expr: sp.Basic) -> sp.Basic:
        return expr.replace(lambda e: isinstance(e, sp.Sum) and len(e.limits) == 2, self._swap)

    @staticmethod
    def _swap(total: sp.Sum) -> sp.Basic:
        (x, xlo, xhi), (y, ylo, yhi) = total.limits
        if x in (ylo.free_symbols | yhi.free_symbols) or y in (xlo.free_symbols | xhi.free_symbols):
            return total
        return sp.Sum(total.function, (y, ylo, yhi), (x, xlo, xhi))


@dataclass(frozen=True)
class ProductLaw:
    r"""Independence as a rule: the joint law :math:`P_{uv}` of two variables written :math:`p_u q_v`."""

    joint: sp.IndexedBase
    first: sp.IndexedBase
    second: sp.IndexedBase

    def __call__(self, expr: sp.Basic) -> sp.Basic:
        return expr.replace(
            lambda e: isinstance(e, sp.Indexed) and e.base == self.joint,
            lambda e: self.first[e.indices[0]] * self.second[e.indices[1]],
        )


def merge_sums(expr: sp.Basic) -> sp.Basic:
    r"""Every sum whose summand multiplies other sums written as one sum over all the indices (products
    distribute over finite sums): :math:`\sum_c a_c\bigl(\sum_e b_{ce}\bigr)\bigl(\sum_f d_{cf}\bigr) =
    \sum_{c,e,f} a_c b_{ce} d_{cf}`, when the inner indices are distinct and used nowhere else."""

    def merge(total: sp.Sum) -> sp.Basic:
        factors = sp.Mul.make_args(total.function)
        inner = [f for f in factors if isinstance(f, sp.Sum)]
        rest = [f for f in factors if not isinstance(f, sp.Sum)]
        names = [lim[0] for s in inner for lim in s.limits]
        outside = set().union(*(f.free_symbols for f in rest)) | {lim[0] for lim in total.limits}
        if not inner or len(set(names)) != len(names) or outside & set(names):
            return total
        return sp.Sum(
            sp.Mul(*rest, *(s.function for s in inner)), *total.limits, *(lim for s in inner for lim in s.limits)
        )

    return expr.replace(lambda e: isinstance(e, sp.Sum), merge)


def regroup(total: sp.Sum, inner: int) -> sp.Sum:
    r"""A sum over several indices as an inner sum over its ``inner`` innermost indices, the factors free of them
    taken out: :math:`\sum_{e,f}\sum_{c,k} x_{e}y_{ekc} = \sum_{e,f} x_e\sum_{c,k} y_{ekc}`."""
    body = factor_sum(sp.Sum(total.function, *total.limits[:inner]))
    return sp.Sum(body, *total.limits[inner:])


@dataclass(frozen=True)
class Regroup:
    r"""Finite sums regrouped, as a rule: the products of sums in a sum distributed into one sum over all the
    indices (:func:`merge_sums`), then its ``inner`` innermost indices made an inner sum with the factors free of
    them outside (:func:`regroup`):
    :math:`\sum_{c,k}\bigl(\sum_e x_{ie}y_{ek}\bigr)G_{kc}\bigl(\sum_f z_{cf}w_{fj}\bigr) =
    \sum_{e,f} x_{ie}w_{fj}\sum_{c,k} y_{ek}G_{kc}z_{cf}`."""

    inner: int

    def __call__(self, expr: sp.Basic) -> sp.Basic:
        merged = merge_sums(expr)
        return regroup(merged, self.inner) if isinstance(merged, sp.Sum) else merged
