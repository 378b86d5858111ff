r"""1.4 Norms and regularisation: weight decay, the L1 soft threshold, the spectral and nuclear norms.

Weight decay and the soft threshold are derived coordinate by coordinate (the penalties are sums over
coordinates); the matrix norms on an explicit $2\times 2$ matrix $W = U\Sigma V^\top$ with Cayley
rotations $U$, $V$ (see :mod:`derive.identities.svd`). Statements about all matrices (the nuclear-norm
prox is a global minimiser) are checked numerically against numpy and say so.
"""

from __future__ import annotations

import numpy as np
import sympy as sp
from sympy import Abs, Eq, Le, Limit, Max, Piecewise, sign

from derive.core.derivation import Derivation
from derive.core.identity import Question, Ref, identity
from derive.core.statements import Statement, numerically
from derive.maths.domains import integer, positive, real
from derive.maths.matrices import entry_domains, frobenius_sq, svd_form, symbol_vector
from derive.maths.notation import notation
from derive.numeric.crosscheck import CheckContext, CrossCheckResult, combine
from derive.numeric.linalg import gradient_fd, power_iteration

ANGLE = real(-2, 2)


def _angle(name: str) -> sp.Symbol:
    return ANGLE.symbol(name)


# =================================================================================== weight decay
N_WD = 3
THETA = symbol_vector("theta", N_WD, real(-5, 5))
lam_wd = positive(1).symbol("lambda")
eta = positive(1).symbol("eta")
PENALTY = lam_wd / 2 * frobenius_sq(THETA)
GRAD_PEN = notation(
    r"\nabla_{\boldsymbol\theta}\tfrac{\lambda}{2}\lVert\boldsymbol\theta\rVert^2",
    sp.Matrix([sp.Derivative(PENALTY, t) for t in THETA]),
    "grad (lambda/2)||theta||^2",
)
thI, gI = sp.IndexedBase("theta", real=True), sp.IndexedBase("g", real=True)  # coordinate j of theta, grad L
jW, nW = integer(1, 100).symbol("j"), integer(1, 100).symbol("n")
th, g = thI[jW], gI[jW]
iW = sp.Symbol("i", integer=True, positive=True)
#: coordinate j of the gradient of the penalty, for any n
GRAD_J = notation(
    r"\frac{\partial}{\partial\theta_j}\,\frac{\lambda}{2}\sum_{i=1}^n\theta_i^2",
    sp.Derivative(lam_wd / 2 * sp.Sum(thI[iW] ** 2, (iW, 1, nW)), th),
    "d/dtheta_j (lambda/2) sum_i theta_i^2",
)


def _wd_check(ctx: CheckContext) -> CrossCheckResult:
    """Central differences of the penalty at random theta in R^50; one step of gradient descent on
    L + penalty (gradient by central differences of the total) against the shrink-then-step form."""
    rng = ctx.rng
    results = []
    for _ in range(3):
        n, lmb, lr = 50, 10.0 ** rng.uniform(-4, 0), 10.0 ** rng.uniform(-3, -1)
        theta = rng.normal(size=n)
        xm, y = rng.normal(size=(20, n)), rng.normal(size=20)

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


