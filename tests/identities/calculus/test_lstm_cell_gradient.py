"""Targeted falsehoods for the LSTM cell (map 2.3): the direct path without its forget gate, an
induction step that drops the new gate; and the cross-check detects a missing gate."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from sympy import Derivative, Eq, KroneckerDelta

from derive.identities.calculus import lstm_cell_gradient as lc
from derive.numeric.sampling import generator


def test_lstm_without_forget_gate(rejected: Callable[..., None]) -> None:
    rejected(lc.LSTM_CELL_GRADIENT, "direct path", Eq(Derivative(lc.CELL, lc.cp[lc.j]), KroneckerDelta(lc.j, lc.k)))


def test_lstm_one_more_step_drops_the_new_gate(rejected: Callable[..., None]) -> None:
    """Forgetting f_{T+1}: the induction step would claim the error passes a new step undamped."""
    rel = next(s.relation for s in lc.LSTM_CELL_GRADIENT.statements if s.label == "one more step")
    rejected(lc.LSTM_CELL_GRADIENT, "one more step", Eq(rel.lhs, Derivative(lc.C_BELOW(lc.c0), lc.c0)))


def test_lstm_crosscheck_detects_a_missing_gate() -> None:
    # the same finite differences of the unrolled cell, compared with prod f_t over 99 steps
    ident = lc.LSTM_CELL_GRADIENT
    ctx = ident.check_context(generator(7, salt=ident.name), 7, ident.claim.rhs, {})
    f = ctx.rng.uniform(0.3, 0.7, (100, 4))
    c0 = ctx.rng.normal(size=4)
    c_plus, c_minus = c0 + 0.5, c0 - 0.5
    for t in range(100):
        c_plus, c_minus = f[t] * c_plus, f[t] * c_minus
    fd = c_plus - c_minus
    assert np.allclose(fd, np.prod(f, axis=0), rtol=1e-12)
    assert not ctx.compare("wrong", "fd", fd, np.prod(f[1:], axis=0), rtol=1e-6).ok
