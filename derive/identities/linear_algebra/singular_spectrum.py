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
    integer,
    nonnegative,
    notation,
    positive,
)
from derive.core.facts import SVD_ORTHONORMAL
from derive.maths.matrices import singular_values
from derive.maths.svd import SINGULAR_VALUES, SIZES, a, b, c, collapsed, delta, gram_entry, p, sigma
from derive.numeric.linalg import low_rank

# -- symbols ---------------------------------------------------------------------------------------
# W = U Sigma V^T with p = min(m, n) singular values sigma_a >= 0 (any rank), in its singular bases (derive.maths.svd)
SW, SW_DOM = singular_values(2)  # the question's two singular values
FRO_W = notation(
    r"\lVert W \rVert_F^2", sp.Sum(gram_entry(sigma, a, a, c, p), (a, 1, p)), "||W||_F^2"
)  # tr(W^T W) = tr(V Sigma^T Sigma V^T) = sum_a (Sigma^T Sigma)_aa
FRO_SUM = sp.Sum(sigma[a] ** 2, (a, 1, p))
GRAM_W = notation(r"(V^\top W^\top W V)_{ab}", gram_entry(sigma, a, b, c, p), "(V^T W^T W V)_ab")
# the r nonzero singular values, their squares written sigma_1^2 - g_a with g_a >= 0 (sigma_1 the largest)
r_rank = sp.Symbol("r", integer=True, positive=True)
top = sp.Symbol("sigma_{1}", positive=True)
gI = sp.IndexedBase("g", nonnegative=True)
STABLE = notation(
    r"\lVert W\rVert_F^2/\lVert W\rVert_2^2", sp.Sum(top**2 - gI[a], (a, 1, r_rank)) / top**2, "stable rank"
)

# -- what is claimed -------------------------------------------------------------------------------
CLAIM = Statement(
    "Frobenius",
    Eq(FRO_W, FRO_SUM, evaluate=False),
    text=r"$\lVert W\rVert_F^2 = \operatorname{tr}(W^\top W) = \sum_i \sigma_i^2$ for any $m\times n$ matrix of any "
    r"rank ($p = \min(m, n)$ singular values)",
)
EIGENVALUES = Statement(
    "eigenvalues",
    Eq(GRAM_W, sigma[a] ** 2 * delta(a, b), evaluate=False),
    text=r"$W^\top W = V\,\mathrm{diag}(\sigma_i^2)\,V^\top$ for any size: its eigenvalues are $\sigma_i^2$, its "
    r"eigenvectors the right singular vectors",
)
STABLE_RANK = Statement(
    "stable rank",
    Le(STABLE, r_rank),
    text=r"the stable rank $\lVert W\rVert_F^2/\lVert W\rVert_2^2 = \sum_i\sigma_i^2/\sigma_1^2$ is at most "
    r"$\operatorname{rank} W = r$, any $r$ (the $r$ nonzero $\sigma_a^2$ written $\sigma_1^2 - g_a$, $g_a \ge 0$)",
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
    robust count of the directions that matter (never more than the rank). Derived for any $m\times n$ matrix
    $W = U\Sigma V^\top$ of any rank, in the coordinates of its singular bases (the SVD, cited)."""
    d.begin(FRO_W, r"$\sum_{ij}W_{ij}^2 = \operatorname{tr}(W^\top W) = \operatorname{tr}(\Sigma^\top\Sigma)$")
    d.assume(SVD_ORTHONORMAL)
    d.then(collapsed, r"$\Sigma_{ca} = \sigma_a\delta_{ca}$: the Kronecker deltas collapse the sums")
    d.conclude("Frobenius")

    d.begin(GRAM_W, r"$W V = U\Sigma$ and $U^\top U = I$ leave $\Sigma^\top\Sigma$")
    d.assume(SVD_ORTHONORMAL)
    d.then(collapsed, r"the Kronecker deltas collapse the sum")
    d.then(sigma[a] ** 2 * delta(a, b), r"$\delta_{ab}\sigma_a\sigma_b = \sigma_a^2\delta_{ab}$")
    d.conclude("eigenvalues")

    d.begin(STABLE, r"$\lVert W\rVert_2 = \sigma_1$ (see \textsf{spectral-norm}), $\sigma_a^2 = \sigma_1^2 - g_a$")
    d.then(r_rank - sp.Sum(gI[a], (a, 1, r_rank)) / top**2, r"split the sum: $r$ terms $\sigma_1^2/\sigma_1^2 = 1$")
    d.bound(r_rank, r"drop $\sum_a g_a/\sigma_1^2 \ge 0$", relation="<=")
    d.conclude("stable rank")


# -- how it is checked -----------------------------------------------------------------------------
def crosscheck(ctx: CheckContext) -> CrossCheckResult:
    """numpy norms, eigvalsh of W^T W and matrix_rank for random W of several shapes and ranks; the derived
    Frobenius norm (the sum at p = min(m, n)) against numpy at each."""
    rng = ctx.rng
    assert ctx.result is not None
    results = []
    for rows, cols, rank in ((20, 10, 10), (10, 25, 10), (30, 30, 7), (6, 4, 1)):
        wm = low_rank(rng, rows, cols, rank)
        s = np.linalg.svd(wm, compute_uv=False)
        fro = np.asarray(np.linalg.norm(wm, "fro") ** 2)
        form = ctx.result.subs(p, len(s)).doit().xreplace({sigma[i + 1]: float(v) for i, v in enumerate(s)})
        results.append(
            ctx.compare(
                f"derived ||W||_F^2, {rows}x{cols}", "numpy.linalg.norm", np.asarray(float(form)), fro, rtol=1e-10
            )
        )
        eig = np.sort(np.linalg.eigvalsh(wm.T @ wm))[::-1][: min(rows, cols)]
        results.append(
            ctx.compare(f"eig(W^T W), {rows}x{cols}", "numpy.linalg.eigvalsh", eig, s**2, rtol=1e-9, floor=s[0] ** 2)
        )
        stable = fro / np.linalg.norm(wm, 2) ** 2
        results.append(
            ctx.bound(
                f"stable rank - rank, {rows}x{cols}",
                "numpy.linalg.matrix_rank",
                float(stable - np.linalg.matrix_rank(wm)),
                1e-12,
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
    variables={
        **SW_DOM,
        p: SIZES[p],
        a: SIZES[a],
        b: SIZES[b],
        c: integer(1, p),
        sigma: SINGULAR_VALUES,
        r_rank: integer(1, 6),
        top: positive(5, lo=sp.Rational(1, 2)),
        gI: nonnegative(5),
    },
    claim=CLAIM,
    also=(EIGENVALUES, STABLE_RANK),
    derivation=derivation,
    crosscheck=crosscheck,
    question=QUESTION,
    refs=REFS,
)
