"""Targeted falsehoods for variance-preserving initialisation (map 3.2): He without the ReLU half,
the ReLU second moment taken as the variance, Xavier without the two."""

from __future__ import annotations

from collections.abc import Callable

from sympy import Eq

from derive.identities.probability import he_xavier_init as hx


def test_he_without_the_relu_half(rejected: Callable[..., None]) -> None:
    rejected(hx.HE_XAVIER_INIT, "He", Eq(hx.v_he, 1 / hx.n_in))


def test_relu_second_moment_is_half_the_variance(rejected: Callable[..., None]) -> None:
    rejected(hx.HE_XAVIER_INIT, "relu", Eq(hx.RELU2, hx.s**2))


def test_xavier_without_the_two(rejected: Callable[..., None]) -> None:
    rejected(hx.HE_XAVIER_INIT, "Xavier", Eq(hx.v_xavier, 1 / (hx.n_in + hx.n_out)))
