r"""The pseudoinverse solves least squares.

Least squares, $\min_{\mathbf{x}}\lVert A\mathbf{x} - \mathbf{b}\rVert^2$, is linear regression: its normal
equations $A^\top A\mathbf{x} = A^\top\mathbf{b}$ are solved by $A^{+}\mathbf{b}$ with $A^{+} = V\Sigma^{+}U^\top$
from the SVD, the shortest solution when $A$ is rank-deficient, and $A^{+}$ is characterised by the four Penrose
conditions (map 1.3, pseudoinverse and normal equations). Penrose (1955), A generalized inverse for matrices;
Golub and Van Loan (2013), Matrix Computations, Sec. 5.5.
"""

from __future__ import annotations

import numpy as np
import sympy as sp
from sympy import Eq

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
from derive.maths.matrices import (
    entry_domains,
    fraction_form,
    frobenius_sq,
    rect_diag,
    svd_form,
    symbol_matrix,
    symbol_vector,
)
from derive.numeric.linalg import low_rank

from ._shared import CAYLEY, at_samples, cayley_params

# -- symbols ---------------------------------------------------------------------------------------
ENTRY = real(-3, 3)
a_ls, b_ls = symbol_vector("a", 3, ENTRY), symbol_vector("b", 3, ENTRY)
X = real(-5, 5)
x_ls = X.symbol("x")
RSS = frobenius_sq(a_ls * x_ls - b_ls)
SIGMA = positive(5)
sigma1 = SIGMA.symbol("sigma1")
UPP, VPP = cayley_params("u", 1), cayley_params("v", 1)
A_P, U_P, S_P, V_P = svd_form([sigma1, 0], 2, 2, UPP, VPP)  # rank one: A has no inverse
S_PLUS = rect_diag([1 / sigma1, 0], 2, 2)
A_PLUS = V_P * S_PLUS * U_P.T
A_SHOW, A_PLUS_SHOW = A_P.applyfunc(sp.factor), A_PLUS.applyfunc(sp.factor)
PROJ_SHOW = (U_P[:, 0] * U_P[:, 0].T).applyfunc(sp.factor)
PENROSE = notation(r"A A^{+} A", A_P * A_PLUS * A_P, "A A+ A")
PENROSE2 = notation(r"A^{+} A A^{+}", A_PLUS * A_P * A_PLUS, "A+ A A+")
PROJ = notation(r"A A^{+}", A_P * A_PLUS, "A A+")
A_FULL = symbol_matrix("a", 3, 2, ENTRY)
T = real(-3, 3)
t_null = T.symbol("t")
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
NORM_VALUE = sp.factor((U_P[:, 0].T * B2)[0]) ** 2 / sigma1**2 + t_null**2
LEFT_INV = notation(r"(A^\top A)^{-1}A^\top A", (A_FULL.T * A_FULL).inv() * A_FULL.T * A_FULL, "(A^T A)^-1 A^T A")

# -- what is claimed -------------------------------------------------------------------------------
CLAIM = Statement(
    "normal equations",
    Eq(x_ls, (a_ls.T * b_ls)[0] / (a_ls.T * a_ls)[0]),
    text=r"the minimiser of $\lVert \mathbf{a}x - \mathbf{b}\rVert^2$ is $x = (\mathbf{a}^\top\mathbf{a})^{-1}"
    r"\mathbf{a}^\top\mathbf{b}$ (one feature)",
)
PENROSE_1 = Statement(
    "A A+ A = A",
    Eq(PENROSE, A_SHOW, evaluate=False),
    text=r"for a rank-one $2\times 2$ matrix $A = U\Sigma V^\top$, $A^{+} = V\Sigma^{+}U^\top$ satisfies "
    r"$AA^{+}A = A$",
)
PENROSE_2 = Statement(
    "A+ A A+ = A+",
    Eq(PENROSE2, A_PLUS_SHOW, evaluate=False),
    text=r"and $A^{+}AA^{+} = A^{+}$",
)
PROJECTS = Statement(
    "A A+ projects",
    Eq(PROJ, PROJ_SHOW, evaluate=False),
    text=r"$AA^{+} = \mathbf{u}_1\mathbf{u}_1^\top$ is the orthogonal projector onto the range of $A$ "
    r"(symmetric; likewise $A^{+}A = \mathbf{v}_1\mathbf{v}_1^\top$): the four Penrose conditions",
)
FULL_RANK = Statement(
    "full column rank",
    Eq(LEFT_INV, sp.eye(2), evaluate=False),
    text=r"for a $3\times 2$ matrix of full column rank, $(A^\top A)^{-1}A^\top$ is a left inverse; with "
    r"$A(A^\top A)^{-1}A^\top$ symmetric it meets the Penrose conditions, so it is $A^{+}$",
)
SAME_RESIDUAL = Statement(
    "same residual",
    Eq(RESID, RESID_VALUE, evaluate=False),
    text=r"for the rank-one $A$ every $A^{+}\mathbf{b} + t\mathbf{v}_2$ ($A\mathbf{v}_2 = 0$) leaves the same "
    r"residual $(\mathbf{u}_2^\top\mathbf{b})^2$, whatever $t$: all of them are least-squares solutions",
)
MINIMUM_NORM = Statement(
    "minimum norm",
    Eq(NORM_ALL, NORM_VALUE, evaluate=False),
    text=r"their squared length is $(\mathbf{u}_1^\top\mathbf{b}/\sigma_1)^2 + t^2$, smallest at $t = 0$: "
    r"$A^{+}\mathbf{b}$ is the minimum-norm solution",
)

