r"""Muon: Newton-Schulz orthogonalisation.

Muon replaces a momentum matrix $U\Sigma V^\top$ by its polar factor $UV^\top$ without an SVD: an odd
matrix polynomial $aX + b(XX^\top)X + c(XX^\top)^2X$ keeps the singular vectors and maps each singular
value through $p(\sigma) = a\sigma + b\sigma^3 + c\sigma^5$, derived on $2 \times 2$ matrices whose
orthogonal factors are Cayley rotations and checked at larger sizes with ``numpy.linalg``. The map's
Muon row (map 5.1, gradient descent variants). Jordan et al. (2024); Liu et al. (2025), Muon is
Scalable for LLM Training, Sec. 2; Higham (2008), Functions of Matrices, Ch. 8.
"""

from __future__ import annotations

import numpy as np
import sympy as sp
from sympy import Derivative, Eq, Subs

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
    positive,
    real,
)
from derive.maths.matrices import svd_form

# -- symbols ---------------------------------------------------------------------------------------
SINGULAR = positive(2)
ROTATION = real(-2, 2)
COEFFICIENT = real(-5, 5)
sv1, sv2 = (SINGULAR.symbol(n) for n in ("sigma1", "sigma2"))
u_rot, w_rot = (ROTATION.symbol(n) for n in ("u", "w"))
na, nb, nc = (COEFFICIENT.symbol(n) for n in ("a", "b", "c"))
sigma = SINGULAR.symbol("sigma")
X_SVD, U_SVD, S_SVD, V_SVD = svd_form([sv1, sv2], 2, 2, [u_rot], [w_rot])
_GRAM = (X_SVD * X_SVD.T).applyfunc(sp.cancel)
_GX = (_GRAM * X_SVD).applyfunc(sp.cancel)
NS_STEP = notation(
    r"aX + b\,(XX^\top)X + c\,(XX^\top)^2X",
    na * X_SVD + nb * _GX + nc * (_GRAM * _GX).applyfunc(sp.cancel),
    "aX + b(XX^T)X + c(XX^T)^2X",
)


def _p(x: sp.Expr, a: sp.Expr = na, b: sp.Expr = nb, c: sp.Expr = nc) -> sp.Expr:
    r"""The odd polynomial $p(\sigma) = a\sigma + b\sigma^3 + c\sigma^5$ applied to each singular value."""
    return a * x + b * x**3 + c * x**5


P_SIGMA = sp.diag(_p(sv1), _p(sv2))
CUBIC = _p(sigma, sp.Rational(3, 2), -sp.Rational(1, 2), 0)
MUON = (3.4445, -4.7750, 2.0315)
BAND = (0.68, 1.14)

# -- what is claimed -------------------------------------------------------------------------------
CLAIM = Statement(
    "singular values",
    Eq(NS_STEP, notation(r"U\,p(\Sigma)\,V^\top", U_SVD * P_SIGMA * V_SVD.T, "U p(S) V^T"), evaluate=False),
    text=r"for $X = U\Sigma V^\top$ ($2\times2$, $U$ and $V$ rotations) one step is $U\,p(\Sigma)\,V^\top$: "
    r"the singular vectors stay, each singular value goes to $p(\sigma) = a\sigma + b\sigma^3 + c\sigma^5$",
)
DIAGONAL = Statement(
    "diagonal",
    Eq(notation(r"U^\top f(X)\,V", U_SVD.T * NS_STEP.args[1] * V_SVD, "U^T f(X) V"), P_SIGMA, evaluate=False),
    text="in the singular bases the step is diagonal",
)
FIXED_POINTS = Statement(
    "fixed points",
    Eq(CUBIC - sigma, -sigma * (sigma - 1) * (sigma + 1) / 2),
    text=r"the cubic map $p(\sigma) = \frac32\sigma - \frac12\sigma^3$ fixes $0$ and $\pm1$",
)
FLAT_AT_ONE = Statement(
    "p'(1) = 0",
    Eq(Subs(Derivative(CUBIC, sigma), sigma, 1), 0),
    text=r"with zero slope at $\sigma = 1$: convergence to 1 is quadratic",
)
POSITIVE = Statement(
    "positive",
    Eq(CUBIC, sigma * (3 - sigma**2) / 2),
    text=r"so $p(\sigma) > 0$ exactly for $0 < \sigma < \sqrt3$",
)
# the parts established only numerically (CONVERGES, QUINTIC_BAND) are declared with their checks, below

