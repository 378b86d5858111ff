r"""The gradient of the distillation loss, and logit matching at high temperature.

Knowledge distillation trains a student with logits $s$ on the teacher's softened distribution: the loss
$T^2\,\mathrm{KL}(\mathrm{softmax}(t/T)\,\|\,\mathrm{softmax}(s/T))$ has the gradient
$T\,(\mathrm{softmax}(s/T) - \mathrm{softmax}(t/T))$ in $s$, whose size does not depend on $T$, and for
zero-mean logits it tends to $(s - t)/n$ as $T\to\infty$ (both for any number $n$ of classes; the limit by
the cited limit laws, each term's limit computed by SymPy): matching logits (map 4, KL divergence: knowledge
distillation). Hinton, Vinyals and Dean (2015), Distilling the Knowledge in a Neural Network, Sec. 2.1.
"""

from __future__ import annotations

import numpy as np
import sympy as sp
from sympy import Derivative, Eq, IndexedBase, Rational, log

from derive.authoring import (
    CheckContext,
    CrossCheckResult,
    Derivation,
    Question,
    Ref,
    Statement,
    combine,
    declare,
    indexed,
    integer,
    interval,
    real,
)
from derive.core.facts import LIMIT_LAWS
from derive.maths.discrete import at_size

# -- symbols ---------------------------------------------------------------------------------------
NCLS = 3
LOGIT = real(-5, 5)
TEMPERATURE = interval(Rational(1, 2), 10)
zs = tuple(LOGIT.symbol(f"s{k}") for k in range(1, 4))  # student logits
zt = tuple(LOGIT.symbol(f"t{k}") for k in range(1, 4))  # teacher logits
TEMP = TEMPERATURE.symbol("T")  # distillation temperature


def softmax_t(z: tuple[sp.Symbol, ...]) -> list[sp.Expr]:
    """softmax(z / T), written out."""
    den = sp.Add(*(sp.exp(zi / TEMP) for zi in z))
    return [sp.exp(zi / TEMP) / den for zi in z]


PS, PT = softmax_t(zs), softmax_t(zt)
GRAD = sp.Matrix([TEMP * (a - b) for a, b in zip(PS, PT, strict=True)])
# any number n of classes: student and teacher logits s_k, t_k, k = 1..n
CLASSES = integer(2, 8)
n = CLASSES.symbol("n")
kc, ic = sp.Symbol("k", integer=True, positive=True), sp.Symbol("i", integer=True, positive=True)
jc = integer(1, n).symbol("j")
sI, tI = IndexedBase("s", real=True), IndexedBase("t", real=True)


def soft(z: IndexedBase, c: sp.Expr) -> sp.Expr:
    """softmax(z / T)_c over n classes."""
    return sp.exp(z[c] / TEMP) / sp.Sum(sp.exp(z[ic] / TEMP), (ic, 1, n))


#: T^2 KL(p_t || p_s) over n classes, the log-ratio written log p_t - log p_s
L_ANY = TEMP**2 * sp.Sum(soft(tI, kc) * (log(soft(tI, kc)) - log(soft(sI, kc))), (kc, 1, n))
GRAD_J = TEMP * (soft(sI, jc) - soft(tI, jc))
NUM_J = sp.Sum(TEMP * (sp.exp((sI[jc] + tI[kc]) / TEMP) - sp.exp((tI[jc] + sI[kc]) / TEMP)), (kc, 1, n))
DEN = sp.Sum(sp.exp(sI[kc] / TEMP), (kc, 1, n)) * sp.Sum(sp.exp(tI[kc] / TEMP), (kc, 1, n))
S_MEAN, T_MEAN = sp.Sum(sI[kc], (kc, 1, n)) / n, sp.Sum(tI[kc], (kc, 1, n)) / n

