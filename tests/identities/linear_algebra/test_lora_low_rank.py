"""Targeted falsehoods for LoRA (map 1.3): the gradient for A given as the gradient for B, a transposed
gradient for A, the parameter count of the full update."""

from __future__ import annotations

from collections.abc import Callable

import sympy as sp
from sympy import Eq

from derive.identities.linear_algebra import lora_low_rank as lora


def test_lora_gradient_for_b_is_not_bt_g(rejected: Callable[..., None]) -> None:
    """B^T G is the gradient for A; as the gradient for B it has the wrong shape."""
    rejected(lora.LORA_LOW_RANK, "dL/dB", Eq(lora.LORA_LOW_RANK.claim.lhs, lora.Bm.T * lora.Gm, evaluate=False))


def test_lora_gradient_for_a_is_not_transposed(rejected: Callable[..., None], lhs: Callable[..., sp.Basic]) -> None:
    """G^T B has the shape of A but is (B^T G)^T."""
    rejected(lora.LORA_LOW_RANK, "dL/dA", Eq(lhs(lora.LORA_LOW_RANK, "dL/dA"), lora.Gm.T * lora.Bm, evaluate=False))


def test_lora_parameter_count_is_not_dk(rejected: Callable[..., None], lhs: Callable[..., sp.Basic]) -> None:
    rejected(lora.LORA_LOW_RANK, "parameters", Eq(lhs(lora.LORA_LOW_RANK, "parameters"), lora.d_dim * lora.k_dim))