@identity(
    "weight-decay-l2",
    aliases=("weight-decay", "l2-regularisation"),
    title="Weight decay is L2 regularisation",
    section="1.4",
    map_row=r"$\lVert\boldsymbol\theta\rVert_2^2$: L2 / weight decay, penalises large weights (AdamW, all modern LLMs)",
    variables={
        **entry_domains(THETA, real(-5, 5)),
        lam_wd: positive(1),
        eta: positive(1),
        thI: real(-5, 5),
        gI: real(-5, 5),
        jW: integer(1, nW),
        nW: integer(1, 100),
    },
    claim=Statement(
        "gradient",
        Eq(GRAD_J, lam_wd * th, evaluate=False),
        text=r"$\nabla\,\tfrac{\lambda}{2}\lVert\boldsymbol\theta\rVert^2 = \lambda\boldsymbol\theta$, "
        r"coordinate $j$ of any $n$",
    ),
    also=[
        Statement(
            "step",
            Eq(th - eta * (g + lam_wd * th), (1 - eta * lam_wd) * th - eta * g),
            text=r"a gradient step on $L + \tfrac{\lambda}{2}\lVert\boldsymbol\theta\rVert^2$ first shrinks every "
            r"weight by the factor $1 - \eta\lambda$, then steps along $-\nabla L$ "
            r"(coordinate $j$, $g_j = \partial L/\partial\theta_j$)",
        ),
    ],
    crosscheck=_wd_check,
    question=Question(
        target=lam_wd * thI[jW],
        prompt=r"What is $\partial/\partial\theta_j$ of the penalty "
        r"$\tfrac{\lambda}{2}\lVert\boldsymbol\theta\rVert_2^2$?",
        names={"theta": thI, "lam": lam_wd},
        approximations={
            r"the $\tfrac12$ cancels the $2$ of $\theta_j^2$: the gradient is $\lambda\theta_j$": 2 * lam_wd * thI[jW],
            r"the derivative of $\theta_j^2$ is $2\theta_j$, not $\theta_j$": lam_wd * thI[jW] / 2,
        },
    ),
    refs=(
        Ref.book("A. Krogh and J. A. Hertz, A simple weight decay can improve generalization, NIPS 1991"),
        Ref.arxiv(
            "1711.05101",
            "I. Loshchilov and F. Hutter, Decoupled Weight Decay Regularization, 2017 (ICLR 2019)",
            "Sec. 2",
        ),
    ),
)
def weight_decay_l2(d: Derivation) -> None:
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


# ============================================================================ L1 soft threshold
z = real(-6, 6).symbol("z")
lam1 = positive(3).symbol("lambda")
t_ = real(-10, 10).symbol("t")
t_pos, t_neg = sp.Symbol("t", positive=True), sp.Symbol("t", negative=True)
OBJ = (t_ - z) ** 2 / 2 + lam1 * Abs(t_)
SOFT = sign(z) * Max(Abs(z) - lam1, 0)
CASES = Piecewise((z - lam1, z > lam1), (z + lam1, z < -lam1), (0, True))


def _soft_check(ctx: CheckContext) -> CrossCheckResult:
    r"""The minimiser of (t - z)^2/2 + lambda |t| by brute force: a grid of spacing 1e-3 on [-10, 10], then
    bounded Brent minimisation on the bracket around the best grid point, at 200 random (z, lambda) and at
    the thresholds z = +-lambda."""
    from scipy.optimize import minimize_scalar

    values = ctx.sample(200)
    zs, ls = values[z], values[lam1]
    zs = np.concatenate([zs, ls[:20], -ls[20:40]])  # exactly at the kink of the result
    ls = np.concatenate([ls, ls[:20], ls[20:40]])
    grid = np.linspace(-10, 10, 20001)
    found = []
    for zi, li in zip(zs, ls, strict=True):
        f = 0.5 * (grid - zi) ** 2 + li * np.abs(grid)
        k = int(np.argmin(f))
        lo, hi = grid[max(k - 1, 0)], grid[min(k + 1, len(grid) - 1)]
        res = minimize_scalar(
            lambda t, zi=zi, li=li: 0.5 * (t - zi) ** 2 + li * abs(t),
            bounds=(lo, hi),
            method="bounded",
            options={"xatol": 1e-10},
        )
        found.append(res.x)
    derived = ctx.numpy(ctx.result, [lam1, z])(ls, zs)
    return ctx.compare(
        "argmin by grid + Brent", "scipy.optimize.minimize_scalar", np.array(found), derived, rtol=1e-7, floor=1.0
    )


