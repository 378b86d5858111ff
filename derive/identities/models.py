r"""6 Curriculum chapters 13 and 14: normalisation (the layer-norm Jacobian), CNNs (backpropagation
through a convolution) and GANs (the optimal discriminator).

Layer norm and the convolution are derived on explicit small sizes with ``sympy.diff`` (the chain rule
with an upstream gradient comes from :func:`~derive.moves.matrices.backprop_form`) and checked by finite
differences at larger random sizes; the GAN identities are pointwise calculus and a finite sum over a
three-outcome space (:mod:`derive.moves.discrete`).
"""

from __future__ import annotations

import numpy as np
import sympy as sp
from sympy import Derivative, Eq, Function, Ge, Gt, IndexedBase, Lt, Subs, Sum, log, sqrt

from derive.core.derivation import Derivation
from derive.core.identity import Question, Ref, identity
from derive.core.statements import Statement
from derive.maths import discrete as dm
from derive.maths.domains import integer, positive, probability, real
from derive.maths.indexed import sift
from derive.maths.matrices import backprop_form, entry_domains, jacobian_form, symbol_vector
from derive.maths.notation import notation
from derive.numeric.crosscheck import CheckContext, CrossCheckResult, combine
from derive.numeric.linalg import gradient_fd, jacobian_fd

# ----------------------------------------------------------------------------- layer norm
N_LN = 3
ENTRY = real(-3, 3)
XV = symbol_vector("x", N_LN, ENTRY)
MEAN = sum(XV) / N_LN
STD = sqrt(sum((xi - MEAN) ** 2 for xi in XV) / N_LN)  # population standard deviation
YV = (XV - MEAN * sp.ones(N_LN, 1)) / STD
LN_JAC = (sp.eye(N_LN) - sp.ones(N_LN, N_LN) / N_LN - YV * YV.T / N_LN) / STD


def _entrywise(m: sp.Matrix) -> sp.Matrix:
    r"""``m`` with entry $(i, j)$ displayed as $\bigl(\delta_{ij} - \frac1n - \frac1n y_iy_j\bigr)/\sigma$
    (its value kept)."""
    return sp.Matrix(
        m.rows,
        m.cols,
        lambda i, j: notation(
            rf"\tfrac{{{int(i == j)} - \frac{{1}}{{{N_LN}}} - \frac{{1}}{{{N_LN}}}y_{i + 1}y_{j + 1}}}{{\sigma}}",
            m[i, j],
            f"J{i + 1}{j + 1}",
        ),
    )


def _layernorm_numpy(x: np.ndarray) -> np.ndarray:
    return (x - x.mean()) / x.std()


def _layernorm_check(ctx: CheckContext) -> CrossCheckResult:
    """Random x of size 64: the finite-difference Jacobian of (x - mean)/std against
    (I - 11^T/n - y y^T/n)/std, and sum y = 0, sum y^2 = n."""
    jac_err, moments = [], []
    for _ in range(5):
        x = ctx.rng.normal(size=64) * ctx.rng.uniform(0.5, 3) + ctx.rng.uniform(-2, 2)
        y = _layernorm_numpy(x)
        ref = (np.eye(64) - 1 / 64 - np.outer(y, y) / 64) / x.std()
        fd = jacobian_fd(_layernorm_numpy, x)
        jac_err.append(float(np.max(np.abs(fd - ref)) / np.max(np.abs(ref))))
        moments.append(max(abs(y.sum()), abs((y**2).sum() - 64) / 64))
    return combine(
        ctx.bound("Jacobian, n = 64", "central differences", max(jac_err), 1e-7),
        ctx.bound("sum y = 0, sum y^2 = n", "numpy", max(moments), 1e-12),
    )


# general n: x_1..x_n as an IndexedBase, mean and population standard deviation as sums
n_ln = integer(2, 8).symbol("n")
i_ln, j_ln, k_ln, l_ln = (integer(1, n_ln).symbol(c) for c in "ijkl")
x_ln = IndexedBase("x", real=True)
MU_N = Sum(x_ln[l_ln], (l_ln, 1, n_ln)) / n_ln
SIGMA_N = sqrt(Sum((x_ln[k_ln] - MU_N) ** 2, (k_ln, 1, n_ln)) / n_ln)
LN_DOMAINS = {n_ln: integer(2, 8), **{v: integer(1, n_ln) for v in (i_ln, j_ln, k_ln, l_ln)}, x_ln: ENTRY}


def _y(m: sp.Expr) -> sp.Expr:
    """The layer-norm output y_m = (x_m - mu)/sigma for symbolic n."""
    return (x_ln[m] - MU_N) / SIGMA_N


