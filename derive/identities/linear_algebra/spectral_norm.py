r"""The spectral norm is the largest singular value.

The spectral norm $\lVert W\rVert_2 = \max_{\mathbf{x}}\lVert W\mathbf{x}\rVert/\lVert\mathbf{x}\rVert$, the Lipschitz
constant of a linear layer, is $\sigma_1 = \sqrt{\lambda_{\max}(W^\top W)}$; $W/\sigma_1$ has norm $1$, and power
iteration on $W^\top W$ finds $\sigma_1^2$, which is how spectral normalisation keeps a GAN discriminator
$1$-Lipschitz (map 1.4, spectral normalisation). Miyato, Kataoka, Koyama and Yoshida (2018), Spectral
Normalization for Generative Adversarial Networks, Sec. 2.1-2.2.
"""

from __future__ import annotations

import numpy as np
import sympy as sp
from sympy import Eq, Le, Limit

from derive.authoring import (
    CheckContext,
    CrossCheckResult,
    Derivation,
    Question,
    Ref,
    Statement,
    combine,
    declare,
    notation,
    positive,
    real,
    statement_lhs,
)
from derive.core.facts import LIMIT_LAWS, ORTHOGONAL_INVARIANCE, SPECTRAL_THEOREM, SVD_ORTHONORMAL
from derive.maths.indexed import collapse, in_range
from derive.numeric.linalg import power_iteration

from ._shared import (
    EIGVEC_N,
    NORM_N,
    RAYLEIGH_N,
    RAYLEIGH_N_VARS,
    k,
    lam1,
    lamI,
    n,
    rayleigh_attained_n,
    rayleigh_bound_n,
    t_top,
)

# -- symbols ---------------------------------------------------------------------------------------
SIGMA1 = positive(5)
s1 = SIGMA1.symbol("sigma1")
GAMMA = positive(3)
gap = GAMMA.symbol("gamma")
s2 = s1 / (1 + gap)  # sigma_2 = sigma_1/(1 + gamma) (the homework question's second singular value)
sigI = sp.IndexedBase("sigma", positive=True)  # singular values sigma_k > 0
# ||(W/sigma_t) v_t||^2: W v_t = U Sigma V^T v_t = U Sigma e_t has coordinates sigma_k delta_kt in the basis U
NORMALISED_N = sp.Sum((sigI[k] * sp.KroneckerDelta(k, t_top) / sigI[t_top]) ** 2, (k, 1, n))
START = positive(3)
a0 = START.symbol("a")
ITERATIONS = positive(100)
it = ITERATIONS.symbol("s")
bI = sp.IndexedBase("b", real=True)  # coordinates of x_0 along v_2, ..., v_n
gamI = sp.IndexedBase("gamma", positive=True)  # sigma_k = sigma_1/(1 + gamma_k) < sigma_1 for k >= 2
#: b_k^2 (sigma_k/sigma_1)^{4s}: the squared coordinate of x_s = (W^T W)^s x_0/sigma_1^{2s} along v_k, k >= 2
TAIL = bI[k] ** 2 * (1 + gamI[k]) ** (-4 * it)
RAYLEIGH = (s1**2 * a0**2 + sp.Sum(s1**2 * (1 + gamI[k]) ** -2 * TAIL, (k, 2, n))) / (a0**2 + sp.Sum(TAIL, (k, 2, n)))
ALIGNMENT = a0**2 / (a0**2 + sp.Sum(TAIL, (k, 2, n)))  # cos^2 of the angle between x_s and v_1

