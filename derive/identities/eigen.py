r"""1.2 Eigendecomposition: where eigenvalues decide what a model does.

The spectral radius of an RNN's recurrent matrix decides whether gradients explode, the top
eigenvector of a covariance is the first principal component, the graph Laplacian's spectrum is
the frequency axis of spectral GNNs (and Chebyshev polynomials filter it without an
eigendecomposition), the Hessian's top eigenvalue is the sharpness that SAM penalises, and the
NTK's eigenvalues set the speed at which each mode of the training error decays.

Symmetric 2x2 matrices are written in their eigenbasis, :math:`R(\theta)\,\mathrm{diag}(\lambda_1,
\lambda_2)\,R(\theta)^\top` (every real symmetric 2x2 matrix has this form), which lets SymPy prove
statements "over all unit vectors" exactly; larger sizes are checked numerically against
``numpy.linalg``.
"""

from __future__ import annotations

import numpy as np
import sympy as sp
from sympy import Eq, Le, cos, exp, sin
from sympy.simplify.simplify import factor_sum

from derive.core.derivation import Derivation
from derive.core.identity import Question, Ref, identity
from derive.core.recipes import statement_lhs
from derive.core.statements import Statement, numerically
from derive.maths.domains import graph, integer, nonnegative, positive, real
from derive.maths.matrices import (
    cayley_orthogonal,
    entry_domains,
    jacobian_form,
    orthonormal_eigenbasis,
    rotation,
    symbol_vector,
)
from derive.maths.notation import notation
from derive.numeric.crosscheck import CheckContext, CrossCheckResult, combine
from derive.numeric.linalg import with_spectral_radius

# ------------------------------------------------------------------------------ shared: Rayleigh
ANGLE = real(-4, 4)
theta, phi = ANGLE.symbol("theta"), ANGLE.symbol("phi")
lam1 = real(-5, 5).symbol("lambda_1")
gap = nonnegative(5).symbol("Delta")
#: a symmetric 2x2 matrix with eigenvalues lambda_1 >= lambda_2 = lambda_1 - Delta, eigenvectors R(theta)
SYM = rotation(theta) * sp.diag(lam1, lam1 - gap) * rotation(theta).T
U1 = rotation(theta)[:, 0]
VUNIT = sp.Matrix([cos(phi), sin(phi)])
RAYLEIGH = (VUNIT.T * SYM * VUNIT)[0, 0]
RAYLEIGH_VARS = {theta: ANGLE, phi: ANGLE, lam1: real(-5, 5), gap: nonnegative(5)}


def _rayleigh_bound(d: Derivation, label: str, scope: str) -> None:
    r"""The chain :math:`v^\top M v = \lambda_1 - \Delta\sin^2(\varphi - \theta) \le \lambda_1` over all unit
    :math:`v = (\cos\varphi, \sin\varphi)`, for :data:`SYM` (shared by PCA and the Hessian's sharpness)."""
    d.begin(statement_lhs(d, label), r"for the unit vector $v = (\cos\varphi, \sin\varphi)$", scope=scope)
    d.then(
        lam1 * cos(phi - theta) ** 2 + (lam1 - gap) * sin(phi - theta) ** 2,
        r"$v$ has coordinates $\cos(\varphi - \theta)$, $\sin(\varphi - \theta)$ in the eigenbasis $R(\theta)$",
    )
    d.then(lam1 - gap * sin(phi - theta) ** 2, r"$\cos^2 + \sin^2 = 1$")
    d.bound(lam1, r"$\Delta \ge 0$: equality exactly at $\varphi = \theta$, the top eigenvector", relation="<=")
    d.conclude(label)


def _rayleigh_attained(d: Derivation, label: str, scope: str) -> None:
    d.begin(
        statement_lhs(d, label),
        r"$\mathbf{u}_1 = (\cos\theta, \sin\theta)$, the first column of $R(\theta)$",
        scope=scope,
    )
    d.then(lambda e: e.doit().applyfunc(lambda z: sp.trigsimp(sp.expand(z))), r"multiply out; $\cos^2 + \sin^2 = 1$")
    d.conclude(label)


# ------------------------------------------------------------------------------ RNN spectral radius
beta = real(-3, 3).symbol("beta")
l_1, l_2 = real(-2, 2).symbol("lambda_1"), real(-2, 2).symbol("lambda_2")
tt = integer(0, 30).symbol("t")
rho_u = positive(5).symbol("u")
W_SCHUR = sp.Matrix([[l_1, beta], [0, l_2]])
V_EIG, LAM = W_SCHUR.diagonalize()
h0 = symbol_vector("h0_", 2, real(-3, 3))


def _power(t: sp.Expr) -> sp.Matrix:
    r""":math:`V\Lambda^tV^{-1}`, the candidate for :math:`W^t`."""
    return V_EIG * sp.diag(*(LAM[i, i] ** t for i in range(LAM.rows))) * V_EIG.inv()


POWER = _power(tt)


def _norm_growth(ctx: CheckContext) -> CrossCheckResult:
    """rho^t <= ||W^t||_2 <= cond(V) rho^t for random 8x8 W rescaled to rho = 0.9 and 1.1, t <= 100."""
    worst, lowest, highest, norms = 0.0, np.inf, 0.0, {}
    for rho in (0.9, 1.1):
        for _ in range(5):
            w = with_spectral_radius(ctx.rng.normal(size=(8, 8)), rho)
            _, vecs = np.linalg.eig(w)
            kappa = np.linalg.cond(vecs)
            p = np.eye(8)
            for t in range(1, 101):
                p = p @ w
                ratio = np.linalg.norm(p, 2) / rho**t
                # below: rho(W^t) = rho^t never exceeds a norm; above: ||V Lambda^t V^-1|| <= cond(V) rho^t
                worst = max(worst, 1 - ratio, ratio / kappa - 1)
                lowest, highest = min(lowest, ratio), max(highest, ratio / kappa)
            norms[rho] = np.linalg.norm(p, 2)
    detail = (
        f"min ||W^t||/rho^t = {lowest:.3g} (>= 1), max ||W^t||/(cond(V) rho^t) = {highest:.3g} (<= 1); "
        f"||W^100|| = {norms[0.9]:.2e} at rho = 0.9, {norms[1.1]:.2e} at rho = 1.1"
    )
    return ctx.bound(
        "violation of rho^t <= ||W^t|| <= cond(V) rho^t", "numpy (matrix powers, t <= 100)", worst, 1e-9, detail=detail
    )


def _rnn_check(ctx: CheckContext) -> CrossCheckResult:
    """Matrix powers of random W against V Lambda^t V^-1 from numpy.linalg.eig; the symbolic 2x2 W^t
    against repeated multiplication; norms of W^t at rho = 0.9 and 1.1."""
    got, want = [], []
    for _ in range(10):
        w = ctx.rng.normal(size=(6, 6))
        vals, vecs = np.linalg.eig(w)
        for t in (1, 5, 17):
            got.append(np.real_if_close(vecs @ np.diag(vals**t) @ np.linalg.inv(vecs)))
            want.append(np.linalg.matrix_power(w, t))
    eig = ctx.compare(
        "V Lambda^t V^-1 (6x6)", "numpy.linalg.eig vs matrix_power", np.array(got).real, np.array(want), rtol=1e-8
    )
    f = sp.lambdify([l_1, l_2, beta, tt], ctx.values["power"], "numpy")
    got2, want2 = [], []
    for _ in range(20):
        a, b, c = ctx.rng.uniform(-1.5, 1.5, size=3)
        t = int(ctx.rng.integers(0, 25))
        got2.append(np.asarray(f(a, c, b, t), dtype=float))
        want2.append(np.linalg.matrix_power(np.array([[a, b], [0.0, c]]), t))
    sym = ctx.compare("derived 2x2 W^t", "repeated multiplication", np.array(got2), np.array(want2), rtol=1e-9)
    return combine(eig, sym)


