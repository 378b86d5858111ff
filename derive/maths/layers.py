r"""The chain rule through a composition of layers: the forward pass and the backward recursion.

A feed-forward network :math:`a^{[l]} = f(z^{[l]})`, :math:`z^{[l]} = W^{[l]} a^{[l-1]}`,
:math:`a^{[0]} = x`, with loss :math:`L(a^{[L]})` has the gradients (backpropagation)

.. math::

    \delta^{[L]} = \nabla_{a^{[L]}} L \odot f'(z^{[L]}), \qquad
    \delta^{[l]} = \bigl(W^{[l+1]\top}\delta^{[l+1]}\bigr) \odot f'(z^{[l]}), \qquad
    \frac{\partial L}{\partial W^{[l]}} = \delta^{[l]} a^{[l-1]\top}.

:func:`forward` and :func:`backward` are written once for explicit SymPy matrices *and* numpy arrays
(the same code derives the symbolic recursion and runs the numeric one). Name the layers' nodes
with :func:`derive.maths.notation.named` and fold a computed gradient back into them with
:func:`derive.maths.notation.fold_nodes`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import sympy as sp

Array = Any  # a SymPy Matrix or a numpy array


def _hadamard(a: Array, b: Array) -> Array:
    return a.multiply_elementwise(b) if isinstance(a, sp.MatrixBase) else a * b


def _apply(fn: Callable[[Any], Any], z: Array) -> Array:
    return z.applyfunc(fn) if isinstance(z, sp.MatrixBase) else fn(z)


def _outer(a: Array, b: Array) -> Array:
    return a * b.T if isinstance(a, sp.MatrixBase) else np.outer(a, b)


def _t(w: Array) -> Array:
    return w.T


def forward(x: Array, weights: Sequence[Array], f: Callable[[Any], Any]) -> tuple[list[Array], list[Array]]:
    r"""Pre-activations :math:`z^{[l]} = W^{[l]} a^{[l-1]}` and activations :math:`a^{[l]} = f(z^{[l]})`
    (``activations[0]`` is ``x``)."""
    zs: list[Array] = []
    activations: list[Array] = [x]
    for w in weights:
        zs.append(w @ activations[-1])
        activations.append(_apply(f, zs[-1]))
    return zs, activations


def backward(
    weights: Sequence[Array],
    zs: Sequence[Array],
    activations: Sequence[Array],
    upstream: Array,
    fprime: Callable[[Any], Any],
) -> tuple[list[Array], list[Array]]:
    r"""The backward recursion: ``(deltas, grads)`` with :math:`\delta^{[l]}` and
    :math:`\partial L/\partial W^{[l]} = \delta^{[l]} a^{[l-1]\top}`, layer 1 first.

    ``upstream`` is :math:`\nabla_{a^{[L]}} L`; ``fprime`` is :math:`f'` applied to pre-activations.
    """
    depth = len(weights)
    deltas: list[Array] = [None] * depth
    deltas[-1] = _hadamard(upstream, _apply(fprime, zs[-1]))
    for layer in range(depth - 2, -1, -1):
        deltas[layer] = _hadamard(_t(weights[layer + 1]) @ deltas[layer + 1], _apply(fprime, zs[layer]))
    grads = [_outer(deltas[layer], activations[layer]) for layer in range(depth)]
    return deltas, grads
