"""Targeted falsehoods for Adam's bias correction (map 5.1): a correction one power off, a mean without
its bias; the Monte Carlo check is tight enough to tell the right correction from the wrong one."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import sympy as sp
from sympy import Eq

from derive.identities.optimisation import adam_bias_correction as ab
from derive.identities.optimisation._shared import ema_loop
from derive.numeric.montecarlo import agrees, estimate
from derive.numeric.sampling import generator


def test_adam_bias_correction_one_power_off(rejected: Callable[..., None]) -> None:
    corrected = sp.Mul(ab._mean_m(ab.t), sp.Pow(1 - ab.beta1 ** (ab.t + 1), -1), evaluate=False)
    rejected(ab.ADAM_BIAS_CORRECTION, "m_hat unbiased", Eq(corrected, ab.mu, evaluate=False))


def test_adam_mean_of_m_without_the_bias(rejected: Callable[..., None]) -> None:
    statements = ab.ADAM_BIAS_CORRECTION.statements
    lhs = statements[[s.label for s in statements].index("E[m_t]")]
    wrong = Eq(lhs.relation.lhs, ab.mu, evaluate=False)
    rejected(ab.ADAM_BIAS_CORRECTION, "E[m_t]", wrong)


def test_adam_monte_carlo_separates_right_and_wrong_corrections() -> None:
    # the Monte Carlo tolerance (5 standard errors) is tight enough to reject m_t/(1 - beta1^(t+1))
    ctx = ab.ADAM_BIAS_CORRECTION.check_context(generator(5), 5, None, {})
    assert ab.crosscheck(ctx).ok
    rng = np.random.default_rng(11)
    b1, mean = 0.9, 1.3
    m = ema_loop(rng.normal(mean, 1.0, size=(12, 20000)), b1, 1 - b1)
    steps = np.arange(1, 13)[:, None]
    assert agrees(ctx, "right", estimate(m / (1 - b1**steps), axis=1), mean).ok
    assert not agrees(ctx, "wrong", estimate(m / (1 - b1 ** (steps + 1)), axis=1), mean).ok
