r"""The inner maximisation of SAM and the sharpness $\lambda_{\max}(H)$.

Sharpness-aware minimisation minimises $\max_{\lVert\boldsymbol\epsilon\rVert\le\rho} L(\mathbf{w} +
\boldsymbol\epsilon)$: to first order the inner maximum is the step $\boldsymbol\epsilon^* =
\rho\,\mathbf{g}/\lVert\mathbf{g}\rVert$, worth $\rho\lVert\mathbf{g}\rVert$, and the second-order term is bounded
by the sharpness $\lambda_{\max}(H)$, the maximum of the Hessian's Rayleigh quotient (map 1.2, Hessian spectrum
and loss-landscape sharpness). Foret, Kleiner, Mobahi and Neyshabur (2021), Sharpness-Aware Minimization,
Sec. 2, Eq. (2).
"""

from __future__ import annotations

import numpy as np
import sympy as sp
from sympy import Eq, Le, cos, sin
from sympy.simplify.simplify import factor_sum

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
    real,
)
from derive.maths.matrices import entry_domains, symbol_vector

from ._shared import (
    ANGLE,
    EIGVEC_N,
    NORM_N,
    RAYLEIGH_N,
    RAYLEIGH_N_VARS,
    i,
    j,
    k,
    lam1,
    lamI,
    n,
    phi,
    rayleigh_attained_n,
    rayleigh_bound_n,
    t_top,
)

# -- symbols ---------------------------------------------------------------------------------------
RADIUS = positive(1)
rho_s = RADIUS.symbol("rho")
GRAD_NORM = positive(5)
gnorm = GRAD_NORM.symbol("r")
psi = ANGLE.symbol("psi")
EPS = rho_s * sp.Matrix([cos(phi), sin(phi)])
GRAD = gnorm * sp.Matrix([cos(psi), sin(psi)])
GRAD_ENTRY = real(-3, 3)
g3 = symbol_vector("g", 3, GRAD_ENTRY)
G3NORM = sp.sqrt((g3.T * g3)[0, 0])
E_STAR = rho_s * g3 / G3NORM
gI = sp.IndexedBase("g", real=True)
GN_NORM = sp.sqrt(sp.Sum(gI[j] ** 2, (j, 1, n)))  # ||g|| in any dimension n
STAR_DOT_G = sp.Sum(rho_s * gI[i] / GN_NORM * gI[i], (i, 1, n))  # eps*^T g

# -- what is claimed -------------------------------------------------------------------------------
CLAIM = Statement(
    "first-order max",
    Le(notation(r"\boldsymbol\epsilon^\top\mathbf{g}", (EPS.T * GRAD)[0, 0], "eps^T g"), rho_s * gnorm),
    text=r"for every $\boldsymbol\epsilon$ with $\lVert\boldsymbol\epsilon\rVert = \rho$ and "
    r"$\lVert\mathbf{g}\rVert = r$ "
    r"(inside the ball $\boldsymbol\epsilon^\top\mathbf{g}$ is smaller still: it is linear in "
    r"$\boldsymbol\epsilon$)",
)
MAXIMISER = Statement(
    "maximiser",
    Eq(
        notation(r"\boldsymbol\epsilon^{*\top}\mathbf{g}", STAR_DOT_G, "e*^T g"),
        rho_s * GN_NORM,
        evaluate=False,
    ),
    text=r"$\boldsymbol\epsilon^* = \rho\,\mathbf{g}/\lVert\mathbf{g}\rVert$ attains the bound "
    r"$\rho\lVert\mathbf{g}\rVert$",
)
SHARPNESS = Statement(
    "sharpness",
    Le(notation(r"\mathbf{v}^\top H\mathbf{v}", RAYLEIGH_N, "v^T H v"), lam1 * NORM_N),
    text=r"for a symmetric $n\times n$ Hessian (any $n$) and every $\mathbf{v}$: $\mathbf{v}^\top H\mathbf{v} \le "
    r"\lambda_{\max}\lVert\mathbf{v}\rVert^2$, with equality at the top eigenvector: "
    r"$\lambda_{\max}(H) = \max_{\lVert\mathbf{v}\rVert = 1}\mathbf{v}^\top H\mathbf{v}$",
)
ATTAINED = Statement(
    "attained",
    Eq(notation(r"(\Lambda\mathbf{e}_t)_k", EIGVEC_N, "(Lambda e_t)_k"), lamI[t_top] * sp.KroneckerDelta(k, t_top)),
    text=r"the top eigenvector $\mathbf{u}_t = U\mathbf{e}_t$: $H\mathbf{u}_t = \lambda_t\mathbf{u}_t$, any $n$",
)

# -- the homework question, and where the identity comes from --------------------------------------
QUESTION = Question(
    target=rho_s * gI[i] / sp.sqrt(sp.Sum(gI[j] ** 2, (j, 1, n))),
    prompt=r"SAM maximises the first-order model $L(\mathbf{w}) + \boldsymbol\epsilon^\top\mathbf{g}$ over "
    r"$\lVert\boldsymbol\epsilon\rVert \le \rho$. Give the maximiser $\epsilon^*_i$.",
    forms=(E_STAR,),
    approximations={
        r"the step is not normalised: $\rho\,\mathbf{g}$ leaves the ball": rho_s * gI[i],
        r"that is the minimiser (a descent step), not the maximiser": -rho_s
        * gI[i]
        / sp.sqrt(sp.Sum(gI[j] ** 2, (j, 1, n))),
    },
)
REFS = (
    Ref.cite("foret2021", where="Sec. 2, Eq. (2)"),
    Ref.cite("keskar2017"),
)


