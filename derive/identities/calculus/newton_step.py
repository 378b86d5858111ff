r"""The Newton step minimises the quadratic model.

Newton's method fits the quadratic model $L + g^\top d + \tfrac12 d^\top H d$ to the loss and jumps
to its minimiser $d = -H^{-1}g$ (a minimum when $H \succ 0$); on a quadratic loss one step lands on
the optimum. Every second-order method in deep learning (Gauss-Newton, K-FAC, Shampoo) approximates
this step (map 2.4, second-order methods: Hessian, Newton's method). Derived entry by entry for any number
$n$ of parameters, $H^{-1}$ a named inverse resting on its cited defining property (never expanded), with
$2 \times 2$ worked examples. Nocedal and Wright (2006), Numerical Optimization, Ch. 2 and 10.
"""

from __future__ import annotations

import numpy as np
import sympy as sp
from sympy import Eq, Rational

from derive.authoring import (
    CheckContext,
    CrossCheckResult,
    Derivation,
    Question,
    Statement,
    combine,
    declare,
    integer,
    interval,
    matrices,
    notation,
    positive,
    real,
)
from derive.core.facts import INVERSE
from derive.maths.indexed import InverseOf, collapse, in_range

from ._shared import NOCEDAL_WRIGHT, random_spd

# -- symbols ---------------------------------------------------------------------------------------
DIAGONAL = positive(5)
h11, h22 = DIAGONAL.symbol("h11"), DIAGONAL.symbol("h22")
OFF_DIAGONAL = interval(-sp.sqrt(h11 * h22), sp.sqrt(h11 * h22), open_lo=True, open_hi=True)  # H positive definite
h12 = OFF_DIAGONAL.symbol("h12")
H_DOMAINS = {h11: DIAGONAL, h22: DIAGONAL, h12: OFF_DIAGONAL}
ENTRY = real(-5, 5)
HM = sp.Matrix([[h11, h12], [h12, h22]])
GV = matrices.symbol_vector("g", 2, ENTRY)
DV = matrices.symbol_vector("d", 2, ENTRY)
TH = matrices.symbol_vector("theta", 2, ENTRY)
BV = matrices.symbol_vector("b", 2, ENTRY)
L0 = ENTRY.symbol("L0")
MODEL = L0 + (GV.T * DV)[0] + Rational(1, 2) * (DV.T * HM * DV)[0]
QUADRATIC = Rational(1, 2) * (TH.T * HM * TH)[0] - (BV.T * TH)[0]
NEWTON_DIRECTION = (-HM.inv() * GV).applyfunc(sp.cancel)
# any number n of parameters: the model entry by entry, H any n x n matrix (its symmetric part acts)
SIZE = integer(1, 5)
n = SIZE.symbol("n")
i, j, k, l_, m = sp.symbols("i j k l m", integer=True, positive=True)
gI, dI, HI, HinvI, thI, bI = (sp.IndexedBase(name, real=True) for name in ("g", "d", "H", "H^{-1}", "theta", "b"))
MODEL_N = (
    L0 + sp.Sum(gI[k] * dI[k], (k, 1, n)) + Rational(1, 2) * sp.Sum(dI[k] * HI[k, l_] * dI[l_], (k, 1, n), (l_, 1, n))
)
GRAD_M = notation(r"\partial m/\partial d_i", sp.Derivative(MODEL_N, dI[i]), "dm/dd_i")
HESS_M = notation(r"\partial^2 m/\partial d_i\partial d_j", sp.Derivative(MODEL_N, dI[i], dI[j]), "d2m/dd_i dd_j")
GRAD_RHS = gI[i] + sp.Sum((HI[i, l_] + HI[l_, i]) * dI[l_], (l_, 1, n)) / 2
STEP_FORM = notation(
    r"\theta - H^{-1}\nabla f(\theta)",
    TH - HM.inv() * matrices.jacobian_form([QUADRATIC], list(TH)).T,
    "theta - H^-1 grad f(theta)",
)

