r"""Why attention divides by $\sqrt{d_k}$, and what it costs.

A logit $\mathbf{q}\cdot\mathbf{k}$ of scaled dot-product attention sums $d_k$ independent products, so its
variance is $d_k$ for standardised entries and dividing by $\sqrt{d_k}$ brings it back to $1$; each row of
the softmax attention matrix sums to $1$, and $QK^\top$ and $AV$ cost $2n^2d_k$ multiply-adds, quadratic in
the sequence length (map 1.1, self-attention). Vaswani et al. (2017), Attention Is All You Need,
Sec. 3.2.1, footnote 4.
"""

from __future__ import annotations

import numpy as np
import sympy as sp
from sympy import Eq
from sympy.simplify.simplify import factor_sum
from sympy.stats import Expectation, Normal, Variance

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
    notation,
    positive,
    real,
)

from ._shared import ell, i, j, n

# -- symbols ---------------------------------------------------------------------------------------
DK = integer(1, 512)
dk = DK.symbol("d_k")
MU = real(-2, 2)
mu_q, mu_k = MU.symbol("mu_q"), MU.symbol("mu_k")
SIGMA = positive(3)
sigma_q, sigma_k = SIGMA.symbol("sigma_q"), SIGMA.symbol("sigma_k")
LOGIT = real(-5, 5)
sI = sp.IndexedBase("s", real=True)

#: Var(q_i k_i) = E[q_i^2] E[k_i^2] - E[q_i]^2 E[k_i]^2 for independent q_i, k_i
TERM_VARIANCE = (sigma_q**2 + mu_q**2) * (sigma_k**2 + mu_k**2) - mu_q**2 * mu_k**2
UNIT = {mu_q: 0, mu_k: 0, sigma_q: 1, sigma_k: 1}
ROW_SUM = sp.Sum(sp.exp(sI[j]) / sp.Sum(sp.exp(sI[j]), (j, 1, n)), (j, 1, n))
#: multiply-adds of Q K^T (n x d_k times d_k x n) and of A V (n x n times n x d_k)
COST = sp.Sum(sp.Sum(sp.Sum(1, (ell, 1, dk)), (j, 1, n)), (i, 1, n)) + sp.Sum(
    sp.Sum(sp.Sum(1, (ell, 1, n)), (j, 1, dk)), (i, 1, n)
)

# -- what is claimed -------------------------------------------------------------------------------
CLAIM = Statement(
    "unit logits",
    Eq(
        notation(
            r"\operatorname{Var}\!\left(\frac{\mathbf{q}\cdot\mathbf{k}}{\sqrt{d_k}}\right)",
            sp.Sum(TERM_VARIANCE, (i, 1, dk)).subs(UNIT) / dk,
            "Var(q.k/sqrt(d_k))",
        ),
        1,
        evaluate=False,
    ),
    text="for zero-mean, unit-variance, independent entries",
)
MEAN = Statement(
    "mean",
    Eq(
        notation(r"\mathbb{E}[\mathbf{q}\cdot\mathbf{k}]", sp.Sum(mu_q * mu_k, (i, 1, dk)), "E[q.k]"),
        dk * mu_q * mu_k,
    ),
    text=r"entries with means $\mu_q, \mu_k$: zero when the entries are centred",
)
VARIANCE = Statement(
    "variance",
    Eq(
        notation(r"\operatorname{Var}(\mathbf{q}\cdot\mathbf{k})", sp.Sum(TERM_VARIANCE, (i, 1, dk)), "Var(q.k)"),
        dk * (sigma_q**2 * sigma_k**2 + sigma_q**2 * mu_k**2 + mu_q**2 * sigma_k**2),
    ),
    text=r"entries with variances $\sigma_q^2, \sigma_k^2$: $d_k$ when they are standardised",
)
ROWS = Statement("rows sum to 1", Eq(ROW_SUM, 1), text="every row of the softmax attention matrix")
MULTIPLY_ADDS = Statement(
    "cost",
    Eq(notation(r"\#\text{multiply-adds}", COST, "multiply-adds"), 2 * n**2 * dk, evaluate=False),
    text=r"of $QK^\top$ and $AV$ for $n$ tokens: $O(n^2 d_k)$",
)

