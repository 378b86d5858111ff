r"""Layer normalisation: its moments and its Jacobian.

Layer norm rescales each token's activations to zero mean and unit variance, $y = (x - \mu)/\sigma$; its
outputs lie on a sphere ($\sum y = 0$, $\sum y^2 = n$) and its Jacobian
$\frac1\sigma\bigl(I - \frac1n\mathbf 1\mathbf 1^\top - \frac1n yy^\top\bigr)$ projects out the two directions
it normalises away. Derived for symbolic $n$ (``IndexedBase`` entries, ``Sum``), worked out in full at
$n = 3$ with ``sympy.diff``, and checked by finite differences at $n = 64$. The map's curriculum chapter
13, ML-specific math: normalisation (LayerNorm, BatchNorm) (map 6). Ba, Kiros and Hinton (2016), Layer
Normalization, Sec. 3.
"""

from __future__ import annotations

import numpy as np
import sympy as sp
from sympy import Derivative, Eq, IndexedBase, Sum, sqrt

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
    real,
)
from derive.maths.indexed import sift
from derive.maths.matrices import entry_domains, jacobian_form, symbol_vector
from derive.numeric.linalg import jacobian_fd

# -- symbols ---------------------------------------------------------------------------------------
N_LN = 3
ENTRY = real(-3, 3)
XV = symbol_vector("x", N_LN, ENTRY)
MEAN = sum(XV) / N_LN
STD = sqrt(sum((xi - MEAN) ** 2 for xi in XV) / N_LN)  # population standard deviation
YV = (XV - MEAN * sp.ones(N_LN, 1)) / STD
LN_JAC = (sp.eye(N_LN) - sp.ones(N_LN, N_LN) / N_LN - YV * YV.T / N_LN) / STD

# general n: x_1..x_n as an IndexedBase, mean and population standard deviation as sums
SIZE = integer(2, 8)
n_ln = SIZE.symbol("n")
INDEX = integer(1, n_ln)
i_ln, j_ln, k_ln, l_ln = (INDEX.symbol(c) for c in "ijkl")
x_ln = IndexedBase("x", real=True)
MU_N = Sum(x_ln[l_ln], (l_ln, 1, n_ln)) / n_ln
SIGMA_N = sqrt(Sum((x_ln[k_ln] - MU_N) ** 2, (k_ln, 1, n_ln)) / n_ln)
LN_DOMAINS = {n_ln: SIZE, **dict.fromkeys((i_ln, j_ln, k_ln, l_ln), INDEX), x_ln: ENTRY}


def _y(m: sp.Expr) -> sp.Expr:
    """The layer-norm output y_m = (x_m - mu)/sigma for symbolic n."""
    return (x_ln[m] - MU_N) / SIGMA_N


def _entrywise(m: sp.Matrix) -> sp.Matrix:
    r"""``m`` with entry $(i, j)$ displayed as $\bigl(\delta_{ij} - \frac1n - \frac1n y_iy_j\bigr)/\sigma$
    (its value kept)."""
    return sp.Matrix(
        m.rows,
        m.cols,
        lambda i, j: notation(
            rf"\tfrac{{{int(i == j)} - \frac{{1}}{{{N_LN}}} - \frac{{1}}{{{N_LN}}}y_{i + 1}y_{j + 1}}}{{\sigma}}",
            m[i, j],
            f"J{i + 1}{j + 1}",
        ),
    )


# -- what is claimed -------------------------------------------------------------------------------
CLAIM = Statement(
    "Jacobian",
    Eq(
        Derivative(_y(i_ln), x_ln[j_ln]),
        (sp.KroneckerDelta(i_ln, j_ln) - 1 / n_ln - _y(i_ln) * _y(j_ln) / n_ln) / SIGMA_N,
    ),
    text=r"for $y_i = (x_i - \mu)/\sigma$ with $\mu$ the mean and $\sigma$ the population standard deviation "
    r"of $x \in \mathbb R^n$: $\partial y/\partial x = \frac{1}{\sigma}\bigl(I - \frac1n\mathbf 1\mathbf 1^\top "
    r"- \frac1n yy^\top\bigr)$",
)
CENTRED = Statement(
    "sum y = 0",
    Eq(Sum(_y(k_ln), (k_ln, 1, n_ln)), 0),
    text=r"centred, so any $n - 1$ coordinates determine the last",
)
ON_THE_SPHERE = Statement(
    "sum y^2 = n", Eq(Sum(_y(k_ln) ** 2, (k_ln, 1, n_ln)), n_ln), text=r"on the sphere of radius $\sqrt n$"
)

# -- the homework question, and where the identity comes from --------------------------------------
QUESTION = Question(
    target=(1 - sp.Rational(1, N_LN) - YV[0] ** 2 / N_LN) / STD,
    prompt=r"For $y = (x - \mu)/\sigma$ (layer norm without gain, $n = 3$, population $\sigma$), what is "
    r"$\partial y_1/\partial x_1$? Write it with $x_1, x_2, x_3$.",
    approximations={
        r"this ignores that $\mu$ and $\sigma$ depend on $x$": 1 / STD,
        r"the dependence of $\sigma$ on $x$ is missing": (1 - sp.Rational(1, N_LN)) / STD,
    },
)
REFS = (Ref.cite("ba2016", where="Sec. 3"),)


