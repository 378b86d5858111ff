r"""The spectral radius decides whether an RNN's gradients vanish or explode.

A linear recurrence $h_t = Wh_{t-1}$ unrolls to $h_t = W^th_0 = P\Lambda^tP^{-1}h_0$, so backpropagation through
time multiplies the gradient by $(W^t)^\top$ and each mode by $\lambda_i^t$: the spectral radius $\rho(W)$
decides between vanishing ($\rho < 1$) and exploding ($\rho > 1$) gradients (map 1.2, stability of the RNN hidden
state). Pascanu, Mikolov and Bengio (2013), On the difficulty of training recurrent neural networks, Sec. 2.1.
"""

from __future__ import annotations

import numpy as np
import sympy as sp
from sympy import Eq, Le

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
    nonnegative,
    notation,
    positive,
    real,
)
from derive.core.facts import INVERSE, OPERATOR_SUBMULTIPLICATIVE, SUM_EXCHANGE
from derive.maths.indexed import InverseOf, collapse, in_range
from derive.maths.spectral import ProductOfSums
from derive.numeric.linalg import with_spectral_radius

from ._shared import ell, k, n

# -- symbols ---------------------------------------------------------------------------------------
BETA = real(-3, 3)
beta = BETA.symbol("beta")
EIGENVALUE = real(-2, 2)
l_1, l_2 = EIGENVALUE.symbol("lambda_1"), EIGENVALUE.symbol("lambda_2")
STEPS = integer(0, 30)
t = STEPS.symbol("t")
RATE = positive(5)
u = RATE.symbol("u")
W_SCHUR = sp.Matrix([[l_1, beta], [0, l_2]])
V_EIG, LAM = W_SCHUR.diagonalize()


def _power(s: sp.Expr) -> sp.Matrix:
    r""":math:`V\Lambda^sV^{-1}`, the candidate for :math:`W^s`."""
    return V_EIG * sp.diag(*(LAM[r, r] ** s for r in range(LAM.rows))) * V_EIG.inv()


def _power_held(s: sp.Expr) -> sp.MatMul:
    r""":math:`V\Lambda^sV^{-1}` as an unevaluated product, for a statement's left side."""
    lam_s = sp.diag(*(LAM[r, r] ** s for r in range(LAM.rows)))
    return sp.MatMul(*map(sp.ImmutableMatrix, (V_EIG, lam_s)), sp.Inverse(sp.ImmutableMatrix(V_EIG)), evaluate=False)


POWER = _power(t)

# -- any hidden size n: W = P Lambda P^{-1} (diagonalisable), Q = P^{-1} named, entries by index ---------
a, b, c = sp.symbols("a b c", integer=True, positive=True)
PI, QI = sp.IndexedBase("P", real=True), sp.IndexedBase("Q", real=True)  # Q = P^{-1}
lamI = sp.IndexedBase("lambda", real=True)
hI = sp.IndexedBase("h", real=True)  # the initial state h_0
ENTRY = real(-2, 2)
PAIR = INVERSE.applied(InverseOf(PI, QI, n))  # sum_c Q_kc P_cl = delta_kl, sum_k P_ak Q_kb = delta_ab
NEST = SUM_EXCHANGE.applied(ProductOfSums())


def power_entry(s: sp.Expr, row: sp.Expr, col: sp.Expr, inner: sp.Symbol = k) -> sp.Sum:
    r""":math:`(P\Lambda^sP^{-1})_{ab} = \sum_k P_{ak}\lambda_k^sQ_{kb}`, the candidate for :math:`(W^s)_{ab}`."""
    return sp.Sum(PI[row, inner] * lamI[inner] ** s * QI[inner, col], (inner, 1, n))


# the norm in the eigenbasis: |lambda_k|^2 = rho^2 - g_k <= rho^2, coordinates z of a vector
RADIUS = positive(3)
rho = RADIUS.symbol("rho")
gI = sp.IndexedBase("g", nonnegative=True)
zI = sp.IndexedBase("z", real=True)
STRETCH = sp.Sum((rho**2 - gI[k]) * zI[k] ** 2, (k, 1, n))
NORM_Z = sp.Sum(zI[k] ** 2, (k, 1, n))
WP = sp.Sum(power_entry(1, a, c) * PI[c, b], (c, 1, n))  # (W P)_ab
W_TIMES_POWER = sp.Sum(power_entry(1, a, c) * power_entry(t, c, b, ell), (c, 1, n))  # (W W^t)_ab
D_STATE = sp.Derivative(sp.Sum(power_entry(t, a, b) * hI[b], (b, 1, n)), hI[c])  # d(h_t)_a/d(h_0)_c