# -- the homework question, and where the identity comes from --------------------------------------
QUESTION = Question(
    target=dk,
    prompt=r"Let $\mathbf{q}, \mathbf{k} \in \mathbb{R}^{d_k}$ have independent entries with mean 0 and "
    r"variance 1. What is $\operatorname{Var}(\mathbf{q}\cdot\mathbf{k})$?",
    names={"d": dk, "dk": dk},
    approximations={
        r"that is the standard deviation of $\mathbf{q}\cdot\mathbf{k}$, not its variance": sp.sqrt(dk),
        r"that is the variance after dividing by $\sqrt{d_k}$": sp.Integer(1),
    },
)
REFS = (Ref.cite("vaswani2017", where="Sec. 3.2.1, footnote 4"),)


# -- how it is derived -----------------------------------------------------------------------------
def derivation(d: Derivation) -> None:
    r"""Scaled dot-product attention computes $\mathrm{softmax}(QK^\top/\sqrt{d_k})V$. A logit is a dot product
    $\mathbf{q}\cdot\mathbf{k} = \sum_{i=1}^{d_k} q_i k_i$ of $d_k$ independent terms, so its variance grows
    like $d_k$; without the factor $1/\sqrt{d_k}$ the softmax saturates and its gradients vanish. The row
    sums and the $2n^2d_k$ multiply-adds explain the other two facts every transformer relies on:
    attention weights are a convex combination, and their cost is quadratic in the sequence length."""
    # the moments of one term q_i k_i, computed by sympy.stats for one instance (Gaussian entries)
    qg, kg = Normal("q_i", mu_q, sigma_q), Normal("k_i", mu_k, sigma_k)
    d.begin(
        notation(r"\mathbb{E}[q_ik_i]", Expectation(qg * kg), "E[q_i k_i]"),
        r"for Gaussian entries (independence is all the formula uses)",
        title="The mean of one term",
    )
    d.then(lambda e: e.doit(), r"\texttt{sympy.stats}: $\mathbb{E}[q_i]\,\mathbb{E}[k_i]$")
    d.finish()

    d.begin(
        sp.Sum(mu_q * mu_k, (i, 1, dk)),
        r"linearity; $\mathbb{E}[q_ik_i] = \mathbb{E}[q_i]\,\mathbb{E}[k_i]$ by independence",
    )
    d.then(lambda e: e.doit(), "a sum of $d_k$ equal terms")
    d.conclude("mean")

    d.begin(
        notation(r"\operatorname{Var}(q_ik_i)", Variance(qg * kg).rewrite(Expectation), "Var(q_i k_i)"),
        r"for Gaussian entries (the formula uses only the first two moments of independent entries)",
        title="The variance of one term",
    )
    d.then(lambda e: sp.expand(e.doit()), r"\texttt{sympy.stats}: $\mathbb{E}[q_i^2k_i^2] - \mathbb{E}[q_ik_i]^2$")
    d.then(TERM_VARIANCE, r"$= \mathbb{E}[q_i^2]\,\mathbb{E}[k_i^2] - \mathbb{E}[q_i]^2\,\mathbb{E}[k_i]^2$")
    d.finish()

    d.begin(
        sp.Sum(TERM_VARIANCE, (i, 1, dk)),
        r"the terms $q_ik_i$ are independent, so variances add; "
        r"$\operatorname{Var}(q_ik_i) = \mathbb{E}[q_i^2]\,\mathbb{E}[k_i^2] - \mathbb{E}[q_i]^2\,\mathbb{E}[k_i]^2$ "
        r"with $\mathbb{E}[q_i^2] = \sigma_q^2 + \mu_q^2$",
    )
    d.then(lambda e: e.doit(), "a sum of $d_k$ equal terms")
    d.then(sp.expand, "expand: the $\\mu_q^2\\mu_k^2$ terms cancel")
    d.conclude("variance")

    d.begin(
        sp.Sum(TERM_VARIANCE, (i, 1, dk)).subs(UNIT) / dk,
        r"$\operatorname{Var}(cX) = c^2\operatorname{Var}(X)$ with $c = 1/\sqrt{d_k}$; "
        r"standardised entries: $\mu = 0$, $\sigma = 1$",
    )
    d.then(lambda e: e.doit(), r"$\operatorname{Var}(\mathbf{q}\cdot\mathbf{k}) = d_k$ cancels the $1/d_k$")
    d.conclude("unit logits")

    d.begin(ROW_SUM, r"row $i$ of $A$, written for logits $s_j = S_{ij}$")
    d.then(factor_sum, r"the denominator does not depend on $j$: pull it out of the sum")
    d.conclude("rows sum to 1")

    d.begin(
        COST,
        r"one multiply-add per $(i, j, l)$ in $S_{ij} = \sum_l Q_{il}K_{jl}$ and in $O_{ic} = \sum_j A_{ij}V_{jc}$",
    )
    d.then(lambda e: e.doit(), "count the terms")
    d.conclude("cost")


