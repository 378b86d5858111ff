r"""4 Information theory: cross-entropy, KL divergence, Gibbs' inequality, and the ELBO (3.1).

Discrete distributions are *normalised tables* (:mod:`derive.moves.discrete`): :math:`q(k) =
a_k/\sum_j a_j` with positive weights, so every statement that needs :math:`\sum_k q(k) = 1` holds
for every sampled weight and SymPy knows each probability is positive. Inequalities come from one
lemma, Gibbs' inequality :math:`\log t \le t - 1` (``kl-nonnegative``): a KL divergence is written
as a sum of Gibbs gaps :math:`\sum_k p_k\, g(q_k/p_k)` with :math:`g(t) = t - 1 - \log t \ge 0`
(:mod:`derive.special_information`), and the bound follows from the signs of its terms.
``log`` is the natural logarithm throughout (nats).
"""

from __future__ import annotations

import numpy as np
import sympy as sp
from sympy import Derivative, Eq, Function, Ge, Gt, IndexedBase, Le, Rational, Subs, Sum, log

from ..derivation import Derivation
from ..identity import Question, Ref, Statement, identity, numerically
from ..moves import discrete as dm
from ..moves import gaussian as gm
from ..moves.discrete import Table
from ..numeric import montecarlo as mc
from ..numeric.crosscheck import CheckContext, CrossCheckResult, combine
from ..numeric.domains import integer, interval, positive, probability, real
from ..numeric.montecarlo import normal_expectation
from ..special_information import gibbs

GIBBS = Ref.book("T. M. Cover and J. A. Thomas (2006), Elements of Information Theory, 2nd ed.", "Thm. 2.6.3")


def _dirichlet(ctx: CheckContext, n: int, size: int) -> np.ndarray:
    """``size`` random distributions on ``n`` outcomes (rows), bounded away from 0."""
    return ctx.rng.dirichlet(np.ones(n), size) * (1 - 1e-3 * n) + 1e-3


def _values(expr: sp.Expr, subs: dict[sp.Basic, float], ident_unfold: object) -> float:
    """``expr`` (function heads unfolded) at numeric table entries, to double precision."""
    e = ident_unfold(expr)  # type: ignore[operator]
    return float(sp.N(e.xreplace({k: sp.Float(v, 30) for k, v in subs.items()}), 20))