# -- what is claimed -------------------------------------------------------------------------------
CLAIM = Statement(
    "diagonalise",
    Eq(
        notation(r"(WP)_{ab}", WP, "(W P)_ab"),
        lamI[b] * PI[a, b],
    ),
    text=r"for a diagonalisable $W = P\Lambda P^{-1}$ of any hidden size $n$: $WP = P\Lambda$, the columns of $P$ "
    r"are eigenvectors, $W\mathbf{p}_b = \lambda_b\mathbf{p}_b$",
)
BASE = Statement(
    "base",
    Eq(notation(r"(P\Lambda^0P^{-1})_{ab}", power_entry(0, a, b), "(P Lambda^0 P^-1)_ab"), sp.KroneckerDelta(a, b)),
    text=r"the base case $t = 0$: $P\Lambda^0P^{-1} = I = W^0$, any $n$",
)
STEP = Statement(
    "step",
    Eq(
        notation(
            r"\bigl(W\,(P\Lambda^tP^{-1})\bigr)_{ab}",
            W_TIMES_POWER,
            "(W (P Lambda^t P^-1))_ab",
        ),
        notation(r"(P\Lambda^{t+1}P^{-1})_{ab}", power_entry(t + 1, a, b), "(P Lambda^(t+1) P^-1)_ab"),
    ),
    text=r"with the base case, $h_t = W^th_0 = P\Lambda^tP^{-1}h_0$ for every $t$ and any $n$ (induction)",
)
JACOBIAN = Statement(
    "Jacobian",
    Eq(
        notation(
            r"\frac{\partial (h_t)_a}{\partial (h_0)_c}",
            D_STATE,
            "d(h_t)_a/d(h_0)_c",
        ),
        notation(r"(W^t)_{ac}", power_entry(t, a, c), "(W^t)_ac"),
    ),
    text=r"the gradient reaching $h_0$ is multiplied by $(W^t)^\top = (P\Lambda^tP^{-1})^\top$, any $n$",
)
NORM = Statement(
    "norm",
    Le(notation(r"\lVert\Lambda\mathbf{z}\rVert^2", STRETCH, "||Lambda z||^2"), rho**2 * NORM_Z),
    text=r"for any $n$, with $|\lambda_k|^2 = \rho^2 - g_k \le \rho^2 = \rho(W)^2$: one step stretches the "
    r"eigen-coordinates by at most $\rho$; applied to $\mathbf{z} = \Lambda^t\mathbf{y}$, by induction "
    r"$\lVert\Lambda^t\mathbf{y}\rVert \le \rho^t\lVert\mathbf{y}\rVert$, and with $\mathbf{y} = P^{-1}\mathbf{h}$, "
    r"$\lVert W^t\rVert_2 \le \lVert P\rVert_2\lVert P^{-1}\rVert_2\,\rho^t$ (submultiplicativity, cited); "
    r"$W^t\mathbf{p}_b = \lambda_b^t\mathbf{p}_b$ gives $\lVert W^t\rVert_2 \ge \rho^t$",
)
DECAY = Statement(
    "decay",
    Eq(sp.Limit((1 + u) ** (-t), t, sp.oo), 0),
    text=r"$\lambda^t \to 0$ for $|\lambda| = 1/(1 + u) < 1$",
)
GROWTH = Statement(
    "growth",
    Eq(sp.Limit(sp.log((1 + u) ** t) / t, t, sp.oo), sp.log(1 + u)),
    text=r"$|\lambda|^t$ grows exponentially, at the rate $\log(1 + u) > 0$, for $|\lambda| = 1 + u > 1$",
)


# -- the homework question, and where the identity comes from --------------------------------------
QUESTION = Question(
    target=POWER,
    prompt=r"For the linear RNN $h_t = Wh_{t-1}$ with $W = \begin{pmatrix}\lambda_1 & \beta\\ 0 & "
    r"\lambda_2\end{pmatrix}$, "
    r"$\lambda_1 \ne \lambda_2$, give $\partial h_t/\partial h_0$ in closed form.",
    names={"lambda1": l_1, "lambda2": l_2},
    approximations={r"that is $\Lambda^t$: the change of basis $V(\cdot)V^{-1}$ is missing": sp.diag(l_1**t, l_2**t)},
)
REFS = (
    Ref.cite("pascanu2013", where="Sec. 2.1"),
    Ref.cite("bengio1994"),
)