@identity(
    "rnn-spectral-radius",
    title="The spectral radius decides whether an RNN's gradients vanish or explode",
    section="1.2",
    map_row=r"$A\mathbf{v} = \lambda\mathbf{v}$: stability of the RNN hidden state, $\rho(W_h) < 1$ prevents "
    r"exploding gradients",
    variables={l_1: real(-2, 2), l_2: real(-2, 2), beta: real(-3, 3), tt: integer(0, 30), rho_u: positive(5)}
    | entry_domains(h0, real(-3, 3)),
    claim=Statement(
        "diagonalise",
        Eq(W_SCHUR, notation(r"V\Lambda V^{-1}", _power(1), "V Lambda V^-1"), evaluate=False),
        text=r"$W$ in Schur form $\begin{pmatrix}\lambda_1 & \beta\\ 0 & \lambda_2\end{pmatrix}$, $\lambda_1 \ne "
        r"\lambda_2$",
    ),
    also=[
        Statement(
            "base",
            Eq(notation(r"V\Lambda^0V^{-1}", _power(0), "V Lambda^0 V^-1"), sp.eye(2), evaluate=False),
            text=r"the base case $t = 0$: $V\Lambda^0V^{-1} = I = W^0$",
        ),
        Statement(
            "step",
            Eq(
                notation(r"W\,(V\Lambda^tV^{-1})", W_SCHUR * POWER, "W (V Lambda^t V^-1)"),
                notation(r"V\Lambda^{t+1}V^{-1}", _power(tt + 1), "V Lambda^(t+1) V^-1"),
                evaluate=False,
            ),
            text=r"with the base case, $h_t = W^t h_0 = V\Lambda^tV^{-1}h_0$ for every $t$ (induction)",
        ),
        Statement(
            "Jacobian",
            Eq(
                notation(r"\frac{\partial h_t}{\partial h_0}", jacobian_form(POWER * h0, list(h0)), "dh_t/dh_0"),
                notation(r"W^t", POWER, "W^t"),
                evaluate=False,
            ),
            text=r"the gradient reaching $h_0$ is multiplied by $(W^t)^\top$",
        ),
        Statement(
            "decay",
            Eq(sp.Limit((1 + rho_u) ** (-tt), tt, sp.oo), 0),
            text=r"$\lambda^t \to 0$ for $|\lambda| = 1/(1 + u) < 1$",
        ),
        Statement(
            "growth",
            Eq(sp.Limit(sp.log((1 + rho_u) ** tt) / tt, tt, sp.oo), sp.log(1 + rho_u)),
            text=r"$|\lambda|^t$ grows exponentially, at the rate $\log(1 + u) > 0$, for $|\lambda| = 1 + u > 1$",
        ),
        numerically(
            "norm",
            r"$\rho(W)^t \le \lVert W^t\rVert_2 \le \kappa(V)\,\rho(W)^t$: the norm of the Jacobian decays like "
            r"$\rho^t$ "
            r"when $\rho(W) < 1$ and grows like $\rho^t$ when $\rho(W) > 1$ (random $8\times 8$ $W$, $\rho = 0.9, "
            r"1.1$, $t \le 100$)",
            _norm_growth,
        ),
    ],
    crosscheck=_rnn_check,
    question=Question(
        target=POWER,
        prompt=r"For the linear RNN $h_t = Wh_{t-1}$ with $W = \begin{pmatrix}\lambda_1 & \beta\\ 0 & "
        r"\lambda_2\end{pmatrix}$, "
        r"$\lambda_1 \ne \lambda_2$, give $\partial h_t/\partial h_0$ in closed form.",
        names={"lambda1": l_1, "lambda2": l_2},
        approximations={
            r"that is $\Lambda^t$: the change of basis $V(\cdot)V^{-1}$ is missing": sp.diag(l_1**tt, l_2**tt)
        },
    ),
    refs=(
        Ref.arxiv(
            "1211.5063",
            "R. Pascanu, T. Mikolov and Y. Bengio, On the difficulty of training recurrent neural networks, 2013",
            where="Sec. 2.1",
        ),
        Ref.book(
            "Y. Bengio, P. Simard and P. Frasconi, Learning long-term dependencies with gradient descent is "
            "difficult, IEEE TNN 5(2), 1994"
        ),
    ),
)
def rnn_spectral_radius(d: Derivation) -> None:
    r"""A linear recurrence $h_t = Wh_{t-1}$ (the linearisation of any RNN around a fixed point) unrolls to
    $h_t = W^th_0$, so backpropagation through time multiplies the gradient by $(W^t)^\top$. Diagonalising
    $W = V\Lambda V^{-1}$ gives $W^t = V\Lambda^tV^{-1}$: every mode is scaled by $\lambda_i^t$, and the largest
    $|\lambda_i|$, the spectral radius $\rho(W)$, decides between vanishing ($\rho < 1$) and exploding
    ($\rho > 1$) gradients. Below $W$ is a symbolic $2\times 2$ matrix in Schur form."""
    scope = r"for 2 x 2 W with real eigenvalues"
    d.begin(W_SCHUR, scope=scope)
    d.then(
        _power(1),
        r"SymPy's diagonalisation: eigenvectors $V$, eigenvalues $\Lambda = \mathrm{diag}(\lambda_1, \lambda_2)$",
    )
    d.conclude("diagonalise")

    d.begin(_power(0), scope=scope)
    d.then(lambda e: e.applyfunc(sp.cancel), r"$\Lambda^0 = I$ and $VV^{-1} = I$")
    d.conclude("base")

    d.begin(W_SCHUR * POWER, r"one more step of the recurrence", scope=scope)
    d.then(
        lambda e: e.applyfunc(lambda z: sp.factor(sp.expand(z))),
        r"multiply out; $\lambda_i\lambda_i^t = \lambda_i^{t+1}$",
    )
    d.then(_power(tt + 1), r"$V\Lambda^{t+1}V^{-1}$")
    d.keep("power", POWER)
    d.conclude("step")

    d.begin(statement_lhs(d, "Jacobian"), r"$h_t = V\Lambda^tV^{-1}h_0$ is linear in $h_0$", scope=scope)
    d.then(lambda e: e.doit(), "differentiate entry by entry")
    d.conclude("Jacobian")

    d.begin(sp.Limit((1 + rho_u) ** (-tt), tt, sp.oo), r"a mode with $|\lambda| = 1/(1 + u)$, $u > 0$")
    d.then(lambda e: e.doit(), r"$(1 + u)^t \to \infty$")
    d.conclude("decay")

    d.begin(sp.Limit(sp.log((1 + rho_u) ** tt) / tt, tt, sp.oo), r"a mode with $|\lambda| = 1 + u$, $u > 0$")
    d.then(lambda e: e.doit(), r"$\log((1 + u)^t) = t\log(1 + u)$")
    d.conclude("growth")


# ------------------------------------------------------------------------------ PCA
s11, s12, s13, s22, s23, s33 = (real(-3, 3).symbol(f"S{p}") for p in ("11", "12", "13", "22", "23", "33"))
S3 = sp.Matrix([[s11, s12, s13], [s12, s22, s23], [s13, s23, s33]])
v3 = symbol_vector("v", 3, real(-2, 2))
lagrange = real(-5, 5).symbol("lambda")
LAGRANGIAN = (v3.T * S3 * v3)[0, 0] - lagrange * ((v3.T * v3)[0, 0] - 1)


