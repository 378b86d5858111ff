r"""The nuclear norm and its proximal operator.

The nuclear norm $\lVert A\rVert_* = \operatorname{tr}\sqrt{A^\top A} = \sum_i\sigma_i$ is to rank what the L1 norm
is to the number of nonzeros, its convex surrogate; its proximal operator soft-thresholds the singular values,
$U\max(\Sigma - \tau, 0)V^\top$, which is why penalising it gives low-rank solutions (map 1.4, nuclear norm:
low-rank inductive bias, matrix completion). Candes and Recht (2009), Exact matrix completion via convex
optimization; Cai, Candes and Shen (2008), A Singular Value Thresholding Algorithm, Thm. 2.1.
"""

from __future__ import annotations

import numpy as np
import sympy as sp
from sympy import Abs, Eq, Ge, Limit

from derive.authoring import (
    CheckContext,
    CrossCheckResult,
    Derivation,
    Question,
    Ref,
    Statement,
    combine,
    declare,
    integer,
    nonnegative,
    notation,
    positive,
    real,
)
from derive.core.facts import ORTHOGONAL_INVARIANCE, SVD_ORTHONORMAL, VON_NEUMANN_TRACE
from derive.maths.svd import SINGULAR_VALUES, SIZES, a, b, c, collapsed, delta, gram_entry, p, sigma
from derive.numeric.linalg import low_rank

from ._shared import SINGULAR

# -- symbols ---------------------------------------------------------------------------------------
# A = U Sigma V^T with p = min(m, n) singular values sigma_a >= 0 (any rank), in its singular bases (derive.maths.svd)
n1, n2 = SINGULAR.symbol("sigma1"), SINGULAR.symbol("sigma2")  # the question's 2 x 2 case
TAU = positive(3)
tau = TAU.symbol("tau")
e_ = sp.Symbol("e", integer=True, positive=True)
xI = sp.IndexedBase("x", real=True)  # a candidate X = U diag(x) V^T sharing the singular vectors of A
xiI = sp.IndexedBase("xi", nonnegative=True)  # the singular values of any candidate X
omega = sp.Symbol("omega", nonnegative=True)  # sum_a xi_a sigma_a - tr(X^T A) >= 0: von Neumann's trace inequality
GRAM_A = notation(r"(V^\top A^\top A\, V)_{ab}", gram_entry(sigma, a, b, c, p), "(V^T A^T A V)_ab")
# tr sqrt(A^T A) = tr(V D V^T) = sum_{c,e} D_ec (V^T V)_ce with D = diag(sqrt(sigma_e^2)) (the root, below)
NUC = notation(
    r"\operatorname{tr}\sqrt{A^\top A}",
    sp.Sum(delta(e_, c) * sp.sqrt(sigma[e_] ** 2) * delta(c, e_), (e_, 1, p), (c, 1, p)),
    "tr sqrt(A^T A)",
)
NUC_SUM = sp.Sum(sigma[c], (c, 1, p))
PROX_OBJ = notation(
    r"\tfrac12\lVert U\operatorname{diag}(\mathbf{x})V^\top - A\rVert_F^2"
    r" + \tau\lVert U\operatorname{diag}(\mathbf{x})V^\top\rVert_*",
    sp.Sum((xI[a] - sigma[a]) ** 2 * delta(a, b) ** 2, (b, 1, p), (a, 1, p)) / 2 + tau * sp.Sum(Abs(xI[a]), (a, 1, p)),
    "prox objective",
)
SEPARATED = sp.Sum((xI[a] - sigma[a]) ** 2 / 2 + tau * Abs(xI[a]), (a, 1, p))
ANY_OBJ = notation(
    r"\tfrac12\lVert X - A\rVert_F^2 + \tau\lVert X\rVert_*",
    sp.Sum(xiI[a] ** 2, (a, 1, p)) / 2
    - (sp.Sum(xiI[a] * sigma[a], (a, 1, p)) - omega)
    + sp.Sum(sigma[a] ** 2, (a, 1, p)) / 2
    + tau * sp.Sum(xiI[a], (a, 1, p)),
    "prox objective at any X",
)
ANY_SEPARATED = sp.Sum((xiI[a] - sigma[a]) ** 2 / 2 + tau * xiI[a], (a, 1, p))
# one coordinate: argmin_t (t - s)^2/2 + tau |t| for a singular value s >= 0
sv = sp.Symbol("sigma_a", nonnegative=True)
t_pos = sp.Symbol("t", positive=True)
OBJ_T = (t_pos - sv) ** 2 / 2 + tau * t_pos
SOFT_CASES = sp.Piecewise((sv - tau, sv > tau), (0, True))