# -- how it is derived -----------------------------------------------------------------------------
def derivation(d: Derivation) -> None:
    r"""A linear recurrence $h_t = Wh_{t-1}$ (the linearisation of any RNN around a fixed point) unrolls to
    $h_t = W^th_0$, so backpropagation through time multiplies the gradient by $(W^t)^\top$. Diagonalising
    $W = P\Lambda P^{-1}$ gives $W^t = P\Lambda^tP^{-1}$: every mode is scaled by $\lambda_i^t$, and the largest
    $|\lambda_i|$, the spectral radius $\rho(W)$, decides between vanishing ($\rho < 1$) and exploding
    ($\rho > 1$) gradients. Below $W$ is any diagonalisable $n\times n$ matrix, written entry by entry with
    $Q = P^{-1}$."""
    d.begin(WP, r"$(WP)_{ab} = \sum_c\sum_k P_{ak}\lambda_kQ_{kc}P_{cb}$")
    d.assume(SUM_EXCHANGE, SUM_EXCHANGE.rewrite, r"the sum over $c$ innermost")
    d.assume(PAIR, PAIR.rewrite, r"$\sum_c Q_{kc}P_{cb} = (P^{-1}P)_{kb} = \delta_{kb}$")
    d.then(lambda e: in_range(collapse(e)), r"the Kronecker delta collapses the sum over $k$")
    d.conclude("diagonalise")

    d.begin(power_entry(0, a, b), r"$\Lambda^0 = I$")
    d.assume(PAIR, PAIR.rewrite, r"$\sum_k P_{ak}Q_{kb} = (PP^{-1})_{ab} = \delta_{ab}$")
    d.conclude("base")

    d.begin(W_TIMES_POWER, r"one more step of the recurrence: $W$ times the candidate for $W^t$")
    d.assume(NEST, NEST.rewrite, r"multiply out; the sum over the shared index $c$ innermost")
    d.assume(PAIR, PAIR.rewrite, r"$\sum_c Q_{kc}P_{cl} = (P^{-1}P)_{kl} = \delta_{kl}$")
    d.then(lambda e: in_range(collapse(e)), r"the Kronecker delta collapses the sum over $l$")
    d.then(power_entry(t + 1, a, b), r"$\lambda_k\lambda_k^t = \lambda_k^{t+1}$")
    d.conclude("step")
    d.keep("power", POWER)  # the 2 x 2 closed form of the question, for the cross-check

    d.begin(D_STATE, r"$(h_t)_a = \sum_b (W^t)_{ab}(h_0)_b$ is linear in $h_0$")
    d.then(lambda e: e.doit(), r"differentiate: $\partial (h_0)_b/\partial (h_0)_c = \delta_{bc}$")
    d.then(lambda e: in_range(collapse(e)), r"the Kronecker delta collapses the sum over $b$")
    d.conclude("Jacobian")

    d.begin(STRETCH, r"$\lVert\Lambda\mathbf{z}\rVert^2 = \sum_k|\lambda_k|^2z_k^2$, $|\lambda_k|^2 = \rho^2 - g_k$")
    d.assume(OPERATOR_SUBMULTIPLICATIVE)
    d.then(rho**2 * NORM_Z - sp.Sum(gI[k] * zI[k] ** 2, (k, 1, n)), r"split the sum")
    d.bound(rho**2 * NORM_Z, r"drop $\sum_k g_kz_k^2 \ge 0$: equality along the modes with $|\lambda_k| = \rho$")
    d.conclude("norm")

    d.begin(sp.Limit((1 + u) ** (-t), t, sp.oo), r"a mode with $|\lambda| = 1/(1 + u)$, $u > 0$")
    d.then(lambda e: e.doit(), r"$(1 + u)^t \to \infty$")
    d.conclude("decay")

    d.begin(sp.Limit(sp.log((1 + u) ** t) / t, t, sp.oo), r"a mode with $|\lambda| = 1 + u$, $u > 0$")
    d.then(lambda e: e.doit(), r"$\log((1 + u)^t) = t\log(1 + u)$")
    d.conclude("growth")


