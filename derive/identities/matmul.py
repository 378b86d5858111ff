r"""1.1 Matrix multiplication: the dense layer, attention and graph convolution, forward and backward.

Every identity here is derived on explicit symbolic matrices of a small stated size (so the sheet
says "fixed-size"), with the entries' calculus done by SymPy; the cross-checks repeat the statement
at larger random sizes in numpy, against central finite differences of the *definition* or a loop
implementation, never against the derived formula.
"""

from __future__ import annotations

import numpy as np
import sympy as sp
from sympy import Eq, Ge
from sympy.simplify.simplify import factor_sum
from sympy.stats import Expectation, Normal, Variance

from derive.core.derivation import Derivation
from derive.core.identity import Question, Ref, identity
from derive.core.recipes import statement_lhs
from derive.core.statements import Statement
from derive.maths.domains import graph, integer, nonnegative, positive, real
from derive.maths.matrices import backprop_form, entry_domains, row_softmax, symbol_matrix, symbol_vector
from derive.maths.notation import notation
from derive.numeric.crosscheck import CheckContext, CrossCheckResult, combine
from derive.numeric.linalg import gradient_fd

# ---------------------------------------------------------------------------------------- dense layer
ENTRY = real(-3, 3)
W = symbol_matrix("W", 2, 2, ENTRY)
xv = symbol_vector("x", 2, ENTRY)
bv = symbol_vector("b", 2, ENTRY)
delta = symbol_vector("delta", 2, ENTRY)
Y = W * xv + bv

iD, jD = sp.symbols("i j", integer=True, positive=True)
nD = sp.Symbol("n", integer=True, positive=True)
mD = sp.Symbol("m", integer=True, positive=True)
kD, lD = sp.symbols("k l", integer=True, positive=True)
deltaI, xI = sp.IndexedBase("delta", real=True), sp.IndexedBase("x", real=True)
WI, bI = sp.IndexedBase("W", real=True), sp.IndexedBase("b", real=True)
#: the layer for any m x n: y_k = sum_l W_kl x_l + b_k, and the chain rule sum_k delta_k dy_k/d(.)
Y_K = sp.Sum(WI[kD, lD] * xI[lD], (lD, 1, nD)) + bI[kD]


def _chain_rule(wrt: sp.Basic) -> sp.Sum:
    r""":math:`\sum_{k=1}^m \delta_k\,\partial y_k/\partial(\text{wrt})`, unevaluated."""
    return sp.Sum(deltaI[kD] * sp.Derivative(Y_K, wrt), (kD, 1, mD))


