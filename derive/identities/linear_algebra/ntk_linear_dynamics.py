r"""In the NTK regime each eigenmode of the error decays at its own rate.

For an infinitely wide network the neural tangent kernel $\Theta$ stays constant, and gradient flow on
$\tfrac12\lVert f - y\rVert^2$ is the linear ODE $\tfrac{d}{dt}(f_t - y) = -\eta\Theta(f_t - y)$, solved by
$e^{-\eta\Theta t}(f_0 - y)$: the error along an eigenvector with eigenvalue $\lambda_i$ decays like
$e^{-\eta\lambda_i t}$, so the kernel's spectrum sets the training speed of wide networks (map 1.2, Neural Tangent
Kernel eigenvalues). Jacot, Gabriel and Hongler (2018), Neural Tangent Kernel, Sec. 5; Lee et al. (2019),
Sec. 2.2, Eq. (9).
"""

from __future__ import annotations

import numpy as np
import sympy as sp
from sympy import Eq, exp

from derive.authoring import (
    CheckContext,
    CrossCheckResult,
    Derivation,
    Question,
    Ref,
    Statement,
    declare,
    integer,
    nonnegative,
    notation,
    positive,
    real,
    statement_lhs,
)
from derive.core.facts import SERIES_TERMWISE, SPECTRAL_THEOREM, SUM_EXCHANGE, Fact
from derive.maths.flows import Innermost, index_form
from derive.maths.indexed import InverseOf, collapse

# -- symbols ---------------------------------------------------------------------------------------
LR = positive(1)
eta = LR.symbol("eta")
TIME = nonnegative(5)
t = TIME.symbol("t")
EIGENVALUE = nonnegative(3)
mu1 = EIGENVALUE.symbol("lambda_1")  # the homework question's eigenvalue
SIZE = integer(1, 5)
n = SIZE.symbol("n")  # the number of training points: Theta is n x n
i, j, k = (integer(1, n).symbol(c) for c in "ijk")
POWER = integer(0, 4)
m = POWER.symbol("m")
# bound indices of the sums (eigen-directions p, q; training points l, a)
p_, q_, l_, a_ = sp.symbols("p q l a", integer=True, positive=True)
s_ = sp.Symbol("s", integer=True, nonnegative=True)  # the index of the exponential series
ENTRY = real(-2, 2)
UI = sp.IndexedBase("U", real=True)  # the eigenvectors of Theta, as columns
UT = sp.IndexedBase(r"U^{\top}", real=True)  # U^T = U^{-1} (spectral theorem)
lamI = sp.IndexedBase("lambda", nonnegative=True)  # the eigenvalues of the NTK (PSD)
rI = sp.IndexedBase("r", real=True)  # r = f_0 - y, the initial residual
#: Theta = U Lambda U^T; its defining pairs U^T U = U U^T = I (the spectral theorem's orthogonal U)
ORTHOGONAL = SPECTRAL_THEOREM.applied(InverseOf(UI, UT, n))
INNERMOST_L, INNERMOST_Q = (SUM_EXCHANGE.applied(Innermost(v)) for v in (l_, q_))


def theta(row: sp.Expr, col: sp.Expr) -> sp.Sum:
    r"""$\Theta_{rc} = \sum_p U_{rp}\lambda_p U^\top_{pc}$ (the kernel in its eigenbasis)."""
    return sp.Sum(UI[row, p_] * lamI[p_] * UT[p_, col], (p_, 1, n))


def coordinate(q: sp.Expr) -> sp.Sum:
    r"""$c_q = (U^\top r_0)_q = \sum_a U^\top_{qa} r_a$: the initial residual in the eigenbasis."""
    return sp.Sum(UT[q, a_] * rI[a_], (a_, 1, n))


def residual(row: sp.Expr, at: sp.Expr = t) -> sp.Sum:
    r"""$(f_t - y)_r = (Ue^{-\eta\Lambda t}U^\top r_0)_r = \sum_q U_{rq}e^{-\eta\lambda_q t}c_q$."""
    return sp.Sum(UI[row, q_] * exp(-eta * lamI[q_] * at) * coordinate(q_), (q_, 1, n))