# -- what is claimed -------------------------------------------------------------------------------
#: (H d)_i + g_i at the Newton direction d_l = -sum_m (H^-1)_lm g_m, any n
STATIONARITY = notation(
    r"(g + Hd)_i\big|_{d = -H^{-1}g}",
    gI[i] + sp.Sum(HI[i, l_] * -sp.Sum(HinvI[l_, m] * gI[m], (m, 1, n)), (l_, 1, n)),
    "(g + H d)_i at d = -H^-1 g",
)
CLAIM = Statement(
    "minimiser",
    Eq(STATIONARITY, 0),
    text=r"for any $n$ and invertible $H$, $d = -H^{-1}g$ solves the stationarity condition $g + Hd = 0$ of the "
    r"model $L + g^\top d + \tfrac12 d^\top H d$ (its gradient for a symmetric $H$, see below), and is its only "
    r"solution ($Hd = -g$ gives $d = H^{-1}Hd = -H^{-1}g$)",
)
GRADIENT = Statement(
    "gradient",
    Eq(GRAD_M, GRAD_RHS),
    text=r"the gradient of the model $m(d) = L + g^\top d + \tfrac12 d^\top H d$ for any $n$: entry $i$ is "
    r"$g_i + \tfrac12\sum_l (H_{il} + H_{li})d_l$, i.e. $g + Hd$ for a symmetric $H$ (a Hessian)",
)
CURVATURE = Statement(
    "curvature",
    Eq(HESS_M, (HI[i, j] + HI[j, i]) / 2),
    text=r"the model's Hessian is the symmetric part of $H$, i.e. $H \succ 0$ itself for a symmetric $H$, so "
    r"the stationary point is the minimum (any $n$)",
)
#: entry j of theta - H^-1 (H theta - b), any n, H^-1 a named inverse (never expanded)
STEP_N = notation(
    r"(\theta - H^{-1}\nabla f(\theta))_j",
    thI[j] - sp.Sum(HinvI[j, i] * (sp.Sum(HI[i, l_] * thI[l_], (l_, 1, n)) - bI[i]), (i, 1, n)),
    "(theta - H^-1 grad f(theta))_j",
)
ONE_STEP = Statement(
    "one step",
    Eq(STEP_N, sp.Sum(HinvI[j, i] * bI[i], (i, 1, n))),
    text=r"on $f(\theta) = \tfrac12\theta^\top H\theta - b^\top\theta$ ($H$ invertible, any $n$) one Newton "
    r"step from any $\theta$ lands on the minimiser $H^{-1}b$",
)

# -- the homework question, and where the identity comes from --------------------------------------
QUESTION = Question(
    target=NEWTON_DIRECTION,
    prompt=r"Minimise the quadratic model $m(d) = L + g^\top d + \tfrac12 d^\top H d$ over $d \in \mathbb{R}^2$, "
    r"where $H = \begin{pmatrix} h_{11} & h_{12} \\ h_{12} & h_{22} \end{pmatrix}$ is positive definite.",
    names={"H": HM, "g": GV},
    approximations={
        r"wrong sign: $+H^{-1}g$ is an ascent direction": -NEWTON_DIRECTION,
        r"this is a gradient step, not a Newton step": -GV,
    },
)
REFS = (NOCEDAL_WRIGHT,)


