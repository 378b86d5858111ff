r"""1.1 Matrix multiplication: the dense layer, attention and graph convolution, forward and backward.

Every identity here is derived on explicit symbolic matrices of a small stated size (so the sheet
says "fixed-size"), with the entries' calculus done by SymPy; the cross-checks repeat the statement
at larger random sizes in numpy, against central finite differences of the *definition* or a loop
implementation, never against the derived formula.
"""

from __future__ import annotations

import numpy as np
import sympy as sp
from sympy import Eq
from sympy.simplify.simplify import factor_sum

from ..derivation import Derivation
from ..identity import Question, Ref, Statement, identity
from ..moves.matrices import backprop_form, entry_domains, notation, symbol_matrix, symbol_vector
from ..numeric.crosscheck import CheckContext, CrossCheckResult, combine
from ..numeric.domains import integer, positive, real
from ..numeric.matrices import gradient_fd

# ---------------------------------------------------------------------------------------- dense layer
ENTRY = real(-3, 3)
W = symbol_matrix("W", 2, 2, ENTRY)
xv = symbol_vector("x", 2, ENTRY)
bv = symbol_vector("b", 2, ENTRY)
delta = symbol_vector("delta", 2, ENTRY)
Y = W * xv + bv

iD, jD = sp.symbols("i j", integer=True, positive=True)
nD = sp.Symbol("n", integer=True, positive=True)
deltaI, xI = sp.IndexedBase("delta", real=True), sp.IndexedBase("x", real=True)


def _half_squared_error(w: np.ndarray, x: np.ndarray, b: np.ndarray, t: np.ndarray) -> float:
    """The loss of the check, L = 1/2 ||W x + b - t||^2, from its definition."""
    return 0.5 * float(np.sum((w @ x + b - t) ** 2))


def _dense_fd(w: np.ndarray, x: np.ndarray, b: np.ndarray, t: np.ndarray) -> tuple[np.ndarray, ...]:
    """Central differences of the loss in W, b and x."""
    return (
        gradient_fd(lambda a: _half_squared_error(a, x, b, t), w),
        gradient_fd(lambda a: _half_squared_error(w, x, a, t), b),
        gradient_fd(lambda a: _half_squared_error(w, a, b, t), x),
    )


def _dense_check(ctx: CheckContext) -> CrossCheckResult:
    """L = 1/2 ||W x + b - t||^2 at random sizes: central differences in W, b, x against
    delta x^T, delta, W^T delta with delta = y - t; and the derived 2x2 form entry by entry."""
    results = []
    for m, n in ((5, 7), (3, 2), (8, 4)):
        w, x, b, t = (ctx.rng.normal(size=s) for s in ((m, n), n, m, m))
        dlt = w @ x + b - t
        fd = np.concatenate([g.ravel() for g in _dense_fd(w, x, b, t)])
        got = np.concatenate([np.outer(dlt, x).ravel(), dlt, w.T @ dlt])
        results.append(ctx.compare(f"{m}x{n} layer", "central differences", got, fd, rtol=1e-6))
    # the derived symbolic dL/dW (2x2), evaluated at random entries with delta = y - t
    f = sp.lambdify([*W, *xv, *bv, *delta], ctx.result, "numpy")
    got, want = [], []
    for _ in range(20):
        w, x, b, t = ctx.rng.normal(size=(2, 2)), ctx.rng.normal(size=2), ctx.rng.normal(size=2), ctx.rng.normal(size=2)
        got.append(np.asarray(f(*w.ravel(), *x, *b, *(w @ x + b - t)), dtype=float))
        want.append(_dense_fd(w, x, b, t)[0])
    results.append(ctx.compare("derived 2x2 dL/dW", "central differences", np.array(got), np.array(want), rtol=1e-6))
    return combine(*results)


