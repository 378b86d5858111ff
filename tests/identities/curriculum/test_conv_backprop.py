"""Targeted falsehoods for backpropagation through a convolution (map 6, chapter 14): an output length
without the + 1, an input gradient with the kernel not flipped, padding on one side only; the answer
checker accepts the right output length and diagnoses a wrong one."""

from __future__ import annotations

from collections.abc import Callable

import sympy as sp
from sympy import Eq

import derive
from derive.identities.curriculum import conv_backprop as cb
from derive.maths.notation import notation


def test_conv_output_length_needs_the_plus_one(rejected: Callable[..., None]) -> None:
    n, p, k = cb.n_sig, cb.p_pad, cb.k_ker
    lhs = sp.Sum(1, (cb.i_win, 0, n + 2 * p - k))
    rejected(cb.CONV_BACKPROP, "output length, stride 1", Eq(lhs, n + 2 * p - k))


def test_conv_input_gradient_needs_the_flipped_kernel(rejected: Callable[..., None]) -> None:
    lhs = cb.CONV_BACKPROP.statements[0].relation.lhs
    k = cb.K_SIZE
    unflipped = cb._correlate([0] * (k - 1) + list(cb.DELTA) + [0] * (k - 1), list(cb.WC))
    rejected(cb.CONV_BACKPROP, "input gradient", Eq(lhs, notation("wrong", unflipped, "unflipped"), evaluate=False))


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