# -- how it is derived -----------------------------------------------------------------------------
def derivation(d: Derivation) -> None:
    r"""Layer norm rescales each token's activations to zero mean and unit variance. Its outputs live on a
    sphere ($\sum y = 0$, $\sum y^2 = n$), and its Jacobian projects out the two directions it normalises
    away, $\mathbf 1$ and $y$: gradients along them are removed, which is what makes pre-norm transformers
    insensitive to the scale of the residual stream."""
    d.begin(Sum(_y(k_ln), (k_ln, 1, n_ln)))
    d.then((Sum(x_ln[k_ln], (k_ln, 1, n_ln)) - n_ln * MU_N) / SIGMA_N, r"$\sigma$ and $\mu$ do not depend on $k$")
    d.then(sp.S.Zero, r"$\sum_k x_k = n\mu$")
    d.conclude("sum y = 0")

    d.begin(Sum(_y(k_ln) ** 2, (k_ln, 1, n_ln)))
    d.then(
        lambda e: sp.cancel(Sum((x_ln[k_ln] - MU_N) ** 2, (k_ln, 1, n_ln)) / SIGMA_N**2),
        r"$\sigma$ does not depend on $k$, and $\sum_k (x_k - \mu)^2 = n\sigma^2$",
    )
    d.conclude("sum y^2 = n")

    d.begin(Derivative(_y(i_ln), x_ln[j_ln]))
    d.then(
        lambda e: sift(e.doit()),
        r"differentiate ($\partial x_k/\partial x_j = \delta_{kj}$ inside $\mu$ and $\sigma$) and sift the deltas: "
        r"$\sum_l \delta_{lj} = 1$, $\sum_k \delta_{kj} g_k = g_j$",
    )
    d.then(
        lambda e: e.subs(Sum(-2 * x_ln[k_ln] / n_ln, (k_ln, 1, n_ln)), -2 * MU_N),
        r"$\frac1n\sum_k x_k = \mu$, so $\partial \sigma/\partial x_j = (x_j - \mu)/(n\sigma) = y_j/n$",
    )
    d.then(
        (sp.KroneckerDelta(i_ln, j_ln) - 1 / n_ln - _y(i_ln) * _y(j_ln) / n_ln) / SIGMA_N,
        r"collect $1/\sigma$: $(\delta_{ij} - \frac1n - \frac1n y_iy_j)/\sigma$",
    )
    d.conclude("Jacobian")

    size = f"for n = {N_LN}"
    title = f"Example: the whole Jacobian for n = {N_LN}"
    d.begin(notation(r"\frac{\partial y}{\partial x}", jacobian_form(YV, list(XV)), "dy/dx"), scope=size, title=title)
    d.then(
        lambda e: _entrywise(e.doit().applyfunc(sp.expand)),
        r"differentiate ($\partial\mu/\partial x_j = 1/n$, $\partial\sigma/\partial x_j = y_j/n$) and expand; "
        r"each entry is shown by what it is (the expanded rational functions of $x$ are too wide to print)",
    )
    d.then(
        notation(
            r"\frac{1}{\sigma}\Bigl(I - \frac{1}{n}\mathbf 1\mathbf 1^\top - \frac{1}{n}yy^\top\Bigr)", LN_JAC, "J"
        ),
        "the general formula at $n = 3$",
    )
    d.finish()


# -- how it is checked -----------------------------------------------------------------------------
def _layernorm_numpy(x: np.ndarray) -> np.ndarray:
    return (x - x.mean()) / x.std()


def crosscheck(ctx: CheckContext) -> CrossCheckResult:
    """Random x of size 64: the finite-difference Jacobian of (x - mean)/std against
    (I - 11^T/n - y y^T/n)/std, and sum y = 0, sum y^2 = n."""
    jac_err, moments = [], []
    for _ in range(5):
        x = ctx.rng.normal(size=64) * ctx.rng.uniform(0.5, 3) + ctx.rng.uniform(-2, 2)
        y = _layernorm_numpy(x)
        ref = (np.eye(64) - 1 / 64 - np.outer(y, y) / 64) / x.std()
        fd = jacobian_fd(_layernorm_numpy, x)
        jac_err.append(float(np.max(np.abs(fd - ref)) / np.max(np.abs(ref))))
        moments.append(max(abs(y.sum()), abs((y**2).sum() - 64) / 64))
    return combine(
        ctx.bound("Jacobian, n = 64", "central differences", max(jac_err), 1e-7),
        ctx.bound("sum y = 0, sum y^2 = n", "numpy", max(moments), 1e-12),
    )


# -- the declaration -------------------------------------------------------------------------------
LAYERNORM_JACOBIAN = declare(
    "layernorm-jacobian",
    aliases=("layer-norm-jacobian",),
    title="Layer normalisation: its moments and its Jacobian",
    section="6",
    map_row=r"chapter 13 ML-specific math: normalisation (LayerNorm, BatchNorm)",
    variables={**entry_domains(XV, ENTRY), **LN_DOMAINS},
    claim=CLAIM,
    also=(CENTRED, ON_THE_SPHERE),
    derivation=derivation,
    crosscheck=crosscheck,
    question=QUESTION,
    refs=REFS,
)
