r"""Mutual information: three forms, nonnegativity, the Gaussian case and InfoNCE.

$I(X;Y) = H(X) - H(X\mid Y) = H(X) + H(Y) - H(X,Y) = \mathrm{KL}(p(x,y)\,\|\,p(x)p(y)) \ge 0$ is how much
observing $Y$ reduces the uncertainty about $X$; for a bivariate Gaussian it is $-\frac12\log(1-\rho^2)$, and
contrastive learning (CPC, SimCLR, CLIP) maximises its InfoNCE lower bound $\log N - \mathcal L_{\mathrm{InfoNCE}}$
(map 4, mutual information). Derived for a symbolic $2\times 2$ joint table. van den Oord, Li and Vinyals
(2018), Representation Learning with Contrastive Predictive Coding, Sec. 2.3.
"""

from __future__ import annotations

import numpy as np
import sympy as sp
from sympy import Eq, Function, Ge, IndexedBase, Rational, log

from derive.authoring import (
    CheckContext,
    CrossCheckResult,
    Derivation,
    Question,
    Ref,
    Statement,
    combine,
    declare,
    gibbs,
    interval,
    numerically,
    positive,
    real,
)
from derive.authoring import discrete as dm
from derive.authoring import gaussian as gm
from derive.authoring import montecarlo as mc
from derive.numeric.discrete import distributions, evaluator

# -- symbols ---------------------------------------------------------------------------------------
WEIGHTS = positive(10)
CORRELATION = interval(Rational(-9, 10), Rational(9, 10))
STANDARD = real()
wj = IndexedBase("w", positive=True)
PXY = Function("p")  # the joint table p(i, j) = w_ij / sum w
jI, jJ = sp.Symbol("i", integer=True, positive=True), sp.Symbol("j", integer=True, positive=True)
CELLS = [(a, b) for a in (1, 2) for b in (1, 2)]
W_TOTAL = sp.Add(*(wj[a, b] for a, b in CELLS))


def px(a: int) -> sp.Expr:
    """The marginal p_X(a) = sum_j p(a, j)."""
    return PXY(a, 1) + PXY(a, 2)


def py(b: int) -> sp.Expr:
    """The marginal p_Y(b) = sum_i p(i, b)."""
    return PXY(1, b) + PXY(2, b)


H_X = -sp.Add(*(px(a) * log(px(a)) for a in (1, 2)))
H_Y = -sp.Add(*(py(b) * log(py(b)) for b in (1, 2)))
H_XY = -sp.Add(*(PXY(a, b) * log(PXY(a, b)) for a, b in CELLS))
H_X_GIVEN_Y = -sp.Add(*(PXY(a, b) * log(PXY(a, b) / py(b)) for a, b in CELLS))
MI_KL = sp.Add(*(PXY(a, b) * log(PXY(a, b) / (px(a) * py(b))) for a, b in CELLS))
MI_GIBBS = sp.Add(*(PXY(a, b) * gibbs(px(a) * py(b) / PXY(a, b)) for a, b in CELLS))

u = STANDARD.symbol("u")
rho = CORRELATION.symbol("rho")
vv = STANDARD.symbol("v")
_y = rho * u + sp.sqrt(1 - rho**2) * vv  # (x, y) = (u, rho u + sqrt(1 - rho^2) v) has correlation rho
# log p(x, y) - log p(x) - log p(y) for the standard bivariate normal with correlation rho
_LR_XY = -log(1 - rho**2) / 2 - (u**2 - 2 * rho * u * _y + _y**2) / (2 * (1 - rho**2)) + (u**2 + _y**2) / 2
# the same log ratio, simplified: (x, y) -> (u, v) whitens the joint density
LR_XY = -log(1 - rho**2) / 2 + rho**2 * (u**2 - vv**2) / 2 + rho * sp.sqrt(1 - rho**2) * u * vv
MI_GAUSS_DEF = gm.expectation(gm.expectation(LR_XY, u), vv)  # E_v[E_u[log ratio]]
MI_GAUSS = -log(1 - rho**2) / 2

