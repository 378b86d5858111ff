r"""Backpropagation is the chain rule.

For a network $a^{[l]} = f(W^{[l]} a^{[l-1]})$ the gradient of the loss in every weight matrix is an
outer product $\delta^{[l]} a^{[l-1]\top}$, with the error signals $\delta^{[l]}$ computed backwards
by one matrix-vector product per layer (map 2.1, the chain rule is backpropagation). Derived here
for a 3-layer tanh network with symbolic $2\times2$ weights, entry by entry against ``sympy.diff`` of
the fully composed loss, and checked on a random depth-6 network of mixed widths against finite
differences. Rumelhart, Hinton and Williams (1986), Learning representations by back-propagating
errors; Goodfellow, Bengio and Courville (2016), Deep Learning, Sec. 6.5.
"""

from __future__ import annotations

from itertools import pairwise

import numpy as np
import sympy as sp
from sympy import Derivative, Eq, ImmutableMatrix, Rational, tanh

from derive.authoring import (
    CheckContext,
    CrossCheckResult,
    Derivation,
    Question,
    Ref,
    Statement,
    combine,
    declare,
    fold_nodes,
    layers,
    linalg,
    matrices,
    named,
    real,
)

# -- symbols ---------------------------------------------------------------------------------------
DEPTH, WIDTH = 3, 2
INPUT = real(-2, 2)
TARGET = real(-1, 1)
WEIGHT_DOMAIN = real(Rational(-3, 2), Rational(3, 2))
X = matrices.symbol_vector("x", WIDTH, INPUT)
T = matrices.symbol_vector("t", WIDTH, TARGET)
WEIGHTS = [matrices.symbol_matrix(name, WIDTH, WIDTH, WEIGHT_DOMAIN) for name in ("u", "v", "w")]  # W[1], W[2], W[3]
ALL = [*X, *T, *(e for w in WEIGHTS for e in w)]

# the question's layer: the next layer's weights W[l+1], its error signal delta[l+1], and f'(z[l])
QW = matrices.symbol_matrix("W", WIDTH, WIDTH, INPUT)
QD = matrices.symbol_vector("delta", WIDTH, INPUT)
SLOPES = real(0, 1)
QG = matrices.symbol_vector("g", WIDTH, SLOPES)
Q_DELTA = (QW.T * QD).multiply_elementwise(QG)  # delta[l] = (W^T delta) * f'(z[l])

VARIABLES = {
    **matrices.entry_domains(X, INPUT),
    **matrices.entry_domains(T, TARGET),
    **{e: WEIGHT_DOMAIN for w in WEIGHTS for e in w},
    **matrices.entry_domains(QW, INPUT),
    **matrices.entry_domains(QD, INPUT),
    **matrices.entry_domains(QG, SLOPES),
}


def _tanh_prime_of_output(a: sp.Expr) -> sp.Expr:
    """tanh'(z) written through the activation a = tanh(z): 1 - a^2."""
    return 1 - a**2


# named nodes a[l]_i (innermost first, for fold), the loss L, and the error signals delta[l]_i
ACTIVATION_DEFS: dict[sp.Expr, sp.Expr] = {}
A: list[sp.Matrix] = [X]
for _l, _w in enumerate(WEIGHTS, start=1):
    _nodes = []
    for _i in range(WIDTH):
        _node, _def = named(rf"a^{{[{_l}]}}_{{{_i + 1}}}", ALL, tanh((_w * A[-1])[_i]), name=f"a{_l}_{_i + 1}")
        _nodes.append(_node)
        ACTIVATION_DEFS.update(_def)
    A.append(sp.Matrix(_nodes))
LOSS, LOSS_DEF = named("L", ALL, Rational(1, 2) * sum((A[DEPTH][i] - T[i]) ** 2 for i in range(WIDTH)), name="L")

