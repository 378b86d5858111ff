r"""1.3 SVD: low-rank updates, best approximations, pseudoinverses, ridge filters and randomised SVD.

Every matrix here is explicit. A general matrix with a known SVD is written
$A = U\Sigma V^\top$ with $U$, $V$ *Cayley rotations* $(I - S)(I + S)^{-1}$ of a skew-symmetric $S$
(:func:`~derive.moves.matrices.cayley_orthogonal`): their entries are rational in a few parameters,
so $U^\top U = I$ and every identity built on it is proved by ``cancel``, with no trigonometry. The
singular values are symbols $\sigma_1 \ge \sigma_2 \ge \dots > 0$ sampled in order; SymPy's
assumptions cannot state the order, so the few links that use it are verified at 30 digits and the
sheets say so. Parts that are statements about *all* matrices (Eckart--Young optimality, the
randomised-SVD error bound) are checked numerically against numpy.linalg and say so.
"""

from __future__ import annotations

import itertools

import numpy as np
import sympy as sp
from sympy import Eq, Le, Limit, Sum
from sympy.combinatorics import Permutation

from derive.core.derivation import Derivation
from derive.core.identity import Question, Ref, identity
from derive.core.statements import Statement, numerically
from derive.maths.domains import integer, nonnegative, positive, real
from derive.maths.matrices import (
    backprop_form,
    cayley_orthogonal,
    entry_domains,
    fraction_form,
    frobenius_sq,
    rect_diag,
    singular_values,
    svd_form,
    symbol_matrix,
    symbol_vector,
)
from derive.maths.notation import notation
from derive.numeric.crosscheck import CheckContext, CrossCheckResult, combine
from derive.numeric.linalg import gradient_fd, low_rank, truncated_svd, with_spectrum

ENTRY = real(-3, 3)
ANGLE = real(-2, 2)  # Cayley parameters: every rotation without eigenvalue -1 has them


def _params(name: str, count: int) -> list[sp.Symbol]:
    return [ANGLE.symbol(f"{name}{i + 1}") for i in range(count)]


def _leibniz_halves(m: sp.MatrixBase) -> tuple[sp.Expr, sp.Expr]:
    r"""The Leibniz expansion of :math:`\det M` split into its even and odd permutations, unexpanded:
    :math:`\det M = 0` says the two halves are equal."""
    n = m.rows
    even, odd = [], []
    for perm in itertools.permutations(range(n)):
        term = sp.Mul(*(m[i, perm[i]] for i in range(n)))
        (even if Permutation(list(perm)).is_even else odd).append(term)
    return sp.Add(*even), sp.Add(*odd)


def _at_samples(ctx: CheckContext, exprs: list[sp.Basic], n: int) -> list[np.ndarray]:
    """The expressions at ``n`` samples of the identity's variables (matrices: shape ``(n, rows, cols)``)."""
    values = ctx.sample(n)
    return [np.asarray(ctx.evaluate(e, values, n), dtype=float) for e in exprs]


# ============================================================================================ LoRA
D_, R_, K_ = 3, 2, 2  # gradients; the rank statement uses k = 3 so that r = 2 < min(d, k)
Bm = symbol_matrix("B", D_, R_, ENTRY)
A3 = symbol_matrix("A", R_, 3, ENTRY)
Am = A3[:, :K_]
Gm = symbol_matrix("G", D_, K_, ENTRY)
DW = Bm * Am
d_dim, k_dim = integer(1, 4096).symbol("d"), integer(1, 4096).symbol("k")
r_dim = integer(1, 64).symbol("r")
iL, jL, sL = sp.symbols("i j s", integer=True, positive=True)
EVEN, ODD = _leibniz_halves(Bm * A3)
INIT = notation(r"BA\,\big|_{B = 0}", (Bm * Am).subs({e: 0 for e in Bm}), "BA at B = 0")
DET_EVEN = notation(r"\sum_{\pi\ \mathrm{even}} \prod_i (BA)_{i\pi(i)}", EVEN, "det(BA) even half")
DET_ODD = notation(r"\sum_{\pi\ \mathrm{odd}} \prod_i (BA)_{i\pi(i)}", ODD, "det(BA) odd half")


def _logcosh_loss(w0: np.ndarray, t: np.ndarray, b: np.ndarray, a: np.ndarray) -> float:
    """The check's loss L(Delta W) = sum log cosh(W0 + B A - T), from its definition."""
    return float(np.sum(np.log(np.cosh(w0 + b @ a - t))))


def _lora_check(ctx: CheckContext) -> CrossCheckResult:
    """Rank of random B A by numpy; central differences of a log-cosh loss in B and A against the
    derived 3x2 form and, at larger sizes, against G A^T and B^T G; the parameter count."""
    rng = ctx.rng
    results = []
    for d, k, r in ((40, 30, 4), (64, 64, 8)):
        rank = np.linalg.matrix_rank(low_rank(rng, d, k, r))
        results.append(ctx.compare(f"rank of BA, {d}x{k}, r = {r}", "numpy.linalg.matrix_rank", rank, r, rtol=0.0))
    f = sp.lambdify([*Bm, *Am, *Gm], ctx.result, "numpy")
    got, want = [], []
    for _ in range(10):
        w0, t = rng.normal(size=(D_, K_)), rng.normal(size=(D_, K_))
        b, a = rng.normal(size=(D_, R_)), rng.normal(size=(R_, K_))
        g = np.tanh(w0 + b @ a - t)  # dL/d(Delta W) of the log-cosh loss, entry by entry
        got.append(np.asarray(f(*b.ravel(), *a.ravel(), *g.ravel()), dtype=float))
        want.append(gradient_fd(lambda x, w0=w0, t=t, a=a: _logcosh_loss(w0, t, x, a), b))
    results.append(ctx.compare("derived 3x2 dL/dB", "central differences", np.array(got), np.array(want), rtol=1e-6))
    d, k, r = 12, 9, 3
    w0, t, b, a = rng.normal(size=(d, k)), rng.normal(size=(d, k)), rng.normal(size=(d, r)), rng.normal(size=(r, k))
    g = np.tanh(w0 + b @ a - t)
    fd_b = gradient_fd(lambda x: _logcosh_loss(w0, t, x, a), b)
    fd_a = gradient_fd(lambda x: _logcosh_loss(w0, t, b, x), a)
    results.append(ctx.compare("dL/dB = G A^T, 12x9, r = 3", "central differences", g @ a.T, fd_b, rtol=1e-6))
    results.append(ctx.compare("dL/dA = B^T G, 12x9, r = 3", "central differences", b.T @ g, fd_a, rtol=1e-6))
    results.append(ctx.compare("parameters of B and A", "counted", b.size + a.size, r * (d + k), rtol=0.0))
    return combine(*results)


