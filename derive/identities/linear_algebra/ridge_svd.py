r"""Ridge regression through the SVD.

In the SVD $X = U\Sigma V^\top$, ridge regression $(X^\top X + \lambda I)^{-1}X^\top\mathbf{y}$ is a filter: the
component of $\mathbf{y}$ along $\mathbf{u}_i$ is multiplied by $\sigma_i/(\sigma_i^2 + \lambda)$, which damps the
noisy small singular directions instead of amplifying them and tends to the pseudoinverse's $1/\sigma_i$ as
$\lambda \to 0^{+}$ (map 1.3, pseudoinverse and ridge regression). Hoerl and Kennard (1970); Hastie, Tibshirani
and Friedman (2009), The Elements of Statistical Learning, Sec. 3.4.1.
"""

from __future__ import annotations

import numpy as np
import sympy as sp
from sympy import Eq, Limit

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
    positive,
)
from derive.maths.matrices import entry_domains, rect_diag, svd_form

from ._shared import CAYLEY, SINGULAR, at_samples, cayley_params

# -- symbols ---------------------------------------------------------------------------------------
LAMBDA = positive(10)
lam = LAMBDA.symbol("lambda")
SR = [SINGULAR.symbol("sigma1"), SINGULAR.symbol("sigma2")]
UR, VR = cayley_params("u", 1), cayley_params("v", 1)
X_R, U_R, S_R, V_R = svd_form(SR, 2, 2, UR, VR)


def _inverse(mat: sp.MatrixBase) -> sp.Matrix:
    """``adj(M) / det(M)``, unsimplified (cheap on explicit rational entries)."""
    return mat.adjugate() / mat.det(method="berkowitz")


RIDGE = notation(
    r"V^\top (X^\top X + \lambda I)^{-1} X^\top U",
    V_R.T * _inverse(X_R.T * X_R + lam * sp.eye(2)) * X_R.T * U_R,
    "V^T (X^T X + lambda I)^-1 X^T U",
)
FILTER = sp.Matrix(2, 2, lambda r, c: SR[r] / (SR[r] ** 2 + lam) if r == c else 0)
SIGMA = positive(5)
sig = SIGMA.symbol("sigma")
LIMITS = sp.Matrix(2, 2, lambda r, c: Limit(FILTER[r, c], lam, 0, "+") if r == c else 0)

# -- what is claimed -------------------------------------------------------------------------------
CLAIM = Statement(
    "filter",
    Eq(RIDGE, FILTER, evaluate=False),
    text=r"$(X^\top X + \lambda I)^{-1}X^\top\mathbf{y} = "
    r"V\,\mathrm{diag}\bigl(\sigma_i/(\sigma_i^2 + \lambda)\bigr)\,U^\top\mathbf{y}$: "
    r"ridge shrinks each singular direction by its own factor",
)
LIMIT = Statement(
    "limit",
    Eq(Limit(sig / (sig**2 + lam), lam, 0, "+"), 1 / sig),
    text=r"as $\lambda \to 0^{+}$ the factor tends to $1/\sigma$ (and is $0$ for $\sigma = 0$ at every "
    r"$\lambda$), the factor of the pseudoinverse",
)
TO_PINV = Statement(
    "ridge -> pinv",
    Eq(LIMITS, rect_diag([1 / s for s in SR], 2, 2), evaluate=False),
    text=r"so the ridge solution tends to $V\Sigma^{+}U^\top\mathbf{y} = X^{+}\mathbf{y}$",
)

# -- the homework question, and where the identity comes from --------------------------------------
QUESTION = Question(
    target=sig / (sig**2 + lam),
    prompt=r"Ridge regression $\hat{\mathbf{w}} = (X^\top X + \lambda I)^{-1}X^\top\mathbf{y}$ written in the SVD "
    r"$X = U\Sigma V^\top$ multiplies $\mathbf{u}_i^\top\mathbf{y}$ by a factor before mapping back with "
    r"$\mathbf{v}_i$. What is the factor for a singular value $\sigma$?",
    names={"lam": lam},
    approximations={
        r"the sign of $\lambda$ is wrong: ridge adds $\lambda$ to $\sigma^2$": sig / (sig**2 - lam),
        r"that is the factor of the fitted values $X\hat{\mathbf{w}}$ (the hat matrix), "
        r"not of $\hat{\mathbf{w}}$": sig**2 / (sig**2 + lam),
        r"$\lambda$ is added to $\sigma^2$, not to $\sigma$": 1 / (sig + lam),
    },
)
REFS = (
    Ref.cite("hoerl1970"),
    Ref.cite("hastie2009", where="Sec. 3.4.1"),
)


