"""Targeted falsehoods for AdamW (map 5.1): SGD's decay without the learning rate, Adam's gap without the
preconditioner."""

from __future__ import annotations

from collections.abc import Callable

import sympy as sp
from sympy import Eq

from derive.identities.optimisation import adamw_decoupled as aw


def test_adamw_sgd_decay_without_learning_rate(rejected: Callable[..., None]) -> None:
    wrong = Eq(aw.SGD_L2, (1 - aw.lam) * aw.THETA - aw.eta * aw._grad(aw.LOSS), evaluate=False)
    rejected(aw.ADAMW_DECOUPLED, "SGD", wrong)


def test_adamw_gap_without_the_preconditioner(rejected: Callable[..., None]) -> None:
    wrong = sp.Matrix([aw.eta * aw.lam * aw.th1, aw.eta * aw.lam * aw.th2])
    rejected(aw.ADAMW_DECOUPLED, "Adam: L2 vs decoupled", Eq(aw.ADAM_L2 - aw.ADAMW, wrong, evaluate=False))
