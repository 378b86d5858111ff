r"""Moves on indexed sums of symbolic length :math:`n` (``IndexedBase`` entries, ``KroneckerDelta``).

Differentiating :math:`\sum_{k=1}^n f(z_k)` by :math:`z_j` gives :math:`\sum_k \delta_{jk} f'(z_k)`;
SymPy evaluates such a sum to ``Piecewise((f'(z_j), j <= n), (0, True))`` because it cannot know
that :math:`1 \le j \le n`. The moves here state that range once:

- :func:`sift`: :math:`\sum_{k=a}^{b} \delta_{jk}\, g(k) = g(j)` for every Kronecker sum in an
  expression (the index assumed in range, as its domain says); the verification ladder proves the
  link symbolically (deltas sifted, the case condition :math:`j \le n` decided by the index domains);
- :func:`softmax_entry`: :math:`e^{z_i} / \sum_{k=1}^n e^{z_k}` for an index (symbolic or concrete);
- :func:`softmax_vector`: the explicit softmax of :math:`(z_1, \dots, z_m)` as a column;
- :func:`fold_softmax`: an expression in exponentials rewritten in the softmax entries :math:`s_a`.

Index calculus at a symbolic size (matrix products, transposes, inverses as indexed sums):

- :func:`collapse`: :func:`sift` for multiple sums :math:`\sum_{k,l} \delta_{ik}\delta_{jl} H_{kl} = H_{ij}`;
- :func:`matmul`: the entry :math:`(AB)_{ij} = \sum_l A_{il} B_{lj}` (a transpose is a swap of indices);
- :class:`Symmetric`: the rule :math:`H_{ba} \to H_{ab}` (indices in a canonical order) of a symmetric matrix;
- :class:`Exchange`: :math:`\sum_j a_j \sum_c b_{jc} = \sum_c \sum_j a_j b_{jc}` (finite sums commute);
- :func:`in_range`: ``Piecewise((x, j <= n), (0, True))`` as ``x`` (the index in range, as its domain says);
- :class:`InverseOf`: the defining property of a named inverse, :math:`\sum_l A_{al}(A^{-1})_{lb} = \delta_{ab}`
  (and :math:`\sum_l (A^{-1})_{al}A_{lb} = \delta_{ab}`), as a rule: the inverse is never expanded.

The rules are picklable objects (a proof crosses process boundaries); a derivation uses one through a
named, cited fact (:mod:`derive.core.facts`), so the step says which property it rests on.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import sympy as sp
from sympy.concrete.delta import deltasummation


def _is_kronecker_sum(e: sp.Basic) -> bool:
    return isinstance(e, sp.Sum) and len(e.limits) == 1 and e.function.has(sp.KroneckerDelta)


def sift(expr: sp.Basic) -> sp.Basic:
    r"""Collapse every :math:`\sum_k \delta_{jk} g(k)` in ``expr`` to :math:`g(j)` (``j`` in range)."""

    def collapse(e: sp.Sum) -> sp.Expr:
        summand = sp.expand(e.function)
        return sp.Add(*(deltasummation(t, e.limits[0], no_piecewise=True) for t in sp.Add.make_args(summand)))

    return expr.replace(_is_kronecker_sum, collapse)


def softmax_entry(z: sp.IndexedBase, i: sp.Expr, k: sp.Symbol, n: sp.Expr) -> sp.Expr:
    r""":math:`s_i = e^{z_i} / \sum_{k=1}^{n} e^{z_k}` (``k`` is the summation index)."""
    return sp.exp(z[i]) / sp.Sum(sp.exp(z[k]), (k, 1, n))


def softmax_vector(entries: Sequence[sp.Expr]) -> sp.Matrix:
    r"""The column :math:`(e^{z_1}, \dots, e^{z_m})^\top / \sum_k e^{z_k}` for explicit ``entries``."""
    total = sp.Add(*(sp.exp(e) for e in entries))
    return sp.Matrix([sp.exp(e) / total for e in entries])


def fold_softmax(expr: sp.Basic, heads: sp.MatrixBase, logits: Sequence[sp.Symbol], total: sp.Expr) -> sp.Basic:
    r"""Rewrite ``expr`` in terms of softmax entries :math:`s_a = e^{z_a}/\mathrm{total}`: every
    :math:`e^{c_1 z_1 + \dots + c_m z_m}` becomes :math:`\prod_a (s_a\,\mathrm{total})^{c_a}` and the
    common denominator ``total`` must cancel (a ``ValueError`` otherwise)."""
    t = sp.Dummy("total", positive=True)

    def power(e: sp.Expr) -> sp.Expr:
        arg = sp.expand(e.args[0])
        coeffs = [arg.coeff(z) for z in logits]
        if sp.expand(arg - sum(c * z for c, z in zip(coeffs, logits, strict=True))) != 0:
            return e
        return sp.Mul(*((h * t) ** c for h, c in zip(heads, coeffs, strict=True)))

    def one(e: sp.Expr) -> sp.Expr:
        return sp.cancel(e.xreplace({total: t}).replace(lambda a: isinstance(a, sp.exp), power))

    out = expr.applyfunc(one) if isinstance(expr, sp.MatrixBase) else one(expr)
    if out.has(t):
        raise ValueError("the common denominator did not cancel")
    return out


# ------------------------------------------------------------------------------ index calculus
def collapse(expr: sp.Basic) -> sp.Basic:
    r"""Collapse every Kronecker delta against the sums it meets, over any number of limits:
    :math:`\sum_{k,l}\delta_{ik}\delta_{jl}H_{kl} = H_{ij}` (indices assumed in range, as in :func:`sift`)."""

    def one_term(term: sp.Expr, limits: tuple[tuple[sp.Basic, ...], ...]) -> sp.Expr:
        kept = []
        for lim in limits:
            var = lim[0]
            if any(var in dl.free_symbols for dl in term.atoms(sp.KroneckerDelta)):
                term = sp.expand(deltasummation(term, lim, no_piecewise=True))
            else:
                kept.append(lim)
        return sp.Sum(term, *kept) if kept and term != 0 else term

    def one(e: sp.Sum) -> sp.Expr:
        return sp.Add(*(one_term(t, e.limits) for t in sp.Add.make_args(sp.expand(e.function))))

    return expr.replace(lambda e: isinstance(e, sp.Sum) and e.function.has(sp.KroneckerDelta), one)


def matmul(a: sp.IndexedBase, b: sp.IndexedBase, i: sp.Expr, j: sp.Expr, inner: sp.Symbol, n: sp.Expr) -> sp.Sum:
    r""":math:`(AB)_{ij} = \sum_{l=1}^{n} A_{il}B_{lj}` (``inner``: :math:`l`; ``n``: the inner size)."""
    return sp.Sum(a[i, inner] * b[inner, j], (inner, 1, n))


def _canonical_pair(a: sp.Basic, b: sp.Basic) -> tuple[sp.Basic, sp.Basic]:
    return (a, b) if sp.default_sort_key(a) <= sp.default_sort_key(b) else (b, a)


@dataclass(frozen=True)
class Symmetric:
    r"""The rule of a symmetric matrix :math:`H = H^\top`: every entry written :math:`H_{ab}` with its
    indices in SymPy's canonical order, so :math:`H_{ki}` and :math:`H_{ik}` become one object."""

    base: sp.IndexedBase

    def __call__(self, expr: sp.Basic) -> sp.Basic:
        return expr.replace(
            lambda e: isinstance(e, sp.Indexed) and e.base == self.base and len(e.indices) == 2,
            lambda e: self.base[_canonical_pair(*e.indices)],
        )


