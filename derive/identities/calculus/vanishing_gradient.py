r"""Vanishing and exploding gradients in a sigmoid chain.

Backpropagation through a depth-$L$ network multiplies one factor $w_l\,\sigma'(z_l)$ per layer;
the sigmoid's slope is at most $\tfrac14$, so unless the weights exceed 4 the product shrinks
geometrically with depth, and with large factors it explodes (map 2.3, gradient flow: vanishing /
exploding). Derived for a chain of four layers and, by induction, for every depth, with the bound
$\prod_l |w_l|/4$ and its matrix versions for any width and depth, $\|J\|_2 \le \prod_l \|W_l\|_2/4^L$ and
$\|J\|_F \le \prod_l \|W_l\|_F/4^L$. Hochreiter (1991);
Bengio, Simard and Frasconi (1994); Pascanu, Mikolov and Bengio (2013), Sec. 2.
"""

from __future__ import annotations

import numpy as np
import sympy as sp
from sympy import Abs, Derivative, Eq, Le, Limit, Mul, Rational, exp, oo

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
    linalg,
    matrices,
    named_function,
    notation,
    positive,
    real,
    sigmoid,
)
from derive.core.facts import FROBENIUS_SUBMULTIPLICATIVE, OPERATOR_SUBMULTIPLICATIVE

# -- symbols ---------------------------------------------------------------------------------------
DEPTH = 4
A0 = real(-3, 3)
WEIGHT = real(-6, 6)
PRE = real(-8, 8)  # pre-activations, and the sigmoid's argument x
DEPTHS = integer(1, 20)
a0 = A0.symbol("a0")
W = [WEIGHT.symbol(f"w{layer}") for layer in range(1, DEPTH + 1)]
Z = [PRE.symbol(f"z{layer}") for layer in range(1, DEPTH + 1)]  # named pre-activations (question)
x = PRE.symbol("x")
s = positive().symbol("s")
L = DEPTHS.symbol("L")  # a depth: the induction variable, and the variable of the limits
LAYERS = integer(1, L + 1)
ell = LAYERS.symbol("l")
WI = sp.IndexedBase("w", real=True)  # the weights w_l of a chain of any depth
A_BELOW = sp.Function("a_L")  # a_L as a function of a_0: any differentiable chain below the new layer
ZI = sp.IndexedBase("z", real=True)  # the pre-activations z_l of a chain of any depth
z_top = PRE.symbol("z")  # the new layer's pre-activation
below = real(-5, 5).symbol("p")  # the derivative of the chain below the new layer
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
MATRIX_WEIGHT = real(-3, 3)
MV, MU = matrices.symbol_matrix("V", 2, 2, MATRIX_WEIGHT), matrices.symbol_matrix("U", 2, 2, MATRIX_WEIGHT)
MZ1 = [PRE.symbol(f"z1{i}") for i in (1, 2)]  # pre-activations of layer 1
MZ2 = [PRE.symbol(f"z2{i}") for i in (1, 2)]


def _slope_pm(z: sp.Expr) -> sp.Expr:
    """:math:`\\sigma'(z)` as :math:`\\sigma(z)\\sigma(-z)`, visibly positive."""
    return sigmoid(z) * sigmoid(-z)


MA = sp.diag(*[_slope_pm(z) for z in MZ2]) * MU  # D_2 U
MB = sp.diag(*[_slope_pm(z) for z in MZ1]) * MV  # D_1 V
# any widths: an n x m layer W, the pre-activations zeta_i of its outputs
ROWS, COLS = integer(1, 6), integer(1, 6)
n_w, m_w = ROWS.symbol("n"), COLS.symbol("m")
ri, cj = integer(1, n_w).symbol("i"), integer(1, m_w).symbol("j")
WM = sp.IndexedBase("W", real=True)
ZZ = sp.IndexedBase("zeta", real=True)
FROB_W = sp.Sum(WM[ri, cj] ** 2, (cj, 1, m_w), (ri, 1, n_w))
LAYER_SQ = sp.Sum((sigmoid(ZZ[ri]) * sigmoid(-ZZ[ri]) * WM[ri, cj]) ** 2, (cj, 1, m_w), (ri, 1, n_w))
# the spectral norm: u = W_l x, the vector a layer's weights hand to its n units; nu_l = ||W_l||_2
UV = sp.IndexedBase("u", real=True)
NU = sp.IndexedBase("nu", positive=True)
SPEC_SQ = notation(
    r"\lVert D u\rVert_2^2",
    sp.Sum((sigmoid(ZZ[ri]) * sigmoid(-ZZ[ri]) * UV[ri]) ** 2, (ri, 1, n_w)),
    "||D u||_2^2",
)
U_SQ = sp.Sum(UV[ri] ** 2, (ri, 1, n_w))
GAINS = sp.Product(NU[ell] / 4, (ell, 1, L))  # the bound prod_{l <= L} ||W_l||_2/4 on ||J_L||_2
FROB_J = notation(r"\lVert D_2 U D_1 V\rVert_F^2", matrices.frobenius_sq(MA * MB), "||D2 U D1 V||_F^2")


