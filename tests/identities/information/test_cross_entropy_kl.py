"""Targeted falsehoods for cross-entropy as entropy plus KL (map 4): minus the KL, the KL the wrong way
round, the gradient without p."""

from __future__ import annotations

from collections.abc import Callable

import sympy as sp
from sympy import Eq, log

from derive.identities.information import cross_entropy_kl as ce


def test_cross_entropy_minus_kl(rejected: Callable[..., None]) -> None:
    rejected(ce.CROSS_ENTROPY_KL, "claim", Eq(ce.H_PQ, ce.H_P - ce.KL_PQ))


def test_cross_entropy_kl_wrong_direction(rejected: Callable[..., None]) -> None:
    reverse = ce._sum(ce.qq[ce.i] * log(ce.qq[ce.i] / ce.pp[ce.i]))
    rejected(ce.CROSS_ENTROPY_KL, "claim", Eq(ce.H_PQ, ce.H_P + reverse))


def test_cross_entropy_gradient_without_p(rejected: Callable[..., None]) -> None:
    # d/dq_j of -sum p_i log q_i is -p_j/q_j, not -1/q_j
    wrong = Eq(sp.Derivative(ce.H_PQ, ce.qq[ce.jq]), -1 / ce.qq[ce.jq])
    rejected(ce.CROSS_ENTROPY_KL, "same gradient in q", wrong)
