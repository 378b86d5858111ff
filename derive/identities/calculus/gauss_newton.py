r"""The Hessian of least squares and its Gauss-Newton part.

For a least-squares loss $L = \tfrac12\lVert r(\theta)\rVert^2$ the chain rule gives
$\nabla L = J^\top r$ and $\nabla^2 L = J^\top J + \sum_i r_i \nabla^2 r_i$; the first part needs only
first derivatives and is always positive semidefinite, and dropping the second is the Gauss-Newton
approximation, exact for linear residuals and at a perfect fit. Its generalisation is the curvature
K-FAC and natural-gradient methods approximate (map 2.4, second-order methods: Gauss-Newton
$H \approx J^\top J$). Nocedal and Wright (2006), Numerical Optimization, Ch. 10; Martens and Grosse
(2015), K-FAC, Sec. 3.
"""

from __future__ import annotations

import numpy as np
import sympy as sp
from sympy import Eq, Ge, Rational

from derive.authoring import (
    CheckContext,
    CrossCheckResult,
    Derivation,
    Question,
    Statement,
    combine,
    declare,
    linalg,
    matrices,
    named_function,
    notation,
    real,
)

from ._shared import MARTENS_GROSSE, NOCEDAL_WRIGHT

# -- symbols ---------------------------------------------------------------------------------------
M_RES = 3
ENTRY = real(-3, 3)
THETA = [ENTRY.symbol(f"theta{i}") for i in (1, 2)]
RES = sp.Matrix([named_function(f"r{i}", f"r_{{{i}}}", show_args=False, real=True)(*THETA) for i in range(1, 4)])
LSQ = Rational(1, 2) * sum(r**2 for r in RES)
JAC = matrices.jacobian_form(RES, THETA)
GN = JAC.T * JAC
SECOND = sum((r * matrices.hessian_form(r, THETA) for r in RES), sp.zeros(2, 2))
GRAD_L = notation(r"\nabla_\theta L", matrices.jacobian_form([LSQ], THETA).T, "grad L")
HESS_L = notation(r"\nabla_\theta^2 L", matrices.hessian_form(LSQ, THETA), "hess L")
HESS_PARTS = notation(r"J^\top J + \sum_i r_i \nabla_\theta^2 r_i", GN + SECOND, "J^T J + sum_i r_i hess r_i")
JN = matrices.symbol_matrix("J", M_RES, 2, ENTRY)
VN = matrices.symbol_vector("v", 2, ENTRY)
QUAD_GN = notation(r"v^\top J^\top J v", (VN.T * JN.T * JN * VN)[0], "v^T J^T J v")
AM = matrices.symbol_matrix("A", M_RES, 2, ENTRY)
BR = matrices.symbol_vector("y", M_RES, ENTRY)
LINEAR_L = Rational(1, 2) * sum(e**2 for e in AM * sp.Matrix(THETA) - BR)
HESS_LINEAR = notation(
    r"\nabla_\theta^2\, \tfrac12\lVert A\theta - y\rVert^2",
    matrices.hessian_form(LINEAR_L, THETA),
    "hess 1/2 ||A theta - y||^2",
)

# -- what is claimed -------------------------------------------------------------------------------
CLAIM = Statement(
    "gradient",
    Eq(GRAD_L, JAC.T * RES, evaluate=False),
    text=r"for $L = \tfrac12\lVert r(\theta)\rVert^2$, three residuals of two parameters: "
    r"$\nabla L = J^\top r$, $J_{ij} = \partial r_i/\partial\theta_j$",
)
HESSIAN = Statement(
    "Hessian",
    Eq(HESS_L, HESS_PARTS, evaluate=False),
    text=r"the Hessian is the Gauss-Newton matrix plus a term weighted by the residuals",
)
PSD = Statement(
    "PSD",
    Ge(QUAD_GN, 0),
    text=r"$J^\top J$ is positive semidefinite for every $J$ ($3 \times 2$ here)",
)
LINEAR = Statement(
    "linear",
    Eq(HESS_LINEAR, AM.T * AM, evaluate=False),
    text=r"for linear residuals $r = A\theta - y$ every $\nabla^2 r_i = 0$ and Gauss-Newton is exact "
    r"(as it is where $r = 0$)",
)

# -- the homework question, and where the identity comes from --------------------------------------
QUESTION = Question(
    target=(GN + SECOND).doit(),
    prompt=r"For $L(\theta) = \tfrac12\sum_{i=1}^{3} r_i(\theta)^2$ with $\theta \in \mathbb{R}^2$, compute the "
    r"Hessian $\nabla^2_\theta L$ in terms of the residuals and their derivatives.",
    approximations={
        r"this is only the Gauss-Newton part $J^\top J$; the term $\sum_i r_i \nabla^2 r_i$ is missing "
        r"(exact only for zero or linear residuals)": GN.doit(),
    },
)
REFS = (NOCEDAL_WRIGHT, MARTENS_GROSSE)


# -- how it is derived -----------------------------------------------------------------------------
def derivation(d: Derivation) -> None:
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


# -- how it is checked -----------------------------------------------------------------------------
def crosscheck(ctx: CheckContext) -> CrossCheckResult:
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

            fd = linalg.hessian_fd(loss, theta)
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


# -- the declaration -------------------------------------------------------------------------------
GAUSS_NEWTON = declare(
    "gauss-newton",
    title="The Hessian of least squares and its Gauss-Newton part",
    section="2.4",
    map_row=r"Gauss-Newton $H \approx J^\top J$",
    variables={
        **{t: ENTRY for t in THETA},
        **matrices.entry_domains(JN, ENTRY),
        **matrices.entry_domains(VN, ENTRY),
        **matrices.entry_domains(AM, ENTRY),
        **matrices.entry_domains(BR, ENTRY),
    },
    claim=CLAIM,
    also=(HESSIAN, PSD, LINEAR),
    derivation=derivation,
    crosscheck=crosscheck,
    question=QUESTION,
    refs=REFS,
)
