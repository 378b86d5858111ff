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

from derive.core.derivation import Derivation
from derive.core.identity import Question, Ref, identity
from derive.core.statements import Statement
from derive.maths.domains import integer, matrix, nonnegative, positive, probability, real
from derive.maths.matrices import entry_domains, frobenius_sq, jacobian_form, symbol_matrix, symbol_vector
from derive.maths.notation import named_function, notation
from derive.maths.special import sigmoid
from derive.numeric.crosscheck import CheckContext, CrossCheckResult, combine

# ----------------------------------------------------------------------------- vanishing gradient
DEPTH = 4
a0 = real(-3, 3).symbol("a0")
W = [real(-6, 6).symbol(f"w{layer}") for layer in range(1, DEPTH + 1)]
Z = [real(-8, 8).symbol(f"z{layer}") for layer in range(1, DEPTH + 1)]  # named pre-activations (question)
x = real(-8, 8).symbol("x")
s = positive().symbol("s")
L = integer(1, 20).symbol("L")  # a depth: the induction variable, and the variable of the limits
ell = integer(1, L + 1).symbol("l")
WI = sp.IndexedBase("w", real=True)  # the weights w_l of a chain of any depth
A_BELOW = sp.Function("a_L")  # a_L as a function of a_0: any differentiable chain below the new layer
GAIN_DOWN = sp.Pow(exp(-s), L, evaluate=False)  # (e^{-s})^L: L layers of gain e^{-s} < 1
GAIN_UP = sp.Pow(exp(s), L, evaluate=False)  # (e^{s})^L: L layers of gain e^{s} > 1


def dsigmoid(z: sp.Expr) -> sp.Expr:
    r""":math:`\sigma'(z) = \sigma(z)(1 - \sigma(z))`, as a student writes it."""
    return sigmoid(z) * (1 - sigmoid(z))


SLOPE = named_function("sigmoid_slope", r"\sigma'")
_t = sp.Dummy("t", real=True)
ACT = [named_function(f"a{layer}", f"a_{{{layer}}}") for layer in range(1, DEPTH + 1)]
PREACT = [named_function(f"z{layer}", f"z_{{{layer}}}") for layer in range(1, DEPTH + 1)]


def _chain_definitions() -> dict[sp.Expr, sp.Expr]:
    """:math:`z_l = w_l a_{l-1}`, :math:`a_l = \\sigma(z_l)` as functions of :math:`a_0`, outermost first
    (unfolding goes through the table once), and :math:`\\sigma'` first of all."""
    out: dict[sp.Expr, sp.Expr] = {SLOPE(_t): dsigmoid(_t)}
    for layer in reversed(range(DEPTH)):
        below = ACT[layer - 1](a0) if layer else a0
        out[ACT[layer](a0)] = sigmoid(PREACT[layer](a0))
        out[PREACT[layer](a0)] = W[layer] * below
    return out


DEFINITIONS = _chain_definitions()
PRODUCT = Mul(*[w * SLOPE(z(a0)) for w, z in zip(W, PREACT, strict=True)])
PRODUCT_Z = Mul(*[w * SLOPE(z) for w, z in zip(W, Z, strict=True)])  # any pre-activations z_l


# the matrix version: width 2, depth 2, J = D_2 U D_1 V (layer weights V, then U)
MV, MU = symbol_matrix("V", 2, 2, real(-3, 3)), symbol_matrix("U", 2, 2, real(-3, 3))
MZ1 = [real(-8, 8).symbol(f"z1{i}") for i in (1, 2)]  # pre-activations of layer 1
MZ2 = [real(-8, 8).symbol(f"z2{i}") for i in (1, 2)]


def _slope_pm(z: sp.Expr) -> sp.Expr:
    """:math:`\\sigma'(z)` as :math:`\\sigma(z)\\sigma(-z)`, visibly positive."""
    return sigmoid(z) * sigmoid(-z)


MA = sp.diag(*[_slope_pm(z) for z in MZ2]) * MU  # D_2 U
MB = sp.diag(*[_slope_pm(z) for z in MZ1]) * MV  # D_1 V
FROB_J = notation(r"\lVert D_2 U D_1 V\rVert_F^2", frobenius_sq(MA * MB), "||D2 U D1 V||_F^2")


def _layer_sq(w: sp.MatrixBase, slopes: list[sp.Expr]) -> sp.Expr:
    """:math:`\\|DW\\|_F^2 = \\sum_i d_i^2 \\sum_j W_{ij}^2`."""
    return sp.Add(*[slopes[i] ** 2 * sp.Add(*[w[i, j] ** 2 for j in range(w.cols)]) for i in range(w.rows)])


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
            "complex step",
            "complex step in log space",
            float(np.max(log_err)),
            1e-9,
            samples=len(log_err),
        ),
        ctx.bound(
            "central differences",
            "Richardson differences with rounding floor",
            fd_err,
            1.0,
            samples=len(fd_got),
        ),
        ctx.bound("ratio to the bound", "on every sample", worst_ratio, 1.0, samples=len(fd_got)),
    )