# -- what is claimed -------------------------------------------------------------------------------
CLAIM = Statement("H(X) - H(X|Y)", Eq(H_X - H_X_GIVEN_Y, H_X + H_Y - H_XY), text="for a 2x2 joint table")
KL_FORM = Statement("KL form", Eq(H_X + H_Y - H_XY, MI_KL), text=r"$I(X;Y) = \mathrm{KL}(p(x,y)\,\|\,p(x)p(y))$")
NONNEGATIVE = Statement("I >= 0", Ge(MI_KL, 0), text="zero iff X and Y are independent")
GAUSSIAN_LOG_RATIO = Statement(
    "Gaussian log ratio",
    Eq(_LR_XY, LR_XY),
    text=r"$\log\frac{p(x,y)}{p(x)p(y)}$ for the standard bivariate normal with correlation $\rho$, at "
    r"$x = u$, $y = \rho u + \sqrt{1 - \rho^2}\,v$",
)
GAUSSIAN = Statement("Gaussian", Eq(MI_GAUSS_DEF, MI_GAUSS), text=r"its expectation: $I = -\frac12\log(1 - \rho^2)$")
# the numerical part, INFONCE, is stated with its check below

# -- the homework question, and where the identity comes from --------------------------------------
QUESTION = Question(
    target=MI_GAUSS,
    prompt=r"$(X, Y)$ is a standard bivariate normal pair with correlation $\rho$. What is $I(X; Y)$ in nats?",
    names={"rho": rho},
    approximations={
        r"the factor $\tfrac12$ is missing": -log(1 - rho**2),
        r"the sign is wrong (mutual information is nonnegative)": log(1 - rho**2) / 2,
    },
)
REFS = (
    Ref.cite("vandenoord2018", where="Sec. 2.3"),
    Ref.cite("poole2019", where="Sec. 2.3"),
    Ref.cite("radford2021"),
)


# -- how it is derived -----------------------------------------------------------------------------
def derivation(d: Derivation) -> None:
    r"""Mutual information $I(X;Y) = H(X) - H(X\mid Y)$ is how much observing $Y$ reduces the
    uncertainty about $X$. Contrastive learning (CPC, SimCLR, CLIP) maximises a lower bound on it, the
    InfoNCE bound $\log N - \mathcal L_{\mathrm{InfoNCE}}$. Its other forms, $H(X) + H(Y) - H(X,Y)$ and
    $\mathrm{KL}(p(x,y)\,\|\,p(x)p(y))$, show that it is symmetric and, by Gibbs' inequality, nonnegative.
    Derived for a symbolic $2\times 2$ joint table $p(i, j) = w_{ij}/\sum w$, and in closed form for a
    bivariate Gaussian."""
    scope = "for a 2x2 joint table"
    d.begin(H_X - H_X_GIVEN_Y, scope=scope)
    d.note(
        r"Joint table $p(i, j) = w_{ij} / \sum_{k,l} w_{kl}$; marginals $p_X(i) = \sum_j p(i, j)$, "
        r"$p_Y(j) = \sum_i p(i, j)$."
    )
    d.then(
        H_X - (H_XY + sp.Add(*(PXY(a, b) * log(py(b)) for a, b in CELLS))),
        r"$\log p(x \mid y) = \log p(x, y) - \log p_Y(y)$",
    )
    d.then(H_X + H_Y - H_XY, r"$\sum_i p(i, j) = p_Y(j)$")
    d.conclude("H(X) - H(X|Y)")

    d.begin(H_X + H_Y - H_XY, scope=scope)
    d.then(
        sp.Add(*(PXY(a, b) * (log(PXY(a, b)) - log(px(a)) - log(py(b))) for a, b in CELLS)),
        r"write $H(X)$ and $H(Y)$ as sums over the joint table",
    )
    d.then(MI_KL, "combine the logarithms")
    d.conclude("KL form")

    d.begin(MI_KL, scope=scope)
    d.then(
        dm.kl_gibbs_written(lambda c: PXY(*CELLS[c - 1]), lambda c: px(CELLS[c - 1][0]) * py(CELLS[c - 1][1]), 4),
        r"with $t = p_X p_Y / p$ in each cell: $\sum p\,(t - 1) = \sum p_X p_Y - \sum p = 0$",
    )
    d.then(MI_GIBBS, r"name the gap: $g(t) = t - 1 - \log t$")
    d.bound(0, r"every term $p(i,j)\,g(\cdot) \ge 0$", relation=">=")
    d.conclude("I >= 0")

    d.begin(
        _LR_XY,
        r"$\log p(x,y) - \log p(x) - \log p(y)$ with $x = u$, $y = \rho u + \sqrt{1 - \rho^2}\,v$ "
        r"for independent standard normal $u, v$",
    )
    d.then(
        lambda e: sp.collect(sp.expand(e), [u, vv]), r"expand and collect: the quadratic form whitens to $u^2 + v^2$"
    )
    d.then(LR_XY, "tidy")
    d.conclude("Gaussian log ratio")

    d.begin(MI_GAUSS_DEF, r"$I(X;Y) = \mathbb{E}\bigl[\log\frac{p(x,y)}{p(x)p(y)}\bigr]$, the log ratio above")
    d.then(
        gm.integrate,
        r"integrate over $u$, then $v$ (sympy.integrate): $\mathbb{E}[u^2] = \mathbb{E}[v^2] = 1$, "
        r"$\mathbb{E}[uv] = 0$",
    )
    d.conclude("Gaussian")


