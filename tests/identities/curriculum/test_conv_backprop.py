"""Targeted falsehoods for backpropagation through a convolution (map 6, chapter 14), at symbolic sizes:
an input gradient with the kernel not flipped, a kernel gradient shifted by one, a collapse that forgets the
zero padding, output lengths without the + 1 or with padding on one side only; the answer checker accepts
the right output length and diagnoses a wrong one."""

from __future__ import annotations

from collections.abc import Callable

import sympy as sp
from sympy import Eq, Sum

import derive
from derive.core.facts import SUM_EXCHANGE
from derive.identities.curriculum import conv_backprop as cb
from derive.verify.ladder import Ladder


def test_conv_is_general_and_cites_the_sum_exchange() -> None:
    p = derive.prove("conv-backprop")
    assert p.ok and p.level == "general"
    assert {f.name for f in p.assumes} == {SUM_EXCHANGE.name}


def test_conv_output_length_needs_the_plus_one(rejected: Callable[..., None]) -> None:
    n, p, k = cb.n_sig, cb.p_pad, cb.k_ker
    lhs = sp.Sum(1, (cb.i_win, 0, n + 2 * p - k))
    rejected(cb.CONV_BACKPROP, "output length, stride 1", Eq(lhs, n + 2 * p - k))


def test_conv_strided_output_length_needs_the_plus_one(rejected: Callable[..., None]) -> None:
    last = sp.floor(cb.r_room / cb.s_str)
    rejected(cb.CONV_BACKPROP, "output length", Eq(Sum(1, (cb.j_win, 0, last)), last))


def test_conv_input_gradient_needs_the_flipped_kernel(rejected: Callable[..., None]) -> None:
    """sum_l w_l delta_{t+l-1} correlates delta with the unflipped kernel: not the gradient."""
    unflipped = Sum(cb.wI[cb.l_] * cb.padded(cb.t_in + cb.l_ - 1), (cb.l_, 1, cb.k_ker))
    rejected(cb.CONV_BACKPROP, "input gradient", Eq(cb.DX_T, unflipped, evaluate=False))


def test_conv_kernel_gradient_is_not_shifted(rejected: Callable[..., None]) -> None:
    shifted = Sum(cb.deltaI[cb.a_] * cb.xI[cb.a_ + cb.j_ker], (cb.a_, 1, cb.m_out))
    rejected(cb.CONV_BACKPROP, "kernel gradient", Eq(cb.DW_J, shifted, evaluate=False))


def test_conv_collapse_must_keep_the_zero_padding() -> None:
    """The delta sifts a = t - l + 1 only when that output exists: dropping the padding (every index assumed
    in range) is a wrong step, refused by the ladder."""
    ident = cb.CONV_BACKPROP
    ladder = Ladder(domains=ident.domains, unfold=ident.unfold, seed=3)
    exchanged = SUM_EXCHANGE.rewrite(cb.DX_T.doit())
    assert ladder.equal(exchanged, cb.FULL_CONV_T).ok is True
    unpadded = Sum(cb.wI[cb.l_] * cb.deltaI[cb.t_in - cb.l_ + 1], (cb.l_, 1, cb.k_ker))
    assert ladder.equal(exchanged, unpadded).ok is not True


def test_conv_output_length_needs_padding_on_both_sides() -> None:
    # floor((n + p - k)/s) + 1 disagrees with counting the windows as soon as p > 0
    misses = [
        (n, k, p, s)
        for n in range(1, 20)
        for p in range(1, 3)
        for k in range(1, n + 1)
        for s in range(1, 4)
        if cb._out_len(n, k, p, s) != (n + p - k) // s + 1
    ]
    assert misses
    assert all(cb._out_len(n, k, p, s) == (n + 2 * p - k) // s + 1 for n, k, p, s in misses)


def test_conv_output_length_answers() -> None:
    assert derive.check("conv-backprop", "floor((n + 2*p - k)/s) + 1").correct is True
    wrong = derive.check("conv-backprop", "floor((n + p - k)/s) + 1")
    assert wrong.correct is False and wrong.diagnosis
