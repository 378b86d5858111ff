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
from sympy import Eq, Le
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
    nonnegative,
    notation,
    positive,
    punctured,
)
from derive.maths.matrices import entry_domains, symbol_vector

from ._shared import (
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
    rayleigh_attained_n,
    rayleigh_bound_n,
    t_top,
)

# -- symbols ---------------------------------------------------------------------------------------
RADIUS = positive(1)
rho_s = RADIUS.symbol("rho")
GRAD_ENTRY = punctured(-3, 3)  # nonzero entries: g != 0, as the step g/||g|| needs
g3 = symbol_vector("g", 3, GRAD_ENTRY)
G3NORM = sp.sqrt((g3.T * g3)[0, 0])
E_STAR = rho_s * g3 / G3NORM
gI = sp.IndexedBase("g", real=True, nonzero=True)
GN_NORM = sp.sqrt(sp.Sum(gI[j] ** 2, (j, 1, n)))  # ||g|| in any dimension n
STAR_DOT_G = sp.Sum(rho_s * gI[i] / GN_NORM * gI[i], (i, 1, n))  # eps*^T g
# a point of the ball: eps = rho u/((1 + s)||u||), of norm rho/(1 + s) in (0, rho], direction u (entries nonzero)
DIRECTION = punctured(-2, 2)
uI = sp.IndexedBase("u", real=True, nonzero=True)
SHRINK = nonnegative(5)
shrink = SHRINK.symbol("s")
UN_NORM = sp.sqrt(sp.Sum(uI[j] ** 2, (j, 1, n)))
EPS_DOT_G = sp.Sum(rho_s * uI[i] / ((1 + shrink) * UN_NORM) * gI[i], (i, 1, n))
#: half the squared distance of the unit vectors u/||u|| and g/||g||, 1 - cos of their angle, written
#: sum_i (||g|| u_i - ||u|| g_i)^2/(2 ||u||^2 ||g||^2) (the form SymPy's summation tries quickest)
HALF_GAP = sp.Sum((GN_NORM * uI[i] - UN_NORM * gI[i]) ** 2, (i, 1, n)) / (2 * UN_NORM**2 * GN_NORM**2)

# -- what is claimed -------------------------------------------------------------------------------
CLAIM = Statement(
    "first-order max",
    Le(notation(r"\boldsymbol\epsilon^\top\mathbf{g}", EPS_DOT_G, "eps^T g"), rho_s * GN_NORM),
    text=r"in any dimension $n$, for every $\boldsymbol\epsilon$ with $0 < \lVert\boldsymbol\epsilon\rVert \le \rho$, "
    r"written $\boldsymbol\epsilon = \rho\,\mathbf{u}/((1 + s)\lVert\mathbf{u}\rVert)$, $s \ge 0$ "
    r"($\boldsymbol\epsilon = 0$ gives $0$): the first-order gain is at most $\rho\lVert\mathbf{g}\rVert$ "
    r"(the Cauchy-Schwarz inequality, derived; entries of $\mathbf{u}$, $\mathbf{g}$ nonzero, the rest by "
    r"continuity)",
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
    d.begin(EPS_DOT_G, r"$\epsilon_i = \rho\,u_i/((1 + s)\lVert\mathbf{u}\rVert)$, in any dimension $n$")
    d.then(factor_sum, r"pull the factors free of $i$ out of the sum")
    top = rho_s * GN_NORM / (1 + shrink)
    d.then(
        top * (1 - HALF_GAP),
        r"$\mathbf{u}^\top\mathbf{g}/(\lVert\mathbf{u}\rVert\lVert\mathbf{g}\rVert) = 1 - \tfrac12\sum_i"
        r"(u_i/\lVert\mathbf{u}\rVert - g_i/\lVert\mathbf{g}\rVert)^2$ (the two unit vectors have "
        r"$\sum_i(\cdot)^2 = 1$), over the common denominator $\lVert\mathbf{u}\rVert^2\lVert\mathbf{g}\rVert^2$",
    )
    d.then(top - top * HALF_GAP, r"multiply out")
    d.bound(
        top,
        r"drop the sum of squares; equality exactly when $\mathbf{u} \parallel \mathbf{g}$ (Cauchy-Schwarz)",
        relation="<=",
    )
    d.bound(rho_s * GN_NORM, r"$1/(1 + s) \le 1$: equality on the sphere $\lVert\boldsymbol\epsilon\rVert = \rho$")
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
    | {rho_s: RADIUS, i: integer(1, n), gI: GRAD_ENTRY, uI: DIRECTION, shrink: SHRINK}
    | entry_domains(g3, GRAD_ENTRY),
    claim=CLAIM,
    also=(MAXIMISER, SHARPNESS, ATTAINED),
    derivation=derivation,
    crosscheck=crosscheck,
    question=QUESTION,
    refs=REFS,
    builds_on=("pca-top-eigenvector",),
)