@identity(
    "l1-soft-threshold",
    aliases=("soft-threshold", "lasso-prox"),
    title="The L1 penalty soft-thresholds",
    section="1.4",
    map_row=r"$\lVert\boldsymbol\theta\rVert_1$: L1 / Lasso induces sparsity (sparse fine-tuning)",
    variables={z: real(-6, 6), lam1: positive(3), t_: real(-10, 10)},
    claim=Statement(
        "soft threshold",
        Eq(CASES, SOFT),
        text=r"$\operatorname{argmin}_t \tfrac12(t - z)^2 + \lambda\lvert t\rvert$, found case by case, is "
        r"$\operatorname{sign}(z)\max(\lvert z\rvert - \lambda, 0)$: exactly $0$ whenever $\lvert z\rvert \le \lambda$",
    ),
    crosscheck=_soft_check,
    question=Question(
        target=SOFT,
        prompt=r"Find $\operatorname{argmin}_{t \in \mathbb{R}} \tfrac12 (t - z)^2 + \lambda\lvert t\rvert$ "
        r"for $\lambda > 0$.",
        names={"lam": lam1},
        approximations={
            r"the threshold is $\lambda$, not $\lambda/2$ (that is the prox of $\tfrac{\lambda}{2}\lvert t\rvert$)": (
                sign(z) * Max(Abs(z) - lam1 / 2, 0)
            ),
            r"hard thresholding keeps $z$ unshrunk; the L1 prox also subtracts $\lambda$": z
            * sp.Heaviside(Abs(z) - lam1),
            r"the case $t = 0$ is missing: for $\lvert z\rvert \le \lambda$ the minimiser is $0$, "
            r"not $z - \lambda\operatorname{sign}(z)$": z - lam1 * sign(z),
        },
    ),
    refs=(
        Ref.book("R. Tibshirani, Regression shrinkage and selection via the lasso, J. R. Stat. Soc. B 58, 1996"),
        Ref.book("D. L. Donoho, De-noising by soft-thresholding, IEEE Trans. Inf. Theory 41, 1995"),
        Ref.book("N. Parikh and S. Boyd (2014), Proximal Algorithms, Found. Trends Optim. 1", "Sec. 6.5.2"),
    ),
)
def l1_soft_threshold(d: Derivation) -> None:
    r"""The proximal step of the L1 penalty, $\operatorname{argmin}_t \tfrac12(t - z)^2 + \lambda\lvert t\rvert$, is
    the workhorse of the Lasso, ISTA and sparse fine-tuning. The objective is strictly convex but not
    differentiable at $0$, so it is minimised case by case: on $t > 0$ and $t < 0$ by setting the derivative to
    zero, and at the kink $t = 0$ by the one-sided derivatives (the subgradient condition
    $0 \in \partial f(0)$). The three cases assemble into the soft threshold, which sets every coordinate
    with $\lvert z\rvert \le \lambda$ exactly to zero: that is why L1 produces sparse weights and L2 does not."""
    for tt, why, key in (
        (t_pos, r"on $t > 0$, where $\lvert t\rvert = t$", "t > 0"),
        (t_neg, r"on $t < 0$, where $\lvert t\rvert = -t$", "t < 0"),
    ):
        d.begin(Eq(sp.Derivative(OBJ.subs(t_, tt), tt), 0), why, title=f"Case {key}")
        d.then(lambda e: e.doit(), "differentiate")
        d.solve(tt, "solve for $t$")
        sol = d.last.rhs
        valid = sp.reduce_inequalities(sol > 0 if tt is t_pos else sol < 0, z)
        d.note(rf"The stationary point ${sp.latex(sol)}$ lies in the case exactly when ${sp.latex(valid)}$.")
        d.keep(key, sol)
        d.keep(key + " when", valid)
        d.finish()
    slopes = []
    for direction in ("+", "-"):
        d.begin(Limit(sp.Derivative(OBJ, t_), t_, 0, direction), title=f"Case t = 0, slope from {direction}")
        d.then(lambda e: e.doit(), r"$\frac{d}{dt}\lvert t\rvert = \operatorname{sign}(t)$, then the one-sided limit")
        slopes.append(d.last)
        d.finish()
    at_zero = sp.reduce_inequalities([slopes[1] <= 0, slopes[0] >= 0], z)
    d.values["t = 0 when"] = at_zero
    d.begin(
        Piecewise((d.values["t > 0"], d.values["t > 0 when"]), (d.values["t < 0"], d.values["t < 0 when"]), (0, True)),
        rf"the three cases (at $t = 0$ the slopes are ${sp.latex(slopes[1])} \le 0 \le {sp.latex(slopes[0])}$ "
        rf"exactly when ${sp.latex(at_zero)}$, the remaining $z$)",
    )
    d.then(SOFT, r"one formula: shrink $\lvert z\rvert$ by $\lambda$ and clamp at $0$")
    d.conclude("soft threshold")