# -- what is claimed -------------------------------------------------------------------------------
CLAIM = Statement(
    "trace of the root",
    Eq(NUC, NUC_SUM, evaluate=False),
    text=r"$\lVert A\rVert_* = \operatorname{tr}\sqrt{A^\top A} = \sum_i\sigma_i$, for any $m\times n$ matrix of any "
    r"rank ($p = \min(m, n)$ singular values; $\operatorname{tr}(VDV^\top) = \sum_{c,e}D_{ec}(V^\top V)_{ce}$)",
)
ROOT_OF_GRAM = Statement(
    "root",
    Eq(GRAM_A, sigma[a] ** 2 * delta(a, b), evaluate=False),
    text=r"$A^\top A = V\,\mathrm{diag}(\sigma_i^2)\,V^\top$ for any size, and $\mathrm{diag}(\sigma_i)^2$ is the same "
    r"product with $\Sigma = \mathrm{diag}(\sigma_i)$: the positive semidefinite square root is "
    r"$V\,\mathrm{diag}(\sigma_i)\,V^\top$",
)
SEPARABLE = Statement(
    "separable",
    Eq(PROX_OBJ, SEPARATED, evaluate=False),
    text=r"for candidates $X = U\operatorname{diag}(\mathbf{x})V^\top$ sharing the singular vectors of $A$ "
    r"(with $\lVert X\rVert_* = \sum_i\lvert x_i\rvert$) the prox objective splits into one "
    r"\textsf{l1-soft-threshold} problem per singular value, for any size",
)
ANY_X = Statement(
    "any X",
    Ge(ANY_OBJ, ANY_SEPARATED, evaluate=False),
    text=r"for \emph{every} $X$ with singular values $\xi_a$: "
    r"$\operatorname{tr}(X^\top A) = \sum_a\xi_a\sigma_a - \omega$ "
    r"with $\omega \ge 0$ (von Neumann's trace inequality, cited), so the objective is at least its value at "
    r"$U\operatorname{diag}(\boldsymbol\xi)V^\top$, which shares the singular vectors of $A$",
)
PROX = Statement(
    "prox",
    Eq(SOFT_CASES, sp.Max(sv - tau, 0)),
    text=r"each singular value's problem $\operatorname{argmin}_t \tfrac12(t - \sigma_a)^2 + \tau\lvert t\rvert$, "
    r"$\sigma_a \ge 0$, solved case by case, is $\max(\sigma_a - \tau, 0)$: "
    r"$\operatorname{prox}_{\tau\lVert\cdot\rVert_*}(A) = U\max(\Sigma - \tau, 0)V^\top$",
)


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


# -- the homework question, and where the identity comes from --------------------------------------
QUESTION = Question(
    target=n1 + n2,
    prompt=r"A matrix has singular values $\sigma_1, \sigma_2$. What is its nuclear norm $\lVert A\rVert_*$?",
    names={"sigma1": n1, "sigma2": n2},
    approximations={
        r"that is $\lVert A\rVert_F^2$: the nuclear norm adds the singular values, not their squares": n1**2 + n2**2,
        r"that is the Frobenius norm": sp.sqrt(n1**2 + n2**2),
        r"that is the spectral norm, the largest singular value only": n1,
    },
)
REFS = (
    Ref.cite("candes2009"),
    Ref.cite("cai2008", where="Thm. 2.1"),
)


