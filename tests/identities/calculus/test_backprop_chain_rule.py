"""Targeted falsehoods for backpropagation (map 2.1), at any widths and depth: W instead of W^T in the backward
step, a missing f'(z) in the step or at the output layer, a transposed weight gradient; and the backward
recursion of derive.maths.layers against finite differences."""

from __future__ import annotations

from collections.abc import Callable
from itertools import pairwise

import numpy as np
import pytest
import sympy as sp
from sympy import Derivative, Eq

import derive
from derive.identities.calculus import backprop_chain_rule as bp


def test_backprop_is_general() -> None:
    p = derive.prove("backprop-chain-rule")
    assert p.ok and p.level == "general"
    assert {o.label: o.level for o in p.outcomes} == {
        "claim": "general",
        "output layer": "general",
        "backward step": "general",
    }


def test_backprop_without_the_transpose(rejected: Callable[..., None]) -> None:
    """delta[l]_j = f'(z_j) sum_k W_jk delta_k (W not transposed) is wrong."""
    wrong = Derivative(bp.f(bp.z_l[bp.j_]), bp.z_l[bp.j_]) * sp.Sum(
        bp.W_up[bp.j_, bp.kk] * bp.delta_up[bp.kk], (bp.kk, 1, bp.n_w)
    )
    rejected(bp.BACKPROP_CHAIN_RULE, "backward step", Eq(bp.DELTA_STEP, wrong, evaluate=False))


def test_backprop_step_without_the_activation_derivative(rejected: Callable[..., None]) -> None:
    wrong = sp.Sum(bp.W_up[bp.kk, bp.j_] * bp.delta_up[bp.kk], (bp.kk, 1, bp.n_w))
    rejected(bp.BACKPROP_CHAIN_RULE, "backward step", Eq(bp.DELTA_STEP, wrong, evaluate=False))


def test_backprop_output_layer_without_the_activation_derivative(rejected: Callable[..., None]) -> None:
    """Forgetting f'(z[L]) in the output error signal."""
    wrong = bp.f(bp.z_top[bp.i_]) - bp.t_target[bp.i_]
    rejected(bp.BACKPROP_CHAIN_RULE, "output layer", Eq(bp.DELTA_TOP, wrong, evaluate=False))


def test_backprop_weight_gradient_is_not_transposed(rejected: Callable[..., None]) -> None:
    wrong = bp.delta_l[bp.j_] * bp.a_below[bp.i_]
    rejected(bp.BACKPROP_CHAIN_RULE, "claim", Eq(bp.DW_IJ, wrong, evaluate=False))


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
