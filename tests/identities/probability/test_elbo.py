"""Targeted falsehoods for the evidence lower bound (map 3.1): a plus sign on the KL, the gap as the
reverse KL, the ELBO as an upper bound, the bound tight at the prior."""

from __future__ import annotations

from collections.abc import Callable

import sympy as sp
from sympy import Eq, Ge, log

from derive.authoring import discrete as dm
from derive.identities.probability import elbo as el


def test_elbo_with_a_plus_sign_on_the_kl(rejected: Callable[..., None]) -> None:
    wrong = dm.expectation(el.qz, lambda k: log(el.lik(k)), el.KZ) + dm.kl(el.qz, el.prior, el.KZ)
    rejected(el.EVIDENCE_LOWER_BOUND, "ELBO", Eq(el.ELBO_JOINT, wrong))


def test_elbo_gap_is_not_the_reverse_kl(rejected: Callable[..., None]) -> None:
    wrong = el.ELBO_JOINT + dm.kl(el.posterior, el.qz, el.KZ)
    rejected(el.EVIDENCE_LOWER_BOUND, "decomposition", Eq(sp.log(el.EVIDENCE), wrong))


def test_elbo_is_not_an_upper_bound(rejected: Callable[..., None]) -> None:
    rejected(el.EVIDENCE_LOWER_BOUND, "bound", Ge(el.ELBO, sp.log(el.EVIDENCE)))


def test_elbo_tight_only_at_the_posterior(rejected: Callable[..., None]) -> None:
    at_prior = el.ELBO.xreplace({el.qz(dm.K_INDEX): el.prior(dm.K_INDEX)})
    rejected(el.EVIDENCE_LOWER_BOUND, "equality", Eq(at_prior, sp.log(el.EVIDENCE)))