@identity(
    "dense-backprop",
    title="Backpropagation through a dense layer",
    section="1.1",
    map_row=r"$\mathbf{y} = W\mathbf{x} + \mathbf{b}$: the fully-connected layer, forward pass of every dense layer",
    variables=entry_domains([*W, *xv, *bv, *delta], ENTRY),
    claim=Statement(
        "dL/dW",
        Eq(
            notation(r"\frac{\partial L}{\partial W}", backprop_form(delta, Y, W), "dL/dW"),
            delta * xv.T,
            evaluate=False,
        ),
        text=r"$\partial L/\partial W = \boldsymbol\delta\,\mathbf{x}^\top$",
    ),
    also=[
        Statement(
            "dL/db",
            Eq(
                notation(r"\frac{\partial L}{\partial \mathbf{b}}", backprop_form(delta, Y, bv), "dL/db"),
                delta,
                evaluate=False,
            ),
            text=r"$\partial L/\partial \mathbf{b} = \boldsymbol\delta$",
        ),
        Statement(
            "dL/dx",
            Eq(
                notation(r"\frac{\partial L}{\partial \mathbf{x}}", backprop_form(delta, Y, xv), "dL/dx"),
                W.T * delta,
                evaluate=False,
            ),
            text=r"$\partial L/\partial\mathbf{x} = W^\top\boldsymbol\delta$",
        ),
    ],
    crosscheck=_dense_check,
    question=Question(
        target=deltaI[iD] * xI[jD],
        prompt=r"For $\mathbf{y} = W\mathbf{x} + \mathbf{b}$ and an upstream gradient $\boldsymbol\delta = "
        r"\partial L/\partial\mathbf{y}$, give $\partial L/\partial W_{ij}$.",
        forms=(delta * xv.T,),
        approximations={
            r"transposed: this is $(\mathbf{x}\boldsymbol\delta^\top)_{ij}$, the shape of $W^\top$": xI[iD] * deltaI[jD]
        },
    ),
    refs=(
        Ref.book(
            "D. E. Rumelhart, G. E. Hinton and R. J. Williams, Learning representations by back-propagating errors, "
            "Nature 323, 1986"
        ),
        Ref.book("I. Goodfellow, Y. Bengio and A. Courville (2016), Deep Learning", "Sec. 6.5"),
    ),
)
def dense_backprop(d: Derivation) -> None:
    r"""A dense layer computes $\mathbf{y} = W\mathbf{x} + \mathbf{b}$, i.e. $y_k = \sum_j W_{kj}x_j + b_k$.
    Given the upstream gradient $\boldsymbol\delta = \partial L/\partial\mathbf{y}$ of any loss $L(\mathbf{y})$,
    the chain rule $\partial L/\partial\theta = \sum_k \delta_k\,\partial y_k/\partial\theta$ gives the three
    gradients that every backward pass computes: the outer product $\boldsymbol\delta\mathbf{x}^\top$ for
    the weights, $\boldsymbol\delta$ for the bias, and $W^\top\boldsymbol\delta$ passed to the layer below."""
    scope = "for a 2 x 2 layer; other sizes in the cross-check"
    d.begin(
        backprop_form(delta, Y, W),
        r"chain rule: $\partial L/\partial W_{ij} = \sum_k \delta_k\,\partial y_k/\partial W_{ij}$",
        scope=scope,
    )
    d.then(lambda e: e.doit(), r"$\partial y_k/\partial W_{ij} = [k = i]\,x_j$: only $y_i$ depends on $W_{ij}$")
    d.then(delta * xv.T, r"the outer product $\boldsymbol\delta\mathbf{x}^\top$")
    d.conclude("dL/dW")

    d.begin(backprop_form(delta, Y, bv), r"chain rule through $y_k = \dots + b_k$", scope=scope)
    d.then(lambda e: e.doit(), r"$\partial y_k/\partial b_i = [k = i]$")
    d.conclude("dL/db")

    d.begin(
        backprop_form(delta, Y, xv),
        r"chain rule: $\partial L/\partial x_j = \sum_k \delta_k\,\partial y_k/\partial x_j$",
        scope=scope,
    )
    d.then(lambda e: e.doit(), r"$\partial y_k/\partial x_j = W_{kj}$")
    d.then(W.T * delta, r"$\sum_k W_{kj}\delta_k = (W^\top\boldsymbol\delta)_j$")
    d.conclude("dL/dx")


