r"""4 Information theory: Gibbs' inequality, cross-entropy, mutual information, perplexity.

Discrete distributions are *normalised tables* (:mod:`derive.moves.discrete`): :math:`q(k) =
a_k/\sum_j a_j` with positive weights, so every statement that needs :math:`\sum_k q(k) = 1` holds
for every sampled weight and SymPy knows each probability is positive. Inequalities come from one
lemma, Gibbs' inequality :math:`\log t \le t - 1` (``kl-nonnegative``): a KL divergence is written
as a sum of Gibbs gaps :math:`\sum_k p_k\, g(q_k/p_k)` with :math:`g(t) = t - 1 - \log t \ge 0`
(:mod:`derive.special_information`), and the bound follows from the signs of its terms.
``log`` is the natural logarithm throughout (nats). The KL divergence between Gaussians, the
distillation gradient and the RLHF optimum are in :mod:`derive.identities.divergences`; the ELBO
and bits-back coding in :mod:`derive.identities.variational`.
"""

from __future__ import annotations

import numpy as np
import sympy as sp
from sympy import Derivative, Eq, Function, Ge, Gt, IndexedBase, Le, Rational, Subs, Sum, log

from derive.core.derivation import Derivation
from derive.core.identity import Question, Ref, identity
from derive.core.statements import Statement, numerically
from derive.maths import discrete as dm
from derive.maths import gaussian as gm
from derive.maths.discrete import Table
from derive.maths.domains import integer, interval, positive, probability, real
from derive.maths.special import gibbs
from derive.numeric import montecarlo as mc
from derive.numeric.crosscheck import CheckContext, CrossCheckResult, combine
from derive.numeric.discrete import distributions, evaluator

GIBBS = Ref.book("T. M. Cover and J. A. Thomas (2006), Elements of Information Theory, 2nd ed.", "Thm. 2.6.3")


# ============================================================================ Gibbs' inequality
t = positive().symbol("t")
K3 = integer(2, 8).symbol("K")  # the number of outcomes: the statements hold for every K
pw, qw = IndexedBase("a", positive=True), IndexedBase("b", positive=True)
P = Table(Function("p"), pw, K3)
Q = Table(Function("q"), qw, K3)
G_T = t - 1 - log(t)
# a fixed asymmetric pair: KL(p0 || q0) != KL(q0 || p0)
P0 = (Rational(1, 2), Rational(1, 4), Rational(1, 4))
Q0 = (Rational(1, 8), Rational(1, 8), Rational(3, 4))
ASYM = dm.kl(lambda k: P0[k - 1], lambda k: Q0[k - 1], 3) - dm.kl(lambda k: Q0[k - 1], lambda k: P0[k - 1], 3)


def _kl_nonnegative_check(ctx: CheckContext) -> CrossCheckResult:
    """Random pairs on the simplex: KL >= 0 (numpy sums), zero at p = q, positive at p != q;
    and the derived Gibbs-gap form equals the direct sum."""
    n, m = 5, 4000
    p, q = distributions(ctx.rng, n, m), distributions(ctx.rng, n, m)
    kl = np.sum(p * np.log(p / q), axis=1)
    # KL > 0 at every random pair (p != q almost surely) and exactly 0 at p = q
    lowest = ctx.bound(
        "pairs with KL(p||q) <= 0 (p != q)",
        "direct sums (numpy)",
        float(np.sum(kl <= 0)),
        0.0,
        samples=m,
        detail=f"min KL {kl.min():.3e}",
    )
    at_p = np.sum(p * np.log(p / p), axis=1)
    same = ctx.compare("KL(p||p) = 0", "direct sums", at_p, np.zeros(m), rtol=1e-15, floor=1.0)
    r = q / p
    gaps = np.sum(p * (r - 1 - np.log(r)), axis=1)
    form = ctx.compare("sum p g(q/p) = KL", "direct sums", gaps, kl, rtol=1e-10)
    return combine(lowest, same, form)


