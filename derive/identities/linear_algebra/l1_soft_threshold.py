r"""The L1 penalty soft-thresholds.

The proximal step of the L1 penalty, $\operatorname{argmin}_t \tfrac12(t - z)^2 + \lambda\lvert t\rvert$, is the
soft threshold $\operatorname{sign}(z)\max(\lvert z\rvert - \lambda, 0)$, exactly zero whenever
$\lvert z\rvert \le \lambda$: the reason the Lasso, ISTA and sparse fine-tuning produce sparse weights (map 1.4,
norms and regularisation). Tibshirani (1996), Regression shrinkage and selection via the lasso; Parikh and Boyd
(2014), Proximal Algorithms, Sec. 6.5.2.
"""

from __future__ import annotations

import numpy as np
import sympy as sp
from sympy import Abs, Eq, Limit, Max, Piecewise, sign

from derive.authoring import (
    CheckContext,
    CrossCheckResult,
    Derivation,
    Question,
    Ref,
    Statement,
    declare,
    positive,
    real,
)

# -- symbols ---------------------------------------------------------------------------------------
Z = real(-6, 6)
z = Z.symbol("z")
LAMBDA = positive(3)
lam1 = LAMBDA.symbol("lambda")
T = real(-10, 10)
t = T.symbol("t")
# the two cases of the derivation: t restricted to t > 0 and to t < 0 (SymPy then knows |t|)
t_pos, t_neg = sp.Symbol("t", positive=True), sp.Symbol("t", negative=True)
OBJ = (t - z) ** 2 / 2 + lam1 * Abs(t)
SOFT = sign(z) * Max(Abs(z) - lam1, 0)
#: the minimiser case by case; map-lasso (probability chapter) imports it with ``z`` and ``lam1``
CASES = Piecewise((z - lam1, z > lam1), (z + lam1, z < -lam1), (0, True))

# -- what is claimed -------------------------------------------------------------------------------
CLAIM = Statement(
    "soft threshold",
    Eq(CASES, SOFT),
    text=r"$\operatorname{argmin}_t \tfrac12(t - z)^2 + \lambda\lvert t\rvert$, found case by case, is "
    r"$\operatorname{sign}(z)\max(\lvert z\rvert - \lambda, 0)$: exactly $0$ whenever $\lvert z\rvert \le \lambda$",
)

# -- the homework question, and where the identity comes from --------------------------------------
QUESTION = Question(
    target=SOFT,
    prompt=r"Find $\operatorname{argmin}_{t \in \mathbb{R}} \tfrac12 (t - z)^2 + \lambda\lvert t\rvert$ "
    r"for $\lambda > 0$.",
    names={"lam": lam1},
    approximations={
        r"the threshold is $\lambda$, not $\lambda/2$ (that is the prox of $\tfrac{\lambda}{2}\lvert t\rvert$)": (
            sign(z) * Max(Abs(z) - lam1 / 2, 0)
        ),
        r"hard thresholding keeps $z$ unshrunk; the L1 prox also subtracts $\lambda$": z * sp.Heaviside(Abs(z) - lam1),
        r"the case $t = 0$ is missing: for $\lvert z\rvert \le \lambda$ the minimiser is $0$, "
        r"not $z - \lambda\operatorname{sign}(z)$": z - lam1 * sign(z),
    },
)
REFS = (
    Ref.cite("tibshirani1996"),
    Ref.cite("donoho1995"),
    Ref.cite("parikh2014", where="Sec. 6.5.2"),
)


