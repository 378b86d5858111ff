"""Targeted falsehood for the reparameterisation gradient (map 3.1): the s-gradient without the
factor epsilon."""

from __future__ import annotations

from collections.abc import Callable

from sympy import Derivative, Eq

from derive.identities.probability import reparameterization as rp


def test_reparameterization_s_gradient_without_epsilon(rejected: Callable[..., None]) -> None:
    rejected(rp.REPARAMETERIZATION, "d/ds", Eq(Derivative(rp.E_F, rp.s), rp.E_FPRIME))