# -- how it is checked -----------------------------------------------------------------------------
def crosscheck(ctx: CheckContext) -> CrossCheckResult:
    """Random joint tables (2x2 and 4x5): the three forms of I(X;Y) by direct numpy sums, and the
    derived 2x2 result at random weights."""
    rows = []
    for shape in ((2, 2), (4, 5), (3, 7)):
        for _ in range(100):
            pj = distributions(ctx.rng, shape[0] * shape[1], 1).reshape(shape)
            pxm, pym = pj.sum(1), pj.sum(0)
            hx, hy = -np.sum(pxm * np.log(pxm)), -np.sum(pym * np.log(pym))
            hxy = -np.sum(pj * np.log(pj))
            hx_y = -np.sum(pj * np.log(pj / pym[None, :]))
            kl = np.sum(pj * np.log(pj / np.outer(pxm, pym)))
            rows.append((hx - hx_y, hx + hy - hxy, kl))
    r = np.array(rows)
    forms = combine(
        ctx.compare("H(X) - H(X|Y) = H(X) + H(Y) - H(X,Y)", "direct sums (numpy)", r[:, 0], r[:, 1], rtol=1e-12),
        ctx.compare("= KL(p(x,y) || p(x)p(y))", "direct sums (numpy)", r[:, 2], r[:, 1], rtol=1e-12),
        ctx.bound("random tables with I < 0", "direct sums", float(np.sum(r[:, 2] < 0)), 0.0, samples=len(r)),
    )
    got, want = [], []
    at_result = evaluator(ctx.result, ctx.unfold)
    for _ in range(20):
        w = ctx.rng.uniform(0.1, 5, 4)
        subs = {wj[a, b]: w[k] for k, (a, b) in enumerate(CELLS)}
        pj = w.reshape(2, 2) / w.sum()
        got.append(at_result(subs))
        want.append(np.sum(pj * np.log(pj / np.outer(pj.sum(1), pj.sum(0)))))
    derived = ctx.compare(
        "derived 2x2 form at random weights", "direct sums", np.array(got), np.array(want), rtol=1e-12
    )
    rh = ctx.rng.uniform(-0.9, 0.9, 8)
    gauss = []
    for c in rh:
        cov = np.array([[1, c], [c, 1]])
        # differential entropies of the normal: 1/2 log((2 pi e)^d det C)
        hx_ = 0.5 * np.log(2 * np.pi * np.exp(1.0))
        hxy_ = 0.5 * np.log((2 * np.pi * np.exp(1.0)) ** 2 * np.linalg.det(cov))
        gauss.append(2 * hx_ - hxy_)
    f = ctx.numpy(MI_GAUSS, [rho])
    g = ctx.compare(
        "Gaussian I = 2 h(X) - h(X, Y)", "entropies via numpy.linalg.det", np.array(gauss), f(rh), rtol=1e-12
    )
    return combine(forms, derived, g)


