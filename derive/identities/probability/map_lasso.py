r"""MAP with a Laplace prior is the lasso.

The negative log of a Laplace prior $p(w) = e^{-|w|/b}/(2b)$ is the L1 penalty $|w|/b$, so MAP estimation
with it is the lasso with $\lambda = \sigma^2/b$; in one dimension the minimiser is a soft threshold of the
least-squares estimate, exactly zero for small effects, which is why L1 gives sparse models (map 3.1, MAP
with a Laplace prior $=$ L1 regularisation). Tibshirani (1996), Regression shrinkage and selection via the
lasso, JRSS B 58(1), Sec. 5.
"""

from __future__ import annotations

import numpy as np
import sympy as sp
from sympy import Derivative, Eq, Subs, log

from derive.authoring import (
    CheckContext,
    CrossCheckResult,
    Derivation,
    Question,
    Ref,
    Statement,
    combine,
    declare,
    positive,
    real,
    vector,
)
from derive.identities.linear_algebra.l1_soft_threshold import CASES as L1_PROX
from derive.identities.linear_algebra.l1_soft_threshold import lam1 as L1_LAMBDA
from derive.identities.linear_algebra.l1_soft_threshold import z as L1_Z

from ._shared import CROSS, NOISE, SQUARES, WEIGHT, Sxx, Sxy, Syy, sigma, w

# -- symbols ---------------------------------------------------------------------------------------
# sigma, w and the sums Sxx, Sxy, Syy are the chapter's (_shared), as on the map-ridge page; this page
# samples Sxx from 0.1 up
SXX = positive(20, lo=0.1)
LAPLACE_SCALE = positive(5, lo=0.05)
ESTIMATE = real(-5, 5)
THRESHOLD = positive(5)
b_scale = LAPLACE_SCALE.symbol("b")  # Laplace scale
z_ols = ESTIMATE.symbol("z")  # the least-squares estimate Sxy/Sxx
t_thr = THRESHOLD.symbol("t")  # the threshold sigma^2/(b Sxx)
w_pos, w_neg = sp.Symbol("w_+", real=True), sp.Symbol("w_-", real=True)  # unknowns on each branch
LAPLACE_PDF = sp.exp(-sp.Abs(w) / b_scale) / (2 * b_scale)
LASSO_NLP = (Syy - 2 * w * Sxy + w**2 * Sxx) / (2 * sigma**2) + sp.Abs(w) / b_scale
PROX_FORM = (w - Sxy / Sxx) ** 2 / 2 + sigma**2 / (b_scale * Sxx) * sp.Abs(w)
SOFT_THRESHOLD = sp.sign(Sxy) * sp.Max(sp.Abs(Sxy) - sigma**2 / b_scale, 0) / Sxx
# l1-soft-threshold's minimiser of (w - z)^2/2 + lambda |w|, case by case, at this problem's z and lambda
MAP_CASES = L1_PROX.xreplace({L1_Z: Sxy / Sxx, L1_LAMBDA: sigma**2 / (b_scale * Sxx)})

# -- what is claimed -------------------------------------------------------------------------------
CLAIM = Statement(
    "penalty",
    Eq(-log(LAPLACE_PDF), sp.Abs(w) / b_scale + log(2 * b_scale)),
    text=r"the negative log of the Laplace prior $p(w) = e^{-|w|/b}/(2b)$ is the L1 penalty $|w|/b$ "
    r"plus a constant",
)
PROX = Statement(
    "prox form",
    Eq(sigma**2 / Sxx * LASSO_NLP, PROX_FORM + (Syy - Sxy**2 / Sxx) / (2 * Sxx)),
    text=r"times $\sigma^2/S_{xx}$, the negative log posterior is $\frac12(w - S_{xy}/S_{xx})^2 + t|w|$ "
    r"plus a constant: L1 with $\lambda = \sigma^2/b$, threshold $t = \lambda/S_{xx}$",
)
POSITIVE_BRANCH = Statement(
    "w > 0", Eq(w_pos, z_ols - t_thr), text=r"on $w > 0$ the stationary point of $\frac12(w-z)^2 + t|w|$"
)
NEGATIVE_BRANCH = Statement("w < 0", Eq(w_neg, z_ols + t_thr), text=r"on $w < 0$ the stationary point")
SOFT = Statement(
    "soft threshold",
    Eq(MAP_CASES, SOFT_THRESHOLD),
    text=r"hence, by l1-soft-threshold with $z = S_{xy}/S_{xx}$ and $t = \sigma^2/(b S_{xx})$, the minimiser "
    r"$z - t$ if $z > t$, $z + t$ if $z < -t$, else $0$, is $w_{\mathrm{MAP}} = \operatorname{sign}(S_{xy})"
    r"\max(|S_{xy}| - \sigma^2/b, 0)/S_{xx}$",
)