# =================================================================================== spectral norm
s1 = positive(5).symbol("sigma1")
gap = positive(3).symbol("gamma")
s2 = s1 / (1 + gap)  # sigma_2 = sigma_1/(1 + gamma): the order sigma_2 < sigma_1 in a form SymPy can use
US, VS = _angle("u1"), _angle("v1")
W_N, U_N, S_N, V_N = svd_form([s1, s2], 2, 2, [US], [VS])
YN = symbol_vector("y", 2, real(-3, 3))
WY = notation(r"\lVert W V\mathbf{y}\rVert^2", frobenius_sq(W_N * V_N * YN), "||W V y||^2")
WV1 = notation(r"\lVert W\mathbf{v}_1\rVert^2", frobenius_sq(W_N * V_N[:, 0]), "||W v_1||^2")
WN1 = notation(r"\lVert (W/\sigma_1)\mathbf{v}_1\rVert^2", frobenius_sq(W_N * V_N[:, 0] / s1), "||(W/sigma_1) v_1||^2")
a0, b0 = positive(3).symbol("a"), real(-3, 3).symbol("b")
it = positive(100).symbol("t")
# the power iterate x_t = (W^T W)^t x_0 / sigma_1^{2t} in the basis v_1, v_2: (a, b (sigma_2/sigma_1)^{2t})
XT = sp.Matrix([a0, b0 * (1 + gap) ** (-2 * it)])
RAYLEIGH = (XT.T * sp.diag(s1**2, s2**2) * XT)[0] / (XT.T * XT)[0]


def _spectral_check(ctx: CheckContext) -> CrossCheckResult:
    """Random W: numpy.linalg.norm(W, 2) against sqrt(lambda_max(W^T W)) (eigvalsh), power iteration, and
    2000 random directions (never above it); W/sigma_max has norm 1; the derived bound at the samples."""
    rng = ctx.rng
    results = []
    for m, n in ((8, 5), (20, 20), (5, 30)):
        w = rng.normal(size=(m, n))
        two = np.linalg.norm(w, 2)
        results.append(
            ctx.compare(
                f"sqrt(lambda_max(W^T W)), {m}x{n}",
                "numpy.linalg.eigvalsh",
                np.sqrt(np.linalg.eigvalsh(w.T @ w)[-1]),
                two,
                rtol=1e-10,
            )
        )
        results.append(
            ctx.compare(
                f"power iteration, {m}x{n}",
                "power iteration (2000 steps)",
                power_iteration(w, rng, 2000),
                two,
                rtol=1e-8,
            )
        )
        x = rng.normal(size=(n, 2000))
        ratio = np.linalg.norm(w @ x, axis=0) / np.linalg.norm(x, axis=0)
        results.append(
            ctx.bound(f"max ||Wx||/||x|| - ||W||_2, {m}x{n}", "2000 random directions", float(ratio.max() - two), 1e-12)
        )
        results.append(
            ctx.compare(f"||W/sigma_max||_2, {m}x{n}", "numpy.linalg.norm", np.linalg.norm(w / two, 2), 1.0, rtol=1e-12)
        )
    values = ctx.sample(64)
    wy = ctx.evaluate(WY.args[1], values, 64)
    bound = ctx.evaluate(ctx.result, values, 64)
    results.append(ctx.bound("||W V y||^2 - bound at the samples", "numpy", float(np.max(wy - bound)), 1e-9))
    return combine(*results)


