"""Targeted falsehoods for the KL divergence to the standard normal (map 3.1): the -1 dropped, log s
for log s^2, a single -1 for two dimensions; the cross-check catches the missing -1 on its own."""

from __future__ import annotations

from collections.abc import Callable

from sympy import Eq, Rational, log

from derive.authoring import CheckContext
from derive.identities.probability import kl_gaussian_standard as kg


def test_kl_missing_minus_one(rejected: Callable[..., None]) -> None:
    rejected(kg.KL_GAUSSIAN_STANDARD, "KL", Eq(kg.KL_NAME, (kg.mu**2 + kg.s**2 - log(kg.s**2)) / 2))


def test_kl_log_s_instead_of_log_s_squared(rejected: Callable[..., None]) -> None:
    rejected(kg.KL_GAUSSIAN_STANDARD, "KL", Eq(kg.KL_NAME, (kg.mu**2 + kg.s**2 - 1 - log(kg.s)) / 2))


def test_kl_diagonal_with_a_single_minus_one(rejected: Callable[..., None]) -> None:
    wrong = sum((m**2 + v**2 - log(v**2)) / 2 for m, v in zip(kg.mus, kg.ss, strict=True)) - Rational(1, 2)
    rejected(kg.KL_GAUSSIAN_STANDARD, "diagonal (d = 2)", Eq(kg.KL2_NAME, wrong))


def test_kl_crosscheck_catches_missing_minus_one(context: Callable[..., CheckContext]) -> None:
    assert kg.crosscheck(context(kg.KL_GAUSSIAN_STANDARD, kg.KL_STANDARD)).ok
    wrong = (kg.mu**2 + kg.s**2 - log(kg.s**2)) / 2
    assert not kg.crosscheck(context(kg.KL_GAUSSIAN_STANDARD, wrong)).ok