# -- what is claimed -------------------------------------------------------------------------------
CLAIM = Statement(
    "gradient",
    Eq(Derivative(L_ANY, sI[jc]), GRAD_J),
    text=r"$\partial L/\partial s_j = T\,(\mathrm{softmax}(s/T)_j - \mathrm{softmax}(t/T)_j)$ for $L = T^2\,"
    r"\mathrm{KL}(\mathrm{softmax}(t/T)\,\|\,\mathrm{softmax}(s/T))$, for any number $n$ of classes",
)
COMMON = Statement(
    "common denominator",
    Eq(GRAD_J, NUM_J / DEN),
    text=r"over the common denominator $\sum_k e^{s_k/T}\sum_k e^{t_k/T}$ the gradient is "
    r"$\sum_k T\,(e^{(s_j + t_k)/T} - e^{(t_j + s_k)/T})$ divided by it, for any $n$: every term of the numerator "
    r"has a finite limit as $T\to\infty$",
)
LOGIT_MATCHING = Statement(
    "logit matching",
    Eq(sp.Limit(NUM_J / DEN, TEMP, sp.oo), ((sI[jc] - S_MEAN) - (tI[jc] - T_MEAN)) / n),
    text=r"as $T \to \infty$ the gradient tends to $((s_j - \bar s) - (t_j - \bar t))/n$, for any number $n$ of "
    r"classes: for zero-mean logits $(s_j - t_j)/n$, matching logits with a squared error (also checked "
    r"numerically at $n = 10$, $T = 10^5$)",
)

# -- the homework question, and where the identity comes from --------------------------------------
QUESTION = Question(
    target=GRAD[0],
    prompt=r"For the distillation loss $L = T^2\,\mathrm{KL}(\mathrm{softmax}(t/T)\,\|\,\mathrm{softmax}(s/T))$ "
    r"with three classes, compute $\partial L/\partial s_1$.",
    names={"T": TEMP},
    approximations={
        r"the factor $T$ is missing (it comes from $T^2$ times the $1/T$ of the chain rule)": GRAD[0] / TEMP,
        r"the sign is wrong: the gradient is student minus teacher": -GRAD[0],
    },
)
REFS = (Ref.cite("hinton2015", where="Sec. 2.1"),)


# -- how it is derived -----------------------------------------------------------------------------
def derivation(d: Derivation) -> None:
    r"""Knowledge distillation trains a student with logits $s$ on the teacher's distribution
    $p_t = \mathrm{softmax}(t/T)$ softened by a temperature $T$: the loss is $L = T^2\,\mathrm{KL}(p_t\,\|\,p_s)$
    with $p_s = \mathrm{softmax}(s/T)$. The entropy of the teacher does not depend on the student, so the
    gradient is that of a cross-entropy, $T^2 \cdot \frac1T(p_s - p_t)$; the factor $T^2$ keeps its size
    independent of $T$. At high temperature and zero-mean logits it becomes $(s - t)/n$: distillation
    turns into matching logits (Hinton et al.)."""
    d.begin(Derivative(L_ANY, sI[jc]), title="The gradient, any $n$")
    d.then(
        lambda e: indexed.in_range(indexed.sift(sp.expand(e.doit()))),
        r"differentiate under the sum ($H(p_t)$ does not depend on $s$, cross-entropy-kl; "
        r"$\partial s_k/\partial s_j = \delta_{jk}$) and collapse the Kronecker sums, $1 \le j \le n$",
    )
    d.then(
        TEMP * (soft(sI, jc) * sp.Sum(soft(tI, kc), (kc, 1, n)) - soft(tI, jc)),
        r"softmax-cross-entropy-grad at $z = s/T$, times $\partial z/\partial s = 1/T$, times $T^2$",
    )
    d.then(GRAD_J, r"the teacher's probabilities sum to one")
    d.conclude("gradient")

    d.begin(GRAD_J, title="Logit matching, any $n$")
    d.then(
        NUM_J / DEN,
        r"$p_s - p_t$ over the common denominator; $e^{s_j/T}$ and $e^{t_j/T}$ into the sums over $k$",
    )
    d.conclude("common denominator")

    d.begin(sp.Limit(NUM_J / DEN, TEMP, sp.oo))
    d.assume(
        LIMIT_LAWS,
        LIMIT_LAWS.rewrite,
        r"$T(e^{a/T} - e^{b/T}) \to a - b$ and $e^{z/T} \to 1$ (computed by SymPy, term by term): the "
        r"numerator tends to $\sum_k (s_j - s_k - t_j + t_k)$, the denominator to $n^2 \ne 0$",
    )
    d.then(((sI[jc] - S_MEAN) - (tI[jc] - T_MEAN)) / n, r"$\sum_k 1 = n$: the means $\bar s$, $\bar t$")
    d.conclude("logit matching")