# -- how it is checked -----------------------------------------------------------------------------
def _attention_counted(tokens: int, width: int) -> int:
    """Multiply-adds of a loop implementation of softmax(Q K^T / sqrt(d)) V, counted one by one."""
    count = 0
    for _i in range(tokens):  # scores: one dot product of length d per pair (i, j)
        for _j in range(tokens):
            for _l in range(width):
                count += 1
    for _i in range(tokens):  # output: row i of A times each of the d columns of V
        for _c in range(width):
            for _j in range(tokens):
                count += 1
    return count


def crosscheck(ctx: CheckContext) -> CrossCheckResult:
    """Monte Carlo mean and variance of q.k / sqrt(d_k) for three entry distributions; row sums of
    numpy softmax attention matrices; multiply-adds counted in a loop implementation."""
    results = []
    n_mc = 20000
    draws = {
        "normal": lambda size: ctx.rng.normal(size=size),
        "Rademacher": lambda size: ctx.rng.choice([-1.0, 1.0], size=size),
        "uniform": lambda size: ctx.rng.uniform(-np.sqrt(3), np.sqrt(3), size=size),
    }
    worst_mean, worst_var = 0.0, 0.0
    for width in (4, 64, 256):
        for draw in draws.values():
            logits = np.sum(draw((n_mc, width)) * draw((n_mc, width)), axis=1) / np.sqrt(width)
            worst_mean = max(worst_mean, abs(float(np.mean(logits))))
            worst_var = max(worst_var, abs(float(np.var(logits)) - 1))
    # 6 standard errors: 1/sqrt(N) for the mean, at most sqrt(3/N) for the variance of these entries
    what = f"{n_mc} draws x d_k in (4, 64, 256) x {', '.join(draws)} entries"
    results.append(ctx.bound("|mean of q.k/sqrt(d_k)|", "Monte Carlo", worst_mean, 6 / np.sqrt(n_mc), detail=what))
    results.append(ctx.bound("|variance - 1|", "Monte Carlo", worst_var, 6 * np.sqrt(3 / n_mc), detail=what))
    q, k = ctx.rng.normal(size=(2, 50, 16))
    scores = q @ k.T / 4.0
    att = np.exp(scores - scores.max(axis=1, keepdims=True))
    att /= att.sum(axis=1, keepdims=True)
    results.append(ctx.compare("attention row sums", "numpy softmax", att.sum(axis=1), np.ones(50), rtol=1e-12))
    sizes = [(3, 2), (5, 4), (8, 3), (16, 8)]
    counted = np.array([_attention_counted(tokens, width) for tokens, width in sizes], dtype=float)
    formula = np.array([2 * tokens * tokens * width for tokens, width in sizes], dtype=float)
    results.append(ctx.compare("multiply-adds", "counted in a loop implementation", counted, formula, rtol=0))
    return combine(*results)


# -- the declaration -------------------------------------------------------------------------------
ATTENTION_SCALING = declare(
    "attention-scaling",
    title=r"Why attention divides by $\sqrt{d_k}$, and what it costs",
    section="1.1",
    map_row=r"$\text{Attention} = \text{softmax}(QK^\top/\sqrt{d_k})V$, self-attention, $O(n^2 d)$",
    variables={
        dk: DK,
        n: integer(1, 64),
        mu_q: MU,
        mu_k: MU,
        sigma_q: SIGMA,
        sigma_k: SIGMA,
        sI: LOGIT,
    },
    claim=CLAIM,
    also=(MEAN, VARIANCE, ROWS, MULTIPLY_ADDS),
    derivation=derivation,
    crosscheck=crosscheck,
    question=QUESTION,
    refs=REFS,
)