# -- the homework question, and where the identity comes from --------------------------------------
QUESTION = Question(
    target=CUBIC,
    prompt=r"One Newton--Schulz step $X \leftarrow \frac32 X - \frac12 (XX^\top)X$ acts on $X = U\Sigma V^\top$. "
    r"What does it do to a singular value $\sigma$?",
    names={"sigma": sigma},
    approximations={
        r"the coefficient of $\sigma^3$ has the wrong sign": _p(sigma, sp.Rational(3, 2), sp.Rational(1, 2), 0)
    },
)
REFS = (
    Ref.cite("jordan2024"),
    Ref.cite("liu2025", where="Sec. 2"),
    Ref.cite("higham2008", where="Ch. 8, the Newton-Schulz iteration"),
)


# -- how it is derived -----------------------------------------------------------------------------
def derivation(d: Derivation) -> None:
    r"""Muon replaces the momentum matrix $M = U\Sigma V^\top$ of a weight matrix by its orthogonal polar
    factor $UV^\top$ (every singular value set to 1), so all directions of the update move at the same
    rate. An SVD per step is too slow on accelerators; an odd matrix polynomial
    $aX + b(XX^\top)X + c(XX^\top)^2X$ is just matrix products, and it acts on the singular values alone."""
    size = r"for $2\times2$ $X$, $U$ and $V$ Cayley rotations"
    d.begin(NS_STEP, scope=size)
    d.then(
        lambda e: e.doit(), r"$X = U\Sigma V^\top$, multiplied out ($XX^\top = U\Sigma^2U^\top$ since $V^\top V = I$)"
    )
    d.then(lambda e: U_SVD * (U_SVD.T * e * V_SVD).applyfunc(sp.cancel) * V_SVD.T, r"read it in the singular bases")
    d.conclude("singular values")

    d.begin(notation(r"U^\top f(X)\,V", U_SVD.T * NS_STEP.args[1] * V_SVD, "U^T f(X) V"), scope=size)
    d.then(lambda e: e.doit(), "multiply out")
    d.then(lambda e: e.applyfunc(sp.cancel), r"$U^\top U = V^\top V = I$ (Cayley rotations: \texttt{cancel})")
    d.conclude("diagonal")

    d.begin(CUBIC - sigma)
    d.then(lambda e: sp.factor(e), "factor")
    d.conclude("fixed points")

    d.begin(Subs(Derivative(CUBIC, sigma), sigma, 1))
    d.then(lambda e: e.doit(), r"$p'(\sigma) = \frac32 - \frac32\sigma^2$ at $\sigma = 1$")
    d.conclude("p'(1) = 0")

    d.begin(CUBIC)
    d.then(lambda e: sp.factor(e), "factor")
    d.conclude("positive")


# -- how it is checked -----------------------------------------------------------------------------
def _ns(x: np.ndarray, coeffs: tuple[float, float, float], steps: int) -> np.ndarray:
    """The Newton-Schulz iteration on a matrix, as Muon runs it."""
    a, b, c = coeffs
    for _ in range(steps):
        gram = x @ x.T
        x = a * x + b * gram @ x + c * gram @ gram @ x
    return x


