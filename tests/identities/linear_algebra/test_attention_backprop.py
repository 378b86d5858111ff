"""Targeted falsehoods for the backward pass of softmax attention (map 1.1), now at symbolic sizes: a missing
1/sqrt(d), missing transposes, the row term D forgotten; the cross-check catches a wrong dS on its own."""

from __future__ import annotations

from collections.abc import Callable

import sympy as sp
from sympy import Eq

import derive
from derive.core.facts import SUM_EXCHANGE
from derive.identities.linear_algebra import attention_backprop as ab
from derive.numeric.sampling import generator


def _lhs(label: str) -> sp.Basic:
    st = next(s for s in ab.ATTENTION_BACKPROP.statements if s.label == label)
    assert st.relation is not None
    return st.relation.lhs


def test_attention_dq_without_scaling_is_rejected(rejected: Callable[..., None]) -> None:
    wrong = sp.Sum(ab.dSi[ab.i, ab.k] * ab.Ki[ab.k, ab.f], (ab.k, 1, ab.n))
    rejected(ab.ATTENTION_BACKPROP, "dQ", Eq(_lhs("dQ"), wrong, evaluate=False))


def test_attention_dk_without_transpose_is_rejected(rejected: Callable[..., None]) -> None:
    wrong = sp.Sum(ab.dSi[ab.i, ab.k] * ab.Qi[ab.k, ab.f], (ab.k, 1, ab.n)) / sp.sqrt(ab.d_head)
    rejected(ab.ATTENTION_BACKPROP, "dK", Eq(_lhs("dK"), wrong, evaluate=False))


def test_attention_ds_without_row_term_is_rejected(rejected: Callable[..., None]) -> None:
    # forgetting D: A * dA instead of A * (dA - D 1^T)
    wrong = ab._softmax(ab.i, ab.j) * ab.dAi[ab.i, ab.j]
    rejected(ab.ATTENTION_BACKPROP, "dS", Eq(_lhs("dS"), wrong, evaluate=False))


def test_attention_is_general_and_says_where_it_exchanges_sums() -> None:
    p = derive.prove("attention-backprop")
    assert p.ok and p.level == "general"
    assert [f.name for f in p.assumes] == [SUM_EXCHANGE.name]
    d_chain = next(c for c in p.chains if c.statement == "D")
    assert "exchange of finite sums" in d_chain.steps[1].provenance and d_chain.symbolic


def test_attention_crosscheck_catches_wrong_ds() -> None:
    ident = ab.ATTENTION_BACKPROP
    wrong = {"dS": ab._softmax(ab.i, ab.j) * ab.dAi[ab.i, ab.j]}
    ctx = ident.check_context(generator(1, salt="t"), 1, result=None, values=wrong)
    assert not ident.crosscheck(ctx).ok