# -- how it is checked -----------------------------------------------------------------------------
def _norm_growth(ctx: CheckContext) -> CrossCheckResult:
    """rho^t <= ||W^t||_2 <= cond(V) rho^t for random 8x8 W rescaled to rho = 0.9 and 1.1, t <= 100."""
    worst, lowest, highest, norms = 0.0, np.inf, 0.0, {}
    for rho in (0.9, 1.1):
        for _ in range(5):
            w = with_spectral_radius(ctx.rng.normal(size=(8, 8)), rho)
            _, vecs = np.linalg.eig(w)
            kappa = np.linalg.cond(vecs)
            p = np.eye(8)
            for step in range(1, 101):
                p = p @ w
                ratio = float(np.linalg.norm(p, 2) / rho**step)
                # below: rho(W^t) = rho^t never exceeds a norm; above: ||V Lambda^t V^-1|| <= cond(V) rho^t
                worst = max(worst, 1 - ratio, ratio / kappa - 1)
                lowest, highest = min(lowest, ratio), max(highest, ratio / kappa)
            norms[rho] = np.linalg.norm(p, 2)
    detail = (
        f"min ||W^t||/rho^t = {lowest:.3g} (>= 1), max ||W^t||/(cond(V) rho^t) = {highest:.3g} (<= 1); "
        f"||W^100|| = {norms[0.9]:.2e} at rho = 0.9, {norms[1.1]:.2e} at rho = 1.1"
    )
    return ctx.bound(
        "violation of rho^t <= ||W^t|| <= cond(V) rho^t", "numpy (matrix powers, t <= 100)", worst, 1e-9, detail=detail
    )


def crosscheck(ctx: CheckContext) -> CrossCheckResult:
    """Matrix powers of random W against V Lambda^t V^-1 from numpy.linalg.eig; the symbolic 2x2 W^t (SymPy's
    diagonalisation of the question's Schur form) against repeated multiplication; norms of W^t at rho = 0.9
    and 1.1 between rho^t and cond(V) rho^t."""
    got, want = [], []
    for _ in range(10):
        w = ctx.rng.normal(size=(6, 6))
        vals, vecs = np.linalg.eig(w)
        for steps in (1, 5, 17):
            got.append(np.real_if_close(vecs @ np.diag(vals**steps) @ np.linalg.inv(vecs)))
            want.append(np.linalg.matrix_power(w, steps))
    eig = ctx.compare(
        "V Lambda^t V^-1 (6x6)", "numpy.linalg.eig vs matrix_power", np.array(got).real, np.array(want), rtol=1e-8
    )
    f = sp.lambdify([l_1, l_2, beta, t], ctx.values["power"], "numpy")
    got2, want2 = [], []
    for _ in range(20):
        a, b, c = ctx.rng.uniform(-1.5, 1.5, size=3)
        steps = int(ctx.rng.integers(0, 25))
        got2.append(np.asarray(f(a, c, b, steps), dtype=float))
        want2.append(np.linalg.matrix_power(np.array([[a, b], [0.0, c]]), steps))
    sym = ctx.compare("derived 2x2 W^t", "repeated multiplication", np.array(got2), np.array(want2), rtol=1e-9)
    return combine(eig, sym, _norm_growth(ctx))


# -- the declaration -------------------------------------------------------------------------------
RNN_SPECTRAL_RADIUS = declare(
    "rnn-spectral-radius",
    title="The spectral radius decides whether an RNN's gradients vanish or explode",
    section="1.2",
    map_row=r"$A\mathbf{v} = \lambda\mathbf{v}$: stability of the RNN hidden state, $\rho(W_h) < 1$ prevents "
    r"exploding gradients",
    variables={l_1: EIGENVALUE, l_2: EIGENVALUE, beta: BETA, t: STEPS, u: RATE}
    | {n: integer(1, 5), **dict.fromkeys((a, b, c, k, ell), integer(1, n))}
    | {PI: ENTRY, QI: ENTRY, lamI: ENTRY, hI: real(-3, 3), rho: RADIUS, gI: nonnegative(3), zI: real(-2, 2)},
    claim=CLAIM,
    also=(BASE, STEP, JACOBIAN, DECAY, GROWTH, NORM),
    derivation=derivation,
    crosscheck=crosscheck,
    question=QUESTION,
    refs=REFS,
)