# ------------------------------------------------------------------------------ attention: scaling
dk = sp.Symbol("d_k", integer=True, positive=True)
nA = sp.Symbol("n", integer=True, positive=True)
iA, jA, lA = sp.symbols("i j l", integer=True, positive=True)
mu_q, mu_k = real(-2, 2).symbol("mu_q"), real(-2, 2).symbol("mu_k")
sigma_q, sigma_k = positive(3).symbol("sigma_q"), positive(3).symbol("sigma_k")
sI = sp.IndexedBase("s", real=True)

#: Var(q_i k_i) = E[q_i^2] E[k_i^2] - E[q_i]^2 E[k_i]^2 for independent q_i, k_i
TERM_VARIANCE = (sigma_q**2 + mu_q**2) * (sigma_k**2 + mu_k**2) - mu_q**2 * mu_k**2
UNIT = {mu_q: 0, mu_k: 0, sigma_q: 1, sigma_k: 1}
ROW_SUM = sp.Sum(sp.exp(sI[jA]) / sp.Sum(sp.exp(sI[jA]), (jA, 1, nA)), (jA, 1, nA))
#: multiply-adds of Q K^T (n x d_k times d_k x n) and of A V (n x n times n x d_k)
COST = sp.Sum(sp.Sum(sp.Sum(1, (lA, 1, dk)), (jA, 1, nA)), (iA, 1, nA)) + sp.Sum(
    sp.Sum(sp.Sum(1, (lA, 1, nA)), (jA, 1, dk)), (iA, 1, nA)
)


def _attention_counted(n: int, d: int) -> int:
    """Multiply-adds of a loop implementation of softmax(Q K^T / sqrt(d)) V, counted one by one."""
    count = 0
    for _i in range(n):  # scores: one dot product of length d per pair (i, j)
        for _j in range(n):
            for _l in range(d):
                count += 1
    for _i in range(n):  # output: row i of A times each of the d columns of V
        for _c in range(d):
            for _j in range(n):
                count += 1
    return count


def _scaling_check(ctx: CheckContext) -> CrossCheckResult:
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
    for d in (4, 64, 256):
        for draw in draws.values():
            logits = np.sum(draw((n_mc, d)) * draw((n_mc, d)), axis=1) / np.sqrt(d)
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
    counted = np.array([_attention_counted(n, d) for n, d in sizes], dtype=float)
    formula = np.array([2 * n * n * d for n, d in sizes], dtype=float)
    results.append(ctx.compare("multiply-adds", "counted in a loop implementation", counted, formula, rtol=0))
    return combine(*results)