DW_IJ = notation(r"\frac{\partial L}{\partial W_{ij}}", _chain_rule(WI[iD, jD]), "dL/dW_ij")
DB_I = notation(r"\frac{\partial L}{\partial b_i}", _chain_rule(bI[iD]), "dL/db_i")
DX_J = notation(r"\frac{\partial L}{\partial x_j}", _chain_rule(xI[jD]), "dL/dx_j")
WT_DELTA_J = sp.Sum(WI[kD, jD] * deltaI[kD], (kD, 1, mD))  # (W^T delta)_j


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
    delta x^T, delta, W^T delta with delta = y - t; and the derived index form of dL/dW_ij entry by entry."""
    results = []
    for m, n in ((5, 7), (3, 2), (8, 4)):
        w, x, b, t = (ctx.rng.normal(size=s) for s in ((m, n), n, m, m))
        dlt = w @ x + b - t
        fd = np.concatenate([g.ravel() for g in _dense_fd(w, x, b, t)])
        got = np.concatenate([np.outer(dlt, x).ravel(), dlt, w.T @ dlt])
        results.append(ctx.compare(f"{m}x{n} layer", "central differences", got, fd, rtol=1e-6))
    # the derived index form of dL/dW_ij, evaluated entry by entry at a random 3x2 layer with delta = y - t
    for _ in range(5):
        w, x, b, t = ctx.rng.normal(size=(3, 2)), ctx.rng.normal(size=2), ctx.rng.normal(size=3), ctx.rng.normal(size=3)
        dlt = w @ x + b - t
        values = {**{deltaI[k + 1]: dlt[k] for k in range(3)}, **{xI[k + 1]: x[k] for k in range(2)}}
        entries = [[ctx.result.xreplace({iD: r + 1, jD: c + 1}).xreplace(values) for c in range(2)] for r in range(3)]
        # an entry naming an index out of range (a wrong formula) is not a number: NaN, which fails
        got = [[float(v) if v.is_number else np.nan for v in row] for row in entries]
        results.append(
            ctx.compare(
                "derived dL/dW_ij, 3x2", "central differences", np.array(got), _dense_fd(w, x, b, t)[0], rtol=1e-6
            )
        )
    return combine(*results)


@identity(
    "dense-backprop",
    title="Backpropagation through a dense layer",
    section="1.1",
    map_row=r"$\mathbf{y} = W\mathbf{x} + \mathbf{b}$: the fully-connected layer, forward pass of every dense layer",
    variables=entry_domains([*W, *xv, *bv, *delta], ENTRY)
    | {
        mD: integer(1, 6),
        nD: integer(1, 6),
        iD: integer(1, mD),
        jD: integer(1, nD),
        WI: ENTRY,
        bI: ENTRY,
        xI: ENTRY,
        deltaI: ENTRY,
    },
    claim=Statement(
        "dL/dW",
        Eq(DW_IJ, deltaI[iD] * xI[jD], evaluate=False),
        text=r"$\partial L/\partial W = \boldsymbol\delta\,\mathbf{x}^\top$: entry $(i, j)$ is $\delta_i x_j$, for "
        r"any $m\times n$ layer",
    ),
    also=[
        Statement(
            "dL/db",
            Eq(DB_I, deltaI[iD], evaluate=False),
            text=r"$\partial L/\partial \mathbf{b} = \boldsymbol\delta$",
        ),
        Statement(
            "dL/dx",
            Eq(DX_J, WT_DELTA_J, evaluate=False),
            text=r"$\partial L/\partial\mathbf{x} = W^\top\boldsymbol\delta$: entry $j$ is $\sum_k W_{kj}\delta_k$",
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
    for label, lhs, rhs, rule, where in (
        (
            "dL/dW",
            DW_IJ,
            deltaI[iD] * xI[jD],
            r"$\partial y_k/\partial W_{ij} = \delta_{ki}\,x_j$",
            "$i \\le m$, $j \\le n$",
        ),
        ("dL/db", DB_I, deltaI[iD], r"$\partial y_k/\partial b_i = \delta_{ki}$", r"$i \le m$"),
        (
            "dL/dx",
            DX_J,
            WT_DELTA_J,
            r"$\partial y_k/\partial x_j = W_{kj}$",
            r"$j \le n$: $(W^\top\boldsymbol\delta)_j$",
        ),
    ):
        d.begin(lhs)
        d.then(lambda e: e.doit(deep=False), r"chain rule through $y_k = \sum_l W_{kl}x_l + b_k$")
        d.then(lambda e: e.doit(), rule + r"; the sums over $k$ and $l$ with a Kronecker delta collapse")
        d.then(rhs, r"the indices lie in their ranges: " + where)
        d.conclude(label)

    d.begin(
        notation(r"\frac{\partial L}{\partial W}", backprop_form(delta, Y, W), "dL/dW"),
        r"the same chain rule, entry by entry",
        scope="for a 2 x 2 layer",
        title="Worked example: the matrix form",
    )
    d.then(lambda e: e.doit(), r"$\partial y_k/\partial W_{ij} = [k = i]\,x_j$: only $y_i$ depends on $W_{ij}$")
    d.then(notation(r"\boldsymbol\delta\,\mathbf{x}^\top", delta * xv.T, "delta x^T"), r"the outer product")
    d.keep("dL/dW 2x2", delta * xv.T)
    d.finish()


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
        sp.Sum(mu_q * mu_k, (iA, 1, dk)),
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


# ----------------------------------------------------------------------------- attention: backward
AE = real(-2, 2)
Qm, Km, Vm = symbol_matrix("Q", 2, 2, AE), symbol_matrix("K", 2, 2, AE), symbol_matrix("V", 2, 2, AE)
dO = symbol_matrix("dO", 2, 2, AE)
Am = symbol_matrix("A", 2, 2, real(0, 1))  # the forward attention matrix, as given numbers
Sm = symbol_matrix("S", 2, 2, real(-3, 3))
dSm = symbol_matrix("dS", 2, 2, AE)
ONES = sp.ones(2, 1)
SOFT = row_softmax(Sm)
SCORES = Qm * Km.T / sp.sqrt(2)


def _rowsum(m: sp.Matrix) -> sp.Matrix:
    return m * sp.ones(m.cols, 1)


def _flat(m: sp.Matrix) -> sp.Matrix:
    return sp.Matrix(list(m))


#: D = rowsum(dA * A) with dA = dO V^T, for the softmax of S
D_SOFT = _rowsum((dO * Vm.T).multiply_elementwise(SOFT))
DS_RULE = SOFT.multiply_elementwise(dO * Vm.T - D_SOFT * ONES.T)


def _softmax_rows(s: np.ndarray) -> np.ndarray:
    e = np.exp(s - s.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def _attention_loss(q: np.ndarray, k: np.ndarray, v: np.ndarray, do: np.ndarray) -> float:
    """L = sum(dO * O) with O = softmax(Q K^T / sqrt(d)) V, from the definition."""
    return float(np.sum(do * (_softmax_rows(q @ k.T / np.sqrt(q.shape[1])) @ v)))


def _attention_backward(q: np.ndarray, k: np.ndarray, v: np.ndarray, do: np.ndarray) -> dict[str, np.ndarray]:
    """The backward pass of the statement (FlashAttention's), in numpy."""
    d = q.shape[1]
    a = _softmax_rows(q @ k.T / np.sqrt(d))
    o = a @ v
    da = do @ v.T
    big_d = np.sum(do * o, axis=1, keepdims=True)
    ds = a * (da - big_d)
    return {
        "dV": a.T @ do,
        "dQ": ds @ k / np.sqrt(d),
        "dK": ds.T @ q / np.sqrt(d),
        "D": big_d,
        "Dalt": np.sum(da * a, 1),
    }


def _attention_fd(q: np.ndarray, k: np.ndarray, v: np.ndarray, do: np.ndarray) -> dict[str, np.ndarray]:
    """Central differences of L = sum(dO * O) in Q, K and V."""
    return {
        "dQ": gradient_fd(lambda a: _attention_loss(a, k, v, do), q),
        "dK": gradient_fd(lambda a: _attention_loss(q, a, v, do), k),
        "dV": gradient_fd(lambda a: _attention_loss(q, k, a, do), v),
    }


def _attention_backprop_check(ctx: CheckContext) -> CrossCheckResult:
    """Random Q, K, V, dO (n tokens, head size d): the backward pass against central differences of
    L = sum(dO * O); rowsum(dA * A) against rowsum(dO * O); the derived 2x2 dS against differences in S."""
    results = []
    for n, d in ((6, 4), (3, 8), (10, 2)):
        q, k, v, do = (ctx.rng.normal(size=(n, d)) for _ in range(4))
        got, fd = _attention_backward(q, k, v, do), _attention_fd(q, k, v, do)
        for key in ("dQ", "dK", "dV"):
            results.append(ctx.compare(f"{key} n={n} d={d}", "central differences", got[key], fd[key], rtol=1e-6))
        results.append(ctx.compare(f"D n={n}", "two row sums", got["Dalt"], got["D"][:, 0], rtol=1e-12))
    # the derived 2x2 dS (symbolic, in S, V, dO) against differences of L in S
    f = sp.lambdify([*Sm, *Vm, *dO], ctx.values["dS"], "numpy")
    got_s, want_s = [], []
    for _ in range(20):
        s, v, do = ctx.rng.normal(size=(3, 2, 2))
        got_s.append(np.asarray(f(*s.ravel(), *v.ravel(), *do.ravel()), dtype=float))
        want_s.append(gradient_fd(lambda a, v=v, do=do: float(np.sum(do * (_softmax_rows(a) @ v))), s))
    results.append(ctx.compare("derived 2x2 dS", "central differences", np.array(got_s), np.array(want_s), rtol=1e-6))
    return combine(*results)


dSi, Ki = sp.IndexedBase("dS", real=True), sp.IndexedBase("K", real=True)
kA, dA_ = sp.Symbol("k", integer=True, positive=True), sp.Symbol("d", integer=True, positive=True)


@identity(
    "attention-backprop",
    title="The backward pass of softmax attention",
    section="1.1",
    map_row=r"self-attention $\mathrm{softmax}(QK^\top/\sqrt{d})V$: the backward pass that FlashAttention uses",
    variables=entry_domains([*Qm, *Km, *Vm, *dO, *dSm], AE)
    | entry_domains(Am, real(0, 1))
    | entry_domains(Sm, real(-3, 3))
    # the index form of the question: n tokens, head dimension d
    | {nA: integer(1, 8), dA_: integer(1, 64), iA: integer(1, nA), jA: integer(1, dA_), kA: integer(1, nA)}
    | {dSi: AE, Ki: AE},
    claim=Statement(
        "dV",
        Eq(
            notation(r"\frac{\partial L}{\partial V}", backprop_form(dO, Am * Vm, Vm), "dL/dV"),
            Am.T * dO,
            evaluate=False,
        ),
        text=r"$dV = A^\top dO$ for $O = AV$",
    ),
    also=[
        Statement(
            "dA",
            Eq(
                notation(r"\frac{\partial L}{\partial A}", backprop_form(dO, Am * Vm, Am), "dL/dA"),
                dO * Vm.T,
                evaluate=False,
            ),
            text=r"$dA = dO\,V^\top$",
        ),
        Statement(
            "D",
            Eq(
                notation(
                    r"\operatorname{rowsum}(dA \circ A)", _rowsum((dO * Vm.T).multiply_elementwise(Am)), "rowsum(dA*A)"
                ),
                notation(
                    r"\operatorname{rowsum}(dO \circ O)", _rowsum(dO.multiply_elementwise(Am * Vm)), "rowsum(dO*O)"
                ),
                evaluate=False,
            ),
            text=r"$D = \operatorname{rowsum}(dA\circ A) = \operatorname{rowsum}(dO\circ O)$, a row sum of the output",
        ),
        Statement(
            "dS",
            Eq(
                notation(r"\frac{\partial L}{\partial S}", backprop_form(dO, SOFT * Vm, Sm), "dL/dS"),
                notation(r"A \circ (dA - D\,\mathbf{1}^\top)", DS_RULE, "A*(dA - D 1^T)"),
                evaluate=False,
            ),
            text=r"for $A = \mathrm{softmax}_{\text{rows}}(S)$, $O = AV$",
        ),
        Statement(
            "dQ",
            Eq(
                notation(r"\frac{\partial L}{\partial Q}", backprop_form(dSm, SCORES, Qm), "dL/dQ"),
                dSm * Km / sp.sqrt(2),
                evaluate=False,
            ),
            text=r"$dQ = dS\,K/\sqrt{d}$ for $S = QK^\top/\sqrt{d}$ (here $d = 2$)",
        ),
        Statement(
            "dK",
            Eq(
                notation(r"\frac{\partial L}{\partial K}", backprop_form(dSm, SCORES, Km), "dL/dK"),
                dSm.T * Qm / sp.sqrt(2),
                evaluate=False,
            ),
            text=r"$dK = dS^\top Q/\sqrt{d}$",
        ),
    ],
    crosscheck=_attention_backprop_check,
    question=Question(
        target=sp.Sum(dSi[iA, kA] * Ki[kA, jA], (kA, 1, nA)) / sp.sqrt(dA_),
        prompt=r"In attention, $S = QK^\top/\sqrt{d}$. Given $dS = \partial L/\partial S$, "
        r"give $(\partial L/\partial Q)_{ij}$.",
        forms=(dSm * Km / sp.sqrt(2),),
        approximations={
            r"the factor $1/\sqrt{d}$ of the scores is missing": sp.Sum(dSi[iA, kA] * Ki[kA, jA], (kA, 1, nA)),
            r"$K$ is transposed: that is $dS\,K^\top/\sqrt{d}$": sp.Sum(dSi[iA, kA] * Ki[jA, kA], (kA, 1, nA))
            / sp.sqrt(dA_),
            r"$dS$ is transposed: that is $dS^\top K/\sqrt{d}$, the form of $\partial L/\partial K$ with $Q$ "
            r"replaced by $K$": sp.Sum(dSi[kA, iA] * Ki[kA, jA], (kA, 1, nA)) / sp.sqrt(dA_),
        },
    ),
    refs=(
        Ref.arxiv(
            "2205.14135",
            "T. Dao et al., FlashAttention: Fast and Memory-Efficient Exact Attention with IO-Awareness, 2022",
            where="Appendix B.2",
        ),
        Ref.arxiv("1706.03762", "A. Vaswani et al., Attention Is All You Need, 2017", where="Sec. 3.2.1"),
    ),
    builds_on=("dense-backprop", "attention-scaling", "softmax-jacobian"),
)
def attention_backprop(d: Derivation) -> None:
    r"""Attention's forward pass is $S = QK^\top/\sqrt{d}$, $A = \mathrm{softmax}_{\text{rows}}(S)$, $O = AV$.
    Given the upstream gradient $dO = \partial L/\partial O$, the backward pass is three matrix products and
    one row-wise softmax Jacobian: $dV = A^\top dO$, $dA = dO\,V^\top$, $dS = A\circ(dA - D\mathbf{1}^\top)$ and
    $dQ = dS\,K/\sqrt{d}$, $dK = dS^\top Q/\sqrt{d}$. The identity $D = \operatorname{rowsum}(dA\circ A) =
    \operatorname{rowsum}(dO\circ O)$ is what lets FlashAttention recompute $dS$ block by block without ever
    storing the $n\times n$ matrix $A$."""
    scope = "for n = d = 2; other sizes in the cross-check"
    d.begin(statement_lhs(d, "dV"), r"chain rule through $O = AV$ with upstream $dO$", scope=scope)
    d.then(lambda e: e.doit(), r"$\partial O_{kc}/\partial V_{ij} = A_{ki}\,[c = j]$")
    d.then(notation(r"A^\top dO", Am.T * dO, "A^T dO"), r"$\sum_k A_{ki}\,dO_{kj} = (A^\top dO)_{ij}$")
    d.conclude("dV")

    d.begin(statement_lhs(d, "dA"), r"chain rule through $O = AV$, now in $A$", scope=scope)
    d.then(lambda e: e.doit(), r"$\partial O_{kc}/\partial A_{ij} = [k = i]\,V_{jc}$")
    d.then(notation(r"dO\,V^\top", dO * Vm.T, "dO V^T"), r"$\sum_c dO_{ic}V_{jc} = (dO\,V^\top)_{ij}$")
    d.conclude("dA")

    d.begin(_rowsum((dO * Vm.T).multiply_elementwise(Am)), r"$D_i = \sum_j (dO\,V^\top)_{ij}A_{ij}$", scope=scope)
    d.then(lambda e: sp.expand(e), r"expand the products")
    d.then(
        _rowsum(dO.multiply_elementwise(Am * Vm)),
        r"regroup as $\sum_c dO_{ic}\sum_j A_{ij}V_{jc} = \sum_c dO_{ic}O_{ic}$",
    )
    d.conclude("D")

    d.begin(statement_lhs(d, "dS"), r"chain rule through $O = \mathrm{softmax}_{\text{rows}}(S)\,V$", scope=scope)
    d.then(lambda e: e.doit(), r"differentiate the softmax entries (quotient rule)")
    d.then(DS_RULE, r"softmax Jacobian $\partial A_{il}/\partial S_{ij} = A_{il}([l = j] - A_{ij})$, collected")
    d.keep("dS")
    d.conclude("dS")

    d.begin(statement_lhs(d, "dQ"), r"chain rule through $S = QK^\top/\sqrt{d}$ with upstream $dS$", scope=scope)
    d.then(lambda e: e.doit(), r"$\partial S_{ab}/\partial Q_{ij} = [a = i]\,K_{bj}/\sqrt{d}$")
    d.then(notation(r"dS\,K/\sqrt{d}", dSm * Km / sp.sqrt(2), "dS K/sqrt(d)"), r"$\sum_b dS_{ib}K_{bj}/\sqrt{d}$")
    d.conclude("dQ")

    d.begin(statement_lhs(d, "dK"), r"the same chain rule, in $K$", scope=scope)
    d.then(lambda e: e.doit(), r"$\partial S_{ab}/\partial K_{ij} = Q_{aj}\,[b = i]/\sqrt{d}$")
    d.then(
        notation(r"dS^\top Q/\sqrt{d}", dSm.T * Qm / sp.sqrt(2), "dS^T Q/sqrt(d)"), r"$\sum_a dS_{ai}Q_{aj}/\sqrt{d}$"
    )
    d.conclude("dK")


# ------------------------------------------------------------------------------ graph convolution
WEIGHT = nonnegative(3)
a12, a13, a23 = (WEIGHT.symbol(f"a{p}") for p in ("12", "13", "23"))
ADJ = sp.Matrix([[0, a12, a13], [a12, 0, a23], [a13, a23, 0]])
A_TILDE = ADJ + sp.eye(3)
DEGREES = [sum(A_TILDE.row(i)) for i in range(3)]
D_HALF_INV = sp.diag(*(1 / sp.sqrt(dg) for dg in DEGREES))
A_HAT = D_HALF_INV * A_TILDE * D_HALF_INV
U_ONE = sp.Matrix([sp.sqrt(dg) for dg in DEGREES])
xg = symbol_vector("x", 3, real(-3, 3))
Pm, Hm, Wg = (
    symbol_matrix("P", 3, 3, real(-2, 2)),
    symbol_matrix("H", 3, 2, real(-2, 2)),
    symbol_matrix("W", 2, 2, real(-2, 2)),
)
HW = Hm * Wg
MESSAGES = sp.Matrix.vstack(*(sum((Pm[i, j] * HW.row(j) for j in range(3)), sp.zeros(1, 2)) for i in range(3)))
dtI = sp.IndexedBase("dtilde", positive=True)


def _quadratic(m: sp.Matrix, x: sp.Matrix) -> sp.Expr:
    return (x.T * m * x)[0, 0]


Q_MINUS = _quadratic(sp.diag(*DEGREES) - A_TILDE, xg)
Q_PLUS = _quadratic(sp.diag(*DEGREES) + A_TILDE, xg)
NORM_SQ = _quadratic(sp.eye(3), xg)


def _gcn_check(ctx: CheckContext) -> CrossCheckResult:
    """Random (weighted) graphs: numpy.linalg.eigvalsh of A_hat lies in (-1, 1] with top eigenvalue 1
    and eigenvector D~^{1/2} 1; a message-passing loop over nodes equals the matrix product A_hat H W."""
    lows, highs, resid, loops, prods = [], [], [], [], []
    for n in (5, 12, 30):
        for weighted in (False, True):
            adj = graph(n, p=0.3).sample(ctx.rng)
            if weighted:
                adj = adj * ctx.rng.uniform(0.1, 3.0, size=(n, n))
                adj = np.triu(adj, 1) + np.triu(adj, 1).T
            a_t = adj + np.eye(n)
            deg = a_t.sum(axis=1)
            a_hat = a_t / np.sqrt(np.outer(deg, deg))
            ev = np.linalg.eigvalsh(a_hat)
            lows.append(ev[0])
            highs.append(ev[-1])
            u = np.sqrt(deg)
            resid.append(np.max(np.abs(a_hat @ u - u)) / np.max(u))
            h, w = ctx.rng.normal(size=(n, 4)), ctx.rng.normal(size=(4, 3))
            hw = h @ w
            out = np.zeros((n, 3))
            for i in range(n):  # node i sums the messages A_hat[i, j] (H W)_j of its neighbours j
                for j in np.flatnonzero(a_t[i]):
                    out[i] += a_hat[i, j] * hw[j]
            loops.append(out.ravel())
            prods.append((a_hat @ h @ w).ravel())
    return combine(
        ctx.bound(
            "-(smallest eigenvalue) < 1",
            "numpy.linalg.eigvalsh",
            -min(lows),
            1 - 1e-9,
            samples=len(lows),
            detail=f"smallest eigenvalue {min(lows):.4f}",
        ),
        ctx.compare(
            "largest eigenvalue = 1", "numpy.linalg.eigvalsh", np.array(highs), np.ones(len(highs)), rtol=1e-12
        ),
        ctx.bound("|A_hat u - u| / |u|", "numpy", max(resid), 1e-12, samples=len(resid)),
        ctx.compare(
            "message passing",
            "loop over nodes and neighbours",
            np.concatenate(loops),
            np.concatenate(prods),
            rtol=1e-12,
        ),
    )


@identity(
    "gcn-propagation",
    title="The GCN propagation matrix and message passing",
    section="1.1",
    map_row=r"$H^{(l+1)} = \sigma(\hat{A} H^{(l)} W^{(l)})$, graph convolution (Kipf \& Welling, 2017)",
    variables={a12: WEIGHT, a13: WEIGHT, a23: WEIGHT}
    | entry_domains(xg, real(-3, 3))
    | entry_domains([*Pm, *Hm, *Wg], real(-2, 2)),
    claim=Statement(
        "eigenvector",
        Eq(notation(r"\hat A\,\tilde D^{1/2}\mathbf{1}", A_HAT * U_ONE, "A_hat D~^(1/2) 1"), U_ONE, evaluate=False),
        text=r"$\tilde D^{1/2}\mathbf{1}$ is an eigenvector of $\hat A$ with eigenvalue 1",
    ),
    also=[
        Statement(
            "symmetric",
            Eq(notation(r"\hat A^\top", A_HAT.T, "A_hat^T"), notation(r"\hat A", A_HAT, "A_hat"), evaluate=False),
            text=r"$\hat A = \tilde D^{-1/2}(A + I)\tilde D^{-1/2}$ is symmetric",
        ),
        Statement(
            "lambda <= 1",
            Ge(notation(r"\mathbf{x}^\top(\tilde D - \tilde A)\,\mathbf{x}", Q_MINUS, "x^T (D~ - A~) x"), 0),
            text=r"$\mathbf{x}^\top(\tilde D - \tilde A)\mathbf{x} \ge 0$, so "
            r"$I - \hat A = \tilde D^{-1/2}(\tilde D - \tilde A)\tilde D^{-1/2}$ "
            r"is positive semidefinite: every eigenvalue $\lambda \le 1$",
        ),
        Statement(
            "lambda > -1",
            Ge(notation(r"\mathbf{x}^\top(\tilde D + \tilde A)\,\mathbf{x}", Q_PLUS, "x^T (D~ + A~) x"), 2 * NORM_SQ),
            text=r"$\mathbf{x}^\top(\tilde D + \tilde A)\mathbf{x} \ge 2\lVert\mathbf{x}\rVert^2$: the self-loops make "
            r"$I + \hat A$ positive definite, so every eigenvalue $\lambda > -1$",
        ),
        Statement(
            "message passing",
            Eq(
                notation(r"(PH)W", (Pm * Hm) * Wg, "(P H) W"),
                notation(r"\Bigl[\textstyle\sum_j P_{ij}\,(HW)_{j,:}\Bigr]_i", MESSAGES, "[sum_j P_ij (HW)_j]_i"),
                evaluate=False,
            ),
            text=r"row $i$ of $\hat A H W$ is $\sum_j \hat A_{ij}(HW)_{j,:}$: node $i$ sums its neighbours' "
            r"transformed features (any propagation matrix $P$, in particular $P = \hat A$)",
        ),
    ],
    crosscheck=_gcn_check,
    question=Question(
        target=sp.sqrt(dtI[iA]),
        prompt=r"Let $\hat A = \tilde D^{-1/2}(A + I)\tilde D^{-1/2}$ with $\tilde d_i = 1 + \sum_j A_{ij}$. "
        r"Give the $i$-th "
        r"entry of an eigenvector of $\hat A$ with eigenvalue 1.",
        forms=(U_ONE,),
        approximations={
            r"that is $\tilde D^{-1/2}\mathbf{1}$, the inverse square roots": 1 / sp.sqrt(dtI[iA]),
            r"$\mathbf{1}$ is the eigenvector of $\tilde D^{-1}\tilde A$, not of $\hat A$": sp.Integer(1),
        },
    ),
    refs=(
        Ref.arxiv(
            "1609.02907",
            "T. N. Kipf and M. Welling, Semi-Supervised Classification with Graph Convolutional Networks, 2017",
            where="Sec. 2, Eq. (2) and the renormalization trick",
        ),
    ),
    builds_on=("laplacian-spectrum",),
)
def gcn_propagation(d: Derivation) -> None:
    r"""A GCN layer computes $H' = \sigma(\hat A H W)$ with $\hat A = \tilde D^{-1/2}(A + I)\tilde D^{-1/2}$, the
    adjacency matrix with self-loops, normalised by the degrees $\tilde d_i = 1 + \sum_j A_{ij}$. Kipf and Welling's
    ``renormalization trick'' keeps the spectrum of $\hat A$ in $(-1, 1]$, so stacking layers neither explodes
    nor oscillates, and the product is message passing: each node averages its neighbours' transformed
    features. Below, a weighted graph on three nodes with symbolic weights $a_{ij} \ge 0$."""
    scope = "for a weighted graph on 3 nodes"
    d.begin(
        statement_lhs(d, "eigenvector"),
        r"$\hat A_{ij}\sqrt{\tilde d_j} = \tilde A_{ij}/\sqrt{\tilde d_i}$",
        scope=scope,
    )
    d.then(
        lambda e: e.doit().applyfunc(sp.cancel),
        r"$\sum_j \tilde A_{ij} = \tilde d_i$, so entry $i$ is $\tilde d_i/\sqrt{\tilde d_i}$",
    )
    d.then(U_ONE, r"$= \sqrt{\tilde d_i}$")
    d.conclude("eigenvector")

    d.begin((D_HALF_INV * A_TILDE * D_HALF_INV).T, scope=scope)
    d.then(D_HALF_INV.T * A_TILDE.T * D_HALF_INV.T, r"$(XYZ)^\top = Z^\top Y^\top X^\top$")
    d.then(A_HAT, r"$\tilde D^{-1/2}$ is diagonal and $\tilde A = A + I$ is symmetric")
    d.conclude("symmetric")

    d.begin(statement_lhs(d, "lambda <= 1"), r"the quadratic form of $\tilde D - \tilde A$", scope=scope)
    d.then(lambda e: sp.expand(e.doit()), "expand; the self-loops cancel")
    d.then(
        a12 * (xg[0] - xg[1]) ** 2 + a13 * (xg[0] - xg[2]) ** 2 + a23 * (xg[1] - xg[2]) ** 2,
        r"complete the squares: $\sum_{i<j} a_{ij}(x_i - x_j)^2$",
    )
    d.bound(0, r"weights $a_{ij} \ge 0$ times squares", relation=">=")
    d.conclude("lambda <= 1")

    d.begin(statement_lhs(d, "lambda > -1"), r"the quadratic form of $\tilde D + \tilde A$", scope=scope)
    d.then(lambda e: sp.expand(e.doit()), "expand")
    d.then(
        a12 * (xg[0] + xg[1]) ** 2 + a13 * (xg[0] + xg[2]) ** 2 + a23 * (xg[1] + xg[2]) ** 2 + 2 * NORM_SQ,
        r"complete the squares: $\sum_{i<j} a_{ij}(x_i + x_j)^2 + 2\sum_i x_i^2$",
    )
    d.bound(2 * NORM_SQ, r"drop the nonnegative sum over edges", relation=">=")
    d.note(
        r"With $\mathbf{x} = \tilde D^{-1/2}\mathbf{v}$ for an eigenvector $\hat A\mathbf{v} = \lambda\mathbf{v}$: "
        r"$(1 - \lambda)\lVert\mathbf{v}\rVert^2 = \mathbf{x}^\top(\tilde D - \tilde A)\mathbf{x} \ge 0$ and "
        r"$(1 + \lambda)\lVert\mathbf{v}\rVert^2 = \mathbf{x}^\top(\tilde D + \tilde A)\mathbf{x} > 0$, "
        r"so $-1 < \lambda \le 1$."
    )
    d.conclude("lambda > -1")

    d.begin((Pm * Hm) * Wg, r"aggregate, then transform: $(PH)W$", scope="for 3 nodes, 2 features, 2 outputs")
    d.then(lambda e: sp.expand(e), "expand the products")
    d.then(MESSAGES, r"regroup by node $j$: transform first, $(HW)_{j,:}$, then sum the messages $P_{ij}(HW)_{j,:}$")
    d.conclude("message passing")