# -- how it is derived -----------------------------------------------------------------------------
def derivation(d: Derivation) -> None:
    r"""The nuclear norm $\lVert A\rVert_* = \sum_i\sigma_i$ is to rank what the L1 norm is to the number of
    nonzeros: its convex surrogate. Penalising it (matrix completion, low-rank regularisation of weight
    updates) gives low-rank solutions because its proximal operator soft-thresholds the singular values,
    setting the small ones exactly to zero (singular value thresholding). Everything is derived for any
    $m\times n$ matrix of any rank in the coordinates of its singular bases (the SVD, cited); that the minimiser
    shares the singular vectors of $A$ rests on von Neumann's trace inequality (cited), and each singular value's
    problem is solved case by case as in \textsf{l1-soft-threshold}."""
    d.begin(GRAM_A, r"$AV = U\Sigma$ and $U^\top U = I$: $V^\top A^\top AV = \Sigma^\top\Sigma$")
    d.assume(SVD_ORTHONORMAL)
    d.then(collapsed, r"$\Sigma_{ca} = \sigma_a\delta_{ca}$: the Kronecker deltas collapse the sum")
    d.then(sigma[a] ** 2 * delta(a, b), r"$\delta_{ab}\sigma_a\sigma_b = \sigma_a^2\delta_{ab}$")
    d.conclude("root")

    d.begin(NUC, r"$\sqrt{A^\top A} = VDV^\top$, $D = \mathrm{diag}(\sqrt{\sigma_e^2})$ (above), $V^\top V = I$")
    d.assume(SVD_ORTHONORMAL)
    d.then(collapsed, r"the Kronecker deltas collapse the sums; $\sqrt{\sigma_e^2} = \sigma_e$ for $\sigma_e \ge 0$")
    d.conclude("trace of the root")

    d.begin(PROX_OBJ, r"$X - A = U(\operatorname{diag}(\mathbf{x}) - \Sigma)V^\top$")
    d.assume(ORTHOGONAL_INVARIANCE)
    d.then(collapsed, r"$\lVert UMV^\top\rVert_F = \lVert M\rVert_F$ and $M$ is diagonal: the deltas collapse")
    d.then(SEPARATED, r"one scalar problem per singular value")
    d.conclude("separable")

    d.begin(
        ANY_OBJ, r"$\lVert X - A\rVert_F^2 = \lVert X\rVert_F^2 - 2\operatorname{tr}(X^\top A) + \lVert A\rVert_F^2$"
    )
    d.assume(VON_NEUMANN_TRACE)
    d.then(ANY_SEPARATED + omega, r"collect the sums: $\tfrac12(\xi_a - \sigma_a)^2 + \tau\xi_a$ per singular value")
    d.bound(ANY_SEPARATED, r"drop $\omega \ge 0$", relation=">=")
    d.conclude("any X")

    _soft_threshold(d)