@identity(
    "kl-nonnegative",
    aliases=("gibbs-inequality",),
    title="KL divergence is nonnegative (Gibbs' inequality)",
    section="4",
    map_row=r"KL divergence $D_{\mathrm{KL}}(p\,\|\,q) = \sum p \log(p/q)$: VAE regulariser, "
    r"knowledge distillation, RLHF KL penalty",
    variables={t: positive(), K3: integer(2, 8), pw: positive(10), qw: positive(10)},
    definitions=dm.definitions(P, Q),
    claim=Statement(
        "KL >= 0",
        Ge(dm.kl(P, Q, K3), 0),
        text=r"for distributions on $K$ outcomes; equality iff $p = q$, because $g(t) = 0$ only at $t = 1$",
    ),
    also=[
        Statement(
            "slope", Eq(Derivative(G_T, t), (t - 1) / t), text=r"$g = t - 1 - \log t$ falls on $(0,1)$, rises after"
        ),
        Statement("convex", Gt(Derivative(G_T, t, 2), 0), text=r"$g$ is strictly convex"),
        Statement("minimum", Eq(Subs(G_T, t, 1), 0), text=r"so $g \ge 0$ with its only zero at $t = 1$"),
        Statement("log t <= t - 1", Le(log(t), t - 1)),
        Statement("KL as gaps", Eq(dm.kl(P, Q, K3), dm.kl_gibbs(P, Q, K3)), text="uses both tables summing to 1"),
        Statement(
            "asymmetric",
            Gt(ASYM, 0, evaluate=False),
            text=r"$p = (\frac12, \frac14, \frac14)$, $q = (\frac18, \frac18, "
            r"\frac34)$: $\mathrm{KL}(p\|q) > \mathrm{KL}(q\|p)$, so KL is not a distance",
        ),
    ],
    crosscheck=_kl_nonnegative_check,
    question=Question(
        target=t - 1,
        prompt=r"Which elementary bound on $\log t$ (for $t > 0$) proves $\mathrm{KL}(p\,\|\,q) \ge 0$? "
        r"Give the function $f(t)$ with $\log t \le f(t)$ that is tangent at $t = 1$.",
        approximations={r"$\log t \le t$ holds but is not tangent at $t = 1$: it gives no useful bound": t},
    ),
    refs=(GIBBS,),
)
def kl_nonnegative(d: Derivation) -> None:
    r"""Gibbs' inequality: $\mathrm{KL}(p\,\|\,q) = \sum_k p_k \log(p_k/q_k) \ge 0$, with equality only
    when $p = q$. It is why the ELBO is a lower bound, why minimising cross-entropy is minimising KL,
    and why the KL penalty in RLHF and distillation vanishes only at the reference distribution.
    The proof is one line once $\log t \le t - 1$ is known: that is derived first, from the
    shape of $g(t) = t - 1 - \log t$."""
    d.begin(Derivative(G_T, t), r"$g(t) = t - 1 - \log t$, the gap in $\log t \le t - 1$")
    d.then(lambda e: e.doit(), "differentiate")
    d.then((t - 1) / t, r"common denominator: negative for $t < 1$, positive for $t > 1$")
    d.conclude("slope")

    d.begin(Derivative(G_T, t, 2))
    d.then(lambda e: e.doit(), "differentiate twice")
    d.bound(0, r"$1/t^2 > 0$ for $t > 0$", relation=">")
    d.conclude("convex")

    d.begin(Subs(G_T, t, 1))
    d.then(lambda e: e.doit(), r"at $t = 1$: $1 - 1 - \log 1$")
    d.conclude("minimum")

    d.begin(log(t))
    d.then(t - 1 - gibbs(t), r"name the gap $g(t) = t - 1 - \log t$")
    d.bound(t - 1, r"$g \ge 0$: it decreases to its minimum $g(1) = 0$ and increases after (above)")
    d.note(
        r"The sign $g(t) \ge 0$ (for $t > 0$) is what the later chains use: SymPy knows it from "
        r"the definition of $g$, justified by the three chains above."
    )
    d.conclude("log t <= t - 1")

    d.begin(dm.kl(P, Q, K3), "the definition, for any number $K$ of outcomes")
    d.note(f"Normalised tables: ${P.latex()}$ and ${Q.latex()}$ with positive weights.")
    d.then(
        dm.kl_gibbs_terms(P, Q, K3),
        r"termwise $p_k \log\frac{p_k}{q_k} = p_k\,g(q_k/p_k) + p_k - q_k$ with $g(t) = t - 1 - \log t$",
    )
    d.then(dm.kl_gibbs(P, Q, K3), r"$\sum_k p_k = \sum_k q_k = 1$")
    d.conclude("KL as gaps")

    d.begin(dm.kl(P, Q, K3))
    d.then(dm.kl_gibbs_terms(P, Q, K3), "termwise (above)")
    d.then(dm.kl_gibbs(P, Q, K3), "KL as a sum of Gibbs gaps (above)")
    d.bound(0, r"each term $p_k\,g(q_k/p_k) \ge 0$ since $p_k > 0$, $g \ge 0$", relation=">=")
    d.conclude("KL >= 0")

    d.begin(ASYM, r"$\mathrm{KL}(p\|q) - \mathrm{KL}(q\|p)$ for the two distributions above")
    d.then(lambda e: sp.expand_log(e, force=True), r"expand the logarithms")
    d.bound(0, "a positive number", relation=">")
    d.conclude("asymmetric")


