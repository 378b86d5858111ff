r"""2.3 Gradient flow: why deep chains vanish or explode, and what the standard fixes do.

Backpropagation through a depth-:math:`L` network multiplies :math:`L` layer Jacobians. This module
derives that product for a sigmoid chain and bounds it (``vanishing-gradient``), and derives the
three classic remedies: residual connections keep an identity path in the product
(``residual-gradient``), the LSTM cell's additive update carries the error through the forget gate
(``lstm-cell-gradient``), and clipping caps the norm of an exploding gradient without turning it
(``gradient-clipping``).
"""

from __future__ import annotations

import numpy as np
import sympy as sp
from sympy import Abs, Derivative, Eq, Le, Limit, Mul, Rational, exp, oo

from ..derivation import Derivation
from ..identity import Question, Ref, Statement, identity, numerically
from ..moves.matrices import entry_domains, jacobian_form, symbol_matrix, symbol_vector
from ..numeric.crosscheck import CheckContext, CrossCheckResult, combine
from ..numeric.domains import positive, real
from ..special import sigmoid

# ----------------------------------------------------------------------------- vanishing gradient
DEPTH = 4
a0 = real(-3, 3).symbol("a0")
W = [real(-6, 6).symbol(f"w{layer}") for layer in range(1, DEPTH + 1)]
Z = [real(-8, 8).symbol(f"z{layer}") for layer in range(1, DEPTH + 1)]  # named pre-activations (question)
x = real(-8, 8).symbol("x")
s = positive().symbol("s")
L = sp.Symbol("L", positive=True, integer=True)
GAIN_DOWN = sp.Pow(exp(-s), L, evaluate=False)  # (e^{-s})^L: L layers of gain e^{-s} < 1
GAIN_UP = sp.Pow(exp(s), L, evaluate=False)  # (e^{s})^L: L layers of gain e^{s} > 1


def sigmoid_chain(a: sp.Expr, weights: list[sp.Expr]) -> tuple[sp.Expr, list[sp.Expr]]:
    """Output :math:`a_L` of :math:`a_l = \\sigma(w_l a_{l-1})` and the pre-activations :math:`z_l`."""
    zs = []
    for w in weights:
        zs.append(w * a)
        a = sigmoid(zs[-1])
    return a, zs


def dsigmoid(z: sp.Expr) -> sp.Expr:
    r""":math:`\sigma'(z) = \sigma(z)(1 - \sigma(z))`, as a student writes it."""
    return sigmoid(z) * (1 - sigmoid(z))


A_L, PRE = sigmoid_chain(a0, W)
PRODUCT = Mul(*[w * dsigmoid(z) for w, z in zip(W, PRE, strict=True)])
PRODUCT_Z = Mul(*[w * dsigmoid(z) for w, z in zip(W, Z, strict=True)])  # the same, pre-activations named

# the matrix version: a 2-wide chain a_l = sigma(W_l a_{l-1}) of depth 2
MW = [symbol_matrix(f"v{layer}", 2, 2, real(-3, 3)) for layer in (1, 2)]
MA0 = symbol_vector("u", 2, real(-3, 3))


def _matrix_chain() -> tuple[sp.Matrix, list[sp.Matrix]]:
    a, zs = MA0, []
    for w in MW:
        zs.append(w * a)
        a = zs[-1].applyfunc(sigmoid)
    return a, zs


MA2, MZ = _matrix_chain()
MJAC = Mul(*[sp.diag(*[dsigmoid(zi) for zi in z]) * w for z, w in reversed(list(zip(MZ, MW, strict=True)))])


def _sigmoid_np(t: np.ndarray) -> np.ndarray:
    # 1/(1 + e^{-t}) keeps full relative precision on both tails (1 + tanh(t/2) would cancel for
    # t << 0); the checks only meet |t| < 40, far from overflow. Works for complex t (complex step).
    return 1.0 / (1.0 + np.exp(-t))


def _chain_np(a: np.ndarray, ws: np.ndarray) -> np.ndarray:
    for w in ws:
        a = _sigmoid_np(w * a)
    return a


