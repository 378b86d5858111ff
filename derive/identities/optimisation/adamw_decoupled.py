r"""Decoupled weight decay (AdamW).

For SGD an $L_2$ penalty $\frac\lambda2\lVert\theta\rVert^2$ is the same as decaying the weights by
$\eta\lambda\theta$; for Adam it is not, because the penalty's gradient is divided by the preconditioner
$\sqrt{\hat v} + \epsilon$ like any other, and AdamW applies the decay outside it. The map's AdamW row
(map 5.1, gradient descent variants). Loshchilov and Hutter (2019), Decoupled Weight Decay
Regularization, Sec. 2.
"""

from __future__ import annotations

import numpy as np
import sympy as sp
from sympy import Derivative, Eq, Function, sqrt

from derive.authoring import (
    CheckContext,
    CrossCheckResult,
    Derivation,
    Question,
    Ref,
    Statement,
    combine,
    declare,
    positive,
    real,
)

from ._shared import EPS, LR, eps, eta

# -- symbols ---------------------------------------------------------------------------------------
DECAY = positive(1)
WEIGHT = real(-5, 5)
SECOND_MOMENT = positive(100)
lam = DECAY.symbol("lambda")
th1, th2 = (WEIGHT.symbol(n) for n in ("theta1", "theta2"))
v1, v2 = (SECOND_MOMENT.symbol(n) for n in ("v1", "v2"))
THETA = sp.Matrix([th1, th2])
LOSS = Function("L")(th1, th2)
PENALTY = lam * (th1**2 + th2**2) / 2


def _grad(f: sp.Expr) -> sp.Matrix:
    """The gradient in (theta1, theta2), unevaluated."""
    return sp.Matrix([Derivative(f, th1), Derivative(f, th2)])


#: Adam's per-coordinate preconditioner 1/(sqrt(v_hat_i) + eps)
PRECOND = sp.diag(1 / (sqrt(v1) + eps), 1 / (sqrt(v2) + eps))
SGD_L2 = THETA - eta * _grad(LOSS + PENALTY)
ADAM_L2 = THETA - eta * PRECOND * _grad(LOSS + PENALTY)
ADAMW = THETA - eta * PRECOND * _grad(LOSS) - eta * lam * THETA
GAP = sp.Matrix([eta * lam * th * (1 - 1 / (sqrt(v) + eps)) for th, v in ((th1, v1), (th2, v2))])

# -- what is claimed -------------------------------------------------------------------------------
CLAIM = Statement(
    "SGD",
    Eq(SGD_L2, (1 - eta * lam) * THETA - eta * _grad(LOSS), evaluate=False),
    text=r"for SGD, an $L_2$ penalty $\frac\lambda2\lVert\theta\rVert^2$ is weight decay with rate $\eta\lambda$",
)
ADAM_GAP = Statement(
    "Adam: L2 vs decoupled",
    Eq(ADAM_L2 - ADAMW, GAP, evaluate=False),
    text=r"for Adam (preconditioner $1/(\sqrt{\hat v_i} + \epsilon)$, a two-parameter step) they differ: "
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
    scope = "for two parameters"
    d.begin(SGD_L2, r"an SGD step on $L + \frac\lambda2\lVert\theta\rVert^2$", scope=scope)
    d.then(lambda e: e.doit(), r"the penalty's gradient is $\lambda\theta$")
    d.then(
        (1 - eta * lam) * THETA - eta * _grad(LOSS), r"collect $\theta$: a decay by $\eta\lambda$, then the plain step"
    )
    d.conclude("SGD")

    d.begin(ADAM_L2 - ADAMW, r"Adam on $L + \frac\lambda2\lVert\theta\rVert^2$ minus AdamW on $L$", scope=scope)
    d.then(lambda e: e.doit(), "differentiate the penalty")
    d.then(lambda e: e.applyfunc(lambda x: sp.factor(sp.expand(x))), r"the data gradients cancel")
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
    s = ctx.sample(64)
    grads = ctx.rng.normal(size=(2, 64))
    thetas = np.array([s[th1], s[th2]])
    vs = np.array([s[v1], s[v2]])
    pre = 1 / (np.sqrt(vs) + s[eps])
    l2_step = thetas - s[eta] * pre * (grads + s[lam] * thetas)
    w_step = thetas - s[eta] * pre * grads - s[eta] * s[lam] * thetas
    derived = np.stack([ctx.evaluate(ctx.values["gap"][i], s, 64) for i in range(2)])
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
    variables={th1: WEIGHT, th2: WEIGHT, v1: SECOND_MOMENT, v2: SECOND_MOMENT, lam: DECAY, eta: LR, eps: EPS},
    claim=CLAIM,
    also=(ADAM_GAP,),
    derivation=derivation,
    crosscheck=crosscheck,
    question=QUESTION,
    refs=REFS,
    builds_on=("adam-bias-correction",),
)