def _layer_sq(w: sp.MatrixBase, slopes: list[sp.Expr]) -> sp.Expr:
    """:math:`\\|DW\\|_F^2 = \\sum_i d_i^2 \\sum_j W_{ij}^2`."""
    return sp.Add(*[slopes[i] ** 2 * sp.Add(*[w[i, j] ** 2 for j in range(w.cols)]) for i in range(w.rows)])


# -- what is claimed -------------------------------------------------------------------------------
CLAIM = Statement(
    "chain rule",
    Eq(
        Derivative(sigmoid(WI[L + 1] * A_BELOW(a0)), a0),
        WI[L + 1] * SLOPE(WI[L + 1] * A_BELOW(a0)) * Derivative(A_BELOW(a0), a0),
    ),
    text=r"for layers $z_l = w_l a_{l-1}$, $a_l = \sigma(z_l)$, any depth: a layer on top of any chain $a_L(a_0)$ "
    r"multiplies its derivative by $w_{L+1}\sigma'(z_{L+1})$, $z_{L+1} = w_{L+1} a_L$; with the base case this is "
    r"the induction $\partial a_L/\partial a_0 = \prod_{l=1}^{L} w_l \sigma'(z_l)$, one factor per layer, for "
    r"every depth $L$",
)
BASE_CASE = Statement(
    "base case",
    Eq(Derivative(a0, a0), sp.Product(WI[ell] * SLOPE(ZI[ell]), (ell, 1, 0))),
    text=r"any depth $L$, by induction: at $L = 0$ the derivative of $a_0$ is $1$, the empty product",
)
SLOPE_BOUND = Statement(
    "sigma' <= 1/4",
    Le(Derivative(sigmoid(x), x), Rational(1, 4)),
    text=r"the sigmoid's slope is at most $\tfrac14$ (attained at $x = 0$)",
)
BOUND = Statement(
    "bound",
    Le(Abs(WI[L + 1] * SLOPE(z_top) * below), Abs(WI[L + 1]) * Abs(below) / 4),
    text=r"the induction step of the bound, for any depth: a layer multiplies the derivative $p$ of the chain "
    r"below by $w_{L+1}\sigma'(z_{L+1})$, at most $|w_{L+1}|/4$ in size whatever $z_{L+1}$; from $|1| \le 1$ at "
    r"$L = 0$, $|\partial a_L/\partial a_0| \le \prod_l |w_l|/4^L$ for every $L$",
)
VANISHES = Statement(
    "vanishes",
    Eq(Limit(GAIN_DOWN, L, oo), 0),
    text=r"if every $|w_l| \le |w| < 4$, write $|w|/4 = e^{-s}$ with $s = \log(4/|w|) > 0$: "
    r"the bound $(|w|/4)^L$ tends to $0$ geometrically",
)
EXPLODES = Statement(
    "explodes",
    Eq(Limit(sp.Pow(GAIN_UP, -1, evaluate=False), L, oo), 0),
    text=r"if instead $|w_l \sigma'(z_l)| \ge e^{s} > 1$ at every layer, "
    r"$|\partial a_L/\partial a_0| \ge e^{sL}$, whose reciprocal tends to $0$: the gradient explodes",
)
MATRIX_BOUND = Statement(
    "matrix bound",
    Le(LAYER_SQ, FROB_W / 16),
    text=r"the matrix version, any widths: a layer $D W$, $W$ of size $n \times m$ and "
    r"$D = \operatorname{diag}(\sigma'(z_i))$, has $\|D W\|_F^2 \le \|W\|_F^2/16$; with "
    r"$\|AB\|_F \le \|A\|_F\|B\|_F$ (cited), by induction on the depth the Jacobian "
    r"$J = D_L W_L \cdots D_1 W_1$ has $\|J\|_F \le \prod_l \|W_l\|_F/4^L$",
)