# -- how it is derived -----------------------------------------------------------------------------
def derivation(d: Derivation) -> None:
    r"""Ridge regression (L2-regularised least squares, weight decay for a linear model) solves
    $(X^\top X + \lambda I)\mathbf{w} = X^\top\mathbf{y}$. In the SVD $X = U\Sigma V^\top$ it becomes a \emph{filter}:
    the component of $\mathbf{y}$ along $\mathbf{u}_i$ is multiplied by $\sigma_i/(\sigma_i^2 + \lambda)$, which is
    $\approx 1/\sigma_i$ for large singular values and $\approx \sigma_i/\lambda \to 0$ for small ones, so noisy
    directions are damped instead of amplified. As $\lambda \to 0^{+}$ ridge becomes the pseudoinverse.
    Derived for a $2\times 2$ matrix $X = U\Sigma V^\top$ ($U$, $V$ Cayley rotations); the statement in the
    rotated frame, $V^\top(\cdot)U$, is the claim multiplied by the orthogonal $V^\top$ and $U$."""
    d.begin(RIDGE, r"substitute $X = U\Sigma V^\top$", scope="for a 2 x 2 matrix X")
    d.then(
        lambda e: (S_R.T * S_R + lam * sp.eye(2)).inv() * S_R.T,
        r"$X^\top X + \lambda I = V(\Sigma^\top\Sigma + \lambda I)V^\top$ and $X^\top U = V\Sigma^\top$, "
        r"so the rotations cancel: $(\Sigma^\top\Sigma + \lambda I)^{-1}\Sigma^\top$",
    )
    d.conclude("filter")

    d.begin(Limit(sig / (sig**2 + lam), lam, 0, "+"), r"one filter factor")
    d.then(lambda e: e.doit(), r"\texttt{sympy.limit}: the denominator tends to $\sigma^2 > 0$")
    d.conclude("limit")

    d.begin(LIMITS, r"the filter, entry by entry", scope="for a 2 x 2 matrix X")
    d.then(lambda e: e.doit(), r"\texttt{sympy.limit} of each factor")
    d.conclude("ridge -> pinv")


# -- how it is checked -----------------------------------------------------------------------------
def crosscheck(ctx: CheckContext) -> CrossCheckResult:
    """numpy.linalg.solve of the ridge normal equations against the SVD filter (numpy's SVD), at the
    sampled 2x2 matrices and at random sizes; a tiny lambda against numpy.linalg.pinv."""
    rng = ctx.rng
    x, u, v, lv, f = at_samples(ctx, [X_R, U_R, V_R, lam, ctx.result], 64)
    direct = np.array([v[i].T @ np.linalg.solve(x[i].T @ x[i] + lv[i] * np.eye(2), x[i].T) @ u[i] for i in range(64)])
    results = [ctx.compare("derived filter, 2x2", "numpy.linalg.solve", f, direct, rtol=1e-9)]
    for m, n in ((30, 6), (8, 12), (50, 50)):
        xm, y, lmb = rng.normal(size=(m, n)), rng.normal(size=m), 10.0 ** rng.uniform(-2, 1)
        uu, s, vt = np.linalg.svd(xm, full_matrices=False)
        svd_form_ = vt.T @ ((s / (s**2 + lmb)) * (uu.T @ y))
        ridge = np.linalg.solve(xm.T @ xm + lmb * np.eye(n), xm.T @ y)
        results.append(ctx.compare(f"ridge, {m}x{n}", "numpy.linalg.solve", svd_form_, ridge, rtol=1e-9))
        tiny = vt.T @ ((s / (s**2 + 1e-12)) * (uu.T @ y))
        results.append(
            ctx.compare(f"lambda = 1e-12, {m}x{n}", "numpy.linalg.pinv", tiny, np.linalg.pinv(xm) @ y, rtol=1e-6)
        )
    return combine(*results)


# -- the declaration -------------------------------------------------------------------------------
RIDGE_SVD = declare(
    "ridge-svd",
    title="Ridge regression through the SVD",
    section="1.3",
    map_row=r"Pseudoinverse $A^{+}$; ridge regression $(X^\top X + \lambda I)^{-1}X^\top y$ filters singular values",
    variables={**{s: SINGULAR for s in SR}, lam: LAMBDA, sig: SIGMA, **entry_domains([*UR, *VR], CAYLEY)},
    claim=CLAIM,
    also=(LIMIT, TO_PINV),
    derivation=derivation,
    crosscheck=crosscheck,
    question=QUESTION,
    refs=REFS,
    builds_on=("pseudoinverse-least-squares",),
)