@identity(
    "layernorm-jacobian",
    aliases=("layer-norm-jacobian",),
    title="Layer normalisation: its moments and its Jacobian",
    section="6",
    map_row=r"chapter 13 ML-specific math: normalisation (LayerNorm, BatchNorm)",
    variables={**entry_domains(XV, ENTRY), **LN_DOMAINS},
    claim=Statement(
        "Jacobian",
        Eq(
            Derivative(_y(i_ln), x_ln[j_ln]),
            (sp.KroneckerDelta(i_ln, j_ln) - 1 / n_ln - _y(i_ln) * _y(j_ln) / n_ln) / SIGMA_N,
        ),
        text=r"for $y_i = (x_i - \mu)/\sigma$ with $\mu$ the mean and $\sigma$ the population standard deviation "
        r"of $x \in \mathbb R^n$: $\partial y/\partial x = \frac{1}{\sigma}\bigl(I - \frac1n\mathbf 1\mathbf 1^\top "
        r"- \frac1n yy^\top\bigr)$",
    ),
    also=[
        Statement(
            "sum y = 0",
            Eq(Sum(_y(k_ln), (k_ln, 1, n_ln)), 0),
            text=r"centred, so any $n - 1$ coordinates determine the last",
        ),
        Statement(
            "sum y^2 = n", Eq(Sum(_y(k_ln) ** 2, (k_ln, 1, n_ln)), n_ln), text=r"on the sphere of radius $\sqrt n$"
        ),
    ],
    crosscheck=_layernorm_check,
    question=Question(
        target=(1 - sp.Rational(1, N_LN) - YV[0] ** 2 / N_LN) / STD,
        prompt=r"For $y = (x - \mu)/\sigma$ (layer norm without gain, $n = 3$, population $\sigma$), what is "
        r"$\partial y_1/\partial x_1$? Write it with $x_1, x_2, x_3$.",
        approximations={
            r"this ignores that $\mu$ and $\sigma$ depend on $x$": 1 / STD,
            r"the dependence of $\sigma$ on $x$ is missing": (1 - sp.Rational(1, N_LN)) / STD,
        },
    ),
    refs=(Ref.arxiv("1607.06450", "J. L. Ba, J. R. Kiros and G. E. Hinton, Layer Normalization, 2016", "Sec. 3"),),
)
def layernorm_jacobian(d: Derivation) -> None:
    r"""Layer norm rescales each token's activations to zero mean and unit variance. Its outputs live on a
    sphere ($\sum y = 0$, $\sum y^2 = n$), and its Jacobian projects out the two directions it normalises
    away, $\mathbf 1$ and $y$: gradients along them are removed, which is what makes pre-norm transformers
    insensitive to the scale of the residual stream."""
    d.begin(Sum(_y(k_ln), (k_ln, 1, n_ln)))
    d.then((Sum(x_ln[k_ln], (k_ln, 1, n_ln)) - n_ln * MU_N) / SIGMA_N, r"$\sigma$ and $\mu$ do not depend on $k$")
    d.then(sp.S.Zero, r"$\sum_k x_k = n\mu$")
    d.conclude("sum y = 0")

    d.begin(Sum(_y(k_ln) ** 2, (k_ln, 1, n_ln)))
    d.then(
        lambda e: sp.cancel(Sum((x_ln[k_ln] - MU_N) ** 2, (k_ln, 1, n_ln)) / SIGMA_N**2),
        r"$\sigma$ does not depend on $k$, and $\sum_k (x_k - \mu)^2 = n\sigma^2$",
    )
    d.conclude("sum y^2 = n")

    d.begin(Derivative(_y(i_ln), x_ln[j_ln]))
    d.then(
        lambda e: sift(e.doit()),
        r"differentiate ($\partial x_k/\partial x_j = \delta_{kj}$ inside $\mu$ and $\sigma$) and sift the deltas: "
        r"$\sum_l \delta_{lj} = 1$, $\sum_k \delta_{kj} g_k = g_j$",
    )
    d.then(
        lambda e: e.subs(Sum(-2 * x_ln[k_ln] / n_ln, (k_ln, 1, n_ln)), -2 * MU_N),
        r"$\frac1n\sum_k x_k = \mu$, so $\partial \sigma/\partial x_j = (x_j - \mu)/(n\sigma) = y_j/n$",
    )
    d.then(
        (sp.KroneckerDelta(i_ln, j_ln) - 1 / n_ln - _y(i_ln) * _y(j_ln) / n_ln) / SIGMA_N,
        r"collect $1/\sigma$: $(\delta_{ij} - \frac1n - \frac1n y_iy_j)/\sigma$",
    )
    d.conclude("Jacobian")

    size = f"for n = {N_LN}"
    title = f"Example: the whole Jacobian for n = {N_LN}"
    d.begin(notation(r"\frac{\partial y}{\partial x}", jacobian_form(YV, list(XV)), "dy/dx"), scope=size, title=title)
    d.then(
        lambda e: _entrywise(e.doit().applyfunc(sp.expand)),
        r"differentiate ($\partial\mu/\partial x_j = 1/n$, $\partial\sigma/\partial x_j = y_j/n$) and expand; "
        r"each entry is shown by what it is (the expanded rational functions of $x$ are too wide to print)",
    )
    d.then(
        notation(
            r"\frac{1}{\sigma}\Bigl(I - \frac{1}{n}\mathbf 1\mathbf 1^\top - \frac{1}{n}yy^\top\Bigr)", LN_JAC, "J"
        ),
        "the general formula at $n = 3$",
    )
    d.finish()


