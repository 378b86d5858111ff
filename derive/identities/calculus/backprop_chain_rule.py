r"""Backpropagation is the chain rule.

For a network $z^{[l]} = W^{[l]} a^{[l-1]}$, $a^{[l]} = f(z^{[l]})$ the gradient of the loss in every weight
matrix is an outer product $\delta^{[l]} a^{[l-1]\top}$, with the error signals $\delta^{[l]} = \partial\mathcal
L/\partial z^{[l]}$ computed backwards by one matrix-vector product per layer (map 2.1, the chain rule is
backpropagation). Derived for any activation $f$, any widths and any depth: the weight gradient of a layer, the
output layer's error signal (the base case) and the backward step (the induction step), each by differentiating
the indexed sums and collapsing the Kronecker deltas; checked on a random depth-6 network of mixed widths against
finite differences. Rumelhart, Hinton and Williams (1986), Learning representations by back-propagating
errors; Goodfellow, Bengio and Courville (2016), Deep Learning, Sec. 6.5.
"""

from __future__ import annotations

from itertools import pairwise

import numpy as np
import sympy as sp
from sympy import Derivative, Eq, Rational

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
    layers,
    linalg,
    matrices,
    notation,
    real,
)
from derive.maths.indexed import collapse, in_range

# -- symbols ---------------------------------------------------------------------------------------
ENTRY = real(-2, 2)
WIDTH = integer(1, 5)
n_w, m_w = WIDTH.symbol("n"), WIDTH.symbol("m")  # the widths of a layer and of the layer below it
i_, k_ = (integer(1, n_w).symbol(v) for v in "ik")  # units of the layer (k: summed)
j_, q_ = (integer(1, m_w).symbol(v) for v in "jq")  # units of the layer below (q: summed)
kk, qq = sp.symbols("k q", integer=True, positive=True)  # summation indices
f = sp.Function("f")  # any differentiable activation
#: layer l: z^[l] = W^[l] a^[l-1]; its error signal delta^[l] = dL/dz^[l]
W_l, a_below, delta_l = (sp.IndexedBase(v, real=True) for v in ("W^{[l]}", "a^{[l-1]}", r"\delta^{[l]}"))
#: the step from layer l + 1 down to l: z^[l+1] = W^[l+1] f(z^[l])
W_up, delta_up, z_l = (sp.IndexedBase(v, real=True) for v in ("W^{[l+1]}", r"\delta^{[l+1]}", "z^{[l]}"))
#: the output layer L and the targets t: the loss 1/2 ||f(z^[L]) - t||^2
z_top, t_target = sp.IndexedBase("z^{[L]}", real=True), sp.IndexedBase("t", real=True)

Z_K = sp.Sum(W_l[kk, qq] * a_below[qq], (qq, 1, m_w))  # z^[l]_k
Z_UP_K = sp.Sum(W_up[kk, qq] * f(z_l[qq]), (qq, 1, m_w))  # z^[l+1]_k
LOSS = Rational(1, 2) * sp.Sum((f(z_top[kk]) - t_target[kk]) ** 2, (kk, 1, n_w))

DW_IJ = notation(
    r"\frac{\partial\mathcal L}{\partial W^{[l]}_{ij}}",
    sp.Sum(delta_l[kk] * Derivative(Z_K, W_l[i_, j_]), (kk, 1, n_w)),
    "dL/dW[l]_ij",
)
DELTA_TOP = notation(
    r"\delta^{[L]}_i = \frac{\partial\mathcal L}{\partial z^{[L]}_i}", Derivative(LOSS, z_top[i_]), "delta[L]_i"
)
DELTA_STEP = notation(
    r"\delta^{[l]}_j = \frac{\partial\mathcal L}{\partial z^{[l]}_j}",
    sp.Sum(delta_up[kk] * Derivative(Z_UP_K, z_l[j_]), (kk, 1, n_w)),
    "delta[l]_j",
)
RECURSION = Derivative(f(z_l[j_]), z_l[j_]) * sp.Sum(W_up[kk, j_] * delta_up[kk], (kk, 1, n_w))