def crosscheck(ctx: CheckContext) -> CrossCheckResult:
    """Random 6x4 matrices scaled to unit Frobenius norm: 30 cubic steps against U V^T from numpy's SVD;
    one step with random (a, b, c) against U p(Sigma) V^T built from numpy's SVD."""
    polar, poly = [], []
    for _ in range(10):
        x = ctx.rng.normal(size=(6, 4))
        x /= np.linalg.norm(x)
        uu, ss, vt = np.linalg.svd(x, full_matrices=False)
        polar.append(float(np.max(np.abs(_ns(x, (1.5, -0.5, 0.0), 30) - uu @ vt))))
        co = tuple(ctx.rng.uniform(-5, 5, 3))
        ref = uu @ np.diag(co[0] * ss + co[1] * ss**3 + co[2] * ss**5) @ vt
        poly.append(float(np.max(np.abs(_ns(x, co, 1) - ref)) / np.max(np.abs(ref))))
    return combine(
        ctx.bound("cubic Newton-Schulz -> U V^T", "30 steps vs numpy.linalg.svd", max(polar), 1e-10),
        ctx.bound("one step = U p(Sigma) V^T", "numpy, random (a, b, c)", max(poly), 1e-12),
    )


def _cubic_converges(ctx: CheckContext) -> CrossCheckResult:
    """60 steps of the cubic map on a grid of sigma in [0.001, sqrt(3) - 0.001] and at random points."""
    pts = np.concatenate([np.linspace(1e-3, np.sqrt(3) - 1e-3, 20001), ctx.rng.uniform(1e-3, np.sqrt(3) - 1e-3, 1000)])
    out = pts.copy()
    for _ in range(60):
        out = 1.5 * out - 0.5 * out**3
    return ctx.bound("cubic map -> 1", "60 iterations on a grid of (0, sqrt 3)", float(np.max(np.abs(out - 1))), 1e-12)


def _band_check(ctx: CheckContext) -> CrossCheckResult:
    """Five steps of Muon's quintic on a fine grid of sigma in [0.01, 1] and on the singular values of
    random matrices normalised to unit Frobenius norm (so sigma <= 1): the distance outside the band."""
    grid = np.linspace(0.01, 1.0, 100001)
    sv = np.concatenate(
        [np.linalg.svd(m / np.linalg.norm(m), compute_uv=False) for m in ctx.rng.normal(size=(50, 8, 8))]
    )
    pts = np.concatenate([grid, sv[sv >= 0.01]])
    out = pts.copy()
    for _ in range(5):
        out = _p(out, *MUON)
    outside = float(np.max(np.maximum(BAND[0] - out, out - BAND[1])))
    return ctx.bound(
        f"5 quintic steps land in [{BAND[0]}, {BAND[1]}]",
        "grid of 100001 sigmas and random singular values",
        outside,
        0.0,
        samples=pts.size,
        detail=f"measured range [{out.min():.4f}, {out.max():.4f}]",
    )


CONVERGES = numerically(
    "converges",
    r"iterating the cubic map from any $\sigma \in (0, \sqrt3)$ converges to 1 (so $X \to UV^\top$)",
    _cubic_converges,
)
QUINTIC_BAND = numerically(
    "quintic band",
    rf"Muon's coefficients $(a, b, c) = {MUON}$ map every $\sigma \in [0.01, 1]$ into "
    rf"$[{BAND[0]}, {BAND[1]}]$ in 5 steps (measured; not to 1: speed bought with accuracy)",
    _band_check,
)

# -- the declaration -------------------------------------------------------------------------------
MUON_NEWTON_SCHULZ = declare(
    "muon-newton-schulz",
    aliases=("muon",),
    title="Muon: Newton-Schulz orthogonalisation",
    section="5.1",
    map_row=r"Muon (2024): orthogonalised Nesterov momentum via Newton--Schulz iterations",
    variables={
        sv1: SINGULAR,
        sv2: SINGULAR,
        u_rot: ROTATION,
        w_rot: ROTATION,
        na: COEFFICIENT,
        nb: COEFFICIENT,
        nc: COEFFICIENT,
        sigma: SINGULAR,
    },
    claim=CLAIM,
    also=(DIAGONAL, FIXED_POINTS, FLAT_AT_ONE, POSITIVE, CONVERGES, QUINTIC_BAND),
    derivation=derivation,
    crosscheck=crosscheck,
    question=QUESTION,
    refs=REFS,
)