# -- what is claimed -------------------------------------------------------------------------------
CLAIM = Statement(
    "bound",
    Le(notation(r"\lVert W\mathbf{x}\rVert^2", RAYLEIGH_N, "||W x||^2"), lam1 * NORM_N),
    text=r"$\lVert W\mathbf{x}\rVert^2 = \mathbf{x}^\top W^\top W\mathbf{x} \le \sigma_1^2\lVert\mathbf{x}\rVert^2$ "
    r"for every $\mathbf{x}$ and any size: in the eigenbasis of $W^\top W$ (the right singular vectors, "
    r"eigenvalues $\lambda_k = \sigma_k^2 = \lambda_1 - g_k$) the map $\mathbf{x} \mapsto W\mathbf{x}$ is "
    r"$\sigma_1$-Lipschitz",
)
ATTAINED = Statement(
    "attained",
    Eq(notation(r"(\Lambda\mathbf{e}_t)_k", EIGVEC_N, "(Lambda e_t)_k"), lamI[t_top] * sp.KroneckerDelta(k, t_top)),
    text=r"with equality at the top right singular vector $\mathbf{v}_t$, an eigenvector of $W^\top W$ for any "
    r"size, so $\lVert W\rVert_2 = \max_{\mathbf{x}}\lVert W\mathbf{x}\rVert/\lVert\mathbf{x}\rVert = \sigma_1 = "
    r"\sqrt{\lambda_{\max}(W^\top W)}$",
)
NORMALISED = Statement(
    "normalised",
    Eq(notation(r"\lVert (W/\sigma_t)\mathbf{v}_t\rVert^2", NORMALISED_N, "||(W/sigma_t) v_t||^2"), 1, evaluate=False),
    text=r"for any size, spectral normalisation $W/\sigma_1$ ($\sigma_t = \sigma_1$ the top singular value) maps the "
    r"top right singular vector to a unit vector; with the bound divided by $\sigma_1^2$, its spectral norm is $1$",
)
POWER_ITERATION = Statement(
    "power iteration",
    Eq(Limit(RAYLEIGH, it, sp.oo), s1**2),
    text=r"for any size, power iteration $\mathbf{x}_{s+1} \propto W^\top W\mathbf{x}_s$ from any $\mathbf{x}_0$ with "
    r"$a = \mathbf{v}_1^\top\mathbf{x}_0 \ne 0$ and a gap $\sigma_k = \sigma_1/(1 + \gamma_k) < \sigma_1$, "
    r"$k \ge 2$: the Rayleigh quotient $\mathbf{x}_s^\top W^\top W\mathbf{x}_s/\mathbf{x}_s^\top\mathbf{x}_s \to "
    r"\sigma_1^2$",
)
DIRECTION = Statement(
    "direction",
    Eq(Limit(ALIGNMENT, it, sp.oo), 1),
    text=r"and the direction converges: $\cos^2\angle(\mathbf{x}_s, \mathbf{v}_1) = "
    r"(\mathbf{v}_1^\top\mathbf{x}_s)^2/\lVert\mathbf{x}_s\rVert^2 \to 1$, every other coordinate shrinking "
    r"like $(\sigma_k/\sigma_1)^{2s} \to 0$",
)

# -- the homework question, and where the identity comes from --------------------------------------
QUESTION = Question(
    target=s1,
    prompt=r"$W$ has singular values $\sigma_1 > \sigma_2$. What is its spectral norm "
    r"$\max_{\mathbf{x} \ne 0}\lVert W\mathbf{x}\rVert/\lVert\mathbf{x}\rVert$?",
    names={"sigma1": s1, "sigma2": s2},
    approximations={
        r"that is $\lambda_{\max}(W^\top W) = \sigma_1^2$; the norm is its square root": s1**2,
        r"that is the Frobenius norm $\sqrt{\sigma_1^2 + \sigma_2^2}$": sp.sqrt(s1**2 + s2**2),
    },
)
REFS = (
    Ref.cite("miyato2018", where="Sec. 2.1-2.2"),
    Ref.cite("golub2013", where="Sec. 2.3, 7.3.1"),
)


# -- how it is derived -----------------------------------------------------------------------------
def derivation(d: Derivation) -> None:
    r"""The spectral norm $\lVert W\rVert_2 = \max_{\mathbf{x}}\lVert W\mathbf{x}\rVert/\lVert\mathbf{x}\rVert$ is the
    Lipschitz constant of a linear layer. Spectral normalisation divides each weight matrix of a GAN
    discriminator by an estimate of it, obtained by one step of power iteration per training step, so that
    the whole network is $1$-Lipschitz. Everything holds for any size, in the eigenbasis of $W^\top W$ (the
    right singular vectors) and the singular bases of $W$; the relative gaps $\gamma_k > 0$ of
    $\sigma_k = \sigma_1/(1 + \gamma_k)$ set the speed of power iteration, $(1 + \gamma_k)^{-2s}$."""
    rayleigh_bound_n(d, "bound")
    rayleigh_attained_n(d, "attained")

    d.begin(
        NORMALISED_N,
        r"$W\mathbf{v}_t = U\Sigma V^\top\mathbf{v}_t = U\Sigma\mathbf{e}_t$, and $U$ keeps lengths: the "
        r"coordinates $\sigma_k\delta_{kt}$, divided by $\sigma_t$",
    )
    d.assume(SVD_ORTHONORMAL)
    d.assume(ORTHOGONAL_INVARIANCE)
    d.then(lambda e: in_range(collapse(e)), r"$\delta_{kt}^2 = \delta_{kt}$ collapses the sum: $\sigma_t^2/\sigma_t^2$")
    d.conclude("normalised")

    expand = (
        r"in the eigenbasis $\mathbf{v}_k$ of $W^\top W$, $(W^\top W)^s\mathbf{x}_0$ has coordinates "
        r"$\sigma_k^{2s}c_k$ ($c_1 = a$, $c_k = b_k$); divided by $\sigma_1^{2s}$ (the quotient does not see the "
        r"scale) they are $a$ and $b_k(1 + \gamma_k)^{-2s}$"
    )
    for label, why in (
        (
            "power iteration",
            r"each $(1 + \gamma_k)^{-4s} \to 0$: the finite sums tend to $0$, the quotient to "
            r"$\sigma_1^2a^2/a^2$",
        ),
        ("direction", r"each $(1 + \gamma_k)^{-4s} \to 0$: the quotient tends to $a^2/a^2$"),
    ):
        d.begin(statement_lhs(d, label), expand)
        d.assume(SPECTRAL_THEOREM)
        d.assume(LIMIT_LAWS, LIMIT_LAWS.rewrite, why + " (each term's limit computed by SymPy)")
        d.conclude(label)


