r"""The first principal component is the top eigenvector of the covariance.

PCA projects centred data onto the unit direction $\mathbf{v}$ of largest variance $\mathbf{v}^\top S\mathbf{v}$:
the stationary directions of the Lagrangian are the eigenvectors of the covariance $S$, and the variance along
any unit vector is at most $\lambda_{\max}$, reached at the top eigenvector, the first principal component
(map 1.2, PCA for dimensionality reduction). Pearson (1901); Bishop (2006), Pattern Recognition and Machine
Learning, Sec. 12.1.1.
"""

from __future__ import annotations

import numpy as np
import sympy as sp
from sympy import Eq, Le

from derive.authoring import (
    CheckContext,
    CrossCheckResult,
    Derivation,
    Question,
    Ref,
    Statement,
    combine,
    declare,
    notation,
    numerically,
    real,
    statement_lhs,
)
from derive.maths.matrices import entry_domains, jacobian_form, symbol_vector

from ._shared import RAYLEIGH, RAYLEIGH_VARS, SYM, U1, gap, lam1, rayleigh_attained, rayleigh_bound

# -- symbols ---------------------------------------------------------------------------------------
COVARIANCE = real(-3, 3)
s11, s12, s13, s22, s23, s33 = (COVARIANCE.symbol(f"S{p}") for p in ("11", "12", "13", "22", "23", "33"))
S3 = sp.Matrix([[s11, s12, s13], [s12, s22, s23], [s13, s23, s33]])
DIRECTION = real(-2, 2)
v3 = symbol_vector("v", 3, DIRECTION)
MULTIPLIER = real(-5, 5)
lagrange = MULTIPLIER.symbol("lambda")
LAGRANGIAN = (v3.T * S3 * v3)[0, 0] - lagrange * ((v3.T * v3)[0, 0] - 1)

# -- what is claimed -------------------------------------------------------------------------------
CLAIM = Statement(
    "maximum",
    Le(notation(r"\mathbf{v}^\top S\mathbf{v}", RAYLEIGH, "v^T S v"), lam1),
    text=r"for every unit vector $\mathbf{v}$: the variance captured along $\mathbf{v}$ is at most "
    r"$\lambda_{\max} = \lambda_1$",
)
ATTAINED = Statement(
    "attained",
    Eq(
        notation(r"S\mathbf{u}_1", SYM * U1, "S u_1"),
        notation(r"\lambda_1\mathbf{u}_1", lam1 * U1, "lambda_1 u_1"),
        evaluate=False,
    ),
    text=r"the maximum is reached at the top eigenvector $\mathbf{u}_1 = (\cos\theta, \sin\theta)$",
)
STATIONARITY = Statement(
    "stationarity",
    Eq(
        notation(
            r"\nabla_{\mathbf{v}}\bigl[\mathbf{v}^\top S\mathbf{v} - \lambda(\mathbf{v}^\top\mathbf{v} - "
            r"1)\bigr]",
            jacobian_form([LAGRANGIAN], list(v3)).T,
            "grad_v Lagrangian",
        ),
        notation(r"2(S\mathbf{v} - \lambda\mathbf{v})", 2 * (S3 * v3 - lagrange * v3), "2 (S v - lambda v)"),
        evaluate=False,
    ),
    text=r"for a symmetric $3\times 3$ $S$: a constrained stationary point is an eigenvector, $S\mathbf{v} = "
    r"\lambda\mathbf{v}$, "
    r"where $\mathbf{v}^\top S\mathbf{v} = \lambda\,\mathbf{v}^\top\mathbf{v} = \lambda$",
)


def _pca_optimality(ctx: CheckContext) -> CrossCheckResult:
    """Random centred data X (200 x 6): the top eigenvector of S = X^T X/(n-1) (numpy.linalg.eigh) equals the
    first right singular vector of X up to sign, and no one of 20000 random unit vectors has a larger v^T S v."""
    align, excess = [], []
    for _ in range(5):
        x = ctx.rng.normal(size=(200, 6)) @ ctx.rng.normal(size=(6, 6))
        x -= x.mean(axis=0)
        s = x.T @ x / (len(x) - 1)
        vals, vecs = np.linalg.eigh(s)
        top = vecs[:, -1]
        first_pc = np.linalg.svd(x, full_matrices=False)[2][0]
        align.append(1 - abs(float(top @ first_pc)))
        v = ctx.rng.normal(size=(20000, 6))
        v /= np.linalg.norm(v, axis=1, keepdims=True)
        excess.append(float(np.max(np.einsum("ij,jk,ik->i", v, s, v)) - vals[-1]) / vals[-1])
    return combine(
        ctx.bound(
            "1 - |<top eigenvector, first singular vector>|", "numpy.linalg.eigh vs svd", max(align), 1e-10, samples=5
        ),
        ctx.bound(
            "max over random unit v of (v^T S v - lambda_max)/lambda_max",
            "random search",
            max(excess),
            1e-12,
            samples=100000,
        ),
    )


