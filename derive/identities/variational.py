r"""3.1 / 4 The evidence lower bound and bits-back coding, on a discrete latent variable.

A latent :math:`z \in \{1, \dots, K\}` with symbolic tables (:mod:`derive.moves.discrete`): prior
:math:`\pi(k) = c_k/\sum_j c_j`, variational :math:`q(k) = a_k/\sum_j a_j` and likelihood
:math:`\ell(k) = p(x \mid z = k) = l_k` at the observed :math:`x`; the evidence
:math:`p(x) = \sum_k \pi(k)\,\ell(k)` is a defined function head. Every identity is proved
symbolically for every :math:`K` (sums over :math:`k = 1..K`; the ladder also samples :math:`K`); the
cross-checks fix :math:`K = 2, 5, 10` and add a conjugate Gaussian model.
"""

from __future__ import annotations

import numpy as np
import sympy as sp
from sympy import Eq, Function, Ge, IndexedBase, Le, log

from derive.core.derivation import Derivation
from derive.core.identity import Question, Ref, identity
from derive.core.statements import Statement
from derive.maths import discrete as dm
from derive.maths.discrete import Table
from derive.maths.domains import integer, positive, probability, real
from derive.numeric import montecarlo as mc
from derive.numeric.crosscheck import CheckContext, CrossCheckResult, combine
from derive.numeric.discrete import distributions, evaluator, weights
from derive.numeric.montecarlo import normal_expectation

KZ = integer(2, 8).symbol("K")  # the number of latent values: every statement holds for all K
J = sp.Symbol("j", integer=True, positive=True)

# ============================================================================ ELBO (3.1)
aw, cw, lw = IndexedBase("a", positive=True), IndexedBase("c", positive=True), IndexedBase("l", positive=True)
qz = Table(Function("q"), aw, KZ)  # variational q(z = k | x)
prior = Table(Function("pi"), cw, KZ)  # prior p(z = k)
lik = Table(Function("ell"), lw, KZ, normalised=False)  # likelihood p(x | z = k) at the observed x
xo = sp.Symbol("x", real=True)  # the observed data point (only a name: the tables are at this x)
EVIDENCE = Function("p")(xo)  # the evidence p(x), defined below as sum_k p(z = k) p(x | z = k)
EVIDENCE_SUM = dm.over(lambda j: prior(j) * lik(j), KZ, index=J)


def joint(k: int) -> sp.Expr:
    """p(x, z = k) = p(z = k) p(x | z = k)."""
    return prior(k) * lik(k)


def posterior(k: int) -> sp.Expr:
    """p(z = k | x) by Bayes' rule."""
    return joint(k) / EVIDENCE


ELBO_JOINT = dm.expectation(qz, lambda k: log(joint(k) / qz(k)), KZ)  # E_q[log p(x, z) - log q(z | x)]
ELBO = dm.expectation(qz, lambda k: log(lik(k)), KZ) - dm.kl(qz, prior, KZ)  # E_q[log p(x|z)] - KL(q || p(z))
GAP = dm.kl(qz, posterior, KZ)  # KL(q(z|x) || p(z|x))
ELBO_AT_POSTERIOR = ELBO.xreplace({qz(dm.K_INDEX): posterior(dm.K_INDEX)})


def _table(ctx: CheckContext, table: Table, values: np.ndarray) -> dict[sp.Basic, float]:
    return {table.weights[k + 1]: float(v) for k, v in enumerate(values)}