@identity(
    "lora-low-rank",
    title="LoRA: a low-rank update and its gradients",
    section="1.3",
    map_row=r"$A = U\Sigma V^\top$: low-rank weight decomposition, LoRA (Hu et al., 2022): $\Delta W = BA$",
    variables={
        **entry_domains([*Bm, *A3, *Gm], ENTRY),
        d_dim: integer(1, 4096),
        k_dim: integer(1, 4096),
        r_dim: integer(1, 64),
    },
    claim=Statement(
        "dL/dB",
        Eq(notation(r"\frac{\partial L}{\partial B}", backprop_form(Gm, DW, Bm), "dL/dB"), Gm * Am.T, evaluate=False),
        text=r"$\partial L/\partial B = G A^\top$ with $G = \partial L/\partial(\Delta W)$",
    ),
    also=[
        Statement(
            "dL/dA",
            Eq(
                notation(r"\frac{\partial L}{\partial A}", backprop_form(Gm, DW, Am), "dL/dA"),
                Bm.T * Gm,
                evaluate=False,
            ),
            text=r"$\partial L/\partial A = B^\top G$",
        ),
        Statement(
            "init",
            Eq(INIT, sp.zeros(D_, K_), evaluate=False),
            text=r"with $B = 0$ at initialisation $\Delta W = 0$: fine-tuning starts exactly at $W_0$",
        ),
        Statement(
            "rank",
            Eq(DET_EVEN, DET_ODD, evaluate=False),
            text=r"$\det(BA) = 0$: the even and odd halves of the Leibniz expansion agree, so the "
            r"$3\times 3$ update $BA$ with $r = 2$ has rank at most $2$",
        ),
        Statement(
            "parameters",
            Eq(
                Sum(1, (iL, 1, d_dim), (sL, 1, r_dim)) + Sum(1, (sL, 1, r_dim), (jL, 1, k_dim)), r_dim * (d_dim + k_dim)
            ),
            text=r"$B$ and $A$ hold $r(d + k)$ numbers instead of the $dk$ of $\Delta W$",
        ),
    ],
    crosscheck=_lora_check,
    question=Question(
        target=r_dim * (d_dim + k_dim),
        prompt=r"A LoRA adapter replaces the update $\Delta W \in \mathbb{R}^{d\times k}$ of a frozen weight by "
        r"$BA$ with $B \in \mathbb{R}^{d\times r}$, $A \in \mathbb{R}^{r\times k}$. How many numbers does it train?",
        approximations={
            r"that is the size of the full update $\Delta W$; the adapter trains only $B$ and $A$": d_dim * k_dim,
            r"$B$ has $dr$ and $A$ has $rk$ entries: they add, they do not multiply": r_dim * d_dim * k_dim,
            r"the rank $r$ multiplies both factors: $r(d + k)$": d_dim + k_dim,
        },
    ),
    refs=(
        Ref.arxiv(
            "2106.09685", "E. J. Hu et al., LoRA: Low-Rank Adaptation of Large Language Models, 2021", "Sec. 4.1"
        ),
    ),
)
def lora_low_rank(d: Derivation) -> None:
    r"""LoRA freezes a pretrained weight $W_0 \in \mathbb{R}^{d\times k}$ and learns an update
    $\Delta W = BA$ with $B \in \mathbb{R}^{d\times r}$, $A \in \mathbb{R}^{r\times k}$ and $r \ll \min(d, k)$.
    The update has rank at most $r$ and costs $r(d + k)$ parameters instead of $dk$ (for $d = k = 4096$,
    $r = 8$: $0.4\%$). With $B = 0$ at initialisation $\Delta W = 0$, so fine-tuning starts exactly at $W_0$.
    Backpropagation only needs $G = \partial L/\partial(\Delta W)$: by the chain rule the two factors get
    $G A^\top$ and $B^\top G$."""
    scope = "for d = 3, r = 2, k = 2; other sizes in the cross-check"
    d.begin(
        backprop_form(Gm, DW, Bm),
        r"chain rule: $\partial L/\partial B_{ab} = \sum_{ij} G_{ij}\,\partial(\Delta W)_{ij}/\partial B_{ab}$",
        scope=scope,
    )
    d.then(
        lambda e: e.doit(),
        r"$(\Delta W)_{ij} = \sum_s B_{is}A_{sj}$, so $\partial(\Delta W)_{ij}/\partial B_{ab} = [i = a]\,A_{bj}$",
    )
    d.then(Gm * Am.T, r"$\sum_j G_{aj}A_{bj} = (GA^\top)_{ab}$")
    d.conclude("dL/dB")

    d.begin(backprop_form(Gm, DW, Am), r"chain rule in the entries of $A$", scope=scope)
    d.then(lambda e: e.doit(), r"$\partial(\Delta W)_{ij}/\partial A_{ab} = B_{ia}\,[j = b]$")
    d.then(Bm.T * Gm, r"$\sum_i B_{ia}G_{ib} = (B^\top G)_{ab}$")
    d.conclude("dL/dA")

    d.begin(INIT, r"LoRA initialises $B = 0$ (and $A$ at random)", scope=scope)
    d.then(lambda e: e.doit(), r"every entry $\sum_s B_{is}A_{sj}$ has the factor $B_{is} = 0$")
    d.conclude("init")

    d.begin(DET_EVEN, r"even permutations in the Leibniz expansion of $\det(BA)$", scope="for d = k = 3, r = 2")
    d.then(
        DET_ODD, r"multiplied out, with $(BA)_{ij} = B_{i1}A_{1j} + B_{i2}A_{2j}$: the same polynomial as the odd half"
    )
    d.note(
        r"A $3\times 3$ matrix that is a product through an inner dimension $2$ is singular; in general every "
        r"$(r+1)\times(r+1)$ minor of $BA$ vanishes, which is $\operatorname{rank}(BA) \le r$."
    )
    d.conclude("rank")

    d.begin(
        Sum(1, (iL, 1, d_dim), (sL, 1, r_dim)) + Sum(1, (sL, 1, r_dim), (jL, 1, k_dim)),
        r"count the entries of $B$ and $A$",
    )
    d.then(lambda e: e.doit(), "evaluate the sums")
    d.then(sp.factor, "factor")
    d.conclude("parameters")


# ==================================================================================== Eckart-Young
SIG2, SIG2_DOM = singular_values(2)
UP, VP = _params("u", 3), _params("v", 1)
A_EY, U_EY, S_EY, V_EY = svd_form(SIG2, 3, 2, UP, VP)
A1_EY = SIG2[0] * U_EY[:, 0] * V_EY[:, 0].T
YV = symbol_vector("y", 2, ENTRY)  # coordinates of x = V y in the right singular basis
YSQ = [y**2 for y in YV]
ERR = fraction_form(A_EY - A1_EY)
FRO_ERR = notation(r"\lVert A - A_1 \rVert_F^2", frobenius_sq(ERR), "||A - A_1||_F^2")
FRO_DIAG = notation(
    r"\lVert \Sigma - \Sigma_1 \rVert_F^2", frobenius_sq(S_EY - rect_diag(SIG2[:1], 3, 2)), "||S - S_1||_F^2"
)
ERR_X = notation(r"\lVert (A - A_1)V\mathbf{y} \rVert^2", frobenius_sq(ERR * V_EY * YV), "||(A - A_1) V y||^2")
ERR_V2 = notation(r"\lVert (A - A_1)\mathbf{v}_2 \rVert^2", frobenius_sq(ERR * V_EY[:, 1]), "||(A - A_1) v_2||^2")


def _ey_errors(ctx: CheckContext) -> CrossCheckResult:
    """The derived Frobenius error at sampled 3x2 matrices, against numpy: A_1 from numpy's own SVD."""
    n = 64
    a, res = _at_samples(ctx, [A_EY, ctx.result], n)
    got = np.array([np.linalg.norm(m - truncated_svd(m, 1), "fro") ** 2 for m in a])
    return ctx.compare("||A - A_1||_F^2, 3x2", "numpy.linalg.svd", got, res, rtol=1e-9)