@identity(
    "spectral-norm",
    aliases=("spectral-normalisation", "operator-norm"),
    title="The spectral norm is the largest singular value",
    section="1.4",
    map_row=r"$\lVert W\rVert_2 = \sigma_{\max}(W)$: spectral normalisation, Lipschitz constraint in GANs "
    r"(Miyato et al., 2018)",
    variables={
        s1: positive(5),
        gap: positive(3),
        US: ANGLE,
        VS: ANGLE,
        **entry_domains(YN, real(-3, 3)),
        a0: positive(3),
        b0: real(-3, 3),
        it: positive(100),
    },
    claim=Statement(
        "bound",
        Le(WY, s1**2 * (YN[0] ** 2 + YN[1] ** 2), evaluate=False),
        text=r"$\lVert W\mathbf{x}\rVert \le \sigma_1\lVert\mathbf{x}\rVert$ for every $\mathbf{x} = V\mathbf{y}$: "
        r"the map $\mathbf{x} \mapsto W\mathbf{x}$ is $\sigma_1$-Lipschitz",
    ),
    also=[
        Statement(
            "attained",
            Eq(WV1, s1**2, evaluate=False),
            text=r"with equality at $\mathbf{v}_1$, so $\lVert W\rVert_2 = \max_{\mathbf{x}}\lVert W\mathbf{x}\rVert/"
            r"\lVert\mathbf{x}\rVert = \sigma_1 = \sqrt{\lambda_{\max}(W^\top W)}$",
        ),
        Statement(
            "normalised",
            Eq(WN1, 1, evaluate=False),
            text=r"spectral normalisation $W/\sigma_1$ has spectral norm $1$ (the bound divided by $\sigma_1^2$, "
            r"attained at $\mathbf{v}_1$)",
        ),
        Statement(
            "power iteration",
            Eq(Limit(RAYLEIGH, it, sp.oo), s1**2),
            text=r"power iteration $\mathbf{x}_{t+1} \propto W^\top W\mathbf{x}_t$ from any $\mathbf{x}_0$ with "
            r"$a = \mathbf{v}_1^\top\mathbf{x}_0 \ne 0$: the Rayleigh quotient "
            r"$\mathbf{x}_t^\top W^\top W\mathbf{x}_t/\mathbf{x}_t^\top\mathbf{x}_t \to \sigma_1^2$",
        ),
    ],
    crosscheck=_spectral_check,
    question=Question(
        target=s1,
        prompt=r"$W$ has singular values $\sigma_1 > \sigma_2$. What is its spectral norm "
        r"$\max_{\mathbf{x} \ne 0}\lVert W\mathbf{x}\rVert/\lVert\mathbf{x}\rVert$?",
        names={"sigma1": s1, "sigma2": s2},
        approximations={
            r"that is $\lambda_{\max}(W^\top W) = \sigma_1^2$; the norm is its square root": s1**2,
            r"that is the Frobenius norm $\sqrt{\sigma_1^2 + \sigma_2^2}$": sp.sqrt(s1**2 + s2**2),
        },
    ),
    refs=(
        Ref.arxiv(
            "1802.05957",
            "T. Miyato, T. Kataoka, M. Koyama and Y. Yoshida, Spectral Normalization for Generative Adversarial "
            "Networks, 2018",
            "Sec. 2.1-2.2",
        ),
        Ref.book("G. H. Golub and C. F. Van Loan (2013), Matrix Computations, 4th ed.", "Sec. 2.3, 7.3.1"),
    ),
    builds_on=("singular-spectrum",),
)
def spectral_norm(d: Derivation) -> None:
    r"""The spectral norm $\lVert W\rVert_2 = \max_{\mathbf{x}}\lVert W\mathbf{x}\rVert/\lVert\mathbf{x}\rVert$ is the
    Lipschitz constant of a linear layer. Spectral normalisation divides each weight matrix of a GAN
    discriminator by an estimate of it, obtained by one step of power iteration per training step, so that
    the whole network is $1$-Lipschitz. Here $W = U\,\mathrm{diag}(\sigma_1, \sigma_2)\,V^\top$ is a general
    $2\times 2$ matrix ($U$, $V$ Cayley rotations), with $\sigma_2 = \sigma_1/(1 + \gamma)$, $\gamma > 0$ the
    relative spectral gap that sets the speed of power iteration."""
    scope = "for a 2 x 2 matrix"
    d.begin(
        WY, r"any $\mathbf{x}$ is $V\mathbf{y}$ with $\lVert\mathbf{x}\rVert = \lVert\mathbf{y}\rVert$", scope=scope
    )
    d.then(s1**2 * YN[0] ** 2 + s2**2 * YN[1] ** 2, r"$WV\mathbf{y} = U\Sigma\mathbf{y}$ and $U$ keeps lengths")
    d.bound(s1**2 * (YN[0] ** 2 + YN[1] ** 2), r"$\sigma_2 = \sigma_1/(1 + \gamma) \le \sigma_1$")
    d.conclude("bound")

    d.begin(WV1, r"$\mathbf{v}_1$, the first column of $V$", scope=scope)
    d.then(lambda e: sp.cancel(e.doit()), r"$W\mathbf{v}_1 = \sigma_1\mathbf{u}_1$")
    d.conclude("attained")

    d.begin(WN1, r"divide by $\sigma_1$", scope=scope)
    d.then(lambda e: sp.cancel(e.doit()), r"$(W/\sigma_1)\mathbf{v}_1 = \mathbf{u}_1$")
    d.conclude("normalised")

    d.begin(
        Limit(RAYLEIGH, it, sp.oo),
        r"in the basis $\mathbf{v}_1, \mathbf{v}_2$, $(W^\top W)^t\mathbf{x}_0 = (\sigma_1^{2t}a, \sigma_2^{2t}b)$; "
        r"divided by $\sigma_1^{2t}$ (the quotient does not see the scale) it is $(a, b(1 + \gamma)^{-2t})$",
    )
    d.then(lambda e: e.doit(), r"\texttt{sympy.limit}: $(1 + \gamma)^{-4t} \to 0$")
    d.conclude("power iteration")