SPECTRAL_BOUND = Statement(
    "spectral bound",
    Le(SPEC_SQ, U_SQ / 16),
    text=r"the spectral norm, any width $n$: $D = \operatorname{diag}(\sigma'(z_i))$ has "
    r"$\|Du\|_2 \le \max_i|\sigma'(z_i)|\,\|u\|_2 \le \|u\|_2/4$ for every $u$; with $u = W_l x$ and "
    r"$\|W_l x\|_2 \le \|W_l\|_2\|x\|_2$ (cited), $\|D_l W_l x\|_2 \le \|W_l\|_2\|x\|_2/4$",
)
SPECTRAL_STEP = Statement(
    "spectral induction",
    Eq(NU[L + 1] / 4 * GAINS, sp.Product(NU[ell] / 4, (ell, 1, L + 1)), evaluate=False),
    text=r"the induction on the depth, any $L$: if $\|J_L x\|_2 \le \prod_{l \le L}(\nu_l/4)\|x\|_2$, "
    r"$\nu_l = \|W_l\|_2$, then $\|D_{L+1}W_{L+1}J_L x\|_2 \le (\nu_{L+1}/4)\|J_L x\|_2$ is at most the "
    r"product to $L + 1$; from $\|x\|_2 \le \|x\|_2$ at $L = 0$ (the empty product), "
    r"$\|J\|_2 \le \prod_l \|W_l\|_2/4^L$ for every depth",
)

# -- the homework question, and where the identity comes from --------------------------------------
QUESTION = Question(
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
)
REFS = (
    Ref.cite("hochreiter1991"),
    Ref.cite("bengio1994"),
    Ref.cite("pascanu2013", where="Sec. 2"),
)


# -- how it is derived -----------------------------------------------------------------------------
def derivation(d: Derivation) -> None:
    r"""Backpropagation multiplies one factor $w_l\,\sigma'(z_l)$ per layer. The sigmoid's slope
    never exceeds $\tfrac14$, so unless the weights are larger than 4 the product shrinks
    geometrically with depth: the first layers of a deep sigmoid network barely learn. This is the
    vanishing-gradient problem that motivated ReLU, careful initialisation, residual connections and
    the LSTM; the same product with large factors explodes instead. Notation: $z_l = w_l a_{l-1}$,
    $a_l = \sigma(z_l)$; SymPy differentiates a chain of four layers outright, and for every depth the
    product follows by induction (base case and step). The matrix version uses a width-2 network with
    weights $V$, then $U$, and $D_l = \operatorname{diag}(\sigma'(z_l))$."""
    _chain_rule(d)
    _chain_induction(d)
    _chain_slope_bound(d)
    _chain_product_bound(d)
    _chain_matrix_bound(d)
    _chain_spectral_bound(d)
    _worked_matrix_bound(d)
    _chain_limits(d)


def _chain_rule(d: Derivation) -> None:
    d.begin(Derivative(ACT[-1](a0), a0), scope="for depth L = 4", title="Worked example: four layers, unrolled")
    d.then(lambda e: d.unfold(e), r"substitute the layers $a_l = \sigma(w_l a_{l-1})$")
    d.then(lambda e: e.doit(), r"the chain rule through four layers, $\sigma' = \sigma(1 - \sigma)$")
    d.then(PRODUCT, r"one factor $w_l \sigma'(z_l)$ per layer")
    d.finish()


def _chain_induction(d: Derivation) -> None:
    d.begin(Derivative(a0, a0), r"no layer: $a_0$ itself")
    d.then(lambda e: e.doit(), r"$da_0/da_0 = 1$, the empty product")
    d.conclude("base case")

    d.begin(Derivative(sigmoid(WI[L + 1] * A_BELOW(a0)), a0))
    d.then(lambda e: e.doit(), r"chain rule through $\sigma$ and the product $w_{L+1} a_L(a_0)$")
    d.then(WI[L + 1] * SLOPE(WI[L + 1] * A_BELOW(a0)) * Derivative(A_BELOW(a0), a0), r"name the slope $\sigma'$")
    d.conclude("chain rule")


def _chain_slope_bound(d: Derivation) -> None:
    d.begin(Derivative(sigmoid(x), x))
    d.then(lambda e: e.doit(), r"$\sigma' = \sigma(1 - \sigma)$")
    d.then(Rational(1, 4) - (1 - 2 * sigmoid(x)) ** 2 / 4, "complete the square")
    d.bound(Rational(1, 4), r"drop the square $(1 - 2\sigma)^2/4 \ge 0$")
    d.conclude("sigma' <= 1/4")