def _infonce_check(ctx: CheckContext) -> CrossCheckResult:
    """InfoNCE on correlated Gaussians (rho = 0.5, 0.8, 0.95) with batch N = 2, 8, 64 and the optimal critic
    f(x, y) = log p(y | x)/p(y): Monte Carlo of log N - L_InfoNCE stays below I = -1/2 log(1 - rho^2)
    (by more than 5 standard errors' tolerance nowhere), and approaches it as N grows."""
    worst = -np.inf
    detail = []
    draws = 0
    for r in (0.5, 0.8, 0.95):
        mi = -0.5 * np.log(1 - r**2)
        for nb in (2, 8, 64):
            batches = 2000 if nb < 64 else 400
            x = ctx.rng.normal(size=(batches, nb))
            y = r * x + np.sqrt(1 - r**2) * ctx.rng.normal(size=(batches, nb))
            # critic matrix f(x_i, y_j) = log N(y_j; r x_i, 1 - r^2) - log N(y_j; 0, 1)
            diff = y[:, None, :] - r * x[:, :, None]
            crit = -(diff**2) / (2 * (1 - r**2)) - 0.5 * np.log(1 - r**2) + y[:, None, :] ** 2 / 2
            m = crit.max(axis=2, keepdims=True)
            lse = (m[..., 0] + np.log(np.exp(crit - m).sum(axis=2))) - np.log(nb)
            diag = np.einsum("bii->bi", crit)
            loss_terms = (lse - diag).mean(axis=1)  # per-batch InfoNCE loss, shifted by log N: = -(bound)
            est = mc.estimate(-loss_terms)
            draws += batches
            z = (est.mean - mi) / max(float(est.stderr), 1e-12)
            worst = max(worst, float(z))
            detail.append(f"rho={r}, N={nb}: {est.mean:.3f} <= {mi:.3f}")
    return ctx.bound(
        "log N - L_InfoNCE <= I (z-score of the excess)",
        "Monte Carlo, optimal critic",
        worst,
        5.0,
        samples=draws,
        detail="; ".join(detail),
    )


INFONCE = numerically(
    "InfoNCE",
    r"InfoNCE with batch size $N$ and any critic is a lower bound: $I(X;Y) \ge \log N - "
    r"\mathcal L_{\mathrm{InfoNCE}}$ (Monte Carlo on correlated Gaussians with the optimal critic)",
    _infonce_check,
)


# -- the declaration -------------------------------------------------------------------------------
MUTUAL_INFORMATION = declare(
    "mutual-information",
    aliases=("mi",),
    title="Mutual information: three forms, nonnegativity, the Gaussian case and InfoNCE",
    section="4",
    map_row=r"Mutual information $I(X;Y) = H(X) - H(X\mid Y)$: InfoNCE loss, contrastive learning (SimCLR, CLIP)",
    variables={wj: WEIGHTS, rho: CORRELATION, u: STANDARD, vv: STANDARD},
    definitions={PXY(jI, jJ): wj[jI, jJ] / W_TOTAL},
    claim=CLAIM,
    also=(KL_FORM, NONNEGATIVE, GAUSSIAN_LOG_RATIO, GAUSSIAN, INFONCE),
    derivation=derivation,
    crosscheck=crosscheck,
    question=QUESTION,
    refs=REFS,
    builds_on=("kl-nonnegative", "cross-entropy-kl"),
)