def _pca_optimality(ctx: CheckContext) -> CrossCheckResult:
    """Random centred data X (200 x 6): the top eigenvector of S = X^T X/(n-1) (numpy.linalg.eigh) equals the
    first right singular vector of X up to sign, and no one of 20000 random unit vectors has a larger v^T S v."""
    align, excess = [], []
    for _ in range(5):
        x = ctx.rng.normal(size=(200, 6)) @ ctx.rng.normal(size=(6, 6))
        x -= x.mean(axis=0)
        s = x.T @ x / (len(x) - 1)
        vals, vecs = np.linalg.eigh(s)
        top = vecs[:, -1]
        first_pc = np.linalg.svd(x, full_matrices=False)[2][0]
        align.append(1 - abs(float(top @ first_pc)))
        v = ctx.rng.normal(size=(20000, 6))
        v /= np.linalg.norm(v, axis=1, keepdims=True)
        excess.append(float(np.max(np.einsum("ij,jk,ik->i", v, s, v)) - vals[-1]) / vals[-1])
    return combine(
        ctx.bound(
            "1 - |<top eigenvector, first singular vector>|", "numpy.linalg.eigh vs svd", max(align), 1e-10, samples=5
        ),
        ctx.bound(
            "max over random unit v of (v^T S v - lambda_max)/lambda_max",
            "random search",
            max(excess),
            1e-12,
            samples=100000,
        ),
    )


def _pca_check(ctx: CheckContext) -> CrossCheckResult:
    """The derived 2x2 maximiser against numpy.linalg.eigh: lambda_max and the eigenvector (cos theta, sin theta)."""
    got, want = [], []
    for _ in range(50):
        th, l1, dl = ctx.rng.uniform(-3, 3), ctx.rng.uniform(-5, 5), ctx.rng.uniform(0, 5)
        r = np.array([[np.cos(th), -np.sin(th)], [np.sin(th), np.cos(th)]])
        vals, vecs = np.linalg.eigh(r @ np.diag([l1, l1 - dl]) @ r.T)
        got.append([l1, abs(np.cos(th) * vecs[0, -1] + np.sin(th) * vecs[1, -1])])
        want.append([vals[-1], 1.0])
    return ctx.compare(
        "lambda_max and top eigenvector (2x2)", "numpy.linalg.eigh", np.array(got), np.array(want), rtol=1e-9
    )


@identity(
    "pca-top-eigenvector",
    title="The first principal component is the top eigenvector of the covariance",
    section="1.2",
    map_row=r"Top eigenvector of $X^\top X$: the first principal component (PCA for dimensionality reduction)",
    variables=RAYLEIGH_VARS
    | entry_domains([s11, s12, s13, s22, s23, s33], real(-3, 3))
    | entry_domains(v3, real(-2, 2))
    | {lagrange: real(-5, 5)},
    claim=Statement(
        "maximum",
        Le(notation(r"\mathbf{v}^\top S\mathbf{v}", RAYLEIGH, "v^T S v"), lam1),
        text=r"for every unit vector $\mathbf{v}$: the variance captured along $\mathbf{v}$ is at most "
        r"$\lambda_{\max} = \lambda_1$",
    ),
    also=[
        Statement(
            "attained",
            Eq(
                notation(r"S\mathbf{u}_1", SYM * U1, "S u_1"),
                notation(r"\lambda_1\mathbf{u}_1", lam1 * U1, "lambda_1 u_1"),
                evaluate=False,
            ),
            text=r"the maximum is reached at the top eigenvector $\mathbf{u}_1 = (\cos\theta, \sin\theta)$",
        ),
        Statement(
            "stationarity",
            Eq(
                notation(
                    r"\nabla_{\mathbf{v}}\bigl[\mathbf{v}^\top S\mathbf{v} - \lambda(\mathbf{v}^\top\mathbf{v} - "
                    r"1)\bigr]",
                    jacobian_form([LAGRANGIAN], list(v3)).T,
                    "grad_v Lagrangian",
                ),
                notation(r"2(S\mathbf{v} - \lambda\mathbf{v})", 2 * (S3 * v3 - lagrange * v3), "2 (S v - lambda v)"),
                evaluate=False,
            ),
            text=r"for a symmetric $3\times 3$ $S$: a constrained stationary point is an eigenvector, $S\mathbf{v} = "
            r"\lambda\mathbf{v}$, "
            r"where $\mathbf{v}^\top S\mathbf{v} = \lambda\,\mathbf{v}^\top\mathbf{v} = \lambda$",
        ),
        numerically(
            "first PC",
            r"in 6 dimensions the top eigenvector of the covariance is the first right singular vector of the centred "
            r"data, "
            r"and no random unit vector captures more variance",
            _pca_optimality,
        ),
    ],
    crosscheck=_pca_check,
    question=Question(
        target=lam1,
        prompt=r"Let $S$ be a covariance matrix with eigenvalues $\lambda_1 \ge \lambda_2$. What is "
        r"$\max_{\lVert\mathbf{v}\rVert = 1}\mathbf{v}^\top S\mathbf{v}$?",
        names={"lambda_max": lam1, "lambda1": lam1, "lambda_2": lam1 - gap, "lambda2": lam1 - gap},
        approximations={r"that is the smallest eigenvalue, the minimum of the Rayleigh quotient": lam1 - gap},
    ),
    refs=(
        Ref.book(
            "K. Pearson, On lines and planes of closest fit to systems of points in space, Phil. Mag. 2(11), 1901"
        ),
        Ref.book("C. M. Bishop (2006), Pattern Recognition and Machine Learning", "Sec. 12.1.1"),
    ),
)
def pca_top_eigenvector(d: Derivation) -> None:
    r"""PCA projects centred data onto the direction $\mathbf{v}$, $\lVert\mathbf{v}\rVert = 1$, of largest variance
    $\mathbf{v}^\top S\mathbf{v}$, $S$ the covariance. The Lagrangian shows that the stationary directions are the
    eigenvectors of $S$, where the variance equals the eigenvalue; in the eigenbasis of a $2\times 2$ covariance
    the variance along any unit vector is $\lambda_1 - \Delta\sin^2(\varphi - \theta)$, so the top eigenvector wins
    over all directions, not only among stationary points."""
    _rayleigh_bound(d, "maximum", "for 2 x 2 S")

    _rayleigh_attained(d, "attained", "for 2 x 2 S")

    d.begin(statement_lhs(d, "stationarity"), r"the gradient of the Lagrangian", scope="for 3 x 3 S")
    d.then(lambda e: e.doit(), "differentiate entry by entry")
    d.then(2 * (S3 * v3 - lagrange * v3), r"$\nabla\,\mathbf{v}^\top S\mathbf{v} = 2S\mathbf{v}$ for symmetric $S$")
    d.conclude("stationarity")


# ------------------------------------------------------------------------------ SAM
rho_s = positive(1).symbol("rho")
gnorm = positive(5).symbol("r")
psi = ANGLE.symbol("psi")
EPS = rho_s * sp.Matrix([cos(phi), sin(phi)])
GRAD = gnorm * sp.Matrix([cos(psi), sin(psi)])
g3 = symbol_vector("g", 3, real(-3, 3))
G3NORM = sp.sqrt((g3.T * g3)[0, 0])
E_STAR = rho_s * g3 / G3NORM