def power(row: sp.Expr, col: sp.Expr, e: sp.Expr) -> sp.Sum:
    r"""$(U\Lambda^eU^\top)_{rc} = \sum_q U_{rq}\lambda_q^e U^\top_{qc}$."""
    return sp.Sum(UI[row, q_] * lamI[q_] ** e * UT[q_, col], (q_, 1, n))


#: the k-th eigenmode x_k(t) = exp(-eta lambda_k t) u_k in dx/dt + eta Theta x, entry i
MODE_K_T = exp(-eta * lamI[k] * t)
FLOW = sp.Derivative(MODE_K_T * UI[i, k], t) + eta * sp.Sum(theta(i, l_) * MODE_K_T * UI[l_, k], (l_, 1, n))
EIGEN_STEP = sp.Sum(theta(i, l_) * lamI[k] ** m * UI[l_, k], (l_, 1, n))  # Theta (lambda_k^m u_k), entry i
SERIES = sp.Sum((-eta * t) ** s_ / sp.factorial(s_) * power(i, j, s_), (s_, 0, sp.oo))
DECAY = sp.Sum(UI[i, q_] * exp(-eta * lamI[q_] * t) * UT[q_, j], (q_, 1, n))
MODE = sp.Sum(UT[k, l_] * residual(l_), (l_, 1, n))

# -- what is claimed -------------------------------------------------------------------------------
CLAIM = Statement(
    "gradient flow",
    Eq(
        notation(r"\tfrac{d}{dt}\mathbf{x}_k + \eta\,\Theta\mathbf{x}_k", FLOW, "d/dt x_k + eta Theta x_k"),
        0,
    ),
    text=r"for any $n$ training points and the constant kernel $\Theta = U\Lambda U^\top$ ($n\times n$, "
    r"spectral theorem): each eigenmode $\mathbf{x}_k(t) = e^{-\eta\lambda_kt}\mathbf{u}_k$ solves gradient flow on "
    r"$\tfrac12\lVert f - y\rVert^2$, $\dot{\mathbf{x}} = -\eta\Theta\mathbf{x}$; the ODE is linear, so "
    r"$f_t - y = Ue^{-\eta\Lambda t}U^\top(f_0 - y) = \sum_k c_k\mathbf{x}_k(t)$ ($c = U^\top(f_0 - y)$) solves it",
)
INITIAL = Statement(
    "initial",
    Eq(notation(r"(f_t - y)_i\big|_{t=0}", residual(i, sp.S.Zero), "(f_t - y)_i at t = 0"), rI[i]),
    text=r"the solution starts at the initial residual $r = f_0 - y$ ($UU^\top = I$), any $n$",
)
POWERS = Statement(
    "powers",
    Eq(
        notation(r"(\Theta\,\lambda_k^m\mathbf{u}_k)_i", EIGEN_STEP, "(Theta lambda_k^m u_k)_i"),
        lamI[k] ** (m + 1) * UI[i, k],
    ),
    text=r"$\Theta(\lambda_k^m\mathbf{u}_k) = \lambda_k^{m+1}\mathbf{u}_k$, so by induction on $m$ "
    r"$\Theta^m\mathbf{u}_k = \lambda_k^m\mathbf{u}_k$ for every $k$: $\Theta^m = U\Lambda^mU^\top$, any $m$ and $n$",
)
EXPONENTIAL = Statement(
    "exponential",
    Eq(notation(r"(e^{-\eta\Theta t})_{ij}", SERIES, "exp(-eta Theta t)_ij"), DECAY),
    text=r"the solution operator: the series $e^{-\eta\Theta t} = \sum_s (-\eta t)^s\Theta^s/s!$ with "
    r"$\Theta^s = U\Lambda^sU^\top$ is $Ue^{-\eta\Lambda t}U^\top$, so $f_t - y = e^{-\eta\Theta t}(f_0 - y)$, any $n$",
)
MODE_K = Statement(
    "mode k",
    Eq(notation(r"(U^\top(f_t - y))_k", MODE, "(U^T (f_t - y))_k"), exp(-eta * lamI[k] * t) * coordinate(k)),
    text=r"the component along the $k$-th eigenvector decays as $e^{-\eta\lambda_kt}$, for every $k$ of any $n$: "
    r"large-eigenvalue modes are learned first",
)
MODE_ODE = Statement(
    "mode ODE",
    Eq(
        notation(
            r"\tfrac{d}{dt}r_k + \eta\lambda_k r_k",
            sp.Derivative(exp(-eta * lamI[k] * t) * coordinate(k), t)
            + eta * lamI[k] * exp(-eta * lamI[k] * t) * coordinate(k),
            "d/dt r_k + eta lambda_k r_k",
        ),
        0,
    ),
    text=r"each mode $r_k(t) = e^{-\eta\lambda_kt}r_k(0)$ solves its own scalar ODE $\dot r_k = -\eta\lambda_k r_k$",
)