# ----------------------------------------------------------------------------- 1-D convolution
N_IN, K_SIZE = 5, 3
N_OUT = N_IN - K_SIZE + 1
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
n_sig = integer(1, 64).symbol("n")
p_pad = integer(0, 3).symbol("p")
k_ker = integer(1, n_sig + 2 * p_pad).symbol("k")
s_str = integer(1, 4).symbol("s")
SIZES = {n_sig: integer(1, 64), p_pad: integer(0, 3), k_ker: integer(1, n_sig + 2 * p_pad), s_str: integer(1, 4)}
i_win = integer(0, n_sig + 2 * p_pad - k_ker).symbol("i")  # a window's first index
SPAN = n_sig + 2 * p_pad - k_ker  # how far the first window may move
LAST = sp.floor(SPAN / s_str)  # the index J of the last window start s J
j_win = integer(0, LAST).symbol("j")  # a strided window's index: it starts at s j


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


def _conv_checks(ctx: CheckContext) -> CrossCheckResult:
    """The gradients by finite differences, and the output length by counting windows."""
    return combine(_conv_check(ctx), _lengths_check(ctx))


def _conv_check(ctx: CheckContext) -> CrossCheckResult:
    """Random signals (n = 50, k = 7): finite-difference gradients of L = delta . conv(x, w) against
    numpy.convolve(delta, w, 'full') (input) and numpy.correlate(x, delta, 'valid') (kernel)."""
    errs = []
    for _ in range(5):
        x, w = ctx.rng.normal(size=50), ctx.rng.normal(size=7)
        delta = ctx.rng.normal(size=44)

        def loss(xx: np.ndarray, ww: np.ndarray, delta: np.ndarray = delta) -> float:
            return float(delta @ np.correlate(xx, ww, "valid"))

        gx = gradient_fd(lambda v, w=w: loss(v, w), x)
        gw = gradient_fd(lambda v, x=x: loss(x, v), w)
        errs.append(float(np.max(np.abs(gx - np.convolve(delta, w, "full")))))
        errs.append(float(np.max(np.abs(gw - np.correlate(x, delta, "valid")))))
    return ctx.bound("input and kernel gradients", "central differences vs numpy", max(errs), 1e-7)