def _power_iteration(h: np.ndarray, v: np.ndarray, steps: int = 2000) -> float:
    """The Rayleigh quotient after power iteration on h + c I (c shifts the spectrum to be positive)."""
    c = np.abs(h).sum()
    for _ in range(steps):
        v = h @ v + c * v
        v /= np.linalg.norm(v)
    return float(v @ h @ v)


def _sam_check(ctx: CheckContext) -> CrossCheckResult:
    """Random g in R^5: e* = rho g/||g|| against the best of 200000 points of the ball ||e|| <= rho; random
    symmetric H: power iteration against numpy.linalg.eigvalsh."""
    gaps, excess = [], []
    for _ in range(5):
        g, rho = ctx.rng.normal(size=5), ctx.rng.uniform(0.01, 1.0)
        e = ctx.rng.normal(size=(200000, 5))
        e *= (rho * ctx.rng.uniform(0, 1, size=(200000, 1)) ** (1 / 5)) / np.linalg.norm(e, axis=1, keepdims=True)
        best = float(np.max(e @ g))
        star = float((rho * g / np.linalg.norm(g)) @ g)
        excess.append((best - star) / star)  # never positive: nothing in the ball beats e*
        gaps.append((star - best) / star)  # small: the search comes close to e*
    lam_pi, lam_np = [], []
    for n in (4, 8, 16):
        h = ctx.rng.normal(size=(n, n))
        h = (h + h.T) / 2
        lam_pi.append(_power_iteration(h, ctx.rng.normal(size=n)))
        lam_np.append(float(np.linalg.eigvalsh(h)[-1]))
    return combine(
        ctx.bound("(best in ball - e*.g)/e*.g", "random search in the ball", max(excess), 1e-12, samples=10**6),
        ctx.bound("(e*.g - best in ball)/e*.g", "random search in the ball", max(gaps), 0.05, samples=10**6),
        ctx.compare(
            "lambda_max", "power iteration vs numpy.linalg.eigvalsh", np.array(lam_pi), np.array(lam_np), rtol=1e-8
        ),
    )


gI, nS = sp.IndexedBase("g", real=True), sp.Symbol("n", integer=True, positive=True)
iS, jS = sp.symbols("i j", integer=True, positive=True)
GN_NORM = sp.sqrt(sp.Sum(gI[jS] ** 2, (jS, 1, nS)))  # ||g|| in any dimension n
STAR_DOT_G = sp.Sum(rho_s * gI[iS] / GN_NORM * gI[iS], (iS, 1, nS))  # eps*^T g


@identity(
    "sam-sharpness",
    title="The inner maximisation of SAM and the sharpness $\\lambda_{\\max}(H)$",
    section="1.2",
    map_row=r"Hessian spectrum $\nabla^2\mathcal{L}$: loss landscape sharpness, sharpness-aware minimisation (Foret "
    r"et al., 2021)",
    variables=RAYLEIGH_VARS
    | {rho_s: positive(1), gnorm: positive(5), psi: ANGLE, nS: integer(1, 8), gI: real(-3, 3)}
    | entry_domains(g3, real(-3, 3)),
    claim=Statement(
        "first-order max",
        Le(notation(r"\boldsymbol\epsilon^\top\mathbf{g}", (EPS.T * GRAD)[0, 0], "eps^T g"), rho_s * gnorm),
        text=r"for every $\boldsymbol\epsilon$ with $\lVert\boldsymbol\epsilon\rVert = \rho$ and "
        r"$\lVert\mathbf{g}\rVert = r$ "
        r"(inside the ball $\boldsymbol\epsilon^\top\mathbf{g}$ is smaller still: it is linear in "
        r"$\boldsymbol\epsilon$)",
    ),
    also=[
        Statement(
            "maximiser",
            Eq(
                notation(r"\boldsymbol\epsilon^{*\top}\mathbf{g}", STAR_DOT_G, "e*^T g"),
                rho_s * GN_NORM,
                evaluate=False,
            ),
            text=r"$\boldsymbol\epsilon^* = \rho\,\mathbf{g}/\lVert\mathbf{g}\rVert$ attains the bound "
            r"$\rho\lVert\mathbf{g}\rVert$",
        ),
        Statement(
            "sharpness",
            Le(notation(r"\mathbf{v}^\top H\mathbf{v}", RAYLEIGH, "v^T H v"), lam1),
            text=r"for every unit $\mathbf{v}$, with equality at the top eigenvector: "
            r"$\lambda_{\max}(H) = \max_{\lVert\mathbf{v}\rVert = 1}\mathbf{v}^\top H\mathbf{v}$",
        ),
        Statement(
            "attained",
            Eq(
                notation(r"H\mathbf{u}_1", SYM * U1, "H u_1"),
                notation(r"\lambda_1\mathbf{u}_1", lam1 * U1, "lambda_1 u_1"),
                evaluate=False,
            ),
        ),
    ],
    crosscheck=_sam_check,
    question=Question(
        target=rho_s * gI[iS] / sp.sqrt(sp.Sum(gI[jS] ** 2, (jS, 1, nS))),
        prompt=r"SAM maximises the first-order model $L(\mathbf{w}) + \boldsymbol\epsilon^\top\mathbf{g}$ over "
        r"$\lVert\boldsymbol\epsilon\rVert \le \rho$. Give the maximiser $\epsilon^*_i$.",
        forms=(E_STAR,),
        approximations={
            r"the step is not normalised: $\rho\,\mathbf{g}$ leaves the ball": rho_s * gI[iS],
            r"that is the minimiser (a descent step), not the maximiser": -rho_s
            * gI[iS]
            / sp.sqrt(sp.Sum(gI[jS] ** 2, (jS, 1, nS))),
        },
    ),
    refs=(
        Ref.arxiv(
            "2010.01412",
            "P. Foret, A. Kleiner, H. Mobahi and B. Neyshabur, Sharpness-Aware Minimization for Efficiently Improving "
            "Generalization, 2021",
            where="Sec. 2, Eq. (2)",
        ),
        Ref.arxiv(
            "1609.04836",
            "N. S. Keskar et al., On Large-Batch Training for Deep Learning: Generalization Gap and Sharp Minima, 2017",
        ),
    ),
    builds_on=("pca-top-eigenvector",),
)
def sam_sharpness(d: Derivation) -> None:
    r"""SAM minimises $\max_{\lVert\boldsymbol\epsilon\rVert\le\rho} L(\mathbf{w} + \boldsymbol\epsilon)$. With the
    first-order model $L(\mathbf{w}) + \boldsymbol\epsilon^\top\mathbf{g}$ the inner maximum is the step
    $\boldsymbol\epsilon^* = \rho\,\mathbf{g}/\lVert\mathbf{g}\rVert$ up the gradient, worth
    $\rho\lVert\mathbf{g}\rVert$; the second-order term $\tfrac12\boldsymbol\epsilon^\top H\boldsymbol\epsilon$ is
    at most $\tfrac12\rho^2\lambda_{\max}(H)$, the sharpness, because the top eigenvalue is the maximum of the
    Rayleigh quotient."""
    d.begin(
        (EPS.T * GRAD)[0, 0],
        r"$\boldsymbol\epsilon = \rho(\cos\varphi, \sin\varphi)$, $\mathbf{g} = r(\cos\psi, \sin\psi)$",
        scope="in 2 dimensions",
    )
    d.then(rho_s * gnorm * cos(phi - psi), r"angle-difference formula")
    d.then(rho_s * gnorm - 2 * rho_s * gnorm * sin((phi - psi) / 2) ** 2, r"$\cos x = 1 - 2\sin^2(x/2)$")
    d.bound(
        rho_s * gnorm,
        r"drop the nonnegative term; equality at $\varphi = \psi$, $\boldsymbol\epsilon \parallel \mathbf{g}$",
        relation="<=",
    )
    d.conclude("first-order max")

    d.begin(STAR_DOT_G, r"$\epsilon^*_i = \rho\,g_i/\lVert\mathbf{g}\rVert$, in any dimension $n$")
    d.then(factor_sum, r"$\lVert\mathbf{g}\rVert$ does not depend on $i$: pull it out of the sum")
    d.then(rho_s * GN_NORM, r"$\sum_i g_i^2 = \lVert\mathbf{g}\rVert^2$")
    d.conclude("maximiser")

    _rayleigh_bound(d, "sharpness", "for 2 x 2 H")
    _rayleigh_attained(d, "attained", "for 2 x 2 H")


