r"""Explicit symbolic matrices and their entrywise calculus.

SymPy's ``MatrixSymbol`` calculus can be silently wrong (DESIGN.md, "Known traps"), so matrix
identities are derived on explicit :class:`~sympy.Matrix` objects whose entries are symbols:

- :func:`symbol_matrix`, :func:`symbol_vector`: a matrix/vector of scalar symbols made by a domain
  (so assumptions match), and :func:`entry_domains` to declare every entry's domain at once;
- :func:`vec`: column-stacking vectorisation, :math:`\operatorname{vec}(X)`;
- :func:`jacobian_form`, :func:`hessian_form`: the Jacobian/Hessian as a matrix of *unevaluated*
  ``Derivative`` objects, the left side of a statement that a derivation then evaluates;
- :func:`backprop_form`: the chain rule :math:`\partial L/\partial X_{ij} = \sum_k \delta_k\,
  \partial y_k/\partial X_{ij}` for an upstream gradient :math:`\delta = \partial L/\partial y`, unevaluated;
- :func:`row_softmax`, :func:`rotation`: a row-wise softmax of an explicit matrix, the 2x2 rotation
  :math:`R(\theta)` (a symmetric 2x2 matrix is :math:`R(\theta)\,\mathrm{diag}(\lambda_1, \lambda_2)\,R(\theta)^\top`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import sympy as sp

from ..numeric.domains import Domain


def symbol_matrix(name: str, rows: int, cols: int, domain: Domain) -> sp.Matrix:
    """``rows x cols`` matrix with entries ``{name}{i}{j}`` (1-based) carrying ``domain``'s assumptions."""
    return sp.Matrix(rows, cols, lambda i, j: domain.symbol(f"{name}{i + 1}{j + 1}"))


def symbol_vector(name: str, n: int, domain: Domain) -> sp.Matrix:
    """Column vector ``(name1, ..., name_n)`` of symbols made by ``domain``."""
    return sp.Matrix(n, 1, lambda i, _: domain.symbol(f"{name}{i + 1}"))


def entry_domains(m: sp.MatrixBase | Iterable[sp.Symbol], domain: Domain) -> dict[sp.Symbol, Domain]:
    """``{entry: domain}`` for every symbol entry of ``m`` (for ``variables=``)."""
    return {s: domain for s in (m if not isinstance(m, sp.MatrixBase) else list(m)) if isinstance(s, sp.Symbol)}


def vec(m: sp.MatrixBase) -> sp.Matrix:
    r"""Column-stacking vectorisation: :math:`\operatorname{vec}(X)_{(j-1)m + i} = X_{ij}`."""
    return sp.Matrix([m[i, j] for j in range(m.cols) for i in range(m.rows)])


def jacobian_form(exprs: sp.MatrixBase | Sequence[sp.Expr], wrt: Sequence[sp.Symbol]) -> sp.Matrix:
    r"""The matrix of unevaluated partials :math:`\partial f_i / \partial x_j`."""
    fs = list(exprs)
    return sp.Matrix(len(fs), len(wrt), lambda i, j: sp.Derivative(fs[i], wrt[j]))


def hessian_form(expr: sp.Expr, wrt: Sequence[sp.Symbol]) -> sp.Matrix:
    r"""The matrix of unevaluated second partials :math:`\partial^2 f / \partial x_i \partial x_j`."""
    n = len(wrt)
    return sp.Matrix(n, n, lambda i, j: sp.Derivative(expr, wrt[i], wrt[j]))


def backprop_form(upstream: sp.MatrixBase, outputs: sp.MatrixBase, wrt: sp.MatrixBase) -> sp.Matrix:
    r"""Chain rule with an upstream gradient, unevaluated: the matrix shaped like ``wrt`` with entries
    :math:`\sum_k \delta_k\, \partial y_k / \partial X_{ij}` (``upstream`` :math:`\delta`, ``outputs`` :math:`y`)."""
    pairs = list(zip(list(upstream), list(outputs), strict=True))
    return sp.Matrix(wrt.rows, wrt.cols, lambda i, j: sp.Add(*(dk * sp.Derivative(yk, wrt[i, j]) for dk, yk in pairs)))


def row_softmax(s: sp.MatrixBase) -> sp.Matrix:
    r"""Row-wise softmax :math:`A_{ij} = e^{S_{ij}} / \sum_l e^{S_{il}}` of an explicit matrix."""
    return sp.Matrix(s.rows, s.cols, lambda i, j: sp.exp(s[i, j]) / sp.Add(*(sp.exp(s[i, k]) for k in range(s.cols))))


def rotation(theta: sp.Expr) -> sp.Matrix:
    r"""The 2x2 rotation :math:`R(\theta)`, columns the orthonormal eigenvectors of a symmetric 2x2 matrix."""
    return sp.Matrix([[sp.cos(theta), -sp.sin(theta)], [sp.sin(theta), sp.cos(theta)]])
