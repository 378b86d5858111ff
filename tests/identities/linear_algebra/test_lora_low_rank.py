"""Targeted falsehoods for LoRA (map 1.3), at symbolic sizes: the gradient for B with A untransposed, a
transposed gradient for A, the parameter count of the full update; the rank statement cites its facts."""

from __future__ import annotations

from collections.abc import Callable

import sympy as sp
from sympy import Eq, Sum

import derive
from derive.core.facts import SPAN_RANK, SUM_EXCHANGE
from derive.identities.linear_algebra import lora_low_rank as lora


def test_lora_gradient_for_b_is_not_g_a(rejected: Callable[..., None]) -> None:
    """sum_j G_aj A_jb (A untransposed) is not (G A^T)_ab."""
    wrong = Sum(lora.Gi[lora.a_, lora.j] * lora.Ai[lora.j, lora.b_], (lora.j, 1, lora.k_dim))
    rejected(lora.LORA_LOW_RANK, "dL/dB", Eq(lora.DL_DB_AB, wrong))


def test_lora_gradient_for_a_is_not_transposed(rejected: Callable[..., None]) -> None:
    """sum_i G_ip B_iq has the indices of (G^T B), not (B^T G)."""
    wrong = Sum(lora.Gi[lora.i, lora.p_] * lora.Bi[lora.i, lora.q_], (lora.i, 1, lora.d_dim))
    rejected(lora.LORA_LOW_RANK, "dL/dA", Eq(lora.DL_DA_PQ, wrong))


def test_lora_parameter_count_is_not_dk(rejected: Callable[..., None], lhs: Callable[..., sp.Basic]) -> None:
    rejected(lora.LORA_LOW_RANK, "parameters", Eq(lhs(lora.LORA_LOW_RANK, "parameters"), lora.d_dim * lora.k_dim))


def test_lora_is_general_and_cites_the_rank_facts() -> None:
    p = derive.prove("lora-low-rank")
    assert p.ok and p.level == "general"
    assert {f.name for f in p.assumes} == {SUM_EXCHANGE.name, SPAN_RANK.name}
