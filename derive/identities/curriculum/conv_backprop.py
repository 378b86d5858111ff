r"""Backpropagation through a 1-D convolution.

Backpropagation through a convolutional layer is again a convolution: the upstream gradient convolved
with the flipped kernel for the input, and correlated with the input for the kernel. Derived on explicit
small sizes with ``sympy.diff`` (the chain rule with an upstream gradient from
:func:`~derive.maths.matrices.backprop_form`) and checked by finite differences at larger random sizes;
the output length $\lfloor (n + 2p - k)/s \rfloor + 1$ is derived by counting the window starts and
checked against a counting loop. The map's curriculum chapter 14, math for specific models: CNN
(convolution, output size, backprop) (map 6). Dumoulin and Visin (2016), A guide to convolution
arithmetic for deep learning, Sec. 2; Goodfellow, Bengio and Courville (2016), Deep Learning, Sec. 9.5.
"""

from __future__ import annotations

from functools import partial

import numpy as np
import sympy as sp
from sympy import Eq, Ge, Gt, Sum

from derive.authoring import (
    CheckContext,
    CrossCheckResult,
    Derivation,
    Question,
    Ref,
    Statement,
    combine,
    declare,
    integer,
    notation,
    real,
)
from derive.maths.matrices import backprop_form, entry_domains, symbol_vector
from derive.numeric.linalg import gradient_fd

# -- symbols ---------------------------------------------------------------------------------------
N_IN, K_SIZE = 5, 3
N_OUT = N_IN - K_SIZE + 1
ENTRY = real(-3, 3)
XC = symbol_vector("x", N_IN, ENTRY)
WC = symbol_vector("w", K_SIZE, ENTRY)
DELTA = symbol_vector("delta", N_OUT, ENTRY)
#: forward pass, stride 1, no padding (cross-correlation, as deep-learning "convolutions" are)
YC = sp.Matrix([sum(WC[j] * XC[i + j] for j in range(K_SIZE)) for i in range(N_OUT)])


def _correlate(signal: list[sp.Expr], kernel: list[sp.Expr]) -> sp.Matrix:
    """Valid cross-correlation ``out_i = sum_j kernel_j signal_{i+j}``, written out."""
    return sp.Matrix(
        [sum(kernel[j] * signal[i + j] for j in range(len(kernel))) for i in range(len(signal) - len(kernel) + 1)]
    )


#: the full convolution of the upstream gradient with the kernel: pad delta by k - 1 zeros and
#: correlate with the flipped kernel
FULL_CONV = _correlate([0] * (K_SIZE - 1) + list(DELTA) + [0] * (K_SIZE - 1), list(WC)[::-1])
KERNEL_GRAD = _correlate(list(XC), list(DELTA))

# the sizes of the output-length question: signal n, padding p, kernel k <= n + 2p, stride s
SIGNAL = integer(1, 64)
PADDING = integer(0, 3)
STRIDE = integer(1, 4)
n_sig = SIGNAL.symbol("n")
p_pad = PADDING.symbol("p")
KERNEL_SIZE = integer(1, n_sig + 2 * p_pad)
k_ker = KERNEL_SIZE.symbol("k")
s_str = STRIDE.symbol("s")
SIZES = {n_sig: SIGNAL, p_pad: PADDING, k_ker: KERNEL_SIZE, s_str: STRIDE}
i_win = integer(0, n_sig + 2 * p_pad - k_ker).symbol("i")  # a window's first index
SPAN = n_sig + 2 * p_pad - k_ker  # how far the first window may move
LAST = sp.floor(SPAN / s_str)  # the index J of the last window start s J
j_win = integer(0, LAST).symbol("j")  # a strided window's index: it starts at s j