def _chain_product_bound(d: Derivation) -> None:
    d.begin(Abs(WI[L + 1] * SLOPE(z_top) * below), r"one more layer on a chain with derivative $p$")
    d.then(
        Abs(WI[L + 1]) * Abs(below) * sigmoid(z_top) * sigmoid(-z_top),
        r"$\sigma'(z) = \sigma(z)(1 - \sigma(z)) = \sigma(z)\sigma(-z) > 0$ leaves the $|\cdot|$",
    )
    d.then(
        Abs(WI[L + 1]) * Abs(below) / (4 * (1 + sp.sinh(z_top / 2) ** 2)),
        r"$\sigma(z)\sigma(-z) = \frac{1}{4\cosh^2(z/2)}$",
    )
    d.bound(Abs(WI[L + 1]) * Abs(below) / 4, r"$\sinh^2(z/2) \ge 0$, so $\sigma'(z) \le \tfrac14$")
    d.conclude("bound")

    d.begin(Abs(PRODUCT_Z), scope="for depth L = 4", title="Worked example: the bound at depth 4, unrolled")
    factors = [Abs(Mul(*W)), *[sigmoid(z) * sigmoid(-z) for z in Z]]
    d.then(Mul(*factors), r"$\sigma'(z) = \sigma(z)(1 - \sigma(z)) = \sigma(z)\sigma(-z) > 0$ leaves the $|\cdot|$")
    for k, z in enumerate(Z, start=1):
        factors[k] = 1 / (4 * (1 + sp.sinh(z / 2) ** 2))
        d.then(Mul(*factors), rf"$\sigma(z)\sigma(-z) = \frac{{1}}{{4\cosh^2(z/2)}}$ for $z = z_{k}$")
        factors[k] = Rational(1, 4)
        d.bound(Mul(*factors), rf"$\sinh^2(z_{k}/2) \ge 0$, so $\sigma'(z_{k}) \le \tfrac14$")
    d.finish()


def _chain_matrix_bound(d: Derivation) -> None:
    d.begin(LAYER_SQ, title="The matrix bound, any widths")
    d.bound(
        FROB_W / 16,
        r"in every term $\sigma'(z_i)^2 = \frac{e^{2z_i}}{(1 + e^{z_i})^4} \le \frac1{16}$: the gap factors as "
        r"$\frac{(e^{z_i} - 1)^2(e^{2z_i} + 6e^{z_i} + 1)}{16(e^{z_i} + 1)^4}W_{ij}^2 \ge 0$ (computed by the ladder)",
    )
    d.assume(FROBENIUS_SUBMULTIPLICATIVE)
    d.note(
        r"By induction on the depth: $\|D_{L+1}W_{L+1}J_L\|_F \le \|D_{L+1}W_{L+1}\|_F\|J_L\|_F \le "
        r"\|W_{L+1}\|_F\|J_L\|_F/4$."
    )
    d.conclude("matrix bound")


def _chain_spectral_bound(d: Derivation) -> None:
    d.begin(SPEC_SQ, title="The spectral bound, any width and depth")
    d.bound(
        U_SQ / 16,
        r"$\|Du\|_2^2 = \sum_i \sigma'(z_i)^2 u_i^2 \le \max_i \sigma'(z_i)^2\,\|u\|_2^2$ and every "
        r"$\sigma'(z_i)^2 \le \frac1{16}$ (each term of the gap factors into squares, computed by the ladder)",
    )
    d.assume(OPERATOR_SUBMULTIPLICATIVE)
    d.note(r"With $u = W_l x$: $\|D_l W_l x\|_2 \le \|W_l x\|_2/4 \le \|W_l\|_2\|x\|_2/4$.")
    d.conclude("spectral bound")

    d.begin(NU[L + 1] / 4 * GAINS, r"one more layer on the bound for depth $L$")
    d.then(lambda e: sp.Product(NU[ell] / 4, (ell, 1, L + 1)), r"the factor $\nu_{L+1}/4$ is the $l = L + 1$ term")
    d.conclude("spectral induction")


def _worked_matrix_bound(d: Derivation) -> None:
    d.begin(FROB_J, scope="for width 2, depth 2", title="Worked example: width 2, depth 2")
    d.then(lambda e: e.doit(), r"the entries of $AB$, $A = D_2 U$, $B = D_1 V$")
    lagrange = sp.Add(*[(MA[i, 0] * MB[1, j] - MA[i, 1] * MB[0, j]) ** 2 for i in range(2) for j in range(2)])
    d.then(
        matrices.frobenius_sq(MA) * matrices.frobenius_sq(MB) - lagrange,
        r"Lagrange's identity for each entry $a_i^\top b_j$",
    )
    d.bound(matrices.frobenius_sq(MA) * matrices.frobenius_sq(MB), r"drop the squares: $\|AB\|_F \le \|A\|_F \|B\|_F$")
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
    d.then(matrices.frobenius_sq(MU) * matrices.frobenius_sq(MV) / 4**4, r"$\|U\|_F^2 \|V\|_F^2/16^2$")
    d.finish()


