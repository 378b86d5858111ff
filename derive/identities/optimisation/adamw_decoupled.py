r"""Decoupled weight decay (AdamW).

For SGD an $L_2$ penalty $\frac\lambda2\lVert\theta\rVert^2$ is the same as decaying the weights by
$\eta\lambda\theta$; for Adam it is not, because the penalty's gradient is divided by the preconditioner
$\sqrt{\hat v} + \epsilon$ like any other, and AdamW applies the decay outside it. Both updates act
coordinate by coordinate, so both statements are derived for coordinate $i$ of a parameter vector of any
dimension $d$ (the penalty's gradient a Kronecker sum, sifted). The map's AdamW row (map 5.1, gradient
descent variants). Loshchilov and Hutter (2019), Decoupled Weight Decay Regularization, Sec. 2.
"""

from __future__ import annotations

import numpy as np
import sympy as sp
from sympy import Derivative, Eq, IndexedBase, Sum, sqrt

from derive.authoring import (
    CheckContext,
    CrossCheckResult,
    Derivation,
    Question,
    Ref,
    Statement,
    combine,
    declare,
    indexed,
    integer,
    positive,
    real,
)

from ._shared import EPS, LR, eps, eta

# -- symbols ---------------------------------------------------------------------------------------
DECAY = positive(1)
WEIGHT = real(-5, 5)
SECOND_MOMENT = positive(100)
GRADIENT = real(-5, 5)
DIM = integer(1, 8)
dim = DIM.symbol("d")  # the number of parameters: the statements hold for every d
COORD = integer(1, dim)
i, k = COORD.symbol("i"), COORD.symbol("k")
lam = DECAY.symbol("lambda")
theta = IndexedBase("theta", real=True)
v = IndexedBase("v", positive=True)  # Adam's bias-corrected second moments v_hat
g = IndexedBase("g", real=True)  # the data gradient dL/dtheta_i
th1 = WEIGHT.symbol("theta1")  # one weight, for the homework question
PENALTY = lam * Sum(theta[k] ** 2, (k, 1, dim)) / 2


def _penalised(i: sp.Expr) -> sp.Expr:
    r"""$\partial/\partial\theta_i$ of $L + \frac\lambda2\lVert\theta\rVert^2$: $g_i$ plus the penalty's derivative."""
    return g[i] + Derivative(PENALTY, theta[i])


#: Adam's per-coordinate preconditioner 1/(sqrt(v_hat_i) + eps)
PRECOND = 1 / (sqrt(v[i]) + eps)
SGD_L2 = theta[i] - eta * _penalised(i)
ADAM_L2 = theta[i] - eta * PRECOND * _penalised(i)
ADAMW = theta[i] - eta * PRECOND * g[i] - eta * lam * theta[i]
GAP = eta * lam * theta[i] * (1 - PRECOND)

# -- what is claimed -------------------------------------------------------------------------------
CLAIM = Statement(
    "SGD",
    Eq(SGD_L2, (1 - eta * lam) * theta[i] - eta * g[i]),
    text=r"for SGD, an $L_2$ penalty $\frac\lambda2\lVert\theta\rVert^2$ is weight decay with rate $\eta\lambda$: "
    r"coordinate $i$ of the step, for any number $d$ of parameters",
)
ADAM_GAP = Statement(
    "Adam: L2 vs decoupled",
    Eq(ADAM_L2 - ADAMW, GAP),
    text=r"for Adam (preconditioner $1/(\sqrt{\hat v_i} + \epsilon)$, any number $d$ of parameters) they differ: "
    r"the $L_2$ decay of coordinate $i$ is divided by $\sqrt{\hat v_i} + \epsilon$, so weights with large "
    r"gradients are hardly decayed, while AdamW decays every weight by $\eta\lambda\theta_i$",
)

# -- the homework question, and where the identity comes from --------------------------------------
QUESTION = Question(
    target=(1 - eta * lam) * th1,
    prompt=r"One SGD step with learning rate $\eta$ on the loss $\frac\lambda2\theta_1^2$ alone (no data loss). "
    r"Where does $\theta_1$ go?",
    names={"lambda": lam, "eta": eta},
    approximations={r"the decay is $\eta\lambda\theta$, not $\lambda\theta$": (1 - lam) * th1},
)
REFS = (Ref.cite("loshchilov2019", where="Sec. 2"),)