# -- what is claimed -------------------------------------------------------------------------------
CLAIM = Statement(
    "input gradient",
    Eq(
        notation(r"\frac{\partial L}{\partial x}", backprop_form(DELTA, YC, XC), "dL/dx"),
        notation(r"\delta \ast w\ (\text{full})", FULL_CONV, "full conv(delta, w)"),
        evaluate=False,
    ),
    text=r"for $y_i = \sum_j w_j x_{i+j}$ (stride 1, no padding) and upstream $\delta = \partial L/\partial y$: "
    r"the "
    r"input gradient is the full convolution of $\delta$ with $w$ (correlation of the zero-padded $\delta$ with "
    r"the flipped kernel)",
)
KERNEL_GRADIENT = Statement(
    "kernel gradient",
    Eq(
        notation(r"\frac{\partial L}{\partial w}", backprop_form(DELTA, YC, WC), "dL/dw"),
        notation(r"x \star \delta", KERNEL_GRAD, "corr(x, delta)"),
        evaluate=False,
    ),
    text=r"the kernel gradient is the cross-correlation of the input with $\delta$",
)
LENGTH_STRIDE_1 = Statement(
    "output length, stride 1",
    Eq(Sum(1, (i_win, 0, n_sig + 2 * p_pad - k_ker)), n_sig + 2 * p_pad - k_ker + 1),
    text=r"with padding $p$ and stride 1 the windows start at $i = 0, 1, \dots, n + 2p - k$ "
    r"(the last one ends at $i + k = n + 2p$): the output has $n + 2p - k + 1$ entries",
)
LAST_WINDOW_FITS = Statement(
    "last window fits",
    Ge(n_sig + 2 * p_pad - (s_str * LAST + k_ker), 0),
    text=r"with stride $s$ the windows start at $0, s, 2s, \dots$; the one at $sJ$, "
    r"$J = \lfloor (n + 2p - k)/s \rfloor$, still ends inside: $sJ + k \le n + 2p$",
)
NEXT_WINDOW_DOES_NOT = Statement(
    "next window does not",
    Gt(s_str * (LAST + 1) + k_ker - (n_sig + 2 * p_pad), 0),
    text=r"the next start $s(J + 1)$ does not fit: $s(J + 1) + k > n + 2p$",
)
OUTPUT_LENGTH = Statement(
    "output length",
    Eq(Sum(1, (j_win, 0, LAST)), LAST + 1),
    text=r"so the starts are $sj$ for $j = 0, \dots, J$: the output has $\lfloor (n + 2p - k)/s \rfloor + 1$ "
    r"entries",
)

# -- the homework question, and where the identity comes from --------------------------------------
QUESTION = Question(
    target=sp.floor((n_sig + 2 * p_pad - k_ker) / s_str) + 1,
    prompt=r"A 1-D convolution with kernel size $k$, padding $p$ on both sides and stride $s$ is applied to a "
    r"signal of length $n$. How long is the output?",
    names={"floor": sp.floor},
    approximations={
        "the padding goes on both sides: 2p": sp.floor((n_sig + p_pad - k_ker) / s_str) + 1,
        "the first window counts too: + 1": sp.floor((n_sig + 2 * p_pad - k_ker) / s_str),
        r"the floor is missing: when $s$ does not divide $n + 2p - k$ the last partial window is dropped": (
            n_sig + 2 * p_pad - k_ker
        )
        / s_str
        + 1,
    },
)
REFS = (
    Ref.cite("dumoulin2016", where="Sec. 2"),
    Ref.cite("goodfellow2016", where="Sec. 9.5"),
)


# -- how it is derived -----------------------------------------------------------------------------
def derivation(d: Derivation) -> None:
    r"""A convolutional layer slides one kernel over the input. Backpropagation through it is again a
    convolution: the upstream gradient convolved with the (flipped) kernel for the input, and correlated with
    the input for the kernel. This is why frameworks implement the backward pass of a convolution with the
    same kernels as the forward pass, and why a transposed convolution is the gradient of a convolution."""
    size = f"for n = {N_IN}, k = {K_SIZE}"
    d.begin(notation(r"\frac{\partial L}{\partial x}", backprop_form(DELTA, YC, XC), "dL/dx"), scope=size)
    d.then(
        lambda e: e.doit(),
        r"chain rule: $\partial L/\partial x_m = \sum_i \delta_i\, w_{m-i}$ over the windows containing $x_m$",
    )
    d.then(lambda e: FULL_CONV, r"read as the correlation of the zero-padded $\delta$ with $(w_3, w_2, w_1)$")
    d.conclude("input gradient")

    d.begin(notation(r"\frac{\partial L}{\partial w}", backprop_form(DELTA, YC, WC), "dL/dw"), scope=size)
    d.then(lambda e: e.doit(), r"chain rule: $\partial L/\partial w_j = \sum_i \delta_i\, x_{i+j}$")
    d.then(lambda e: KERNEL_GRAD, r"read as the correlation of $x$ with $\delta$")
    d.conclude("kernel gradient")

    d.begin(Sum(1, (i_win, 0, n_sig + 2 * p_pad - k_ker)), "count the window starts")
    d.then(lambda e: e.doit(), "one output per start")
    d.conclude("output length, stride 1")

    x_ = SPAN / s_str
    d.begin(n_sig + 2 * p_pad - (s_str * LAST + k_ker), r"room left after the window at $sJ$", title="Stride $s$")
    d.then(s_str * sp.frac(x_), r"$x - \lfloor x\rfloor = \operatorname{frac}(x)$ for $x = (n + 2p - k)/s$")
    d.bound(0, r"$\operatorname{frac}(x) \ge 0$ and $s > 0$", relation=">=")
    d.conclude("last window fits")

    d.begin(s_str * (LAST + 1) + k_ker - (n_sig + 2 * p_pad), r"overshoot of the window at $s(J + 1)$")
    d.then(s_str * (1 - sp.frac(x_)), r"the same identity")
    d.bound(0, r"$\operatorname{frac}(x) < 1$ and $s > 0$", relation=">")
    d.conclude("next window does not")

    d.begin(Sum(1, (j_win, 0, LAST)), r"one output per start $sj$, $j = 0, \dots, J$")
    d.then(lambda e: e.doit(), "count")
    d.conclude("output length")