# -- how it is derived -----------------------------------------------------------------------------
def derivation(d: Derivation) -> None:
    r"""SAM minimises $\max_{\lVert\boldsymbol\epsilon\rVert\le\rho} L(\mathbf{w} + \boldsymbol\epsilon)$. With the
    first-order model $L(\mathbf{w}) + \boldsymbol\epsilon^\top\mathbf{g}$ the inner maximum is the step
    $\boldsymbol\epsilon^* = \rho\,\mathbf{g}/\lVert\mathbf{g}\rVert$ up the gradient, worth
    $\rho\lVert\mathbf{g}\rVert$; the second-order term $\tfrac12\boldsymbol\epsilon^\top H\boldsymbol\epsilon$ is
    at most $\tfrac12\rho^2\lambda_{\max}(H)$, the sharpness, because the top eigenvalue is the maximum of the
    Rayleigh quotient."""
    d.begin(
        (EPS.T * GRAD)[0, 0],
        r"$\boldsymbol\epsilon = \rho(\cos\varphi, \sin\varphi)$, $\mathbf{g} = r(\cos\psi, \sin\psi)$",
        scope="in 2 dimensions",
    )
    d.then(rho_s * gnorm * cos(phi - psi), r"angle-difference formula")
    d.then(rho_s * gnorm - 2 * rho_s * gnorm * sin((phi - psi) / 2) ** 2, r"$\cos x = 1 - 2\sin^2(x/2)$")
    d.bound(
        rho_s * gnorm,
        r"drop the nonnegative term; equality at $\varphi = \psi$, $\boldsymbol\epsilon \parallel \mathbf{g}$",
        relation="<=",
    )
    d.conclude("first-order max")

    d.begin(STAR_DOT_G, r"$\epsilon^*_i = \rho\,g_i/\lVert\mathbf{g}\rVert$, in any dimension $n$")
    d.then(factor_sum, r"$\lVert\mathbf{g}\rVert$ does not depend on $i$: pull it out of the sum")
    d.then(rho_s * GN_NORM, r"$\sum_i g_i^2 = \lVert\mathbf{g}\rVert^2$")
    d.conclude("maximiser")

    rayleigh_bound_n(d, "sharpness")
    rayleigh_attained_n(d, "attained")


# -- how it is checked -----------------------------------------------------------------------------
def _power_iteration(h: np.ndarray, v: np.ndarray, steps: int = 2000) -> float:
    """The Rayleigh quotient after power iteration on h + c I (c shifts the spectrum to be positive)."""
    c = np.abs(h).sum(axis=1).max()  # Gershgorin: every eigenvalue of h + c I is >= 0
    for _ in range(steps):
        v = h @ v + c * v
        v /= np.linalg.norm(v)
    return float(v @ h @ v)


def crosscheck(ctx: CheckContext) -> CrossCheckResult:
    """Random g in R^5: e* = rho g/||g|| against the best of 200000 points of the ball ||e|| <= rho; random
    symmetric H: power iteration against numpy.linalg.eigvalsh."""
    gaps, excess = [], []
    for _ in range(5):
        g, rho = ctx.rng.normal(size=5), ctx.rng.uniform(0.01, 1.0)
        e = ctx.rng.normal(size=(200000, 5))
        e *= (rho * ctx.rng.uniform(0, 1, size=(200000, 1)) ** (1 / 5)) / np.linalg.norm(e, axis=1, keepdims=True)
        best = float(np.max(e @ g))
        star = float((rho * g / np.linalg.norm(g)) @ g)
        excess.append((best - star) / star)  # never positive: nothing in the ball beats e*
        gaps.append((star - best) / star)  # small: the search comes close to e*
    lam_pi, lam_np = [], []
    for size in (4, 8, 16):
        h = ctx.rng.normal(size=(size, size))
        h = (h + h.T) / 2
        lam_pi.append(_power_iteration(h, ctx.rng.normal(size=size)))
        lam_np.append(float(np.linalg.eigvalsh(h)[-1]))
    return combine(
        ctx.bound("(best in ball - e*.g)/e*.g", "random search in the ball", max(excess), 1e-12, samples=10**6),
        ctx.bound("(e*.g - best in ball)/e*.g", "random search in the ball", max(gaps), 0.05, samples=10**6),
        ctx.compare(
            "lambda_max", "power iteration vs numpy.linalg.eigvalsh", np.array(lam_pi), np.array(lam_np), rtol=1e-8
        ),
    )


# -- the declaration -------------------------------------------------------------------------------
SAM_SHARPNESS = declare(
    "sam-sharpness",
    title="The inner maximisation of SAM and the sharpness $\\lambda_{\\max}(H)$",
    section="1.2",
    map_row=r"Hessian spectrum $\nabla^2\mathcal{L}$: loss landscape sharpness, sharpness-aware minimisation (Foret "
    r"et al., 2021)",
    variables=RAYLEIGH_N_VARS
    | {phi: ANGLE, rho_s: RADIUS, gnorm: GRAD_NORM, psi: ANGLE, i: integer(1, n), gI: GRAD_ENTRY}
    | entry_domains(g3, GRAD_ENTRY),
    claim=CLAIM,
    also=(MAXIMISER, SHARPNESS, ATTAINED),
    derivation=derivation,
    crosscheck=crosscheck,
    question=QUESTION,
    refs=REFS,
    builds_on=("pca-top-eigenvector",),
)
