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

from derive.authoring import CheckContext, Derivation, nonnegative, positive, real, statement_lhs
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