def _vanishing_check(ctx: CheckContext) -> CrossCheckResult:
    """Random sigmoid chains of depth 2..50 (a loop implementation, not the derived product).

    The complex step :math:`\\operatorname{Im} f(a_0 + ih)/h` differentiates the loop without
    cancellation, so even a gradient of :math:`10^{-60}` is known to 15 digits: it is compared in
    log space (log-magnitude and sign). Richardson-extrapolated central differences are compared at
    every depth to :math:`10^{-5}` relative plus the honest floor of their rounding error
    :math:`10\\epsilon_{\\mathrm{mach}} |a_L| / h`, below which a difference quotient carries no
    information. The bound :math:`\\prod |w_l| / 4` is checked on all.
    """
    log_err, fd_got, fd_exp, fd_floor, worst_ratio = [], [], [], [], 0.0
    for depth in range(2, 51):
        for _ in range(4):
            ws = ctx.rng.uniform(0.5, 6.0, depth) * ctx.rng.choice([-1.0, 1.0], depth)
            a = float(ctx.rng.uniform(-3, 3))
            # the derived product, evaluated factor by factor in log space (no underflow)
            zs, act = [], a
            for w in ws:
                zs.append(w * act)
                act = _sigmoid_np(w * act)
            zs_arr = np.array(zs)
            factors = ws * _sigmoid_np(zs_arr) * _sigmoid_np(-zs_arr)
            log_prod, sign_prod = float(np.sum(np.log(np.abs(factors)))), float(np.prod(np.sign(factors)))
            h = 1e-30
            cs = float(np.imag(_chain_np(np.complex128(a + 1j * h), ws))) / h
            ok_sign = np.sign(cs) == sign_prod
            log_err.append(abs(np.log(abs(cs)) - log_prod) if ok_sign and cs != 0 else np.inf)
            hstep = 3e-4 * max(1.0, abs(a))

            def central(step: float, ws: np.ndarray = ws, a: float = a) -> float:
                return float(_chain_np(a + step, ws) - _chain_np(a - step, ws)) / (2 * step)

            fd = (4 * central(hstep) - central(2 * hstep)) / 3  # Richardson: truncation O(h^4)
            fd_got.append(fd)
            fd_exp.append(sign_prod * np.exp(log_prod))
            fd_floor.append(10 * np.finfo(float).eps * abs(act) / hstep)
            worst_ratio = max(worst_ratio, np.exp(log_prod - float(np.sum(np.log(np.abs(ws) / 4)))))
    got, want, floor = np.array(fd_got), np.array(fd_exp), np.array(fd_floor)
    # central differences: truncation O(h^2) relative, rounding below the floor
    fd_err = float(np.max(np.abs(got - want) / (np.abs(want) * 1e-5 + floor)))
    return combine(
        ctx.bound(
            "complex step, depth 2..50",
            "complex-step derivative of the loop, log space",
            float(np.max(log_err)),
            1e-9,
            samples=len(log_err),
        ),
        ctx.bound(
            "central differences, depth 2..50",
            "Richardson central differences (error / (1e-5 |d| + rounding floor))",
            fd_err,
            1.0,
            samples=len(fd_got),
        ),
        ctx.bound("|d a_L/d a_0| / prod(|w_l|/4)", "the bound on every sample", worst_ratio, 1.0, samples=len(fd_got)),
    )


def _matrix_bound(ctx: CheckContext) -> CrossCheckResult:
    """Random width-8 sigmoid nets of depth 2..30: the Jacobian of the forward pass by finite
    differences (not the product formula), its spectral norm against
    :math:`\\prod_l \\|W_l\\|_2 \\max_i \\sigma'(z_{l,i})`, and that bound against :math:`\\prod_l \\|W_l\\|_2/4`."""
    from ..numeric.matrices import jacobian_fd

    first, second, count = 0.0, 0.0, 0
    for depth in (2, 3, 5, 10, 30):
        for _ in range(6):
            ws = ctx.rng.normal(0.0, 1.5, (depth, 8, 8))
            a = ctx.rng.uniform(-2, 2, 8)

            def forward(v: np.ndarray, ws: np.ndarray = ws) -> np.ndarray:
                for w in ws:
                    v = _sigmoid_np(w @ v)
                return v

            jac = jacobian_fd(forward, a)
            zs, v = [], a
            for w in ws:
                zs.append(w @ v)
                v = _sigmoid_np(zs[-1])
            gains = [
                np.linalg.norm(w, 2) * np.max(_sigmoid_np(z) * _sigmoid_np(-z)) for w, z in zip(ws, zs, strict=True)
            ]
            bound = float(np.prod(gains))
            quarter = float(np.prod([np.linalg.norm(w, 2) / 4 for w in ws]))
            norm = np.linalg.norm(jac, 2) - 1e-7 * np.linalg.norm(jac) - 1e-9  # finite-difference slack
            first, second = max(first, norm / bound), max(second, bound / quarter)
            count += 1
    return combine(
        ctx.bound(
            "||J|| / (prod ||W_l|| max sigma')",
            "numpy.linalg.norm of finite-difference Jacobians",
            first,
            1.0,
            samples=count,
        ),
        ctx.bound("prod ||W_l|| max sigma' / (prod ||W_l|| / 4)", "numpy.linalg.norm", second, 1.0, samples=count),
    )