# -- how it is derived -----------------------------------------------------------------------------
def derivation(d: Derivation) -> None:
    r"""The proximal step of the L1 penalty, $\operatorname{argmin}_t \tfrac12(t - z)^2 + \lambda\lvert t\rvert$, is
    the workhorse of the Lasso, ISTA and sparse fine-tuning. The objective is strictly convex but not
    differentiable at $0$, so it is minimised case by case: on $t > 0$ and $t < 0$ by setting the derivative to
    zero, and at the kink $t = 0$ by the one-sided derivatives (the subgradient condition
    $0 \in \partial f(0)$). The three cases assemble into the soft threshold, which sets every coordinate
    with $\lvert z\rvert \le \lambda$ exactly to zero: that is why L1 produces sparse weights and L2 does not."""
    for tt, why, key in (
        (t_pos, r"on $t > 0$, where $\lvert t\rvert = t$", "t > 0"),
        (t_neg, r"on $t < 0$, where $\lvert t\rvert = -t$", "t < 0"),
    ):
        d.begin(Eq(sp.Derivative(OBJ.subs(t, tt), tt), 0), why, title=f"Case {key}")
        d.then(lambda e: e.doit(), "differentiate")
        d.solve(tt, "solve for $t$")
        sol = d.last.rhs
        valid = sp.reduce_inequalities(sol > 0 if tt is t_pos else sol < 0, z)
        d.note(rf"The stationary point ${sp.latex(sol)}$ lies in the case exactly when ${sp.latex(valid)}$.")
        d.keep(key, sol)
        d.keep(key + " when", valid)
        d.finish()
    slopes = []
    for direction in ("+", "-"):
        d.begin(Limit(sp.Derivative(OBJ, t), t, 0, direction), title=f"Case t = 0, slope from {direction}")
        d.then(lambda e: e.doit(), r"$\frac{d}{dt}\lvert t\rvert = \operatorname{sign}(t)$, then the one-sided limit")
        slopes.append(d.last)
        d.finish()
    at_zero = sp.reduce_inequalities([slopes[1] <= 0, slopes[0] >= 0], z)
    d.values["t = 0 when"] = at_zero
    d.begin(
        Piecewise((d.values["t > 0"], d.values["t > 0 when"]), (d.values["t < 0"], d.values["t < 0 when"]), (0, True)),
        rf"the three cases (at $t = 0$ the slopes are ${sp.latex(slopes[1])} \le 0 \le {sp.latex(slopes[0])}$ "
        rf"exactly when ${sp.latex(at_zero)}$, the remaining $z$)",
    )
    d.then(SOFT, r"one formula: shrink $\lvert z\rvert$ by $\lambda$ and clamp at $0$")
    d.conclude("soft threshold")


# -- how it is checked -----------------------------------------------------------------------------
def crosscheck(ctx: CheckContext) -> CrossCheckResult:
    r"""The minimiser of (t - z)^2/2 + lambda |t| by brute force: a grid of spacing 1e-3 on [-10, 10], then
    bounded Brent minimisation on the bracket around the best grid point, at 200 random (z, lambda) and at
    the thresholds z = +-lambda."""
    from scipy.optimize import minimize_scalar

    values = ctx.sample(200)
    zs, ls = values[z], values[lam1]
    zs = np.concatenate([zs, ls[:20], -ls[20:40]])  # exactly at the kink of the result
    ls = np.concatenate([ls, ls[:20], ls[20:40]])
    grid = np.linspace(-10, 10, 20001)
    found = []
    for zi, li in zip(zs, ls, strict=True):
        f = 0.5 * (grid - zi) ** 2 + li * np.abs(grid)
        k = int(np.argmin(f))
        lo, hi = grid[max(k - 1, 0)], grid[min(k + 1, len(grid) - 1)]
        res = minimize_scalar(
            lambda t, zi=zi, li=li: 0.5 * (t - zi) ** 2 + li * abs(t),
            bounds=(lo, hi),
            method="bounded",
            options={"xatol": 1e-10},
        )
        found.append(res.x)
    derived = ctx.numpy(ctx.result, [lam1, z])(ls, zs)
    return ctx.compare(
        "argmin by grid + Brent", "scipy.optimize.minimize_scalar", np.array(found), derived, rtol=1e-7, floor=1.0
    )


# -- the declaration -------------------------------------------------------------------------------
L1_SOFT_THRESHOLD = declare(
    "l1-soft-threshold",
    aliases=("soft-threshold", "lasso-prox"),
    title="The L1 penalty soft-thresholds",
    section="1.4",
    map_row=r"$\lVert\boldsymbol\theta\rVert_1$: L1 / Lasso induces sparsity (sparse fine-tuning)",
    variables={z: Z, lam1: LAMBDA, t: T},
    claim=CLAIM,
    derivation=derivation,
    crosscheck=crosscheck,
    question=QUESTION,
    refs=REFS,
)