DELTA_DEFS: dict[sp.Expr, sp.Expr] = {}
DELTA: list[sp.Matrix] = [sp.Matrix()] * DEPTH
for _l in range(DEPTH, 0, -1):  # delta[3] first: delta[l] is written with the node delta[l+1]
    _upstream = A[DEPTH] - T if _l == DEPTH else WEIGHTS[_l].T * DELTA[_l]
    _nodes = []
    for _i in range(WIDTH):
        _body = _upstream[_i] * _tanh_prime_of_output(A[_l][_i])
        _node, _def = named(rf"\delta^{{[{_l}]}}_{{{_i + 1}}}", ALL, _body, name=f"delta{_l}_{_i + 1}")
        _nodes.append(_node)
        DELTA_DEFS.update(_def)
    DELTA[_l - 1] = sp.Matrix(_nodes)
RECURSION_BODY = [sp.Matrix([DELTA_DEFS[node] for node in DELTA[layer]]) for layer in range(DEPTH)]

# unfold order: outer nodes first (delta[1] uses delta[2] uses delta[3]; L uses a[3] uses a[2] ...)
DEFINITIONS = {
    **dict(reversed(list(DELTA_DEFS.items()))),
    **LOSS_DEF,
    **dict(reversed(list(ACTIVATION_DEFS.items()))),
}


def gradient_form(layer: int) -> ImmutableMatrix:
    r"""The matrix :math:`\partial L/\partial W^{[l]}_{ij}` of unevaluated derivatives."""
    w = WEIGHTS[layer - 1]
    return ImmutableMatrix(w.rows, w.cols, lambda i, j: Derivative(LOSS, w[i, j]))


def outer_form(layer: int) -> ImmutableMatrix:
    r""":math:`\delta^{[l]} a^{[l-1]\top}` on the named nodes."""
    return ImmutableMatrix(DELTA[layer - 1] * A[layer - 1].T)


# -- what is claimed -------------------------------------------------------------------------------
def _layer_statement(layer: int) -> Statement:
    return Statement(
        "claim" if layer == 1 else f"layer {layer}",
        Eq(gradient_form(layer), outer_form(layer), evaluate=False),
        text=rf"$\partial L/\partial W^{{[{layer}]}} = \delta^{{[{layer}]}} a^{{[{layer - 1}]\top}}$"
        + (r" with $a^{[0]} = x$" if layer == 1 else ""),
    )


CLAIM = _layer_statement(1)
LAYER_2 = _layer_statement(2)
LAYER_3 = _layer_statement(3)

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
    $\partial\mathcal L/\partial W^{[l]} = \delta^{[l]} a^{[l-1]\top}$ at the cost of one extra pass.
    Here $f = \tanh$ (so $f'(z^{[l]}) = 1 - (a^{[l]})^2$) and $\mathcal L = \tfrac12\|a^{[3]} - t\|^2$."""
    d.begin(ImmutableMatrix(DELTA[DEPTH - 1]), title="The backward recursion")
    d.then(ImmutableMatrix(RECURSION_BODY[DEPTH - 1]), r"$\delta^{[3]} = (a^{[3]} - t) \odot (1 - (a^{[3]})^2)$")
    d.finish()
    for layer in range(DEPTH - 1, 0, -1):
        d.begin(ImmutableMatrix(DELTA[layer - 1]))
        d.then(
            ImmutableMatrix(RECURSION_BODY[layer - 1]),
            rf"$\delta^{{[{layer}]}} = (W^{{[{layer + 1}]\top}} \delta^{{[{layer + 1}]}})"
            rf" \odot (1 - (a^{{[{layer}]}})^2)$",
        )
        d.finish()

    inner_first = dict(ACTIVATION_DEFS)
    for layer in range(DEPTH, 0, -1):
        label = "claim" if layer == 1 else f"layer {layer}"
        d.begin(gradient_form(layer), scope="3 layers, 2 x 2 weights", title=f"Layer {layer}")
        d.then(
            lambda e: ImmutableMatrix(fold_nodes(d.unfold(e).doit(), inner_first)),
            r"sympy.diff of the fully composed loss, written with the activations $a^{[k]}$",
        )
        d.then(
            outer_form(layer),
            rf"the backward recursion above: this is $\delta^{{[{layer}]}} a^{{[{layer - 1}]\top}}$",
        )
        d.conclude(label)


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
    variables=VARIABLES,
    claim=CLAIM,
    also=(LAYER_2, LAYER_3),
    definitions=DEFINITIONS,
    derivation=derivation,
    crosscheck=crosscheck,
    question=QUESTION,
    refs=REFS,
)