# ==================================================================================== nuclear norm
SVAL = positive(5, lo=sp.Rational(1, 2))  # away from 0: the diagonal statements compare entries to a scale
n1, n2 = SVAL.symbol("sigma1"), SVAL.symbol("sigma2")
tau = positive(3).symbol("tau")
UA, VA = _angle("u1"), _angle("v1")
A_N, U_A, S_A, V_A = svd_form([n1, n2], 2, 2, [UA], [VA])
ROOT = V_A * sp.diag(sp.sqrt(n1**2), sp.sqrt(n2**2)) * V_A.T  # V (Sigma^T Sigma)^{1/2} V^T, the PSD root of A^T A
NUC = notation(r"\operatorname{tr}\sqrt{A^\top A}", ROOT.trace(), "tr sqrt(A^T A)")
GRAM_A = notation(r"V^\top (A^\top A)\, V", V_A.T * A_N.T * A_N * V_A, "V^T A^T A V")
XD = symbol_vector("x", 2, real(-6, 6))
X_CAND = U_A * sp.diag(*XD) * V_A.T
PROX_OBJ = notation(
    r"\tfrac12\lVert U\operatorname{diag}(\mathbf{x})V^\top - A\rVert_F^2"
    r" + \tau\lVert U\operatorname{diag}(\mathbf{x})V^\top\rVert_*",
    frobenius_sq(X_CAND - A_N) / 2 + tau * (Abs(XD[0]) + Abs(XD[1])),
    "prox objective",
)
SEPARATED = sum((XD[i] - s) ** 2 / 2 + tau * Abs(XD[i]) for i, s in enumerate((n1, n2)))


