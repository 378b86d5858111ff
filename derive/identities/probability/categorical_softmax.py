r"""The categorical distribution of a softmax, and its temperature.

A classifier or a language model outputs the categorical distribution $\operatorname{softmax}(z/T)$: its
log-probability is $z_y - \operatorname{LSE}(z)$ (what cross-entropy losses compute, stably), it does not
change when a constant is added to every logit, and the temperature interpolates between greedy decoding
($T\to0^+$) and the uniform distribution ($T\to\infty$) (map 3.2, categorical / softmax, the LLM output token
distribution). Everything is proved for any number $n$ of classes; the temperature limits by the cited limit
laws (a finite sum's limit is the sum of the limits), each term's limit computed by SymPy. Hinton, Vinyals and
Dean (2015), Distilling the Knowledge in a Neural Network, Sec. 2.
"""

from __future__ import annotations

import numpy as np
import sympy as sp
from sympy import Eq, Limit, exp, log, oo
from sympy.simplify.simplify import factor_sum

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
    real,
)
from derive.core.facts import LIMIT_LAWS
from derive.maths.discrete import at_size

# -- symbols ---------------------------------------------------------------------------------------
LOGIT = real(-10, 10)
GAP = positive(5, lo=0.01)
TEMPERATURE = positive(10, lo=0.01)
z1, z2, z3 = (LOGIT.symbol(f"z{k}") for k in (1, 2, 3))
c_shift = LOGIT.symbol("c")
T = TEMPERATURE.symbol("T")
LSE = log(exp(z1) + exp(z2) + exp(z3))
# any number n of classes: logits z_1..z_n, the class y
CLASSES = integer(2, 8)
n = CLASSES.symbol("n")
kk = sp.Symbol("k", integer=True, positive=True)
yc = integer(1, n).symbol("y")
zI = sp.IndexedBase("z", real=True)
SOFTMAX_Y = exp(zI[yc]) / sp.Sum(exp(zI[kk]), (kk, 1, n))
LSE_N = log(sp.Sum(exp(zI[kk]), (kk, 1, n)))
SHIFTED_Y = exp(zI[yc] + c_shift) / sp.Sum(exp(zI[kk] + c_shift), (kk, 1, n))
# softmax(z/T) for logits (0, -g_2, ..., -g_n): the top class and another class j
gI = sp.IndexedBase("g", positive=True)
jc = integer(2, n).symbol("j")
REST = sp.Sum(exp(-gI[kk] / T), (kk, 2, n))
TOP_N = 1 / (1 + REST)
OTHER_N = exp(-gI[jc] / T) / (1 + REST)

# -- what is claimed -------------------------------------------------------------------------------
CLAIM = Statement(
    "log-softmax",
    Eq(log(SOFTMAX_Y), zI[yc] - LSE_N),
    text=r"$\log\operatorname{softmax}(z)_y = z_y - \operatorname{LSE}(z)$, for any number $n$ of classes",
)
SHIFT = Statement(
    "shift",
    Eq(SHIFTED_Y, SOFTMAX_Y),
    text="softmax is unchanged by adding a constant to every logit, for any $n$ (so the largest logit may be "
    "taken as 0)",
)
COLD_TOP = Statement(
    "T -> 0+ (top)",
    Eq(Limit(TOP_N, T, 0, "+"), 1),
    text=r"for any number $n$ of classes, logits $(0, -g_2, \dots, -g_n)/T$ with gaps $g_k > 0$ (the top logit "
    r"shifted to 0, as above): the top class gets probability 1 as $T\to0^+$",
)
COLD_OTHER = Statement(
    "T -> 0+ (other)", Eq(Limit(OTHER_N, T, 0, "+"), 0), text=r"and every other class $j = 2, \dots, n$ gets 0"
)
HOT = Statement(
    "T -> oo",
    Eq(Limit(TOP_N, T, oo), 1 / n),
    text=r"as $T\to\infty$ the top class tends to $1/n$",
)
HOT_OTHER = Statement(
    "T -> oo (other)",
    Eq(Limit(OTHER_N, T, oo), 1 / n),
    text=r"and so does every other class $j = 2, \dots, n$: the limit is uniform over all $n$ classes",
)

# -- the homework question, and where the identity comes from --------------------------------------
QUESTION = Question(
    target=z1 - LSE,
    prompt=r"Write $\log\operatorname{softmax}(z)_1$ for logits $z = (z_1, z_2, z_3)$.",
    approximations={r"the log-sum-exp is missing: this is the logit, not its log-probability": z1},
)
REFS = (
    Ref.cite("hinton2015", where="Sec. 2"),
    Ref.cite("goodfellow2016", where="Sec. 6.2.2.3"),
)


