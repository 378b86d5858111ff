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
    nonnegative,
    notation,
    positive,
    real,
    statement_lhs,
)
from derive.maths.matrices import cayley_orthogonal, entry_domains, symbol_vector

# -- symbols ---------------------------------------------------------------------------------------
LR = positive(1)
eta = LR.symbol("eta")
TIME = nonnegative(5)
t = TIME.symbol("t")
EIGENVALUE = nonnegative(3)
mu1, mu2 = EIGENVALUE.symbol("lambda_1"), EIGENVALUE.symbol("lambda_2")
ENTRY = real(-3, 3)
r0 = symbol_vector("r", 2, ENTRY)  # r = f_0 - y, the initial residual
s = ENTRY.symbol("s")
U_NTK = cayley_orthogonal([s], 2)  # a rotation with rational entries: cos = (1 - s^2)/(1 + s^2)
THETA_K = U_NTK * sp.diag(mu1, mu2) * U_NTK.T
DECAY = sp.diag(exp(-eta * mu1 * t), exp(-eta * mu2 * t))
RESIDUAL = U_NTK * DECAY * U_NTK.T * r0  # f_t - y in closed form
EXP_NTK = notation(
    r"e^{-\eta\Theta t}", sp.exp(sp.ImmutableMatrix(-eta * t * THETA_K), evaluate=False), "exp(-eta Theta t)"
)

# -- what is claimed -------------------------------------------------------------------------------
CLAIM = Statement(
    "gradient flow",
    Eq(
        notation(r"\frac{d}{dt}(f_t - y)", sp.Matrix([sp.Derivative(e, t) for e in RESIDUAL]), "d/dt (f_t - y)"),
        notation(r"-\eta\,\Theta\,(f_t - y)", -eta * THETA_K * RESIDUAL, "-eta Theta (f_t - y)"),
        evaluate=False,
    ),
    text=r"$f_t - y = U e^{-\eta\Lambda t}U^\top(f_0 - y)$ solves gradient flow on $\tfrac12\lVert f - y\rVert^2$ "
    r"with the constant kernel $\Theta = U\Lambda U^\top$",
)
INITIAL = Statement(
    "initial",
    Eq(notation(r"(f_t - y)\big|_{t=0}", RESIDUAL.subs(t, 0), "(f_t - y) at t = 0"), r0, evaluate=False),
    text=r"the solution starts at the initial residual $f_0 - y$",
)
EXPONENTIAL = Statement(
    "exponential",
    Eq(
        EXP_NTK,
        notation(r"U e^{-\eta\Lambda t}U^\top", U_NTK * DECAY * U_NTK.T, "U exp(-eta Lambda t) U^T"),
        evaluate=False,
    ),
    text=r"the solution is $f_t - y = e^{-\eta\Theta t}(f_0 - y)$ (SymPy's matrix exponential)",
)
MODE_1 = Statement(
    "mode 1",
    Eq(
        notation(r"\mathbf{u}_1^\top(f_t - y)", (U_NTK[:, 0].T * RESIDUAL)[0, 0], "u_1^T (f_t - y)"),
        exp(-eta * mu1 * t) * (U_NTK[:, 0].T * r0)[0, 0],
        evaluate=False,
    ),
    text=r"the component along the eigenvector $\mathbf{u}_1$ decays as $e^{-\eta\lambda_1t}$: "
    r"large-eigenvalue modes are learned first",
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
def derivation(d: Derivation) -> None:
    r"""For an infinitely wide network the neural tangent kernel $\Theta$ stays constant during training, and gradient
    flow on $\tfrac12\lVert f - y\rVert^2$ becomes the linear ODE $\tfrac{d}{dt}(f_t - y) = -\eta\Theta(f_t - y)$.
    Its solution $e^{-\eta\Theta t}(f_0 - y)$ decouples in the eigenbasis of $\Theta$: the error along an
    eigenvector with eigenvalue $\lambda_i$ decays like $e^{-\eta\lambda_i t}$, so the kernel's spectrum sets which
    functions a wide network learns quickly and which slowly (spectral bias). Below, a $2\times 2$ kernel
    $U\,\mathrm{diag}(\lambda_1, \lambda_2)U^\top$, $U$ a rotation with rational entries."""
    scope = "for a 2 x 2 kernel"
    d.begin(
        EXP_NTK,
        r"the solution operator of a linear ODE",
        scope=scope,
    )
    d.then(d.ladder.evaluate, r"SymPy's matrix exponential")
    d.then(U_NTK * DECAY * U_NTK.T, r"in the eigenbasis: $e^{U(-\eta\Lambda t)U^\top} = Ue^{-\eta\Lambda t}U^\top$")
    d.conclude("exponential")

    d.begin(statement_lhs(d, "gradient flow"), r"with $f_t - y = Ue^{-\eta\Lambda t}U^\top(f_0 - y)$", scope=scope)
    d.then(lambda e: e.doit(), r"$\tfrac{d}{dt}e^{-\eta\lambda_it} = -\eta\lambda_ie^{-\eta\lambda_it}$")
    d.then(
        -eta * THETA_K * RESIDUAL,
        r"$U(-\eta\Lambda)e^{-\eta\Lambda t}U^\top = -\eta\,U\Lambda U^\top\,Ue^{-\eta\Lambda t}U^\top$ ($U^\top U = "
        r"I$)",
    )
    d.conclude("gradient flow")

    d.begin(RESIDUAL.subs(t, 0), scope=scope)
    d.then(lambda e: e.applyfunc(lambda z: sp.trigsimp(sp.expand(z))), r"$e^0 = 1$ and $UU^\top = I$")
    d.conclude("initial")

    d.begin((U_NTK[:, 0].T * RESIDUAL)[0, 0], r"project on $\mathbf{u}_1$, the first column of $U$", scope=scope)
    d.then(lambda e: sp.trigsimp(sp.expand(e)), r"$\mathbf{u}_1^\top U = \mathbf{e}_1^\top$")
    d.conclude("mode 1")


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
    variables={eta: LR, t: TIME, mu1: EIGENVALUE, mu2: EIGENVALUE, s: ENTRY} | entry_domains(r0, ENTRY),
    claim=CLAIM,
    also=(INITIAL, EXPONENTIAL, MODE_1),
    derivation=derivation,
    crosscheck=crosscheck,
    question=QUESTION,
    refs=REFS,
    builds_on=("pca-top-eigenvector",),
)
