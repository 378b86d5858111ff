r"""2.1 The chain rule is backpropagation.

For a network :math:`a^{[l]} = f(W^{[l]} a^{[l-1]})` the gradient of the loss with respect to every
weight matrix is an outer product :math:`\delta^{[l]} a^{[l-1]\top}`, with the error signals
:math:`\delta^{[l]}` computed backwards by one matrix-vector product per layer. ``backprop-chain-rule``
derives this for a 3-layer network with symbolic :math:`2\times2` weights, entry by entry against
``sympy.diff`` of the fully composed loss, and checks it on a random depth-6 network of mixed widths
against finite differences.
"""

from __future__ import annotations

from itertools import pairwise

import numpy as np
import sympy as sp
from sympy import Derivative, Eq, ImmutableMatrix, Rational, tanh

from derive.core.derivation import Derivation
from derive.core.identity import Question, Ref, identity
from derive.core.statements import Statement
from derive.maths.domains import real
from derive.maths.layers import backward, forward
from derive.maths.matrices import entry_domains, symbol_matrix, symbol_vector
from derive.maths.notation import fold_nodes, named
from derive.numeric.crosscheck import CheckContext, CrossCheckResult, combine
from derive.numeric.linalg import gradient_fd

DEPTH, WIDTH = 3, 2
X = symbol_vector("x", WIDTH, real(-2, 2))
T = symbol_vector("t", WIDTH, real(-1, 1))
WEIGHT_DOMAIN = real(Rational(-3, 2), Rational(3, 2))
WEIGHTS = [symbol_matrix(name, WIDTH, WIDTH, WEIGHT_DOMAIN) for name in ("u", "v", "w")]  # W[1], W[2], W[3]
ALL = [*X, *T, *(e for w in WEIGHTS for e in w)]


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


def _layer_statement(layer: int) -> Statement:
    return Statement(
        "claim" if layer == 1 else f"layer {layer}",
        Eq(gradient_form(layer), outer_form(layer), evaluate=False),
        text=rf"$\partial L/\partial W^{{[{layer}]}} = \delta^{{[{layer}]}} a^{{[{layer - 1}]\top}}$"
        + (r" with $a^{[0]} = x$" if layer == 1 else ""),
    )


# ----------------------------------------------------------------------------- the depth-6 check
def _mlp_check(ctx: CheckContext) -> CrossCheckResult:
    """A random tanh network of depth 6 and widths 4-7-5-6-3-5-2: the recursion of
    :func:`derive.moves.chain.backward` (numpy) against central differences of the loss in every weight."""
    rng = ctx.rng
    widths = [4, 7, 5, 6, 3, 5, 2]
    weights = [rng.normal(0.0, 1.0 / np.sqrt(m), (k, m)) for m, k in pairwise(widths)]
    x = rng.normal(size=widths[0])
    t = rng.uniform(-1.0, 1.0, widths[-1])

    def loss(ws: list[np.ndarray]) -> float:
        _, acts = forward(x, ws, np.tanh)
        return float(0.5 * np.sum((acts[-1] - t) ** 2))

    zs, acts = forward(x, weights, np.tanh)
    _, grads = backward(weights, zs, acts, acts[-1] - t, lambda z: 1.0 - np.tanh(z) ** 2)
    results = []
    for layer, (w, g) in enumerate(zip(weights, grads, strict=True), start=1):

        def loss_of(m: np.ndarray, layer: int = layer) -> float:
            ws = list(weights)
            ws[layer - 1] = m
            return loss(ws)

        fd = gradient_fd(loss_of, w)
        results.append(
            ctx.compare(f"dL/dW[{layer}]", "central differences", g, fd, rtol=1e-6, floor=float(np.max(np.abs(fd))))
        )
    return combine(*results)


# ----------------------------------------------------------------------------- the question
QW = symbol_matrix("W", WIDTH, WIDTH, real(-2, 2))  # the next layer's weights W[l+1]
QD = symbol_vector("delta", WIDTH, real(-2, 2))  # its error signal delta[l+1]
QG = symbol_vector("g", WIDTH, real(0, 1))  # f'(z[l])
Q_DELTA = (QW.T * QD).multiply_elementwise(QG)  # delta[l] = (W^T delta) * f'(z[l])


@identity(
    "backprop-chain-rule",
    aliases=("backprop", "backpropagation", "chain-rule"),
    title="Backpropagation is the chain rule",
    section="2.1",
    map_row=r"$\partial\mathcal L/\partial W^{[l]} = \partial\mathcal L/\partial a^{[L]}\,"
    r"\prod_k \partial a^{[k]}/\partial a^{[k-1]}\,\partial a^{[l]}/\partial W^{[l]}$",
    variables={
        **entry_domains(X, real(-2, 2)),
        **entry_domains(T, real(-1, 1)),
        **{e: WEIGHT_DOMAIN for w in WEIGHTS for e in w},
        **entry_domains(QW, real(-2, 2)),
        **entry_domains(QD, real(-2, 2)),
        **entry_domains(QG, real(0, 1)),
    },
    claim=_layer_statement(1),
    also=[_layer_statement(2), _layer_statement(3)],
    definitions=DEFINITIONS,
    crosscheck=_mlp_check,
    question=Question(
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
    ),
    refs=(
        Ref.book(
            "D. E. Rumelhart, G. E. Hinton and R. J. Williams (1986), Learning representations by "
            "back-propagating errors, Nature 323"
        ),
        Ref.book("I. Goodfellow, Y. Bengio and A. Courville (2016), Deep Learning", "Sec. 6.5"),
    ),
)
def backprop_chain_rule(d: Derivation) -> None:
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


RECURSION_BODY = [sp.Matrix([DELTA_DEFS[node] for node in DELTA[layer]]) for layer in range(DEPTH)]
