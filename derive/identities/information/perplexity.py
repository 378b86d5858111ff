r"""Perplexity: exponentiated cross-entropy in nats, or two to the bits.

Perplexity, $\exp(-\frac1T\sum_t \log p(x_t\mid x_{<t}))$, is the inverse geometric mean of the token
probabilities: an effective vocabulary size (a uniform model over $V$ tokens scores $V$) that does not depend
on the base of the logarithm as long as the exponential matches it, $e^{H}$ in nats $= 2^{H_2}$ in bits
(map 4, perplexity: LLM evaluation, lower is better). Proved for every text length $T$. Jurafsky and Martin,
Speech and Language Processing, 3rd ed. draft, Sec. 3.3.
"""

from __future__ import annotations

import numpy as np
import sympy as sp
from sympy import Eq, IndexedBase, Sum, log

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
    positive,
    probability,
)

# -- symbols ---------------------------------------------------------------------------------------
LENGTH = integer(1, 12)
TOKEN_PROBABILITY = probability()
VOCABULARY = integer(2, 50000)
BITS = positive(20)
T = LENGTH.symbol("T")
tt = sp.Symbol("t", integer=True, positive=True)
ptok = IndexedBase("p", positive=True)  # p[t] = p(x_t | x_<t), the model's probability of the t-th token
V = VOCABULARY.symbol("V")
H2 = BITS.symbol("H2")  # cross-entropy in bits per token
NLL_NATS = -Sum(log(ptok[tt]), (tt, 1, T)) / T  # H, mean negative log-likelihood in nats
NLL_BITS = -Sum(log(ptok[tt], 2), (tt, 1, T)) / T  # H_2, the same in bits
PPL = sp.exp(NLL_NATS)
PPL_UNIFORM = PPL.xreplace({ptok[tt]: 1 / V})

# -- what is claimed -------------------------------------------------------------------------------
CLAIM = Statement(
    "bits",
    Eq(PPL, 2**NLL_BITS),
    text=r"$\mathrm{PPL} = e^{H}$ with $H$ the mean NLL in nats $= 2^{H_2}$ with $H_2$ in bits",
)
GEOMETRIC_MEAN = Statement(
    "geometric mean",
    Eq(PPL, sp.Product(ptok[tt], (tt, 1, T)) ** (-1 / T)),
    text="the inverse geometric mean of the token probabilities",
)
UNIFORM = Statement("uniform", Eq(PPL_UNIFORM, V), text="a uniform model over $V$ tokens has perplexity $V$")

# -- the homework question, and where the identity comes from --------------------------------------
QUESTION = Question(
    target=2**H2,
    prompt=r"A language model's cross-entropy on a test set is $H_2$ bits per token. What is its perplexity?",
    approximations={
        r"$e^{H_2}$ treats bits as nats: perplexity is $2^{H_2}$ (or $e^{H}$ with $H$ in nats)": sp.exp(H2),
        r"the sign of the exponent is wrong": 2 ** (-H2),
    },
)
REFS = (
    Ref.cite("jurafsky2024", where="Sec. 3.3"),
    Ref.cite("brown2020", where="Sec. 3.1"),
)


# -- how it is derived -----------------------------------------------------------------------------
def derivation(d: Derivation) -> None:
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


# -- how it is checked -----------------------------------------------------------------------------
def _at(expr: sp.Expr, probs: np.ndarray) -> float:
    """``expr`` at T = len(probs) and p[t] = probs[t - 1] (sums expanded), in double precision."""
    e = expr.xreplace({T: sp.Integer(len(probs))}).doit()
    return float(sp.N(e.xreplace({ptok[k + 1]: sp.Float(float(v), 30) for k, v in enumerate(probs)}), 20))


def crosscheck(ctx: CheckContext) -> CrossCheckResult:
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


# -- the declaration -------------------------------------------------------------------------------
PERPLEXITY = declare(
    "perplexity",
    aliases=("ppl",),
    title="Perplexity: exponentiated cross-entropy in nats, or two to the bits",
    section="4",
    map_row=r"Perplexity $\exp\bigl(-\frac{1}{T}\sum_t \log p(x_t\mid x_{<t})\bigr)$: LLM evaluation, lower is better",
    variables={T: LENGTH, ptok: TOKEN_PROBABILITY, V: VOCABULARY, H2: BITS},
    claim=CLAIM,
    also=(GEOMETRIC_MEAN, UNIFORM),
    derivation=derivation,
    crosscheck=crosscheck,
    question=QUESTION,
    refs=REFS,
    builds_on=("cross-entropy-kl",),
)
