"""Targeted falsehoods for bits-back coding (map 4): the excess taken as the rate, the bits not given
back."""

from __future__ import annotations

from collections.abc import Callable

import sympy as sp
from sympy import Eq, log

from derive.authoring import discrete as dm
from derive.identities.information import bits_back as bb


def test_bits_back_excess_is_not_the_rate(rejected: Callable[..., None]) -> None:
    rejected(bb.BITS_BACK, "excess", Eq(bb.CODE + sp.log(bb.EVIDENCE), dm.kl(bb.qz, bb.prior, bb.KZ)))


def test_bits_back_without_the_bits_back(rejected: Callable[..., None]) -> None:
    # forgetting to subtract the H(q) nats recovered by the receiver
    no_refund = dm.expectation(bb.qz, lambda k: -log(bb.lik(k)) - log(bb.prior(k)), bb.KZ)
    rejected(bb.BITS_BACK, "bits back", Eq(bb.CODE, no_refund))
