r"""Weight decay is L2 regularisation.

Adding $\tfrac{\lambda}{2}\lVert\boldsymbol\theta\rVert^2$ to a loss adds $\lambda\boldsymbol\theta$ to its gradient,
so a gradient step first shrinks every weight by the factor $1 - \eta\lambda$ and then steps along $-\nabla L$: the
weights decay, as in AdamW's decoupled update that trains essentially every modern LLM (map 1.4, L2 / weight
decay). Krogh and Hertz (1991), A simple weight decay can improve generalization; Loshchilov and Hutter (2019),
Decoupled Weight Decay Regularization, Sec. 2.
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
    positive,
    real,
)
from derive.maths.matrices import entry_domains, frobenius_sq, symbol_vector
from derive.numeric.linalg import gradient_fd

from ._shared import i, j, n

# -- symbols ---------------------------------------------------------------------------------------
N_WD = 3
WEIGHT = real(-5, 5)
THETA = symbol_vector("theta", N_WD, WEIGHT)
DECAY = positive(1)
lam_wd = DECAY.symbol("lambda")
LR = positive(1)
eta = LR.symbol("eta")
PENALTY = lam_wd / 2 * frobenius_sq(THETA)
GRAD_PEN = notation(
    r"\nabla_{\boldsymbol\theta}\tfrac{\lambda}{2}\lVert\boldsymbol\theta\rVert^2",
    sp.Matrix([sp.Derivative(PENALTY, t) for t in THETA]),
    "grad (lambda/2)||theta||^2",
)
thI, gI = sp.IndexedBase("theta", real=True), sp.IndexedBase("g", real=True)  # coordinate j of theta, grad L
th, g = thI[j], gI[j]
#: coordinate j of the gradient of the penalty, for any n
GRAD_J = notation(
    r"\frac{\partial}{\partial\theta_j}\,\frac{\lambda}{2}\sum_{i=1}^n\theta_i^2",
    sp.Derivative(lam_wd / 2 * sp.Sum(thI[i] ** 2, (i, 1, n)), th),
    "d/dtheta_j (lambda/2) sum_i theta_i^2",
)

# -- what is claimed -------------------------------------------------------------------------------
CLAIM = Statement(
    "gradient",
    Eq(GRAD_J, lam_wd * th, evaluate=False),
    text=r"$\nabla\,\tfrac{\lambda}{2}\lVert\boldsymbol\theta\rVert^2 = \lambda\boldsymbol\theta$, "
    r"coordinate $j$ of any $n$",
)
STEP = Statement(
    "step",
    Eq(th - eta * (g + lam_wd * th), (1 - eta * lam_wd) * th - eta * g),
    text=r"a gradient step on $L + \tfrac{\lambda}{2}\lVert\boldsymbol\theta\rVert^2$ first shrinks every "
    r"weight by the factor $1 - \eta\lambda$, then steps along $-\nabla L$ "
    r"(coordinate $j$, $g_j = \partial L/\partial\theta_j$)",
)

# -- the homework question, and where the identity comes from --------------------------------------
QUESTION = Question(
    target=lam_wd * thI[j],
    prompt=r"What is $\partial/\partial\theta_j$ of the penalty "
    r"$\tfrac{\lambda}{2}\lVert\boldsymbol\theta\rVert_2^2$?",
    names={"theta": thI, "lam": lam_wd},
    approximations={
        r"the $\tfrac12$ cancels the $2$ of $\theta_j^2$: the gradient is $\lambda\theta_j$": 2 * lam_wd * thI[j],
        r"the derivative of $\theta_j^2$ is $2\theta_j$, not $\theta_j$": lam_wd * thI[j] / 2,
    },
)
REFS = (
    Ref.cite("krogh1991"),
    Ref.cite("loshchilov2019", where="Sec. 2"),
)


# -- how it is derived -----------------------------------------------------------------------------
def derivation(d: Derivation) -> None:
    r"""Adding $\tfrac{\lambda}{2}\lVert\boldsymbol\theta\rVert^2$ to a loss adds $\lambda\boldsymbol\theta$ to its
    gradient, so plain gradient descent multiplies every weight by $1 - \eta\lambda$ before the usual step: the
    weights \emph{decay}. For SGD the two are the same; for adaptive optimisers they are not, which is why AdamW
    applies the decay $\boldsymbol\theta \leftarrow (1 - \eta\lambda)\boldsymbol\theta$ separately from the
    Adam update (decoupled weight decay, used to train essentially every modern LLM)."""
    d.begin(GRAD_J, r"the penalty is a sum over coordinates")
    d.then(lambda e: e.doit(), r"$\partial\theta_i^2/\partial\theta_j = 2\theta_i\,\delta_{ij}$")
    d.then(lambda e: e.doit(), r"the Kronecker delta picks $i = j$, which lies in $1..n$")
    d.then(lam_wd * th, r"the $\tfrac12$ cancels the $2$")
    d.conclude("gradient")

    d.begin(GRAD_PEN, r"the same, as a vector", scope=f"for n = {N_WD} coordinates", title="Worked example: n = 3")
    d.then(lambda e: e.doit(), r"differentiate each coordinate: $\lambda\boldsymbol\theta$")
    d.finish()

    d.begin(th - eta * (g + lam_wd * th), r"one step of size $\eta$ on coordinate $j$ of any $n$")
    d.then(sp.expand, "expand")
    d.then((1 - eta * lam_wd) * th - eta * g, r"collect $\theta$: shrink, then step")
    d.conclude("step")


# -- how it is checked -----------------------------------------------------------------------------
def crosscheck(ctx: CheckContext) -> CrossCheckResult:
    """Central differences of the penalty at random theta in R^50; one step of gradient descent on
    L + penalty (gradient by central differences of the total) against the shrink-then-step form."""
    rng = ctx.rng
    results = []
    for _ in range(3):
        size, lmb, lr = 50, 10.0 ** rng.uniform(-4, 0), 10.0 ** rng.uniform(-3, -1)
        theta = rng.normal(size=size)
        xm, y = rng.normal(size=(20, size)), rng.normal(size=20)

        def penalty(t: np.ndarray, lmb: float = lmb) -> float:
            return 0.5 * lmb * float(np.sum(t**2))

        def total(t: np.ndarray, lmb: float = lmb, xm: np.ndarray = xm, y: np.ndarray = y) -> float:
            return 0.5 * float(np.sum((xm @ t - y) ** 2)) + 0.5 * lmb * float(np.sum(t**2))

        results.append(
            ctx.compare(
                "gradient of the penalty", "central differences", lmb * theta, gradient_fd(penalty, theta), rtol=1e-6
            )
        )
        step = theta - lr * gradient_fd(total, theta)
        shrink = (1 - lr * lmb) * theta - lr * (xm.T @ (xm @ theta - y))
        results.append(
            ctx.compare("one step, both ways", "central differences of L + penalty", shrink, step, rtol=1e-6)
        )
    return combine(*results)


# -- the declaration -------------------------------------------------------------------------------
WEIGHT_DECAY_L2 = declare(
    "weight-decay-l2",
    aliases=("weight-decay", "l2-regularisation"),
    title="Weight decay is L2 regularisation",
    section="1.4",
    map_row=r"$\lVert\boldsymbol\theta\rVert_2^2$: L2 / weight decay, penalises large weights (AdamW, all modern LLMs)",
    variables={
        **entry_domains(THETA, WEIGHT),
        lam_wd: DECAY,
        eta: LR,
        thI: WEIGHT,
        gI: WEIGHT,
        j: integer(1, n),
        n: integer(1, 100),
    },
    claim=CLAIM,
    also=(STEP,),
    derivation=derivation,
    crosscheck=crosscheck,
    question=QUESTION,
    refs=REFS,
)