# -- the homework question, and where the identity comes from --------------------------------------
QUESTION = Question(
    target=SOFT_THRESHOLD,
    prompt=r"Observations $y_i = w x_i + \varepsilon_i$, $\varepsilon_i \sim \mathcal N(0, \sigma^2)$, prior "
    r"$p(w) = e^{-|w|/b}/(2b)$. Give the MAP estimate of $w$ in terms of $S_{xx} = \sum_i x_i^2$, "
    r"$S_{xy} = \sum_i x_i y_i$.",
    names={"S_xy": Sxy, "S_xx": Sxx},
    approximations={
        r"the threshold is $\sigma^2/b$, not $1/b$": sp.sign(Sxy) * sp.Max(sp.Abs(Sxy) - 1 / b_scale, 0) / Sxx,
        "this is the least-squares estimate: the prior is missing": Sxy / Sxx,
        r"the soft threshold of $S_{xy}$ must still be divided by $S_{xx}$": sp.sign(Sxy)
        * sp.Max(sp.Abs(Sxy) - sigma**2 / b_scale, 0),
        r"the threshold is $\sigma^2/b$, not $\sigma^2/(2b)$ (the Laplace penalty is $|w|/b$, not "
        r"$|w|/(2b)$)": sp.sign(Sxy) * sp.Max(sp.Abs(Sxy) - sigma**2 / (2 * b_scale), 0) / Sxx,
    },
)
REFS = (
    Ref.cite("tibshirani1996", where="Sec. 5"),
    Ref.cite("murphy2012", where="Sec. 13.3"),
)


# -- how it is derived -----------------------------------------------------------------------------
def derivation(d: Derivation) -> None:
    r"""A Laplace prior $p(w) = e^{-|w|/b}/(2b)$ puts a kink at $w = 0$; its negative log is the L1
    penalty $|w|/b$, so MAP estimation with it is the lasso with $\lambda = \sigma^2/b$. In one
    dimension the minimiser is a soft threshold of the least-squares estimate: small effects are
    set exactly to zero, which is why L1 gives sparse models."""
    d.begin(-log(LAPLACE_PDF))
    d.then(lambda e: sp.expand_log(e, force=True), "log of the density")
    d.conclude("penalty")

    d.begin(
        sigma**2 / Sxx * LASSO_NLP,
        r"Gaussian likelihood (through $S_{xx}, S_{xy}, S_{yy}$, see map-ridge) "
        r"plus the Laplace penalty, scaled by $\sigma^2/S_{xx}$",
    )
    d.then(lambda e: sp.expand(e), "expand")
    d.then(PROX_FORM + (Syy - Sxy**2 / Sxx) / (2 * Sxx), r"complete the square in $w$")
    d.conclude("prox form")

    prox = (w - z_ols) ** 2 / 2 + t_thr * sp.Abs(w)
    for unknown, sign, label in ((w_pos, 1, "w > 0"), (w_neg, -1, "w < 0")):
        branch = prox.subs(sp.Abs(w), sign * w)
        d.begin(
            Eq(Subs(Derivative(branch, w), w, unknown), 0),
            rf"on ${'w > 0' if sign > 0 else 'w < 0'}$, $|w| = {'' if sign > 0 else '-'}w$: stationarity of "
            r"$\frac12(w - z)^2 + t|w|$ with $z = S_{xy}/S_{xx}$, $t = \sigma^2/(b S_{xx})$",
        )
        d.then(lambda e: e.doit(), "differentiate")
        d.solve(unknown, "solve")
        d.note(
            "a valid stationary point only if it has the branch's sign: "
            + (r"$z > t$" if sign > 0 else r"$z < -t$")
            + r"; otherwise the minimum is at the kink $w = 0$ (the soft threshold)"
        )
        d.conclude(label)

    d.begin(
        MAP_CASES,
        r"l1-soft-threshold: the minimiser of $\frac12(w - z)^2 + t|w|$, case by case, at "
        r"$z = S_{xy}/S_{xx}$ and $t = \sigma^2/(b S_{xx})$",
        title="The soft threshold",
    )
    d.then(
        SOFT_THRESHOLD,
        r"$z \mp t = (S_{xy} \mp \sigma^2/b)/S_{xx}$ and $S_{xx} > 0$: the cases are "
        r"$\operatorname{sign}(S_{xy})\max(|S_{xy}| - \sigma^2/b, 0)/S_{xx}$",
    )
    d.conclude("soft threshold")