# -- how it is derived -----------------------------------------------------------------------------
def derivation(d: Derivation) -> None:
    r"""A classifier or a language model outputs a categorical distribution $\operatorname{softmax}(z/T)$
    over classes or tokens. Its log-probability is $z_y - \operatorname{LSE}(z)$ (what cross-entropy
    losses compute, stably), and the temperature $T$ interpolates between greedy decoding
    ($T\to0^+$: one-hot of the argmax) and the uniform distribution ($T\to\infty$)."""
    d.begin(log(SOFTMAX_Y), title="Log-softmax, any $n$")
    d.then(lambda e: sp.expand_log(e, force=True), r"log of a quotient; $\log e^{z_y} = z_y$")
    d.conclude("log-softmax")

    d.begin(SHIFTED_Y, title="Shift invariance, any $n$")
    d.then(lambda e: sp.expand(e, power_exp=True, mul=False, multinomial=False), r"$e^{z_k + c} = e^{c}e^{z_k}$")
    d.then(
        lambda e: e.replace(lambda a: isinstance(a, sp.Sum), factor_sum),
        r"$e^{c}$ does not depend on $k$: out of the sum, and cancelled",
    )
    d.conclude("shift")

    for label, expr, point, why in (
        ("T -> 0+ (top)", TOP_N, 0, r"every $e^{-g_k/T}\to0$: the finite sum tends to 0, the quotient to $1/(1 + 0)$"),
        ("T -> 0+ (other)", OTHER_N, 0, r"$e^{-g_j/T}\to0$ while the denominator tends to $1 \ne 0$"),
        ("T -> oo", TOP_N, oo, r"every $e^{-g_k/T}\to1$: the sum of $n - 1$ ones, the quotient $1/(1 + n - 1)$"),
        ("T -> oo (other)", OTHER_N, oo, r"$e^{-g_j/T}\to1$ over the same denominator: $1/(1 + n - 1)$"),
    ):
        d.begin(Limit(expr, T, point, "+" if point == 0 else "-"), title=f"Temperature limit {label[5:]}, any $n$")
        d.assume(LIMIT_LAWS, LIMIT_LAWS.rewrite, why + " (each term's limit computed by SymPy)")
        d.conclude(label)


# -- how it is checked -----------------------------------------------------------------------------
def crosscheck(ctx: CheckContext) -> CrossCheckResult:
    """Random logits with a clear maximum: a max-subtracted numpy softmax at T = 1e-3 is one-hot of the
    argmax (to 1e-12) and at T = 1e3 uniform (to 1e-2); log-softmax against scipy.special.log_softmax."""
    from scipy.special import log_softmax

    def softmax(v: np.ndarray) -> np.ndarray:
        e = np.exp(v - v.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)

    results = []
    for size in (3, 10, 50):
        z = ctx.rng.normal(size=(64, size)) * 3
        top = np.sort(z, axis=1)
        z = z[(top[:, -1] - top[:, -2]) > 0.05]  # gaps below 0.05 need a smaller T to resolve
        onehot = np.eye(size)[np.argmax(z, axis=1)]
        cold = np.max(np.abs(softmax(z / 1e-3) - onehot))
        hot = np.max(np.abs(softmax(z / 1e3) - 1 / size))
        results.append(ctx.bound(f"T = 1e-3: distance to one-hot(argmax), n = {size}", "numpy softmax", cold, 1e-12))
        results.append(ctx.bound(f"T = 1e3: distance to uniform, n = {size}", "numpy softmax", hot, 1e-2))
    # the derived log-softmax (any n), written out at n = 7 for the class y = 3
    z = ctx.rng.normal(size=7) * 3
    assert ctx.result is not None
    derived = float(at_size(ctx.result.xreplace({yc: 3}), n, {zI: z}))
    results.append(
        ctx.compare("log-softmax, n = 7", "scipy.special.log_softmax", derived, log_softmax(z)[2], rtol=1e-12)
    )
    return combine(*results)


# -- the declaration -------------------------------------------------------------------------------
CATEGORICAL_SOFTMAX = declare(
    "categorical-softmax",
    aliases=("softmax-temperature", "log-softmax", "categorical"),
    title="The categorical distribution of a softmax, and its temperature",
    section="3.2",
    map_row=r"Categorical / softmax, LLM output token distribution",
    variables={
        n: CLASSES,
        yc: integer(1, n),
        zI: LOGIT,
        z1: LOGIT,
        z2: LOGIT,
        z3: LOGIT,
        c_shift: LOGIT,
        T: TEMPERATURE,
        gI: GAP,
        jc: integer(2, n),
    },
    claim=CLAIM,
    also=(SHIFT, COLD_TOP, COLD_OTHER, HOT, HOT_OTHER),
    derivation=derivation,
    crosscheck=crosscheck,
    question=QUESTION,
    refs=REFS,
)
