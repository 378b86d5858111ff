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
- :func:`cayley_orthogonal`: an orthogonal matrix *rational* in its parameters (Cayley transform), so
  :math:`Q^\top Q = I` and everything built from it is proved by ``cancel`` (no trigonometry);
- :func:`singular_values`, :func:`rect_diag`: symbols :math:`\sigma_1 \ge \dots \ge \sigma_n > 0` with
  ordered domains, and the rectangular diagonal :math:`\Sigma` of an SVD :math:`A = U \Sigma V^\top`;
- :func:`frobenius_sq`: :math:`\lVert M \rVert_F^2 = \sum_{ij} M_{ij}^2`, written out entry by entry.
- :func:`fraction_form`: entries as one expanded numerator over a denominator;
- :func:`svd_form`: an explicit :math:`A = U \Sigma V^\top` from Cayley rotations and symbolic singular values;
- :func:`orthonormal_eigenbasis`: :math:`M = U\Lambda U^\top`, :math:`U` orthonormal, for a symmetric explicit matrix;
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import sympy as sp

from .domains import Domain


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


def cayley_orthogonal(params: Sequence[sp.Expr], n: int) -> sp.Matrix:
    r"""The orthogonal matrix :math:`Q = (I - S)(I + S)^{-1}` of the skew-symmetric :math:`S` whose
    upper triangle is :math:`-p_1, \dots, -p_{n(n-1)/2}` (row by row).

    Every rotation without eigenvalue :math:`-1` is of this form. The entries are rational functions
    of the parameters (for :math:`n = 2`: :math:`\cos\theta = (1 - t^2)/(1 + t^2)`,
    :math:`\sin\theta = 2t/(1 + t^2)`), so orthogonality and every identity built on it reduce to
    ``cancel``.
    """
    numer, denom = cayley_parts(params, n)
    return numer / denom


def cayley_parts(params: Sequence[sp.Expr], n: int) -> tuple[sp.Matrix, sp.Expr]:
    r"""Numerator matrix :math:`P` and denominator :math:`\delta` of :func:`cayley_orthogonal`, :math:`Q = P/\delta`:
    :math:`(I + S)^{-1} = \operatorname{adj}(I + S)/\det(I + S)`, so the entries of :math:`P` are polynomials."""
    if len(params) != n * (n - 1) // 2:
        raise ValueError(f"an {n}x{n} Cayley rotation needs {n * (n - 1) // 2} parameters, got {len(params)}")
    s = sp.zeros(n)
    k = 0
    for i in range(n):
        for j in range(i + 1, n):
            s[i, j], s[j, i] = -params[k], params[k]
            k += 1
    eye = sp.eye(n)
    return ((eye - s) * (eye + s).adjugate()).applyfunc(sp.expand), sp.expand((eye + s).det())


def fraction_form(m: sp.MatrixBase) -> sp.Matrix:
    """Each entry as one expanded numerator over its denominator (``together``, then ``expand``): the
    cheapest shape for the ladder's ``cancel`` on products of Cayley rotations."""

    def one(e: sp.Expr) -> sp.Expr:
        num, den = sp.fraction(sp.together(e))
        return sp.expand(num) / den

    return m.applyfunc(one)


@dataclass(frozen=True)
class _AtLeast(Domain):
    """An interval whose lower end names another variable; positive when that variable is."""

    def assumptions(self) -> dict[str, bool]:
        out = super().assumptions()
        lo = sp.sympify(self.lo) if self.lo is not None else None
        if lo is not None and lo.free_symbols and lo.is_positive:
            out.pop("nonnegative", None)
            out["positive"] = True
        return out


def singular_values(
    n: int, name: str = "sigma", *, smallest: float = 4.0, gap: float = 3.0
) -> tuple[list[sp.Symbol], dict[sp.Symbol, Domain]]:
    r"""Symbols :math:`\sigma_1 \ge \sigma_2 \ge \dots \ge \sigma_n > 0` and their domains.

    :math:`\sigma_n \in [1/2, \text{smallest}]` (away from 0, so diagonal statements have a scale) and
    :math:`\sigma_i \in [\sigma_{i+1}, \sigma_{i+1} + \text{gap}]`,
    so every sample (and every point of the numeric rung) is ordered; the symbols are positive. SymPy's
    assumptions cannot express the order itself: a link that needs it is verified numerically.
    """
    doms: dict[sp.Symbol, Domain] = {}
    syms: list[sp.Symbol] = [sp.Symbol(f"{name}{n}", positive=True)]
    doms[syms[0]] = Domain(sp.Rational(1, 2), sp.Rational(str(smallest)))
    for i in range(n - 1, 0, -1):
        below = syms[0]
        dom = _AtLeast(below, below + sp.Rational(str(gap)))
        s = dom.symbol(f"{name}{i}")
        syms.insert(0, s)
        doms[s] = dom
    return syms, doms


def rect_diag(values: Sequence[sp.Expr], rows: int, cols: int) -> sp.Matrix:
    r"""The ``rows x cols`` matrix with ``values`` on its diagonal (the :math:`\Sigma` of an SVD)."""
    return sp.Matrix(rows, cols, lambda i, j: values[i] if i == j and i < len(values) else 0)


def frobenius_sq(m: sp.MatrixBase) -> sp.Expr:
    r""":math:`\lVert M \rVert_F^2 = \sum_{ij} M_{ij}^2`, the definition written out (unexpanded)."""
    return sp.Add(*(e**2 for e in m))


def svd_form(
    sigmas: Sequence[sp.Expr], rows: int, cols: int, u_params: Sequence[sp.Expr], v_params: Sequence[sp.Expr]
) -> tuple[sp.Matrix, sp.Matrix, sp.Matrix, sp.Matrix]:
    r"""``(A, U, Sigma, V)`` with :math:`A = U \Sigma V^\top` explicit: :math:`U`, :math:`V` Cayley rotations
    of the given parameters, :math:`\Sigma` the ``rows x cols`` diagonal of ``sigmas`` (``A`` over one denominator)."""
    (pu, du), (pv, dv) = cayley_parts(u_params, rows), cayley_parts(v_params, cols)
    s = rect_diag(sigmas, rows, cols)
    # polynomial numerators over the product of the two denominators: no rational arithmetic
    a = (pu * s * pv.T).applyfunc(sp.expand) / (du * dv)
    return a, pu / du, s, pv / dv


def orthonormal_eigenbasis(m: sp.MatrixBase) -> tuple[sp.Matrix, sp.Matrix]:
    r"""``(U, Lambda)`` with :math:`M = U\Lambda U^\top`, :math:`U^\top U = I`, for a symmetric explicit ``m``.

    SymPy diagonalises; Gram-Schmidt in the order of the columns then makes the eigenvectors
    orthonormal (eigenvectors of distinct eigenvalues are already orthogonal, so only a repeated
    eigenvalue's basis changes, and it stays inside its eigenspace)."""
    p, lam = m.diagonalize()
    u = sp.Matrix.hstack(*sp.GramSchmidt([p[:, k] for k in range(p.cols)], True))
    return u.applyfunc(sp.radsimp), lam