# ------------------------------------------------------------------------------ graph Laplacian
EDGE = nonnegative(3)
PAIRS = [(i, j) for i in range(4) for j in range(i + 1, 4)]
AW = {p: EDGE.symbol(f"a{p[0] + 1}{p[1] + 1}") for p in PAIRS}
ADJ4 = sp.Matrix(4, 4, lambda i, j: AW[(min(i, j), max(i, j))] if i != j else 0)
LAP4 = sp.diag(*(sum(ADJ4.row(i)) for i in range(4))) - ADJ4
x4 = symbol_vector("x", 4, real(-3, 3))
QUAD4 = (x4.T * LAP4 * x4)[0, 0]
EDGE_SUM = sp.Add(*(AW[(i, j)] * (x4[i] - x4[j]) ** 2 for i, j in PAIRS))
# a spectral filter on the complete graph K_3 with edge weight w: L = w (3 I - 1 1^T)
w_k3 = positive(3).symbol("w")
theta0, theta1, theta2 = (real(-2, 2).symbol(f"theta{k}") for k in range(3))
LAP_K3 = w_k3 * (3 * sp.eye(3) - sp.ones(3, 3))
x3 = symbol_vector("x", 3, real(-3, 3))
U_K3, LAM_K3 = orthonormal_eigenbasis(LAP_K3)


def _poly_filter(lap: sp.Matrix) -> sp.Matrix:
    r""":math:`g(L) = \theta_0 I + \theta_1 L + \theta_2 L^2`, a polynomial filter applied without eigenvectors."""
    return theta0 * sp.eye(lap.rows) + theta1 * lap + theta2 * lap * lap


def _eigen_filter(u: sp.Matrix, lam: sp.Matrix) -> sp.Matrix:
    r""":math:`U g(\Lambda) U^\top`: the same filter applied to each eigenvalue."""
    g = sp.diag(*(theta0 + theta1 * lam[i, i] + theta2 * lam[i, i] ** 2 for i in range(lam.rows)))
    return u * g * u.T


def _laplacian(adj: np.ndarray) -> np.ndarray:
    return np.diag(adj.sum(axis=1)) - adj


def _random_components(ctx: CheckContext, sizes: tuple[int, ...]) -> np.ndarray:
    """A weighted graph made of connected random blocks of the given sizes (no edges between blocks)."""
    n = sum(sizes)
    adj = np.zeros((n, n))
    start = 0
    for m in sizes:
        block = graph(m, p=0.4).sample(ctx.rng) * ctx.rng.uniform(0.2, 2.0, size=(m, m))
        adj[start : start + m, start : start + m] = np.triu(block, 1) + np.triu(block, 1).T
        start += m
    return adj


def _laplacian_components(ctx: CheckContext) -> CrossCheckResult:
    """Random weighted graphs with 1 to 4 connected components: numpy.linalg.eigvalsh(L) >= 0 and the
    multiplicity of the eigenvalue 0 equals the number of components."""
    counted, components, lowest = [], [], []
    for sizes in ((6,), (3, 5), (4, 4, 2), (2, 3, 5, 7), (10, 1)):
        ev = np.linalg.eigvalsh(_laplacian(_random_components(ctx, sizes)))
        scale = max(1.0, float(ev[-1]))
        counted.append(int(np.sum(np.abs(ev) < 1e-9 * scale)))
        components.append(len(sizes))
        lowest.append(float(ev[0]) / scale)
    return combine(
        ctx.bound("-(smallest eigenvalue)/largest", "numpy.linalg.eigvalsh", -min(lowest), 1e-12, samples=len(lowest)),
        ctx.compare("multiplicity of 0", "numpy.linalg.eigvalsh", np.array(counted), np.array(components), rtol=0),
    )


def _laplacian_check(ctx: CheckContext) -> CrossCheckResult:
    """Random graphs: x^T L x against the loop sum over edges; a cubic filter applied as a matrix polynomial
    against U g(Lambda) U^T x from numpy.linalg.eigh."""
    quad, edges, poly, spec = [], [], [], []
    for n in (5, 9, 20):
        adj = graph(n, p=0.3).sample(ctx.rng) * ctx.rng.uniform(0.1, 2.0, size=(n, n))
        adj = np.triu(adj, 1) + np.triu(adj, 1).T
        lap, x = _laplacian(adj), ctx.rng.normal(size=n)
        quad.append(x @ lap @ x)
        edges.append(sum(adj[i, j] * (x[i] - x[j]) ** 2 for i in range(n) for j in range(i + 1, n)))
        c = ctx.rng.normal(size=4)
        poly.append((c[0] * np.eye(n) + c[1] * lap + c[2] * lap @ lap + c[3] * lap @ lap @ lap) @ x)
        vals, vecs = np.linalg.eigh(lap)
        spec.append(vecs @ ((c[0] + c[1] * vals + c[2] * vals**2 + c[3] * vals**3) * (vecs.T @ x)))
    return combine(
        ctx.compare("x^T L x", "loop over edges", np.array(quad), np.array(edges), rtol=1e-12),
        ctx.compare("g(L) x", "numpy.linalg.eigh", np.concatenate(poly), np.concatenate(spec), rtol=1e-9),
    )


xI4, aI4 = sp.IndexedBase("x", real=True), sp.IndexedBase("A", real=True)