@dataclass(frozen=True)
class InverseOf:
    r"""The defining property of a named inverse :math:`B = A^{-1}` of an :math:`n\times n` matrix:
    :math:`\sum_{l=1}^n A_{al}B_{lb} = \sum_{l=1}^n B_{al}A_{lb} = \delta_{ab}`, applied to every sum over
    one index whose summand is such a pair times factors free of the index; and in vector form,
    :math:`\sum_i B_{ai}\sum_l A_{il}x_l = \sum_l \delta_{al}x_l` (:math:`A^{-1}(A\mathbf{x}) = \mathbf{x}`, and
    with :math:`A`, :math:`B` swapped). Nothing else is rewritten."""

    matrix: sp.IndexedBase
    inverse: sp.IndexedBase
    size: sp.Expr

    def __call__(self, expr: sp.Basic) -> sp.Basic:
        return expr.replace(lambda e: isinstance(e, sp.Sum), self._contract)

    def _contract(self, total: sp.Sum) -> sp.Expr:
        if len(total.limits) != 1:
            return total
        var, lo, hi = total.limits[0]
        if lo != 1 or hi != self.size:
            return total
        terms = [self._term(t, var) for t in sp.Add.make_args(sp.expand(total.function))]
        if any(t is None for t in terms):
            return total
        return sp.Add(*terms)

    def _term(self, term: sp.Expr, var: sp.Symbol) -> sp.Expr | None:
        return self._pair(term, var) if (nested := self._nested(term, var)) is None else nested

    def _nested(self, term: sp.Expr, var: sp.Symbol) -> sp.Expr | None:
        r""":math:`c\,P_{ai}\sum_l Q_{il}y_l` with :math:`\{P, Q\} = \{A, A^{-1}\}` as :math:`c\sum_l\delta_{al}y_l`."""
        factors = list(sp.Mul.make_args(term))
        inner = [f for f in factors if isinstance(f, sp.Sum) and len(f.limits) == 1]
        outer = [f for f in factors if isinstance(f, sp.Indexed) and f.base in (self.matrix, self.inverse)]
        if len(inner) != 1 or len(outer) != 1 or outer[0].indices[1] != var:
            return None
        total, left = inner[0], outer[0]
        rest = sp.Mul(*(f for f in factors if f is not total and f is not left))
        lvar, lo, hi = total.limits[0]
        summand = list(sp.Mul.make_args(total.function))
        right = [f for f in summand if isinstance(f, sp.Indexed) and f.base in (self.matrix, self.inverse)]
        if (
            len(right) != 1
            or right[0].base == left.base
            or right[0].indices != (var, lvar)
            or (lo, hi) != (1, self.size)
        ):
            return None
        y = sp.Mul(*(f for f in summand if f is not right[0]))
        if var in (rest * y).free_symbols or var == left.indices[0]:
            return None
        return rest * sp.Sum(sp.KroneckerDelta(left.indices[0], lvar) * y, (lvar, 1, self.size))

    def _pair(self, term: sp.Expr, var: sp.Symbol) -> sp.Expr | None:
        factors = list(sp.Mul.make_args(term))
        picks = [f for f in factors if isinstance(f, sp.Indexed) and f.base in (self.matrix, self.inverse)]
        for left in picks:
            for right in picks:
                if left.base == right.base or left is right:
                    continue
                (a, x), (y, b) = left.indices, right.indices
                rest = sp.Mul(*(f for f in factors if f is not left and f is not right))
                if x == var and y == var and var not in rest.free_symbols and var not in (a, b):
                    return rest * sp.KroneckerDelta(a, b)
        return None