# -- the homework question, and where the identity comes from --------------------------------------
QUESTION = Question(
    target=(a_ls.T * b_ls)[0] / (a_ls.T * a_ls)[0],
    prompt=r"Minimise $\sum_{i=1}^{3} (a_i x - b_i)^2$ over $x \in \mathbb{R}$.",
    approximations={
        r"the normal equation divides by $\mathbf{a}^\top\mathbf{a}$, not by $\mathbf{a}^\top\mathbf{b}$": (
            a_ls.T * a_ls
        )[0]
        / (a_ls.T * b_ls)[0],
        r"the mean of $b_i/a_i$ is not the least-squares solution": sum(b_ls[p] / a_ls[p] for p in range(3)) / 3,
    },
)
REFS = (
    Ref.cite("penrose1955"),
    Ref.cite("golub2013", where="Sec. 5.5"),
)


# -- how it is derived -----------------------------------------------------------------------------
def derivation(d: Derivation) -> None:
    r"""Least squares, $\min_{\mathbf{x}}\lVert A\mathbf{x} - \mathbf{b}\rVert^2$, is linear regression. Setting
    the gradient $2A^\top(A\mathbf{x} - \mathbf{b})$ to zero gives the normal equations
    $A^\top A\mathbf{x} = A^\top\mathbf{b}$; with the SVD $A = U\Sigma V^\top$ their solution (the shortest one
    when $A$ is rank-deficient) is $A^{+}\mathbf{b}$ with $A^{+} = V\Sigma^{+}U^\top$, $\Sigma^{+}$ inverting the
    nonzero singular values. Below: the one-feature case solved by SymPy; the Penrose conditions and the
    minimum-norm property for a rank-one $2\times 2$ matrix $A = U\Sigma V^\top$ ($U$, $V$ Cayley rotations),
    which has no inverse; and the full-rank formula for a general $3\times 2$ matrix."""
    aa, ab = (a_ls.T * a_ls)[0], (a_ls.T * b_ls)[0]
    one = "for one feature and three observations"
    d.begin(sp.Derivative(RSS, x_ls), r"the gradient of $\sum_i (a_i x - b_i)^2$", scope=one)
    d.then(lambda e: e.doit(), "differentiate")
    d.then(2 * (aa * x_ls - ab), r"collect: $2(\mathbf{a}^\top\mathbf{a}\,x - \mathbf{a}^\top\mathbf{b})$")
    d.begin(sp.Eq(2 * (aa * x_ls - ab), 0), "stationarity", scope=one)
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


# -- how it is checked -----------------------------------------------------------------------------
def _ls_check(ctx: CheckContext) -> CrossCheckResult:
    """numpy.linalg.lstsq for the one-feature problem; pinv / lstsq / the SVD formula at random
    full-rank and rank-deficient sizes."""
    rng = ctx.rng
    a, b, x = at_samples(ctx, [a_ls, b_ls, ctx.result], 64)
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
            worst_norm = max(worst_norm, float(np.linalg.norm(x) - np.linalg.norm(y)))
            worst_res = max(worst_res, float(abs(np.linalg.norm(a @ y - b) - np.linalg.norm(a @ x - b))))
    return combine(
        ctx.bound("A+ b is the shortest solution", "1000 null-space shifts", worst_norm, 0.0),
        ctx.bound("the shifts keep the residual", "1000 null-space shifts", worst_res, 1e-10),
    )


def crosscheck(ctx: CheckContext) -> CrossCheckResult:
    """Least squares against numpy, and the minimum norm of A+ b at larger rank-deficient sizes."""
    return combine(_ls_check(ctx), _min_norm(ctx))


# -- the declaration -------------------------------------------------------------------------------
PSEUDOINVERSE_LEAST_SQUARES = declare(
    "pseudoinverse-least-squares",
    aliases=("normal-equations", "pseudoinverse"),
    title="The pseudoinverse solves least squares",
    section="1.3",
    map_row=r"Pseudoinverse $A^{+}$: least-squares solution, normal equations",
    variables={
        **entry_domains([*a_ls, *b_ls, *A_FULL], ENTRY),
        x_ls: X,
        t_null: T,
        sigma1: SIGMA,
        **entry_domains([*UPP, *VPP], CAYLEY),
    },
    claim=CLAIM,
    also=(PENROSE_1, PENROSE_2, PROJECTS, FULL_RANK, SAME_RESIDUAL, MINIMUM_NORM),
    derivation=derivation,
    crosscheck=crosscheck,
    question=QUESTION,
    refs=REFS,
)
