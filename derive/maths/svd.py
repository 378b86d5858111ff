r"""A matrix of any size in its singular basis: the forms the SVD pages reason with.

Every real :math:`m\times n` matrix is
:math:`A = U\Sigma V^\top = \sum_{i=1}^{p}\sigma_i\mathbf{u}_i\mathbf{v}_i^\top`, :math:`p = \min(m, n)`, with
orthonormal singular vectors (:math:`\mathbf{u}_i^\top\mathbf{u}_j = \delta_{ij}`,
:math:`\mathbf{v}_i^\top\mathbf{v}_j = \delta_{ij}`) and :math:`\sigma_1 \ge \dots \ge \sigma_p \ge 0` (any rank:
trailing :math:`\sigma_i` may be :math:`0`). In the coordinates of the singular bases,
:math:`U^\top AV = \Sigma`, every norm or product of :math:`A` becomes a sum over the singular index with Kronecker
deltas where the singular vectors meet; the SVD pages open their chains there (the cited facts of
:mod:`derive.core.facts` say why the coordinates exist) and let :func:`~derive.maths.indexed.collapse` compute the
rest. The sizes are symbols:

- ``p`` singular values, ``k`` of them kept by a truncation and ``q = p - k`` dropped (the tail
  :math:`\sigma_{k+1}, \dots, \sigma_{k+q}` is indexed ``k + t``, ``t = 1..q``, so every sum runs over ``1..q``).
"""

from __future__ import annotations

import sympy as sp

from .domains import Domain, integer, nonnegative
from .indexed import collapse
from .notation import Notation

# -- sizes and indices ---------------------------------------------------------------------------------
#: the number of singular values p = min(m, n), the kept k >= 0 and the dropped q >= 1 of a truncation
p, q = sp.symbols("p q", integer=True, positive=True)
k = sp.Symbol("k", integer=True, nonnegative=True)
#: singular indices: a, b entries; c, t, u summation indices
a, b, c, t, u = sp.symbols("a b c t u", integer=True, positive=True)
#: the singular values sigma_i >= 0 (any rank: zeros allowed)
sigma = sp.IndexedBase("sigma", nonnegative=True)
delta = sp.KroneckerDelta

SIZES: dict[sp.Basic, Domain] = {
    p: integer(1, 5),
    k: integer(0, 4),
    q: integer(1, 4),
    a: integer(1, p),
    b: integer(1, p),
}
SINGULAR_VALUES = nonnegative(5)


def tail(index: sp.Expr) -> sp.Expr:
    r""":math:`\sigma_{k + \text{index}}`: a dropped singular value (``index`` in ``1..q``)."""
    return sigma[k + index]


def gram_entry(vals: sp.IndexedBase, row: sp.Expr, col: sp.Expr, inner: sp.Symbol, size: sp.Expr) -> sp.Sum:
    r""":math:`(\Sigma^\top\Sigma)_{ab} = \sum_{c=1}^{p}\Sigma_{ca}\Sigma_{cb}
    = \sum_c \sigma_a\delta_{ca}\,\sigma_b\delta_{cb}`: the Gram matrix of a diagonal :math:`\Sigma` with entries
    ``vals``, entry (``row``, ``col``), unevaluated."""
    return sp.Sum(vals[row] * delta(inner, row) * vals[col] * delta(inner, col), (inner, 1, size))


def tail_frobenius_sq() -> sp.Sum:
    r""":math:`\lVert\sum_{t=1}^{q}\sigma_{k+t}\mathbf{u}_{k+t}\mathbf{v}_{k+t}^\top\rVert_F^2
    = \sum_{t,u}\sigma_{k+t}\sigma_{k+u}(\mathbf{u}_{k+t}^\top\mathbf{u}_{k+u})(\mathbf{v}_{k+t}^\top\mathbf{v}_{k+u})`
    with orthonormal singular vectors: the Gram entries :math:`\delta_{tu}\delta_{tu}`, unevaluated."""
    return sp.Sum(tail(t) * tail(u) * delta(t, u) * delta(t, u), (u, 1, q), (t, 1, q))


def diagonal_quadratic(vals: sp.Expr, y: sp.IndexedBase, size: sp.Expr) -> sp.Sum:
    r""":math:`\mathbf{y}^\top\operatorname{diag}(\lambda)\,\mathbf{y} = \sum_{a,b} y_a\,\lambda_a\delta_{ab}\,y_b`
    (``vals`` the expression of :math:`\lambda_a` in ``a``), unevaluated."""
    return sp.Sum(y[a] * vals * delta(a, b) * y[b], (b, 1, size), (a, 1, size))


def collapsed(expr: sp.Basic) -> sp.Basic:
    r"""``expr`` with every :func:`~derive.maths.notation.notation` replaced by its value, then its Kronecker
    deltas collapsed (:func:`~derive.maths.indexed.collapse`): the computed sum a sheet shows, not the name."""
    return collapse(expr.replace(lambda e: isinstance(e, Notation), lambda e: e.args[1]))