def _ey_optimal(ctx: CheckContext) -> CrossCheckResult:
    r"""Random A (9x7, k = 1, 2, 3): both errors of A_k against sigma_{k+1} and the tail sum, and no random
    rank-k matrix, nor any small perturbation of A_k within rank k, is closer in either norm."""
    rng = ctx.rng
    results = []
    worst = -np.inf
    for k in (1, 2, 3):
        a = rng.normal(size=(9, 7))
        s = np.linalg.svd(a, compute_uv=False)
        ak = truncated_svd(a, k)
        fro, two = np.linalg.norm(a - ak, "fro"), np.linalg.norm(a - ak, 2)
        results.append(ctx.compare(f"||A - A_{k}||_F^2 = tail sum", "numpy", fro**2, np.sum(s[k:] ** 2), rtol=1e-10))
        results.append(ctx.compare(f"||A - A_{k}||_2 = sigma_{k + 1}", "numpy", two, s[k], rtol=1e-10))
        u, _, vt = np.linalg.svd(a, full_matrices=False)
        for trial in range(400):
            if trial % 2:
                x = low_rank(rng, 9, 7, k)
                x *= np.linalg.norm(ak) / np.linalg.norm(x)
            else:
                eps = 10.0 ** rng.uniform(-6, -1)
                p = (u[:, :k] + eps * rng.normal(size=(9, k))) * s[:k]
                x = p @ (vt[:k] + eps * rng.normal(size=(k, 7)))
            # how much closer than A_k the competitor gets (negative: not closer)
            worst = max(worst, fro - np.linalg.norm(a - x, "fro"), two - np.linalg.norm(a - x, 2))
    results.append(
        ctx.bound("no rank-k competitor is closer", "1200 random and perturbed rank-k matrices", worst, 1e-12)
    )
    return combine(*results)


@identity(
    "eckart-young",
    aliases=("eckart-young-mirsky",),
    title="Eckart-Young: the best rank-k approximation",
    section="1.3",
    map_row=r"Eckart--Young theorem: optimal rank-$k$ approximation (matrix factorisation for recommenders)",
    variables={**SIG2_DOM, **entry_domains([*UP, *VP], ANGLE), **entry_domains(YV, ENTRY)},
    claim=Statement(
        "Frobenius",
        Eq(FRO_ERR, SIG2[1] ** 2, evaluate=False),
        text=r"$A_1 = \sigma_1\mathbf{u}_1\mathbf{v}_1^\top$ misses $A$ by the dropped $\sigma_2^2$ in squared "
        r"Frobenius norm",
    ),
    also=[
        Statement(
            "spectral bound",
            Le(ERR_X, SIG2[1] ** 2 * sp.Add(*YSQ), evaluate=False),
            text=r"$\lVert (A - A_1)\mathbf{x}\rVert \le \sigma_2\lVert\mathbf{x}\rVert$ for every "
            r"$\mathbf{x} = V\mathbf{y}$ ($\lVert\mathbf{x}\rVert = \lVert\mathbf{y}\rVert$)",
        ),
        Statement(
            "attained",
            Eq(ERR_V2, SIG2[1] ** 2, evaluate=False),
            text=r"with equality at $\mathbf{x} = \mathbf{v}_2$: so $\lVert A - A_1\rVert_2 = \sigma_2$",
        ),
        numerically(
            "optimal",
            r"the errors are $\sum_{i > k}\sigma_i^2$ and $\sigma_{k+1}$ for every $k$, and no matrix of rank $k$ is "
            r"closer to $A$ than $A_k$, in Frobenius or spectral norm (random $9\times 7$ matrices, $k = 1, 2, 3$, "
            r"$1200$ random and perturbed rank-$k$ competitors)",
            _ey_optimal,
        ),
    ],
    crosscheck=_ey_errors,
    question=Question(
        target=SIG2[1] ** 2,
        prompt=r"$A \in \mathbb{R}^{3\times 2}$ has singular values $\sigma_1 \ge \sigma_2$. What is "
        r"$\lVert A - A_1\rVert_F^2$ for the best rank-one approximation $A_1$?",
        names={"sigma1": SIG2[0], "sigma2": SIG2[1]},
        approximations={
            r"that is the error of the rank-zero approximation, $\lVert A\rVert_F^2$": SIG2[0] ** 2 + SIG2[1] ** 2,
            r"that is $\lVert A - A_1\rVert_2$, a norm, not its square": SIG2[1],
        },
    ),
    refs=(
        Ref.book(
            "C. Eckart and G. Young, The approximation of one matrix by another of lower rank, Psychometrika 1, 1936"
        ),
        Ref.book("L. Mirsky, Symmetric gauge functions and unitarily invariant norms, Q. J. Math. 11, 1960"),
        Ref.book("G. H. Golub and C. F. Van Loan (2013), Matrix Computations, 4th ed.", "Sec. 2.4"),
    ),
)
def eckart_young(d: Derivation) -> None:
    r"""Truncating the SVD, $A_k = \sum_{i \le k}\sigma_i\mathbf{u}_i\mathbf{v}_i^\top$, gives the best rank-$k$
    approximation of $A$: the error is $\lVert A - A_k\rVert_F^2 = \sum_{i > k}\sigma_i^2$ in Frobenius norm and
    $\sigma_{k+1}$ in spectral norm, and no rank-$k$ matrix does better. It is why PCA, truncated-SVD
    compression of weight matrices and low-rank recommenders keep the top singular directions. The
    derivation takes a general $3\times 2$ matrix $A = U\Sigma V^\top$ ($U$, $V$ Cayley rotations with
    parameters $u_i$, $v_1$) and $k = 1$; optimality over all rank-$k$ matrices is checked numerically."""
    scope = "for a 3 x 2 matrix and k = 1"
    d.begin(
        FRO_ERR, r"$A - A_1 = U(\Sigma - \Sigma_1)V^\top$ with $\Sigma_1 = \mathrm{diag}(\sigma_1, 0)$", scope=scope
    )
    d.then(FRO_DIAG, r"$\lVert U M V^\top\rVert_F = \lVert M\rVert_F$ for orthogonal $U$, $V$")
    d.then(lambda e: e.doit(), r"the only nonzero entry of $\Sigma - \Sigma_1$ is $\sigma_2$")
    d.conclude("Frobenius")

    d.begin(
        ERR_X, r"any $\mathbf{x}$ is $V\mathbf{y}$ with $\lVert\mathbf{y}\rVert = \lVert\mathbf{x}\rVert$", scope=scope
    )
    d.then(SIG2[1] ** 2 * YSQ[1], r"$(A - A_1)V\mathbf{y} = U(\Sigma - \Sigma_1)\mathbf{y} = \sigma_2 y_2\mathbf{u}_2$")
    d.bound(SIG2[1] ** 2 * sp.Add(*YSQ), r"add $\sigma_2^2 y_1^2 \ge 0$")
    d.conclude("spectral bound")

    d.begin(ERR_V2, r"$\mathbf{v}_2$, the second column of $V$", scope=scope)
    d.then(
        lambda e: sp.cancel(e.doit()),
        r"$(A - A_1)\mathbf{v}_2 = \sigma_2\mathbf{u}_2$ and $\lVert\mathbf{u}_2\rVert = 1$",
    )
    d.conclude("attained")