def _elbo_check(ctx: CheckContext) -> CrossCheckResult:
    """(1) The derived forms (at K = 2, 5) at random tables against direct numpy sums of the definitions;
    (2) a discrete model with K = 10 latent values; (3) the conjugate Gaussian model
    z ~ N(0, 1), x | z ~ N(z, s^2), q = N(m, v^2), expectations by Gauss-Hermite quadrature against
    the closed-form evidence N(x; 0, 1 + s^2)."""
    unfold = ctx.unfold
    got, want = [], []
    for kk in (2, 5):
        at_result, at_elbo, at_gap = (evaluator(e, unfold, {KZ: kk}) for e in (ctx.result, ELBO, GAP))
        for _ in range(10):
            a, c, lv = ctx.rng.uniform(0.1, 5, kk), ctx.rng.uniform(0.1, 5, kk), ctx.rng.uniform(0.01, 1, kk)
            subs = {**weights(qz, a), **weights(prior, c), **weights(lik, lv)}
            q, pz = a / a.sum(), c / c.sum()
            px = np.sum(pz * lv)
            post = pz * lv / px
            elbo = np.sum(q * np.log(lv)) - np.sum(q * np.log(q / pz))
            gap = np.sum(q * np.log(q / post))
            got += [at_result(subs), at_elbo(subs), at_gap(subs)]
            want += [np.log(px), elbo, gap]
    forms = ctx.compare(
        "derived forms at random tables (K = 2, 5)", "direct sums (numpy)", np.array(got), np.array(want), rtol=1e-12
    )

    big = []
    for _ in range(50):
        kk = 10
        q, pz, lv = distributions(ctx.rng, kk, 1)[0], distributions(ctx.rng, kk, 1)[0], ctx.rng.uniform(0.01, 1, kk)
        px = np.sum(pz * lv)
        post = pz * lv / px
        big.append((np.log(px), np.sum(q * np.log(lv)) - np.sum(q * np.log(q / pz)) + np.sum(q * np.log(q / post))))
    b = np.array(big)
    discrete = ctx.compare("log p(x) = ELBO + KL, K = 10", "direct sums (numpy)", b[:, 1], b[:, 0], rtol=1e-12)

    # the conjugate Gaussian model, 30 cases at once (arrays of shape (30, 1) broadcast over the nodes)
    x, s = ctx.rng.normal(0, 2, (30, 1)), ctx.rng.uniform(0.3, 3, (30, 1))
    m, v = ctx.rng.normal(0, 1, (30, 1)), ctx.rng.uniform(0.2, 2, (30, 1))
    log_px = -0.5 * np.log(2 * np.pi * (1 + s**2)) - x**2 / (2 * (1 + s**2))
    pm, pv = x / (1 + s**2), np.sqrt(s**2 / (1 + s**2))  # the posterior N(pm, pv^2)

    def log_n(z: np.ndarray, mu: np.ndarray | float, sd: np.ndarray | float) -> np.ndarray:
        return -0.5 * np.log(2 * np.pi * sd**2) - (z - mu) ** 2 / (2 * sd**2)

    e_lik = normal_expectation(lambda z: log_n(x, z, s), m[:, 0], v[:, 0])
    kl_prior = normal_expectation(lambda z: log_n(z, m, v) - log_n(z, 0.0, 1.0), m[:, 0], v[:, 0])
    kl_post = normal_expectation(lambda z: log_n(z, m, v) - log_n(z, pm, pv), m[:, 0], v[:, 0])
    g = np.stack([log_px[:, 0], e_lik - kl_prior + kl_post], axis=1)
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
    variables={KZ: integer(2, 8), aw: positive(10), cw: positive(10), lw: probability(), xo: real()},
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
        prompt=r"A latent variable $z \in \{1, \dots, K\}$ has prior $\pi(k)$ and likelihood "
        r"$\ell(k) = p(x \mid z = k)$ "
        r"at the observed $x$. For the variational distribution $q(k)$, write the gap "
        r"$\log p(x) - \mathrm{ELBO}(q)$ as an explicit sum over $k$ (you may write $p(x)$ for the evidence).",
        names={"q": qz.head, "pi": prior.head, "ell": lik.head, "p": EVIDENCE.func},
        approximations={
            r"this is $\mathrm{KL}(p(z\mid x)\,\|\,q)$: the wrong way round": dm.kl(posterior, qz, KZ),
            r"this is $\mathrm{KL}(q\,\|\,p(z))$, the regulariser inside the ELBO, not the gap": dm.kl(qz, prior, KZ),
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
    latent with any number $K$ of values and symbolic tables: prior $\pi(k)$, likelihood $\ell(k) = p(x\mid z=k)$ at the
    observed $x$, and variational $q(k)$."""
    d.begin(log(EVIDENCE), r"the evidence $p(x) = \sum_k \pi(k)\,\ell(k)$")
    d.note(
        f"Symbolic tables: ${qz.latex()}$, ${prior.latex()}$, ${lik.latex()}$; "
        rf"the evidence $p(x) = {sp.latex(EVIDENCE_SUM)}$."
    )
    d.then(dm.expectation(qz, lambda k: log(EVIDENCE), KZ), r"$\sum_k q(k) = 1$: take $\mathbb{E}_q$ of a constant")
    d.then(
        dm.expectation(qz, lambda k: log(joint(k)) - log(posterior(k)), KZ),
        r"Bayes: $p(x) = p(x, z)/p(z \mid x)$ for every $z$",
    )
    d.then(
        dm.expectation(qz, lambda k: log(joint(k) / qz(k)) + log(qz(k) / posterior(k)), KZ),
        r"add and subtract $\log q(k)$",
    )
    d.then(ELBO_JOINT + GAP, "split the expectation")
    d.conclude("decomposition")

    d.begin(ELBO_JOINT)
    d.then(dm.expectation(qz, lambda k: log(lik(k)) - log(qz(k) / prior(k)), KZ), r"$p(x, z) = p(x \mid z)\,p(z)$")
    d.then(ELBO, "split: a reconstruction term minus the KL to the prior")
    d.conclude("ELBO")

    d.begin(ELBO)
    d.then(log(EVIDENCE) - GAP, "the two chains above")
    d.then(
        log(EVIDENCE) - dm.kl_gibbs_terms(qz, posterior, KZ),
        r"termwise $q \log\frac{q}{p} = q\,g(p/q) + q - p$ with the Gibbs gap $g(t) = t - 1 - \log t$ (kl-nonnegative)",
    )
    d.then(log(EVIDENCE) - dm.kl_gibbs(qz, posterior, KZ), r"$\sum_k q(k) = \sum_k p(k \mid x) = 1$")
    d.bound(log(EVIDENCE), r"each $q(k)\,g\bigl(p(k\mid x)/q(k)\bigr) \ge 0$ (Gibbs' inequality)")
    d.conclude("bound")

    d.begin(ELBO_AT_POSTERIOR, r"the ELBO at $q(k) = p(z = k \mid x)$")
    d.then(dm.expectation(posterior, lambda k: log(joint(k) / posterior(k)), KZ), "combine the logarithms")
    d.then(dm.expectation(posterior, lambda k: log(EVIDENCE), KZ), r"$p(x, z)/p(z \mid x) = p(x)$")
    d.then(log(EVIDENCE), r"the posterior sums to 1")
    d.conclude("equality")


# ============================================================================ bits-back coding
CODE = dm.expectation(qz, lambda k: -log(lik(k)), KZ) + dm.kl(qz, prior, KZ)  # E_q[-log p(x|z)] + KL(q || p(z))
CODE_BITS_BACK = dm.expectation(qz, lambda k: -log(lik(k)) - log(prior(k)), KZ) - dm.entropy(qz, KZ)


def _bits_back_check(ctx: CheckContext) -> CrossCheckResult:
    """Discrete models with random tables (K = 2, 5 and 10): the expected net message length of the
    bits-back scheme, simulated (draw z ~ q, pay -log p(x|z) - log p(z), get back -log q(z)), against
    the ideal -log p(x) plus the gap KL(q || p(z|x)) by direct sums; the derived forms at random tables."""
    unfold = ctx.unfold
    got, want = [], []
    for kk in (2, 5):
        at_result = evaluator(ctx.result, unfold, {KZ: kk})
        for _ in range(10):
            a, c, lv = ctx.rng.uniform(0.1, 5, kk), ctx.rng.uniform(0.1, 5, kk), ctx.rng.uniform(0.01, 1, kk)
            subs = {**weights(qz, a), **weights(prior, c), **weights(lik, lv)}
            q, pz = a / a.sum(), c / c.sum()
            px = np.sum(pz * lv)
            got.append(at_result(subs))
            want.append(np.sum(q * np.log(q / (pz * lv / px))))
    derived = ctx.compare(
        "derived gap at random tables (K = 2, 5)", "direct sums", np.array(got), np.array(want), rtol=1e-12
    )
    sims = []
    for kk in (3, 10):
        q, pz, lv = distributions(ctx.rng, kk, 1)[0], distributions(ctx.rng, kk, 1)[0], ctx.rng.uniform(0.01, 1, kk)
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
    variables={KZ: integer(2, 8), aw: positive(10), cw: positive(10), lw: probability(), xo: real()},
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
        prompt=r"With prior $\pi(k)$, likelihood $\ell(k) = p(x\mid z=k)$ and encoder $q(k)$ over $k = 1, \dots, K$, "
        r"by how many nats does the expected bits-back code length exceed $-\log p(x)$?",
        names={"q": qz.head, "pi": prior.head, "ell": lik.head, "p": EVIDENCE.func},
        approximations={
            r"this is $\mathrm{KL}(q\,\|\,p(z))$, the rate term, not the excess": dm.kl(qz, prior, KZ),
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
    d.begin(CODE)
    d.note(f"Symbolic tables: ${qz.latex()}$, ${prior.latex()}$, ${lik.latex()}$.")
    d.then(CODE_BITS_BACK, r"$\log\frac{q}{\pi} = -\log \pi - (-\log q)$: pay for $z$, get $H(q)$ back")
    d.conclude("bits back")

    d.begin(CODE - (-log(EVIDENCE)))
    d.then(-ELBO + log(EVIDENCE), r"the code length is $-\mathrm{ELBO}$")
    d.then(GAP, r"the decomposition $\log p(x) = \mathrm{ELBO} + \mathrm{KL}(q\,\|\,p(z\mid x))$ (elbo)")
    d.conclude("excess")

    d.begin(CODE)
    d.then(-log(EVIDENCE) + GAP, "the excess above")
    d.then(
        -log(EVIDENCE) + dm.kl_gibbs_terms(qz, posterior, KZ),
        r"termwise $q \log\frac{q}{p} = q\,g(p/q) + q - p$",
    )
    d.then(-log(EVIDENCE) + dm.kl_gibbs(qz, posterior, KZ), r"$\sum_k q(k) = \sum_k p(k \mid x) = 1$")
    d.bound(-log(EVIDENCE), r"every term $q(k)\,g(\cdot) \ge 0$", relation=">=")
    d.conclude("bound")
