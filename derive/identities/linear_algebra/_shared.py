r"""Symbols and helpers shared by several pages of the linear-algebra chapter.

The index forms share their indices and sizes; PCA and SAM share the symmetric $2\times 2$ matrix written
in its eigenbasis and the two chains that bound its Rayleigh quotient; the Laplacian and ChebNet filter
the same graph signal; the SVD pages share the parameters of their Cayley rotations, the sampling of
derived matrices and the domain of singular values kept away from zero.
"""

from __future__ import annotations

import numpy as np
import sympy as sp
from sympy import cos, sin

from derive.authoring import CheckContext, Derivation, integer, nonnegative, positive, real, statement_lhs
from derive.core.facts import SPECTRAL_THEOREM
from derive.maths.indexed import collapse
from derive.maths.matrices import rotation, symbol_vector

# -- indices and sizes of the index forms: positive integers (each page states their ranges) -------
i, j, k, ell, m, n = sp.symbols("i j k l m n", integer=True, positive=True)

# -- a symmetric 2x2 matrix in its eigenbasis, and its Rayleigh quotient (PCA, SAM) ----------------
ANGLE = real(-4, 4)
theta, phi = ANGLE.symbol("theta"), ANGLE.symbol("phi")
LAM1 = real(-5, 5)
lam1 = LAM1.symbol("lambda_1")
GAP = nonnegative(5)
gap = GAP.symbol("Delta")
#: a symmetric 2x2 matrix with eigenvalues lambda_1 >= lambda_2 = lambda_1 - Delta, eigenvectors R(theta)
SYM = rotation(theta) * sp.diag(lam1, lam1 - gap) * rotation(theta).T
U1 = rotation(theta)[:, 0]
VUNIT = sp.Matrix([cos(phi), sin(phi)])
RAYLEIGH = (VUNIT.T * SYM * VUNIT)[0, 0]
RAYLEIGH_VARS = {theta: ANGLE, phi: ANGLE, lam1: LAM1, gap: GAP}


def rayleigh_bound(d: Derivation, label: str, scope: str) -> None:
    r"""The chain :math:`v^\top M v = \lambda_1 - \Delta\sin^2(\varphi - \theta) \le \lambda_1` over all unit
    :math:`v = (\cos\varphi, \sin\varphi)`, for :data:`SYM` (shared by PCA and the Hessian's sharpness)."""
    d.begin(statement_lhs(d, label), r"for the unit vector $v = (\cos\varphi, \sin\varphi)$", scope=scope)
    d.then(
        lam1 * cos(phi - theta) ** 2 + (lam1 - gap) * sin(phi - theta) ** 2,
        r"$v$ has coordinates $\cos(\varphi - \theta)$, $\sin(\varphi - \theta)$ in the eigenbasis $R(\theta)$",
    )
    d.then(lam1 - gap * sin(phi - theta) ** 2, r"$\cos^2 + \sin^2 = 1$")
    d.bound(lam1, r"$\Delta \ge 0$: equality exactly at $\varphi = \theta$, the top eigenvector", relation="<=")
    d.conclude(label)


def rayleigh_attained(d: Derivation, label: str, scope: str) -> None:
    r"""The chain :math:`S\mathbf{u}_1 = \lambda_1\mathbf{u}_1` for the first column of :math:`R(\theta)`."""
    d.begin(
        statement_lhs(d, label),
        r"$\mathbf{u}_1 = (\cos\theta, \sin\theta)$, the first column of $R(\theta)$",
        scope=scope,
    )
    d.then(lambda e: e.doit().applyfunc(lambda z: sp.trigsimp(sp.expand(z))), r"multiply out; $\cos^2 + \sin^2 = 1$")
    d.conclude(label)