# ============================================================================ cross-entropy
n = integer(2, 8).symbol("n")
i = sp.Symbol("i", integer=True, positive=True)
pp, qq = IndexedBase("p", positive=True), IndexedBase("q", positive=True)


def _sum(f: sp.Expr) -> Sum:
    return Sum(f, (i, 1, n))


H_PQ = -_sum(pp[i] * log(qq[i]))
H_P = -_sum(pp[i] * log(pp[i]))
KL_PQ = _sum(pp[i] * log(pp[i] / qq[i]))
# the gradient in q_j: the entropy H(p) does not depend on q
jq = integer(1, n).symbol("j")


def _cross_entropy_check(ctx: CheckContext) -> CrossCheckResult:
    """Random distributions (n = 2..50): direct numpy sums of H(p, q) against H(p) + KL(p || q),
    and central differences of both in q."""
    errs, refs = [], []
    for size in (2, 3, 7, 50):
        p, q = distributions(ctx.rng, size, 200), distributions(ctx.rng, size, 200)
        ce = -np.sum(p * np.log(q), axis=1)
        h = -np.sum(p * np.log(p), axis=1)
        kl = np.sum(p * np.log(p / q), axis=1)
        errs.append(ce)
        refs.append(h + kl)
    sums = ctx.compare(
        "H(p,q) = H(p) + KL(p||q)",
        "direct sums (numpy), n = 2, 3, 7, 50",
        np.concatenate(errs),
        np.concatenate(refs),
        rtol=1e-12,
    )
    p, q = distributions(ctx.rng, 3, 64), distributions(ctx.rng, 3, 64)
    h = 1e-6
    fd_ce = np.stack(
        [(-np.sum(p * np.log(q + h * e), 1) + np.sum(p * np.log(q - h * e), 1)) / (2 * h) for e in np.eye(3)], 1
    )
    fd_kl = np.stack(
        [
            (np.sum(p * np.log(p / (q + h * e)), 1) - np.sum(p * np.log(p / (q - h * e)), 1)) / (2 * h)
            for e in np.eye(3)
        ],
        1,
    )
    grads = ctx.compare("dH(p,q)/dq = dKL(p||q)/dq", "central differences", fd_ce, fd_kl, rtol=1e-7)
    return combine(sums, grads)