def _matrix_bound(ctx: CheckContext) -> CrossCheckResult:
    """Random width-8 sigmoid nets of depth 2..30: the Jacobian of the forward pass by finite
    differences (not the product formula), its spectral norm against
    :math:`\\prod_l \\|W_l\\|_2 \\max_i \\sigma'(z_{l,i})`, and that bound against :math:`\\prod_l \\|W_l\\|_2/4`."""
    from derive.numeric.linalg import jacobian_fd

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
            "spectral norm over its bound",
            "numpy.linalg.norm of finite-difference Jacobians",
            first,
            1.0,
            samples=count,
        ),
        ctx.bound("bound over the quarter bound", "numpy.linalg.norm", second, 1.0, samples=count),
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
        L: integer(1, 20),
        ell: integer(1, L + 1),
        WI: real(-6, 6),
        x: real(-8, 8),
        s: positive(),
        **entry_domains(MU, real(-3, 3)),
        **entry_domains(MV, real(-3, 3)),
        **{z: real(-8, 8) for z in MZ1 + MZ2},
    },
    definitions=DEFINITIONS,
    claim=Statement(
        "chain rule",
        Eq(Derivative(ACT[-1](a0), a0), PRODUCT),
        text=r"for $L = 4$ layers $z_l = w_l a_{l-1}$, $a_l = \sigma(z_l)$: one factor $w_l \sigma'(z_l)$ per layer",
    ),
    also=[
        Statement(
            "base case",
            Eq(Derivative(sigmoid(WI[1] * a0), a0), sp.Product(WI[ell] * SLOPE(WI[ell] * a0), (ell, 1, 1))),
            text=r"any depth $L$, by induction: for $L = 1$ the product has one factor $w_1\sigma'(w_1 a_0)$",
        ),
        Statement(
            "one more layer",
            Eq(
                Derivative(sigmoid(WI[L + 1] * A_BELOW(a0)), a0),
                WI[L + 1] * SLOPE(WI[L + 1] * A_BELOW(a0)) * Derivative(A_BELOW(a0), a0),
            ),
            text=r"a layer on top of any chain $a_L(a_0)$ multiplies its derivative by "
            r"$w_{L+1}\sigma'(z_{L+1})$, $z_{L+1} = w_{L+1} a_L$; with the base case this is the induction "
            r"$\partial a_L/\partial a_0 = \prod_{l=1}^{L} w_l \sigma'(z_l)$ for every depth $L$",
        ),
        Statement(
            "sigma' <= 1/4",
            Le(Derivative(sigmoid(x), x), Rational(1, 4)),
            text=r"the sigmoid's slope is at most $\tfrac14$ (attained at $x = 0$)",
        ),
        Statement(
            "bound",
            Le(Abs(PRODUCT_Z), Abs(Mul(*W)) / 4**DEPTH),
            text=r"whatever the pre-activations $z_l$, so $|\partial a_4/\partial a_0| \le \prod_l |w_l|/4$",
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
            "matrix bound",
            Le(FROB_J, frobenius_sq(MU) * frobenius_sq(MV) / 4**4),
            text=r"the matrix version, width 2 and depth 2 (weights $V$, then $U$), any pre-activations: "
            r"$J = D_2 U D_1 V$, $D_l = \operatorname{diag}(\sigma'(z_l))$, has "
            r"$\|J\|_F \le \|U\|_F \|V\|_F/16$ (squared here); "
            r"the spectral norm at width 8, depth 2 to 30 is checked numerically (cross-check)",
        ),
    ],
    crosscheck=lambda ctx: combine(_vanishing_check(ctx), _matrix_bound(ctx)),
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
    the LSTM; the same product with large factors explodes instead. Notation: $z_l = w_l a_{l-1}$,
    $a_l = \sigma(z_l)$; SymPy differentiates a chain of four layers outright, and for every depth the
    product follows by induction (base case and step). The matrix version uses a width-2 network with
    weights $V$, then $U$, and $D_l = \operatorname{diag}(\sigma'(z_l))$."""
    d.begin(Derivative(ACT[-1](a0), a0), scope="for depth L = 4")
    d.then(lambda e: d.unfold(e), r"substitute the layers $a_l = \sigma(w_l a_{l-1})$")
    d.then(lambda e: e.doit(), r"the chain rule through four layers, $\sigma' = \sigma(1 - \sigma)$")
    d.then(PRODUCT, r"one factor $w_l \sigma'(z_l)$ per layer")
    d.conclude("chain rule")

    d.begin(Derivative(sigmoid(WI[1] * a0), a0))
    d.then(lambda e: e.doit(), r"chain rule, one layer")
    d.then(WI[1] * SLOPE(WI[1] * a0), r"$w_1 \sigma'(z_1)$")
    d.conclude("base case")

    d.begin(Derivative(sigmoid(WI[L + 1] * A_BELOW(a0)), a0))
    d.then(lambda e: e.doit(), r"chain rule through $\sigma$ and the product $w_{L+1} a_L(a_0)$")
    d.then(WI[L + 1] * SLOPE(WI[L + 1] * A_BELOW(a0)) * Derivative(A_BELOW(a0), a0), r"name the slope $\sigma'$")
    d.conclude("one more layer")

    d.begin(Derivative(sigmoid(x), x))
    d.then(lambda e: e.doit(), r"$\sigma' = \sigma(1 - \sigma)$")
    d.then(Rational(1, 4) - (1 - 2 * sigmoid(x)) ** 2 / 4, "complete the square")
    d.bound(Rational(1, 4), r"drop the square $(1 - 2\sigma)^2/4 \ge 0$")
    d.conclude("sigma' <= 1/4")

    d.begin(Abs(PRODUCT_Z), scope="for depth L = 4")
    factors = [Abs(Mul(*W)), *[sigmoid(z) * sigmoid(-z) for z in Z]]
    d.then(Mul(*factors), r"$\sigma'(z) = \sigma(z)(1 - \sigma(z)) = \sigma(z)\sigma(-z) > 0$ leaves the $|\cdot|$")
    for k, z in enumerate(Z, start=1):
        factors[k] = 1 / (4 * (1 + sp.sinh(z / 2) ** 2))
        d.then(Mul(*factors), rf"$\sigma(z)\sigma(-z) = \frac{{1}}{{4\cosh^2(z/2)}}$ for $z = z_{k}$")
        factors[k] = Rational(1, 4)
        d.bound(Mul(*factors), rf"$\sinh^2(z_{k}/2) \ge 0$, so $\sigma'(z_{k}) \le \tfrac14$")
    d.conclude("bound")

    d.begin(FROB_J, scope="for width 2, depth 2")
    d.then(lambda e: e.doit(), r"the entries of $AB$, $A = D_2 U$, $B = D_1 V$")
    lagrange = sp.Add(*[(MA[i, 0] * MB[1, j] - MA[i, 1] * MB[0, j]) ** 2 for i in range(2) for j in range(2)])
    d.then(frobenius_sq(MA) * frobenius_sq(MB) - lagrange, r"Lagrange's identity for each entry $a_i^\top b_j$")
    d.bound(frobenius_sq(MA) * frobenius_sq(MB), r"drop the squares: $\|AB\|_F \le \|A\|_F \|B\|_F$")
    slopes2, slopes1 = [_slope_pm(z) for z in MZ2], [_slope_pm(z) for z in MZ1]
    d.then(_layer_sq(MU, slopes2) * _layer_sq(MV, slopes1), r"$\|DW\|_F^2 = \sum_i \sigma'(z_i)^2 \sum_j W_{ij}^2$")
    for slopes, zs in ((slopes2, MZ2), (slopes1, MZ1)):
        for k, z in enumerate(zs):
            slopes[k] = 1 / (4 * (1 + sp.sinh(z / 2) ** 2))
            d.then(
                _layer_sq(MU, slopes2) * _layer_sq(MV, slopes1),
                rf"$\sigma'(z) = 1/(4\cosh^2(z/2))$, $z = {sp.latex(z)}$",
            )
            slopes[k] = Rational(1, 4)
            d.bound(_layer_sq(MU, slopes2) * _layer_sq(MV, slopes1), rf"$\sigma'({sp.latex(z)}) \le \tfrac14$")
    d.then(frobenius_sq(MU) * frobenius_sq(MV) / 4**4, r"$\|U\|_F^2 \|V\|_F^2/16^2$")
    d.conclude("matrix bound")

    d.begin(Limit(GAIN_DOWN, L, oo))
    d.then(lambda e: e.doit(), r"$e^{-sL} \to 0$ for $s > 0$")
    d.conclude("vanishes")
    d.begin(Limit(sp.Pow(GAIN_UP, -1, evaluate=False), L, oo))
    d.then(lambda e: e.doit(), r"$e^{sL} \to \infty$ for $s > 0$")
    d.conclude("explodes")


# ----------------------------------------------------------------------------- residual connections
X = symbol_vector("x", 2, real(-3, 3))
F = [sp.Function(f"F{i}", real=True) for i in (1, 2)]
FX = sp.Matrix([f(*X) for f in F])
BLOCK_J = sp.eye(2) + jacobian_form(FX, list(X))
JS = sp.symbols("J1:4", commutative=False)  # block Jacobians: matrices, so they do not commute
xs = real(-3, 3).symbol("x")
G = [sp.Function(f"F{i}") for i in (1, 2, 3)]
_xi = sp.Symbol("xi", real=True)


def _slope(f: sp.FunctionClass, at: sp.Expr) -> sp.Expr:
    """:math:`f'(\\text{at})`, the form SymPy's chain rule produces."""
    return sp.Subs(Derivative(f(_xi), _xi), _xi, at)


HS = [named_function(f"h{layer}", f"h_{{{layer}}}") for layer in (1, 2, 3)]
FP = [named_function(f"F{layer}p", f"F_{{{layer}}}'") for layer in (1, 2, 3)]
BELOW = [xs, *[h(xs) for h in HS[:-1]]]  # the input of block l: x, h_1(x), h_2(x)
H_BELOW = sp.Function("h")  # any stack of blocks below, as a function of x
FNEXT = sp.Function("F")
FNEXT_P = named_function("Fp", "F'")
ONE_MORE = H_BELOW(xs) + FNEXT(H_BELOW(xs))
STACK_DEFINITIONS = {
    **{h(xs): below + f(below) for h, f, below in reversed(list(zip(HS, G, BELOW, strict=True)))},
    **{fp(_t): _slope(f, _t) for fp, f in zip(FP, G, strict=True)},
    FNEXT_P(_t): _slope(FNEXT, _t),
}
STACK_PRODUCT = Mul(*[1 + fp(below) for fp, below in zip(FP, BELOW, strict=True)])
EXPANSION = 1 + sum(JS) + JS[1] * JS[0] + JS[2] * JS[0] + JS[2] * JS[1] + JS[2] * JS[1] * JS[0]


def _residual_check(ctx: CheckContext) -> CrossCheckResult:
    """Width-8 stacks of 50 blocks :math:`F_l(x) = \\tanh(W_l x)` with small weights (std 0.05/sqrt(8)).

    The stack's Jacobian by finite differences of the forward pass is compared with the ordered
    product :math:`\\prod_l (I + J_l)` of the block Jacobians; its singular values stay within
    :math:`[0.5, 2]`, while the plain stack :math:`x \\mapsto \\tanh(W_l x)` with the same weights has a
    Jacobian below :math:`10^{-6}` in norm: the identity path is what keeps the gradient alive.
    """
    from derive.numeric.linalg import jacobian_fd

    err, worst_sv, plain_norm, count = 0.0, 0.0, 0.0, 0
    for _ in range(5):
        ws = ctx.rng.normal(0.0, 0.05 / np.sqrt(8), (50, 8, 8))
        x0 = ctx.rng.normal(0.0, 1.0, 8)

        def residual(v: np.ndarray, ws: np.ndarray = ws) -> np.ndarray:
            for w in ws:
                v = v + np.tanh(w @ v)
            return v

        def plain(v: np.ndarray, ws: np.ndarray = ws) -> np.ndarray:
            for w in ws:
                v = np.tanh(w @ v)
            return v

        jac = jacobian_fd(residual, x0)
        prod, v = np.eye(8), x0
        for w in ws:
            block = np.eye(8) + (1 - np.tanh(w @ v) ** 2)[:, None] * w
            prod = block @ prod
            v = v + np.tanh(w @ v)
        err = max(err, float(np.max(np.abs(jac - prod)) / np.max(np.abs(prod))))
        sv = np.linalg.svd(jac, compute_uv=False)
        worst_sv = max(worst_sv, float(np.max(np.abs(np.log2(sv)))))
        plain_norm = max(plain_norm, float(np.linalg.norm(jacobian_fd(plain, x0), 2)))
        count += 1
    return combine(
        ctx.bound(
            "stack Jacobian vs prod (I + J_l)", "finite differences of the forward pass", err, 1e-7, samples=count
        ),
        ctx.bound("|log2 singular value| of the residual stack", "numpy.linalg.svd", worst_sv, 1.0, samples=count),
        ctx.bound("||J|| of the plain stack", "finite differences, numpy.linalg.norm", plain_norm, 1e-6, samples=count),
    )


@identity(
    "residual-gradient",
    title="Residual connections keep an identity path in the gradient",
    section="2.3",
    map_row=r"fix for vanishing gradients: residual connections $y = x + F(x)$",
    variables={**entry_domains(X, real(-3, 3)), xs: real(-3, 3), **{j: matrix(2, 2) for j in JS}},
    definitions=STACK_DEFINITIONS,
    claim=Statement(
        "block",
        Eq(jacobian_form(X + FX, list(X)), BLOCK_J),
        text=r"for $y = x + F(x)$, $x \in \mathbb{R}^2$: $\partial y/\partial x = I + \partial F/\partial x$",
    ),
    also=[
        Statement(
            "stack",
            Eq(Derivative(HS[-1](xs), xs), STACK_PRODUCT),
            text=r"three scalar blocks $h_l = h_{l-1} + F_l(h_{l-1})$: the derivative is "
            r"$\prod_l (1 + F_l'(h_{l-1}))$",
        ),
        Statement(
            "one more block",
            Eq(Derivative(ONE_MORE, xs), (1 + FNEXT_P(H_BELOW(xs))) * Derivative(H_BELOW(xs), xs)),
            text=r"for any depth: a block on top of any stack $h(x)$ multiplies its derivative by "
            r"$1 + F'(h)$, so by induction a stack of $L$ blocks has derivative $\prod_l (1 + F_l'(h_{l-1}))$",
        ),
        Statement(
            "expansion",
            Eq((1 + JS[2]) * (1 + JS[1]) * (1 + JS[0]), EXPANSION),
            text=r"with block Jacobians $J_l$ (non-commuting; $1$ is the identity matrix): the product "
            r"contains the identity path $I$, all single paths $J_l$, and the longer ones",
        ),
    ],
    crosscheck=_residual_check,
    question=Question(
        target=1 + Derivative(G[0](xs), xs),
        prompt=r"A residual block computes $y = x + F(x)$ for a scalar $x$. What is $dy/dx$?",
        names={"F": G[0]},
        approximations={r"the identity (skip) path is missing": Derivative(G[0](xs), xs)},
    ),
    refs=(
        Ref.arxiv(
            "1512.03385",
            "K. He, X. Zhang, S. Ren and J. Sun, Deep Residual Learning for Image Recognition, 2015",
            where="Sec. 3.1",
        ),
        Ref.arxiv(
            "1603.05027",
            "K. He, X. Zhang, S. Ren and J. Sun, Identity Mappings in Deep Residual Networks, 2016",
            where="Sec. 3, Eq. (5)",
        ),
    ),
    builds_on=("vanishing-gradient",),
)
def residual_gradient(d: Derivation) -> None:
    r"""A residual block adds its input to its output, $y = x + F(x)$, so its Jacobian is
    $I + \partial F/\partial x$. Backpropagating through $L$ blocks multiplies $L$ such factors; the
    product expands into a sum over paths that always contains $I$ itself, so the gradient cannot
    vanish merely because every $\partial F_l/\partial x$ is small. This is why ResNets and every
    Transformer (whose sublayers sit on a residual stream) train at depths where plain stacks fail.
    Below, $h_l = h_{l-1} + F_l(h_{l-1})$ with $h_0 = x$, and $J_l$ is the Jacobian of block $l$."""
    d.begin(jacobian_form(X + FX, list(X)), scope=r"for $x \in \mathbb{R}^2$, any differentiable $F$")
    d.then(lambda e: e.doit(), r"differentiate each output: $\partial x_i/\partial x_j = \delta_{ij}$")
    d.then(notation(r"I + \partial F/\partial x", BLOCK_J, "I + dF/dx"), r"identity plus the Jacobian of $F$")
    d.conclude("block")

    d.begin(Derivative(HS[-1](xs), xs), scope="for three blocks")
    d.then(lambda e: d.unfold(e), r"substitute the blocks $h_l = h_{l-1} + F_l(h_{l-1})$")
    d.then(lambda e: e.doit(), "chain rule through the three blocks")
    d.then(STACK_PRODUCT, r"factor: one $1 + F_l'(h_{l-1})$ per block")
    d.conclude("stack")

    d.begin(Derivative(ONE_MORE, xs))
    d.then(lambda e: e.doit(), "chain rule through the new block")
    d.then((1 + FNEXT_P(H_BELOW(xs))) * Derivative(H_BELOW(xs), xs), r"factor out $h'(x)$")
    d.conclude("one more block")

    d.begin((1 + JS[2]) * (1 + JS[1]) * (1 + JS[0]), scope="for three blocks")
    d.then(lambda e: sp.expand(e), r"multiply out, keeping the order of the (matrix) factors")
    d.conclude("expansion")


# ----------------------------------------------------------------------------- LSTM cell
n = integer(2, 6).symbol("n")
k, j = integer(1, n).symbol("k"), integer(1, n).symbol("j")
fg, cp, ig, gg = (sp.IndexedBase(name, real=True) for name in ("f", "c", "i", "g"))
CELL = fg[k] * cp[k] + ig[k] * gg[k]  # c_t = f_t * c_{t-1} + i_t * g_t, unit k
FV, CV, IV, GV = (
    symbol_vector(name, 2, dom)
    for name, dom in (("f", probability()), ("c", real(-5, 5)), ("i", probability()), ("g", real(-1, 1)))
)
T_STEPS = 3
c0 = real(-5, 5).symbol("c0")
FT = [probability().symbol(f"f{t}") for t in range(1, T_STEPS + 1)]
IT = [probability().symbol(f"i{t}") for t in range(1, T_STEPS + 1)]
GT = [real(-1, 1).symbol(f"g{t}") for t in range(1, T_STEPS + 1)]


T_SYM = integer(1, 100).symbol("T")
C_BELOW = sp.Function("c_T")  # the cell state after T steps, as a function of c_0
STEP_T = fg[T_SYM + 1] * C_BELOW(c0) + ig[T_SYM + 1] * gg[T_SYM + 1]  # c_{T+1}, gates held fixed


def _unrolled_cell() -> sp.Expr:
    c = c0
    for f, i_, g in zip(FT, IT, GT, strict=True):
        c = f * c + i_ * g
    return c


def _lstm_check(ctx: CheckContext) -> CrossCheckResult:
    """100 steps of the cell with random gates held fixed (the direct path): central differences of
    the unrolled loop in :math:`c_0` against :math:`\\prod_t f_t`, unit by unit, for forget gates near 1
    (the error is carried) and for gates around 0.5 (it decays like :math:`2^{-100}`)."""
    got, want = [], []
    for lo, hi in ((0.95, 1.0), (0.3, 0.7)):
        for _ in range(8):
            f = ctx.rng.uniform(lo, hi, (100, 4))
            i_, g = ctx.rng.uniform(0, 1, (100, 4)), ctx.rng.uniform(-1, 1, (100, 4))
            c_init = ctx.rng.normal(0, 1, 4)

            def run(c: np.ndarray, f: np.ndarray = f, i_: np.ndarray = i_, g: np.ndarray = g) -> np.ndarray:
                for t in range(100):
                    c = f[t] * c + i_[t] * g[t]
                return c

            # the map is affine in c_0, so a unit step is exact up to rounding of |c_T| ~ 1
            got.append((run(c_init + 0.5) - run(c_init - 0.5)) / 1.0)
            want.append(np.prod(f, axis=0))
    return ctx.compare(
        "d c_100 / d c_0 (direct path)",
        "finite differences of the unrolled cell",
        np.array(got),
        np.array(want),
        rtol=1e-12,
        floor=1e-13,
    )


@identity(
    "lstm-cell-gradient",
    title="The LSTM cell carries the error through its forget gate",
    section="2.3",
    map_row=r"fix: LSTM gates; sigmoid in LSTM gate updates, $c_t = f_t \odot c_{t-1} + i_t \odot g_t$",
    variables={
        n: integer(2, 6),
        k: integer(1, n),
        j: integer(1, n),
        fg: probability(),
        cp: real(-5, 5),
        ig: probability(),
        gg: real(-1, 1),
        **entry_domains(FV, probability()),
        **entry_domains(CV, real(-5, 5)),
        **entry_domains(IV, probability()),
        **entry_domains(GV, real(-1, 1)),
        c0: real(-5, 5),
        T_SYM: integer(1, 100),
        **{f: probability() for f in FT},
        **{i_: probability() for i_ in IT},
        **{g: real(-1, 1) for g in GT},
    },
    claim=Statement(
        "direct path",
        Eq(Derivative(CELL, cp[j]), fg[k] * sp.KroneckerDelta(j, k)),
        text=r"with the gates held fixed, $\partial c_{t,k}/\partial c_{t-1,j} = f_{t,k}\,\delta_{jk}$, "
        r"i.e. $\partial c_t/\partial c_{t-1} = \operatorname{diag}(f_t)$",
    ),
    also=[
        Statement(
            "one more step",
            Eq(Derivative(STEP_T, c0), fg[T_SYM + 1] * Derivative(C_BELOW(c0), c0)),
            text=r"for any number of steps $T$: one more update multiplies $\partial c_T/\partial c_0$ by "
            r"$f_{T+1}$, so by induction $\partial c_T/\partial c_0 = \prod_{t=1}^{T} f_t$ (unit by unit)",
        ),
    ],
    crosscheck=_lstm_check,
    question=Question(
        target=fg[k] * sp.KroneckerDelta(j, k),
        prompt=r"An LSTM cell updates $c_t = f_t \odot c_{t-1} + i_t \odot g_t$. Holding the gates "
        r"$f_t, i_t, g_t$ fixed (the direct path), compute $\partial c_{t,k}/\partial c_{t-1,j}$.",
        forms=(sp.diag(*FV),),
        approximations={
            r"the forget gate is missing: the identity is the residual path, not the LSTM's": (sp.KroneckerDelta(j, k))
        },
    ),
    refs=(
        Ref.book("S. Hochreiter and J. Schmidhuber, Long Short-Term Memory, Neural Computation 9(8), 1997"),
        Ref.book(
            "F. A. Gers, J. Schmidhuber and F. Cummins, Learning to forget: continual prediction with "
            "LSTM, Neural Computation 12(10), 2000"
        ),
    ),
    builds_on=("vanishing-gradient",),
)
def lstm_cell_gradient(d: Derivation) -> None:
    r"""The LSTM cell state is updated additively, $c_t = f_t \odot c_{t-1} + i_t \odot g_t$, with the
    forget gate $f_t = \sigma(\cdot) \in (0, 1)$. Along this direct path the Jacobian is the diagonal
    matrix $\operatorname{diag}(f_t)$, with no weight matrix and no squashing slope: when the network
    learns $f_t \approx 1$ the error flows back over many steps, the "constant error carousel"
    that lets LSTMs learn long-range dependencies where plain recurrent networks forget. Below, the
    indexed entries are unit $k$ of $f_t$, $c_{t-1}$, $i_t$, $g_t$, and $c_T(c_0)$ is the state after $T$ steps."""
    d.begin(Derivative(CELL, cp[j]))
    d.then(lambda e: e.doit(), r"$\partial c_{t-1,k}/\partial c_{t-1,j} = \delta_{jk}$; the gates are held fixed")
    d.conclude("direct path")

    d.begin(Derivative(STEP_T, c0), title="Any number of steps")
    d.then(lambda e: e.doit(), r"the gates and $i_{T+1} g_{T+1}$ do not depend on $c_0$ on the direct path")
    d.conclude("one more step")

    cell2 = FV.multiply_elementwise(CV) + IV.multiply_elementwise(GV)
    d.begin(jacobian_form(cell2, list(CV)), scope="for two units", title=r"Example: two units")
    d.then(lambda e: e.doit(), r"differentiate each unit in each input: $\operatorname{diag}(f_1, f_2)$")
    d.finish()

    d.begin(Derivative(_unrolled_cell(), c0), scope="for three steps", title=r"Example: three steps")
    d.then(lambda e: e.doit(), r"chain rule through the three additive updates: $f_1 f_2 f_3$")
    d.finish()


# ----------------------------------------------------------------------------- gradient clipping
n_c = integer(1, 8).symbol("n")  # the dimension of g
i_c = integer(1, n_c).symbol("i")
gc = sp.IndexedBase("g", real=True)
NORM_G = sp.sqrt(sp.Sum(gc[i_c] ** 2, (i_c, 1, n_c)))  # ||g|| for g in R^n
u = nonnegative(10).symbol("u")
v = positive(10).symbol("v")
c = positive(20).symbol("c")
C_LOOSE = (1 + u) * NORM_G  # a threshold c >= ||g||
C_TIGHT = NORM_G / (1 + v)  # a threshold c < ||g||
GC = [real(-10, 10).symbol(f"g{a}") for a in (1, 2, 3)]  # the homework question's g in R^3
NORM_G3 = sp.sqrt(sum(x_**2 for x_ in GC))


def clipped_norm(threshold: sp.Expr) -> sp.Expr:
    r""":math:`\|g'\|` for :math:`g' = g \min(1, c/\|g\|)` (the min unevaluated: a derivation evaluates it)."""
    factor = sp.Min(1, threshold / NORM_G, evaluate=False)
    return sp.sqrt(sp.Sum((gc[i_c] * factor) ** 2, (i_c, 1, n_c)))


def clipped_cosine(threshold: sp.Expr) -> sp.Expr:
    r""":math:`\cos(g', g) = \langle g', g\rangle / (\|g'\|\,\|g\|)` for the clipped :math:`g'`."""
    factor = sp.Min(1, threshold / NORM_G, evaluate=False)
    return sp.Sum(gc[i_c] * factor * gc[i_c], (i_c, 1, n_c)) / (clipped_norm(threshold) * NORM_G)


def _clip_check(ctx: CheckContext) -> CrossCheckResult:
    """Random g in dimension 2..200 (scales from 1e-3 to 1e3) and thresholds c: clipping done with
    numpy exactly as a training loop does it; the norm against min(||g||, c), the norm below c,
    the cosine with g equal to 1."""
    norms, targets, cosines, over = [], [], [], 0.0
    for _ in range(200):
        dim = int(ctx.rng.integers(2, 201))
        g = ctx.rng.normal(0, 1, dim) * 10 ** ctx.rng.uniform(-3, 3)
        cc = 10 ** ctx.rng.uniform(-3, 3)
        norm = np.linalg.norm(g)
        clipped_g = g * min(1.0, cc / norm)
        norms.append(np.linalg.norm(clipped_g))
        targets.append(min(norm, cc))
        cosines.append(clipped_g @ g / (np.linalg.norm(clipped_g) * norm))
        over = max(over, np.linalg.norm(clipped_g) / cc - 1.0)
    return combine(
        ctx.compare("||g'|| = min(||g||, c)", "numpy clipping", np.array(norms), np.array(targets), rtol=1e-12),
        ctx.compare("cos(g', g) = 1", "numpy", np.array(cosines), np.ones(len(cosines)), rtol=1e-12),
        ctx.bound("||g'|| / c - 1", "numpy", over, 1e-12, samples=len(norms)),
    )


@identity(
    "gradient-clipping",
    title="Gradient clipping caps the norm and keeps the direction",
    section="2.3",
    map_row=r"fix: gradient clipping $\|g\| \le c$",
    variables={
        n_c: integer(1, 8),
        i_c: integer(1, n_c),
        gc: real(-10, 10),
        u: nonnegative(10),
        v: positive(10),
        c: positive(20),
        **{x_: real(-10, 10) for x_ in GC},
    },
    claim=Statement(
        "clipped norm",
        Eq(clipped_norm(C_TIGHT), sp.Min(NORM_G, C_TIGHT)),
        text=r"if $\|g\| > c$, write $c = \|g\|/(1 + v)$ with $v > 0$: then $\|g'\| = c = \min(\|g\|, c)$",
    ),
    also=[
        Statement(
            "unclipped norm",
            Eq(clipped_norm(C_LOOSE), sp.Min(NORM_G, C_LOOSE)),
            text=r"if $\|g\| \le c$, write $c = (1 + u)\|g\|$ with $u \ge 0$: then $g' = g$ and "
            r"$\|g'\| = \|g\| = \min(\|g\|, c)$",
        ),
        Statement(
            "<= c",
            Le(clipped_norm(C_LOOSE), C_LOOSE),
            text=r"so $\|g'\| \le c$ in both cases (in the clipped case with equality)",
        ),
        Statement(
            "direction",
            Eq(clipped_cosine(C_TIGHT), 1),
            text=r"the clipped gradient points along $g$: $\cos(g', g) = 1$ (unclipped, $g' = g$)",
        ),
    ],
    crosscheck=_clip_check,
    question=Question(
        target=sp.Min(NORM_G3, c),
        prompt=r"A gradient $g \in \mathbb{R}^3$ (entries g1, g2, g3) is clipped to the threshold $c > 0$: "
        r"$g' = g\min(1, c/\|g\|)$. What is $\|g'\|$, for any $g \ne 0$ and $c$?",
        variables=(*GC, c),
        approximations={
            r"$\|g'\| = c$ only when $\|g\| > c$; below the threshold $g' = g$": c,
            r"clipping does not change the norm only when $\|g\| \le c$": NORM_G3,
        },
    ),
    refs=(
        Ref.arxiv(
            "1211.5063",
            "R. Pascanu, T. Mikolov and Y. Bengio, On the difficulty of training recurrent neural networks, 2013",
            where="Sec. 3.2, Algorithm 1",
        ),
    ),
    builds_on=("vanishing-gradient",),
)
def gradient_clipping(d: Derivation) -> None:
    r"""Exploding gradients make single steps huge. Clipping by norm rescales the gradient,
    $g' = g\min(1, c/\|g\|)$: below the threshold nothing changes, above it the step has length
    exactly $c$. Because the rescaling is by a positive number the direction is untouched, so
    clipping bounds the step without biasing where it points; it is standard in RNN and Transformer
    training. The two cases of the min are derived separately for $g \in \mathbb{R}^n$, any $n$: a
    threshold $c = \|g\|/(1 + v)$, $v > 0$, below the norm, and $c = (1 + u)\|g\|$, $u \ge 0$, at or
    above it (together they cover every $c > 0$)."""
    d.begin(clipped_norm(C_TIGHT), title="Above the threshold")
    d.then(lambda e: e.doit(), r"$c/\|g\| = 1/(1 + v) < 1$, so the min is $c/\|g\|$")
    d.then(NORM_G / (1 + v), r"the positive factor $1/(1 + v)$ comes out of the norm; it is $c = \min(\|g\|, c)$")
    d.conclude("clipped norm")

    d.begin(clipped_norm(C_LOOSE), title="At or below the threshold")
    d.then(
        lambda e: e.doit(),
        r"$c/\|g\| = 1 + u \ge 1$, so the min is $1$ and $g' = g$: $\|g'\| = \|g\| = \min(\|g\|, c)$",
    )
    d.conclude("unclipped norm")

    d.begin(clipped_norm(C_LOOSE), title="The norm never exceeds c")
    d.then(lambda e: e.doit(), r"unclipped: $g' = g$")
    d.bound(C_LOOSE, r"$(1 + u)\|g\| - \|g\| = u\|g\| \ge 0$")
    d.conclude("<= c")

    d.begin(clipped_cosine(C_TIGHT), title="The direction is kept")
    d.then(lambda e: e.doit(), r"the min is $1/(1 + v)$")
    d.then(1, r"the factor $1/(1 + v)$ and $\|g\|^2$ cancel")
    d.conclude("direction")
