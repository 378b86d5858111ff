r"""Backpropagation through a 1-D convolution.

Backpropagation through a convolutional layer is again a convolution: the upstream gradient convolved
with the kernel for the input (the correlation of the zero-padded gradient with the flipped kernel), and
correlated with the input for the kernel. Derived for any kernel size $k$ and any number $m$ of outputs
(an input of length $n = m + k - 1$) by differentiating the indexed sums and collapsing the Kronecker
deltas, and checked by finite differences at random sizes; the output length
$\lfloor (n + 2p - k)/s \rfloor + 1$ is derived by counting the window starts and checked against a
counting loop. The map's curriculum chapter 14, math for specific models: CNN (convolution, output size,
backprop) (map 6). Dumoulin and Visin (2016), A guide to convolution arithmetic for deep learning, Sec. 2;
Goodfellow, Bengio and Courville (2016), Deep Learning, Sec. 9.5.
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
from derive.core.facts import SUM_EXCHANGE
from derive.maths.indexed import collapse, in_range
from derive.numeric.linalg import gradient_fd
from derive.verify.sums import unroll_sums

# -- symbols ---------------------------------------------------------------------------------------
ENTRY = real(-3, 3)
xI, wI, deltaI = (sp.IndexedBase(name, real=True) for name in ("x", "w", "delta"))

# the sizes: kernel k, padding p, a signal of length n with n + 2p >= k (the kernel fits the padded
# signal), stride s; the signal's bound names the kernel (not the other way), so that a bound of an index
# (a tap j <= k) never names a size whose own bound names another
KERNEL_SIZE = integer(1, 16)
PADDING = integer(0, 3)
STRIDE = integer(1, 4)
k_ker = KERNEL_SIZE.symbol("k")
p_pad = PADDING.symbol("p")
SIGNAL = integer(k_ker - 2 * p_pad, 64)
n_sig = SIGNAL.symbol("n")
s_str = STRIDE.symbol("s")
SIZES = {n_sig: SIGNAL, p_pad: PADDING, k_ker: KERNEL_SIZE, s_str: STRIDE}

# the layer of the gradients: kernel size k, m outputs, an input of length m + k - 1 (stride 1, no padding)
m_out = integer(1, 8).symbol("m")
i_out = integer(1, m_out).symbol("i")  # an output
j_ker = integer(1, k_ker).symbol("j")  # a kernel tap
t_in = integer(1, m_out + k_ker - 1).symbol("t")  # an input position
a_, l_ = sp.symbols("a l", integer=True)  # summation indices
#: the forward pass y_i = sum_l w_l x_{i+l-1} (cross-correlation, as deep-learning "convolutions" are)
Y_I = Sum(wI[l_] * xI[i_out + l_ - 1], (l_, 1, k_ker))


def padded(u: sp.Expr) -> sp.Piecewise:
    r"""The upstream gradient padded with zeros: :math:`\delta_u` for :math:`1 \le u \le m`, else 0."""
    return sp.Piecewise((deltaI[u], (u >= 1) & (u <= m_out)), (0, True))


def _chain_rule(wrt: sp.Basic) -> sp.Sum:
    r""":math:`\sum_{a=1}^m \delta_a\,\partial y_a/\partial(\text{wrt})`, unevaluated."""
    return Sum(deltaI[a_] * sp.Derivative(Y_I.subs(i_out, a_), wrt), (a_, 1, m_out))


DX_T = notation(r"\frac{\partial L}{\partial x_t}", _chain_rule(xI[t_in]), "dL/dx_t")
DW_J = notation(r"\frac{\partial L}{\partial w_j}", _chain_rule(wI[j_ker]), "dL/dw_j")
#: (delta * w)_t = sum_l w_l delta_{t-l+1}, delta zero-padded: the full convolution
FULL_CONV_T = Sum(wI[l_] * padded(t_in - l_ + 1), (l_, 1, k_ker))
#: (x star delta)_j = sum_a delta_a x_{a+j-1}: the valid correlation of x with delta
KERNEL_GRAD_J = Sum(deltaI[a_] * xI[a_ + j_ker - 1], (a_, 1, m_out))

# the strided windows: window j starts at s j; J = floor((n + 2p - k)/s) is the last one that fits
i_win = integer(0, n_sig + 2 * p_pad - k_ker).symbol("i")  # a window's first index
SPAN = n_sig + 2 * p_pad - k_ker  # how far the first window may move
LAST = sp.floor(SPAN / s_str)  # the index J of the last window start s J
r_room = integer(0, 70).symbol("r")  # the room r = n + 2p - k >= 0 left by the first window
j_win = integer(0, sp.floor(r_room / s_str)).symbol("j")  # a strided window's index: it starts at s j

# -- what is claimed -------------------------------------------------------------------------------
CLAIM = Statement(
    "input gradient",
    Eq(DX_T, notation(r"(\delta \ast w)_t", FULL_CONV_T, "full conv(delta, w)_t"), evaluate=False),
    text=r"for $y_i = \sum_{l=1}^k w_l x_{i+l-1}$, $i = 1, \dots, m$ (stride 1, no padding, any $k$ and $m$) and "
    r"upstream $\delta = \partial L/\partial y$: the input gradient is the full convolution "
    r"$\partial L/\partial x_t = \sum_{l=1}^k w_l \delta_{t-l+1}$ of $\delta$ (zero outside $1, \dots, m$) with $w$, "
    r"i.e. the correlation of the zero-padded $\delta$ with the flipped kernel",
)
KERNEL_GRADIENT = Statement(
    "kernel gradient",
    Eq(DW_J, notation(r"(x \star \delta)_j", KERNEL_GRAD_J, "corr(x, delta)_j"), evaluate=False),
    text=r"the kernel gradient is the cross-correlation of the input with $\delta$: "
    r"$\partial L/\partial w_j = \sum_{i=1}^m \delta_i x_{i+j-1}$",
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
    Eq(Sum(1, (j_win, 0, sp.floor(r_room / s_str))), sp.floor(r_room / s_str) + 1),
    text=r"so the starts are $sj$ for $j = 0, \dots, J$ with $J = \lfloor r/s \rfloor \ge 0$ for the room "
    r"$r = n + 2p - k \ge 0$: the output has $\lfloor (n + 2p - k)/s \rfloor + 1$ entries",
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
    convolution: the upstream gradient convolved with the kernel for the input (the zero-padded gradient
    correlated with the flipped kernel), and correlated with the input for the kernel. This is why frameworks
    implement the backward pass of a convolution with the same kernels as the forward pass, and why a
    transposed convolution is the gradient of a convolution."""
    d.begin(DX_T, r"the chain rule with the upstream gradient, entry by entry")
    d.then(lambda e: e.doit(), r"$\partial y_a/\partial x_t = \sum_l w_l\,[t = a + l - 1]$")
    d.assume(SUM_EXCHANGE, SUM_EXCHANGE.rewrite, r"sum over the outputs $a$ first")
    d.then(
        lambda e: e.replace(lambda u: isinstance(u, Sum) and u.function.has(sp.KroneckerDelta), sp.Sum.doit),
        r"the delta picks $a = t - l + 1$ when that output exists ($1 \le a \le m$), else nothing: "
        r"the zero-padded $\delta_{t-l+1}$",
    )
    d.then(CLAIM.relation.rhs, r"the full convolution $(\delta \ast w)_t$")  # type: ignore[union-attr]
    d.conclude("input gradient")

    d.begin(DW_J, r"the chain rule in the kernel taps")
    d.then(lambda e: in_range(collapse(e.doit())), r"$\partial y_a/\partial w_j = x_{a+j-1}$: the delta collapses")
    d.then(KERNEL_GRADIENT.relation.rhs, r"the correlation $(x \star \delta)_j$")  # type: ignore[union-attr]
    d.conclude("kernel gradient")

    d.begin(Sum(1, (i_win, 0, n_sig + 2 * p_pad - k_ker)), "count the window starts", title="Output length")
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

    d.begin(Sum(1, (j_win, 0, sp.floor(r_room / s_str))), r"one output per start $sj$, $j = 0, \dots, J$")
    d.then(lambda e: e.doit(), r"count: $J \ge 0$ since $r \ge 0$ and $s > 0$")
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