@identity(
    "cross-entropy-kl",
    title="Cross-entropy is entropy plus KL divergence",
    section="4",
    map_row=r"Cross-entropy $H(p, q) = -\sum p \log q$: the classification loss, training objective for all LLMs",
    variables={n: integer(2, 8), jq: integer(1, n), pp: probability(), qq: probability()},
    claim=Eq(H_PQ, H_P + KL_PQ),
    also=[
        Statement(
            "same gradient in q",
            Eq(Derivative(H_PQ, qq[jq]), Derivative(KL_PQ, qq[jq])),
            text=r"$H(p)$ does not depend on $q$, so minimising $H(p, q)$ over $q$ minimises $\mathrm{KL}(p\,\|\,q)$",
        )
    ],
    crosscheck=_cross_entropy_check,
    question=Question(
        target=H_P + KL_PQ,
        prompt=r"Write the cross-entropy $H(p, q) = -\sum_{i=1}^n p_i \log q_i$ as the entropy of $p$ plus a "
        r"divergence.",
        approximations={
            r"the KL term is the wrong way round: $\mathrm{KL}(q\,\|\,p)$": H_P + _sum(qq[i] * log(qq[i] / pp[i])),
            r"the sign of the entropy is wrong ($-H(p)$)": -H_P + KL_PQ,
        },
    ),
    refs=(Ref.book("T. M. Cover and J. A. Thomas (2006), Elements of Information Theory, 2nd ed.", "Sec. 2.3"),),
    builds_on=("kl-nonnegative",),
)
def cross_entropy_kl(d: Derivation) -> None:
    r"""The classification loss of every classifier and language model is the cross-entropy
    $H(p, q) = -\sum_i p_i \log q_i$ of the model $q$ against the data distribution $p$. Adding and
    subtracting $\sum_i p_i \log p_i$ splits it into the entropy $H(p)$, fixed by the data, and
    $\mathrm{KL}(p\,\|\,q) \ge 0$: training on cross-entropy is fitting $q$ to $p$ in KL, and the
    lowest achievable loss is $H(p)$. The identity is algebraic (it holds for any positive $p_i$,
    $q_i$); it is proved for every $n$."""
    d.begin(H_PQ, r"the definition, for any number $n$ of classes")
    d.then(_sum(-pp[i] * log(pp[i]) + pp[i] * (log(pp[i]) - log(qq[i]))), r"add and subtract $p_i \log p_i$")
    d.then(_sum(-pp[i] * log(pp[i]) + pp[i] * log(pp[i] / qq[i])), r"$\log p_i - \log q_i = \log(p_i/q_i)$")
    d.then(H_P + KL_PQ, "split the sum")
    d.conclude()

    d.begin(Derivative(H_PQ, qq[jq]))
    d.then(lambda e: e.doit(), r"differentiate under the sum: $\partial q_i/\partial q_j = \delta_{ij}$")
    d.then(-pp[jq] / qq[jq], r"the Kronecker delta keeps the term $i = j$")
    d.note(
        r"The same as $\partial \mathrm{KL}/\partial q_j$: $\log(p_i/q_i) = \log p_i - \log q_i$ and "
        r"$\log p_i$ is constant in $q$ (checked at the end of the chain)."
    )
    d.conclude("same gradient in q")


# ============================================================================ mutual information
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

u = real().symbol("u")
rho = interval(Rational(-9, 10), Rational(9, 10)).symbol("rho")
vv = real().symbol("v")
_y = rho * u + sp.sqrt(1 - rho**2) * vv  # (x, y) = (u, rho u + sqrt(1 - rho^2) v) has correlation rho
# log p(x, y) - log p(x) - log p(y) for the standard bivariate normal with correlation rho
_LR_XY = -log(1 - rho**2) / 2 - (u**2 - 2 * rho * u * _y + _y**2) / (2 * (1 - rho**2)) + (u**2 + _y**2) / 2
# the same log ratio, simplified: (x, y) -> (u, v) whitens the joint density
LR_XY = -log(1 - rho**2) / 2 + rho**2 * (u**2 - vv**2) / 2 + rho * sp.sqrt(1 - rho**2) * u * vv
MI_GAUSS_DEF = gm.expectation(gm.expectation(LR_XY, u), vv)  # E_v[E_u[log ratio]]
MI_GAUSS = -log(1 - rho**2) / 2


def _mi_tables_check(ctx: CheckContext) -> CrossCheckResult:
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
        hx_ = 0.5 * np.log(2 * np.pi * np.e)
        hxy_ = 0.5 * np.log((2 * np.pi * np.e) ** 2 * np.linalg.det(cov))
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