# ======================================================================= pseudoinverse, least squares
a_ls, b_ls = symbol_vector("a", 3, ENTRY), symbol_vector("b", 3, ENTRY)
x_ls = real(-5, 5).symbol("x")
RSS = frobenius_sq(a_ls * x_ls - b_ls)
SP = [positive(5).symbol("sigma1")]
UPP, VPP = _params("u", 1), _params("v", 1)
A_P, U_P, S_P, V_P = svd_form([SP[0], 0], 2, 2, UPP, VPP)  # rank one: A has no inverse
S_PLUS = rect_diag([1 / SP[0], 0], 2, 2)
A_PLUS = V_P * S_PLUS * U_P.T
A_SHOW, A_PLUS_SHOW = A_P.applyfunc(sp.factor), A_PLUS.applyfunc(sp.factor)
PROJ_SHOW = (U_P[:, 0] * U_P[:, 0].T).applyfunc(sp.factor)
PENROSE = notation(r"A A^{+} A", A_P * A_PLUS * A_P, "A A+ A")
PENROSE2 = notation(r"A^{+} A A^{+}", A_PLUS * A_P * A_PLUS, "A+ A A+")
PROJ = notation(r"A A^{+}", A_P * A_PLUS, "A A+")
A_FULL = symbol_matrix("a", 3, 2, ENTRY)
t_null = real(-3, 3).symbol("t")
B2 = sp.Matrix(b_ls[:2])
X_ALL = A_PLUS * B2 + t_null * V_P[:, 1]  # A^+ b plus any vector of the null space span(v_2)
RESID = notation(
    r"\lVert A(A^{+}\mathbf{b} + t\mathbf{v}_2) - \mathbf{b}\rVert^2",
    frobenius_sq(fraction_form(A_P * X_ALL - B2)),
    "residual",
)
RESID_VALUE = sp.factor((U_P[:, 1].T * B2)[0]) ** 2
NORM_ALL = notation(
    r"\lVert A^{+}\mathbf{b} + t\mathbf{v}_2\rVert^2", frobenius_sq(fraction_form(X_ALL)), "||A+ b + t v_2||^2"
)
NORM_VALUE = sp.factor((U_P[:, 0].T * B2)[0]) ** 2 / SP[0] ** 2 + t_null**2
LEFT_INV = notation(r"(A^\top A)^{-1}A^\top A", (A_FULL.T * A_FULL).inv() * A_FULL.T * A_FULL, "(A^T A)^-1 A^T A")


def _ls_check(ctx: CheckContext) -> CrossCheckResult:
    """numpy.linalg.lstsq for the one-feature problem; pinv / lstsq / the SVD formula at random
    full-rank and rank-deficient sizes."""
    rng = ctx.rng
    a, b, x = _at_samples(ctx, [a_ls, b_ls, ctx.result], 64)
    got = np.array([np.linalg.lstsq(a[i], b[i], rcond=None)[0].item() for i in range(64)])
    results = [ctx.compare("one feature, 64 samples", "numpy.linalg.lstsq", got, x.reshape(-1), rtol=1e-10)]
    for m, n, r in ((20, 5, 5), (20, 6, 3), (7, 9, 4)):
        a = low_rank(rng, m, n, r)
        bb = rng.normal(size=m)
        u, s, vt = np.linalg.svd(a, full_matrices=False)
        s_plus = np.where(s > 1e-10 * s[0], 1 / np.where(s > 0, s, 1), 0.0)
        formula = vt.T @ np.diag(s_plus) @ u.T
        results.append(
            ctx.compare(f"V S+ U^T, {m}x{n} rank {r}", "numpy.linalg.pinv", formula, np.linalg.pinv(a), rtol=1e-9)
        )
        results.append(
            ctx.compare(
                f"A+ b, {m}x{n} rank {r}",
                "numpy.linalg.lstsq",
                formula @ bb,
                np.linalg.lstsq(a, bb, rcond=None)[0],
                rtol=1e-8,
            )
        )
        if r == n:
            normal = np.linalg.solve(a.T @ a, a.T @ bb)
            results.append(
                ctx.compare(f"normal equations, {m}x{n}", "numpy.linalg.solve", normal, formula @ bb, rtol=1e-8)
            )
    return combine(*results)


def _min_norm(ctx: CheckContext) -> CrossCheckResult:
    """Rank-deficient A: every other least-squares solution A+ b + z (z in the null space) has the
    same residual and a larger norm."""
    rng = ctx.rng
    worst_norm, worst_res = -np.inf, 0.0
    for _ in range(20):
        a = low_rank(rng, 8, 6, 3)
        b = rng.normal(size=8)
        x = np.linalg.pinv(a) @ b
        null = np.linalg.svd(a)[2][3:].T  # basis of the null space of A
        for _ in range(50):
            y = x + null @ rng.normal(size=3) * 10.0 ** rng.uniform(-4, 1)
            worst_norm = max(worst_norm, np.linalg.norm(x) - np.linalg.norm(y))
            worst_res = max(worst_res, abs(np.linalg.norm(a @ y - b) - np.linalg.norm(a @ x - b)))
    return combine(
        ctx.bound("A+ b is the shortest solution", "1000 null-space shifts", worst_norm, 0.0),
        ctx.bound("the shifts keep the residual", "1000 null-space shifts", worst_res, 1e-10),
    )


def _pinv_checks(ctx: CheckContext) -> CrossCheckResult:
    """Least squares against numpy, and the minimum norm of A+ b at larger rank-deficient sizes."""
    return combine(_ls_check(ctx), _min_norm(ctx))


