r"""2.4 Second-order methods: Newton's step, Gauss-Newton, K-FAC's Kronecker factors, the Fisher.

Curvature-aware optimisers replace the gradient step by a step through a curvature matrix. This
module derives the Newton step as the minimiser of the quadratic model (``newton-step``), the
Hessian of a least-squares loss and its Gauss-Newton part (``gauss-newton``), the vec/Kronecker
algebra that makes K-FAC cheap to invert (``kfac-kronecker``), and the equality of the Fisher
information with the expected Hessian of the negative log-likelihood (``fisher-hessian``).
Matrix statements are derived on explicit symbolic 2x2 (or 3x3) matrices, never with
``MatrixSymbol`` calculus, and checked numerically at larger random sizes.
"""

from __future__ import annotations

import numpy as np
import sympy as sp
from sympy import Eq, Rational

from ..derivation import Derivation
from ..identity import Question, Ref, Statement, identity
from ..moves.matrices import entry_domains, hessian_form, jacobian_form, notation, symbol_vector
from ..numeric.crosscheck import CheckContext, CrossCheckResult, combine
from ..numeric.domains import interval, positive, real

MARTENS_GROSSE = Ref.arxiv(
    "1503.05671",
    "J. Martens and R. Grosse, Optimizing Neural Networks with Kronecker-factored Approximate Curvature, 2015",
    where="Sec. 3",
)
NOCEDAL_WRIGHT = Ref.book("J. Nocedal and S. J. Wright, Numerical Optimization, 2nd ed., Springer, 2006", "Ch. 2, 10")


def _spd(rng: np.random.Generator, n: int) -> np.ndarray:
    a = rng.normal(size=(n, n))
    return a @ a.T + 0.5 * np.eye(n)


# ----------------------------------------------------------------------------- Newton step
h11, h22 = positive(5).symbol("h11"), positive(5).symbol("h22")
h12 = real().symbol("h12")
H_DOMAINS = {
    h11: positive(5),
    h22: positive(5),
    h12: interval(-sp.sqrt(h11 * h22), sp.sqrt(h11 * h22), open_lo=True, open_hi=True),  # H positive definite
}
HM = sp.Matrix([[h11, h12], [h12, h22]])
GV = symbol_vector("g", 2, real(-5, 5))
DV = symbol_vector("d", 2, real(-5, 5))
TH = symbol_vector("theta", 2, real(-5, 5))
BV = symbol_vector("b", 2, real(-5, 5))
L0 = real(-5, 5).symbol("L0")
MODEL = L0 + (GV.T * DV)[0] + Rational(1, 2) * (DV.T * HM * DV)[0]
QUADRATIC = Rational(1, 2) * (TH.T * HM * TH)[0] - (BV.T * TH)[0]
NEWTON_DIRECTION = (-HM.inv() * GV).applyfunc(sp.cancel)
GRAD_M = notation(r"\nabla_d\, m(d)", jacobian_form([MODEL], list(DV)).T, "grad m(d)")
HESS_M = notation(r"\nabla_d^2\, m(d)", hessian_form(MODEL, list(DV)), "hess m(d)")
STEP_FORM = notation(
    r"\theta - H^{-1}\nabla f(\theta)",
    TH - HM.inv() * jacobian_form([QUADRATIC], list(TH)).T,
    "theta - H^-1 grad f(theta)",
)


def _newton_check(ctx: CheckContext) -> CrossCheckResult:
    """Random SPD quadratics in dimension 2..8: the step :math:`-H^{-1}g` against the minimiser that
    scipy's BFGS finds on the model (no formula), and one Newton step from a random start against
    ``numpy.linalg.solve(H, b)``."""
    from scipy.optimize import minimize

    got_d, want_d, got_t, want_t = [], [], [], []
    for _ in range(12):
        dim = int(ctx.rng.integers(2, 9))
        h, g, b, t0 = _spd(ctx.rng, dim), ctx.rng.normal(size=dim), ctx.rng.normal(size=dim), ctx.rng.normal(size=dim)
        res = minimize(
            lambda d, h=h, g=g: g @ d + 0.5 * d @ h @ d,
            np.zeros(dim),
            jac=lambda d, h=h, g=g: g + h @ d,
            method="BFGS",
            options={"gtol": 1e-12},
        )
        got_d.append(-np.linalg.inv(h) @ g)
        want_d.append(res.x)
        grad = h @ t0 - b  # gradient of 1/2 t^T H t - b^T t by its definition
        got_t.append(t0 - np.linalg.inv(h) @ grad)
        want_t.append(np.linalg.solve(h, b))
    return combine(
        ctx.compare(
            "-H^-1 g vs BFGS minimiser",
            "scipy.optimize.minimize",
            np.concatenate(got_d),
            np.concatenate(want_d),
            rtol=1e-6,
        ),
        ctx.compare(
            "one Newton step vs solve(H, b)",
            "numpy.linalg.solve",
            np.concatenate(got_t),
            np.concatenate(want_t),
            rtol=1e-9,
        ),
    )