@identity(
    "conv-backprop",
    aliases=("convolution-backprop",),
    title="Backpropagation through a 1-D convolution",
    section="6",
    map_row=r"chapter 14 Math for specific models: CNN (convolution, output size, backprop)",
    variables={**entry_domains(XC, ENTRY), **entry_domains(WC, ENTRY), **entry_domains(DELTA, ENTRY), **SIZES},
    claim=Statement(
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
    ),
    also=[
        Statement(
            "kernel gradient",
            Eq(
                notation(r"\frac{\partial L}{\partial w}", backprop_form(DELTA, YC, WC), "dL/dw"),
                notation(r"x \star \delta", KERNEL_GRAD, "corr(x, delta)"),
                evaluate=False,
            ),
            text=r"the kernel gradient is the cross-correlation of the input with $\delta$",
        ),
        Statement(
            "output length, stride 1",
            Eq(Sum(1, (i_win, 0, n_sig + 2 * p_pad - k_ker)), n_sig + 2 * p_pad - k_ker + 1),
            text=r"with padding $p$ and stride 1 the windows start at $i = 0, 1, \dots, n + 2p - k$ "
            r"(the last one ends at $i + k = n + 2p$): the output has $n + 2p - k + 1$ entries",
        ),
        Statement(
            "last window fits",
            Ge(n_sig + 2 * p_pad - (s_str * LAST + k_ker), 0),
            text=r"with stride $s$ the windows start at $0, s, 2s, \dots$; the one at $sJ$, "
            r"$J = \lfloor (n + 2p - k)/s \rfloor$, still ends inside: $sJ + k \le n + 2p$",
        ),
        Statement(
            "next window does not",
            Gt(s_str * (LAST + 1) + k_ker - (n_sig + 2 * p_pad), 0),
            text=r"the next start $s(J + 1)$ does not fit: $s(J + 1) + k > n + 2p$",
        ),
        Statement(
            "output length",
            Eq(Sum(1, (j_win, 0, LAST)), LAST + 1),
            text=r"so the starts are $sj$ for $j = 0, \dots, J$: the output has $\lfloor (n + 2p - k)/s \rfloor + 1$ "
            r"entries",
        ),
    ],
    crosscheck=_conv_checks,
    question=Question(
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
    ),
    refs=(
        Ref.arxiv(
            "1603.07285",
            "V. Dumoulin and F. Visin, A guide to convolution arithmetic for deep learning, 2016",
            "Sec. 2",
        ),
        Ref.book("I. Goodfellow, Y. Bengio and A. Courville, Deep Learning (2016)", "Sec. 9.5"),
    ),
    builds_on=("dense-backprop",),
)
def conv_backprop(d: Derivation) -> None:
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


# ----------------------------------------------------------------------------- GAN discriminator
a_pt, b_pt = (positive(10).symbol(n) for n in ("p_data", "p_g"))
D = probability().symbol("D")
POINTWISE = a_pt * log(D) + b_pt * log(1 - D)
D_STAR = a_pt / (a_pt + b_pt)
K_OUT = 3
pw, qw = IndexedBase("a", positive=True), IndexedBase("b", positive=True)
P_DATA = dm.Table(Function("p_data"), pw, K_OUT)
P_GEN = dm.Table(Function("p_g"), qw, K_OUT)


def _mixture(k: int) -> sp.Expr:
    return (P_DATA(k) + P_GEN(k)) / 2


VALUE = sp.Add(
    *(
        P_DATA(k) * log(P_DATA(k) / (P_DATA(k) + P_GEN(k))) + P_GEN(k) * log(P_GEN(k) / (P_DATA(k) + P_GEN(k)))
        for k in dm.outcomes(K_OUT)
    )
)
JSD2 = dm.kl(P_DATA, _mixture, K_OUT) + dm.kl(P_GEN, _mixture, K_OUT)  # 2 JSD(p_data || p_g)
VALUE_TEX = notation(
    rf"\sum_{{k=1}}^{{{K_OUT}}}\Bigl[p_{{\mathrm{{data}}}}(k)\log D^*(k) + p_g(k)\log\bigl(1 - D^*(k)\bigr)\Bigr]",
    VALUE,
    "V(D*)",
)
JSD_TEX = notation(r"2\,\mathrm{JSD}(p_{\mathrm{data}}\,\|\,p_g) - \log 4", JSD2 - log(4), "2 JSD - log 4")


def _gan_check(ctx: CheckContext) -> CrossCheckResult:
    """Random discrete distributions on 10 outcomes: D* = p/(p + q) scores at least as high as 2000 random
    discriminators, and its objective equals 2 JSD - log 4 with JSD from scipy.spatial.distance.jensenshannon."""
    from scipy.spatial.distance import jensenshannon

    margins, got, ref = [], [], []
    for _ in range(10):
        p, q = ctx.rng.dirichlet(np.ones(10)), ctx.rng.dirichlet(np.ones(10))

        def objective(dd: np.ndarray, p: np.ndarray = p, q: np.ndarray = q) -> np.ndarray:
            return np.sum(p * np.log(dd) + q * np.log(1 - dd), axis=-1)

        best = objective(p / (p + q))
        others = objective(ctx.rng.uniform(1e-3, 1 - 1e-3, size=(2000, 10)))
        margins.append(float(np.max(others) - best))
        got.append(float(best))
        ref.append(2 * jensenshannon(p, q) ** 2 - np.log(4))
    return combine(
        ctx.bound("no random D beats D*", "2000 random discriminators", max(margins), 0.0),
        ctx.compare("V(D*) = 2 JSD - log 4", "scipy jensenshannon", np.array(got), np.array(ref), rtol=1e-10),
    )


