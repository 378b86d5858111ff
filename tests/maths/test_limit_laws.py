"""The limit laws as a rule: limits through finite sums of symbolic length, products and quotients; a proviso
that fails (a zero denominator, an oscillating term, an infinite limit) leaves the limit unevaluated."""

from __future__ import annotations

import sympy as sp

from derive.core.facts import LIMIT_LAWS
from derive.maths.limit_laws import LimitLaws

T = sp.Symbol("T", positive=True)
x = sp.Symbol("x", positive=True)
n = sp.Symbol("n", integer=True, positive=True)
k = sp.Symbol("k", integer=True, positive=True)
g = sp.IndexedBase("g", positive=True)
REST = sp.Sum(sp.exp(-g[k] / T), (k, 2, n))


def test_limits_through_a_finite_sum_of_symbolic_length() -> None:
    laws = LimitLaws()
    assert laws(sp.Limit(1 / (1 + REST), T, 0, "+")) == 1
    assert laws(sp.Limit(1 / (1 + REST), T, sp.oo, "-")) == 1 / n
    assert laws(sp.Limit(sp.exp(-g[3] / T) / (1 + REST), T, 0, "+")) == 0
    assert LIMIT_LAWS.rewrite(sp.Limit(sp.log(1 + REST), T, sp.oo, "-")) == sp.log(n)


def test_a_failing_proviso_leaves_the_limit_alone() -> None:
    laws = LimitLaws()
    for lim in (
        sp.Limit(1 / sp.Sum(x**k, (k, 1, n)), x, 0, "+"),  # the denominator tends to 0
        sp.Limit(sp.Sum(sp.sin(1 / x), (k, 1, n)), x, 0, "+"),  # the terms oscillate
        sp.Limit(sp.Sum(1 / x, (k, 1, n)), x, 0, "+"),  # the terms diverge
        sp.Limit(sp.Sum(sp.exp(-x), (k, 1, sp.floor(1 / x))), x, 0, "+"),  # the range depends on x
    ):
        assert laws(lim) == lim, lim
