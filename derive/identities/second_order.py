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
from sympy import Derivative, Eq, Ge, KroneckerDelta, Rational, kronecker_product

from derive.core.derivation import Derivation
from derive.core.identity import Question, Ref, identity
from derive.core.statements import Statement
from derive.maths.domains import integer, interval, positive, probability, real
from derive.maths.matrices import entry_domains, hessian_form, jacobian_form, symbol_matrix, symbol_vector, vec
from derive.maths.notation import named_function, notation
from derive.numeric.crosscheck import CheckContext, CrossCheckResult, combine
from derive.numeric.linalg import hessian_fd

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
    title="The Newton step minimises the quadratic model",
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
        names={"H": HM, "g": GV},
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
    (Gauss-Newton, K-FAC, Shampoo) is an approximation of this step.
    Below, $H$ is a symbolic positive definite $2 \times 2$ matrix and $f(\theta) = \tfrac12\theta^\top H\theta -
    b^\top\theta$."""
    d.begin(GRAD_M, scope=r"for $2 \times 2$ $H$")
    d.then(lambda e: e.doit(), "differentiate the model in each $d_i$")
    d.then(notation("g + Hd", GV + HM * DV, "g + Hd"), r"collect: $g + Hd$")
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


# ----------------------------------------------------------------------------- Gauss-Newton
M_RES = 3
THETA = [real(-3, 3).symbol(f"theta{i}") for i in (1, 2)]
RES = sp.Matrix([named_function(f"r{i}", f"r_{{{i}}}", show_args=False, real=True)(*THETA) for i in range(1, 4)])
LSQ = Rational(1, 2) * sum(r**2 for r in RES)
JAC = jacobian_form(RES, THETA)
GN = JAC.T * JAC
SECOND = sum((r * hessian_form(r, THETA) for r in RES), sp.zeros(2, 2))
GRAD_L = notation(r"\nabla_\theta L", jacobian_form([LSQ], THETA).T, "grad L")
HESS_L = notation(r"\nabla_\theta^2 L", hessian_form(LSQ, THETA), "hess L")
HESS_PARTS = notation(r"J^\top J + \sum_i r_i \nabla_\theta^2 r_i", GN + SECOND, "J^T J + sum_i r_i hess r_i")
JN = symbol_matrix("J", M_RES, 2, real(-3, 3))
VN = symbol_vector("v", 2, real(-3, 3))
QUAD_GN = notation(r"v^\top J^\top J v", (VN.T * JN.T * JN * VN)[0], "v^T J^T J v")
AM = symbol_matrix("A", M_RES, 2, real(-3, 3))
BR = symbol_vector("y", M_RES, real(-3, 3))
LINEAR_L = Rational(1, 2) * sum(e**2 for e in AM * sp.Matrix(THETA) - BR)
HESS_LINEAR = notation(
    r"\nabla_\theta^2\, \tfrac12\lVert A\theta - y\rVert^2", hessian_form(LINEAR_L, THETA), "hess 1/2 ||A theta - y||^2"
)


def _gauss_newton_check(ctx: CheckContext) -> CrossCheckResult:
    """Nonlinear least squares :math:`r_i(\\theta) = e^{a_i^\\top\\theta} - y_i` (6 residuals, 3 parameters):
    the Hessian of :math:`L` by finite differences of :math:`L` itself against :math:`J^\\top J + \\sum_i r_i
    \\nabla^2 r_i` (hand-coded derivatives of the exponential); the second term is not negligible
    there, and at a zero-residual point the finite-difference Hessian equals :math:`J^\\top J`; and
    :math:`J^\\top J` is PSD (smallest eigenvalue, numpy)."""
    full_err, zero_err, share, lowest = 0.0, 0.0, 1.0, np.inf
    for _ in range(8):
        a = ctx.rng.normal(0, 0.7, (6, 3))
        theta = ctx.rng.normal(0, 1, 3)
        for zero_residual in (False, True):
            y = np.exp(a @ theta) if zero_residual else ctx.rng.normal(0, 2, 6)

            def loss(t: np.ndarray, a: np.ndarray = a, y: np.ndarray = y) -> float:
                return 0.5 * float(np.sum((np.exp(a @ t) - y) ** 2))

            fd = hessian_fd(loss, theta)
            e = np.exp(a @ theta)
            r, jac = e - y, e[:, None] * a
            gn = jac.T @ jac
            second = np.einsum("i,ij,ik->jk", r * e, a, a)
            scale = np.max(np.abs(fd))
            if zero_residual:
                zero_err = max(zero_err, float(np.max(np.abs(fd - gn)) / scale))
            else:
                full_err = max(full_err, float(np.max(np.abs(fd - gn - second)) / scale))
                share = min(share, float(np.max(np.abs(second)) / scale))
            lowest = min(lowest, float(np.linalg.eigvalsh(gn)[0] / np.max(np.abs(gn))))
    return combine(
        ctx.bound("FD Hessian vs J^T J + sum r_i hess r_i", "finite differences of L", full_err, 1e-5, samples=8),
        ctx.bound("FD Hessian vs J^T J at zero residual", "finite differences of L", zero_err, 1e-5, samples=8),
        ctx.bound("second term is visible (1 / its share)", "numpy", 1 / share, 1e3, samples=8),
        ctx.bound("-(smallest eigenvalue of J^T J)", "numpy.linalg.eigvalsh", -lowest, 1e-12, samples=16),
    )


@identity(
    "gauss-newton",
    title="The Hessian of least squares and its Gauss-Newton part",
    section="2.4",
    map_row=r"Gauss-Newton $H \approx J^\top J$",
    variables={
        **{t: real(-3, 3) for t in THETA},
        **entry_domains(JN, real(-3, 3)),
        **entry_domains(VN, real(-3, 3)),
        **entry_domains(AM, real(-3, 3)),
        **entry_domains(BR, real(-3, 3)),
    },
    claim=Statement(
        "gradient",
        Eq(GRAD_L, JAC.T * RES, evaluate=False),
        text=r"for $L = \tfrac12\lVert r(\theta)\rVert^2$, three residuals of two parameters: "
        r"$\nabla L = J^\top r$, $J_{ij} = \partial r_i/\partial\theta_j$",
    ),
    also=[
        Statement(
            "Hessian",
            Eq(HESS_L, HESS_PARTS, evaluate=False),
            text=r"the Hessian is the Gauss-Newton matrix plus a term weighted by the residuals",
        ),
        Statement(
            "PSD",
            Ge(QUAD_GN, 0),
            text=r"$J^\top J$ is positive semidefinite for every $J$ ($3 \times 2$ here)",
        ),
        Statement(
            "linear",
            Eq(HESS_LINEAR, AM.T * AM, evaluate=False),
            text=r"for linear residuals $r = A\theta - y$ every $\nabla^2 r_i = 0$ and Gauss-Newton is exact "
            r"(as it is where $r = 0$)",
        ),
    ],
    crosscheck=_gauss_newton_check,
    question=Question(
        target=(GN + SECOND).doit(),
        prompt=r"For $L(\theta) = \tfrac12\sum_{i=1}^{3} r_i(\theta)^2$ with $\theta \in \mathbb{R}^2$, compute the "
        r"Hessian $\nabla^2_\theta L$ in terms of the residuals and their derivatives.",
        approximations={
            r"this is only the Gauss-Newton part $J^\top J$; the term $\sum_i r_i \nabla^2 r_i$ is missing "
            r"(exact only for zero or linear residuals)": GN.doit(),
        },
    ),
    refs=(NOCEDAL_WRIGHT, MARTENS_GROSSE),
)
def gauss_newton(d: Derivation) -> None:
    r"""For a least-squares loss $L = \tfrac12\lVert r(\theta)\rVert^2$ the chain rule gives
    $\nabla L = J^\top r$ and $\nabla^2 L = J^\top J + \sum_i r_i \nabla^2 r_i$. The first part needs
    only first derivatives and is always positive semidefinite; dropping the second part is the
    Gauss-Newton approximation, exact for linear residuals and at a perfect fit. The generalised
    Gauss-Newton matrix is the curvature that K-FAC and natural-gradient methods approximate. Below,
    three residuals $r_i(\theta)$ of $\theta \in \mathbb{R}^2$, $J_{ij} = \partial r_i/\partial\theta_j$."""
    d.begin(GRAD_L, scope="for 3 residuals of 2 parameters")
    d.then(lambda e: e.doit(), r"chain rule: $\partial_j \tfrac12 r_i^2 = r_i\, \partial_j r_i$")
    d.then(notation(r"J^\top r", JAC.T * RES, "J^T r"), r"$\sum_i (\partial_j r_i)\, r_i$: a product")
    d.conclude("gradient")

    d.begin(HESS_L, scope="for 3 residuals of 2 parameters")
    d.then(lambda e: e.doit(), r"product rule: $\partial_k (r_i\, \partial_j r_i)$")
    d.then(GN + SECOND, r"first-derivative products $J^\top J$, and $r_i$ times the Hessian of $r_i$")
    d.conclude("Hessian")

    d.begin(QUAD_GN, scope=r"for $J \in \mathbb{R}^{3 \times 2}$")
    d.then(lambda e: e.doit(), r"write out $v^\top J^\top J v$")
    d.then(sum(e**2 for e in JN * VN), r"$= \lVert Jv\rVert^2$")
    d.bound(sp.S.Zero, "a sum of squares", relation=">=")
    d.conclude("PSD")

    d.begin(HESS_LINEAR, scope="for 3 residuals of 2 parameters")
    d.then(lambda e: e.doit(), "differentiate twice: the residuals are linear")
    d.then(AM.T * AM, r"$A^\top A$, the Gauss-Newton matrix of $r = A\theta - y$")
    d.conclude("linear")


# ----------------------------------------------------------------------------- K-FAC
AV = symbol_vector("a", 2, real(-3, 3))  # layer input (activations)
DL = symbol_vector("delta", 2, real(-3, 3))  # backpropagated gradient at the layer output
AV2 = symbol_vector("ahat", 2, real(-3, 3))  # second value of a (the independence statement)
DL2 = symbol_vector("deltahat", 2, real(-3, 3))
PA, PD = probability().symbol("p"), probability().symbol("q")
KA, KB, KX = (symbol_matrix(name, 2, 2, real(-3, 3)) for name in ("A", "B", "X"))


def _outer(v: sp.MatrixBase) -> sp.Matrix:
    return v * v.T


def _vec_outer(a: sp.MatrixBase, delta: sp.MatrixBase) -> sp.Matrix:
    g = vec(delta * a.T)  # the per-example weight gradient, vectorised
    return g * g.T


VEC_G = notation(r"\operatorname{vec}(\delta a^\top)", vec(DL * AV.T), "vec(delta a^T)")
OUTER_G = notation(
    r"\operatorname{vec}(\delta a^\top)\operatorname{vec}(\delta a^\top)^\top", _vec_outer(AV, DL), "vec(G) vec(G)^T"
)
OUTER_KRON = notation(
    r"(aa^\top) \otimes (\delta\delta^\top)", kronecker_product(_outer(AV), _outer(DL)), "(a a^T) kron (delta delta^T)"
)
PAIRS = [(PA * PD, AV, DL), (PA * (1 - PD), AV, DL2), ((1 - PA) * PD, AV2, DL), ((1 - PA) * (1 - PD), AV2, DL2)]
FISHER_BLOCK = notation(
    r"\mathbb{E}[\operatorname{vec}(\delta a^\top)\operatorname{vec}(\delta a^\top)^\top]",
    sum((w * _vec_outer(a, dl) for w, a, dl in PAIRS), sp.zeros(4, 4)),
    "E[vec(G) vec(G)^T]",
)
EA = PA * _outer(AV) + (1 - PA) * _outer(AV2)
ED = PD * _outer(DL) + (1 - PD) * _outer(DL2)
KFAC_FACTORS = notation(
    r"\mathbb{E}[aa^\top] \otimes \mathbb{E}[\delta\delta^\top]",
    kronecker_product(EA, ED),
    "E[a a^T] kron E[delta delta^T]",
)
KRON_INV = notation(r"(A \otimes B)^{-1}", kronecker_product(KA, KB).inv(), "(A kron B)^-1")
INV_KRON = notation(r"A^{-1} \otimes B^{-1}", kronecker_product(KA.inv(), KB.inv()), "A^-1 kron B^-1")
KRON_VEC = notation(r"(A \otimes B)\operatorname{vec}(X)", kronecker_product(KA, KB) * vec(KX), "(A kron B) vec(X)")
VEC_BXA = notation(r"\operatorname{vec}(B X A^\top)", vec(KB * KX * KA.T), "vec(B X A^T)")


def _vec_np(m: np.ndarray) -> np.ndarray:
    return m.reshape(-1, order="F")  # column stacking


def _kfac_check(ctx: CheckContext) -> CrossCheckResult:
    """Random sizes 2..6 with numpy.kron: vec(delta a^T) = a kron delta, (A kron B)^-1 = A^-1 kron B^-1
    (numpy.linalg.inv of the big matrix), (A kron B) vec(X) = vec(B X A^T); and the K-FAC step: with
    SPD factors A = E[aa^T], B = E[delta delta^T], ``numpy.linalg.solve`` of the explicit Kronecker system
    against the two small solves vec(B^-1 G A^-1)."""
    errs = {"vec": 0.0, "inverse": 0.0, "mat-vec": 0.0, "K-FAC step": 0.0}
    for _ in range(10):
        m, n = (int(v) for v in ctx.rng.integers(2, 7, 2))
        a, delta = ctx.rng.normal(size=n), ctx.rng.normal(size=m)
        errs["vec"] = max(errs["vec"], float(np.max(np.abs(_vec_np(np.outer(delta, a)) - np.kron(a, delta)))))
        ka, kb, x = _spd(ctx.rng, n), _spd(ctx.rng, m), ctx.rng.normal(size=(m, n))
        big = np.kron(ka, kb)
        inv = np.linalg.inv(big)
        errs["inverse"] = max(
            errs["inverse"],
            float(np.max(np.abs(inv - np.kron(np.linalg.inv(ka), np.linalg.inv(kb)))) / np.max(np.abs(inv))),
        )
        lhs = big @ _vec_np(x)
        errs["mat-vec"] = max(
            errs["mat-vec"], float(np.max(np.abs(lhs - _vec_np(kb @ x @ ka.T))) / np.max(np.abs(lhs)))
        )
        step = np.linalg.solve(big, _vec_np(x))
        small = _vec_np(np.linalg.solve(kb, np.linalg.solve(ka.T, x.T).T))  # B^-1 X A^-1 by two small solves
        errs["K-FAC step"] = max(errs["K-FAC step"], float(np.max(np.abs(step - small)) / np.max(np.abs(step))))
    return combine(*(ctx.bound(name, "numpy.kron, numpy.linalg", err, 1e-10, samples=10) for name, err in errs.items()))


@identity(
    "kfac-kronecker",
    title="K-FAC: Kronecker factors of a dense layer's curvature",
    section="2.4",
    map_row=r"K-FAC (Martens \& Grosse, 2015)",
    variables={
        **entry_domains(AV, real(-3, 3)),
        **entry_domains(DL, real(-3, 3)),
        **entry_domains(AV2, real(-3, 3)),
        **entry_domains(DL2, real(-3, 3)),
        PA: probability(),
        PD: probability(),
        **entry_domains(KA, real(-3, 3)),
        **entry_domains(KB, real(-3, 3)),
        **entry_domains(KX, real(-3, 3)),
    },
    claim=Statement(
        "vec",
        Eq(VEC_G, kronecker_product(AV, DL), evaluate=False),
        text=r"a dense layer's per-example weight gradient is $\delta a^\top$; vectorised (columns stacked) "
        r"it is $a \otimes \delta$",
    ),
    also=[
        Statement(
            "outer",
            Eq(OUTER_G, OUTER_KRON, evaluate=False),
            text=r"so its outer product is a Kronecker product (mixed-product rule)",
        ),
        Statement(
            "independence",
            Eq(FISHER_BLOCK, KFAC_FACTORS, evaluate=False),
            text=r"if $a$ and $\delta$ are independent (here each takes two values, with probabilities $p$ "
            r"and $q$; the second values are $\hat a$, $\hat\delta$), the expectation factorises: "
            r"K-FAC's approximation, exact in this case",
        ),
        Statement(
            "inverse",
            Eq(KRON_INV, INV_KRON, evaluate=False),
            text=r"so the $4 \times 4$ curvature block is inverted through two $2 \times 2$ inverses",
        ),
        Statement(
            "mat-vec",
            Eq(KRON_VEC, VEC_BXA, evaluate=False),
            text=r"and applied without forming it: the K-FAC step is $\operatorname{vec}(B^{-1} G A^{-1})$",
        ),
    ],
    crosscheck=_kfac_check,
    question=Question(
        target=kronecker_product(AV, DL),
        prompt=r"A dense layer $y = Wx$ ($W \in \mathbb{R}^{2 \times 2}$) has input $a$ and output gradient $\delta$, "
        r"so $\partial L/\partial W = \delta a^\top$. Write $\operatorname{vec}(\delta a^\top)$ (columns stacked) "
        r"as a Kronecker product, entry by entry.",
        approximations={
            r"$\delta \otimes a$ is $\operatorname{vec}$ of $a\delta^\top$ (rows stacked)": (kronecker_product(DL, AV))
        },
    ),
    refs=(
        MARTENS_GROSSE,
        Ref.book("C. F. Van Loan, The ubiquitous Kronecker product, J. Comput. Appl. Math. 123, 2000"),
    ),
    builds_on=("dense-backprop", "gauss-newton"),
)
def kfac_kronecker(d: Derivation) -> None:
    r"""For a dense layer the per-example gradient $\delta a^\top$ vectorises to $a \otimes \delta$, so the
    layer's Fisher block $\mathbb{E}[\operatorname{vec}\operatorname{vec}^\top]$ is an expectation of Kronecker
    products. K-FAC replaces it by $\mathbb{E}[aa^\top] \otimes \mathbb{E}[\delta\delta^\top]$ (exact when $a$
    and $\delta$ are independent). Then the Kronecker algebra does the rest: the inverse factorises and
    the preconditioned step is $\operatorname{vec}(B^{-1} G A^{-1})$, two small inverses instead of one
    of size $(mn)^2$. Shampoo and SOAP build on the same identities. Below, $A$, $B$, $X$ are symbolic
    $2 \times 2$ matrices, and in the expectation $a$ is $a$ or $\hat a$ (probabilities $p$, $1 - p$),
    independently $\delta$ is $\delta$ or $\hat\delta$ (probabilities $q$, $1 - q$)."""
    scope = r"for $2 \times 2$ matrices"
    d.begin(VEC_G, scope=scope)
    d.then(lambda e: e.doit(), r"stack the columns $a_j \delta$ of $\delta a^\top$: block $j$ of $a \otimes \delta$")
    d.conclude("vec")

    d.begin(OUTER_G, scope=scope)
    d.then(lambda e: e.doit(), r"$(a \otimes \delta)(a \otimes \delta)^\top$, entry by entry")
    d.then(kronecker_product(_outer(AV), _outer(DL)), r"mixed product: $(aa^\top) \otimes (\delta\delta^\top)$")
    d.conclude("outer")

    d.begin(FISHER_BLOCK, scope=scope + ", two values each")
    d.then(lambda e: e.doit(), r"the expectation as a sum over the four joint outcomes, $P = P(a)P(\delta)$")
    d.then(kronecker_product(EA, ED), r"bilinearity of $\otimes$: the sum factorises")
    d.conclude("independence")

    d.begin(KRON_INV, scope=scope)
    d.then(lambda e: e.doit(), r"invert the $4 \times 4$ matrix $A \otimes B$ (SymPy, LU)")
    d.then(kronecker_product(KA.inv(), KB.inv()), r"block $(i, j)$ is $(A^{-1})_{ij} B^{-1}$")
    d.conclude("inverse")

    d.begin(KRON_VEC, scope=scope)
    d.then(lambda e: e.doit(), r"multiply out $(A \otimes B)\operatorname{vec}(X)$")
    d.then(vec(KB * KX * KA.T), r"block $i$ is $B \sum_j A_{ij} X_{:,j}$, column $i$ of $B X A^\top$")
    d.conclude("mat-vec")


# ----------------------------------------------------------------------------- Fisher = expected Hessian
n_f = integer(2, 6).symbol("n")
i_f, j_f = integer(1, n_f).symbol("i"), integer(1, n_f).symbol("j")
y_f, k_f = integer(1, n_f).symbol("y"), integer(1, n_f).symbol("k")
z_f = sp.IndexedBase("z", real=True)  # the logits
LSE_SUM = sp.Sum(sp.exp(z_f[k_f]), (k_f, 1, n_f))
PROB = type("softmax_p", (sp.Function,), {"_latex": lambda self, printer, exp=None: _p_latex(printer, self, exp)})


def _p_latex(printer: sp.printing.latex.LatexPrinter, e: sp.Function, exp: object = None) -> str:
    head = f"p_{{{printer._print(e.args[0])}}}"
    return head if exp is None else f"{head}^{{{exp}}}"


_a = sp.Dummy("a", integer=True)
PROB_DEFINITIONS = {PROB(_a): sp.exp(z_f[_a]) / LSE_SUM}  # p_a = softmax(z)_a
LOG_P = z_f[y_f] - sp.log(LSE_SUM)  # log p_y, the log-softmax written out
FISHER_SUM = notation(
    r"\sum_{y=1}^{n} p_y\, \partial_{z_i}\log p_y\, \partial_{z_j}\log p_y",
    sp.Sum(PROB(y_f) * Derivative(LOG_P, z_f[i_f]) * Derivative(LOG_P, z_f[j_f]), (y_f, 1, n_f)),
    "sum_y p_y d_i log p_y d_j log p_y",
)
NEG_HESS_SUM = notation(
    r"-\sum_{y=1}^{n} p_y\, \partial_{z_i}\partial_{z_j}\log p_y",
    -sp.Sum(PROB(y_f) * Derivative(LOG_P, z_f[i_f], z_f[j_f]), (y_f, 1, n_f)),
    "-sum_y p_y d_i d_j log p_y",
)
FISHER = PROB(i_f) * KroneckerDelta(i_f, j_f) - PROB(i_f) * PROB(j_f)  # diag(p) - p p^T, entry (i, j)
SCORE_FORM = sp.Sum(
    PROB(y_f) * (KroneckerDelta(i_f, y_f) - PROB(i_f)) * (KroneckerDelta(j_f, y_f) - PROB(j_f)), (y_f, 1, n_f)
)
HESS_FORM = sp.Sum(PROB(y_f) * FISHER, (y_f, 1, n_f))
N_CLASSES = 3
p_f = sp.IndexedBase("p", positive=True)  # the probabilities, as a student writes them
P_COLUMN = sp.Matrix([p_f[a] for a in range(1, N_CLASSES + 1)])
# the question's matrix form diag(p) - p p^T (sp.diag would take an Indexed entry for a matrix)
FISHER_INDEXED = sp.Matrix(N_CLASSES, N_CLASSES, lambda a, b: P_COLUMN[a] if a == b else 0) - P_COLUMN * P_COLUMN.T


def _fisher_check(ctx: CheckContext) -> CrossCheckResult:
    """Random logits for 5 classes: Monte Carlo over :math:`y \\sim p` (100 000 draws) of the outer
    product of scores, each score by central differences of a stable log-softmax (not
    :math:`e_y - p`), against :math:`\\operatorname{diag}(p) - pp^\\top`; and the Hessian of
    :math:`\\log p_y` by finite differences for every :math:`y` against
    :math:`-(\\operatorname{diag}(p) - pp^\\top)`."""
    from derive.numeric.linalg import gradient_fd
    from derive.numeric.montecarlo import agrees, estimate
    from derive.numeric.stable import log_softmax, softmax

    results, hess_err = [], 0.0
    for _ in range(2):
        z = ctx.rng.normal(0, 1.5, 5)
        p = softmax(z)
        fisher = np.diag(p) - np.outer(p, p)
        scores = np.array([gradient_fd(lambda v, y=y: float(log_softmax(v)[y]), z) for y in range(5)])
        ys = ctx.rng.choice(5, size=100_000, p=p)
        draws = np.einsum("ni,nj->nij", scores[ys], scores[ys]).reshape(len(ys), -1)
        results.append(agrees(ctx, "E[score score^T]", estimate(draws), fisher.reshape(-1)))
        for y in range(5):
            hess = hessian_fd(lambda v, y=y: float(log_softmax(v)[y]), z)
            hess_err = max(hess_err, float(np.max(np.abs(hess + fisher)) / np.max(np.abs(fisher))))
    results.append(
        ctx.bound("FD Hessian of log p_y vs -(diag p - pp^T)", "finite differences", hess_err, 1e-6, samples=10)
    )
    return combine(*results)


@identity(
    "fisher-hessian",
    title="The Fisher information is the expected Hessian",
    section="2.4",
    map_row=r"Fisher information matrix $F = \mathbb{E}[\nabla\log p\,\nabla\log p^\top]$",
    variables={
        n_f: integer(2, 6),
        i_f: integer(1, n_f),
        j_f: integer(1, n_f),
        y_f: integer(1, n_f),
        k_f: integer(1, n_f),
        z_f: real(-5, 5),
        p_f: probability(),
    },
    definitions=PROB_DEFINITIONS,
    claim=Statement(
        "Fisher = -E Hessian",
        Eq(FISHER_SUM, NEG_HESS_SUM, evaluate=False),
        text=r"for a softmax categorical $p = \operatorname{softmax}(z)$ with any number $n$ of classes: the "
        r"expected outer product of the score equals the expected Hessian of the negative log-likelihood, "
        r"entry $(i, j)$",
    ),
    also=[
        Statement(
            "Fisher",
            Eq(FISHER_SUM, FISHER, evaluate=False),
            text=r"both are $\operatorname{diag}(p) - pp^\top$, entry by entry",
        ),
        Statement(
            "expected Hessian",
            Eq(NEG_HESS_SUM, FISHER, evaluate=False),
            text=r"(the Hessian of $\log p_y$ in the logits does not even depend on $y$)",
        ),
    ],
    crosscheck=_fisher_check,
    question=Question(
        target=p_f[i_f] * KroneckerDelta(i_f, j_f) - p_f[i_f] * p_f[j_f],
        prompt=r"For a categorical distribution $p = \operatorname{softmax}(z)$ over $n$ classes, compute the Fisher "
        r"information in the logits, $F_{ij} = \mathbb{E}_{y \sim p}[\partial_i \log p_y\, \partial_j \log p_y]$, "
        r"in terms of $p_i$, $p_j$ and $\delta_{ij}$.",
        forms=(FISHER_INDEXED,),
        approximations={
            r"the outer product $pp^\top$ is missing: that is $\mathbb{E}[e_y e_y^\top]$, not the covariance of "
            r"the score": p_f[i_f] * KroneckerDelta(i_f, j_f),
            r"sign: the Fisher is $+(\operatorname{diag}(p) - pp^\top)$, the Hessian of $\log p_y$ is its "
            r"negative": p_f[i_f] * p_f[j_f] - p_f[i_f] * KroneckerDelta(i_f, j_f),
        },
    ),
    refs=(
        Ref.arxiv(
            "1412.1193",
            "J. Martens, New insights and perspectives on the natural gradient method, 2014",
            where="Sec. 9",
        ),
        Ref.book("S. Amari, Natural gradient works efficiently in learning, Neural Computation 10(2), 1998"),
    ),
    builds_on=("softmax-jacobian", "gauss-newton"),
)
def fisher_hessian(d: Derivation) -> None:
    r"""The Fisher information $F = \mathbb{E}_{y \sim p}[\nabla\log p_y\,\nabla\log p_y^\top]$ is the
    curvature used by natural-gradient methods. Because $\sum_y p_y = 1$ for every parameter value,
    differentiating twice shows that it equals the expected Hessian of the negative log-likelihood.
    For a softmax output the score is $e_y - p$ and both sides are $\operatorname{diag}(p) - pp^\top$,
    which is why K-FAC and the generalised Gauss-Newton matrix coincide for cross-entropy losses.
    Below, $p_y = e^{z_y}/\sum_{k=1}^{n} e^{z_k}$ for any number $n$ of classes, entry $(i, j)$."""
    d.begin(FISHER_SUM)
    d.then(SCORE_FORM, r"differentiate $\log p_y = z_y - \log\sum_k e^{z_k}$: the score is $\delta_{iy} - p_i$")
    d.then(
        FISHER,
        r"$\sum_y p_y \delta_{iy}\delta_{jy} = p_i\delta_{ij}$, $\sum_y p_y \delta_{iy} = p_i$, $\sum_y p_y = 1$",
    )
    d.conclude("Fisher")

    d.begin(NEG_HESS_SUM)
    d.then(
        HESS_FORM,
        r"differentiate twice: $-\partial_{z_i}\partial_{z_j}\log p_y = p_i\delta_{ij} - p_i p_j$, for every $y$",
    )
    d.then(FISHER, r"the weights $p_y$ sum to 1")
    d.conclude("expected Hessian")

    d.begin(FISHER_SUM)
    d.then(FISHER, r"the Fisher (derived above); the expected Hessian is the same matrix")
    d.conclude("Fisher = -E Hessian")