@identity(
    "gan-optimal-discriminator",
    aliases=("gan-discriminator",),
    title="The optimal GAN discriminator and the Jensen-Shannon divergence",
    section="6",
    map_row=r"chapter 14 Math for specific models: GAN (minimax objective)",
    variables={a_pt: positive(10), b_pt: positive(10), D: probability(), pw: positive(10), qw: positive(10)},
    definitions=dm.definitions(P_DATA, P_GEN),
    claim=Statement(
        "D*",
        Eq(D, D_STAR),
        text=r"pointwise, $a\log D + b\log(1 - D)$ with $a = p_{\mathrm{data}}(x)$, $b = p_g(x)$ is stationary at "
        r"$D^* = a/(a + b)$",
    ),
    also=[
        Statement(
            "maximum",
            Lt(Subs(Derivative(POINTWISE, D, 2), D, D_STAR), 0),
            text="and concave there, so $D^*$ maximises the discriminator's objective",
        ),
        Statement(
            "value",
            Eq(VALUE_TEX, JSD_TEX, evaluate=False),
            text=r"with $D = D^*$ the objective "
            r"$\mathbb E_{p_{\mathrm{data}}}[\log D^*] + \mathbb E_{p_g}[\log(1 - D^*)]$ "
            r"equals $2\,\mathrm{JSD}(p_{\mathrm{data}}\,\|\,p_g) - \log 4$ (three outcomes)",
        ),
    ],
    crosscheck=_gan_check,
    question=Question(
        target=D_STAR,
        prompt=r"For a fixed generator, the discriminator maximises $\mathbb E_{p_{\mathrm{data}}}[\log D(x)] + "
        r"\mathbb E_{p_g}[\log(1 - D(x))]$. What is the optimal $D^*(x)$ in terms of $p_{\mathrm{data}}$ and $p_g$?",
        names={"p_data": a_pt, "p_g": b_pt},
        approximations={
            r"this is $1 - D^*$: the discriminator outputs the probability of real data": b_pt / (a_pt + b_pt),
            "a likelihood ratio is not a probability": a_pt / b_pt,
        },
    ),
    refs=(Ref.arxiv("1406.2661", "I. Goodfellow et al., Generative Adversarial Nets, 2014", "Prop. 1, Thm. 1"),),
    builds_on=("kl-nonnegative",),
)
def gan_optimal_discriminator(d: Derivation) -> None:
    r"""A GAN's discriminator is trained to tell data from samples. For a fixed generator its best response
    is $D^* = p_{\mathrm{data}}/(p_{\mathrm{data}} + p_g)$, and against it the generator minimises
    $2\,\mathrm{JSD}(p_{\mathrm{data}}\,\|\,p_g) - \log 4$: the minimax game is divergence minimisation, with
    its optimum at $p_g = p_{\mathrm{data}}$ (where $D^* = 1/2$)."""
    d.begin(Derivative(POINTWISE, D), "the pointwise objective's slope")
    d.then(lambda e: e.doit(), "differentiate")
    slope = d.keep("slope")
    d.begin(Eq(slope, 0), "stationary point")
    d.solve(D)
    d.conclude("D*")

    d.begin(Subs(Derivative(POINTWISE, D, 2), D, D_STAR))
    d.then(lambda e: e.doit(), r"$-a/D^2 - b/(1 - D)^2$ at $D^*$")
    d.then(lambda e: sp.factor(e), "factor")
    d.bound(sp.S.Zero, "a negative quantity", relation="<")
    d.conclude("maximum")

    d.begin(VALUE_TEX, r"the objective at $D^*$, summed over outcomes")
    d.then(lambda e: VALUE, r"$D^*(k) = \frac{p_{\mathrm{data}}(k)}{p_{\mathrm{data}}(k) + p_g(k)}$")
    d.then(
        sp.Add(
            *(
                P_DATA(k) * (log(P_DATA(k) / _mixture(k)) - log(2)) + P_GEN(k) * (log(P_GEN(k) / _mixture(k)) - log(2))
                for k in dm.outcomes(K_OUT)
            )
        ),
        r"$\frac{p}{p + q} = \frac12\cdot\frac{p}{m}$ with the mixture $m = \frac{p + q}{2}$",
    )
    d.then(JSD2 - log(2) * (dm.total(P_DATA, K_OUT) + dm.total(P_GEN, K_OUT)), r"collect the KL sums")
    d.then(JSD2 - log(4), r"both distributions sum to 1: $-2\log 2 = -\log 4$")
    d.then(JSD_TEX, r"$\mathrm{KL}(p_{\mathrm{data}}\,\|\,m) + \mathrm{KL}(p_g\,\|\,m) = 2\,\mathrm{JSD}$")
    d.conclude("value")
