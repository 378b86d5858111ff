r"""The spectral radius decides whether an RNN's gradients vanish or explode.

A linear recurrence $h_t = Wh_{t-1}$ unrolls to $h_t = W^th_0 = V\Lambda^tV^{-1}h_0$, so backpropagation through
time multiplies the gradient by $(W^t)^\top$ and each mode by $\lambda_i^t$: the spectral radius $\rho(W)$
decides between vanishing ($\rho < 1$) and exploding ($\rho > 1$) gradients (map 1.2, stability of the RNN hidden
state). Pascanu, Mikolov and Bengio (2013), On the difficulty of training recurrent neural networks, Sec. 2.1.
"""

from __future__ import annotations

import numpy as np
import sympy as sp
from sympy import Eq

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
    numerically,
    positive,
    real,
    statement_lhs,
)
from derive.maths.matrices import entry_domains, jacobian_form, symbol_vector
from derive.numeric.linalg import with_spectral_radius

# -- symbols ---------------------------------------------------------------------------------------
BETA = real(-3, 3)
beta = BETA.symbol("beta")
EIGENVALUE = real(-2, 2)
l_1, l_2 = EIGENVALUE.symbol("lambda_1"), EIGENVALUE.symbol("lambda_2")
STEPS = integer(0, 30)
t = STEPS.symbol("t")
RATE = positive(5)
u = RATE.symbol("u")
STATE = real(-3, 3)
h0 = symbol_vector("h0_", 2, STATE)
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

# -- what is claimed -------------------------------------------------------------------------------
CLAIM = Statement(
    "diagonalise",
    Eq(W_SCHUR, notation(r"V\Lambda V^{-1}", _power(1), "V Lambda V^-1"), evaluate=False),
    text=r"$W$ in Schur form $\begin{pmatrix}\lambda_1 & \beta\\ 0 & \lambda_2\end{pmatrix}$, $\lambda_1 \ne "
    r"\lambda_2$",
)
BASE = Statement(
    "base",
    Eq(notation(r"V\Lambda^0V^{-1}", _power_held(0), "V Lambda^0 V^-1"), sp.eye(2), evaluate=False),
    text=r"the base case $t = 0$: $V\Lambda^0V^{-1} = I = W^0$",
)
STEP = Statement(
    "step",
    Eq(
        notation(r"W\,(V\Lambda^tV^{-1})", W_SCHUR * POWER, "W (V Lambda^t V^-1)"),
        notation(r"V\Lambda^{t+1}V^{-1}", _power(t + 1), "V Lambda^(t+1) V^-1"),
        evaluate=False,
    ),
    text=r"with the base case, $h_t = W^t h_0 = V\Lambda^tV^{-1}h_0$ for every $t$ (induction)",
)
JACOBIAN = Statement(
    "Jacobian",
    Eq(
        notation(r"\frac{\partial h_t}{\partial h_0}", jacobian_form(POWER * h0, list(h0)), "dh_t/dh_0"),
        notation(r"W^t", POWER, "W^t"),
        evaluate=False,
    ),
    text=r"the gradient reaching $h_0$ is multiplied by $(W^t)^\top$",
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


NORM = numerically(
    "norm",
    r"$\rho(W)^t \le \lVert W^t\rVert_2 \le \kappa(V)\,\rho(W)^t$: the norm of the Jacobian decays like "
    r"$\rho^t$ "
    r"when $\rho(W) < 1$ and grows like $\rho^t$ when $\rho(W) > 1$ (random $8\times 8$ $W$, $\rho = 0.9, "
    r"1.1$, $t \le 100$)",
    _norm_growth,
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
    $W = V\Lambda V^{-1}$ gives $W^t = V\Lambda^tV^{-1}$: every mode is scaled by $\lambda_i^t$, and the largest
    $|\lambda_i|$, the spectral radius $\rho(W)$, decides between vanishing ($\rho < 1$) and exploding
    ($\rho > 1$) gradients. Below $W$ is a symbolic $2\times 2$ matrix in Schur form."""
    scope = r"for 2 x 2 W with real eigenvalues"
    d.begin(W_SCHUR, scope=scope)
    d.then(
        _power(1),
        r"SymPy's diagonalisation: eigenvectors $V$, eigenvalues $\Lambda = \mathrm{diag}(\lambda_1, \lambda_2)$",
    )
    d.conclude("diagonalise")

    d.begin(statement_lhs(d, "base"), scope=scope)
    d.then(lambda e: e.doit().applyfunc(sp.cancel), r"$\Lambda^0 = I$ and $VV^{-1} = I$")
    d.conclude("base")

    d.begin(W_SCHUR * POWER, r"one more step of the recurrence", scope=scope)
    d.then(
        lambda e: e.applyfunc(lambda z: sp.factor(sp.expand(z))),
        r"multiply out; $\lambda_i\lambda_i^t = \lambda_i^{t+1}$",
    )
    d.then(_power(t + 1), r"$V\Lambda^{t+1}V^{-1}$")
    d.keep("power", POWER)
    d.conclude("step")

    d.begin(statement_lhs(d, "Jacobian"), r"$h_t = V\Lambda^tV^{-1}h_0$ is linear in $h_0$", scope=scope)
    d.then(lambda e: e.doit(), "differentiate entry by entry")
    d.conclude("Jacobian")

    d.begin(sp.Limit((1 + u) ** (-t), t, sp.oo), r"a mode with $|\lambda| = 1/(1 + u)$, $u > 0$")
    d.then(lambda e: e.doit(), r"$(1 + u)^t \to \infty$")
    d.conclude("decay")

    d.begin(sp.Limit(sp.log((1 + u) ** t) / t, t, sp.oo), r"a mode with $|\lambda| = 1 + u$, $u > 0$")
    d.then(lambda e: e.doit(), r"$\log((1 + u)^t) = t\log(1 + u)$")
    d.conclude("growth")


# -- how it is checked -----------------------------------------------------------------------------
def crosscheck(ctx: CheckContext) -> CrossCheckResult:
    """Matrix powers of random W against V Lambda^t V^-1 from numpy.linalg.eig; the symbolic 2x2 W^t
    against repeated multiplication; norms of W^t at rho = 0.9 and 1.1."""
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
    return combine(eig, sym)


# -- the declaration -------------------------------------------------------------------------------
RNN_SPECTRAL_RADIUS = declare(
    "rnn-spectral-radius",
    title="The spectral radius decides whether an RNN's gradients vanish or explode",
    section="1.2",
    map_row=r"$A\mathbf{v} = \lambda\mathbf{v}$: stability of the RNN hidden state, $\rho(W_h) < 1$ prevents "
    r"exploding gradients",
    variables={l_1: EIGENVALUE, l_2: EIGENVALUE, beta: BETA, t: STEPS, u: RATE} | entry_domains(h0, STATE),
    claim=CLAIM,
    also=(BASE, STEP, JACOBIAN, DECAY, GROWTH, NORM),
    derivation=derivation,
    crosscheck=crosscheck,
    question=QUESTION,
    refs=REFS,
)
