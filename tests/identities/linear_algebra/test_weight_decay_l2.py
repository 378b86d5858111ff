"""Targeted falsehoods for weight decay (map 1.4): a factor 2 in the penalty's gradient, a step that grows
the weights instead of shrinking them."""

from __future__ import annotations

from collections.abc import Callable

import sympy as sp
from sympy import Eq

from derive.identities.linear_algebra import weight_decay_l2 as wd


def test_weight_decay_gradient_has_no_factor_two(rejected: Callable[..., None]) -> None:
    rejected(wd.WEIGHT_DECAY_L2, "gradient", Eq(wd.GRAD_J, 2 * wd.lam_wd * wd.th, evaluate=False))


def test_weight_decay_shrinks_not_grows(rejected: Callable[..., None], lhs: Callable[..., sp.Basic]) -> None:
    wrong = (1 + wd.eta * wd.lam_wd) * wd.th - wd.eta * wd.g
    rejected(wd.WEIGHT_DECAY_L2, "step", Eq(lhs(wd.WEIGHT_DECAY_L2, "step"), wrong))
