"""Targeted falsehoods for Gibbs' inequality (map 4): KL symmetric, the inequality reversed, the Gibbs
gaps with the ratio the wrong way round."""

from __future__ import annotations

from collections.abc import Callable

from sympy import Eq, Ge, log

from derive.authoring import discrete as dm
from derive.identities.information import kl_nonnegative as kn


def test_kl_is_not_symmetric(rejected: Callable[..., None]) -> None:
    # claiming KL(p||q) - KL(q||p) = 0 for the example: the chain proves '>' and the claim '=' fails
    rejected(kn.KL_NONNEGATIVE, "asymmetric", Eq(kn.ASYM, 0, evaluate=False))


def test_gibbs_inequality_reversed(rejected: Callable[..., None]) -> None:
    rejected(kn.KL_NONNEGATIVE, "log t <= t - 1", Ge(log(kn.t), kn.t - 1))


def test_kl_as_gaps_needs_the_right_ratio(rejected: Callable[..., None]) -> None:
    wrong = dm.kl_gibbs(kn.Q, kn.P, kn.K3)  # sum q g(p/q) is KL(q||p), not KL(p||q)
    rejected(kn.KL_NONNEGATIVE, "KL as gaps", Eq(dm.kl(kn.P, kn.Q, kn.K3), wrong))