@identity(
    "newton-step",
    title="Newton's step minimises the quadratic model",
    section="2.4",
    map_row=r"Hessian $H$; Newton's method $\theta \leftarrow \theta - H^{-1}\nabla L$",
    variables={
        **H_DOMAINS,
        **entry_domains(GV, real(-5, 5)),
        **entry_domains(DV, real(-5, 5)),
        **entry_domains(TH, real(-5, 5)),
        **entry_domains(BV, real(-5, 5)),
        L0: real(-5, 5),
    },
    claim=Statement(
        "minimiser",
        Eq(DV, NEWTON_DIRECTION),
        text=r"the model $L + g^\top d + \tfrac12 d^\top H d$ is stationary only at $d = -H^{-1}g$ "
        r"($H$ a symbolic positive definite $2 \times 2$ matrix)",
    ),
    also=[
        Statement(
            "gradient",
            Eq(GRAD_M, GV + HM * DV, evaluate=False),
            text=r"the gradient of the model $m(d) = L + g^\top d + \tfrac12 d^\top H d$",
        ),
        Statement(
            "curvature",
            Eq(HESS_M, HM, evaluate=False),
            text=r"the model's Hessian is $H \succ 0$, so the stationary point is the minimum",
        ),
        Statement(
            "one step",
            Eq(STEP_FORM, HM.inv() * BV, evaluate=False),
            text=r"on $f(\theta) = \tfrac12\theta^\top H\theta - b^\top\theta$ one Newton step from any "
            r"$\theta$ lands on the minimiser $H^{-1}b$",
        ),
    ],
    crosscheck=_newton_check,
    question=Question(
        target=NEWTON_DIRECTION,
        prompt=r"Minimise the quadratic model $m(d) = L + g^\top d + \tfrac12 d^\top H d$ over $d \in \mathbb{R}^2$, "
        r"where $H = \begin{pmatrix} h_{11} & h_{12} \\ h_{12} & h_{22} \end{pmatrix}$ is positive definite.",
        approximations={
            r"wrong sign: $+H^{-1}g$ is an ascent direction": -NEWTON_DIRECTION,
            r"this is a gradient step, not a Newton step": -GV,
        },
    ),
    refs=(NOCEDAL_WRIGHT,),
)
def newton_step(d: Derivation) -> None:
    r"""Newton's method fits a quadratic model $L + g^\top d + \tfrac12 d^\top H d$ to the loss at the
    current point and jumps to its minimiser. Setting the model's gradient $g + Hd$ to zero gives
    $d = -H^{-1}g$, which is a minimum when $H$ is positive definite. On a quadratic loss the model
    is exact, so a single step lands on the optimum; every second-order method in deep learning
    (Gauss-Newton, K-FAC, Shampoo) is an approximation of this step."""
    d.begin(GRAD_M, scope=r"for $2 \times 2$ $H$")
    d.then(lambda e: e.doit(), "differentiate the model in each $d_i$")
    d.then(GV + HM * DV, r"collect: $g + Hd$")
    d.conclude("gradient")

    d.begin(
        Eq(GV + HM * DV, sp.zeros(2, 1), evaluate=False),
        r"stationarity: $\nabla_d\, m = 0$",
        scope=r"for $2 \times 2$ $H$",
    )
    d.solve(list(DV), r"solve the linear system $Hd = -g$ ($\det H > 0$)")
    d.conclude("minimiser")

    d.begin(HESS_M, scope=r"for $2 \times 2$ $H$")
    d.then(lambda e: e.doit(), "differentiate twice")
    d.conclude("curvature")

    d.begin(STEP_FORM, scope=r"for $2 \times 2$ $H$")
    d.then(lambda e: e.doit(), r"$\nabla f(\theta) = H\theta - b$, then multiply by $H^{-1}$")
    d.then(lambda e: e.applyfunc(sp.cancel), r"$H^{-1}H\theta = \theta$ cancels the current point")
    d.conclude("one step")