# -- the homework question, and where the identity comes from --------------------------------------
QUESTION = Question(
    target=exp(-eta * mu1 * t),
    prompt=r"Under gradient flow with learning rate $\eta$ and a constant NTK $\Theta$, by what factor has the "
    r"component "
    r"of $f_t - y$ along an eigenvector of $\Theta$ with eigenvalue $\lambda_1$ shrunk at time $t$?",
    names={"lambda": mu1, "lambda1": mu1},
    approximations={
        r"the learning rate $\eta$ is missing": exp(-mu1 * t),
        r"that is gradient descent with step $\eta$ after $t$ steps, not gradient flow": (1 - eta * mu1) ** t,
    },
)
REFS = (
    Ref.cite("jacot2018", where="Sec. 5"),
    Ref.cite("lee2019", where="Sec. 2.2, Eq. (9)"),
)


# -- how it is derived -----------------------------------------------------------------------------
def _contract(d: Derivation, inner: Fact, why: str) -> None:
    """Move the sum over the shared index innermost (finite sums commute), contract $U^\top U = I$ there
    (spectral theorem), and collapse the Kronecker delta."""
    d.assume(inner, lambda e: inner.rewrite(e), r"finite sums commute: the sum over the shared index goes inside")
    d.assume(ORTHOGONAL, lambda e: ORTHOGONAL.rewrite(e), why)
    d.then(collapse, r"the Kronecker delta collapses the sum")


def derivation(d: Derivation) -> None:
    r"""For an infinitely wide network the neural tangent kernel $\Theta$ stays constant during training, and gradient
    flow on $\tfrac12\lVert f - y\rVert^2$ becomes the linear ODE $\tfrac{d}{dt}(f_t - y) = -\eta\Theta(f_t - y)$.
    Its solution $e^{-\eta\Theta t}(f_0 - y)$ decouples in the eigenbasis of $\Theta$: the error along an
    eigenvector with eigenvalue $\lambda_i$ decays like $e^{-\eta\lambda_i t}$, so the kernel's spectrum sets which
    functions a wide network learns quickly and which slowly (spectral bias). Below, $n$ training points, any $n$:
    $\Theta = U\Lambda U^\top$ with $U^\top U = UU^\top = I$ (the spectral theorem), written with indexed sums."""
    d.begin(statement_lhs(d, "gradient flow"), r"the $k$-th eigenmode $e^{-\eta\lambda_kt}\mathbf{u}_k$, entry $i$")
    d.then(lambda e: e.doit(), r"$\tfrac{d}{dt}e^{-\eta\lambda_kt} = -\eta\lambda_ke^{-\eta\lambda_kt}$")
    _contract(d, INNERMOST_L, r"$\sum_l U^\top_{pl}U_{lk} = \delta_{pk}$: $\Theta\mathbf{u}_k = \lambda_k\mathbf{u}_k$")
    d.conclude("gradient flow")

    d.begin(statement_lhs(d, "initial"), r"at $t = 0$, $e^0 = 1$")
    _contract(d, INNERMOST_Q, r"$\sum_q U_{iq}U^\top_{qa} = \delta_{ia}$: $UU^\top = I$")
    d.conclude("initial")

    d.begin(statement_lhs(d, "powers"), r"one more factor $\Theta = U\Lambda U^\top$")
    _contract(d, INNERMOST_L, r"$\sum_l U^\top_{pl}U_{lk} = \delta_{pk}$: $\Theta\mathbf{u}_k = \lambda_k\mathbf{u}_k$")
    d.conclude("powers")

    d.begin(statement_lhs(d, "exponential"), r"the exponential series, with $\Theta^s = U\Lambda^sU^\top$ (powers)")
    d.then(index_form, "in index form")
    d.assume(SERIES_TERMWISE, SERIES_TERMWISE.rewrite, r"a finite sum of convergent series, term by term")
    d.then(lambda e: e.doit(), r"$\sum_s (-\eta\lambda_qt)^s/s! = e^{-\eta\lambda_qt}$")
    d.conclude("exponential")

    d.begin(statement_lhs(d, "mode k"), r"project on the $k$-th eigenvector: row $k$ of $U^\top$")
    _contract(d, INNERMOST_L, r"$\sum_l U^\top_{kl}U_{lq} = \delta_{kq}$")
    d.conclude("mode k")

    d.begin(statement_lhs(d, "mode ODE"))
    d.then(lambda e: e.doit(), r"differentiate and substitute")
    d.conclude("mode ODE")