# ============================================================================ Gibbs' inequality
t = positive().symbol("t")
K3 = 3
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
    p, q = _dirichlet(ctx, n, m), _dirichlet(ctx, n, m)
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
    variables={t: positive(), pw: positive(10), qw: positive(10)},
    definitions=dm.definitions(P, Q),
    claim=Statement(
        "KL >= 0",
        Ge(dm.kl(P, Q, K3), 0),
        text=r"for distributions on $K = 3$ outcomes; equality iff $p = q$, because $g(t) = 0$ only at $t = 1$",
    ),
    also=[
        Statement(
            "g'", Eq(Derivative(G_T, t), (t - 1) / t), text=r"$g = t - 1 - \log t$ falls on $(0,1)$, rises after"
        ),
        Statement("g'' > 0", Gt(Derivative(G_T, t, 2), 0), text=r"$g$ is strictly convex"),
        Statement("g(1) = 0", Eq(Subs(G_T, t, 1), 0), text=r"so $g \ge 0$ with its only zero at $t = 1$"),
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
    d.conclude("g'")

    d.begin(Derivative(G_T, t, 2))
    d.then(lambda e: e.doit(), "differentiate twice")
    d.bound(0, r"$1/t^2 > 0$ for $t > 0$", relation=">")
    d.conclude("g'' > 0")

    d.begin(Subs(G_T, t, 1))
    d.then(lambda e: e.doit(), r"at $t = 1$: $1 - 1 - \log 1$")
    d.conclude("g(1) = 0")

    d.begin(log(t))
    d.then(t - 1 - gibbs(t), r"name the gap $g(t) = t - 1 - \log t$")
    d.bound(t - 1, r"$g \ge 0$: it decreases to its minimum $g(1) = 0$ and increases after (above)")
    d.note(
        r"The sign $g(t) \ge 0$ (for $t > 0$) is what the later chains use: SymPy knows it from "
        r"the definition of $g$, justified by the three chains above."
    )
    d.conclude("log t <= t - 1")

    d.begin(dm.kl(P, Q, K3), "the definition, for $K = 3$ outcomes", scope="for K = 3 outcomes")
    d.note(f"Normalised tables: ${P.latex()}$ and ${Q.latex()}$ with positive weights.")
    d.then(
        dm.kl_gibbs(P, Q, K3),
        r"$p_k \log\frac{p_k}{q_k} = p_k\,g\!\left(\frac{q_k}{p_k}\right) + p_k - q_k$ "
        r"and $\sum_k p_k = \sum_k q_k = 1$",
    )
    d.conclude("KL as gaps")

    d.begin(dm.kl(P, Q, K3), scope="for K = 3 outcomes")
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
# the gradient in q at n = 3: the entropy H(p) does not depend on q
q3 = sp.symbols("q1:4", positive=True)
p3 = sp.symbols("p1:4", positive=True)
CE3 = -sum(a * log(b) for a, b in zip(p3, q3, strict=True))
KL3 = sum(a * log(a / b) for a, b in zip(p3, q3, strict=True))


def _cross_entropy_check(ctx: CheckContext) -> CrossCheckResult:
    """Random distributions (n = 2..50): direct numpy sums of H(p, q) against H(p) + KL(p || q),
    and central differences of both in q."""
    errs, refs = [], []
    for size in (2, 3, 7, 50):
        p, q = _dirichlet(ctx, size, 200), _dirichlet(ctx, size, 200)
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
    p, q = _dirichlet(ctx, 3, 64), _dirichlet(ctx, 3, 64)
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
    variables={n: integer(2, 8), pp: probability(), qq: probability(), **{s: probability() for s in (*p3, *q3)}},
    claim=Eq(H_PQ, H_P + KL_PQ),
    also=[
        Statement(
            "same gradient in q",
            Eq(sp.Matrix([Derivative(CE3, b) for b in q3]), sp.Matrix([Derivative(KL3, b) for b in q3])),
            text=r"$H(p)$ does not depend on $q$, so minimising $H(p, q)$ over $q$ minimises $\mathrm{KL}(p\,\|\,q)$ "
            r"(shown for $n = 3$)",
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

    d.begin(sp.Matrix([Derivative(CE3, b) for b in q3]), scope="for n = 3")
    d.then(lambda e: e.doit(), r"differentiate: $\partial H(p,q)/\partial q_j = -p_j/q_j$")
    d.note(
        r"The same as $\partial \mathrm{KL}/\partial q_j$: $\log(p_j/q_j) = \log p_j - \log q_j$ and "
        r"$\log p_j$ is constant in $q$ (checked at the end of the chain)."
    )
    d.conclude("same gradient in q")


# ============================================================================ ELBO (3.1)
aw, cw, lw = IndexedBase("a", positive=True), IndexedBase("c", positive=True), IndexedBase("l", positive=True)
qz = Table(Function("q"), aw, K3)  # variational q(z = k | x)
prior = Table(Function("pi"), cw, K3)  # prior p(z = k)
lik = Table(Function("ell"), lw, K3, normalised=False)  # likelihood p(x | z = k) at the observed x
xo = sp.Symbol("x", real=True)  # the observed data point (only a name: the tables are at this x)
EVIDENCE = Function("p")(xo)  # the evidence p(x), defined below as sum_k p(z = k) p(x | z = k)
EVIDENCE_SUM = dm.expectation(prior, lik, K3)


def joint(k: int) -> sp.Expr:
    """p(x, z = k) = p(z = k) p(x | z = k)."""
    return prior(k) * lik(k)


def posterior(k: int) -> sp.Expr:
    """p(z = k | x) by Bayes' rule."""
    return joint(k) / EVIDENCE


ELBO_JOINT = dm.expectation(qz, lambda k: log(joint(k) / qz(k)), K3)  # E_q[log p(x, z) - log q(z | x)]
ELBO = dm.expectation(qz, lambda k: log(lik(k)), K3) - dm.kl(qz, prior, K3)  # E_q[log p(x|z)] - KL(q || p(z))
GAP = dm.kl(qz, posterior, K3)  # KL(q(z|x) || p(z|x))
ELBO_AT_POSTERIOR = ELBO.xreplace({qz(k): posterior(k) for k in dm.outcomes(K3)})


def _table(ctx: CheckContext, table: Table, values: np.ndarray) -> dict[sp.Basic, float]:
    return {table.weights[k + 1]: float(v) for k, v in enumerate(values)}


def _elbo_check(ctx: CheckContext) -> CrossCheckResult:
    """(1) The derived symbolic forms at random tables against direct numpy sums of the definitions;
    (2) a discrete model with K = 10 latent values; (3) the conjugate Gaussian model
    z ~ N(0, 1), x | z ~ N(z, s^2), q = N(m, v^2), expectations by Gauss-Hermite quadrature against
    the closed-form evidence N(x; 0, 1 + s^2)."""
    unfold = ctx.identity.unfold
    got, want = [], []
    for _ in range(20):
        a, c, lv = ctx.rng.uniform(0.1, 5, K3), ctx.rng.uniform(0.1, 5, K3), ctx.rng.uniform(0.01, 1, K3)
        subs = {**_table(ctx, qz, a), **_table(ctx, prior, c), **_table(ctx, lik, lv)}
        q, pz = a / a.sum(), c / c.sum()
        px = np.sum(pz * lv)
        post = pz * lv / px
        elbo = np.sum(q * np.log(lv)) - np.sum(q * np.log(q / pz))
        gap = np.sum(q * np.log(q / post))
        got += [_values(ctx.result, subs, unfold), _values(ELBO, subs, unfold), _values(GAP, subs, unfold)]
        want += [np.log(px), elbo, gap]
    forms = ctx.compare(
        "derived forms at random tables (K = 3)", "direct sums (numpy)", np.array(got), np.array(want), rtol=1e-12
    )

    big = []
    for _ in range(50):
        kk = 10
        q, pz, lv = _dirichlet(ctx, kk, 1)[0], _dirichlet(ctx, kk, 1)[0], ctx.rng.uniform(0.01, 1, kk)
        px = np.sum(pz * lv)
        post = pz * lv / px
        big.append((np.log(px), np.sum(q * np.log(lv)) - np.sum(q * np.log(q / pz)) + np.sum(q * np.log(q / post))))
    b = np.array(big)
    discrete = ctx.compare("log p(x) = ELBO + KL, K = 10", "direct sums (numpy)", b[:, 1], b[:, 0], rtol=1e-12)

    rows = []
    for _ in range(30):
        x, s = ctx.rng.normal(0, 2), ctx.rng.uniform(0.3, 3)
        m, v = ctx.rng.normal(0, 1), ctx.rng.uniform(0.2, 2)
        log_px = -0.5 * np.log(2 * np.pi * (1 + s**2)) - x**2 / (2 * (1 + s**2))
        pm, pv = x / (1 + s**2), np.sqrt(s**2 / (1 + s**2))  # the posterior N(pm, pv^2)

        def log_n(z: np.ndarray, mu: float, sd: float) -> np.ndarray:
            return -0.5 * np.log(2 * np.pi * sd**2) - (z - mu) ** 2 / (2 * sd**2)

        e_lik = normal_expectation(lambda z, x=x, s=s: log_n(x, z, s), m, v)
        kl_prior = normal_expectation(lambda z, m=m, v=v: log_n(z, m, v) - log_n(z, 0.0, 1.0), m, v)
        kl_post = normal_expectation(lambda z, m=m, v=v, pm=pm, pv=pv: log_n(z, m, v) - log_n(z, pm, pv), m, v)
        rows.append((log_px, e_lik - kl_prior + kl_post))
    g = np.array(rows)
    gauss = ctx.compare(
        "log p(x) = ELBO + KL, conjugate Gaussian",
        "Gauss-Hermite quadrature, closed-form evidence",
        g[:, 1],
        g[:, 0],
        rtol=1e-12,
    )
    return combine(forms, discrete, gauss)


@identity(
    "elbo",
    aliases=("evidence-lower-bound",),
    title="The evidence lower bound (ELBO)",
    section="3.1",
    map_row=r"ELBO, the VAE training objective (Kingma \& Welling, 2014); the evidence approximated by the ELBO",
    variables={aw: positive(10), cw: positive(10), lw: probability(), xo: real()},
    definitions={EVIDENCE: EVIDENCE_SUM, **dm.definitions(qz, prior, lik)},  # p(x) first: its body uses the tables
    claim=Statement(
        "decomposition",
        Eq(log(EVIDENCE), ELBO_JOINT + GAP),
        text=r"$\log p(x) = \mathbb{E}_q[\log p(x, z) - \log q(z \mid x)] + \mathrm{KL}(q(z\mid x)\,\|\,p(z \mid x))$",
    ),
    also=[
        Statement(
            "ELBO",
            Eq(ELBO_JOINT, ELBO),
            text=r"$\mathrm{ELBO} = \mathbb{E}_q[\log p(x \mid z)] - \mathrm{KL}(q(z \mid x)\,\|\,p(z))$",
        ),
        Statement("bound", Le(ELBO, log(EVIDENCE)), text=r"$\mathrm{ELBO} \le \log p(x)$"),
        Statement(
            "equality",
            Eq(ELBO_AT_POSTERIOR, log(EVIDENCE)),
            text=r"at $q = p(z \mid x)$ the bound is tight (and only there: the gap is a KL divergence)",
        ),
    ],
    crosscheck=_elbo_check,
    question=Question(
        target=GAP,
        prompt=r"A latent variable $z \in \{1, 2, 3\}$ has prior $\pi(k)$ and likelihood $\ell(k) = p(x \mid z = k)$ "
        r"at the observed $x$. For the variational distribution $q(k)$, write the gap "
        r"$\log p(x) - \mathrm{ELBO}(q)$ as an explicit sum over $k$.",
        names={"q": qz.head, "pi": prior.head, "ell": lik.head},
        approximations={
            r"this is $\mathrm{KL}(p(z\mid x)\,\|\,q)$: the wrong way round": dm.kl(posterior, qz, K3),
            r"this is $\mathrm{KL}(q\,\|\,p(z))$, the regulariser inside the ELBO, not the gap": dm.kl(qz, prior, K3),
        },
    ),
    refs=(
        Ref.arxiv("1312.6114", "D. P. Kingma and M. Welling, Auto-Encoding Variational Bayes, 2014", where="Sec. 2.2"),
        Ref.arxiv(
            "1601.00670",
            "D. M. Blei, A. Kucukelbir and J. D. McAuliffe, Variational Inference: A Review for Statisticians, 2017",
            where="Sec. 2.2",
        ),
    ),
    builds_on=("kl-nonnegative",),
)
def elbo(d: Derivation) -> None:
    r"""Variational inference and the VAE replace the intractable evidence $\log p(x)$ by the
    evidence lower bound $\mathrm{ELBO}(q) = \mathbb{E}_q[\log p(x \mid z)] - \mathrm{KL}(q(z\mid x)\,\|\,p(z))$:
    a reconstruction term minus a regulariser. The exact statement is a decomposition,
    $\log p(x) = \mathrm{ELBO}(q) + \mathrm{KL}(q(z\mid x)\,\|\,p(z\mid x))$, so maximising the ELBO over $q$
    both tightens the bound and pulls $q$ towards the true posterior. Derived here for a discrete
    latent with $K = 3$ values and symbolic tables: prior $\pi(k)$, likelihood $\ell(k) = p(x\mid z=k)$ at the
    observed $x$, and variational $q(k)$."""
    scope = "for K = 3 latent values"
    d.begin(log(EVIDENCE), r"the evidence $p(x) = \sum_k \pi(k)\,\ell(k)$", scope=scope)
    d.note(
        f"Symbolic tables: ${qz.latex()}$, ${prior.latex()}$, ${lik.latex()}$; "
        rf"the evidence $p(x) = {sp.latex(EVIDENCE_SUM)}$."
    )
    d.then(dm.expectation(qz, lambda k: log(EVIDENCE), K3), r"$\sum_k q(k) = 1$: take $\mathbb{E}_q$ of a constant")
    d.then(
        dm.expectation(qz, lambda k: log(joint(k)) - log(posterior(k)), K3),
        r"Bayes: $p(x) = p(x, z)/p(z \mid x)$ for every $z$",
    )
    d.then(
        dm.expectation(qz, lambda k: log(joint(k) / qz(k)) + log(qz(k) / posterior(k)), K3),
        r"add and subtract $\log q(k)$",
    )
    d.then(ELBO_JOINT + GAP, "split the expectation")
    d.conclude("decomposition")

    d.begin(ELBO_JOINT, scope=scope)
    d.then(dm.expectation(qz, lambda k: log(lik(k)) - log(qz(k) / prior(k)), K3), r"$p(x, z) = p(x \mid z)\,p(z)$")
    d.then(ELBO, "split: a reconstruction term minus the KL to the prior")
    d.conclude("ELBO")

    d.begin(ELBO, scope=scope)
    d.then(log(EVIDENCE) - GAP, "the two chains above")
    d.then(log(EVIDENCE) - dm.kl_gibbs(qz, posterior, K3), r"the KL as a sum of Gibbs gaps (kl-nonnegative)")
    d.bound(log(EVIDENCE), r"each $q(k)\,g\bigl(p(k\mid x)/q(k)\bigr) \ge 0$ (Gibbs' inequality)")
    d.conclude("bound")

    d.begin(ELBO_AT_POSTERIOR, r"the ELBO at $q(k) = p(z = k \mid x)$", scope=scope)
    d.then(dm.expectation(posterior, lambda k: log(joint(k) / posterior(k)), K3), "combine the logarithms")
    d.then(dm.expectation(posterior, lambda k: log(EVIDENCE), K3), r"$p(x, z)/p(z \mid x) = p(x)$")
    d.then(log(EVIDENCE), r"the posterior sums to 1")
    d.conclude("equality")


# ============================================================================ KL between Gaussians
m1, m2 = real(-3, 3).symbol("m1"), real(-3, 3).symbol("m2")
SD = interval(Rational(1, 2), 4)  # standard deviations: from 1/2 (e^(m^2/2s^2) stays finite in sympy's form) to 4
s1, s2 = SD.symbol("s1"), SD.symbol("s2")
u = real().symbol("u")  # standardised variable: x = m1 + s1 u with u ~ N(0, 1)
KL_GAUSS = log(s2 / s1) + (s1**2 + (m1 - m2) ** 2) / (2 * s2**2) - Rational(1, 2)


def _log_ratio(x: sp.Expr) -> sp.Expr:
    """log N(x; m1, s1^2) - log N(x; m2, s2^2)."""
    return gm.log_normal_pdf(x, m1, s1) - gm.log_normal_pdf(x, m2, s2)


KL_GAUSS_DEF = gm.expectation(_log_ratio(m1 + s1 * u), u)  # E_{x ~ N(m1, s1^2)}[log q1(x)/q2(x)], x = m1 + s1 u


def _moments(e: sp.Expr, variables: tuple[sp.Symbol, ...] = (u,)) -> sp.Expr:
    r"""Linearity of expectation: :math:`\int \prod_j\varphi(u_j) \sum c_k u^k\,du = \sum_k c_k \prod_j
    \mathbb{E}[u_j^{k_j}]` for independent standard normal variables (``variables``)."""
    (integral,) = e.atoms(sp.Integral)
    density = sp.Mul(*(gm.normal_pdf(w) for w in variables))
    poly = sp.Poly(sp.expand(integral.function / density), *variables)
    return sp.Add(
        *(c * sp.Mul(*(gm.expectation(w**k, w) for w, k in zip(variables, ks, strict=True))) for ks, c in poly.terms())
    )


# the diagonal 2-D case: coordinates (a, b)
ma1, mb1, ma2, mb2 = (real(-3, 3).symbol(nm) for nm in ("mu1_a", "mu1_b", "mu2_a", "mu2_b"))
sa1, sb1, sa2, sb2 = (positive(4).symbol(nm) for nm in ("sigma1_a", "sigma1_b", "sigma2_a", "sigma2_b"))
MU1, MU2 = sp.Matrix([ma1, mb1]), sp.Matrix([ma2, mb2])
S1, S2 = sp.diag(sa1**2, sb1**2), sp.diag(sa2**2, sb2**2)


def _kl1(a: sp.Expr, sa: sp.Expr, b: sp.Expr, sb: sp.Expr) -> sp.Expr:
    return KL_GAUSS.xreplace({m1: a, s1: sa, m2: b, s2: sb})


KL_DIAG = _kl1(ma1, sa1, ma2, sa2) + _kl1(mb1, sb1, mb2, sb2)
dmu = MU2 - MU1
KL_MATRIX = ((S2.inv() * S1).trace() + (dmu.T * S2.inv() * dmu)[0, 0] - 2 + log(S2.det() / S1.det())) / 2


def _kl_gauss_mv(mu1: np.ndarray, c1: np.ndarray, mu2: np.ndarray, c2: np.ndarray) -> float:
    """The multivariate closed form (the claim's second part) with numpy.linalg."""
    inv2 = np.linalg.inv(c2)
    dm_ = mu2 - mu1
    _, ld1 = np.linalg.slogdet(c1)
    _, ld2 = np.linalg.slogdet(c2)
    return 0.5 * (np.trace(inv2 @ c1) + dm_ @ inv2 @ dm_ - len(mu1) + ld2 - ld1)


def _kl_gaussians_check(ctx: CheckContext) -> CrossCheckResult:
    """QUADPACK of q1 log(q1/q2) over the real line at random parameters; Monte Carlo of
    E_{q1}[log q1 - log q2] in 3-D with full covariances against the multivariate formula."""
    from scipy.integrate import quad

    v = ctx.sample(12)
    f = ctx.numpy(ctx.result, [m1, s1, m2, s2])
    got, want = [], []
    for j in range(12):
        a, sa, b, sb = (float(v[sym][j]) for sym in (m1, s1, m2, s2))

        def integrand(x: float, a: float = a, sa: float = sa, b: float = b, sb: float = sb) -> float:
            l1 = -0.5 * np.log(2 * np.pi * sa**2) - (x - a) ** 2 / (2 * sa**2)
            l2 = -0.5 * np.log(2 * np.pi * sb**2) - (x - b) ** 2 / (2 * sb**2)
            return float(np.exp(l1) * (l1 - l2))

        got.append(quad(integrand, a - 40 * sa, a + 40 * sa, epsabs=1e-13, epsrel=1e-11, limit=400)[0])
        want.append(float(f(a, sa, b, sb)))
    one_d = ctx.compare("1-D KL integral", "numerical integration (QUADPACK)", np.array(got), np.array(want), rtol=1e-8)

    results = []
    for _ in range(3):
        mu1, mu2 = ctx.rng.normal(0, 1, 3), ctx.rng.normal(0, 1, 3)
        a1, a2 = ctx.rng.normal(size=(3, 3)), ctx.rng.normal(size=(3, 3))
        c1, c2 = a1 @ a1.T + 0.5 * np.eye(3), a2 @ a2.T + 0.5 * np.eye(3)
        x = ctx.rng.multivariate_normal(mu1, c1, 200_000)

        def logpdf(x: np.ndarray, mu: np.ndarray, c: np.ndarray) -> np.ndarray:
            r = np.linalg.solve(np.linalg.cholesky(c), (x - mu).T)
            return -0.5 * np.sum(r**2, 0) - 0.5 * np.linalg.slogdet(2 * np.pi * c)[1]

        est = mc.estimate(logpdf(x, mu1, c1) - logpdf(x, mu2, c2))
        results.append(mc.agrees(ctx, "3-D KL, full covariances", est, _kl_gauss_mv(mu1, c1, mu2, c2)))
    return combine(one_d, *results)


@identity(
    "kl-gaussians",
    aliases=("kl-gaussian",),
    title="KL divergence between two Gaussians",
    section="4",
    map_row=r"KL divergence: knowledge distillation, VAE, Gaussian policies",
    variables={
        m1: real(-3, 3),
        s1: SD,
        m2: real(-3, 3),
        s2: SD,
        u: real(),
        **{sym: real(-3, 3) for sym in (ma1, mb1, ma2, mb2)},
        **{sym: positive(4) for sym in (sa1, sb1, sa2, sb2)},
    },
    claim=Statement(
        "1-D",
        Eq(KL_GAUSS_DEF, KL_GAUSS),
        text=r"$\mathrm{KL}(\mathcal N(m_1, s_1^2)\,\|\,\mathcal N(m_2, s_2^2))$, the expectation over "
        r"$x = m_1 + s_1 u$, $u \sim \mathcal N(0, 1)$",
    ),
    also=[
        Statement(
            "diagonal 2-D",
            Eq(KL_DIAG, KL_MATRIX),
            text=r"for diagonal covariances the KL is a sum over coordinates, which is the multivariate form "
            r"$\frac12[\operatorname{tr}(\Sigma_2^{-1}\Sigma_1) + (\mu_2 - \mu_1)^\top \Sigma_2^{-1}(\mu_2 - \mu_1)"
            r" - d + \log\frac{\det\Sigma_2}{\det\Sigma_1}]$ (full covariances: checked by Monte Carlo in 3-D)",
        )
    ],
    crosscheck=_kl_gaussians_check,
    question=Question(
        target=KL_GAUSS,
        prompt=r"Compute $\mathrm{KL}\bigl(\mathcal N(m_1, s_1^2)\,\|\,\mathcal N(m_2, s_2^2)\bigr)$ in closed form.",
        approximations={
            r"the log term is inverted: $\log(s_1/s_2)$ instead of $\log(s_2/s_1)$": log(s1 / s2)
            + (s1**2 + (m1 - m2) ** 2) / (2 * s2**2)
            - Rational(1, 2),
            r"the variance ratio is the wrong way round ($s_2^2/s_1^2$)": log(s2 / s1)
            + (s2**2 + (m1 - m2) ** 2) / (2 * s1**2)
            - Rational(1, 2),
            r"the constant $-\tfrac12$ is missing": log(s2 / s1) + (s1**2 + (m1 - m2) ** 2) / (2 * s2**2),
        },
    ),
    refs=(
        Ref.arxiv("1312.6114", "D. P. Kingma and M. Welling, Auto-Encoding Variational Bayes, 2014", where="App. B"),
        Ref.arxiv(
            "1503.02531", "G. Hinton, O. Vinyals and J. Dean, Distilling the Knowledge in a Neural Network, 2015"
        ),
    ),
    builds_on=("kl-nonnegative",),
)
def kl_gaussians(d: Derivation) -> None:
    r"""The KL divergence between two normal distributions has a closed form, which is why Gaussian
    posteriors and policies are everywhere: the VAE regulariser $\mathrm{KL}(q(z\mid x)\,\|\,\mathcal N(0, I))$,
    trust regions between Gaussian policies, distillation of Gaussian heads. It is an expectation of
    the log density ratio, a quadratic in $x$, so only the first two moments of $x \sim \mathcal N(m_1, s_1^2)$
    enter: $\log\frac{s_2}{s_1} + \frac{s_1^2 + (m_1 - m_2)^2}{2 s_2^2} - \frac12$."""
    d.begin(KL_GAUSS_DEF, r"$\mathbb{E}_{x\sim q_1}[\log q_1(x) - \log q_2(x)]$ with $x = m_1 + s_1 u$")
    d.then(_moments, r"the log ratio is a quadratic in $u$: linearity of the expectation")
    d.then(
        gm.integrate, r"the moments $\mathbb{E}[1] = 1$, $\mathbb{E}[u] = 0$, $\mathbb{E}[u^2] = 1$ (sympy.integrate)"
    )
    d.then(KL_GAUSS, "collect")
    d.conclude("1-D")

    d.begin(KL_DIAG, r"independent coordinates: the log ratio and the KL add", scope="for d = 2, diagonal covariances")
    d.then(KL_MATRIX, r"collect the sums into a trace, a quadratic form and a log-determinant")
    d.conclude("diagonal 2-D")


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

rho = interval(Rational(-9, 10), Rational(9, 10)).symbol("rho")
vv = real().symbol("v")
_y = rho * u + sp.sqrt(1 - rho**2) * vv  # (x, y) = (u, rho u + sqrt(1 - rho^2) v) has correlation rho
# log p(x, y) - log p(x) - log p(y) for the standard bivariate normal with correlation rho
_LR_XY = -log(1 - rho**2) / 2 - (u**2 - 2 * rho * u * _y + _y**2) / (2 * (1 - rho**2)) + (u**2 + _y**2) / 2
MI_GAUSS_DEF = sp.Integral(gm.normal_pdf(u) * gm.normal_pdf(vv) * _LR_XY, (u, -sp.oo, sp.oo), (vv, -sp.oo, sp.oo))
MI_GAUSS = -log(1 - rho**2) / 2


def _mi_tables_check(ctx: CheckContext) -> CrossCheckResult:
    """Random joint tables (2x2 and 4x5): the three forms of I(X;Y) by direct numpy sums, and the
    derived 2x2 result at random weights."""
    rows = []
    for shape in ((2, 2), (4, 5), (3, 7)):
        for _ in range(100):
            pj = _dirichlet(ctx, shape[0] * shape[1], 1).reshape(shape)
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
    for _ in range(20):
        w = ctx.rng.uniform(0.1, 5, 4)
        subs = {wj[a, b]: w[k] for k, (a, b) in enumerate(CELLS)}
        pj = w.reshape(2, 2) / w.sum()
        got.append(_values(ctx.result, subs, ctx.identity.unfold))
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
            batches = 4000 if nb < 64 else 800
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
        Statement("Gaussian", Eq(MI_GAUSS_DEF, MI_GAUSS), text=r"standard bivariate normal with correlation $\rho$"),
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
    d.then(MI_GIBBS, r"a KL divergence as a sum of Gibbs gaps; $\sum_{i,j} p_X(i)\,p_Y(j) = 1$")
    d.bound(0, r"every term $p(i,j)\,g(\cdot) \ge 0$", relation=">=")
    d.conclude("I >= 0")

    d.begin(
        MI_GAUSS_DEF,
        r"$\mathbb{E}[\log p(x,y) - \log p(x) - \log p(y)]$ with $x = u$, "
        r"$y = \rho u + \sqrt{1 - \rho^2}\,v$ for independent standard normal $u, v$",
    )
    d.then(lambda e: _moments(e, (u, vv)), "the log ratio is a quadratic in $(u, v)$: linearity of the expectation")
    d.then(gm.integrate, r"the moments $\mathbb{E}[1] = 1$, $\mathbb{E}[u] = 0$, $\mathbb{E}[u^2] = 1$")
    d.then(MI_GAUSS, "collect")
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


# ============================================================================ bits-back coding
CODE = dm.expectation(qz, lambda k: -log(lik(k)), K3) + dm.kl(qz, prior, K3)  # E_q[-log p(x|z)] + KL(q || p(z))
CODE_BITS_BACK = dm.expectation(qz, lambda k: -log(lik(k)) - log(prior(k)), K3) - dm.entropy(qz, K3)


def _bits_back_check(ctx: CheckContext) -> CrossCheckResult:
    """Discrete models with random tables (K = 3 and 10): the expected net message length of the
    bits-back scheme, simulated (draw z ~ q, pay -log p(x|z) - log p(z), get back -log q(z)), against
    the ideal -log p(x) plus the gap KL(q || p(z|x)) by direct sums; the derived forms at random tables."""
    unfold = ctx.identity.unfold
    got, want = [], []
    for _ in range(20):
        a, c, lv = ctx.rng.uniform(0.1, 5, K3), ctx.rng.uniform(0.1, 5, K3), ctx.rng.uniform(0.01, 1, K3)
        subs = {**_table(ctx, qz, a), **_table(ctx, prior, c), **_table(ctx, lik, lv)}
        q, pz = a / a.sum(), c / c.sum()
        px = np.sum(pz * lv)
        got.append(_values(ctx.result, subs, unfold))
        want.append(np.sum(q * np.log(q / (pz * lv / px))))
    derived = ctx.compare(
        "derived gap at random tables (K = 3)", "direct sums", np.array(got), np.array(want), rtol=1e-12
    )
    sims = []
    for kk in (3, 10):
        q, pz, lv = _dirichlet(ctx, kk, 1)[0], _dirichlet(ctx, kk, 1)[0], ctx.rng.uniform(0.01, 1, kk)
        px = np.sum(pz * lv)
        z = ctx.rng.choice(kk, size=200_000, p=q / q.sum())
        net = -np.log(lv[z]) - np.log(pz[z]) + np.log(q[z])  # paid for x and z, minus the bits got back
        ideal_plus_gap = -np.log(px) + np.sum(q * np.log(q / (pz * lv / px)))
        sims.append(mc.agrees(ctx, f"simulated bits-back code length, K = {kk}", mc.estimate(net), ideal_plus_gap))
    return combine(derived, *sims)


@identity(
    "bits-back",
    aliases=("bits-back-coding",),
    title="Bits-back coding: the negative ELBO as a code length",
    section="4",
    map_row=r"Bits-back coding $-\mathbb{E}_q[\log p(x\mid z)] + D_{\mathrm{KL}}(q\,\|\,p)$: "
    r"the VAE ELBO reinterpreted as compression",
    variables={aw: positive(10), cw: positive(10), lw: probability(), xo: real()},
    definitions={EVIDENCE: EVIDENCE_SUM, **dm.definitions(qz, prior, lik)},
    claim=Statement(
        "excess",
        Eq(CODE - (-log(EVIDENCE)), GAP),
        text=r"the expected code length $-\mathrm{ELBO}$ exceeds the ideal $-\log p(x)$ by exactly "
        r"$\mathrm{KL}(q(z\mid x)\,\|\,p(z\mid x))$",
    ),
    also=[
        Statement("bound", Ge(CODE, -log(EVIDENCE)), text=r"$-\mathrm{ELBO} \ge -\log p(x)$"),
        Statement(
            "bits back",
            Eq(CODE, CODE_BITS_BACK),
            text=r"sending $z \sim q$ costs $-\log p(z)$, then $x$ costs $-\log p(x\mid z)$; the receiver "
            r"recovers the $H(q)$ nats used to choose $z$",
        ),
    ],
    crosscheck=_bits_back_check,
    question=Question(
        target=GAP,
        prompt=r"With prior $\pi(k)$, likelihood $\ell(k) = p(x\mid z=k)$ and encoder $q(k)$ over $k = 1, 2, 3$, "
        r"by how many nats does the expected bits-back code length exceed $-\log p(x)$?",
        names={"q": qz.head, "pi": prior.head, "ell": lik.head},
        approximations={
            r"this is $\mathrm{KL}(q\,\|\,p(z))$, the rate term, not the excess": dm.kl(qz, prior, K3),
        },
    ),
    refs=(
        Ref.book(
            "G. E. Hinton and D. van Camp, Keeping Neural Networks Simple by Minimizing the Description Length "
            "of the Weights, COLT 1993"
        ),
        Ref.arxiv(
            "1901.04866",
            "J. Townsend, T. Bird and D. Barber, Practical Lossless Compression with Latent "
            "Variables using Bits Back Coding, 2019",
            where="Sec. 2",
        ),
    ),
    builds_on=("elbo", "kl-nonnegative"),
)
def bits_back(d: Derivation) -> None:
    r"""Bits-back coding turns a latent variable model into a lossless compressor: the sender picks
    $z \sim q(z \mid x)$ (using bits taken from the message it carries), sends $z$ with the prior and
    $x$ with the likelihood, and the receiver, who can recompute $q$, gets the bits used to pick $z$
    back. The expected net length is $-\mathbb{E}_q[\log p(x\mid z)] + \mathrm{KL}(q\,\|\,p(z)) = -\mathrm{ELBO}$,
    so training a VAE is training a compressor, and the loss over the ideal $-\log p(x)$ is exactly the
    posterior mismatch $\mathrm{KL}(q(z\mid x)\,\|\,p(z\mid x))$. Same discrete model as the ELBO sheet."""
    scope = "for K = 3 latent values"
    d.begin(CODE, scope=scope)
    d.note(f"Symbolic tables: ${qz.latex()}$, ${prior.latex()}$, ${lik.latex()}$.")
    d.then(CODE_BITS_BACK, r"$\log\frac{q}{\pi} = -\log \pi - (-\log q)$: pay for $z$, get $H(q)$ back")
    d.conclude("bits back")

    d.begin(CODE - (-log(EVIDENCE)), scope=scope)
    d.then(-ELBO + log(EVIDENCE), r"the code length is $-\mathrm{ELBO}$")
    d.then(GAP, r"the decomposition $\log p(x) = \mathrm{ELBO} + \mathrm{KL}(q\,\|\,p(z\mid x))$ (elbo)")
    d.conclude("excess")

    d.begin(CODE, scope=scope)
    d.then(-log(EVIDENCE) + dm.kl_gibbs(qz, posterior, K3), "the excess above, as a sum of Gibbs gaps")
    d.bound(-log(EVIDENCE), r"every term $q(k)\,g(\cdot) \ge 0$", relation=">=")
    d.conclude("bound")


# ============================================================================ distillation gradient
NCLS = 3
zs = sp.symbols("s1:4", real=True)  # student logits
zt = sp.symbols("t1:4", real=True)  # teacher logits
TEMP = interval(Rational(1, 2), 10).symbol("T")  # distillation temperature


def softmax_t(z: tuple[sp.Symbol, ...]) -> list[sp.Expr]:
    """softmax(z / T), written out."""
    den = sp.Add(*(sp.exp(zi / TEMP) for zi in z))
    return [sp.exp(zi / TEMP) / den for zi in z]


PS, PT = softmax_t(zs), softmax_t(zt)
L_DISTILL = TEMP**2 * sp.Add(*(a * log(a / b) for a, b in zip(PT, PS, strict=True)))  # T^2 KL(p_t || p_s)
CE_TS = -sp.Add(*(a * log(b) for a, b in zip(PT, PS, strict=True)))  # cross-entropy H(p_t, p_s)
GRAD = sp.Matrix([TEMP * (a - b) for a, b in zip(PS, PT, strict=True)])
ZERO_MEAN = {zs[2]: -zs[0] - zs[1], zt[2]: -zt[0] - zt[1]}


def _distillation_check(ctx: CheckContext) -> CrossCheckResult:
    """Random logits and temperatures: central differences of T^2 KL (numpy, stable log-softmax) against
    the derived gradient, also at n = 10 classes; at T = 1e4 with zero-mean logits the gradient is
    (s - t)/n to O(1/T) (checked at T = 1e5)."""

    def log_softmax(z: np.ndarray) -> np.ndarray:
        m = z.max(axis=-1, keepdims=True)
        return z - m - np.log(np.exp(z - m).sum(axis=-1, keepdims=True))

    def loss(s: np.ndarray, t: np.ndarray, temp: float) -> float:
        lt, ls = log_softmax(t / temp), log_softmax(s / temp)
        return float(temp**2 * np.sum(np.exp(lt) * (lt - ls)))

    grad = ctx.numpy(ctx.result, [*zs, *zt, TEMP])
    fd, exact, fd10, ex10 = [], [], [], []
    h = 1e-5
    for _ in range(40):
        s, t, temp = ctx.rng.normal(0, 3, NCLS), ctx.rng.normal(0, 3, NCLS), float(ctx.rng.uniform(0.5, 10))
        fd.append([(loss(s + h * e, t, temp) - loss(s - h * e, t, temp)) / (2 * h) for e in np.eye(NCLS)])
        exact.append(np.asarray(grad(*s, *t, temp), dtype=float).ravel())
        s, t = ctx.rng.normal(0, 3, 10), ctx.rng.normal(0, 3, 10)
        fd10.append([(loss(s + h * e, t, temp) - loss(s - h * e, t, temp)) / (2 * h) for e in np.eye(10)])
        ex10.append(temp * (np.exp(log_softmax(s / temp)) - np.exp(log_softmax(t / temp))))
    a = ctx.compare("gradient, n = 3", "central differences", np.array(fd), np.array(exact), rtol=1e-6)
    b = ctx.compare(
        "T (softmax(s/T) - softmax(t/T)), n = 10", "central differences", np.array(fd10), np.array(ex10), rtol=1e-6
    )
    big = []
    for _ in range(20):
        s, t = ctx.rng.normal(0, 3, 10), ctx.rng.normal(0, 3, 10)
        s, t = s - s.mean(), t - t.mean()
        temp = 1e5
        g = temp * (np.exp(log_softmax(s / temp)) - np.exp(log_softmax(t / temp)))
        big.append(np.max(np.abs(g - (s - t) / 10)) / np.max(np.abs((s - t) / 10)))
    c = ctx.bound(
        "large T: |grad - (s - t)/n| / |(s - t)/n| at T = 1e5", "numpy", float(max(big)), 1e-3, samples=len(big)
    )
    return combine(a, b, c)


@identity(
    "distillation-gradient",
    aliases=("kd-gradient",),
    title="The gradient of the distillation loss, and logit matching at high temperature",
    section="4",
    map_row=r"KL divergence: knowledge distillation, $T^2\,\mathrm{KL}(\mathrm{softmax}(t/T)\,\|\,\mathrm{softmax}(s/T))$",
    variables={**{z: real(-5, 5) for z in (*zs, *zt)}, TEMP: interval(Rational(1, 2), 10)},
    claim=Statement(
        "gradient",
        Eq(sp.Matrix([Derivative(L_DISTILL, z) for z in zs]), GRAD),
        text=r"$\partial L/\partial s = T\,(\mathrm{softmax}(s/T) - \mathrm{softmax}(t/T))$ for $L = T^2\,"
        r"\mathrm{KL}(\mathrm{softmax}(t/T)\,\|\,\mathrm{softmax}(s/T))$, $n = 3$ classes",
    ),
    also=[
        Statement(
            "logit matching",
            Eq(sp.Limit(GRAD[0].xreplace(ZERO_MEAN), TEMP, sp.oo), (zs[0] - zt[0]) / NCLS),
            text=r"for zero-mean logits the gradient tends to $(s - t)/n$ as $T \to \infty$: matching logits "
            r"with a squared error (first component shown)",
        )
    ],
    crosscheck=_distillation_check,
    question=Question(
        target=GRAD[0],
        prompt=r"For the distillation loss $L = T^2\,\mathrm{KL}(\mathrm{softmax}(t/T)\,\|\,\mathrm{softmax}(s/T))$ "
        r"with three classes, compute $\partial L/\partial s_1$.",
        names={"T": TEMP},
        approximations={
            r"the factor $T$ is missing (it comes from $T^2$ times the $1/T$ of the chain rule)": GRAD[0] / TEMP,
            r"the sign is wrong: the gradient is student minus teacher": -GRAD[0],
        },
    ),
    refs=(
        Ref.arxiv(
            "1503.02531",
            "G. Hinton, O. Vinyals and J. Dean, Distilling the Knowledge in a Neural Network, 2015",
            where="Sec. 2.1",
        ),
    ),
    builds_on=("softmax-cross-entropy-grad", "cross-entropy-kl"),
)
def distillation_gradient(d: Derivation) -> None:
    r"""Knowledge distillation trains a student on the teacher's softened distribution,
    $L = T^2\,\mathrm{KL}(\mathrm{softmax}(t/T)\,\|\,\mathrm{softmax}(s/T))$. The entropy of the teacher does
    not depend on the student, so the gradient is that of a cross-entropy, $T^2 \cdot \frac1T(\mathrm{softmax}(s/T) -
    \mathrm{softmax}(t/T))$; the factor $T^2$ keeps its size independent of $T$. At high temperature and
    zero-mean logits it becomes $(s - t)/n$: distillation turns into matching logits (Hinton et al.)."""
    d.begin(sp.Matrix([Derivative(L_DISTILL, z) for z in zs]), scope="for n = 3 classes")
    d.then(
        TEMP**2 * sp.Matrix([Derivative(CE_TS, z) for z in zs]),
        r"$\mathrm{KL}(p_t\|p_s) = H(p_t, p_s) - H(p_t)$ and $H(p_t)$ does not depend on $s$ (cross-entropy-kl)",
    )
    d.then(
        GRAD,
        r"softmax-cross-entropy-grad at $z = s/T$: $\nabla_z H = \mathrm{softmax}(z) - p_t$, times $\partial z/\partial s"
        r" = 1/T$",
    )
    d.conclude("gradient")

    d.begin(sp.Limit(GRAD[0].xreplace(ZERO_MEAN), TEMP, sp.oo), r"$s_3 = -s_1 - s_2$, $t_3 = -t_1 - t_2$")
    d.then(lambda e: e.doit(), r"the limit (SymPy): $e^{z/T} = 1 + z/T + O(T^{-2})$")
    d.conclude("logit matching")