# -- any symmetric n x n matrix in its eigenbasis (spectral theorem): PCA, SAM ------------------------
#: eigenvalues lambda_k = lambda_1 - g_k, g_k >= 0 (lambda_1 the largest), coordinates c = U^T v of a vector v
gapI = sp.IndexedBase("g", nonnegative=True)
lamI = sp.IndexedBase("lambda", real=True)
cI = sp.IndexedBase("c", real=True)
t_top = sp.Symbol("t", integer=True, positive=True)  # the index of the top eigenvalue
RAYLEIGH_N = sp.Sum((lam1 - gapI[k]) * cI[k] ** 2, (k, 1, n))
NORM_N = sp.Sum(cI[k] ** 2, (k, 1, n))
EIGVEC_N = sp.Sum(lamI[k] * sp.KroneckerDelta(k, ell) * sp.KroneckerDelta(ell, t_top), (ell, 1, n))
RAYLEIGH_N_VARS = {
    n: integer(1, 6),
    k: integer(1, n),
    t_top: integer(1, n),
    lam1: LAM1,
    gapI: GAP,
    lamI: LAM1,
    cI: real(-2, 2),
}


def rayleigh_bound_n(d: Derivation, label: str) -> None:
    r"""The chain :math:`\mathbf{v}^\top M\mathbf{v} = \sum_k \lambda_k c_k^2 \le \lambda_1 \sum_k c_k^2` for any
    :math:`n`: in the coordinates :math:`c = U^\top\mathbf{v}` of the eigenbasis (the spectral theorem, cited),
    :math:`\lambda_k = \lambda_1 - g_k` with :math:`g_k \ge 0`; :math:`\sum_k c_k^2 = \lVert\mathbf{v}\rVert^2`."""
    d.begin(
        statement_lhs(d, label),
        r"$\mathbf{v}^\top U\Lambda U^\top\mathbf{v} = \sum_k\lambda_k c_k^2$, $c = U^\top\mathbf{v}$",
    )
    d.assume(SPECTRAL_THEOREM)
    d.then(lam1 * NORM_N - sp.Sum(gapI[k] * cI[k] ** 2, (k, 1, n)), r"$\lambda_k = \lambda_1 - g_k$: split the sum")
    d.bound(lam1 * NORM_N, r"drop $\sum_k g_k c_k^2 \ge 0$: equality when $\mathbf{v}$ lies in the top eigenspace")
    d.conclude(label)


def rayleigh_attained_n(d: Derivation, label: str) -> None:
    r"""The chain :math:`(\Lambda\mathbf{e}_t)_k = \lambda_t\delta_{kt}`: the eigenbasis vector of the top
    eigenvalue is an eigenvector, for any :math:`n` (spectral theorem, cited)."""
    d.begin(
        statement_lhs(d, label), r"$U^\top M U = \Lambda = \operatorname{diag}(\lambda_k)$, applied to $\mathbf{e}_t$"
    )
    d.assume(SPECTRAL_THEOREM)
    d.then(collapse, r"the Kronecker deltas collapse the sum")
    d.conclude(label)


# -- a signal on three nodes (the Laplacian's spectral filter, ChebNet) ----------------------------
SIGNAL = real(-3, 3)
x3 = symbol_vector("x", 3, SIGNAL)

# -- the SVD pages: Cayley parameters, singular values away from 0, derived matrices at samples ----
CAYLEY = real(-2, 2)  # Cayley parameters: every rotation without eigenvalue -1 has them
SINGULAR = positive(5, lo=sp.Rational(1, 2))  # away from 0: the diagonal statements compare entries to a scale


def cayley_params(name: str, count: int) -> list[sp.Symbol]:
    """``count`` Cayley parameters ``name1, name2, ...``."""
    return [CAYLEY.symbol(f"{name}{p + 1}") for p in range(count)]


def at_samples(ctx: CheckContext, exprs: list[sp.Basic], n: int) -> list[np.ndarray]:
    """The expressions at ``n`` samples of the identity's variables (matrices: shape ``(n, rows, cols)``)."""
    values = ctx.sample(n)
    return [np.asarray(ctx.evaluate(e, values, n), dtype=float) for e in exprs]