# -- how it is checked -----------------------------------------------------------------------------
def crosscheck(ctx: CheckContext) -> CrossCheckResult:
    """Random logits and temperatures: central differences of T^2 KL (numpy, stable log-softmax) against
    the derived gradient, also at n = 10 classes; at T = 1e4 with zero-mean logits the gradient is
    (s - t)/n to O(1/T) (checked at T = 1e5)."""

    def log_softmax(z: np.ndarray) -> np.ndarray:
        m = z.max(axis=-1, keepdims=True)
        return z - m - np.log(np.exp(z - m).sum(axis=-1, keepdims=True))

    def loss(s: np.ndarray, t: np.ndarray, temp: float) -> float:
        lt, ls = log_softmax(t / temp), log_softmax(s / temp)
        return float(temp**2 * np.sum(np.exp(lt) * (lt - ls)))

    assert ctx.result is not None
    fd, exact, fd10, ex10 = [], [], [], []
    h = 1e-5
    for case in range(12):
        size = (3, 10)[case % 2]
        s, t, temp = ctx.rng.normal(0, 3, size), ctx.rng.normal(0, 3, size), float(ctx.rng.uniform(0.5, 10))
        fd.append([(loss(s + h * e, t, temp) - loss(s - h * e, t, temp)) / (2 * h) for e in np.eye(size)])
        at_t = ctx.result.xreplace({TEMP: sp.Float(temp, 17)})
        exact.append([float(at_size(at_t.xreplace({jc: c}), n, {sI: s, tI: t})) for c in range(1, size + 1)])
    for _ in range(40):
        s, t, temp = ctx.rng.normal(0, 3, 10), ctx.rng.normal(0, 3, 10), float(ctx.rng.uniform(0.5, 10))
        fd10.append([(loss(s + h * e, t, temp) - loss(s - h * e, t, temp)) / (2 * h) for e in np.eye(10)])
        ex10.append(temp * (np.exp(log_softmax(s / temp)) - np.exp(log_softmax(t / temp))))
    a = ctx.compare(
        "derived gradient (any n) at n = 3, 10",
        "central differences",
        np.concatenate([np.ravel(v) for v in fd]),
        np.concatenate([np.ravel(v) for v in exact]),
        rtol=1e-6,
    )
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


# -- the declaration -------------------------------------------------------------------------------
DISTILLATION_GRADIENT = declare(
    "distillation-gradient",
    aliases=("kd-gradient",),
    title="The gradient of the distillation loss, and logit matching at high temperature",
    section="4",
    map_row=r"KL divergence: knowledge distillation, "
    r"$T^2\,\mathrm{KL}(\mathrm{softmax}(t/T)\,\|\,\mathrm{softmax}(s/T))$",
    variables={
        **{z: LOGIT for z in (*zs, *zt)},
        TEMP: TEMPERATURE,
        n: CLASSES,
        jc: integer(1, n),
        sI: LOGIT,
        tI: LOGIT,
    },
    claim=CLAIM,
    also=(COMMON, LOGIT_MATCHING),
    derivation=derivation,
    crosscheck=crosscheck,
    question=QUESTION,
    refs=REFS,
    builds_on=("softmax-cross-entropy-grad", "cross-entropy-kl"),
)