@identity(
    "mutual-information",
    aliases=("mi",),
    title="Mutual information: three forms, nonnegativity, the Gaussian case and InfoNCE",
    section="4",
    map_row=r"Mutual information $I(X;Y) = H(X) - H(X\mid Y)$: InfoNCE loss, contrastive learning (SimCLR, CLIP)",
    variables={wj: positive(10), rho: interval(Rational(-9, 10), Rational(9, 10)), u: real(), vv: real()},
    definitions={PXY(jI, jJ): wj[jI, jJ] / W_TOTAL},
    claim=Statement("H(X) - H(X|Y)", Eq(H_X - H_X_GIVEN_Y, H_X + H_Y - H_XY), text="for a 2x2 joint table"),
    also=[
        Statement("KL form", Eq(H_X + H_Y - H_XY, MI_KL), text=r"$I(X;Y) = \mathrm{KL}(p(x,y)\,\|\,p(x)p(y))$"),
        Statement("I >= 0", Ge(MI_KL, 0), text="zero iff X and Y are independent"),
        Statement(
            "Gaussian log ratio",
            Eq(_LR_XY, LR_XY),
            text=r"$\log\frac{p(x,y)}{p(x)p(y)}$ for the standard bivariate normal with correlation $\rho$, at "
            r"$x = u$, $y = \rho u + \sqrt{1 - \rho^2}\,v$",
        ),
        Statement("Gaussian", Eq(MI_GAUSS_DEF, MI_GAUSS), text=r"its expectation: $I = -\frac12\log(1 - \rho^2)$"),
        numerically(
            "InfoNCE",
            r"InfoNCE with batch size $N$ and any critic is a lower bound: $I(X;Y) \ge \log N - "
            r"\mathcal L_{\mathrm{InfoNCE}}$ (Monte Carlo on correlated Gaussians with the optimal critic)",
            _infonce_check,
        ),
    ],
    crosscheck=_mi_tables_check,
    question=Question(
        target=MI_GAUSS,
        prompt=r"$(X, Y)$ is a standard bivariate normal pair with correlation $\rho$. What is $I(X; Y)$ in nats?",
        names={"rho": rho},
        approximations={
            r"the factor $\tfrac12$ is missing": -log(1 - rho**2),
            r"the sign is wrong (mutual information is nonnegative)": log(1 - rho**2) / 2,
        },
    ),
    refs=(
        Ref.arxiv(
            "1807.03748",
            "A. van den Oord, Y. Li and O. Vinyals, Representation Learning with Contrastive Predictive Coding, 2018",
            where="Sec. 2.3",
        ),
        Ref.arxiv("1905.06922", "B. Poole et al., On Variational Bounds of Mutual Information, 2019", where="Sec. 2.3"),
        Ref.arxiv(
            "2103.00020",
            "A. Radford et al., Learning Transferable Visual Models From Natural Language Supervision (CLIP), 2021",
        ),
    ),
    builds_on=("kl-nonnegative", "cross-entropy-kl"),
)
def mutual_information(d: Derivation) -> None:
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


# ============================================================================ perplexity
T = integer(1, 12).symbol("T")
tt = sp.Symbol("t", integer=True, positive=True)
ptok = IndexedBase("p", positive=True)  # p[t] = p(x_t | x_<t), the model's probability of the t-th token
V = integer(2, 50000).symbol("V")
H2 = positive(20).symbol("H2")  # cross-entropy in bits per token
NLL_NATS = -Sum(log(ptok[tt]), (tt, 1, T)) / T  # H, mean negative log-likelihood in nats
NLL_BITS = -Sum(log(ptok[tt], 2), (tt, 1, T)) / T  # H_2, the same in bits
PPL = sp.exp(NLL_NATS)
PPL_UNIFORM = PPL.xreplace({ptok[tt]: 1 / V})


def _at(expr: sp.Expr, probs: np.ndarray) -> float:
    """``expr`` at T = len(probs) and p[t] = probs[t - 1] (sums expanded), in double precision."""
    e = expr.xreplace({T: sp.Integer(len(probs))}).doit()
    return float(sp.N(e.xreplace({ptok[k + 1]: sp.Float(float(v), 30) for k, v in enumerate(probs)}), 20))


