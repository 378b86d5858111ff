"""Targeted falsehoods for SGD with momentum (map 5.1): a series summed with the wrong sign, an unrolled
buffer one power off; the answer checker tells the right effective rate from the wrong one."""

from __future__ import annotations

from collections.abc import Callable

import sympy as sp
from sympy import Eq

import derive
from derive.identities.optimisation import sgd_momentum as sm


def test_momentum_steady_state_with_one_plus_beta(rejected: Callable[..., None]) -> None:
    wrong = Eq(sm.gbar / (1 + sm.beta) - sm._geometric(sm.t), sm.beta**sm.t * sm.gbar / (1 + sm.beta))
    rejected(sm.SGD_MOMENTUM, "gap", wrong)
    assert derive.check("sgd-momentum", "eta/(1 + beta)").correct is False
    assert derive.check("sgd-momentum", "eta/(1 - beta)").correct is True


def test_momentum_unrolled_with_one_power_too_many(rejected: Callable[..., None]) -> None:
    t, k, b, g = sm.t, sm.k, sm.beta, sm.g
    wrong = sp.Sum(b ** (t - k + 1) * g[k], (k, 1, t))
    lhs = sm.SGD_MOMENTUM.statements[0].relation.lhs
    rejected(sm.SGD_MOMENTUM, "unrolled", Eq(lhs, wrong, evaluate=False))