# -- what is claimed -------------------------------------------------------------------------------
CLAIM = Statement(
    "claim",
    Eq(DW_IJ, delta_l[i_] * a_below[j_], evaluate=False),
    text=r"for a layer $z^{[l]} = W^{[l]} a^{[l-1]}$ of any widths, with the error signal "
    r"$\delta^{[l]} = \partial\mathcal L/\partial z^{[l]}$: $\partial\mathcal L/\partial W^{[l]} = "
    r"\delta^{[l]} a^{[l-1]\top}$ (with $a^{[0]} = x$)",
)
OUTPUT_LAYER = Statement(
    "output layer",
    Eq(DELTA_TOP, (f(z_top[i_]) - t_target[i_]) * Derivative(f(z_top[i_]), z_top[i_]), evaluate=False),
    text=r"the base case: for $\mathcal L = \tfrac12\lVert a^{[L]} - t\rVert^2$, $a^{[L]} = f(z^{[L]})$, "
    r"$\delta^{[L]} = (a^{[L]} - t) \odot f'(z^{[L]})$",
)
BACKWARD_STEP = Statement(
    "backward step",
    Eq(DELTA_STEP, RECURSION, evaluate=False),
    text=r"the induction step: $\mathcal L$ depends on $z^{[l]}$ only through $z^{[l+1]} = W^{[l+1]} f(z^{[l]})$, so "
    r"$\delta^{[l]} = (W^{[l+1]\top}\delta^{[l+1]}) \odot f'(z^{[l]})$; from the base case at $l = L$, by "
    r"induction downwards every error signal, and so every weight gradient, is computed by the backward pass, "
    r"for every depth $L$ and any widths",
)

# the question's layer: the next layer's weights W[l+1], its error signal delta[l+1], and f'(z[l])
INPUT = real(-2, 2)
QW = matrices.symbol_matrix("W", 2, 2, INPUT)
QD = matrices.symbol_vector("delta", 2, INPUT)
SLOPES = real(0, 1)
QG = matrices.symbol_vector("g", 2, SLOPES)
Q_DELTA = (QW.T * QD).multiply_elementwise(QG)  # delta[l] = (W^T delta) * f'(z[l])

# -- the homework question, and where the identity comes from --------------------------------------
QUESTION = Question(
    target=Q_DELTA[0],
    prompt=r"A layer $a^{[l]} = f(W^{[l]} a^{[l-1]})$ of width 2 receives the error signal "
    r"$\delta^{[l+1]} = (\delta_1, \delta_2)$ through the next layer's weights $W = W^{[l+1]}$ (entries "
    r"W11, W12, W21, W22). With $g_i = f'(z^{[l]}_i)$, what is $\delta^{[l]}_1$?",
    variables=(*QW, *QD, *QG),
    approximations={
        r"$W\delta$ instead of $W^\top\delta$: the error flows back through the transposed weights": (
            QW * QD
        ).multiply_elementwise(QG)[0],
        r"the factor $f'(z^{[l]}_1)$ is missing": (QW.T * QD)[0],
    },
)
REFS = (
    Ref.cite("rumelhart1986"),
    Ref.cite("goodfellow2016", where="Sec. 6.5"),
)


