r"""The singular spectrum: Frobenius norm, Gram eigenvalues, stable rank.

The singular values of a weight matrix summarise its health: $\lVert W\rVert_F^2 = \sum_i\sigma_i^2$, the
eigenvalues of $W^\top W$ are the $\sigma_i^2$, and the stable rank $\lVert W\rVert_F^2/\lVert W\rVert_2^2$ never
exceeds the rank, which is what WeightWatcher fits and tracks (map 1.3, singular value spectrum and weight matrix
health). Martin and Mahoney (2018, JMLR 2021), Implicit Self-Regularization in Deep Neural Networks; Golub and
Van Loan (2013), Matrix Computations, Sec. 2.4.
"""

from __future__ import annotations

import numpy as np
import sympy as sp
from sympy import Eq, Le

from derive.authoring import (
    CheckContext,
    CrossCheckResult,
    Derivation,
    Question,
    Ref,
    Statement,
    combine,
    declare,
    nonnegative,
    notation,
)
from derive.maths.matrices import entry_domains, frobenius_sq, rect_diag, singular_values, svd_form
from derive.numeric.linalg import low_rank

from ._shared import CAYLEY, at_samples, cayley_params

# -- symbols ---------------------------------------------------------------------------------------
SW, SW_DOM = singular_values(2)
UW, VW = cayley_params("u", 3), cayley_params("v", 1)
W_S, U_S, S_S, V_S = svd_form(SW, 3, 2, UW, VW)
FRO_W = notation(r"\lVert W \rVert_F^2", frobenius_sq(W_S), "||W||_F^2")
TRACE_W = notation(r"\operatorname{tr}(W^\top W)", (W_S.T * W_S).trace(), "tr(W^T W)")
GRAM_W = notation(r"V^\top W^\top W V", V_S.T * W_S.T * W_S * V_S, "V^T W^T W V")
# the order sigma_1 >= sigma_2 in a form SymPy's assumptions can use: sigma_1 = sigma_2 + delta, delta >= 0
ORDER_GAP = nonnegative(3)
DELTA_W = ORDER_GAP.symbol("delta")
STABLE = ((SW[1] + DELTA_W) ** 2 + SW[1] ** 2) / (SW[1] + DELTA_W) ** 2

# -- what is claimed -------------------------------------------------------------------------------
CLAIM = Statement(
    "Frobenius",
    Eq(FRO_W, SW[0] ** 2 + SW[1] ** 2, evaluate=False),
    text=r"$\lVert W\rVert_F^2 = \operatorname{tr}(W^\top W) = \sum_i \sigma_i^2$",
)
EIGENVALUES = Statement(
    "eigenvalues",
    Eq(GRAM_W, rect_diag([s**2 for s in SW], 2, 2), evaluate=False),
    text=r"$W^\top W = V\,\mathrm{diag}(\sigma_i^2)\,V^\top$: its eigenvalues are $\sigma_i^2$, its "
    r"eigenvectors the right singular vectors",
)
STABLE_RANK = Statement(
    "stable rank",
    Le(STABLE, 2),
    text=r"the stable rank $\lVert W\rVert_F^2/\lVert W\rVert_2^2 = \sum_i\sigma_i^2/\sigma_1^2$ is at most "
    r"$\operatorname{rank} W = 2$ (the order written $\sigma_1 = \sigma_2 + \delta$, $\delta \ge 0$)",
)

# -- the homework question, and where the identity comes from --------------------------------------
QUESTION = Question(
    target=SW[0] ** 2 + SW[1] ** 2,
    prompt=r"A weight matrix $W$ has singular values $\sigma_1, \sigma_2$. What is $\lVert W\rVert_F^2$?",
    names={"sigma1": SW[0], "sigma2": SW[1]},
    approximations={
        r"that is the nuclear norm $\lVert W\rVert_*$; the Frobenius norm adds squares": SW[0] + SW[1],
        r"that is $\lVert W\rVert_2^2$, the largest term only": SW[0] ** 2,
    },
)
REFS = (
    Ref.cite("martin2018"),
    Ref.cite("golub2013", where="Sec. 2.4"),
)


# -- how it is derived -----------------------------------------------------------------------------
def derivation(d: Derivation) -> None:
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

    d.begin(
        STABLE,
        r"$\lVert W\rVert_2 = \sigma_1$ (see \textsf{spectral-norm}), $\sigma_1 = \sigma_2 + \delta$",
        scope=scope,
    )
    d.then(lambda e: 2 - sp.factor(2 - e), r"$2$ minus the gap, factored")
    d.bound(2, r"$\delta \ge 0$ and $\sigma_2 > 0$: the subtracted term is $\ge 0$")
    d.conclude("stable rank")


# -- how it is checked -----------------------------------------------------------------------------
def crosscheck(ctx: CheckContext) -> CrossCheckResult:
    """numpy norms, eigvalsh of W^T W and matrix_rank for random W of several shapes; the derived
    Frobenius norm at the sampled 3x2 matrices."""
    rng = ctx.rng
    w, res = at_samples(ctx, [W_S, ctx.result], 64)
    got = np.array([np.linalg.norm(m, "fro") ** 2 for m in w])
    results = [ctx.compare("||W||_F^2 at the sampled 3x2 W", "numpy.linalg.norm", got, res, rtol=1e-10)]
    for m, n, r in ((20, 10, 10), (10, 25, 10), (30, 30, 7)):
        wm = low_rank(rng, m, n, r)
        s = np.linalg.svd(wm, compute_uv=False)
        results.append(
            ctx.compare(
                f"Frobenius, {m}x{n}",
                "numpy.linalg.norm",
                np.asarray(np.linalg.norm(wm, "fro") ** 2),
                np.sum(s**2),
                rtol=1e-10,
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


# -- the declaration -------------------------------------------------------------------------------
SINGULAR_SPECTRUM = declare(
    "singular-spectrum",
    aliases=("stable-rank",),
    title="The singular spectrum: Frobenius norm, Gram eigenvalues, stable rank",
    section="1.3",
    map_row=r"Singular value spectrum: weight matrix health (WeightWatcher, Martin \& Mahoney, 2021)",
    variables={**SW_DOM, DELTA_W: ORDER_GAP, **entry_domains([*UW, *VW], CAYLEY)},
    claim=CLAIM,
    also=(EIGENVALUES, STABLE_RANK),
    derivation=derivation,
    crosscheck=crosscheck,
    question=QUESTION,
    refs=REFS,
)