@identity(
    "attention-scaling",
    title=r"Why attention divides by $\sqrt{d_k}$, and what it costs",
    section="1.1",
    map_row=r"$\text{Attention} = \text{softmax}(QK^\top/\sqrt{d_k})V$, self-attention, $O(n^2 d)$",
    variables={
        dk: integer(1, 512),
        nA: integer(1, 64),
        mu_q: real(-2, 2),
        mu_k: real(-2, 2),
        sigma_q: positive(3),
        sigma_k: positive(3),
        sI: real(-5, 5),
    },
    claim=Statement(
        "unit logits",
        Eq(
            notation(
                r"\operatorname{Var}\!\left(\frac{\mathbf{q}\cdot\mathbf{k}}{\sqrt{d_k}}\right)",
                sp.Sum(TERM_VARIANCE, (iA, 1, dk)).subs(UNIT) / dk,
                "Var(q.k/sqrt(d_k))",
            ),
            1,
            evaluate=False,
        ),
        text="for zero-mean, unit-variance, independent entries",
    ),
    also=[
        Statement(
            "mean",
            Eq(
                notation(r"\mathbb{E}[\mathbf{q}\cdot\mathbf{k}]", sp.Sum(mu_q * mu_k, (iA, 1, dk)), "E[q.k]"),
                dk * mu_q * mu_k,
            ),
            text=r"entries with means $\mu_q, \mu_k$: zero when the entries are centred",
        ),
        Statement(
            "variance",
            Eq(
                notation(
                    r"\operatorname{Var}(\mathbf{q}\cdot\mathbf{k})", sp.Sum(TERM_VARIANCE, (iA, 1, dk)), "Var(q.k)"
                ),
                dk * (sigma_q**2 * sigma_k**2 + sigma_q**2 * mu_k**2 + mu_q**2 * sigma_k**2),
            ),
            text=r"entries with variances $\sigma_q^2, \sigma_k^2$: $d_k$ when they are standardised",
        ),
        Statement("rows sum to 1", Eq(ROW_SUM, 1), text="every row of the softmax attention matrix"),
        Statement(
            "cost",
            Eq(notation(r"\#\text{multiply-adds}", COST, "multiply-adds"), 2 * nA**2 * dk, evaluate=False),
            text=r"of $QK^\top$ and $AV$ for $n$ tokens: $O(n^2 d_k)$",
        ),
    ],
    crosscheck=_scaling_check,
    question=Question(
        target=dk,
        prompt=r"Let $\mathbf{q}, \mathbf{k} \in \mathbb{R}^{d_k}$ have independent entries with mean 0 and "
        r"variance 1. What is $\operatorname{Var}(\mathbf{q}\cdot\mathbf{k})$?",
        names={"d": dk, "dk": dk},
        approximations={
            r"that is the standard deviation of $\mathbf{q}\cdot\mathbf{k}$, not its variance": sp.sqrt(dk),
            r"that is the variance after dividing by $\sqrt{d_k}$": sp.Integer(1),
        },
    ),
    refs=(
        Ref.arxiv("1706.03762", "A. Vaswani et al., Attention Is All You Need, 2017", where="Sec. 3.2.1, footnote 4"),
    ),
)
def attention_scaling(d: Derivation) -> None:
    r"""Scaled dot-product attention computes $\mathrm{softmax}(QK^\top/\sqrt{d_k})V$. A logit is a dot product
    $\mathbf{q}\cdot\mathbf{k} = \sum_{i=1}^{d_k} q_i k_i$ of $d_k$ independent terms, so its variance grows
    like $d_k$; without the factor $1/\sqrt{d_k}$ the softmax saturates and its gradients vanish. The row
    sums and the $2n^2d_k$ multiply-adds explain the other two facts every transformer relies on:
    attention weights are a convex combination, and their cost is quadratic in the sequence length."""
    d.begin(
        sp.Sum(mu_q * mu_k, (iA, 1, dk)),
        r"linearity; $\mathbb{E}[q_ik_i] = \mathbb{E}[q_i]\,\mathbb{E}[k_i]$ by independence",
    )
    d.then(lambda e: e.doit(), "a sum of $d_k$ equal terms")
    d.conclude("mean")

    d.begin(
        sp.Sum(TERM_VARIANCE, (iA, 1, dk)),
        r"the terms $q_ik_i$ are independent, so variances add; "
        r"$\operatorname{Var}(q_ik_i) = \mathbb{E}[q_i^2]\,\mathbb{E}[k_i^2] - \mathbb{E}[q_i]^2\,\mathbb{E}[k_i]^2$ "
        r"with $\mathbb{E}[q_i^2] = \sigma_q^2 + \mu_q^2$",
    )
    d.then(lambda e: e.doit(), "a sum of $d_k$ equal terms")
    d.then(sp.expand, "expand: the $\\mu_q^2\\mu_k^2$ terms cancel")
    d.conclude("variance")

    d.begin(
        sp.Sum(TERM_VARIANCE, (iA, 1, dk)).subs(UNIT) / dk,
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