# -- how it is checked -----------------------------------------------------------------------------
def _lasso_objective(x: np.ndarray, y: np.ndarray, wv: np.ndarray, s: float, b: float) -> np.ndarray:
    """-log p(y | w) - log p(w) (constants kept) for every w in ``wv``, Laplace prior of scale b."""
    resid = y[None, :] - wv[:, None] * x[None, :]
    nll = np.sum(resid**2, axis=1) / (2 * s**2) + len(y) * np.log(np.sqrt(2 * np.pi) * s)
    return nll + np.abs(wv) / b + np.log(2 * b)


def _lasso_problems(
    ctx: CheckContext, count: int, size: int, slope: float
) -> list[tuple[np.ndarray, np.ndarray, float, float]]:
    """``count`` random 1-D problems (x, y = slope x + noise, sigma, b); in half of them the threshold
    sigma^2/b is above |Sxy|, so the MAP estimate is exactly 0."""
    out = []
    for k in range(count):
        x = ctx.rng.normal(size=size)
        y = slope * x + ctx.rng.normal(size=size)
        s = ctx.rng.uniform(0.5, 2.0)
        b = ctx.rng.uniform(0.02, 0.2) if k % 2 else ctx.rng.uniform(0.5, 5.0)
        out.append((x, y, s, b))
    return out


def _grid_argmin(x: np.ndarray, y: np.ndarray, s: float, b: float) -> float:
    """The minimiser of the negative log posterior on a fine grid, refined twice around the best point."""
    centre, half = 0.0, 5.0
    for _ in range(3):
        grid = np.linspace(centre - half, centre + half, 20001)
        centre = grid[np.argmin(_lasso_objective(x, y, grid, s, b))]
        half /= 200.0
    return float(centre)


def _brent_argmin(x: np.ndarray, y: np.ndarray, s: float, b: float) -> float:
    """scipy's bounded Brent search on each half line (the objective is smooth there) and the kink
    w = 0: the best of the three."""
    from scipy.optimize import minimize_scalar

    def obj(v: float) -> float:
        return float(_lasso_objective(x, y, np.array([v]), s, b)[0])

    candidates = [0.0] + [
        minimize_scalar(obj, bounds=side, method="bounded", options={"xatol": 1e-12}).x
        for side in ((1e-15, 20.0), (-20.0, -1e-15))
    ]
    return float(min(candidates, key=obj))


def crosscheck(ctx: CheckContext) -> CrossCheckResult:
    """Two independent minimisers of the negative log posterior on random 1-D problems (a refined
    grid; scipy Brent on each half line) against sign(Sxy) max(|Sxy| - sigma^2/b, 0)/Sxx."""
    rule = sp.lambdify([Sxy, Sxx, sigma, b_scale], SOFT_THRESHOLD, "numpy")
    results = []
    for what, method, argmin, (count, size, slope) in (
        ("grid", "grid minimisation (three refinements)", _grid_argmin, (24, 15, 0.3)),
        ("scipy", "scipy bounded Brent on each half line", _brent_argmin, (16, 12, 0.5)),
    ):
        problems = _lasso_problems(ctx, count, size, slope)
        got = np.array([argmin(x, y, s, b) for x, y, s, b in problems])
        expected = np.array([rule(np.sum(x * y), np.sum(x * x), s, b) for x, y, s, b in problems])
        results.append(
            ctx.compare(
                f"{what} argmin of -log posterior vs soft threshold", method, got, expected, rtol=1e-6, floor=1.0
            )
        )
    return combine(*results)


# -- the declaration -------------------------------------------------------------------------------
MAP_LASSO = declare(
    "map-lasso",
    aliases=("map-l1", "map-laplace-prior"),
    title="MAP with a Laplace prior is the lasso",
    section="3.1",
    map_row=r"MAP with Laplace prior $=$ L1 regularisation; in 1-D a soft threshold",
    variables={
        w: WEIGHT,
        b_scale: LAPLACE_SCALE,
        sigma: NOISE,
        Sxx: SXX,
        Sxy: CROSS,
        Syy: SQUARES,
        z_ols: ESTIMATE,
        t_thr: THRESHOLD,
        w_pos: vector(1),
        w_neg: vector(1),
    },
    claim=CLAIM,
    also=(PROX, POSITIVE_BRANCH, NEGATIVE_BRANCH, SOFT),
    derivation=derivation,
    crosscheck=crosscheck,
    question=QUESTION,
    refs=REFS,
    builds_on=("l1-soft-threshold",),
)