def _nuclear_objective(x: np.ndarray, a: np.ndarray, t: float) -> float:
    return 0.5 * float(np.sum((x - a) ** 2)) + t * float(np.linalg.norm(x, "nuc"))


def _prox_check(ctx: CheckContext) -> CrossCheckResult:
    """Random A (5x4) and tau: X* = U soft(Sigma, tau) V^T is never beaten by 3000 random perturbations
    of any rank and of scales 1e-6..1, half of them moving X* off the singular vectors of A."""
    rng = ctx.rng
    worst = -np.inf
    for _ in range(6):
        a, t = rng.normal(size=(5, 4)), float(rng.uniform(0.2, 1.5))
        u, s, vt = np.linalg.svd(a, full_matrices=False)
        x_star = (u * np.maximum(s - t, 0.0)) @ vt
        best = _nuclear_objective(x_star, a, t)
        for k in range(500):
            scale = 10.0 ** rng.uniform(-6, 0)
            if k % 2:
                x = x_star + scale * rng.normal(size=a.shape)
            else:  # rotate the singular vectors slightly, keep the thresholded values
                du, dv = scale * rng.normal(size=u.shape), scale * rng.normal(size=vt.shape)
                x = ((u + du) * np.maximum(s - t, 0.0)) @ (vt + dv)
            worst = max(worst, best - _nuclear_objective(x, a, t))
    return ctx.bound("objective(X*) - objective(X), worst", "3000 random perturbations", worst, 0.0)


def _nuclear_check(ctx: CheckContext) -> CrossCheckResult:
    """numpy.linalg.norm(A, 'nuc') against tr sqrt(A^T A) computed by eigvalsh, at random sizes and at the
    sampled 2x2 matrices against the derived sigma_1 + sigma_2."""
    rng = ctx.rng
    results = []
    for m, n in ((6, 4), (10, 10), (3, 8)):
        a = rng.normal(size=(m, n))
        root_trace = float(np.sum(np.sqrt(np.clip(np.linalg.eigvalsh(a.T @ a), 0.0, None))))
        results.append(
            ctx.compare(
                f"tr sqrt(A^T A), {m}x{n}", "numpy.linalg.eigvalsh", root_trace, np.linalg.norm(a, "nuc"), rtol=1e-7
            )
        )
    values = ctx.sample(64)
    a = np.asarray(ctx.evaluate(A_N, values, 64), dtype=float)
    got = np.array([np.linalg.norm(m, "nuc") for m in a])
    results.append(
        ctx.compare(
            "||A||_* at the sampled 2x2 A", "numpy.linalg.norm", got, ctx.evaluate(ctx.result, values, 64), rtol=1e-10
        )
    )
    return combine(*results)


