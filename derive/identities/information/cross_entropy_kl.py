r"""Cross-entropy is entropy plus KL divergence.

$H(p, q) = -\sum_i p_i \log q_i = H(p) + \mathrm{KL}(p\,\|\,q)$: the entropy is fixed by the data, so
training on cross-entropy fits the model $q$ to the data distribution $p$ in KL, and the lowest achievable
loss is $H(p)$ (map 4, cross-entropy: the classification loss and the training objective of every LLM).
Proved for every number $n$ of classes. Cover and Thomas (2006), Elements of Information Theory, Sec. 2.3.
"""

from __future__ import annotations

import numpy as np
import sympy as sp
from sympy import Derivative, Eq, IndexedBase, Sum, log

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
    probability,
)
from derive.numeric.discrete import distributions

# -- symbols ---------------------------------------------------------------------------------------
CLASSES = integer(2, 8)
PROBABILITY = probability()
n = CLASSES.symbol("n")
i = sp.Symbol("i", integer=True, positive=True)
pp, qq = IndexedBase("p", positive=True), IndexedBase("q", positive=True)
# the gradient in q_j: the entropy H(p) does not depend on q
INDEX = integer(1, n)
jq = INDEX.symbol("j")


def _sum(f: sp.Expr) -> Sum:
    return Sum(f, (i, 1, n))


H_PQ = -_sum(pp[i] * log(qq[i]))
H_P = -_sum(pp[i] * log(pp[i]))
KL_PQ = _sum(pp[i] * log(pp[i] / qq[i]))

# -- what is claimed -------------------------------------------------------------------------------
CLAIM = Eq(H_PQ, H_P + KL_PQ)
SAME_GRADIENT = Statement(
    "same gradient in q",
    Eq(Derivative(H_PQ, qq[jq]), Derivative(KL_PQ, qq[jq])),
    text=r"$H(p)$ does not depend on $q$, so minimising $H(p, q)$ over $q$ minimises $\mathrm{KL}(p\,\|\,q)$",
)

# -- the homework question, and where the identity comes from --------------------------------------
QUESTION = Question(
    target=H_P + KL_PQ,
    prompt=r"Write the cross-entropy $H(p, q) = -\sum_{i=1}^n p_i \log q_i$ as the entropy of $p$ plus a "
    r"divergence.",
    approximations={
        r"the KL term is the wrong way round: $\mathrm{KL}(q\,\|\,p)$": H_P + _sum(qq[i] * log(qq[i] / pp[i])),
        r"the sign of the entropy is wrong ($-H(p)$)": -H_P + KL_PQ,
    },
)
REFS = (Ref.cite("cover2006", where="Sec. 2.3"),)


# -- how it is derived -----------------------------------------------------------------------------
def derivation(d: Derivation) -> None:
    r"""The classification loss of every classifier and language model is the cross-entropy
    $H(p, q) = -\sum_i p_i \log q_i$ of the model $q$ against the data distribution $p$. Adding and
    subtracting $\sum_i p_i \log p_i$ splits it into the entropy $H(p)$, fixed by the data, and
    $\mathrm{KL}(p\,\|\,q) \ge 0$: training on cross-entropy is fitting $q$ to $p$ in KL, and the
    lowest achievable loss is $H(p)$. The identity is algebraic (it holds for any positive $p_i$,
    $q_i$); it is proved for every $n$."""
    d.begin(H_PQ, r"the definition, for any number $n$ of classes")
    d.then(_sum(-pp[i] * log(pp[i]) + pp[i] * (log(pp[i]) - log(qq[i]))), r"add and subtract $p_i \log p_i$")
    d.then(_sum(-pp[i] * log(pp[i]) + pp[i] * log(pp[i] / qq[i])), r"$\log p_i - \log q_i = \log(p_i/q_i)$")
    d.then(lambda e: e.expand(log=False), "split the sum (linearity, computed by SymPy)")
    d.then(H_P + KL_PQ, r"the entropy $H(p)$ and the divergence $\mathrm{KL}(p\,\|\,q)$")
    d.conclude()

    d.begin(Derivative(H_PQ, qq[jq]))
    d.then(lambda e: e.doit(), r"differentiate under the sum: $\partial q_i/\partial q_j = \delta_{ij}$")
    d.then(-pp[jq] / qq[jq], r"the Kronecker delta keeps the term $i = j$")
    d.note(
        r"The same as $\partial \mathrm{KL}/\partial q_j$: $\log(p_i/q_i) = \log p_i - \log q_i$ and "
        r"$\log p_i$ is constant in $q$ (checked at the end of the chain)."
    )
    d.conclude("same gradient in q")


# -- how it is checked -----------------------------------------------------------------------------
def crosscheck(ctx: CheckContext) -> CrossCheckResult:
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


# -- the declaration -------------------------------------------------------------------------------
CROSS_ENTROPY_KL = declare(
    "cross-entropy-kl",
    title="Cross-entropy is entropy plus KL divergence",
    section="4",
    map_row=r"Cross-entropy $H(p, q) = -\sum p \log q$: the classification loss, training objective for all LLMs",
    variables={n: CLASSES, jq: INDEX, pp: PROBABILITY, qq: PROBABILITY},
    claim=CLAIM,
    also=(SAME_GRADIENT,),
    derivation=derivation,
    crosscheck=crosscheck,
    question=QUESTION,
    refs=REFS,
    builds_on=("kl-nonnegative",),
)
