"""Targeted falsehoods for dropout and the binary cross-entropy (map 3.2): the dropout variance upside
down, dropout without rescaling, the BCE gradient's sign."""

from __future__ import annotations

from collections.abc import Callable

from sympy import Derivative, Eq, Sum

from derive.identities.probability import bernoulli_dropout as bd


def test_dropout_variance_upside_down(rejected: Callable[..., None]) -> None:
    lhs = Sum(bd.BERNOULLI * (bd.m * bd.xv / bd.p_keep - bd.xv) ** 2, (bd.m, 0, 1))
    rejected(bd.BERNOULLI_DROPOUT, "variance", Eq(lhs, bd.xv**2 * bd.p_keep / (1 - bd.p_keep)))


def test_dropout_without_rescaling_is_biased(rejected: Callable[..., None]) -> None:
    lhs = Sum(bd.BERNOULLI * bd.m * bd.xv / bd.p_keep, (bd.m, 0, 1))
    rejected(bd.BERNOULLI_DROPOUT, "mean", Eq(lhs, bd.p_keep * bd.xv))


def test_bce_gradient_sign(rejected: Callable[..., None]) -> None:
    rejected(bd.BERNOULLI_DROPOUT, "gradient", Eq(Derivative(bd.BCE, bd.z_logit), bd.y_lbl - bd.sigmoid(bd.z_logit)))
