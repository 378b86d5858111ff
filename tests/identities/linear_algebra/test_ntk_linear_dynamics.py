"""Targeted falsehoods for the NTK's linear dynamics (map 1.2): a mode that decays without the learning
rate, gradient ascent instead of descent."""

from __future__ import annotations

from collections.abc import Callable

import sympy as sp
from sympy import Eq, exp

from derive.authoring import notation
from derive.identities.linear_algebra import ntk_linear_dynamics as ntk


def test_ntk_mode_without_learning_rate_is_rejected(
    rejected: Callable[..., None], lhs: Callable[..., sp.Basic]
) -> None:
    wrong = exp(-ntk.mu1 * ntk.t) * (ntk.U_NTK[:, 0].T * ntk.r0)[0, 0]
    rejected(ntk.NTK_LINEAR_DYNAMICS, "mode 1", Eq(lhs(ntk.NTK_LINEAR_DYNAMICS, "mode 1"), wrong, evaluate=False))


def test_ntk_gradient_ascent_is_rejected(rejected: Callable[..., None], lhs: Callable[..., sp.Basic]) -> None:
    wrong = notation("wrong", ntk.eta * ntk.THETA_K * ntk.RESIDUAL)
    rejected(
        ntk.NTK_LINEAR_DYNAMICS,
        "gradient flow",
        Eq(lhs(ntk.NTK_LINEAR_DYNAMICS, "gradient flow"), wrong, evaluate=False),
    )
