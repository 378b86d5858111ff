"""Targeted falsehoods for the optimal GAN discriminator (map 6, chapter 14): the generator's share for
D*, log 2 for log 4 in the value."""

from __future__ import annotations

from collections.abc import Callable

from sympy import Eq, log

from derive.identities.curriculum import gan_optimal_discriminator as gd


def test_gan_discriminator_is_not_the_generator_share(rejected: Callable[..., None]) -> None:
    rejected(gd.GAN_OPTIMAL_DISCRIMINATOR, "D*", Eq(gd.D, gd.b_pt / (gd.a_pt + gd.b_pt)))


def test_gan_value_with_log2_instead_of_log4(rejected: Callable[..., None]) -> None:
    rejected(gd.GAN_OPTIMAL_DISCRIMINATOR, "value", Eq(gd.VALUE_TEX, gd.JSD2 - log(2), evaluate=False))