FIRST_PC = numerically(
    "first PC",
    r"in 6 dimensions the top eigenvector of the covariance is the first right singular vector of the centred "
    r"data, "
    r"and no random unit vector captures more variance",
    _pca_optimality,
)

# -- the homework question, and where the identity comes from --------------------------------------
QUESTION = Question(
    target=lam1,
    prompt=r"Let $S$ be a covariance matrix with eigenvalues $\lambda_1 \ge \lambda_2$. What is "
    r"$\max_{\lVert\mathbf{v}\rVert = 1}\mathbf{v}^\top S\mathbf{v}$?",
    names={"lambda_max": lam1, "lambda1": lam1, "lambda_2": lam1 - gap, "lambda2": lam1 - gap},
    approximations={r"that is the smallest eigenvalue, the minimum of the Rayleigh quotient": lam1 - gap},
)
REFS = (
    Ref.book("K. Pearson, On lines and planes of closest fit to systems of points in space, Phil. Mag. 2(11), 1901"),
    Ref.book("C. M. Bishop (2006), Pattern Recognition and Machine Learning", "Sec. 12.1.1"),
)


# -- how it is derived -----------------------------------------------------------------------------
def derivation(d: Derivation) -> None:
    r"""PCA projects centred data onto the direction $\mathbf{v}$, $\lVert\mathbf{v}\rVert = 1$, of largest variance
    $\mathbf{v}^\top S\mathbf{v}$, $S$ the covariance. The Lagrangian shows that the stationary directions are the
    eigenvectors of $S$, where the variance equals the eigenvalue; in the eigenbasis of a $2\times 2$ covariance
    the variance along any unit vector is $\lambda_1 - \Delta\sin^2(\varphi - \theta)$, so the top eigenvector wins
    over all directions, not only among stationary points."""
    rayleigh_bound(d, "maximum", "for 2 x 2 S")

    rayleigh_attained(d, "attained", "for 2 x 2 S")

    d.begin(statement_lhs(d, "stationarity"), r"the gradient of the Lagrangian", scope="for 3 x 3 S")
    d.then(lambda e: e.doit(), "differentiate entry by entry")
    d.then(2 * (S3 * v3 - lagrange * v3), r"$\nabla\,\mathbf{v}^\top S\mathbf{v} = 2S\mathbf{v}$ for symmetric $S$")
    d.conclude("stationarity")


# -- how it is checked -----------------------------------------------------------------------------
def crosscheck(ctx: CheckContext) -> CrossCheckResult:
    """The derived 2x2 maximiser against numpy.linalg.eigh: lambda_max and the eigenvector (cos theta, sin theta)."""
    got, want = [], []
    for _ in range(50):
        th, l1, dl = ctx.rng.uniform(-3, 3), ctx.rng.uniform(-5, 5), ctx.rng.uniform(0, 5)
        r = np.array([[np.cos(th), -np.sin(th)], [np.sin(th), np.cos(th)]])
        vals, vecs = np.linalg.eigh(r @ np.diag([l1, l1 - dl]) @ r.T)
        got.append([l1, abs(np.cos(th) * vecs[0, -1] + np.sin(th) * vecs[1, -1])])
        want.append([vals[-1], 1.0])
    return ctx.compare(
        "lambda_max and top eigenvector (2x2)", "numpy.linalg.eigh", np.array(got), np.array(want), rtol=1e-9
    )


# -- the declaration -------------------------------------------------------------------------------
PCA_TOP_EIGENVECTOR = declare(
    "pca-top-eigenvector",
    title="The first principal component is the top eigenvector of the covariance",
    section="1.2",
    map_row=r"Top eigenvector of $X^\top X$: the first principal component (PCA for dimensionality reduction)",
    variables=RAYLEIGH_VARS
    | entry_domains([s11, s12, s13, s22, s23, s33], COVARIANCE)
    | entry_domains(v3, DIRECTION)
    | {lagrange: MULTIPLIER},
    claim=CLAIM,
    also=(ATTAINED, STATIONARITY, FIRST_PC),
    derivation=derivation,
    crosscheck=crosscheck,
    question=QUESTION,
    refs=REFS,
)