@identity(
    "laplacian-spectrum",
    title="The graph Laplacian is positive semidefinite, and filters act on its spectrum",
    section="1.2",
    map_row=r"Eigenvalues of the graph Laplacian $L$: spectral graph convolution (ChebNet, spectral GNNs)",
    variables={s: EDGE for s in AW.values()}
    | entry_domains(x4, real(-3, 3))
    | {w_k3: positive(3), theta0: real(-2, 2), theta1: real(-2, 2), theta2: real(-2, 2)},
    claim=Statement(
        "quadratic form",
        Eq(
            notation(r"\mathbf{x}^\top L\mathbf{x}", QUAD4, "x^T L x"),
            notation(r"\sum_{i<j}A_{ij}(x_i - x_j)^2", EDGE_SUM, "sum_{i<j} A_ij (x_i - x_j)^2"),
            evaluate=False,
        ),
        text=r"$\mathbf{x}^\top(D - A)\mathbf{x} = \tfrac12\sum_{i,j}A_{ij}(x_i - x_j)^2 = \sum_{i<j}A_{ij}(x_i - "
        r"x_j)^2$",
    ),
    also=[
        Statement(
            "PSD",
            sp.Ge(notation(r"\mathbf{x}^\top L\mathbf{x}", QUAD4, "x^T L x"), 0),
            text="so every eigenvalue of $L$ is $\\ge 0$",
        ),
        Statement(
            "L 1 = 0",
            Eq(notation(r"L\mathbf{1}", LAP4 * sp.ones(4, 1), "L 1"), sp.zeros(4, 1), evaluate=False),
            text=r"the constant vector is an eigenvector with eigenvalue 0",
        ),
        Statement(
            "spectral filter",
            Eq(
                notation(r"g(L)\,\mathbf{x}", _poly_filter(LAP_K3) * x3, "g(L) x"),
                notation(r"U g(\Lambda)U^\top\mathbf{x}", _eigen_filter(U_K3, LAM_K3) * x3, "U g(Lambda) U^T x"),
                evaluate=False,
            ),
            text=r"for $g(\lambda) = \theta_0 + \theta_1\lambda + \theta_2\lambda^2$ and $L = U\Lambda U^\top$ "
            r"(on the complete graph $K_3$ with edge weight $w$)",
        ),
        numerically(
            "components",
            r"the multiplicity of the eigenvalue 0 equals the number of connected components (random weighted graphs "
            r"with 1 to 4 components)",
            _laplacian_components,
        ),
    ],
    crosscheck=_laplacian_check,
    question=Question(
        target=sp.Sum(sp.Sum(aI4[iS, jS] * (xI4[iS] - xI4[jS]) ** 2, (jS, 1, nS)), (iS, 1, nS)) / 2,
        prompt=r"Let $L = D - A$ be the Laplacian of an undirected weighted graph. Write $\mathbf{x}^\top "
        r"L\mathbf{x}$ as a sum over pairs of nodes.",
        forms=(EDGE_SUM,),
        approximations={
            r"sign error: that is $\mathbf{x}^\top(D + A)\mathbf{x}$, the signless Laplacian": sp.Sum(
                sp.Sum(aI4[iS, jS] * (xI4[iS] + xI4[jS]) ** 2, (jS, 1, nS)), (iS, 1, nS)
            )
            / 2,
            r"each edge is counted twice: the factor $\tfrac12$ is missing": sp.Sum(
                sp.Sum(aI4[iS, jS] * (xI4[iS] - xI4[jS]) ** 2, (jS, 1, nS)), (iS, 1, nS)
            ),
        },
    ),
    refs=(
        Ref.book("F. R. K. Chung (1997), Spectral Graph Theory, CBMS 92", "Ch. 1"),
        Ref.arxiv(
            "1312.6203",
            "J. Bruna, W. Zaremba, A. Szlam and Y. LeCun, Spectral Networks and Locally Connected Networks on Graphs, "
            "2014",
            where="Sec. 3",
        ),
        Ref.arxiv(
            "1606.09375",
            "M. Defferrard, X. Bresson and P. Vandergheynst, Convolutional Neural Networks on Graphs with Fast "
            "Localized Spectral Filtering, 2016",
            where="Sec. 2.1",
        ),
    ),
)
def laplacian_spectrum(d: Derivation) -> None:
    r"""The Laplacian $L = D - A$ of an undirected graph with weights $A_{ij} \ge 0$ and degrees $D_{ii} = \sum_j
    A_{ij}$ measures how much a signal $\mathbf{x}$ on the nodes varies across edges: $\mathbf{x}^\top L\mathbf{x} =
    \sum_{i<j}A_{ij}(x_i - x_j)^2$. Hence $L$ is positive semidefinite, its eigenvalues are ``frequencies'' and its
    eigenvectors a Fourier basis: spectral GNNs filter a signal as $U g(\Lambda)U^\top\mathbf{x}$, which for a
    polynomial $g$ is just $g(L)\mathbf{x}$. Below, a weighted graph on 4 nodes with symbolic weights."""
    scope = "for a weighted graph on 4 nodes"
    d.begin(statement_lhs(d, "quadratic form"), r"$L = D - A$", scope=scope)
    d.then(lambda e: sp.expand(e.doit()), r"expand: $\sum_i D_{ii}x_i^2 - \sum_{i,j}A_{ij}x_ix_j$")
    d.then(EDGE_SUM, r"group by edge: $A_{ij}(x_i^2 + x_j^2) - 2A_{ij}x_ix_j = A_{ij}(x_i - x_j)^2$")
    d.conclude("quadratic form")

    d.begin(statement_lhs(d, "PSD"), scope=scope)
    d.then(EDGE_SUM, "the quadratic form above")
    d.bound(0, r"a sum of weights $A_{ij} \ge 0$ times squares", relation=">=")
    d.conclude("PSD")

    d.begin(statement_lhs(d, "L 1 = 0"), r"row $i$ of $L\mathbf{1}$ is $D_{ii} - \sum_j A_{ij}$", scope=scope)
    d.then(lambda e: e.doit().applyfunc(sp.expand), "the degrees cancel the row sums")
    d.conclude("L 1 = 0")

    d.begin(
        _poly_filter(LAP_K3) * x3,
        r"the filter as a matrix polynomial",
        scope="for the complete graph on 3 nodes, edge weight w",
    )
    d.then(lambda e: e.applyfunc(sp.expand), "multiply out")
    d.then(
        _eigen_filter(U_K3, LAM_K3) * x3,
        r"SymPy's orthonormal eigenbasis of $L$: eigenvalues $0, 3w, 3w$; $g$ applied to each",
    )
    d.conclude("spectral filter")


# ------------------------------------------------------------------------------ ChebNet
t_angle = real(-4, 4).symbol("t")
kC = integer(2, 40).symbol("k")
xC = real(-1, 1).symbol("x")
K_MAX = 6


def chebyshev(k_max: int, x: sp.Expr) -> list[sp.Expr]:
    r""":math:`T_0 = 1`, :math:`T_1 = x`, :math:`T_k = 2xT_{k-1} - T_{k-2}` up to :math:`T_{k_{\max}}` (expanded)."""
    out: list[sp.Expr] = [sp.Integer(1), x]
    while len(out) <= k_max:
        out.append(sp.expand(2 * x * out[-1] - out[-2]))
    return out[: k_max + 1]


def chebyshev_filter(lap: sp.Matrix, coeffs: list[sp.Expr], x: sp.Matrix) -> sp.Matrix:
    r""":math:`\sum_k \theta_k T_k(\tilde L)\mathbf{x}` by the vector recursion :math:`\mathbf{x}_k = 2\tilde
    L\mathbf{x}_{k-1} - \mathbf{x}_{k-2}` (only matrix-vector products: no eigendecomposition)."""
    xs = [x, lap * x]
    while len(xs) < len(coeffs):
        xs.append(2 * lap * xs[-1] - xs[-2])
    return sum((c * v for c, v in zip(coeffs, xs, strict=False)), sp.zeros(x.rows, 1))


T_COS = sp.Matrix([tk.subs(xC, cos(t_angle)) for tk in chebyshev(K_MAX, xC)])
COS_K = sp.Matrix([cos(k * t_angle) for k in range(K_MAX + 1)])
STEP_LHS = 2 * cos(t_angle) * cos((kC - 1) * t_angle) - cos((kC - 2) * t_angle)
wP = positive(3).symbol("w")
LAP_P3 = wP * sp.Matrix([[1, -1, 0], [-1, 2, -1], [0, -1, 1]])  # the path 1 - 2 - 3, eigenvalues 0, w, 3w
L_SCALED = 2 * LAP_P3 / (3 * wP) - sp.eye(3)  # 2 L / lambda_max - I, spectrum in [-1, 1]
U_P3, LAM_P3 = orthonormal_eigenbasis(L_SCALED)
CHEB_COEFFS = [real(-2, 2).symbol(f"theta{k}") for k in range(4)]