# -- how it is derived -----------------------------------------------------------------------------
def derivation(d: Derivation) -> None:
    r"""Newton's method fits a quadratic model $L + g^\top d + \tfrac12 d^\top H d$ to the loss at the
    current point and jumps to its minimiser. Setting the model's gradient $g + Hd$ to zero gives
    $d = -H^{-1}g$, which is a minimum when $H$ is positive definite. On a quadratic loss the model
    is exact, so a single step lands on the optimum; every second-order method in deep learning
    (Gauss-Newton, K-FAC, Shampoo) is an approximation of this step.
    Below, entry by entry for any $n$ ($H^{-1}$ named, used only through $HH^{-1} = H^{-1}H = I$), with worked
    $2 \times 2$ examples, and $f(\theta) = \tfrac12\theta^\top H\theta - b^\top\theta$."""
    d.begin(GRAD_M, r"the model, entry by entry, for any number $n$ of parameters")
    d.then(lambda e: e.doit(), r"differentiate: $\partial d_k/\partial d_i = \delta_{ik}$")
    d.then(lambda e: in_range(collapse(e)), r"the Kronecker deltas collapse the sums")
    d.then(GRAD_RHS, r"collect the two halves of the quadratic term")
    d.conclude("gradient")

    inverse = INVERSE.applied(InverseOf(HI, HinvI, n))
    d.begin(STATIONARITY, r"$g + Hd$ at $d = -H^{-1}g$, entry $i$, any $n$")
    d.then(lambda e: sp.expand(e.doit(deep=False)), r"multiply out: $g_i - \sum_l\sum_m H_{il}(H^{-1})_{lm}g_m$")
    d.assume(inverse, lambda e: inverse.rewrite(e), r"$H(H^{-1}g) = g$, never expanding $H^{-1}$")
    d.then(collapse, r"the Kronecker delta sifts the sum: $g_i - g_i = 0$")
    d.conclude("minimiser")

    d.begin(
        Eq(GV + HM * DV, sp.zeros(2, 1), evaluate=False),
        r"worked example, $2 \times 2$ $H$: stationarity $\nabla_d\, m = 0$",
        title="The minimiser for a 2x2 H, solved",
    )
    d.solve(list(DV), r"solve the linear system $Hd = -g$ ($\det H > 0$)")
    d.then(Eq(DV, NEWTON_DIRECTION), r"$d = -H^{-1}g$")
    d.finish()

    d.begin(HESS_M, r"differentiate twice, any $n$")
    d.then(lambda e: in_range(collapse(e.doit())), r"the Kronecker deltas collapse the double sum")
    d.then((HI[i, j] + HI[j, i]) / 2, r"the symmetric part of $H$")
    d.conclude("curvature")

    d.begin(
        STEP_FORM,
        r"worked example: $2 \times 2$ $H$ written out",
        title="The step for a 2x2 H",
    )
    d.then(lambda e: e.doit(), r"$\nabla f(\theta) = H\theta - b$, then multiply by $H^{-1}$")
    d.then(lambda e: e.applyfunc(sp.cancel), r"$H^{-1}H\theta = \theta$ cancels the current point")
    d.then(HM.inv() * BV, r"the minimiser $H^{-1}b$")
    d.finish()

    d.begin(STEP_N, r"$\theta - H^{-1}(H\theta - b)$, entry $j$, any $n$", title="The step for any n")
    start = thI[j] - sp.Sum(HinvI[j, i] * sp.Sum(HI[i, l_] * thI[l_], (l_, 1, n)), (i, 1, n))
    d.then(
        start + sp.Sum(HinvI[j, i] * bI[i], (i, 1, n)), r"split the sum: $\theta_j - (H^{-1}H\theta)_j + (H^{-1}b)_j$"
    )
    d.assume(inverse, lambda e: inverse.rewrite(e), r"$H^{-1}(H\theta) = \theta$, never expanding $H^{-1}$")
    d.then(collapse, r"the Kronecker delta sifts the sum: $(H^{-1}b)_j$")
    d.conclude("one step")
    d.finish()


# -- how it is checked -----------------------------------------------------------------------------
def crosscheck(ctx: CheckContext) -> CrossCheckResult:
    """Random SPD quadratics in dimension 2..8: the step :math:`-H^{-1}g` against the minimiser that
    scipy's BFGS finds on the model (no formula), and one Newton step from a random start against
    ``numpy.linalg.solve(H, b)``."""
    from scipy.optimize import minimize

    got_d, want_d, got_t, want_t = [], [], [], []
    for _ in range(12):
        dim = int(ctx.rng.integers(2, 9))
        h, g, b, t0 = (
            random_spd(ctx.rng, dim),
            ctx.rng.normal(size=dim),
            ctx.rng.normal(size=dim),
            ctx.rng.normal(size=dim),
        )
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


# -- the declaration -------------------------------------------------------------------------------
NEWTON_STEP = declare(
    "newton-step",
    title="The Newton step minimises the quadratic model",
    section="2.4",
    map_row=r"Hessian $H$; Newton's method $\theta \leftarrow \theta - H^{-1}\nabla L$",
    variables={
        **H_DOMAINS,
        **matrices.entry_domains(GV, ENTRY),
        **matrices.entry_domains(DV, ENTRY),
        **matrices.entry_domains(TH, ENTRY),
        **matrices.entry_domains(BV, ENTRY),
        L0: ENTRY,
        n: SIZE,
        i: integer(1, n),
        j: integer(1, n),
        gI: ENTRY,
        dI: ENTRY,
        HI: ENTRY,
        HinvI: ENTRY,
        thI: ENTRY,
        bI: ENTRY,
    },
    claim=CLAIM,
    also=(GRADIENT, CURVATURE, ONE_STEP),
    derivation=derivation,
    crosscheck=crosscheck,
    question=QUESTION,
    refs=REFS,
)