# -- how it is checked -----------------------------------------------------------------------------
def _out_len(n: int, k: int, p: int, s: int) -> int:
    """Count the windows of a strided, padded 1-D convolution with a loop (no formula)."""
    count, start = 0, 0
    while start + k <= n + 2 * p:
        count += 1
        start += s
    return count


def _lengths_check(ctx: CheckContext) -> CrossCheckResult:
    """floor((n + 2p - k)/s) + 1 against a window-counting loop for every n <= 40, k <= n + 2p, p <= 3, s <= 4."""
    bad = 0
    total = 0
    for n in range(1, 41):
        for p in range(4):
            for k in range(1, n + 2 * p + 1):
                for s in range(1, 5):
                    total += 1
                    bad += _out_len(n, k, p, s) != (n + 2 * p - k) // s + 1
    return ctx.bound("output length formula", "window-counting loop", float(bad), 0.0, samples=total)


def _conv_check(ctx: CheckContext) -> CrossCheckResult:
    """Random signals (n = 50, k = 7): finite-difference gradients of L = delta . conv(x, w) against
    numpy.convolve(delta, w, 'full') (input) and numpy.correlate(x, delta, 'valid') (kernel)."""
    errs = []
    for _ in range(5):
        x, w = ctx.rng.normal(size=50), ctx.rng.normal(size=7)
        delta = ctx.rng.normal(size=44)

        def loss(xx: np.ndarray, ww: np.ndarray, delta: np.ndarray = delta) -> float:
            return float(delta @ np.correlate(xx, ww, "valid"))

        gx = gradient_fd(partial(loss, ww=w), x)
        gw = gradient_fd(partial(loss, x), w)
        errs.append(float(np.max(np.abs(gx - np.convolve(delta, w, "full")))))
        errs.append(float(np.max(np.abs(gw - np.correlate(x, delta, "valid")))))
    return ctx.bound("input and kernel gradients", "central differences vs numpy", max(errs), 1e-7)


def crosscheck(ctx: CheckContext) -> CrossCheckResult:
    """The gradients by finite differences, and the output length by counting windows."""
    return combine(_conv_check(ctx), _lengths_check(ctx))


# -- the declaration -------------------------------------------------------------------------------
CONV_BACKPROP = declare(
    "conv-backprop",
    aliases=("convolution-backprop",),
    title="Backpropagation through a 1-D convolution",
    section="6",
    map_row=r"chapter 14 Math for specific models: CNN (convolution, output size, backprop)",
    variables={**entry_domains(XC, ENTRY), **entry_domains(WC, ENTRY), **entry_domains(DELTA, ENTRY), **SIZES},
    claim=CLAIM,
    also=(KERNEL_GRADIENT, LENGTH_STRIDE_1, LAST_WINDOW_FITS, NEXT_WINDOW_DOES_NOT, OUTPUT_LENGTH),
    derivation=derivation,
    crosscheck=crosscheck,
    question=QUESTION,
    refs=REFS,
    builds_on=("dense-backprop",),
)
