"""Targeted falsehoods for the RNN's spectral radius (map 1.2): an off-by-one power in the induction step,
a decaying mode that tends to 1; the cross-check catches Lambda^t without the change of basis."""

from __future__ import annotations

from collections.abc import Callable

import sympy as sp
from sympy import Eq

from derive.authoring import notation
from derive.identities.linear_algebra import rnn_spectral_radius as rnn
from derive.numeric.sampling import generator


def test_rnn_step_off_by_one_power_is_rejected(rejected: Callable[..., None], lhs: Callable[..., sp.Basic]) -> None:
    wrong = notation("wrong", rnn._power(rnn.t))
    rejected(rnn.RNN_SPECTRAL_RADIUS, "step", Eq(lhs(rnn.RNN_SPECTRAL_RADIUS, "step"), wrong, evaluate=False))


def test_rnn_decay_to_one_is_rejected(rejected: Callable[..., None], lhs: Callable[..., sp.Basic]) -> None:
    rejected(rnn.RNN_SPECTRAL_RADIUS, "decay", Eq(lhs(rnn.RNN_SPECTRAL_RADIUS, "decay"), 1))


def test_rnn_crosscheck_catches_lambda_power_only() -> None:
    ident = rnn.RNN_SPECTRAL_RADIUS
    ctx = ident.check_context(generator(1, salt="t"), 1, values={"power": sp.diag(rnn.l_1**rnn.t, rnn.l_2**rnn.t)})
    assert not ident.crosscheck(ctx).ok