@identity(
    "pseudoinverse-least-squares",
    aliases=("normal-equations", "pseudoinverse"),
    title="The pseudoinverse solves least squares",
    section="1.3",
    map_row=r"Pseudoinverse $A^{+}$: least-squares solution, normal equations",
    variables={
        **entry_domains([*a_ls, *b_ls, *A_FULL], ENTRY),
        x_ls: real(-5, 5),
        t_null: real(-3, 3),
        SP[0]: positive(5),
        **entry_domains([*UPP, *VPP], ANGLE),
    },
    claim=Statement(
        "normal equations",
        Eq(x_ls, (a_ls.T * b_ls)[0] / (a_ls.T * a_ls)[0]),
        text=r"the minimiser of $\lVert \mathbf{a}x - \mathbf{b}\rVert^2$ is $x = (\mathbf{a}^\top\mathbf{a})^{-1}"
        r"\mathbf{a}^\top\mathbf{b}$ (one feature)",
    ),
    also=[
        Statement(
            "A A+ A = A",
            Eq(PENROSE, A_SHOW, evaluate=False),
            text=r"for a rank-one $2\times 2$ matrix $A = U\Sigma V^\top$, $A^{+} = V\Sigma^{+}U^\top$ satisfies "
            r"$AA^{+}A = A$",
        ),
        Statement(
            "A+ A A+ = A+",
            Eq(PENROSE2, A_PLUS_SHOW, evaluate=False),
            text=r"and $A^{+}AA^{+} = A^{+}$",
        ),
        Statement(
            "A A+ projects",
            Eq(PROJ, PROJ_SHOW, evaluate=False),
            text=r"$AA^{+} = \mathbf{u}_1\mathbf{u}_1^\top$ is the orthogonal projector onto the range of $A$ "
            r"(symmetric; likewise $A^{+}A = \mathbf{v}_1\mathbf{v}_1^\top$): the four Penrose conditions",
        ),
        Statement(
            "full column rank",
            Eq(LEFT_INV, sp.eye(2), evaluate=False),
            text=r"for a $3\times 2$ matrix of full column rank, $(A^\top A)^{-1}A^\top$ is a left inverse; with "
            r"$A(A^\top A)^{-1}A^\top$ symmetric it meets the Penrose conditions, so it is $A^{+}$",
        ),
        Statement(
            "same residual",
            Eq(RESID, RESID_VALUE, evaluate=False),
            text=r"for the rank-one $A$ every $A^{+}\mathbf{b} + t\mathbf{v}_2$ ($A\mathbf{v}_2 = 0$) leaves the same "
            r"residual $(\mathbf{u}_2^\top\mathbf{b})^2$, whatever $t$: all of them are least-squares solutions",
        ),
        Statement(
            "minimum norm",
            Eq(NORM_ALL, NORM_VALUE, evaluate=False),
            text=r"their squared length is $(\mathbf{u}_1^\top\mathbf{b}/\sigma_1)^2 + t^2$, smallest at $t = 0$: "
            r"$A^{+}\mathbf{b}$ is the minimum-norm solution",
        ),
    ],
    crosscheck=_pinv_checks,
    question=Question(
        target=(a_ls.T * b_ls)[0] / (a_ls.T * a_ls)[0],
        prompt=r"Minimise $\sum_{i=1}^{3} (a_i x - b_i)^2$ over $x \in \mathbb{R}$.",
        approximations={
            r"the normal equation divides by $\mathbf{a}^\top\mathbf{a}$, not by $\mathbf{a}^\top\mathbf{b}$": (
                a_ls.T * a_ls
            )[0]
            / (a_ls.T * b_ls)[0],
            r"the mean of $b_i/a_i$ is not the least-squares solution": sum(b_ls[i] / a_ls[i] for i in range(3)) / 3,
        },
    ),
    refs=(
        Ref.book("R. Penrose, A generalized inverse for matrices, Proc. Cambridge Philos. Soc. 51, 1955"),
        Ref.book("G. H. Golub and C. F. Van Loan (2013), Matrix Computations, 4th ed.", "Sec. 5.5"),
    ),
)
def pseudoinverse_least_squares(d: Derivation) -> None:
    r"""Least squares, $\min_{\mathbf{x}}\lVert A\mathbf{x} - \mathbf{b}\rVert^2$, is linear regression. Setting
    the gradient $2A^\top(A\mathbf{x} - \mathbf{b})$ to zero gives the normal equations
    $A^\top A\mathbf{x} = A^\top\mathbf{b}$; with the SVD $A = U\Sigma V^\top$ their solution (the shortest one
    when $A$ is rank-deficient) is $A^{+}\mathbf{b}$ with $A^{+} = V\Sigma^{+}U^\top$, $\Sigma^{+}$ inverting the
    nonzero singular values. Below: the one-feature case solved by SymPy; the Penrose conditions and the
    minimum-norm property for a rank-one $2\times 2$ matrix $A = U\Sigma V^\top$ ($U$, $V$ Cayley rotations),
    which has no inverse; and the full-rank formula for a general $3\times 2$ matrix."""
    aa, ab = (a_ls.T * a_ls)[0], (a_ls.T * b_ls)[0]
    d.begin(sp.Derivative(RSS, x_ls), r"the gradient of $\sum_i (a_i x - b_i)^2$")
    d.then(lambda e: e.doit(), "differentiate")
    d.then(2 * (aa * x_ls - ab), r"collect: $2(\mathbf{a}^\top\mathbf{a}\,x - \mathbf{a}^\top\mathbf{b})$")
    d.begin(sp.Eq(2 * (aa * x_ls - ab), 0), "stationarity")
    d.solve(x_ls, r"solve $\mathbf{a}^\top\mathbf{a}\,x = \mathbf{a}^\top\mathbf{b}$, the normal equation")
    d.note(
        r"The objective is a convex parabola in $x$ ($\mathbf{a}^\top\mathbf{a} > 0$), "
        r"so the stationary point is the minimum."
    )
    d.conclude("normal equations")

    scope = "for a 2 x 2 matrix of rank 1"
    d.begin(PENROSE, r"$A = U\Sigma V^\top$, $A^{+} = V\Sigma^{+}U^\top$", scope=scope)
    d.then(
        lambda e: fraction_form(e.doit()).applyfunc(sp.factor),
        r"multiply out: $V^\top V = I$, $U^\top U = I$ leave $U\Sigma\Sigma^{+}\Sigma V^\top$, "
        r"and $\Sigma\Sigma^{+}\Sigma = \Sigma$",
    )
    d.conclude("A A+ A = A")

    d.begin(PENROSE2, r"the same cancellations", scope=scope)
    d.then(
        lambda e: fraction_form(e.doit()).applyfunc(sp.factor),
        r"multiply out: $V\Sigma^{+}\Sigma\Sigma^{+}U^\top$ and $\Sigma^{+}\Sigma\Sigma^{+} = \Sigma^{+}$",
    )
    d.conclude("A+ A A+ = A+")

    d.begin(PROJ, r"$A A^{+} = U\Sigma V^\top V\Sigma^{+}U^\top$", scope=scope)
    d.then(
        lambda e: fraction_form(e.doit()).applyfunc(sp.factor),
        r"multiply out: $U\Sigma\Sigma^{+}U^\top$ with $\Sigma\Sigma^{+} = \mathrm{diag}(1, 0)$ "
        r"is $\mathbf{u}_1\mathbf{u}_1^\top$",
    )
    d.conclude("A A+ projects")

    d.begin(RESID, r"$A\mathbf{v}_2 = U\Sigma V^\top\mathbf{v}_2 = 0$", scope=scope)
    d.then(
        RESID_VALUE,
        r"$AA^{+}\mathbf{b} - \mathbf{b} = -\mathbf{u}_2\mathbf{u}_2^\top\mathbf{b}$: no $t$ left",
    )
    d.conclude("same residual")

    d.begin(NORM_ALL, r"$A^{+}\mathbf{b} = \mathbf{v}_1\,\mathbf{u}_1^\top\mathbf{b}/\sigma_1$", scope=scope)
    d.then(NORM_VALUE, r"Pythagoras: $\mathbf{v}_1 \perp \mathbf{v}_2$, both of length $1$")
    d.conclude("minimum norm")

    d.begin(LEFT_INV, r"explicit $3\times 2$ matrix $A$", scope="for a 3 x 2 matrix")
    d.then(lambda e: e.doit().applyfunc(sp.cancel), r"invert the $2\times 2$ Gram matrix and cancel")
    d.conclude("full column rank")


def _inverse(m: sp.MatrixBase) -> sp.Matrix:
    """``adj(M) / det(M)``, unsimplified (cheap on explicit rational entries)."""
    return m.adjugate() / m.det(method="berkowitz")


# ========================================================================================= ridge
lam = positive(10).symbol("lambda")
SVAL = positive(5, lo=sp.Rational(1, 2))  # away from 0: the diagonal statements compare entries to a scale
SR = [SVAL.symbol("sigma1"), SVAL.symbol("sigma2")]
UR, VR = _params("u", 1), _params("v", 1)
X_R, U_R, S_R, V_R = svd_form(SR, 2, 2, UR, VR)
RIDGE = notation(
    r"V^\top (X^\top X + \lambda I)^{-1} X^\top U",
    V_R.T * _inverse(X_R.T * X_R + lam * sp.eye(2)) * X_R.T * U_R,
    "V^T (X^T X + lambda I)^-1 X^T U",
)
FILTER = sp.Matrix(2, 2, lambda i, j: SR[i] / (SR[i] ** 2 + lam) if i == j else 0)
sig = positive(5).symbol("sigma")
LIMITS = sp.Matrix(2, 2, lambda i, j: Limit(FILTER[i, j], lam, 0, "+") if i == j else 0)


