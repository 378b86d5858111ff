"""Targeted falsehoods for the scaling of attention logits (map 1.1): unscaled logits, the standard
deviation taken for the variance, the cost of one of the two products."""

from __future__ import annotations

from collections.abc import Callable

import sympy as sp
from sympy import Eq

from derive.identities.linear_algebra import attention_scaling as asc


def test_attention_unscaled_logits_are_rejected(rejected: Callable[..., None], lhs: Callable[..., sp.Basic]) -> None:
    rejected(
        asc.ATTENTION_SCALING,
        "unit logits",
        Eq(lhs(asc.ATTENTION_SCALING, "unit logits"), sp.sqrt(asc.dk), evaluate=False),
    )


def test_attention_variance_with_std_is_rejected(rejected: Callable[..., None], lhs: Callable[..., sp.Basic]) -> None:
    wrong = sp.sqrt(asc.dk) * (
        asc.sigma_q**2 * asc.sigma_k**2 + asc.sigma_q**2 * asc.mu_k**2 + asc.mu_q**2 * asc.sigma_k**2
    )
    rejected(asc.ATTENTION_SCALING, "variance", Eq(lhs(asc.ATTENTION_SCALING, "variance"), wrong))


def test_attention_cost_of_one_product_is_rejected(rejected: Callable[..., None], lhs: Callable[..., sp.Basic]) -> None:
    rejected(asc.ATTENTION_SCALING, "cost", Eq(lhs(asc.ATTENTION_SCALING, "cost"), asc.n**2 * asc.dk, evaluate=False))
