"""Targeted falsehoods for log-sum-exp (map 2.2): the shift added back with the wrong sign; and the
stable form is finite where the naive one overflows."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from sympy import Eq, Sum, exp, log

from derive.identities.calculus import log_sum_exp as lse
from derive.numeric.stable import logsumexp


def test_log_sum_exp_shift_with_the_wrong_sign(rejected: Callable[..., None]) -> None:
    z, k, n, m = lse.z, lse.k, lse.n, lse.m
    rejected(lse.LOG_SUM_EXP, "claim", Eq(lse.LSE, -m + log(Sum(exp(z[k] - m), (k, 1, n)))))


def test_log_sum_exp_is_stable_where_the_naive_form_overflows() -> None:
    z = np.array([1000.0, 999.0, -1000.0])
    assert np.isfinite(logsumexp(z)) and abs(logsumexp(z) - (1000.0 + np.log1p(np.exp(-1.0)))) < 1e-12
    with np.errstate(over="ignore"):
        assert not np.isfinite(np.log(np.sum(np.exp(z))))