def _cheb_spectral(u: sp.Matrix, lam: sp.Matrix, x: sp.Matrix) -> sp.Matrix:
    r""":math:`U g(\tilde\Lambda) U^\top\mathbf{x}` with :math:`g = \sum_k\theta_kT_k` evaluated at each eigenvalue."""
    polys = chebyshev(len(CHEB_COEFFS) - 1, xC)
    g = sp.diag(
        *(sum(c * p.subs(xC, lam[i, i]) for c, p in zip(CHEB_COEFFS, polys, strict=True)) for i in range(lam.rows))
    )
    return u * g * u.T * x


def _chebnet_check(ctx: CheckContext) -> CrossCheckResult:
    """T_k(cos t) by the numpy recursion against cos(k t) for k <= 40; on random graphs, the recursion
    sum_k theta_k T_k(L~) x against U g(Lambda~) U^T x with numpy.linalg.eigh and numpy's chebval."""
    t = ctx.rng.uniform(-4, 4, size=200)
    ts = [np.ones_like(t), np.cos(t)]
    for _ in range(2, 41):
        ts.append(2 * np.cos(t) * ts[-1] - ts[-2])
    trig = ctx.compare(
        "T_k(cos t) = cos(k t), k <= 40",
        "numpy recursion",
        np.array(ts),
        np.array([np.cos(k * t) for k in range(41)]),
        rtol=1e-10,
    )
    rec, spec = [], []
    for n in (6, 15, 40):
        adj = graph(n, p=0.3).sample(ctx.rng) * ctx.rng.uniform(0.1, 2.0, size=(n, n))
        adj = np.triu(adj, 1) + np.triu(adj, 1).T
        lap = np.diag(adj.sum(axis=1)) - adj
        vals, vecs = np.linalg.eigh(lap)
        l_t = 2 * lap / vals[-1] - np.eye(n)
        theta_k, x = ctx.rng.normal(size=6), ctx.rng.normal(size=n)
        xs = [x, l_t @ x]
        for _ in range(2, 6):
            xs.append(2 * l_t @ xs[-1] - xs[-2])
        rec.append(sum(c * v for c, v in zip(theta_k, xs, strict=True)))
        g = np.polynomial.chebyshev.chebval(2 * vals / vals[-1] - 1, theta_k)
        spec.append(vecs @ (g * (vecs.T @ x)))
    filt = ctx.compare(
        "Chebyshev filter", "numpy.linalg.eigh + chebval", np.concatenate(rec), np.concatenate(spec), rtol=1e-9
    )
    return combine(trig, filt)


@identity(
    "chebnet-recursion",
    title="Chebyshev polynomials filter a graph signal without an eigendecomposition",
    section="1.2",
    map_row=r"Eigenvalues of the graph Laplacian $L$: ChebNet, spectral GNNs",
    variables={t_angle: real(-4, 4), kC: integer(2, 40), wP: positive(3)}
    | {c: real(-2, 2) for c in CHEB_COEFFS}
    | entry_domains(x3, real(-3, 3)),
    claim=Statement(
        "step",
        Eq(STEP_LHS, cos(kC * t_angle)),
        text=r"the induction step: if $T_{k-1}(\cos t) = \cos((k-1)t)$ and $T_{k-2}(\cos t) = \cos((k-2)t)$, "
        r"then $T_k(\cos t) = \cos(kt)$, for every $k \ge 2$",
    ),
    also=[
        Statement(
            "k <= 6",
            Eq(notation(r"\bigl(T_k(\cos t)\bigr)_{k=0}^{6}", T_COS, "T_k(cos t), k = 0..6"), COS_K, evaluate=False),
            text=r"the recursion $T_0 = 1$, $T_1 = x$, $T_k = 2xT_{k-1} - T_{k-2}$ gives $T_k(\cos t) = \cos(kt)$: "
            r"the base cases $k = 0, 1$ and the first five steps",
        ),
        Statement(
            "filter",
            Eq(
                notation(
                    r"\sum_{k=0}^{3}\theta_kT_k(\tilde L)\,\mathbf{x}",
                    chebyshev_filter(L_SCALED, CHEB_COEFFS, x3),
                    "sum_k theta_k T_k(L~) x",
                ),
                notation(r"U g(\tilde\Lambda)U^\top\mathbf{x}", _cheb_spectral(U_P3, LAM_P3, x3), "U g(Lambda~) U^T x"),
                evaluate=False,
            ),
            text=r"$\tilde L = 2L/\lambda_{\max} - I$, $g = \sum_k\theta_kT_k$: the recursion needs only products "
            r"$\tilde L\mathbf{v}$ "
            r"(on the path graph $1 - 2 - 3$ with edge weight $w$)",
        ),
    ],
    crosscheck=_chebnet_check,
    question=Question(
        target=chebyshev(4, xC)[4],
        prompt=r"With $T_0(x) = 1$, $T_1(x) = x$ and $T_k(x) = 2xT_{k-1}(x) - T_{k-2}(x)$, compute $T_4(x)$.",
        variables=(xC,),
        approximations={
            r"that is $T_3(x)$": chebyshev(3, xC)[3],
            r"sign error in the recursion: $T_k = 2xT_{k-1} + T_{k-2}$": 8 * xC**4 + 8 * xC**2 + 1,
        },
    ),
    refs=(
        Ref.arxiv(
            "1606.09375",
            "M. Defferrard, X. Bresson and P. Vandergheynst, Convolutional Neural Networks on Graphs with Fast "
            "Localized Spectral Filtering, 2016",
            where="Sec. 2.1, Eq. (4)",
        ),
        Ref.arxiv(
            "0912.3848",
            "D. K. Hammond, P. Vandergheynst and R. Gribonval, Wavelets on Graphs via Spectral Graph Theory, 2011",
            where="Sec. 6",
        ),
    ),
    builds_on=("laplacian-spectrum",),
)
def chebnet_recursion(d: Derivation) -> None:
    r"""A spectral filter $U g(\Lambda)U^\top\mathbf{x}$ needs the eigenvectors of the Laplacian, $O(n^3)$ work. ChebNet
    instead takes $g = \sum_k\theta_kT_k$ in Chebyshev polynomials of the rescaled Laplacian $\tilde L =
    2L/\lambda_{\max} - I$ (spectrum in $[-1, 1]$), which the three-term recursion evaluates with $K$ sparse
    matrix-vector products. The identity $T_k(\cos t) = \cos(kt)$ is why these polynomials are the natural,
    well-conditioned basis on $[-1, 1]$."""
    d.begin(T_COS, r"$T_0, \dots, T_6$ computed by the recursion, at $x = \cos t$", scope="for k = 0, ..., 6")
    d.then(COS_K, r"multiple-angle formulas (proved by rewriting in exponentials)")
    d.conclude("k <= 6")

    d.begin(STEP_LHS, r"$2\cos t\,T_{k-1}(\cos t) - T_{k-2}(\cos t)$ under the induction hypothesis")
    d.then(
        sp.Add(cos(kC * t_angle), cos((kC - 2) * t_angle), -cos((kC - 2) * t_angle), evaluate=False),
        r"product to sum: $2\cos a\cos b = \cos(a + b) + \cos(a - b)$",
    )
    d.then(cos(kC * t_angle), "cancel")
    d.note(
        r"With the base cases $T_0(\cos t) = 1 = \cos 0$ and $T_1(\cos t) = \cos t$, induction gives $T_k(\cos t) = "
        r"\cos(kt)$ for all $k$."
    )
    d.conclude("step")

    d.begin(
        chebyshev_filter(L_SCALED, CHEB_COEFFS, x3),
        r"$\mathbf{x}_0 = \mathbf{x}$, $\mathbf{x}_1 = \tilde L\mathbf{x}$, "
        r"$\mathbf{x}_k = 2\tilde L\mathbf{x}_{k-1} - \mathbf{x}_{k-2}$, then $\sum_k\theta_k\mathbf{x}_k$",
        scope="for the weighted path on 3 nodes",
    )
    d.then(lambda e: e.applyfunc(sp.expand), "multiply out")
    d.then(
        _cheb_spectral(U_P3, LAM_P3, x3),
        r"SymPy's eigenbasis of $\tilde L$ (eigenvalues $-1, -\tfrac13, 1$); $g$ applied to each",
    )
    d.conclude("filter")


