r"""The evidence lower bound (ELBO).

The evidence of a latent variable model decomposes as $\log p(x) = \mathrm{ELBO}(q) +
\mathrm{KL}(q(z\mid x)\,\|\,p(z\mid x))$ with $\mathrm{ELBO}(q) = \mathbb{E}_q[\log p(x \mid z)] -
\mathrm{KL}(q(z\mid x)\,\|\,p(z))$, so the ELBO is a lower bound, tight at the posterior: the training
objective of the VAE and of variational inference (map 3.1, the probabilistic view of supervised learning).
Derived for a discrete latent with any number $K$ of values. Kingma and Welling (2014), Auto-Encoding
Variational Bayes, Sec. 2.2.
"""

from __future__ import annotations

import numpy as np
import sympy as sp
from sympy import Eq, Le, log

from derive.authoring import (
    CheckContext,
    CrossCheckResult,
    Derivation,
    Question,
    Ref,
    Statement,
    combine,
    declare,
)
from derive.authoring import discrete as dm
from derive.numeric.discrete import distributions, evaluator, weights
from derive.numeric.montecarlo import normal_expectation

from ._shared import (
    DEFINITIONS,
    ELBO,
    EVIDENCE,
    EVIDENCE_SUM,
    GAP,
    KZ,
    VARIABLES,
    joint,
    lik,
    posterior,
    prior,
    qz,
)

# -- symbols ---------------------------------------------------------------------------------------
# the model (K, the tables q, pi, ell, the observed x and the evidence p(x)) is the chapter's, in _shared
ELBO_JOINT = dm.expectation(qz, lambda k: log(joint(k) / qz(k)), KZ)  # E_q[log p(x, z) - log q(z | x)]
ELBO_AT_POSTERIOR = ELBO.xreplace({qz(dm.K_INDEX): posterior(dm.K_INDEX)})

# -- what is claimed -------------------------------------------------------------------------------
CLAIM = Statement(
    "decomposition",
    Eq(log(EVIDENCE), ELBO_JOINT + GAP),
    text=r"$\log p(x) = \mathbb{E}_q[\log p(x, z) - \log q(z \mid x)] + \mathrm{KL}(q(z\mid x)\,\|\,p(z \mid x))$",
)
ELBO_FORM = Statement(
    "ELBO",
    Eq(ELBO_JOINT, ELBO),
    text=r"$\mathrm{ELBO} = \mathbb{E}_q[\log p(x \mid z)] - \mathrm{KL}(q(z \mid x)\,\|\,p(z))$",
)
BOUND = Statement("bound", Le(ELBO, log(EVIDENCE)), text=r"$\mathrm{ELBO} \le \log p(x)$")
EQUALITY = Statement(
    "equality",
    Eq(ELBO_AT_POSTERIOR, log(EVIDENCE)),
    text=r"at $q = p(z \mid x)$ the bound is tight (and only there: the gap is a KL divergence)",
)

# -- the homework question, and where the identity comes from --------------------------------------
QUESTION = Question(
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
)
REFS = (
    Ref.cite("kingma2014", where="Sec. 2.2"),
    Ref.cite("blei2017", where="Sec. 2.2"),
)


# -- how it is derived -----------------------------------------------------------------------------
def derivation(d: Derivation) -> None:
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
    d.then(lambda e: e.expand(), "split the expectation (linearity of the sum, computed)")
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
    d.then(
        lambda e: e.replace(lambda a: isinstance(a, sp.log), lambda a: log(sp.cancel(a.args[0]))),
        r"$p(x, z)/p(z \mid x) = p(x)$: the fraction inside each logarithm cancelled by SymPy",
    )
    d.then(log(EVIDENCE), r"the posterior sums to 1")
    d.conclude("equality")


# -- how it is checked -----------------------------------------------------------------------------
def crosscheck(ctx: CheckContext) -> CrossCheckResult:
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


# -- the declaration -------------------------------------------------------------------------------
EVIDENCE_LOWER_BOUND = declare(
    "elbo",
    aliases=("evidence-lower-bound",),
    title="The evidence lower bound (ELBO)",
    section="3.1",
    map_row=r"ELBO, the VAE training objective (Kingma \& Welling, 2014); the evidence approximated by the ELBO",
    variables=VARIABLES,
    definitions=DEFINITIONS,
    claim=CLAIM,
    also=(ELBO_FORM, BOUND, EQUALITY),
    derivation=derivation,
    crosscheck=crosscheck,
    question=QUESTION,
    refs=REFS,
    builds_on=("kl-nonnegative",),
)