# -- how it is checked -----------------------------------------------------------------------------
def crosscheck(ctx: CheckContext) -> CrossCheckResult:
    """Random W: numpy.linalg.norm(W, 2) against sqrt(lambda_max(W^T W)) (eigvalsh), power iteration, and
    2000 random directions (never above it); W/sigma_max has norm 1; the derived bound at the samples."""
    rng = ctx.rng
    results = []
    for rows, cols in ((8, 5), (20, 20), (5, 30)):
        w = rng.normal(size=(rows, cols))
        two = np.asarray(np.linalg.norm(w, 2))
        results.append(
            ctx.compare(
                f"sqrt(lambda_max(W^T W)), {rows}x{cols}",
                "numpy.linalg.eigvalsh",
                np.sqrt(np.linalg.eigvalsh(w.T @ w)[-1]),
                two,
                rtol=1e-10,
            )
        )
        results.append(
            ctx.compare(
                f"power iteration, {rows}x{cols}",
                "power iteration (2000 steps)",
                np.asarray(power_iteration(w, rng, 2000)),
                two,
                rtol=1e-8,
            )
        )
        x = rng.normal(size=(cols, 2000))
        ratio = np.linalg.norm(w @ x, axis=0) / np.linalg.norm(x, axis=0)
        results.append(
            ctx.bound(
                f"max ||Wx||/||x|| - ||W||_2, {rows}x{cols}", "2000 random directions", float(ratio.max() - two), 1e-12
            )
        )
        results.append(
            ctx.compare(
                f"||W/sigma_max||_2, {rows}x{cols}",
                "numpy.linalg.norm",
                np.asarray(np.linalg.norm(w / two, 2)),
                np.asarray(1.0),
                rtol=1e-12,
            )
        )
    return combine(*results, _power_rates(ctx))


def _power_rates(ctx: CheckContext) -> CrossCheckResult:
    """The derived Rayleigh quotient of power iteration at s = 1, 3, 10 against numpy's iterates of a random
    W^T W with the same singular values and starting coordinates (n = 5)."""
    f = sp.lambdify([s1, a0, bI, gamI, it], RAYLEIGH.subs(n, 5).doit(), "numpy")
    got, want = [], []
    for _ in range(10):
        sig1, start = ctx.rng.uniform(0.5, 5), ctx.rng.uniform(0.1, 3)
        # entries 2..5 used: the lambdified b[k], gamma[k] index the arrays by k
        tail, gaps = ctx.rng.normal(size=6), ctx.rng.uniform(0.05, 1, size=6)
        sigma = np.concatenate([[sig1], sig1 / (1 + gaps[2:])])
        v, _ = np.linalg.qr(ctx.rng.normal(size=(5, 5)))
        u, _ = np.linalg.qr(ctx.rng.normal(size=(7, 5)))
        w = u @ np.diag(sigma) @ v.T
        x = v @ np.concatenate([[start], tail[2:]])
        for steps in (1, 3, 10):
            xs = np.linalg.matrix_power(w.T @ w, steps) @ x
            want.append(float(xs @ w.T @ w @ xs / (xs @ xs)))
            got.append(float(f(sig1, start, tail, gaps, steps)))
    return ctx.compare("Rayleigh quotient of x_s", "numpy matrix powers", np.array(got), np.array(want), rtol=1e-9)


# -- the declaration -------------------------------------------------------------------------------
SPECTRAL_NORM = declare(
    "spectral-norm",
    aliases=("spectral-normalisation", "operator-norm"),
    title="The spectral norm is the largest singular value",
    section="1.4",
    map_row=r"$\lVert W\rVert_2 = \sigma_{\max}(W)$: spectral normalisation, Lipschitz constraint in GANs "
    r"(Miyato et al., 2018)",
    variables={
        s1: SIGMA1,
        gap: GAMMA,
        sigI: SIGMA1,
        a0: START,
        bI: real(-3, 3),
        gamI: GAMMA,
        it: ITERATIONS,
        **RAYLEIGH_N_VARS,
    },
    claim=CLAIM,
    also=(ATTAINED, NORMALISED, POWER_ITERATION, DIRECTION),
    derivation=derivation,
    crosscheck=crosscheck,
    question=QUESTION,
    refs=REFS,
    builds_on=("singular-spectrum",),
)
