"""Targeted falsehoods for the backward pass of softmax attention (map 1.1): a missing 1/sqrt(d), missing
transposes, the row term D forgotten; the cross-check catches a wrong dS on its own."""

from __future__ import annotations

from collections.abc import Callable

import sympy as sp
from sympy import Eq

from derive.authoring import notation
from derive.identities.linear_algebra import attention_backprop as ab
from derive.numeric.sampling import generator


def test_attention_dq_without_scaling_is_rejected(rejected: Callable[..., None], lhs: Callable[..., sp.Basic]) -> None:
    rejected(ab.ATTENTION_BACKPROP, "dQ", Eq(lhs(ab.ATTENTION_BACKPROP, "dQ"), ab.dSm * ab.Km, evaluate=False))


def test_attention_dk_without_transpose_is_rejected(
    rejected: Callable[..., None], lhs: Callable[..., sp.Basic]
) -> None:
    rejected(
        ab.ATTENTION_BACKPROP, "dK", Eq(lhs(ab.ATTENTION_BACKPROP, "dK"), ab.dSm * ab.Qm / sp.sqrt(2), evaluate=False)
    )


def test_attention_ds_without_row_term_is_rejected(rejected: Callable[..., None], lhs: Callable[..., sp.Basic]) -> None:
    # forgetting D: A * dA instead of A * (dA - D 1^T)
    wrong = notation("A * dA", ab.SOFT.multiply_elementwise(ab.dO * ab.Vm.T), "A*dA")
    rejected(ab.ATTENTION_BACKPROP, "dS", Eq(lhs(ab.ATTENTION_BACKPROP, "dS"), wrong, evaluate=False))


def test_attention_dv_untransposed_is_rejected(rejected: Callable[..., None], lhs: Callable[..., sp.Basic]) -> None:
    rejected(ab.ATTENTION_BACKPROP, "dV", Eq(lhs(ab.ATTENTION_BACKPROP, "dV"), ab.Am * ab.dO, evaluate=False))


def test_attention_crosscheck_catches_wrong_ds() -> None:
    ident = ab.ATTENTION_BACKPROP
    wrong = {"dS": ab.SOFT.multiply_elementwise(ab.dO * ab.Vm.T)}
    ctx = ident.check_context(generator(1, salt="t"), 1, result=None, values=wrong)
    assert not ident.crosscheck(ctx).ok