def _index_forms_check(ctx: CheckContext) -> CrossCheckResult:
    """The derived index forms (delta * w)_t and (x star delta)_j at m = 6 outputs, k = 4 taps, summed
    entry by entry, against numpy.convolve(delta, w, 'full') and numpy.correlate(x, delta, 'valid')."""
    m, k = 6, 4
    x, w, delta = ctx.rng.normal(size=m + k - 1), ctx.rng.normal(size=k), ctx.rng.normal(size=m)
    values = {
        **{xI[q + 1]: x[q] for q in range(m + k - 1)},
        **{wI[q + 1]: w[q] for q in range(k)},
        **{deltaI[q + 1]: delta[q] for q in range(m)},
    }
    sizes = {m_out: m, k_ker: k}

    def entries(form: sp.Expr, index: sp.Symbol, count: int) -> np.ndarray:
        written = unroll_sums(form.xreplace(sizes))  # the sum written out once, the index still free
        return np.array([float(written.xreplace({index: v}).xreplace(values)) for v in range(1, count + 1)])

    gx, gw = entries(FULL_CONV_T, t_in, m + k - 1), entries(KERNEL_GRAD_J, j_ker, k)
    return combine(
        ctx.compare("derived (delta * w)_t", "numpy.convolve full", gx, np.convolve(delta, w, "full"), rtol=1e-12),
        ctx.compare("derived (x star delta)_j", "numpy.correlate", gw, np.correlate(x, delta, "valid"), rtol=1e-12),
    )


def crosscheck(ctx: CheckContext) -> CrossCheckResult:
    """The gradients by finite differences and the derived index forms against numpy, and the output length
    by counting windows."""
    return combine(_conv_check(ctx), _index_forms_check(ctx), _lengths_check(ctx))


# -- the declaration -------------------------------------------------------------------------------
CONV_BACKPROP = declare(
    "conv-backprop",
    aliases=("convolution-backprop",),
    title="Backpropagation through a 1-D convolution",
    section="6",
    map_row=r"chapter 14 Math for specific models: CNN (convolution, output size, backprop)",
    variables={
        xI: ENTRY,
        wI: ENTRY,
        deltaI: ENTRY,
        **SIZES,
        m_out: integer(1, 8),
        i_out: integer(1, m_out),
        j_ker: integer(1, k_ker),
        t_in: integer(1, m_out + k_ker - 1),
        r_room: integer(0, 70),
    },
    claim=CLAIM,
    also=(KERNEL_GRADIENT, LENGTH_STRIDE_1, LAST_WINDOW_FITS, NEXT_WINDOW_DOES_NOT, OUTPUT_LENGTH),
    derivation=derivation,
    crosscheck=crosscheck,
    question=QUESTION,
    refs=REFS,
    builds_on=("dense-backprop",),
)
