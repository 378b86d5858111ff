"""The shared Gaussian move and the Monte Carlo and quadrature helpers the probability pages use,
tested directly."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import sympy as sp
from sympy import pi, sqrt

from derive.authoring import CheckContext
from derive.identities.probability import reparameterization as rp
from derive.maths.gaussian import expectation, integrate, normal_pdf
from derive.numeric.montecarlo import agrees, estimate, normal_expectation, normal_quad
from derive.numeric.sampling import generator


def test_gaussian_move_moments() -> None:
    z = sp.Symbol("z", real=True)
    mu, s = sp.Symbol("mu", real=True), sp.Symbol("s", positive=True)
    assert integrate(expectation(sp.S.One, z, mu, s)) == 1
    assert sp.expand(integrate(expectation(z**2, z, mu, s)) - (mu**2 + s**2)) == 0
    assert sp.expand(integrate(expectation(z**4, z, mu, s, expand=True)) - (mu**4 + 6 * mu**2 * s**2 + 3 * s**4)) == 0
    assert sp.simplify(integrate(expectation(z**2, z, 0, s, lo=0)) - s**2 / 2) == 0
    assert sp.simplify(normal_pdf(z, mu, s).subs(z, mu) - 1 / (sqrt(2 * pi) * s)) == 0


def test_quadrature_helpers_agree() -> None:
    mu, s = 0.3, 1.7
    assert abs(normal_expectation(lambda v: v**2, mu, s) - (mu**2 + s**2)) < 1e-12
    assert abs(normal_quad(lambda v: max(v, 0.0) ** 2, 0.0, s) - s**2 / 2) < 1e-10


def test_monte_carlo_agrees_within_standard_errors_and_rejects_a_biased_value(
    context: Callable[..., CheckContext],
) -> None:
    ctx = context(rp.REPARAMETERIZATION)
    draws = generator(3).normal(1.0, 2.0, size=100_000)
    est = estimate(draws)
    assert agrees(ctx, "mean", est, 1.0).ok
    assert not agrees(ctx, "mean", est, 1.0 + 10 * float(est.stderr)).ok
    assert not agrees(ctx, "mean", estimate(np.array([np.nan, 1.0, 2.0])), 1.0).ok
