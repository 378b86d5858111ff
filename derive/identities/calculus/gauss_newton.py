r"""The Hessian of least squares and its Gauss-Newton part.

For a least-squares loss $L = \tfrac12\lVert r(\theta)\rVert^2$ the chain rule gives
$\nabla L = J^\top r$ and $\nabla^2 L = J^\top J + \sum_i r_i \nabla^2 r_i$; the first part needs only
first derivatives and is always positive semidefinite, and dropping the second is the Gauss-Newton
approximation, exact for linear residuals and at a perfect fit. Its generalisation is the curvature
K-FAC and natural-gradient methods approximate (map 2.4, second-order methods: Gauss-Newton
$H \approx J^\top J$). Derived entry by entry for any number $m$ of residuals and $n$ of parameters (each
residual by its cited second-order Taylor expansion, the Hessians symmetric by Schwarz), with a worked example
of three residuals of two parameters. Nocedal and Wright (2006), Numerical Optimization, Ch. 10; Martens and
Grosse (2015), K-FAC, Sec. 3.
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
    integer,
    linalg,
    matrices,
    named_function,
    notation,
    real,
)
from derive.core.facts import SCHWARZ, SUM_EXCHANGE, TAYLOR_SECOND_ORDER
from derive.core.linked import SymmetricIn
from derive.maths.indexed import collapse, in_range

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

# any m residuals of n parameters: r_i, J_ij = dr_i/dtheta_j and H_ijk = d2r_i/dtheta_j dtheta_k at theta
SIZE = integer(1, 5)
m_res, n_par = SIZE.symbol("m"), SIZE.symbol("n")
i, j, k = sp.symbols("i j k", integer=True, positive=True)
a_, b_ = integer(1, n_par).symbol("a"), integer(1, n_par).symbol("b")
s_, t_ = sp.symbols("s t", real=True)
rI, JI, HI, vI, AI, yI, thI = (sp.IndexedBase(x, real=True) for x in ("r", "J", "H", "v", "A", "y", "theta"))


#: r_i(theta + s e_a + t e_b) by its second-order Taylor expansion (the move delta = s e_a + t e_b: delta^T J_i. =
#: s J_ia + t J_ib, delta^T H_i delta = s^2 H_iaa + st (H_iab + H_iba) + t^2 H_ibb), and L = 1/2 sum_i r_i^2 along it
EXPANSION = (
    rI[i]
    + s_ * JI[i, a_]
    + t_ * JI[i, b_]
    + Rational(1, 2) * (s_**2 * HI[i, a_, a_] + s_ * t_ * (HI[i, a_, b_] + HI[i, b_, a_]) + t_**2 * HI[i, b_, b_])
)
LOSS_MOVED = Rational(1, 2) * sp.Sum(EXPANSION**2, (i, 1, m_res))
GRAD_A = notation(
    r"\frac{\partial L}{\partial\theta_a}", sp.Subs(sp.Derivative(LOSS_MOVED, s_), (s_, t_), (0, 0)), "dL/dtheta_a"
)
HESS_AB = notation(
    r"\frac{\partial^2 L}{\partial\theta_a\partial\theta_b}",
    sp.Subs(sp.Derivative(LOSS_MOVED, s_, t_), (s_, t_), (0, 0)),
    "d2L/dtheta_a dtheta_b",
)
JTR_A = sp.Sum(JI[i, a_] * rI[i], (i, 1, m_res))  # (J^T r)_a
GN_AB = sp.Sum(JI[i, a_] * JI[i, b_], (i, 1, m_res))  # (J^T J)_ab
SECOND_AB = sp.Sum(rI[i] * HI[i, a_, b_], (i, 1, m_res))  # sum_i r_i (hess r_i)_ab
QUAD_N = notation(
    r"v^\top J^\top J v",
    sp.Sum(vI[a_] * sp.Sum(GN_AB * vI[b_], (b_, 1, n_par)), (a_, 1, n_par)),
    "v^T J^T J v",
)
JV_I = sp.Sum(JI[i, j] * vI[j], (j, 1, n_par))  # (J v)_i
LINEAR_N = Rational(1, 2) * sp.Sum((sp.Sum(AI[i, j] * thI[j], (j, 1, n_par)) - yI[i]) ** 2, (i, 1, m_res))
HESS_LINEAR_N = notation(
    r"\frac{\partial^2}{\partial\theta_a\partial\theta_b}\tfrac12\lVert A\theta - y\rVert^2",
    sp.Derivative(LINEAR_N, thI[a_], thI[b_]),
    "d2/dtheta_a dtheta_b 1/2 ||A theta - y||^2",
)
SYMMETRIC_H = SCHWARZ.applied(SymmetricIn(HI))

# -- what is claimed -------------------------------------------------------------------------------
CLAIM = Statement(
    "gradient",
    Eq(GRAD_A, JTR_A),
    text=r"for $L = \tfrac12\lVert r(\theta)\rVert^2$, any $m$ residuals of any $n$ parameters: "
    r"$\nabla L = J^\top r$, $J_{ij} = \partial r_i/\partial\theta_j$",
)
HESSIAN = Statement(
    "Hessian",
    Eq(HESS_AB, GN_AB + SECOND_AB),
    text=r"the Hessian is the Gauss-Newton matrix plus a term weighted by the residuals: "
    r"$\nabla^2 L = J^\top J + \sum_i r_i\nabla^2 r_i$, $H_{iab} = \partial^2 r_i/\partial\theta_a\partial\theta_b$ "
    r"(any $m$, $n$); Gauss-Newton keeps $J^\top J$",
)
PSD = Statement(
    "PSD",
    Ge(QUAD_N, 0),
    text=r"$J^\top J$ is positive semidefinite for every $m \times n$ matrix $J$",
)
LINEAR = Statement(
    "linear",
    Eq(HESS_LINEAR_N, sp.Sum(AI[i, a_] * AI[i, b_], (i, 1, m_res))),
    text=r"for linear residuals $r = A\theta - y$ every $\nabla^2 r_i = 0$ and Gauss-Newton is exact, "
    r"$\nabla^2 L = A^\top A$ (as it is where $r = 0$), any $m \times n$ matrix $A$",
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
    _chains_any_size(d)

    d.begin(GRAD_L, title="Worked example: three residuals of two parameters", scope="for 3 residuals of 2 parameters")
    d.then(lambda e: e.doit(), r"chain rule: $\partial_j \tfrac12 r_i^2 = r_i\, \partial_j r_i$")
    d.then(notation(r"J^\top r", JAC.T * RES, "J^T r"), r"$\sum_i (\partial_j r_i)\, r_i$: a product")
    d.finish()

    d.begin(HESS_L, title="Worked example: its Hessian", scope="for 3 residuals of 2 parameters")
    d.then(lambda e: e.doit(), r"product rule: $\partial_k (r_i\, \partial_j r_i)$")
    d.then(
        HESS_PARTS,
        r"first-derivative products $J^\top J$, and $r_i$ times the Hessian of $r_i$ ($J^\top J + "
        r"\sum_i r_i \nabla^2 r_i$)",
    )
    d.finish()


def _chains_any_size(d: Derivation) -> None:
    """Gradient and Hessian along the move s e_a + t e_b, J^T J a sum of squares, linear residuals."""
    taylor = (
        r"each $r_i(\theta + se_a + te_b)$ by its second-order Taylor expansion $r_i + sJ_{ia} + tJ_{ib} + "
        r"\tfrac12(s^2H_{iaa} + st(H_{iab} + H_{iba}) + t^2H_{ibb})$, any $m$ residuals of $n$ parameters"
    )
    d.begin(GRAD_A, taylor).assume(TAYLOR_SECOND_ORDER)
    d.then(lambda e: e.doit(), r"differentiate in $s$ under the sum over $i$, then $s = t = 0$")
    d.then(JTR_A, r"$\sum_i J_{ia}r_i = (J^\top r)_a$")
    d.conclude("gradient")

    d.begin(HESS_AB, taylor).assume(TAYLOR_SECOND_ORDER)
    d.then(lambda e: e.doit(), r"differentiate in $s$ and $t$ (product rule), then $s = t = 0$")
    d.assume(SYMMETRIC_H, lambda e: SYMMETRIC_H.rewrite(e), r"$H_{iba} = H_{iab}$: second derivatives commute")
    d.then(GN_AB + SECOND_AB, r"$(J^\top J)_{ab} + \sum_i r_i (\nabla^2 r_i)_{ab}$")
    d.conclude("Hessian")

    d.begin(QUAD_N, r"any $m \times n$ matrix $J$")
    d.assume(
        SUM_EXCHANGE, sp.Sum(JV_I**2, (i, 1, m_res)), r"sum over $a$, $b$ first: $\lVert Jv\rVert^2 = \sum_i (Jv)_i^2$"
    )
    d.bound(sp.S.Zero, "a sum of squares", relation=">=")
    d.conclude("PSD")

    d.begin(HESS_LINEAR_N, r"any $m \times n$ matrix $A$")
    d.then(lambda e: e.doit(), r"differentiate twice: $\partial\theta_j/\partial\theta_a = \delta_{aj}$")
    d.then(lambda e: in_range(collapse(e)), r"the Kronecker deltas collapse the sums: $(A^\top A)_{ab}$")
    d.conclude("linear")


# -- how it is checked -----------------------------------------------------------------------------
def crosscheck(ctx: CheckContext) -> CrossCheckResult:
    """Nonlinear least squares :math:`r_i(\\theta) = e^{a_i^\\top\\theta} - y_i` (random sizes: 2..8 residuals of
    1..5 parameters):
    the Hessian of :math:`L` by finite differences of :math:`L` itself against :math:`J^\\top J + \\sum_i r_i
    \\nabla^2 r_i` (hand-coded derivatives of the exponential); the second term is not negligible
    there, and at a zero-residual point the finite-difference Hessian equals :math:`J^\\top J`; and
    :math:`J^\\top J` is PSD (smallest eigenvalue, numpy)."""
    full_err, zero_err, share, lowest = 0.0, 0.0, 1.0, np.inf
    for _ in range(8):
        res, par = int(ctx.rng.integers(2, 9)), int(ctx.rng.integers(1, 6))  # random sizes
        a = ctx.rng.normal(0, 0.7, (res, par))
        theta = ctx.rng.normal(0, 1, par)
        for zero_residual in (False, True):
            y = np.exp(a @ theta) if zero_residual else ctx.rng.normal(0, 2, res)

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
        m_res: SIZE,
        n_par: SIZE,
        a_: integer(1, n_par),
        b_: integer(1, n_par),
        s_: ENTRY,
        t_: ENTRY,
        **{base: ENTRY for base in (rI, JI, HI, vI, AI, yI, thI)},
    },
    claim=CLAIM,
    also=(HESSIAN, PSD, LINEAR),
    derivation=derivation,
    crosscheck=crosscheck,
    question=QUESTION,
    refs=REFS,
)
