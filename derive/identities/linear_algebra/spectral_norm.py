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
)
from derive.maths.matrices import entry_domains, frobenius_sq, svd_form, symbol_vector
from derive.numeric.linalg import power_iteration

from ._shared import (
    CAYLEY,
    EIGVEC_N,
    NORM_N,
    RAYLEIGH_N,
    RAYLEIGH_N_VARS,
    k,
    lam1,
    lamI,
    rayleigh_attained_n,
    rayleigh_bound_n,
    t_top,
)

# -- symbols ---------------------------------------------------------------------------------------
SIGMA1 = positive(5)
s1 = SIGMA1.symbol("sigma1")
GAMMA = positive(3)
gap = GAMMA.symbol("gamma")
s2 = s1 / (1 + gap)  # sigma_2 = sigma_1/(1 + gamma): the order sigma_2 < sigma_1 in a form SymPy can use
US, VS = CAYLEY.symbol("u1"), CAYLEY.symbol("v1")
W_N, U_N, S_N, V_N = svd_form([s1, s2], 2, 2, [US], [VS])
COORD = real(-3, 3)
YN = symbol_vector("y", 2, COORD)
WY = notation(r"\lVert W V\mathbf{y}\rVert^2", frobenius_sq(W_N * V_N * YN), "||W V y||^2")
WV1 = notation(r"\lVert W\mathbf{v}_1\rVert^2", frobenius_sq(W_N * V_N[:, 0]), "||W v_1||^2")
WN1 = notation(r"\lVert (W/\sigma_1)\mathbf{v}_1\rVert^2", frobenius_sq(W_N * V_N[:, 0] / s1), "||(W/sigma_1) v_1||^2")
START = positive(3)
a0, b0 = START.symbol("a"), COORD.symbol("b")
ITERATIONS = positive(100)
it = ITERATIONS.symbol("t")
# the power iterate x_t = (W^T W)^t x_0 / sigma_1^{2t} in the basis v_1, v_2: (a, b (sigma_2/sigma_1)^{2t})
XT = sp.Matrix([a0, b0 * (1 + gap) ** (-2 * it)])
RAYLEIGH = (XT.T * sp.diag(s1**2, s2**2) * XT)[0] / (XT.T * XT)[0]

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
    Eq(WN1, 1, evaluate=False),
    text=r"spectral normalisation $W/\sigma_1$ has spectral norm $1$ (the bound divided by $\sigma_1^2$, "
    r"attained at $\mathbf{v}_1$)",
)
POWER_ITERATION = Statement(
    "power iteration",
    Eq(Limit(RAYLEIGH, it, sp.oo), s1**2),
    text=r"power iteration $\mathbf{x}_{t+1} \propto W^\top W\mathbf{x}_t$ from any $\mathbf{x}_0$ with "
    r"$a = \mathbf{v}_1^\top\mathbf{x}_0 \ne 0$: the Rayleigh quotient "
    r"$\mathbf{x}_t^\top W^\top W\mathbf{x}_t/\mathbf{x}_t^\top\mathbf{x}_t \to \sigma_1^2$",
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
    the whole network is $1$-Lipschitz. The bound and its attainment hold for any size, in the eigenbasis of
    $W^\top W$; in the worked examples, normalisation and power iteration $W = U\,\mathrm{diag}(\sigma_1,
    \sigma_2)\,V^\top$ is a general $2\times 2$ matrix ($U$, $V$ Cayley rotations), with
    $\sigma_2 = \sigma_1/(1 + \gamma)$, $\gamma > 0$ the relative spectral gap that sets the speed of power
    iteration."""
    rayleigh_bound_n(d, "bound")
    rayleigh_attained_n(d, "attained")

    scope = "for a 2 x 2 matrix"
    d.begin(
        WY,
        r"any $\mathbf{x}$ is $V\mathbf{y}$ with $\lVert\mathbf{x}\rVert = \lVert\mathbf{y}\rVert$",
        scope=scope,
        title="Worked example: a 2 x 2 matrix",
    )
    d.then(s1**2 * YN[0] ** 2 + s2**2 * YN[1] ** 2, r"$WV\mathbf{y} = U\Sigma\mathbf{y}$ and $U$ keeps lengths")
    d.bound(s1**2 * (YN[0] ** 2 + YN[1] ** 2), r"$\sigma_2 = \sigma_1/(1 + \gamma) \le \sigma_1$")
    d.keep("bound 2x2")
    d.finish()

    d.begin(WV1, r"$\mathbf{v}_1$, the first column of $V$", scope=scope, title="Worked example: attained, 2 x 2")
    d.then(lambda e: sp.cancel(e.doit()), r"$W\mathbf{v}_1 = \sigma_1\mathbf{u}_1$")
    d.finish()

    d.begin(WN1, r"divide by $\sigma_1$", scope=scope)
    d.then(lambda e: sp.cancel(e.doit()), r"$(W/\sigma_1)\mathbf{v}_1 = \mathbf{u}_1$")
    d.conclude("normalised")

    d.begin(
        Limit(RAYLEIGH, it, sp.oo),
        r"in the basis $\mathbf{v}_1, \mathbf{v}_2$, $(W^\top W)^t\mathbf{x}_0 = (\sigma_1^{2t}a, \sigma_2^{2t}b)$; "
        r"divided by $\sigma_1^{2t}$ (the quotient does not see the scale) it is $(a, b(1 + \gamma)^{-2t})$",
        scope=scope,
    )
    d.then(lambda e: e.doit(), r"\texttt{sympy.limit}: $(1 + \gamma)^{-4t} \to 0$")
    d.conclude("power iteration")


# -- how it is checked -----------------------------------------------------------------------------
def crosscheck(ctx: CheckContext) -> CrossCheckResult:
    """Random W: numpy.linalg.norm(W, 2) against sqrt(lambda_max(W^T W)) (eigvalsh), power iteration, and
    2000 random directions (never above it); W/sigma_max has norm 1; the derived bound at the samples."""
    rng = ctx.rng
    results = []
    for m, n in ((8, 5), (20, 20), (5, 30)):
        w = rng.normal(size=(m, n))
        two = np.asarray(np.linalg.norm(w, 2))
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
                np.asarray(power_iteration(w, rng, 2000)),
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
            ctx.compare(
                f"||W/sigma_max||_2, {m}x{n}",
                "numpy.linalg.norm",
                np.asarray(np.linalg.norm(w / two, 2)),
                np.asarray(1.0),
                rtol=1e-12,
            )
        )
    values = ctx.sample(64)
    wy = ctx.evaluate(WY.args[1], values, 64)
    bound = ctx.evaluate(ctx.values["bound 2x2"], values, 64)
    results.append(ctx.bound("||W V y||^2 - bound at the samples", "numpy", float(np.max(wy - bound)), 1e-9))
    return combine(*results)


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
        US: CAYLEY,
        VS: CAYLEY,
        **entry_domains(YN, COORD),
        a0: START,
        b0: COORD,
        it: ITERATIONS,
        **RAYLEIGH_N_VARS,
    },
    claim=CLAIM,
    also=(ATTAINED, NORMALISED, POWER_ITERATION),
    derivation=derivation,
    crosscheck=crosscheck,
    question=QUESTION,
    refs=REFS,
    builds_on=("singular-spectrum",),
)
