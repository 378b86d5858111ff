"""Targeted falsehoods for backpropagation (map 2.1): W instead of W^T, a missing f'(z); and the
backward recursion of derive.maths.layers against finite differences."""

from __future__ import annotations

from collections.abc import Callable
from itertools import pairwise

import numpy as np
import pytest
from sympy import Eq, ImmutableMatrix

from derive.identities.calculus import backprop_chain_rule as bp


def test_backprop_without_the_transpose(rejected: Callable[..., None]) -> None:
    """delta[2] = (W[3] delta[3]) * f'(z[2]) (W not transposed) is wrong for a non-symmetric W."""
    a, w, delta = bp.A, bp.WEIGHTS, bp.DELTA
    wrong_delta = (w[2] * delta[2]).multiply_elementwise(a[2].applyfunc(lambda v: 1 - v**2))
    wrong = Eq(bp.gradient_form(2), ImmutableMatrix(wrong_delta * a[1].T), evaluate=False)
    rejected(bp.BACKPROP_CHAIN_RULE, "layer 2", wrong)


def test_backprop_without_the_activation_derivative(rejected: Callable[..., None]) -> None:
    """Forgetting f'(z[3]) in the output error signal."""
    a, t = bp.A, bp.T
    wrong = Eq(bp.gradient_form(3), ImmutableMatrix((a[3] - t) * a[2].T), evaluate=False)
    rejected(bp.BACKPROP_CHAIN_RULE, "layer 3", wrong)


@pytest.mark.parametrize("depth", [1, 6])
def test_backprop_moves_agree_with_finite_differences(depth: int) -> None:
    from derive.maths.layers import backward, forward
    from derive.numeric.linalg import gradient_fd

    rng = np.random.default_rng(7)
    widths = [3] + [4] * (depth - 1) + [2]
    ws = [rng.normal(size=(k, m)) / np.sqrt(m) for m, k in pairwise(widths)]
    xv, t = rng.normal(size=3), rng.normal(size=2)
    zs, acts = forward(xv, ws, np.tanh)
    _, grads = backward(ws, zs, acts, acts[-1] - t, lambda z: 1 - np.tanh(z) ** 2)

    def loss(m: np.ndarray) -> float:
        _, a = forward(xv, [*ws[:-1], m], np.tanh)
        return float(0.5 * np.sum((a[-1] - t) ** 2))

    assert np.allclose(grads[-1], gradient_fd(loss, ws[-1]), rtol=1e-6, atol=1e-9)
