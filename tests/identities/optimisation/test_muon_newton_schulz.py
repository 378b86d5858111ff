"""Muon's Newton-Schulz step (map 5.1) for any m x n matrix: the level (general: the quintic band is proved
by exact interval images, a band too narrow is refused), targeted falsehoods of the general forms (a singular
value that does not move, sigma^{2j+2} instead of sigma^{2j+3}, a step that leaves Sigma unchanged), and of the
cubic iteration (the wrong sign, a slope of one at the fixed point, a map that overshoots 1, a limit other than 1).

The page is proved once (the ``page_proof`` fixture, for ``PAGE``); each falsehood is checked on the page's own
chains (the ``refused`` fixture of tests/identities/conftest.py)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import sympy as sp
from sympy import Eq, Rational

from derive.authoring import Identity
from derive.core.facts import MONOTONE_CONVERGENCE, SVD_ORTHONORMAL
from derive.core.proof import Proof
from derive.identities.optimisation import muon_newton_schulz as mu
from derive.verify.ladder import Ladder
from derive.verify.polynomial_bounds import METHOD as POLYNOMIAL

PAGE = "muon-newton-schulz"
Refused = Callable[[Proof, str, Eq], None]
Rejected = Callable[[Identity, str, sp.Basic], None]


def test_muon_is_general_with_the_quintic_band_proved(page_proof: Proof) -> None:
    assert page_proof.ok, page_proof.failure
    assert page_proof.level == "general"
    levels = {o.label: o.level for o in page_proof.outcomes}
    assert set(levels.values()) == {"general"}, levels
    assert {"singular values", "right vectors", "odd step", "diagonal", "converges"} <= set(levels)
    band = [c for c in page_proof.chains if c.statement.startswith("step ")]
    assert len(band) == 10
    assert all(c.steps[-1].verification is not None and c.steps[-1].verification.symbolic for c in band)
    assert {SVD_ORTHONORMAL.name, MONOTONE_CONVERGENCE.name} <= {f.name for f in page_proof.assumes}


def test_muon_right_vector_without_its_singular_value(page_proof: Proof, refused: Refused) -> None:
    refused(page_proof, "right vectors", Eq(mu.RIGHT, mu.UI[mu.a_, mu.s_]))


def test_muon_odd_step_one_power_short(page_proof: Proof, refused: Refused) -> None:
    wrong = mu.svI[mu.s_] ** (2 * mu.j_ + 2) * mu.UI[mu.a_, mu.s_]
    refused(page_proof, "odd step", Eq(mu.ODD_STEP, wrong))


def test_muon_step_moves_the_singular_values(page_proof: Proof, refused: Refused) -> None:
    """U^T f(X) V is p(Sigma), not Sigma: the step is not the identity on the singular values."""
    refused(page_proof, "diagonal", Eq(mu.IN_BASES, mu.svI[mu.s_] * sp.KroneckerDelta(mu.r_, mu.s_)))


def test_muon_singular_values_with_the_cubic_term_dropped(page_proof: Proof, refused: Refused) -> None:
    wrong = sp.Sum(
        mu.UI[mu.a_, mu.k_] * (mu.na * mu.svI[mu.k_] + mu.nc * mu.svI[mu.k_] ** 5) * mu.VT[mu.k_, mu.b_],
        (mu.k_, 1, mu.p_),
    )
    refused(page_proof, "singular values", Eq(mu.NS_STEP, wrong))


def test_muon_cubic_with_the_wrong_sign(page_proof: Proof, refused: Refused) -> None:
    refused(page_proof, "positive", Eq(mu.CUBIC, mu._p(mu.sigma, Rational(3, 2), Rational(1, 2), 0), evaluate=False))


def test_muon_slope_at_one_is_zero_not_one(page_proof: Proof, refused: Refused) -> None:
    refused(page_proof, "p'(1) = 0", Eq(sp.Subs(sp.Derivative(mu.CUBIC, mu.sigma), mu.sigma, 1), 1))


def test_muon_limit_is_one_not_a_half(page_proof: Proof, refused: Refused) -> None:
    refused(page_proof, "converges", Eq(mu.limit_, Rational(1, 2)))


def test_muon_overshooting_map_is_not_bounded_by_one() -> None:
    """The cubic never exceeds 1 for x > 0, but (5x - x^3)/4 (maximum 1.075 at x = sqrt(5/3)) does: the
    bound's sign check refutes it; and the iteration is not increasing above 1."""
    ladder = Ladder(domains=mu.MUON_NEWTON_SCHULZ.domains, seed=1)
    x = mu.s0
    assert ladder.nonnegative(1 - (5 * x - x**3) / 4).ok is False
    assert ladder.nonnegative(1 - mu.CUBIC.subs(mu.sigma, x)).ok is True
    assert ladder.nonnegative(mu.CUBIC.subs(mu.sigma, 1 + mu.u_) - (1 + mu.u_)).ok is False


def test_muon_band_images_are_computed_and_contain_the_grid() -> None:
    """The exact images I_1..I_4 (rounded outward) contain the quintic's values on a fine grid of I_0."""
    assert mu.IMAGES[0] == (Rational(1, 100), 1)
    assert mu.IMAGES[4] == (Rational(3409, 5000), Rational(1503, 1250))
    grid = np.linspace(0.01, 1.0, 20001)
    for lo, hi in mu.IMAGES[1:]:
        grid = mu._p(grid, *(float(c) for c in mu.MUON))
        assert float(lo) <= grid.min() and grid.max() <= float(hi)


def test_muon_band_too_narrow_is_refused(rejected: Rejected) -> None:
    """p has a local minimum 0.68187... at s = 1.0501 inside I_4: a lower end 0.683 fails; the upper end 1.12 fails
    at u_4 = 1.2024 (p = 1.1343...)."""
    x = mu.SIGMA_K[4]
    rejected(mu.MUON_NEWTON_SCHULZ, "step 5 lower", sp.Ge(mu._p(x, *mu.MUON), Rational("0.683")))
    rejected(mu.MUON_NEWTON_SCHULZ, "step 5 upper", sp.Le(mu._p(x, *mu.MUON), Rational("1.12")))


def test_muon_band_bound_with_the_float_coefficients_is_not_proved_by_the_exact_rung() -> None:
    """Muon's decimals as Floats are refused by the polynomial rung (the ladder then only tests numerically)."""
    ladder = Ladder(domains=mu.MUON_NEWTON_SCHULZ.domains, seed=1)
    x = mu.SIGMA_K[4]
    exact = ladder.nonnegative(mu._p(x, *mu.MUON) - mu.BAND[0])
    assert exact.ok is True and exact.symbolic and exact.method == POLYNOMIAL
    floats = ladder.nonnegative(mu._p(x, 3.4445, -4.7750, 2.0315) - mu.BAND[0])
    assert floats.method != POLYNOMIAL