def in_range(expr: sp.Basic) -> sp.Basic:
    r"""Every ``Piecewise((x, cond), (0, True))`` whose ``cond`` only compares integer symbols (an index in its
    range, :math:`j \le n`) as ``x``; the ladder decides the condition from the index domains when it verifies."""

    def index_condition(cond: sp.Basic) -> bool:
        rels = [cond] if isinstance(cond, sp.core.relational.Relational) else list(cond.args)
        return bool(rels) and all(
            isinstance(c, sp.core.relational.Relational) and all(s.is_integer for s in c.free_symbols) for c in rels
        )

    def keep(e: sp.Piecewise) -> sp.Basic:
        if len(e.args) == 2 and e.args[1] == (0, True) and index_condition(e.args[0][1]):
            return e.args[0][0]
        return e

    return expr.replace(lambda e: isinstance(e, sp.Piecewise), keep)


@dataclass(frozen=True)
class Exchange:
    r"""Finite sums commute: :math:`\sum_{j} a_j \sum_{c} b_{jc} = \sum_{c}\sum_{j} a_j b_{jc}` when the range of
    :math:`c` does not depend on :math:`j`; factors free of :math:`j` then stand outside the new inner sum.
    Applied to every sum over one index whose summand holds exactly one inner sum over one index; nothing else
    is rewritten."""

    def __call__(self, expr: sp.Basic) -> sp.Basic:
        return expr.replace(lambda e: isinstance(e, sp.Sum) and len(e.limits) == 1, self._swap)

    @staticmethod
    def _swap(total: sp.Sum) -> sp.Basic:
        var = total.limits[0][0]
        factors = list(sp.Mul.make_args(total.function))
        inner = [f for f in factors if isinstance(f, sp.Sum) and len(f.limits) == 1]
        if len(inner) != 1:
            return total
        ivar, lo, hi = inner[0].limits[0]
        rest = sp.Mul(*(f for f in factors if f is not inner[0]))
        if var in (lo.free_symbols | hi.free_symbols) or ivar in rest.free_symbols or ivar == var:
            return total
        body = sp.Mul.make_args(rest * inner[0].function)
        free = sp.Mul(*(b for b in body if var not in b.free_symbols))  # constant in the new inner sum
        tied = sp.Mul(*(b for b in body if var in b.free_symbols))
        return sp.Sum(free * sp.Sum(tied, total.limits[0]), (ivar, lo, hi))