def _soft_threshold(d: Derivation) -> None:
    r"""argmin_t (t - s)^2/2 + tau |t| for s >= 0: the stationary point on t > 0, the slope t - s - tau < 0 on
    t < 0 (no minimiser there), the one-sided slopes at the kink t = 0."""
    d.begin(Eq(sp.Derivative(OBJ_T, t_pos), 0), r"on $t > 0$, where $\lvert t\rvert = t$", title="Case t > 0")
    d.then(lambda e: e.doit(), "differentiate")
    d.solve(t_pos, "solve for $t$")
    root = d.last.rhs
    valid = sp.reduce_inequalities(root > 0, sv)
    d.note(rf"The stationary point ${sp.latex(root)}$ lies in the case exactly when ${sp.latex(valid)}$.")
    d.finish()
    t_neg = sp.Symbol("t", negative=True)
    d.begin(
        sp.Derivative((t_neg - sv) ** 2 / 2 - tau * t_neg, t_neg),
        r"on $t < 0$, where $\lvert t\rvert = -t$",
        title="Case t < 0",
    )
    d.then(lambda e: e.doit(), "differentiate")
    d.bound(0, r"$t < 0$, $\sigma_a \ge 0$, $\tau > 0$", relation="<")
    d.note(r"The objective decreases on all of $t < 0$: no minimiser there.")
    d.finish()
    tt = sp.Symbol("t", real=True)
    objective = (tt - sv) ** 2 / 2 + tau * Abs(tt)
    slopes = []
    for direction in ("+", "-"):
        d.begin(Limit(sp.Derivative(objective, tt), tt, 0, direction), title=f"Case t = 0, slope from {direction}")
        d.then(lambda e: e.doit(), r"$\frac{d}{dt}\lvert t\rvert = \operatorname{sign}(t)$, then the one-sided limit")
        slopes.append(d.last)
        d.finish()
    at_zero = sp.reduce_inequalities([slopes[1] <= 0, slopes[0] >= 0], sv)
    d.begin(
        sp.Piecewise((root, valid), (0, True)),
        rf"the cases: at $t = 0$ the slopes are ${sp.latex(slopes[1])} \le 0 \le {sp.latex(slopes[0])}$ exactly when "
        rf"${sp.latex(at_zero)}$, the remaining $\sigma_a$",
    )
    d.then(sp.Max(sv - tau, 0), r"one formula: shrink $\sigma_a$ by $\tau$ and clamp at $0$")
    d.conclude("prox")


# -- how it is checked -----------------------------------------------------------------------------
def crosscheck(ctx: CheckContext) -> CrossCheckResult:
    """numpy.linalg.norm(A, 'nuc') against tr sqrt(A^T A) computed by eigvalsh and against the derived
    sum of the singular values at random sizes and ranks; the prox against random perturbations."""
    rng = ctx.rng
    assert ctx.result is not None
    results = []
    for rows, cols, rank in ((6, 4, 4), (10, 10, 3), (3, 8, 3), (7, 5, 1)):
        am = low_rank(rng, rows, cols, rank)
        root_trace = np.sum(np.sqrt(np.clip(np.linalg.eigvalsh(am.T @ am), 0.0, None)))
        s = np.linalg.svd(am, compute_uv=False)
        form = ctx.result.subs(p, len(s)).doit().xreplace({sigma[i + 1]: float(v) for i, v in enumerate(s)})
        nuc = np.asarray(np.linalg.norm(am, "nuc"))
        results.append(
            ctx.compare(f"tr sqrt(A^T A), {rows}x{cols}", "numpy.linalg.eigvalsh", root_trace, nuc, rtol=1e-7)
        )
        results.append(
            ctx.compare(
                f"derived ||A||_*, {rows}x{cols}", "numpy.linalg.norm", np.asarray(float(form)), nuc, rtol=1e-10
            )
        )
    return combine(*results, _prox_check(ctx))


# -- the declaration -------------------------------------------------------------------------------
NUCLEAR_NORM = declare(
    "nuclear-norm",
    aliases=("trace-norm",),
    title="The nuclear norm and its proximal operator",
    section="1.4",
    map_row=r"$\lVert A\rVert_*$ (nuclear): low-rank inductive bias, matrix completion",
    variables={
        n1: SINGULAR,
        n2: SINGULAR,
        tau: TAU,
        p: SIZES[p],
        a: SIZES[a],
        b: SIZES[b],
        c: integer(1, p),
        e_: integer(1, p),
        sigma: SINGULAR_VALUES,
        xI: real(-6, 6),
        xiI: nonnegative(6),
        omega: nonnegative(5),
        sv: SINGULAR_VALUES,
    },
    claim=CLAIM,
    also=(ROOT_OF_GRAM, SEPARABLE, ANY_X, PROX),
    derivation=derivation,
    crosscheck=crosscheck,
    question=QUESTION,
    refs=REFS,
    builds_on=("l1-soft-threshold", "singular-spectrum"),
)
