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
from sympy import Abs, Eq

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
    numerically,
    positive,
    real,
)
from derive.maths.matrices import entry_domains, frobenius_sq, svd_form, symbol_vector

from ._shared import CAYLEY, SINGULAR

# -- symbols ---------------------------------------------------------------------------------------
n1, n2 = SINGULAR.symbol("sigma1"), SINGULAR.symbol("sigma2")
TAU = positive(3)
tau = TAU.symbol("tau")
UA, VA = CAYLEY.symbol("u1"), CAYLEY.symbol("v1")
A_N, U_A, S_A, V_A = svd_form([n1, n2], 2, 2, [UA], [VA])
ROOT = V_A * sp.diag(sp.sqrt(n1**2), sp.sqrt(n2**2)) * V_A.T  # V (Sigma^T Sigma)^{1/2} V^T, the PSD root of A^T A
NUC = notation(r"\operatorname{tr}\sqrt{A^\top A}", ROOT.trace(), "tr sqrt(A^T A)")
GRAM_A = notation(r"V^\top (A^\top A)\, V", V_A.T * A_N.T * A_N * V_A, "V^T A^T A V")
CANDIDATE = real(-6, 6)
XD = symbol_vector("x", 2, CANDIDATE)
X_CAND = U_A * sp.diag(*XD) * V_A.T
PROX_OBJ = notation(
    r"\tfrac12\lVert U\operatorname{diag}(\mathbf{x})V^\top - A\rVert_F^2"
    r" + \tau\lVert U\operatorname{diag}(\mathbf{x})V^\top\rVert_*",
    frobenius_sq(X_CAND - A_N) / 2 + tau * (Abs(XD[0]) + Abs(XD[1])),
    "prox objective",
)
SEPARATED = sum((XD[p] - s) ** 2 / 2 + tau * Abs(XD[p]) for p, s in enumerate((n1, n2)))

# -- what is claimed -------------------------------------------------------------------------------
CLAIM = Statement(
    "trace of the root",
    Eq(NUC, n1 + n2, evaluate=False),
    text=r"$\lVert A\rVert_* = \operatorname{tr}\sqrt{A^\top A} = \sum_i\sigma_i$",
)
ROOT_OF_GRAM = Statement(
    "root",
    Eq(GRAM_A, sp.diag(n1**2, n2**2), evaluate=False),
    text=r"$A^\top A = V\,\mathrm{diag}(\sigma_i^2)\,V^\top$, so its positive semidefinite square root is "
    r"$V\,\mathrm{diag}(\sigma_i)\,V^\top$",
)
SEPARABLE = Statement(
    "separable",
    Eq(PROX_OBJ, SEPARATED, evaluate=False),
    text=r"for candidates $X = U\operatorname{diag}(\mathbf{x})V^\top$ sharing the singular vectors of $A$ "
    r"(with $\lVert X\rVert_* = \sum_i\lvert x_i\rvert$) the prox objective splits into one "
    r"\textsf{l1-soft-threshold} problem per singular value: $x_i = \max(\sigma_i - \tau, 0)$",
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


PROX = numerically(
    "prox",
    r"$\operatorname{prox}_{\tau\lVert\cdot\rVert_*}(A) = U\max(\Sigma - \tau, 0)V^\top$ minimises "
    r"$\tfrac12\lVert X - A\rVert_F^2 + \tau\lVert X\rVert_*$ over \emph{all} $X$ "
    r"(von Neumann's trace inequality; "
    r"checked against random perturbations on $5\times 4$ matrices)",
    _prox_check,
)

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
    setting the small ones exactly to zero (singular value thresholding). Derived for a $2\times 2$ matrix
    $A = U\Sigma V^\top$ ($U$, $V$ Cayley rotations); that the minimiser shares the singular vectors of $A$
    is checked numerically."""
    scope = "for a 2 x 2 matrix"
    d.begin(GRAM_A, r"$AV = U\Sigma$", scope=scope)
    d.then(
        lambda e: e.doit().applyfunc(sp.cancel),
        r"multiply out and cancel (SymPy): $U^\top U = I$, $V^\top V = I$ leave $\Sigma^\top\Sigma$",
    )
    d.conclude("root")

    d.begin(NUC, r"$\sqrt{A^\top A} = V\,\mathrm{diag}\bigl(\sqrt{\sigma_i^2}\bigr)V^\top$ (above)", scope=scope)
    d.then(
        lambda e: sp.cancel(e.doit()),
        r"$\operatorname{tr}(VDV^\top) = \operatorname{tr}(D)$ (SymPy cancels the rotation) and $\sqrt{\sigma_i^2} = "
        r"\sigma_i$ for $\sigma_i \ge 0$",
    )
    d.conclude("trace of the root")

    d.begin(PROX_OBJ, r"$X - A = U(\operatorname{diag}(\mathbf{x}) - \Sigma)V^\top$", scope=scope)
    d.then(SEPARATED, r"$\lVert UMV^\top\rVert_F = \lVert M\rVert_F$: one scalar problem per singular value")
    d.conclude("separable")


# -- how it is checked -----------------------------------------------------------------------------
def crosscheck(ctx: CheckContext) -> CrossCheckResult:
    """numpy.linalg.norm(A, 'nuc') against tr sqrt(A^T A) computed by eigvalsh, at random sizes and at the
    sampled 2x2 matrices against the derived sigma_1 + sigma_2."""
    rng = ctx.rng
    results = []
    for m, n in ((6, 4), (10, 10), (3, 8)):
        a = rng.normal(size=(m, n))
        root_trace = np.sum(np.sqrt(np.clip(np.linalg.eigvalsh(a.T @ a), 0.0, None)))
        results.append(
            ctx.compare(
                f"tr sqrt(A^T A), {m}x{n}",
                "numpy.linalg.eigvalsh",
                root_trace,
                np.asarray(np.linalg.norm(a, "nuc")),
                rtol=1e-7,
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


# -- the declaration -------------------------------------------------------------------------------
NUCLEAR_NORM = declare(
    "nuclear-norm",
    aliases=("trace-norm",),
    title="The nuclear norm and its proximal operator",
    section="1.4",
    map_row=r"$\lVert A\rVert_*$ (nuclear): low-rank inductive bias, matrix completion",
    variables={n1: SINGULAR, n2: SINGULAR, tau: TAU, UA: CAYLEY, VA: CAYLEY, **entry_domains(XD, CANDIDATE)},
    claim=CLAIM,
    also=(ROOT_OF_GRAM, SEPARABLE, PROX),
    derivation=derivation,
    crosscheck=crosscheck,
    question=QUESTION,
    refs=REFS,
    builds_on=("l1-soft-threshold", "singular-spectrum"),
)