# -- how it is checked -----------------------------------------------------------------------------
def _rk4(theta_m: np.ndarray, r: np.ndarray, lr: float, t_end: float, steps: int = 2000) -> np.ndarray:
    """Classical Runge-Kutta for dr/dt = -lr Theta r, from r(0) = r (no closed form used)."""
    h = t_end / steps

    def f(v: np.ndarray) -> np.ndarray:
        return -lr * theta_m @ v

    for _ in range(steps):
        k1 = f(r)
        k2 = f(r + h / 2 * k1)
        k3 = f(r + h / 2 * k2)
        k4 = f(r + h * k3)
        r = r + h / 6 * (k1 + 2 * k2 + 2 * k3 + k4)
    return r


def crosscheck(ctx: CheckContext) -> CrossCheckResult:
    """Random PSD kernels Theta (n = 2, 5, 10): RK4 integration of gradient flow against U exp(-eta Lambda t) U^T r0
    from numpy.linalg.eigh; and each eigencomponent's decay against exp(-eta lambda_i t)."""
    got, want = [], []
    for size in (2, 5, 10):
        a = ctx.rng.normal(size=(size, size))
        theta_m = a @ a.T / size
        r, lr, t_end = ctx.rng.normal(size=size), float(ctx.rng.uniform(0.1, 1.0)), float(ctx.rng.uniform(0.5, 3.0))
        vals, vecs = np.linalg.eigh(theta_m)
        numeric = _rk4(theta_m, r, lr, t_end)
        got.append(vecs.T @ numeric)  # components along the eigenvectors, integrated
        want.append(np.exp(-lr * vals * t_end) * (vecs.T @ r))
    return ctx.compare(
        "eigencomponents of f_t - y", "RK4 integration (numpy)", np.concatenate(got), np.concatenate(want), rtol=1e-9
    )


# -- the declaration -------------------------------------------------------------------------------
NTK_LINEAR_DYNAMICS = declare(
    "ntk-linear-dynamics",
    title="In the NTK regime each eigenmode of the error decays at its own rate",
    section="1.2",
    map_row=r"Neural Tangent Kernel eigenvalues: training speed of wide networks (Jacot et al., 2018)",
    variables={
        eta: LR,
        t: TIME,
        mu1: EIGENVALUE,
        n: SIZE,
        i: integer(1, n),
        j: integer(1, n),
        k: integer(1, n),
        m: POWER,
        UI: ENTRY,
        UT: ENTRY,
        lamI: EIGENVALUE,
        rI: real(-3, 3),
    },
    claim=CLAIM,
    also=(INITIAL, POWERS, EXPONENTIAL, MODE_K, MODE_ODE),
    derivation=derivation,
    crosscheck=crosscheck,
    question=QUESTION,
    refs=REFS,
    builds_on=("pca-top-eigenvector",),
)