# ------------------------------------------------------------------------------ NTK dynamics
eta = positive(1).symbol("eta")
time_t = nonnegative(5).symbol("t")
mu1, mu2 = nonnegative(3).symbol("lambda_1"), nonnegative(3).symbol("lambda_2")
r0 = symbol_vector("r", 2, real(-3, 3))  # r = f_0 - y, the initial residual
s_rot = real(-3, 3).symbol("s")
U_NTK = cayley_orthogonal([s_rot], 2)  # a rotation with rational entries: cos = (1 - s^2)/(1 + s^2)
THETA_K = U_NTK * sp.diag(mu1, mu2) * U_NTK.T
DECAY = sp.diag(exp(-eta * mu1 * time_t), exp(-eta * mu2 * time_t))
RESIDUAL = U_NTK * DECAY * U_NTK.T * r0  # f_t - y in closed form
EXP_NTK = notation(
    r"e^{-\eta\Theta t}", sp.exp(sp.ImmutableMatrix(-eta * time_t * THETA_K), evaluate=False), "exp(-eta Theta t)"
)


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


def _ntk_check(ctx: CheckContext) -> CrossCheckResult:
    """Random PSD kernels Theta (n = 2, 5, 10): RK4 integration of gradient flow against U exp(-eta Lambda t) U^T r0
    from numpy.linalg.eigh; and each eigencomponent's decay against exp(-eta lambda_i t)."""
    got, want = [], []
    for n in (2, 5, 10):
        a = ctx.rng.normal(size=(n, n))
        theta_m = a @ a.T / n
        r, lr, t_end = ctx.rng.normal(size=n), float(ctx.rng.uniform(0.1, 1.0)), float(ctx.rng.uniform(0.5, 3.0))
        vals, vecs = np.linalg.eigh(theta_m)
        numeric = _rk4(theta_m, r, lr, t_end)
        got.append(vecs.T @ numeric)  # components along the eigenvectors, integrated
        want.append(np.exp(-lr * vals * t_end) * (vecs.T @ r))
    return ctx.compare(
        "eigencomponents of f_t - y", "RK4 integration (numpy)", np.concatenate(got), np.concatenate(want), rtol=1e-9
    )


@identity(
    "ntk-linear-dynamics",
    title="In the NTK regime each eigenmode of the error decays at its own rate",
    section="1.2",
    map_row=r"Neural Tangent Kernel eigenvalues: training speed of wide networks (Jacot et al., 2018)",
    variables={eta: positive(1), time_t: nonnegative(5), mu1: nonnegative(3), mu2: nonnegative(3), s_rot: real(-3, 3)}
    | entry_domains(r0, real(-3, 3)),
    claim=Statement(
        "gradient flow",
        Eq(
            notation(
                r"\frac{d}{dt}(f_t - y)", sp.Matrix([sp.Derivative(e, time_t) for e in RESIDUAL]), "d/dt (f_t - y)"
            ),
            notation(r"-\eta\,\Theta\,(f_t - y)", -eta * THETA_K * RESIDUAL, "-eta Theta (f_t - y)"),
            evaluate=False,
        ),
        text=r"$f_t - y = U e^{-\eta\Lambda t}U^\top(f_0 - y)$ solves gradient flow on $\tfrac12\lVert f - y\rVert^2$ "
        r"with the constant kernel $\Theta = U\Lambda U^\top$",
    ),
    also=[
        Statement(
            "initial",
            Eq(notation(r"(f_t - y)\big|_{t=0}", RESIDUAL.subs(time_t, 0), "(f_t - y) at t = 0"), r0, evaluate=False),
            text=r"the solution starts at the initial residual $f_0 - y$",
        ),
        Statement(
            "exponential",
            Eq(
                EXP_NTK,
                notation(r"U e^{-\eta\Lambda t}U^\top", U_NTK * DECAY * U_NTK.T, "U exp(-eta Lambda t) U^T"),
                evaluate=False,
            ),
            text=r"the solution is $f_t - y = e^{-\eta\Theta t}(f_0 - y)$ (SymPy's matrix exponential)",
        ),
        Statement(
            "mode 1",
            Eq(
                notation(r"\mathbf{u}_1^\top(f_t - y)", (U_NTK[:, 0].T * RESIDUAL)[0, 0], "u_1^T (f_t - y)"),
                exp(-eta * mu1 * time_t) * (U_NTK[:, 0].T * r0)[0, 0],
                evaluate=False,
            ),
            text=r"the component along the eigenvector $\mathbf{u}_1$ decays as $e^{-\eta\lambda_1t}$: "
            r"large-eigenvalue modes are learned first",
        ),
    ],
    crosscheck=_ntk_check,
    question=Question(
        target=exp(-eta * mu1 * time_t),
        prompt=r"Under gradient flow with learning rate $\eta$ and a constant NTK $\Theta$, by what factor has the "
        r"component "
        r"of $f_t - y$ along an eigenvector of $\Theta$ with eigenvalue $\lambda_1$ shrunk at time $t$?",
        names={"lambda": mu1, "lambda1": mu1},
        approximations={
            r"the learning rate $\eta$ is missing": exp(-mu1 * time_t),
            r"that is gradient descent with step $\eta$ after $t$ steps, not gradient flow": (1 - eta * mu1) ** time_t,
        },
    ),
    refs=(
        Ref.arxiv(
            "1806.07572",
            "A. Jacot, F. Gabriel and C. Hongler, Neural Tangent Kernel: Convergence and Generalization in Neural "
            "Networks, 2018",
            where="Sec. 5",
        ),
        Ref.arxiv(
            "1902.06720",
            "J. Lee et al., Wide Neural Networks of Any Depth Evolve as Linear Models Under Gradient Descent, 2019",
            where="Sec. 2.2, Eq. (9)",
        ),
    ),
    builds_on=("pca-top-eigenvector",),
)
def ntk_linear_dynamics(d: Derivation) -> None:
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

    d.begin(RESIDUAL.subs(time_t, 0), scope=scope)
    d.then(lambda e: e.applyfunc(lambda z: sp.trigsimp(sp.expand(z))), r"$e^0 = 1$ and $UU^\top = I$")
    d.conclude("initial")

    d.begin((U_NTK[:, 0].T * RESIDUAL)[0, 0], r"project on $\mathbf{u}_1$, the first column of $U$", scope=scope)
    d.then(lambda e: sp.trigsimp(sp.expand(e)), r"$\mathbf{u}_1^\top U = \mathbf{e}_1^\top$")
    d.conclude("mode 1")