@identity(
    "nuclear-norm",
    aliases=("trace-norm",),
    title="The nuclear norm and its proximal operator",
    section="1.4",
    map_row=r"$\lVert A\rVert_*$ (nuclear): low-rank inductive bias, matrix completion",
    variables={n1: SVAL, n2: SVAL, tau: positive(3), UA: ANGLE, VA: ANGLE, **entry_domains(XD, real(-6, 6))},
    claim=Statement(
        "trace of the root",
        Eq(NUC, n1 + n2, evaluate=False),
        text=r"$\lVert A\rVert_* = \operatorname{tr}\sqrt{A^\top A} = \sum_i\sigma_i$",
    ),
    also=[
        Statement(
            "root",
            Eq(GRAM_A, sp.diag(n1**2, n2**2), evaluate=False),
            text=r"$A^\top A = V\,\mathrm{diag}(\sigma_i^2)\,V^\top$, so its positive semidefinite square root is "
            r"$V\,\mathrm{diag}(\sigma_i)\,V^\top$",
        ),
        Statement(
            "separable",
            Eq(PROX_OBJ, SEPARATED, evaluate=False),
            text=r"for candidates $X = U\operatorname{diag}(\mathbf{x})V^\top$ sharing the singular vectors of $A$ "
            r"(with $\lVert X\rVert_* = \sum_i\lvert x_i\rvert$) the prox objective splits into one "
            r"\textsf{l1-soft-threshold} problem per singular value: $x_i = \max(\sigma_i - \tau, 0)$",
        ),
        numerically(
            "prox",
            r"$\operatorname{prox}_{\tau\lVert\cdot\rVert_*}(A) = U\max(\Sigma - \tau, 0)V^\top$ minimises "
            r"$\tfrac12\lVert X - A\rVert_F^2 + \tau\lVert X\rVert_*$ over \emph{all} $X$ "
            r"(von Neumann's trace inequality; "
            r"checked against random perturbations on $5\times 4$ matrices)",
            _prox_check,
        ),
    ],
    crosscheck=_nuclear_check,
    question=Question(
        target=n1 + n2,
        prompt=r"A matrix has singular values $\sigma_1, \sigma_2$. What is its nuclear norm $\lVert A\rVert_*$?",
        names={"sigma1": n1, "sigma2": n2},
        approximations={
            r"that is $\lVert A\rVert_F^2$: the nuclear norm adds the singular values, not their squares": n1**2
            + n2**2,
            r"that is the Frobenius norm": sp.sqrt(n1**2 + n2**2),
            r"that is the spectral norm, the largest singular value only": n1,
        },
    ),
    refs=(
        Ref.book(
            "E. J. Candes and B. Recht, Exact matrix completion via convex optimization, Found. Comput. Math. 9, 2009"
        ),
        Ref.arxiv(
            "0810.3286",
            "J.-F. Cai, E. J. Candes and Z. Shen, A Singular Value Thresholding Algorithm for Matrix Completion, 2008",
            "Thm. 2.1",
        ),
    ),
    builds_on=("l1-soft-threshold", "singular-spectrum"),
)
def nuclear_norm(d: Derivation) -> None:
    r"""The nuclear norm $\lVert A\rVert_* = \sum_i\sigma_i$ is to rank what the L1 norm is to the number of
    nonzeros: its convex surrogate. Penalising it (matrix completion, low-rank regularisation of weight
    updates) gives low-rank solutions because its proximal operator soft-thresholds the singular values,
    setting the small ones exactly to zero (singular value thresholding). Derived for a $2\times 2$ matrix
    $A = U\Sigma V^\top$ ($U$, $V$ Cayley rotations); that the minimiser shares the singular vectors of $A$
    is checked numerically."""
    scope = "for a 2 x 2 matrix"
    d.begin(GRAM_A, r"$AV = U\Sigma$", scope=scope)
    d.then(S_A.T * S_A, r"$U^\top U = I$, $V^\top V = I$ leave $\Sigma^\top\Sigma$")
    d.conclude("root")

    d.begin(NUC, r"$\sqrt{A^\top A} = V\,\mathrm{diag}\bigl(\sqrt{\sigma_i^2}\bigr)V^\top$ (above)", scope=scope)
    d.then(
        n1 + n2,
        r"$\operatorname{tr}(VDV^\top) = \operatorname{tr}(D)$ and $\sqrt{\sigma_i^2} = \sigma_i$ for $\sigma_i \ge 0$",
    )
    d.conclude("trace of the root")

    d.begin(PROX_OBJ, r"$X - A = U(\operatorname{diag}(\mathbf{x}) - \Sigma)V^\top$", scope=scope)
    d.then(SEPARATED, r"$\lVert UMV^\top\rVert_F = \lVert M\rVert_F$: one scalar problem per singular value")
    d.conclude("separable")
