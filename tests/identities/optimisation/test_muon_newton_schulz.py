"""Muon's Newton-Schulz step (map 5.1) for any m x n matrix: the level (only the measured quintic band is
numeric), targeted falsehoods of the general forms (a singular value that does not move, sigma^{2j+2} instead of
sigma^{2j+3}, a step that leaves Sigma unchanged), and of the cubic iteration (the wrong sign, a slope of one at the fixed point,
a map that overshoots 1, a limit other than 1).

The page is proved once (the ``page_proof`` fixture, for ``PAGE``); each falsehood is checked on the page's own
chains (the ``refused`` fixture of tests/identities/conftest.py)."""

from __future__ import annotations

from collections.abc import Callable

import sympy as sp
from sympy import Eq, Rational

from derive.core.facts import MONOTONE_CONVERGENCE, SVD_ORTHONORMAL
from derive.core.proof import Proof
from derive.identities.optimisation import muon_newton_schulz as mu
from derive.verify.ladder import Ladder

PAGE = "muon-newton-schulz"
Refused = Callable[[Proof, str, Eq], None]


def test_muon_only_the_quintic_band_is_numeric(page_proof: Proof) -> None:
    assert page_proof.ok, page_proof.failure
    levels = {o.label: o.level for o in page_proof.outcomes}
    assert levels.pop("quintic band") == "numeric"
    assert set(levels.values()) == {"general"}, levels
    assert {"singular values", "right vectors", "odd step", "diagonal", "converges"} <= set(levels)
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