def _perplexity_check(ctx: CheckContext) -> CrossCheckResult:
    """Random token probabilities: exp of the mean NLL (numpy) against 2 ** (mean bits), the geometric
    mean, and the derived forms; a uniform model over V tokens (numpy) gives V."""
    got, want, bits, geo = [], [], [], []
    for _ in range(30):
        size = int(ctx.rng.integers(1, 13))
        probs = ctx.rng.uniform(0.01, 1, size)
        ppl = np.exp(-np.mean(np.log(probs)))
        want.append(ppl)
        got.append(_at(ctx.result, probs))
        bits.append(2.0 ** (-np.mean(np.log2(probs))))
        geo.append(np.prod(probs) ** (-1 / size))
    a = ctx.compare("derived form at random probabilities", "numpy", np.array(got), np.array(want), rtol=1e-12)
    b = ctx.compare("2 ** (mean bits) = exp(mean nats)", "numpy log2", np.array(bits), np.array(want), rtol=1e-12)
    c = ctx.compare("geometric mean", "numpy prod", np.array(geo), np.array(want), rtol=1e-12)
    vs = np.array([2, 10, 256, 32000, 50257])
    uni = np.array([np.exp(-np.mean(np.log(np.full(7, 1.0 / v)))) for v in vs])
    e = ctx.compare("uniform model", "numpy", uni, vs.astype(float), rtol=1e-12)
    return combine(a, b, c, e)


@identity(
    "perplexity",
    aliases=("ppl",),
    title="Perplexity: exponentiated cross-entropy in nats, or two to the bits",
    section="4",
    map_row=r"Perplexity $\exp\bigl(-\frac{1}{T}\sum_t \log p(x_t\mid x_{<t})\bigr)$: LLM evaluation, lower is better",
    variables={T: integer(1, 12), ptok: probability(), V: integer(2, 50000), H2: positive(20)},
    claim=Statement(
        "bits",
        Eq(PPL, 2**NLL_BITS),
        text=r"$\mathrm{PPL} = e^{H}$ with $H$ the mean NLL in nats $= 2^{H_2}$ with $H_2$ in bits",
    ),
    also=[
        Statement(
            "geometric mean",
            Eq(PPL, sp.Product(ptok[tt], (tt, 1, T)) ** (-1 / T)),
            text="the inverse geometric mean of the token probabilities",
        ),
        Statement("uniform", Eq(PPL_UNIFORM, V), text="a uniform model over $V$ tokens has perplexity $V$"),
    ],
    crosscheck=_perplexity_check,
    question=Question(
        target=2**H2,
        prompt=r"A language model's cross-entropy on a test set is $H_2$ bits per token. What is its perplexity?",
        approximations={
            r"$e^{H_2}$ treats bits as nats: perplexity is $2^{H_2}$ (or $e^{H}$ with $H$ in nats)": sp.exp(H2),
            r"the sign of the exponent is wrong": 2 ** (-H2),
        },
    ),
    refs=(
        Ref.book("D. Jurafsky and J. H. Martin, Speech and Language Processing, 3rd ed. draft", "Sec. 3.3"),
        Ref.arxiv(
            "2005.14165", "T. Brown et al., Language Models are Few-Shot Learners (GPT-3), 2020", where="Sec. 3.1"
        ),
    ),
    builds_on=("cross-entropy-kl",),
)
def perplexity(d: Derivation) -> None:
    r"""Perplexity is how language models are compared: the exponential of the mean negative
    log-likelihood per token, $\exp(-\frac1T\sum_t \log p(x_t \mid x_{<t}))$. It reads as an effective
    vocabulary size (a uniform guess over $V$ tokens scores $V$) and does not depend on the base of
    the logarithm, provided the exponential matches it: $e^{H}$ in nats equals $2^{H_2}$ in bits.
    Proved for every text length $T$."""
    d.begin(PPL, r"the definition, $H$ in nats")
    d.then(sp.exp(log(2) * NLL_BITS), r"$\log p = \log 2 \cdot \log_2 p$, so $H = H_2 \log 2$")
    d.then(2**NLL_BITS, r"$e^{H_2\log 2} = 2^{H_2}$")
    d.conclude("bits")

    d.begin(PPL)
    d.then(
        sp.Product(ptok[tt], (tt, 1, T)) ** (-1 / T),
        r"$e^{-a/T} = (e^{a})^{-1/T}$ and $e^{\sum_t \log p_t} = \prod_t p_t$",
    )
    d.conclude("geometric mean")

    d.begin(PPL_UNIFORM, r"every token has probability $1/V$")
    d.then(lambda e: e.doit(), r"the sum of $T$ equal terms is $T \log V$")
    d.conclude("uniform")