# -- how it is derived -----------------------------------------------------------------------------
def derivation(d: Derivation) -> None:
    r"""Weight decay and $L_2$ regularisation are the same thing for SGD, which is why libraries long
    implemented one as the other. For adaptive methods they are not: Adam divides the $L_2$ gradient
    $\lambda\theta$ by $\sqrt{\hat v} + \epsilon$ like any gradient, so the decay is weakest exactly on the
    weights with large gradients. AdamW applies the decay outside the preconditioner; it is the
    optimiser of essentially every transformer trained today."""
    d.begin(SGD_L2, r"coordinate $i$ of an SGD step on $L + \frac\lambda2\lVert\theta\rVert^2$")
    d.then(
        lambda e: indexed.in_range(indexed.sift(e.doit())),
        r"$\partial_{\theta_i}\frac\lambda2\sum_k \theta_k^2 = \lambda\sum_k \delta_{ik}\theta_k = \lambda\theta_i$ "
        r"(sifted, $1 \le i \le d$; computed)",
    )
    d.then(
        (1 - eta * lam) * theta[i] - eta * g[i], r"collect $\theta_i$: a decay by $\eta\lambda$, then the plain step"
    )
    d.conclude("SGD")

    d.begin(ADAM_L2 - ADAMW, r"Adam on $L + \frac\lambda2\lVert\theta\rVert^2$ minus AdamW on $L$, coordinate $i$")
    d.then(lambda e: e.doit(), r"differentiate the penalty: $\lambda\sum_k \delta_{ik}\theta_k$")
    d.then(lambda e: indexed.in_range(indexed.sift(e)), r"sifted: $\lambda\theta_i$, as $1 \le i \le d$ (computed)")
    d.then(lambda e: sp.factor(sp.expand(e)), r"the data gradients $g_i$ cancel (computed)")
    d.keep("gap")
    d.conclude("Adam: L2 vs decoupled")


# -- how it is checked -----------------------------------------------------------------------------
def _adam_run(theta: np.ndarray, a: np.ndarray, lr: float, wd: float, decoupled: bool, steps: int = 50) -> np.ndarray:
    """Adam (beta1 = 0.9, beta2 = 0.999, eps = 1e-8) on L = 1/2 theta^T A theta, with L2 or decoupled decay."""
    m, v = np.zeros_like(theta), np.zeros_like(theta)
    for s in range(1, steps + 1):
        grad = a @ theta + (0.0 if decoupled else wd * theta)
        m, v = 0.9 * m + 0.1 * grad, 0.999 * v + 0.001 * grad**2
        step = lr * (m / (1 - 0.9**s)) / (np.sqrt(v / (1 - 0.999**s)) + 1e-8)
        theta = theta - step - (lr * wd * theta if decoupled else 0.0)
    return theta


def crosscheck(ctx: CheckContext) -> CrossCheckResult:
    """Numpy runs on random quadratic losses: SGD with L2 and with weight decay coincide over 50 steps;
    Adam with L2 and AdamW end at different points; one step with a given v_hat against the derived gap."""
    sgd_err, adam_gap = [], []
    for _ in range(10):
        q = ctx.rng.normal(size=(2, 2))
        a = q @ q.T + 0.1 * np.eye(2)
        th0 = ctx.rng.normal(size=2)
        lr, wd = float(ctx.rng.uniform(0.01, 0.1)), float(ctx.rng.uniform(0.01, 0.5))
        x, y = th0.copy(), th0.copy()
        for _s in range(50):
            x = x - lr * (a @ x + wd * x)
            y = y - lr * wd * y - lr * (a @ y)
        sgd_err.append(float(np.max(np.abs(x - y)) / np.max(np.abs(x))))
        w, l2 = _adam_run(th0, a, lr, wd, True), _adam_run(th0, a, lr, wd, False)
        adam_gap.append(float(np.max(np.abs(w - l2)) / np.max(np.abs(w))))
    size = 7  # one step of a 7-parameter model, coordinatewise, against the derived gap of coordinate i
    s = ctx.sample(size)
    thetas, grads = ctx.rng.normal(size=size), ctx.rng.normal(size=size)
    vs = ctx.rng.uniform(1e-4, 100.0, size)
    pre = 1 / (np.sqrt(vs) + s[eps])
    l2_step = thetas - s[eta] * pre * (grads + s[lam] * thetas)
    w_step = thetas - s[eta] * pre * grads - s[eta] * s[lam] * thetas
    t_i, v_i = sp.Symbol("t_i", real=True), sp.Symbol("v_i", positive=True)
    gap = ctx.values["gap"].xreplace({theta[i]: t_i, v[i]: v_i})
    derived = sp.lambdify((t_i, v_i, eta, lam, eps), gap, "numpy")(thetas, vs, s[eta], s[lam], s[eps])
    return combine(
        ctx.bound("SGD: L2 = weight decay", "50 numpy steps", max(sgd_err), 1e-12),
        ctx.bound("Adam: L2 != decoupled (inverse relative gap)", "50 numpy Adam steps", 1e-3 / min(adam_gap), 1.0),
        ctx.compare("one step, gap", "numpy step with given v_hat", l2_step - w_step, derived, rtol=1e-12),
    )


# -- the declaration -------------------------------------------------------------------------------
ADAMW_DECOUPLED = declare(
    "adamw-decoupled",
    aliases=("adamw",),
    title="Decoupled weight decay (AdamW)",
    section="5.1",
    map_row=r"AdamW (Loshchilov \& Hutter, 2019): decoupled weight decay "
    r"$\theta \leftarrow \theta - \eta\lambda\theta$",
    variables={
        dim: DIM,
        i: COORD,
        k: COORD,
        theta: WEIGHT,
        th1: WEIGHT,
        v: SECOND_MOMENT,
        g: GRADIENT,
        lam: DECAY,
        eta: LR,
        eps: EPS,
    },
    claim=CLAIM,
    also=(ADAM_GAP,),
    derivation=derivation,
    crosscheck=crosscheck,
    question=QUESTION,
    refs=REFS,
    builds_on=("adam-bias-correction",),
)
