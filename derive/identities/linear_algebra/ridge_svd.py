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
    integer,
    notation,
    positive,
)
from derive.core.facts import INVERSE, LIMIT_LAWS, SVD_ORTHONORMAL
from derive.maths.svd import SIZES, a, b, c, collapsed, delta, p
from derive.numeric.linalg import low_rank

from ._shared import SINGULAR

# -- symbols ---------------------------------------------------------------------------------------
# X = U Sigma V^T with p = min(m, n) singular values, in its singular bases (derive.maths.svd): the ridge operator
# V^T (X^T X + lambda I)^{-1} X^T U is (Sigma^T Sigma + lambda I)^{-1} Sigma^T, entry (a, b).
LAMBDA = positive(10)
lam = LAMBDA.symbol("lambda")
sigP = sp.IndexedBase("sigma", positive=True)  # the nonzero singular values (a zero one has factor 0 at every lambda)
SHIFTED = sigP[a] ** 2 + lam  # (Sigma^T Sigma + lambda I)_aa > 0
INVERSE_CHECK = notation(
    r"\bigl((\Sigma^\top\Sigma + \lambda I)\,D^{-1}\bigr)_{ab}",
    sp.Sum((sigP[a] ** 2 + lam) * delta(a, c) * delta(c, b) / (sigP[c] ** 2 + lam), (c, 1, p)),
    "((Sigma^T Sigma + lambda I) D^-1)_ab",
)
RIDGE = notation(
    r"\bigl(V^\top (X^\top X + \lambda I)^{-1} X^\top U\bigr)_{ab}",
    sp.Sum(delta(a, c) / SHIFTED * sigP[c] * delta(c, b), (c, 1, p)),
    "(V^T (X^T X + lambda I)^-1 X^T U)_ab",
)
FILTER = sigP[a] * delta(a, b) / SHIFTED
SIGMA = positive(5)
sig = SIGMA.symbol("sigma")
LIMITS = Limit(FILTER, lam, 0, "+")

# -- what is claimed -------------------------------------------------------------------------------
INVERSE_STMT = Statement(
    "inverse",
    Eq(INVERSE_CHECK, delta(a, b), evaluate=False),
    text=r"for $\lambda > 0$, $\Sigma^\top\Sigma + \lambda I$ (any size) is inverted by "
    r"$D^{-1} = \mathrm{diag}\bigl(1/(\sigma_a^2 + \lambda)\bigr)$",
)
CLAIM = Statement(
    "filter",
    Eq(RIDGE, FILTER, evaluate=False),
    text=r"$(X^\top X + \lambda I)^{-1}X^\top\mathbf{y} = "
    r"V\,\mathrm{diag}\bigl(\sigma_i/(\sigma_i^2 + \lambda)\bigr)\,U^\top\mathbf{y}$ for any $m\times n$ matrix: "
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
    Eq(LIMITS, delta(a, b) / sigP[a], evaluate=False),
    text=r"so for any size the ridge solution tends to $V\Sigma^{+}U^\top\mathbf{y} = X^{+}\mathbf{y}$ "
    r"(entry $(a, b)$ of $\Sigma^{+}$: $\delta_{ab}/\sigma_a$ for the nonzero $\sigma_a$)",
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
    Derived for any $m\times n$ matrix in the coordinates of its singular bases (the SVD, cited):
    $V^\top(X^\top X + \lambda I)^{-1}X^\top U = (\Sigma^\top\Sigma + \lambda I)^{-1}\Sigma^\top$, entry by entry."""
    d.begin(INVERSE_CHECK, r"the diagonal $\Sigma^\top\Sigma + \lambda I$ times the candidate inverse")
    d.assume(INVERSE)
    d.then(lambda e: sp.cancel(collapsed(e)), r"the Kronecker deltas collapse the sum; cancel $\sigma_a^2 + \lambda$")
    d.conclude("inverse")

    d.begin(RIDGE, r"$X^\top X + \lambda I = V(\Sigma^\top\Sigma + \lambda I)V^\top$ and $X^\top U = V\Sigma^\top$")
    d.assume(SVD_ORTHONORMAL)
    d.then(
        collapsed, r"$(\Sigma^\top\Sigma + \lambda I)^{-1}$ is diagonal (above): the Kronecker deltas collapse the sum"
    )
    d.then(FILTER, r"$\delta_{ab}\sigma_b = \sigma_a\delta_{ab}$")
    d.conclude("filter")

    d.begin(Limit(sig / (sig**2 + lam), lam, 0, "+"), r"one filter factor")
    d.then(lambda e: e.doit(), r"\texttt{sympy.limit}: the denominator tends to $\sigma^2 > 0$")
    d.conclude("limit")

    d.begin(LIMITS, r"the filter, entry $(a, b)$, any size")
    d.assume(LIMIT_LAWS, LIMIT_LAWS.rewrite, r"the limit of a product and a quotient (SymPy computes each factor's)")
    d.conclude("ridge -> pinv")


# -- how it is checked -----------------------------------------------------------------------------
def crosscheck(ctx: CheckContext) -> CrossCheckResult:
    """The derived filter factor (entry (a, a)) applied in numpy's SVD against numpy.linalg.solve of the ridge
    normal equations at random sizes and ranks; a tiny lambda against numpy.linalg.pinv."""
    rng = ctx.rng
    assert ctx.result is not None
    factor = sp.lambdify((sigP[a], lam), ctx.result.xreplace({b: a}), "numpy")
    results = []
    for rows, cols, rank in ((30, 6, 6), (8, 12, 8), (50, 50, 50), (20, 10, 4)):
        xm, y, lmb = low_rank(rng, rows, cols, rank), rng.normal(size=rows), 10.0 ** rng.uniform(-2, 1)
        uu, s, vt = np.linalg.svd(xm, full_matrices=False)
        svd_form_ = vt.T @ (factor(s, lmb) * (uu.T @ y))
        ridge = np.linalg.solve(xm.T @ xm + lmb * np.eye(cols), xm.T @ y)
        results.append(
            ctx.compare(f"ridge, {rows}x{cols}, rank {rank}", "numpy.linalg.solve", svd_form_, ridge, rtol=1e-9)
        )
        if rank == min(rows, cols):
            tiny = vt.T @ (factor(s, 1e-12) * (uu.T @ y))
            results.append(
                ctx.compare(
                    f"lambda = 1e-12, {rows}x{cols}", "numpy.linalg.pinv", tiny, np.linalg.pinv(xm) @ y, rtol=1e-6
                )
            )
    return combine(*results)


# -- the declaration -------------------------------------------------------------------------------
RIDGE_SVD = declare(
    "ridge-svd",
    title="Ridge regression through the SVD",
    section="1.3",
    map_row=r"Pseudoinverse $A^{+}$; ridge regression $(X^\top X + \lambda I)^{-1}X^\top y$ filters singular values",
    variables={
        lam: LAMBDA,
        sig: SIGMA,
        p: SIZES[p],
        a: SIZES[a],
        b: SIZES[b],
        c: integer(1, p),
        sigP: SINGULAR,
    },
    claim=CLAIM,
    also=(INVERSE_STMT, LIMIT, TO_PINV),
    derivation=derivation,
    crosscheck=crosscheck,
    question=QUESTION,
    refs=REFS,
    builds_on=("pseudoinverse-least-squares",),
)