def _ridge_check(ctx: CheckContext) -> CrossCheckResult:
    """numpy.linalg.solve of the ridge normal equations against the SVD filter (numpy's SVD), at the
    sampled 2x2 matrices and at random sizes; a tiny lambda against numpy.linalg.pinv."""
    rng = ctx.rng
    x, u, v, lv, f = _at_samples(ctx, [X_R, U_R, V_R, lam, ctx.result], 64)
    direct = np.array([v[i].T @ np.linalg.solve(x[i].T @ x[i] + lv[i] * np.eye(2), x[i].T) @ u[i] for i in range(64)])
    results = [ctx.compare("derived filter, 2x2", "numpy.linalg.solve", f, direct, rtol=1e-9)]
    for m, n in ((30, 6), (8, 12), (50, 50)):
        xm, y, lmb = rng.normal(size=(m, n)), rng.normal(size=m), 10.0 ** rng.uniform(-2, 1)
        uu, s, vt = np.linalg.svd(xm, full_matrices=False)
        svd_form_ = vt.T @ ((s / (s**2 + lmb)) * (uu.T @ y))
        ridge = np.linalg.solve(xm.T @ xm + lmb * np.eye(n), xm.T @ y)
        results.append(ctx.compare(f"ridge, {m}x{n}", "numpy.linalg.solve", svd_form_, ridge, rtol=1e-9))
        tiny = vt.T @ ((s / (s**2 + 1e-12)) * (uu.T @ y))
        results.append(
            ctx.compare(f"lambda = 1e-12, {m}x{n}", "numpy.linalg.pinv", tiny, np.linalg.pinv(xm) @ y, rtol=1e-6)
        )
    return combine(*results)


@identity(
    "ridge-svd",
    title="Ridge regression through the SVD",
    section="1.3",
    map_row=r"Pseudoinverse $A^{+}$; ridge regression $(X^\top X + \lambda I)^{-1}X^\top y$ filters singular values",
    variables={**{s: SVAL for s in SR}, lam: positive(10), sig: positive(5), **entry_domains([*UR, *VR], ANGLE)},
    claim=Statement(
        "filter",
        Eq(RIDGE, FILTER, evaluate=False),
        text=r"$(X^\top X + \lambda I)^{-1}X^\top\mathbf{y} = "
        r"V\,\mathrm{diag}\bigl(\sigma_i/(\sigma_i^2 + \lambda)\bigr)\,U^\top\mathbf{y}$: "
        r"ridge shrinks each singular direction by its own factor",
    ),
    also=[
        Statement(
            "limit",
            Eq(Limit(sig / (sig**2 + lam), lam, 0, "+"), 1 / sig),
            text=r"as $\lambda \to 0^{+}$ the factor tends to $1/\sigma$ (and is $0$ for $\sigma = 0$ at every "
            r"$\lambda$), the factor of the pseudoinverse",
        ),
        Statement(
            "ridge -> pinv",
            Eq(LIMITS, rect_diag([1 / s for s in SR], 2, 2), evaluate=False),
            text=r"so the ridge solution tends to $V\Sigma^{+}U^\top\mathbf{y} = X^{+}\mathbf{y}$",
        ),
    ],
    crosscheck=_ridge_check,
    question=Question(
        target=sig / (sig**2 + lam),
        prompt=r"Ridge regression $\hat{\mathbf{w}} = (X^\top X + \lambda I)^{-1}X^\top\mathbf{y}$ written in the SVD "
        r"$X = U\Sigma V^\top$ multiplies $\mathbf{u}_i^\top\mathbf{y}$ by a factor before mapping back with "
        r"$\mathbf{v}_i$. What is the factor for a singular value $\sigma$?",
        names={"lam": lam},
        approximations={
            r"the sign of $\lambda$ is wrong: ridge adds $\lambda$ to $\sigma^2$": sig / (sig**2 - lam),
            r"that is the factor of the fitted values $X\hat{\mathbf{w}}$ (the hat matrix), "
            r"not of $\hat{\mathbf{w}}$": sig**2 / (sig**2 + lam),
            r"$\lambda$ is added to $\sigma^2$, not to $\sigma$": 1 / (sig + lam),
        },
    ),
    refs=(
        Ref.book(
            "A. E. Hoerl and R. W. Kennard, Ridge regression: biased estimation for nonorthogonal problems, "
            "Technometrics 12, 1970"
        ),
        Ref.book("T. Hastie, R. Tibshirani and J. Friedman (2009), The Elements of Statistical Learning", "Sec. 3.4.1"),
    ),
    builds_on=("pseudoinverse-least-squares",),
)
def ridge_svd(d: Derivation) -> None:
    r"""Ridge regression (L2-regularised least squares, weight decay for a linear model) solves
    $(X^\top X + \lambda I)\mathbf{w} = X^\top\mathbf{y}$. In the SVD $X = U\Sigma V^\top$ it becomes a \emph{filter}:
    the component of $\mathbf{y}$ along $\mathbf{u}_i$ is multiplied by $\sigma_i/(\sigma_i^2 + \lambda)$, which is
    $\approx 1/\sigma_i$ for large singular values and $\approx \sigma_i/\lambda \to 0$ for small ones, so noisy
    directions are damped instead of amplified. As $\lambda \to 0^{+}$ ridge becomes the pseudoinverse.
    Derived for a $2\times 2$ matrix $X = U\Sigma V^\top$ ($U$, $V$ Cayley rotations); the statement in the
    rotated frame, $V^\top(\cdot)U$, is the claim multiplied by the orthogonal $V^\top$ and $U$."""
    d.begin(RIDGE, r"substitute $X = U\Sigma V^\top$", scope="for a 2 x 2 matrix X")
    d.then(
        lambda e: (S_R.T * S_R + lam * sp.eye(2)).inv() * S_R.T,
        r"$X^\top X + \lambda I = V(\Sigma^\top\Sigma + \lambda I)V^\top$ and $X^\top U = V\Sigma^\top$, "
        r"so the rotations cancel: $(\Sigma^\top\Sigma + \lambda I)^{-1}\Sigma^\top$",
    )
    d.conclude("filter")

    d.begin(Limit(sig / (sig**2 + lam), lam, 0, "+"), r"one filter factor")
    d.then(lambda e: e.doit(), r"\texttt{sympy.limit}: the denominator tends to $\sigma^2 > 0$")
    d.conclude("limit")

    d.begin(LIMITS, r"the filter, entry by entry", scope="for a 2 x 2 matrix X")
    d.then(lambda e: e.doit(), r"\texttt{sympy.limit} of each factor")
    d.conclude("ridge -> pinv")


# =========================================================================== singular spectrum
SW, SW_DOM = singular_values(2)
UW, VW = _params("u", 3), _params("v", 1)
W_S, U_S, S_S, V_S = svd_form(SW, 3, 2, UW, VW)
FRO_W = notation(r"\lVert W \rVert_F^2", frobenius_sq(W_S), "||W||_F^2")
TRACE_W = notation(r"\operatorname{tr}(W^\top W)", (W_S.T * W_S).trace(), "tr(W^T W)")
GRAM_W = notation(r"V^\top W^\top W V", V_S.T * W_S.T * W_S * V_S, "V^T W^T W V")
# the order sigma_1 >= sigma_2 in a form SymPy's assumptions can use: sigma_1 = sigma_2 + delta, delta >= 0
DELTA_W = nonnegative(3).symbol("delta")
STABLE = ((SW[1] + DELTA_W) ** 2 + SW[1] ** 2) / (SW[1] + DELTA_W) ** 2


def _spectrum_check(ctx: CheckContext) -> CrossCheckResult:
    """numpy norms, eigvalsh of W^T W and matrix_rank for random W of several shapes; the derived
    Frobenius norm at the sampled 3x2 matrices."""
    rng = ctx.rng
    w, res = _at_samples(ctx, [W_S, ctx.result], 64)
    got = np.array([np.linalg.norm(m, "fro") ** 2 for m in w])
    results = [ctx.compare("||W||_F^2 at the sampled 3x2 W", "numpy.linalg.norm", got, res, rtol=1e-10)]
    for m, n, r in ((20, 10, 10), (10, 25, 10), (30, 30, 7)):
        wm = low_rank(rng, m, n, r)
        s = np.linalg.svd(wm, compute_uv=False)
        results.append(
            ctx.compare(
                f"Frobenius, {m}x{n}", "numpy.linalg.norm", np.linalg.norm(wm, "fro") ** 2, np.sum(s**2), rtol=1e-10
            )
        )
        eig = np.sort(np.linalg.eigvalsh(wm.T @ wm))[::-1][: min(m, n)]
        results.append(
            ctx.compare(f"eig(W^T W), {m}x{n}", "numpy.linalg.eigvalsh", eig, s**2, rtol=1e-9, floor=s[0] ** 2)
        )
        stable = np.linalg.norm(wm, "fro") ** 2 / np.linalg.norm(wm, 2) ** 2
        results.append(
            ctx.bound(
                f"stable rank - rank, {m}x{n}", "numpy.linalg.matrix_rank", stable - np.linalg.matrix_rank(wm), 1e-12
            )
        )
    return combine(*results)