# -- how it is derived -----------------------------------------------------------------------------
def derivation(d: Derivation) -> None:
    r"""Every automatic-differentiation framework evaluates the chain rule backwards: the error signal
    $\delta^{[l]} = (W^{[l+1]\top}\delta^{[l+1]}) \odot f'(z^{[l]})$, seeded by
    $\delta^{[L]} = \nabla_{a^{[L]}}\mathcal L \odot f'(z^{[L]})$, gives every weight gradient as
    $\partial\mathcal L/\partial W^{[l]} = \delta^{[l]} a^{[l-1]\top}$ at the cost of one extra pass. Here $f$ is
    any differentiable activation, the widths are any $n$ (a layer) and $m$ (the layer below), and
    $\mathcal L = \tfrac12\|a^{[L]} - t\|^2$; the depth enters only through the induction."""
    d.begin(DELTA_TOP, r"differentiate the loss in $z^{[L]}_i$", title="The base case: the output layer")
    d.then(
        lambda e: in_range(collapse(e.doit())),
        r"only the term $k = i$ depends on $z^{[L]}_i$: the Kronecker delta collapses the sum",
    )
    d.then(OUTPUT_LAYER.relation.rhs, r"$(a^{[L]}_i - t_i)\,f'(z^{[L]}_i)$")  # type: ignore[union-attr]
    d.conclude("output layer")

    d.begin(
        DELTA_STEP,
        r"the chain rule through $z^{[l+1]}_k = \sum_q W^{[l+1]}_{kq} f(z^{[l]}_q)$",
        title="The induction step: one layer down",
    )
    d.then(
        lambda e: in_range(collapse(e.doit())),
        r"$\partial z^{[l+1]}_k/\partial z^{[l]}_j = W^{[l+1]}_{kj} f'(z^{[l]}_j)$: the delta over $q$ collapses",
    )
    d.then(RECURSION, r"$f'(z^{[l]}_j)\,(W^{[l+1]\top}\delta^{[l+1]})_j$")
    d.conclude("backward step")

    d.begin(
        DW_IJ,
        r"the chain rule through $z^{[l]}_k = \sum_q W^{[l]}_{kq} a^{[l-1]}_q$",
        title="The weight gradient of any layer",
    )
    d.then(lambda e: in_range(collapse(e.doit())), r"$\partial z^{[l]}_k/\partial W^{[l]}_{ij} = [k = i]\,a^{[l-1]}_j$")
    d.then(CLAIM.relation.rhs, r"the outer product $\delta^{[l]} a^{[l-1]\top}$, entry $(i, j)$")  # type: ignore[union-attr]
    d.conclude("claim")


# -- how it is checked -----------------------------------------------------------------------------
def crosscheck(ctx: CheckContext) -> CrossCheckResult:
    """A random tanh network of depth 6 and widths 4-7-5-6-3-5-2: the recursion of
    :func:`derive.maths.layers.backward` (numpy) against central differences of the loss in every weight."""
    rng = ctx.rng
    widths = [4, 7, 5, 6, 3, 5, 2]
    weights = [rng.normal(0.0, 1.0 / np.sqrt(m), (k, m)) for m, k in pairwise(widths)]
    x = rng.normal(size=widths[0])
    t = rng.uniform(-1.0, 1.0, widths[-1])

    def loss(ws: list[np.ndarray]) -> float:
        _, acts = layers.forward(x, ws, np.tanh)
        return float(0.5 * np.sum((acts[-1] - t) ** 2))

    zs, acts = layers.forward(x, weights, np.tanh)
    _, grads = layers.backward(weights, zs, acts, acts[-1] - t, lambda z: 1.0 - np.tanh(z) ** 2)
    results = []
    for layer, (w, g) in enumerate(zip(weights, grads, strict=True), start=1):

        def loss_of(m: np.ndarray, layer: int = layer) -> float:
            ws = list(weights)
            ws[layer - 1] = m
            return loss(ws)

        fd = linalg.gradient_fd(loss_of, w)
        results.append(
            ctx.compare(f"dL/dW[{layer}]", "central differences", g, fd, rtol=1e-6, floor=float(np.max(np.abs(fd))))
        )
    return combine(*results)


# -- the declaration -------------------------------------------------------------------------------
BACKPROP_CHAIN_RULE = declare(
    "backprop-chain-rule",
    aliases=("backprop", "backpropagation", "chain-rule"),
    title="Backpropagation is the chain rule",
    section="2.1",
    map_row=r"$\partial\mathcal L/\partial W^{[l]} = \partial\mathcal L/\partial a^{[L]}\,"
    r"\prod_k \partial a^{[k]}/\partial a^{[k-1]}\,\partial a^{[l]}/\partial W^{[l]}$",
    variables={
        **matrices.entry_domains(QW, INPUT),
        **matrices.entry_domains(QD, INPUT),
        **matrices.entry_domains(QG, SLOPES),
        n_w: WIDTH,
        m_w: WIDTH,
        i_: integer(1, n_w),
        j_: integer(1, m_w),
        W_l: ENTRY,
        a_below: ENTRY,
        delta_l: ENTRY,
        W_up: ENTRY,
        delta_up: ENTRY,
        z_l: ENTRY,
        z_top: ENTRY,
        t_target: ENTRY,
    },
    claim=CLAIM,
    also=(OUTPUT_LAYER, BACKWARD_STEP),
    derivation=derivation,
    crosscheck=crosscheck,
    question=QUESTION,
    refs=REFS,
)
