r"""Mutual information: three forms, nonnegativity, the Gaussian case and InfoNCE.

$I(X;Y) = H(X) - H(X\mid Y) = H(X) + H(Y) - H(X,Y) = \mathrm{KL}(p(x,y)\,\|\,p(x)p(y)) \ge 0$ is how much
observing $Y$ reduces the uncertainty about $X$; for a bivariate Gaussian it is $-\frac12\log(1-\rho^2)$, and
contrastive learning (CPC, SimCLR, CLIP) maximises its InfoNCE lower bound $\log N - \mathcal L_{\mathrm{InfoNCE}}$
(map 4, mutual information). Derived for a joint table on any finite alphabets (indexed double sums).
van den Oord, Li and Vinyals (2018), Representation Learning with Contrastive Predictive Coding, Sec. 2.3.
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
    integer,
    interval,
    numerically,
    positive,
    real,
)
from derive.authoring import gaussian as gm
from derive.authoring import montecarlo as mc
from derive.core.facts import SUM_EXCHANGE
from derive.maths.flows import SwapLimits
from derive.numeric.discrete import distributions

# -- symbols ---------------------------------------------------------------------------------------
WEIGHTS = positive(10)
CORRELATION = interval(Rational(-9, 10), Rational(9, 10))
STANDARD = real()
ALPHABET = integer(1, 3)
KX, KY = ALPHABET.symbol("K"), ALPHABET.symbol("L")  # any finite alphabets: X in 1..K, Y in 1..L
wj = IndexedBase("w", positive=True)
PXY, PX, PY = Function("p"), Function("p_X"), Function("p_Y")  # the joint table and its marginals
jI, jJ = sp.Symbol("i", integer=True, positive=True), sp.Symbol("j", integer=True, positive=True)
kI, lI = sp.Symbol("k", integer=True, positive=True), sp.Symbol("l", integer=True, positive=True)
W_TOTAL = sp.Sum(wj[kI, lI], (lI, 1, KY), (kI, 1, KX))
#: p(i, j) = w_ij / sum w; the marginals are sums of the joint table (unfolded in this order by the ladder)
DEFINITIONS = {
    PX(jI): sp.Sum(PXY(jI, lI), (lI, 1, KY)),
    PY(jJ): sp.Sum(PXY(kI, jJ), (kI, 1, KX)),
    PXY(jI, jJ): wj[jI, jJ] / W_TOTAL,
}


def cells(f: sp.Expr) -> sp.Sum:
    r"""$\sum_{i=1}^K\sum_{j=1}^L f(i, j)$: a sum over the cells of the joint table."""
    return sp.Sum(f, (jJ, 1, KY), (jI, 1, KX))


X_MARGINAL = sp.Sum(PXY(jI, jJ), (jJ, 1, KY))  # sum_j p(i, j)
Y_MARGINAL = sp.Sum(PXY(jI, jJ), (jI, 1, KX))  # sum_i p(i, j)
SWAP_I = SUM_EXCHANGE.applied(SwapLimits(jI))  # double sums over i inside: over j inside instead
H_X = -sp.Sum(PX(jI) * log(PX(jI)), (jI, 1, KX))
H_Y = -sp.Sum(PY(jJ) * log(PY(jJ)), (jJ, 1, KY))
H_XY = -cells(PXY(jI, jJ) * log(PXY(jI, jJ)))
H_X_GIVEN_Y = -cells(PXY(jI, jJ) * log(PXY(jI, jJ) / PY(jJ)))
MI_KL = cells(PXY(jI, jJ) * log(PXY(jI, jJ) / (PX(jI) * PY(jJ))))
MI_GIBBS = cells(PXY(jI, jJ) * gibbs(PX(jI) * PY(jJ) / PXY(jI, jJ)))

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
CLAIM = Statement(
    "H(X) - H(X|Y)",
    Eq(H_X + H_Y - H_XY, H_X - H_X_GIVEN_Y),
    text=r"$H(X) + H(Y) - H(X,Y) = H(X) - H(X\mid Y)$ for a joint table $p(i, j) = w_{ij}/\sum w$ on any finite "
    r"alphabets, $K\times L$ cells",
)
KL_FORM = Statement("KL form", Eq(H_X + H_Y - H_XY, MI_KL), text=r"$I(X;Y) = \mathrm{KL}(p(x,y)\,\|\,p(x)p(y))$")
NONNEGATIVE = Statement(
    "I >= 0", Ge(MI_KL, 0), text="by Gibbs' inequality on the $KL$ cells; zero iff X and Y are independent"
)
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
    Derived for a joint table $p(i, j) = w_{ij}/\sum w$ on any finite alphabets ($K\times L$ cells, indexed
    sums), and in closed form for a bivariate Gaussian."""
    _discrete(d)

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