@identity(
    "singular-spectrum",
    aliases=("stable-rank",),
    title="The singular spectrum: Frobenius norm, Gram eigenvalues, stable rank",
    section="1.3",
    map_row=r"Singular value spectrum: weight matrix health (WeightWatcher, Martin \& Mahoney, 2021)",
    variables={**SW_DOM, DELTA_W: nonnegative(3), **entry_domains([*UW, *VW], ANGLE)},
    claim=Statement(
        "Frobenius",
        Eq(FRO_W, SW[0] ** 2 + SW[1] ** 2, evaluate=False),
        text=r"$\lVert W\rVert_F^2 = \operatorname{tr}(W^\top W) = \sum_i \sigma_i^2$",
    ),
    also=[
        Statement(
            "eigenvalues",
            Eq(GRAM_W, rect_diag([s**2 for s in SW], 2, 2), evaluate=False),
            text=r"$W^\top W = V\,\mathrm{diag}(\sigma_i^2)\,V^\top$: its eigenvalues are $\sigma_i^2$, its "
            r"eigenvectors the right singular vectors",
        ),
        Statement(
            "stable rank",
            Le(STABLE, 2),
            text=r"the stable rank $\lVert W\rVert_F^2/\lVert W\rVert_2^2 = \sum_i\sigma_i^2/\sigma_1^2$ is at most "
            r"$\operatorname{rank} W = 2$ (the order written $\sigma_1 = \sigma_2 + \delta$, $\delta \ge 0$)",
        ),
    ],
    crosscheck=_spectrum_check,
    question=Question(
        target=SW[0] ** 2 + SW[1] ** 2,
        prompt=r"A weight matrix $W$ has singular values $\sigma_1, \sigma_2$. What is $\lVert W\rVert_F^2$?",
        names={"sigma1": SW[0], "sigma2": SW[1]},
        approximations={
            r"that is the nuclear norm $\lVert W\rVert_*$; the Frobenius norm adds squares": SW[0] + SW[1],
            r"that is $\lVert W\rVert_2^2$, the largest term only": SW[0] ** 2,
        },
    ),
    refs=(
        Ref.arxiv(
            "1810.01075",
            "C. H. Martin and M. W. Mahoney, Implicit Self-Regularization in Deep Neural Networks: Evidence from "
            "Random Matrix Theory and Implications for Learning, 2018 (JMLR 2021)",
        ),
        Ref.book("G. H. Golub and C. F. Van Loan (2013), Matrix Computations, 4th ed.", "Sec. 2.4"),
    ),
)
def singular_spectrum(d: Derivation) -> None:
    r"""The singular values of a weight matrix summarise its health: WeightWatcher fits the spectrum of
    $W^\top W$ (the squared singular values) and tracks norms built from it. The Frobenius norm is the
    energy $\sum_i\sigma_i^2$, the spectral norm is $\sigma_1$, and their ratio, the \emph{stable rank}, is a
    robust count of the directions that matter (never more than the rank). Derived for a general
    $3\times 2$ matrix $W = U\Sigma V^\top$ ($U$, $V$ Cayley rotations)."""
    scope = "for a 3 x 2 matrix"
    d.begin(FRO_W, r"the sum of squared entries", scope=scope)
    d.then(TRACE_W, r"$\sum_{ij}W_{ij}^2 = \sum_j (W^\top W)_{jj}$")
    d.then(
        SW[0] ** 2 + SW[1] ** 2,
        r"$\operatorname{tr}(V\Sigma^\top U^\top U\Sigma V^\top) = \operatorname{tr}(\Sigma^\top\Sigma)$",
    )
    d.conclude("Frobenius")

    d.begin(GRAM_W, r"$W V = U\Sigma$", scope=scope)
    d.then(S_S.T * S_S, r"$U^\top U = I$ and $V^\top V = I$ leave $\Sigma^\top\Sigma$")
    d.conclude("eigenvalues")

    d.begin(STABLE, r"$\lVert W\rVert_2 = \sigma_1$ (see \textsf{spectral-norm}), $\sigma_1 = \sigma_2 + \delta$")
    d.then(lambda e: 2 - sp.factor(2 - e), r"$2$ minus the gap, factored")
    d.bound(2, r"$\delta \ge 0$ and $\sigma_2 > 0$: the subtracted term is $\ge 0$")
    d.conclude("stable rank")


# ============================================================================== randomised SVD
QP = _params("q", 3)
Q_R = cayley_orthogonal(QP, 3)[:, :2]  # an orthonormal basis of range(Y), Y = A Omega, k + p = 2 columns
UB = cayley_orthogonal(_params("w", 1), 2)  # left singular vectors of B = Q^T A
LIFT = notation(r"(Q U_B)^\top (Q U_B)", (Q_R * UB).T * (Q_R * UB), "(Q U_B)^T (Q U_B)")
# one sketch column: q = stereographic unit vector (the first column of a Cayley rotation with one angle zero)
QA, QB = ANGLE.symbol("a"), ANGLE.symbol("b")
q1 = sp.Matrix([1 - QA**2 - QB**2, 2 * QA, 2 * QB]) / (1 + QA**2 + QB**2)
P_R = (q1 * q1.T).applyfunc(sp.factor)
CV = symbol_vector("c", 3, ENTRY)
A_R = (q1 * CV.T).applyfunc(sp.factor)  # rank one, range(A) = span(q)
PSQ = notation(r"P^2", q1 * q1.T * q1 * q1.T, "P^2")
PA = notation(r"P A", q1 * q1.T * q1 * CV.T, "P A")
k_rs, p_rs = integer(1, 100).symbol("k"), integer(2, 20).symbol("p")


def _rsvd_core(a: np.ndarray, rng: np.random.Generator, k: int, p: int) -> tuple[np.ndarray, np.ndarray]:
    """Halko-Martinsson-Tropp stage A and B: Q = orth(A Omega), B = Q^T A; returns Q and B."""
    q, _ = np.linalg.qr(a @ rng.normal(size=(a.shape[1], k + p)))
    return q, q.T @ a


def _rsvd_check(ctx: CheckContext) -> CrossCheckResult:
    """Random matrices of rank <= k + p: Q Q^T A = A and the lifted SVD Q U_B Sigma V^T against
    numpy.linalg.svd (singular values, and the reconstruction)."""
    rng = ctx.rng
    results = []
    for m, n, r, k, p in ((60, 40, 8, 6, 2), (100, 80, 5, 5, 5), (30, 50, 10, 8, 4)):
        a = low_rank(rng, m, n, r)
        q, b = _rsvd_core(a, rng, k, p)
        results.append(
            ctx.compare(f"Q Q^T A = A, rank {r}, k + p = {k + p}", "numpy.linalg.qr", q @ (q.T @ a), a, rtol=1e-10)
        )
        ub, s, vt = np.linalg.svd(b, full_matrices=False)
        exact = np.linalg.svd(a, compute_uv=False)[: k + p]
        results.append(
            ctx.compare(f"singular values, {m}x{n}", "numpy.linalg.svd", s, exact, rtol=1e-9, floor=exact[0])
        )
        results.append(
            ctx.compare(f"(Q U_B) S V^T = A, {m}x{n}", "numpy.linalg.svd", ((q @ ub) * s) @ vt, a, rtol=1e-10)
        )
        results.append(
            ctx.compare(
                f"(Q U_B)^T (Q U_B) = I, {m}x{n}", "numpy", (q @ ub).T @ (q @ ub), np.eye(k + p), rtol=1e-12, floor=1.0
            )
        )
    return combine(*results)