def _chain_limits(d: Derivation) -> None:
    d.begin(Limit(GAIN_DOWN, L, oo))
    d.then(lambda e: e.doit(), r"$e^{-sL} \to 0$ for $s > 0$")
    d.conclude("vanishes")
    d.begin(Limit(sp.Pow(GAIN_UP, -1, evaluate=False), L, oo))
    d.then(lambda e: e.doit(), r"$e^{sL} \to \infty$ for $s > 0$")
    d.conclude("explodes")


# -- how it is checked -----------------------------------------------------------------------------
def crosscheck(ctx: CheckContext) -> CrossCheckResult:
    """The scalar chains against the complex step and central differences, then the matrix bound."""
    return combine(_vanishing_check(ctx), _matrix_bound(ctx))


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
            zs, act = [], np.asarray(a)
            for w in ws:
                zs.append(w * act)
                act = _sigmoid_np(w * act)
            zs_arr = np.array(zs)
            factors = ws * _sigmoid_np(zs_arr) * _sigmoid_np(-zs_arr)
            log_prod, sign_prod = float(np.sum(np.log(np.abs(factors)))), float(np.prod(np.sign(factors)))
            h = 1e-30
            cs = float(np.imag(_chain_np(np.asarray(a + 1j * h), ws))) / h
            ok_sign = np.sign(cs) == sign_prod
            log_err.append(abs(np.log(abs(cs)) - log_prod) if ok_sign and cs != 0 else np.inf)
            hstep = 3e-4 * max(1.0, abs(a))

            def central(step: float, ws: np.ndarray = ws, a: float = a) -> float:
                return float(_chain_np(np.asarray(a + step), ws) - _chain_np(np.asarray(a - step), ws)) / (2 * step)

            fd = (4 * central(hstep) - central(2 * hstep)) / 3  # Richardson: truncation O(h^4)
            fd_got.append(fd)
            fd_exp.append(sign_prod * np.exp(log_prod))
            fd_floor.append(10 * np.finfo(float).eps * abs(act) / hstep)
            worst_ratio = max(worst_ratio, float(np.exp(log_prod - float(np.sum(np.log(np.abs(ws) / 4))))))
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
    first, second, count = 0.0, 0.0, 0
    for depth in (2, 3, 5, 10, 30):
        for _ in range(6):
            ws = ctx.rng.normal(0.0, 1.5, (depth, 8, 8))
            a = ctx.rng.uniform(-2, 2, 8)

            def forward(v: np.ndarray, ws: np.ndarray = ws) -> np.ndarray:
                for w in ws:
                    v = _sigmoid_np(w @ v)
                return v

            jac = linalg.jacobian_fd(forward, a)
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
            first, second = max(first, float(norm / bound)), max(second, bound / quarter)
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


# -- the declaration -------------------------------------------------------------------------------
VANISHING_GRADIENT = declare(
    "vanishing-gradient",
    title="Vanishing and exploding gradients in a sigmoid chain",
    section="2.3",
    map_row=r"$\partial L/\partial W^{[1]} \propto \prod_{l=2}^{L} W^{[l]} \sigma'(z^{[l]})$; vanishing / exploding",
    variables={
        a0: A0,
        **{w: WEIGHT for w in W},
        **{z: PRE for z in Z},
        L: DEPTHS,
        ell: LAYERS,
        WI: WEIGHT,
        ZI: PRE,
        z_top: PRE,
        below: real(-5, 5),
        x: PRE,
        s: positive(),
        **matrices.entry_domains(MU, MATRIX_WEIGHT),
        **matrices.entry_domains(MV, MATRIX_WEIGHT),
        **{z: PRE for z in MZ1 + MZ2},
        n_w: ROWS,
        m_w: COLS,
        ri: integer(1, n_w),
        cj: integer(1, m_w),
        WM: MATRIX_WEIGHT,
        ZZ: PRE,
        UV: real(-5, 5),
        NU: positive(),
    },
    definitions=DEFINITIONS,
    claim=CLAIM,
    also=(BASE_CASE, SLOPE_BOUND, BOUND, VANISHES, EXPLODES, MATRIX_BOUND, SPECTRAL_BOUND, SPECTRAL_STEP),
    derivation=derivation,
    crosscheck=crosscheck,
    question=QUESTION,
    refs=REFS,
)
