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
"""

from __future__ import annotations

from collections.abc import Sequence

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
