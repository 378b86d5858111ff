r"""Bits-back coding: the negative ELBO as a code length.

Sending $z \sim q(z\mid x)$ with the prior and $x$ with the likelihood, then getting back the bits used
to choose $z$, costs $-\mathbb{E}_q[\log p(x\mid z)] + \mathrm{KL}(q\,\|\,p(z)) = -\mathrm{ELBO}$ on
average: exactly $\mathrm{KL}(q(z\mid x)\,\|\,p(z\mid x))$ more than the ideal $-\log p(x)$, so training a VAE
is training a lossless compressor (map 4, information theory). Same discrete model as the ELBO page.
Hinton and van Camp (1993); Townsend, Bird and Barber (2019), Practical Lossless Compression with Latent
Variables using Bits Back Coding, Sec. 2.
"""

from __future__ import annotations

import numpy as np
from sympy import Eq, Ge, expand, expand_log, log

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
from derive.authoring import montecarlo as mc
from derive.identities.probability._shared import (
    DEFINITIONS,
    ELBO,
    EVIDENCE,
    GAP,
    KZ,
    VARIABLES,
    lik,
    posterior,
    prior,
    qz,
)
from derive.numeric.discrete import distributions, evaluator, weights

# -- symbols ---------------------------------------------------------------------------------------
# the model (K, the tables q, pi, ell, the observed x and the evidence p(x)) is the ELBO's, in
# derive.identities.probability._shared
CODE = dm.expectation(qz, lambda k: -log(lik(k)), KZ) + dm.kl(qz, prior, KZ)  # E_q[-log p(x|z)] + KL(q || p(z))
CODE_BITS_BACK = dm.expectation(qz, lambda k: -log(lik(k)) - log(prior(k)), KZ) - dm.entropy(qz, KZ)

# -- what is claimed -------------------------------------------------------------------------------
CLAIM = Statement(
    "excess",
    Eq(CODE - (-log(EVIDENCE)), GAP),
    text=r"the expected code length $-\mathrm{ELBO}$ exceeds the ideal $-\log p(x)$ by exactly "
    r"$\mathrm{KL}(q(z\mid x)\,\|\,p(z\mid x))$",
)
BOUND = Statement("bound", Ge(CODE, -log(EVIDENCE)), text=r"$-\mathrm{ELBO} \ge -\log p(x)$")
BITS_BACK_FORM = Statement(
    "bits back",
    Eq(CODE, CODE_BITS_BACK),
    text=r"sending $z \sim q$ costs $-\log p(z)$, then $x$ costs $-\log p(x\mid z)$; the receiver "
    r"recovers the $H(q)$ nats used to choose $z$",
)

# -- the homework question, and where the identity comes from --------------------------------------
QUESTION = Question(
    target=GAP,
    prompt=r"With prior $\pi(k)$, likelihood $\ell(k) = p(x\mid z=k)$ and encoder $q(k)$ over $k = 1, \dots, K$, "
    r"by how many nats does the expected bits-back code length exceed $-\log p(x)$?",
    names={"q": qz.head, "pi": prior.head, "ell": lik.head, "p": EVIDENCE.func},
    approximations={
        r"this is $\mathrm{KL}(q\,\|\,p(z))$, the rate term, not the excess": dm.kl(qz, prior, KZ),
    },
)
REFS = (
    Ref.cite("hinton1993"),
    Ref.cite("townsend2019", where="Sec. 2"),
)


# -- how it is derived -----------------------------------------------------------------------------
def derivation(d: Derivation) -> None:
    r"""Bits-back coding turns a latent variable model into a lossless compressor: the sender picks
    $z \sim q(z \mid x)$ (using bits taken from the message it carries), sends $z$ with the prior and
    $x$ with the likelihood, and the receiver, who can recompute $q$, gets the bits used to pick $z$
    back. The expected net length is $-\mathbb{E}_q[\log p(x\mid z)] + \mathrm{KL}(q\,\|\,p(z)) = -\mathrm{ELBO}$,
    so training a VAE is training a compressor, and the loss over the ideal $-\log p(x)$ is exactly the
    posterior mismatch $\mathrm{KL}(q(z\mid x)\,\|\,p(z\mid x))$. Same discrete model as the ELBO sheet."""
    d.begin(CODE)
    d.note(f"Symbolic tables: ${qz.latex()}$, ${prior.latex()}$, ${lik.latex()}$.")
    d.then(
        lambda e: expand(expand_log(e, force=True)),
        r"$\log\frac{q}{\pi} = \log q - \log \pi$ (the tables are positive) and split the sums (computed)",
    )
    d.then(CODE_BITS_BACK, r"regroup: pay $-\log \pi$ for $z$, get $H(q) = -\sum_k q \log q$ back")
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


# -- how it is checked -----------------------------------------------------------------------------
def crosscheck(ctx: CheckContext) -> CrossCheckResult:
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


# -- the declaration -------------------------------------------------------------------------------
BITS_BACK = declare(
    "bits-back",
    aliases=("bits-back-coding",),
    title="Bits-back coding: the negative ELBO as a code length",
    section="4",
    map_row=r"Bits-back coding $-\mathbb{E}_q[\log p(x\mid z)] + D_{\mathrm{KL}}(q\,\|\,p)$: "
    r"the VAE ELBO reinterpreted as compression",
    variables=VARIABLES,
    definitions=DEFINITIONS,
    claim=CLAIM,
    also=(BOUND, BITS_BACK_FORM),
    derivation=derivation,
    crosscheck=crosscheck,
    question=QUESTION,
    refs=REFS,
    builds_on=("elbo", "kl-nonnegative"),
)