@identity(
    "vanishing-gradient",
    title="Vanishing and exploding gradients in a sigmoid chain",
    section="2.3",
    map_row=r"$\partial L/\partial W^{[1]} \propto \prod_{l=2}^{L} W^{[l]} \sigma'(z^{[l]})$; vanishing / exploding",
    variables={
        a0: real(-3, 3),
        **{w: real(-6, 6) for w in W},
        **{z: real(-8, 8) for z in Z},
        x: real(-8, 8),
        s: positive(),
        **entry_domains(MA0, real(-3, 3)),
        **{e: real(-3, 3) for m in MW for e in m},
    },
    claim=Statement(
        "chain rule",
        Eq(Derivative(A_L, a0), PRODUCT),
        text=r"for $L = 4$: $\partial a_4/\partial a_0 = \prod_{l=1}^{4} w_l \sigma'(z_l)$, $z_l = w_l a_{l-1}$",
    ),
    also=[
        Statement(
            "sigma' <= 1/4",
            Le(Derivative(sigmoid(x), x), Rational(1, 4)),
            text=r"the sigmoid's slope is at most $\tfrac14$ (attained at $x = 0$)",
        ),
        Statement(
            "bound",
            Le(Abs(PRODUCT_Z), Mul(*[Abs(w) for w in W]) / 4**DEPTH),
            text=r"so $|\partial a_4/\partial a_0| = |\prod_l w_l \sigma'(z_l)| \le \prod_l |w_l|/4$, "
            r"whatever the pre-activations $z_l$",
        ),
        Statement(
            "vanishes",
            Eq(Limit(GAIN_DOWN, L, oo), 0),
            text=r"if every $|w_l| \le |w| < 4$, write $|w|/4 = e^{-s}$ with $s = \log(4/|w|) > 0$: "
            r"the bound $(|w|/4)^L$ tends to $0$ geometrically",
        ),
        Statement(
            "explodes",
            Eq(Limit(sp.Pow(GAIN_UP, -1, evaluate=False), L, oo), 0),
            text=r"if instead $|w_l \sigma'(z_l)| \ge e^{s} > 1$ at every layer, "
            r"$|\partial a_L/\partial a_0| \ge e^{sL}$, whose reciprocal tends to $0$: the gradient explodes",
        ),
        Statement(
            "matrix chain",
            Eq(jacobian_form(MA2, list(MA0)), MJAC),
            text=r"for width 2, depth 2: $\partial a_2/\partial a_0 = D_2 W_2 D_1 W_1$, "
            r"$D_l = \operatorname{diag}(\sigma'(z_l))$",
        ),
        numerically(
            "matrix bound",
            r"$\|\partial a_L/\partial a_0\|_2 \le \prod_l \|W_l\|_2 \max_i|\sigma'(z_{l,i})| \le "
            r"\prod_l \|W_l\|_2/4$ (submultiplicativity of the operator norm), on random width-8 networks "
            r"of depth 2 to 30",
            _matrix_bound,
        ),
    ],
    crosscheck=_vanishing_check,
    question=Question(
        target=PRODUCT_Z,
        prompt=r"A scalar network has layers $z_l = w_l a_{l-1}$, $a_l = \sigma(z_l)$ for $l = 1, \dots, 4$ "
        r"($\sigma$ the logistic sigmoid). Compute $\partial a_4/\partial a_0$ in terms of the weights "
        r"$w_1, \dots, w_4$ and the pre-activations $z_1, \dots, z_4$.",
        names={"sigma": sigmoid, "sigmoid": sigmoid},
        approximations={
            r"a factor $\sigma'(z_l)$ is missing": Mul(*[w for w in W]) * Mul(*[dsigmoid(z) for z in Z[:-1]]),
            r"the weights $w_l$ are missing: each layer contributes $w_l \sigma'(z_l)$": Mul(*[dsigmoid(z) for z in Z]),
            r"$\sigma(z_l)$ instead of $\sigma'(z_l) = \sigma(z_l)(1 - \sigma(z_l))$": Mul(
                *[w * sigmoid(z) for w, z in zip(W, Z, strict=True)]
            ),
        },
    ),
    refs=(
        Ref.book("S. Hochreiter, Untersuchungen zu dynamischen neuronalen Netzen, Diploma thesis, TU Munich, 1991"),
        Ref.book(
            "Y. Bengio, P. Simard and P. Frasconi, Learning long-term dependencies with gradient descent is "
            "difficult, IEEE Trans. Neural Networks 5(2), 1994"
        ),
        Ref.arxiv(
            "1211.5063",
            "R. Pascanu, T. Mikolov and Y. Bengio, On the difficulty of training recurrent neural networks, 2013",
            where="Sec. 2",
        ),
    ),
)
def vanishing_gradient(d: Derivation) -> None:
    r"""Backpropagation multiplies one factor $w_l\,\sigma'(z_l)$ per layer. The sigmoid's slope
    never exceeds $\tfrac14$, so unless the weights are larger than 4 the product shrinks
    geometrically with depth: the first layers of a deep sigmoid network barely learn. This is the
    vanishing-gradient problem that motivated ReLU, careful initialisation, residual connections and
    the LSTM; the same product with large factors explodes instead."""
    d.begin(Derivative(A_L, a0), scope="for depth L = 4")
    d.then(lambda e: e.doit(), r"the chain rule through four layers, $\sigma' = \sigma(1 - \sigma)$")
    d.then(PRODUCT, r"one factor $w_l \sigma'(z_l)$ per layer")
    d.conclude("chain rule")

    d.begin(Derivative(sigmoid(x), x))
    d.then(lambda e: e.doit(), r"$\sigma' = \sigma(1 - \sigma)$")
    d.then(Rational(1, 4) - (1 - 2 * sigmoid(x)) ** 2 / 4, "complete the square")
    d.bound(Rational(1, 4), r"drop the square $(1 - 2\sigma)^2/4 \ge 0$")
    d.conclude("sigma' <= 1/4")

    d.begin(Abs(PRODUCT_Z), scope="for depth L = 4")
    factors = [Abs(w) * sigmoid(z) * sigmoid(-z) for w, z in zip(W, Z, strict=True)]
    d.then(Mul(*factors), r"$|xy| = |x||y|$; $\sigma > 0$ and $1 - \sigma(z) = \sigma(-z) > 0$")
    for k, (w, z) in enumerate(zip(W, Z, strict=True)):
        factors[k] = Abs(w) / (4 * (1 + sp.sinh(z / 2) ** 2))
        d.then(Mul(*factors), rf"$\sigma(z)\sigma(-z) = \frac{{1}}{{4\cosh^2(z/2)}}$ for $z = z_{k + 1}$")
        factors[k] = Abs(w) / 4
        d.bound(Mul(*factors), rf"$\sinh^2(z_{k + 1}/2) \ge 0$, so $\sigma'(z_{k + 1}) \le \tfrac14$")
    d.conclude("bound")

    d.begin(Limit(GAIN_DOWN, L, oo))
    d.then(lambda e: e.doit(), r"$e^{-sL} \to 0$ for $s > 0$")
    d.conclude("vanishes")
    d.begin(Limit(sp.Pow(GAIN_UP, -1, evaluate=False), L, oo))
    d.then(lambda e: e.doit(), r"$e^{sL} \to \infty$ for $s > 0$")
    d.conclude("explodes")

    d.begin(jacobian_form(MA2, list(MA0)), scope="for width 2, depth 2")
    d.then(lambda e: e.doit(), "differentiate every output in every input (chain rule, entrywise)")
    d.then(MJAC, r"collect: $D_2 W_2 D_1 W_1$")
    d.conclude("matrix chain")