def _rsvd_bound(ctx: CheckContext) -> CrossCheckResult:
    r"""Full-rank matrices with decaying spectra: the mean of ||A - Q Q^T A||_F over 300 Gaussian test
    matrices (plus 5 standard errors) stays under (1 + k/(p - 1))^{1/2} (sum_{j > k} sigma_j^2)^{1/2}."""
    rng = ctx.rng
    results = []
    for m, n, k, p, decay in ((60, 40, 5, 5, 0.7), (80, 60, 10, 3, 0.85), (50, 50, 4, 2, 0.5)):
        sig = decay ** np.arange(min(m, n))
        a = with_spectrum(rng, m, n, sig)
        errs = []
        for _ in range(300):
            q, _ = _rsvd_core(a, rng, k, p)
            errs.append(np.linalg.norm(a - q @ (q.T @ a), "fro"))
        errs = np.asarray(errs)
        bound = np.sqrt(1 + k / (p - 1)) * np.sqrt(np.sum(sig[k:] ** 2))
        upper = errs.mean() + 5 * errs.std(ddof=1) / np.sqrt(len(errs))
        results.append(
            ctx.bound(f"E||A - QQ^T A||_F / bound, k = {k}, p = {p}", "Monte Carlo, 300 draws", upper / bound, 1.0)
        )
    return combine(*results)


@identity(
    "randomized-svd",
    aliases=("randomised-svd",),
    title="Randomised SVD: projection, exact recovery, error bound",
    section="1.3",
    map_row=r"Randomised SVD: scalable approximation (Halko, Martinsson \& Tropp, 2011)",
    variables=entry_domains([*QP, *UB.free_symbols, QA, QB], ANGLE)
    | entry_domains(CV, ENTRY)
    | {k_rs: integer(1, 100), p_rs: integer(2, 20)},
    claim=Statement(
        "projector",
        Eq(PSQ, P_R, evaluate=False),
        text=r"$P = QQ^\top$ with orthonormal $Q = \operatorname{orth}(A\Omega)$ is idempotent, $P^2 = P$ (and "
        r"symmetric by its form): the orthogonal projector onto $\operatorname{range}(Y)$; here one column "
        r"$Q = \mathbf{q}$",
    ),
    also=[
        Statement(
            "exact recovery",
            Eq(PA, A_R, evaluate=False),
            text=r"if $\operatorname{rank}A \le k + p$, then $\operatorname{range}(A\Omega) = \operatorname{range}(A)$ "
            r"(almost surely) and $QQ^\top A = A$: here $A = \mathbf{q}\mathbf{c}^\top$ for any $\mathbf{c}$",
        ),
        Statement(
            "lift",
            Eq(LIFT, sp.eye(2), evaluate=False),
            text=r"with the SVD $B = Q^\top A = U_B\Sigma V^\top$, the lifted $U = QU_B$ has orthonormal columns, so "
            r"$A = QB = (QU_B)\Sigma V^\top$ is an SVD of $A$",
        ),
        numerically(
            "error bound",
            r"for full-rank $A$: $\mathbb{E}\lVert A - QQ^\top A\rVert_F \le (1 + k/(p - 1))^{1/2}"
            r"(\sum_{j > k}\sigma_j^2)^{1/2}$ (Gaussian $\Omega$ with $k + p$ columns; Monte Carlo, three spectra)",
            _rsvd_bound,
        ),
    ],
    crosscheck=_rsvd_check,
    question=Question(
        target=sp.sqrt(1 + k_rs / (p_rs - 1)),
        prompt=r"Randomised SVD samples $k + p$ columns $Y = A\Omega$ (Gaussian $\Omega$, $p \ge 2$). By what factor "
        r"can $\mathbb{E}\lVert A - QQ^\top A\rVert_F$ exceed the best rank-$k$ error "
        r"$(\sum_{j > k}\sigma_j^2)^{1/2}$ (Halko, Martinsson and Tropp)?",
        approximations={
            r"the oversampling enters as $p - 1$, not $p$": sp.sqrt(1 + k_rs / p_rs),
            r"the factor is a square root: $(1 + k/(p-1))^{1/2}$": 1 + k_rs / (p_rs - 1),
        },
    ),
    refs=(
        Ref.arxiv(
            "0909.4061",
            "N. Halko, P.-G. Martinsson and J. A. Tropp, Finding structure with randomness: probabilistic algorithms "
            "for constructing approximate matrix decompositions, SIAM Review 53, 2011",
            "Sec. 1.3 (algorithm), Thm. 10.5 (bound)",
        ),
    ),
    builds_on=("eckart-young",),
)
def randomized_svd(d: Derivation) -> None:
    r"""Randomised SVD sketches the range of a large $A$ with a Gaussian test matrix: $Y = A\Omega$ with
    $k + p$ columns, $Q = \operatorname{orth}(Y)$, then a small SVD of $B = Q^\top A$. Everything rests on
    $P = QQ^\top$ being the orthogonal projector onto $\operatorname{range}(Y)$: when $A$ has rank at most
    $k + p$ the sketch captures its range and $A = QQ^\top A$ exactly, and the small SVD lifts to one of $A$.
    Otherwise the error exceeds the optimal $(\sum_{j>k}\sigma_j^2)^{1/2}$ (Eckart--Young) by a factor
    $(1 + k/(p-1))^{1/2}$ in expectation, checked here by Monte Carlo. $Q$ is the first two columns of a
    $3\times 3$ Cayley rotation (parameters $q_i$), $U_B$ a $2\times 2$ one (parameter $w_1$); the single sketch column
    $\mathbf{q} = (1 - a^2 - b^2, 2a, 2b)/(1 + a^2 + b^2)$ is a general unit vector."""
    scope = "for one sketch column in three dimensions"
    d.begin(PSQ, r"$P^2 = \mathbf{q}(\mathbf{q}^\top\mathbf{q})\mathbf{q}^\top$", scope=scope)
    d.then(lambda e: e.doit().applyfunc(sp.factor), r"$\mathbf{q}^\top\mathbf{q} = 1$: multiply out and factor")
    d.conclude("projector")

    d.begin(
        PA, r"$A = \mathbf{q}\mathbf{c}^\top$: the columns of $A$ lie in $\operatorname{span}(\mathbf{q})$", scope=scope
    )
    d.then(
        lambda e: e.doit().applyfunc(sp.factor),
        r"$\mathbf{q}\mathbf{q}^\top\mathbf{q}\mathbf{c}^\top = \mathbf{q}\mathbf{c}^\top$",
    )
    d.conclude("exact recovery")

    d.begin(LIFT, r"$U_B^\top (Q^\top Q) U_B$", scope="for Q with 3 rows and k + p = 2 columns")
    d.then(lambda e: (UB.T * UB).applyfunc(sp.cancel), r"$Q^\top Q = I$")
    d.then(lambda e: e.applyfunc(sp.cancel), r"$U_B^\top U_B = I$")
    d.conclude("lift")