def _discrete(d: Derivation) -> None:
    r"""The three forms of $I(X;Y)$ and $I \ge 0$ for a joint table on $K\times L$ cells (any $K$, $L$)."""
    d.begin(H_X + H_Y - H_XY)
    d.note(
        r"Joint table $p(i, j) = w_{ij} / \sum_{k,l} w_{kl}$ on $K\times L$ cells; marginals "
        r"$p_X(i) = \sum_j p(i, j)$, $p_Y(j) = \sum_i p(i, j)$."
    )
    d.then(H_X - sp.Sum(Y_MARGINAL * log(PY(jJ)), (jJ, 1, KY)) - H_XY, r"$p_Y(j) = \sum_i p(i, j)$")
    d.assume(SUM_EXCHANGE, SUM_EXCHANGE.rewrite, r"sum over $j$ first (finite sums commute)")
    d.then(H_X - H_X_GIVEN_Y, r"$\log p(x, y) - \log p_Y(y) = \log p(x \mid y)$")
    d.conclude("H(X) - H(X|Y)")

    d.begin(H_X + H_Y - H_XY)
    d.then(
        -sp.Sum(X_MARGINAL * log(PX(jI)), (jI, 1, KX)) - sp.Sum(Y_MARGINAL * log(PY(jJ)), (jJ, 1, KY)) - H_XY,
        r"each marginal is a sum of the joint table: $p_X(i) = \sum_j p(i, j)$, $p_Y(j) = \sum_i p(i, j)$",
    )
    d.assume(SUM_EXCHANGE, SUM_EXCHANGE.rewrite, r"move each logarithm into a double sum (finite sums commute)")
    d.assume(SWAP_I, SWAP_I.rewrite, r"sum over $j$ first in the first sum")
    d.then(cells(PXY(jI, jJ) * (log(PXY(jI, jJ)) - log(PX(jI)) - log(PY(jJ)))), r"one sum over the cells")
    d.then(MI_KL, "combine the logarithms")
    d.conclude("KL form")

    d.begin(MI_KL)
    d.then(
        cells(PXY(jI, jJ) * gibbs(PX(jI) * PY(jJ) / PXY(jI, jJ)) + PXY(jI, jJ) - PX(jI) * PY(jJ)),
        r"termwise $p\log\frac{p}{q} = p\,g(q/p) + p - q$ with $q = p_Xp_Y$ and $g(t) = t - 1 - \log t$",
    )
    d.then(
        MI_GIBBS + cells(PXY(jI, jJ)) - sp.Sum(PX(jI), (jI, 1, KX)) * sp.Sum(PY(jJ), (jJ, 1, KY)),
        r"split the sum; the product table $p_X(i)p_Y(j)$ factorises",
    )
    d.then(
        MI_GIBBS + cells(PXY(jI, jJ)) - cells(PXY(jI, jJ)) * sp.Sum(PXY(jI, jJ), (jI, 1, KX), (jJ, 1, KY)),
        r"each marginal is a sum of the joint table",
    )
    d.assume(SWAP_I, SWAP_I.rewrite, r"sum over $j$ first (finite sums commute)")
    d.then(MI_GIBBS, r"the joint table sums to one")
    d.bound(0, r"every term $p(i,j)\,g(\cdot) \ge 0$ (Gibbs' inequality, as for kl-nonnegative)", relation=">=")
    d.conclude("I >= 0")


# -- how it is checked -----------------------------------------------------------------------------
def crosscheck(ctx: CheckContext) -> CrossCheckResult:
    """Random joint tables (2x2, 4x5, 3x7): the three forms of I(X;Y) by direct numpy sums, and the
    derived result written out at several sizes with random weights."""
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
    for nx, ny in ((2, 2), (2, 3), (3, 1)):
        form = ctx.unfold(ctx.result).xreplace({KX: nx, KY: ny}).doit()
        for _ in range(5):
            w = ctx.rng.uniform(0.1, 5, (nx, ny))
            subs = {wj[a + 1, b + 1]: sp.Float(w[a, b], 20) for a in range(nx) for b in range(ny)}
            pj = w / w.sum()
            got.append(float(form.xreplace(subs)))
            want.append(np.sum(pj * np.log(pj / np.outer(pj.sum(1), pj.sum(0)))))
    derived = ctx.compare(
        "derived form at 2x2, 2x3, 3x1 tables, random weights", "direct sums", np.array(got), np.array(want), rtol=1e-12
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
    variables={wj: WEIGHTS, KX: ALPHABET, KY: ALPHABET, rho: CORRELATION, u: STANDARD, vv: STANDARD},
    definitions=DEFINITIONS,
    claim=CLAIM,
    also=(KL_FORM, NONNEGATIVE, GAUSSIAN_LOG_RATIO, GAUSSIAN, INFONCE),
    derivation=derivation,
    crosscheck=crosscheck,
    question=QUESTION,
    refs=REFS,
    builds_on=("kl-nonnegative", "cross-entropy-kl"),
)
