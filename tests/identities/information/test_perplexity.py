"""Targeted falsehoods for perplexity (map 4): two to the nats, log V for a uniform model."""

from __future__ import annotations

from collections.abc import Callable

from sympy import Eq, log

from derive.identities.information import perplexity as pp


def test_perplexity_two_to_the_nats(rejected: Callable[..., None]) -> None:
    rejected(pp.PERPLEXITY, "bits", Eq(pp.PPL, 2**pp.NLL_NATS))


def test_perplexity_uniform_is_not_log_v(rejected: Callable[..., None]) -> None:
    rejected(pp.PERPLEXITY, "uniform", Eq(pp.PPL_UNIFORM, log(pp.V)))
