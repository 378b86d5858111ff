r"""The Jacobian of softmax.

$s = \operatorname{softmax}(z)$, $s_i = e^{z_i}/\sum_k e^{z_k}$, turns logits into a probability
vector in every classifier head and every attention row; its Jacobian
$\partial s_i/\partial z_j = s_i(\delta_{ij} - s_j)$, i.e. $J = \operatorname{diag}(s) - s s^\top$, is
what backpropagation multiplies by. It is symmetric, positive semidefinite and annihilates
$\mathbf 1$, so its rank is $n - 1$ (map 2.2, key derivatives in practice). The index form is
derived for symbolic $n$ (Kronecker deltas sifted), and so is the rank: $(Jv)_i = s_i(v_i - \bar v)$ vanishes
only for $v_i = \bar v$ (solved), so the kernel is spanned by $\mathbf 1$, and so is positive
semidefiniteness: $v^\top J v = \sum_i s_i (v_i - \bar v)^2$, a variance (sums opened by linearity,
$\sum_i s_i = 1$); the matrices for $n = 2, 3, 4$ are
worked examples; the cross-check
evaluates softmax stably at logits of size 500 and 800, where the unshifted formula gives ``nan``.
Goodfellow, Bengio and Courville (2016), Deep Learning, Sec. 6.2.2.3; Bishop (2006), Sec. 4.3.4.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import sympy as sp
from sympy import Derivative, Determinant, Eq, Ge, ImmutableMatrix, IndexedBase, KroneckerDelta, Sum, exp

from derive.authoring import (
    CheckContext,
    CrossCheckResult,
    Derivation,
    Question,
    Ref,
    Statement,
    combine,
    declare,
    indexed,
    linalg,
    matrices,
    notation,
    probability,
    real,
    stable,
)
from derive.core.facts import RANK_NULLITY
from derive.maths.variance import linear_sums

from ._shared import (
    DEFINITIONS,
    HEADS,
    INDEX_DOMAINS,
    LOGITS,
    SIZES,
    SUM,
    S,
    Z,
    i,
    j,
    jacobian_matrix,
    logits,
    n,
    s,
    s_,
    z,
)

# -- symbols ---------------------------------------------------------------------------------------
RANK_SIZE = 3
V = real(-3, 3)
v = IndexedBase("v", real=True)  # a direction, for the quadratic form v^T J v
MINOR = jacobian_matrix(HEADS[RANK_SIZE])[: RANK_SIZE - 1, : RANK_SIZE - 1]
MEAN = Sum(s_(j) * v[j], (j, 1, n))  # the mean of v under the distribution s
QUAD = Sum(v[i] * s_(i) * (v[i] - MEAN), (i, 1, n))  # v^T J v = sum_i v_i (J v)_i, by the form of J v
JV = Sum(s_(i) * (KroneckerDelta(i, j) - s_(j)) * v[j], (j, 1, n))  # (J v)_i
v_i = real().symbol("v_i")  # the unknown coordinate v_i when solving (J v)_i = 0
J_INDEX = s[i] * (KroneckerDelta(i, j) - s[j])
S3 = sp.Matrix([s[a] for a in (1, 2, 3)])


def in_terms_of_s(expr: sp.Expr) -> sp.Expr:
    r"""``expr`` rewritten with :math:`e^{z_a} = s_a \sum_k e^{z_k}`; raises if the logits do not cancel."""
    total = sp.Symbol("Z", positive=True)
    out = sp.cancel(expr.xreplace({SUM: total}).xreplace({exp(z[a]): s[a] * total for a in (i, j)}))
    if out.has(total, z):
        raise ValueError(f"not a function of s alone: {out}")
    return out


# -- what is claimed -------------------------------------------------------------------------------
CLAIM = Eq(Derivative(s_(i), z[j]), s_(i) * (KroneckerDelta(i, j) - s_(j)))


def _matrix_statement(m: int) -> Statement:
    return Statement(
        f"J for n = {m}",
        Eq(
            ImmutableMatrix(matrices.jacobian_form(HEADS[m], list(logits(m)))),
            jacobian_matrix(HEADS[m]),
            evaluate=False,
        ),
        text=rf"the explicit ${m}\times{m}$ Jacobian is $\operatorname{{diag}}(s) - s s^\top$",
    )


MATRICES = tuple(_matrix_statement(m) for m in SIZES)
SYMMETRIC = Statement(
    "symmetric",
    Eq(s_(i) * (KroneckerDelta(i, j) - s_(j)), s_(j) * (KroneckerDelta(j, i) - s_(i))),
    text=r"$J_{ij} = J_{ji}$ for every $n$",
)
NULL_VECTOR = Statement(
    "J 1 = 0",
    Eq(Sum(s_(i) * (KroneckerDelta(i, j) - s_(j)), (j, 1, n)), 0),
    text=r"every row sums to zero: $\mathbf 1$ is a null vector (shifting all logits changes nothing)",
)
PSD = Statement(
    "PSD",
    Ge(QUAD, 0),
    text=r"$v^\top J v = \sum_i v_i (J v)_i = \sum_i s_i v_i (v_i - \bar v)$ (the form of $J v$, proved for every "
    r"$n$) $= \sum_i s_i (v_i - \bar v)^2 \ge 0$ with $\bar v = \sum_j s_j v_j$: a variance, for every $n$",
)
J_V = Statement(
    "J v",
    Eq(JV, s_(i) * (v[i] - MEAN)),
    text=r"$(J v)_i = s_i(v_i - \bar v)$ with $\bar v = \sum_j s_j v_j$, for every $n$",
)
RANK = Statement(
    "rank",
    Eq(v_i, MEAN),
    text=r"$(J v)_i = 0$ exactly when $v_i = \bar v$ ($s_i > 0$): $J v = 0$ only for $v = \bar v\mathbf 1$, so the "
    r"kernel is spanned by $\mathbf 1$ and $\operatorname{rank} J = n - 1$ for every $n$ (rank-nullity, cited); "
    r"the rank is also checked numerically (\texttt{numpy.linalg.matrix\_rank}) for $n = 5$ and $n = 50$",
)

# -- the homework question, and where the identity comes from --------------------------------------
QUESTION = Question(
    target=J_INDEX,
    prompt=r"Let $s = \operatorname{softmax}(z)$, $s_i = e^{z_i}/\sum_k e^{z_k}$. Compute "
    r"$\partial s_i/\partial z_j$ in terms of $s$ (write $\delta_{ij}$ as KroneckerDelta(i, j)).",
    variables=(i, j),
    names={"delta": KroneckerDelta, "δ": KroneckerDelta, "KroneckerDelta": KroneckerDelta},
    forms=(jacobian_matrix(S3),),
    approximations={
        r"sign of the $s_j$ term flipped: $s_i(\delta_{ij} + s_j)$": s[i] * (KroneckerDelta(i, j) + s[j]),
        r"only the diagonal entry $s_i(1 - s_i)$: the off-diagonal entries are $-s_i s_j$": s[i] * (1 - s[i]),
        r"$\delta_{ij} - s_j$ is $\partial \log s_i/\partial z_j$; multiply by $s_i$": KroneckerDelta(i, j) - s[j],
    },
)
REFS = (
    Ref.cite("goodfellow2016", where="Sec. 6.2.2.3"),
    Ref.cite("bishop2006", where="Sec. 4.3.4"),
    Ref.cite("vaswani2017", where="Sec. 3.2.1"),
)


# -- how it is derived -----------------------------------------------------------------------------
def derivation(d: Derivation) -> None:
    r"""Softmax $s_i = e^{z_i}/\sum_k e^{z_k}$ maps logits to probabilities in every classifier and
    every attention row. Its Jacobian $\partial s_i/\partial z_j = s_i(\delta_{ij} - s_j)$, i.e.
    $J = \operatorname{diag}(s) - s s^\top$, is symmetric, positive semidefinite and annihilates
    $\mathbf 1$ (softmax ignores a common shift of the logits), so it has rank $n - 1$; it is the
    factor through which every gradient reaches the logits."""
    _chain_index_form(d)
    _chain_matrices(d)
    _chain_symmetry(d)
    _chain_null_vector(d)
    _chain_rank(d)
    _chain_psd(d)


def _chain_index_form(d: Derivation) -> None:
    d.begin(Derivative(s_(i), z[j]), title="Index form, any $n$")
    d.then(Derivative(S(i), z[j]), r"$s_i = e^{z_i}/\sum_k e^{z_k}$, $n$ symbolic")
    d.then(
        (Derivative(exp(z[i]), z[j]) * SUM - exp(z[i]) * Derivative(SUM, z[j])) / SUM**2,
        "quotient rule",
    )
    d.then(
        lambda e: e.doit(),
        r"$\partial e^{z_i}/\partial z_j = \delta_{ij} e^{z_i}$ and "
        r"$\partial_{z_j} \sum_k e^{z_k} = \sum_k \delta_{jk} e^{z_k}$",
    )
    d.then(indexed.sift, r"sifting: only $k = j$ survives, as $1 \le j \le n$")
    d.then(s_(i) * (KroneckerDelta(i, j) - s_(j)), r"factor out $s_i = e^{z_i}/\sum_k e^{z_k}$")
    d.conclude()
    d.keep("J in s", in_terms_of_s(d.unfold(d.last)))


def _chain_matrices(d: Derivation) -> None:
    for m in SIZES:
        heads, zs = HEADS[m], list(logits(m))
        d.begin(
            ImmutableMatrix(matrices.jacobian_form(heads, zs)),
            scope=f"for n = {m}",
            title=f"Worked example: the matrix, n = {m}",
        )
        d.then(
            _differentiate_and_fold(d, heads, zs),
            r"differentiate each $s_a = e^{z_a}/\sum_b e^{z_b}$, then write $e^{z_a} = s_a \sum_b e^{z_b}$",
        )
        d.then(notation(r"\operatorname{diag}(s) - s s^\top", jacobian_matrix(heads), "diag(s) - s s^T"), "as matrices")
        d.finish()


def _differentiate_and_fold(d: Derivation, heads: sp.Matrix, zs: list[sp.Symbol]) -> Callable[[sp.Basic], sp.Basic]:
    """Differentiate the explicit Jacobian, then write :math:`e^{z_a} = s_a \\sum_b e^{z_b}` (the heads)."""
    return lambda e: ImmutableMatrix(indexed.fold_softmax(d.unfold(e).doit(), heads, zs, sum(map(exp, zs))))


def _chain_symmetry(d: Derivation) -> None:
    d.begin(s_(i) * (KroneckerDelta(i, j) - s_(j)), title="Symmetry")
    d.then(lambda e: sp.expand(e), "expand")
    d.then(
        s_(j) * KroneckerDelta(i, j) - s_(i) * s_(j),
        r"$\delta_{ij}s_i = \delta_{ij}s_j$: $\delta_{ij} = 0$ unless $i = j$",
    )
    d.then(s_(j) * (KroneckerDelta(j, i) - s_(i)), r"$\delta_{ij} = \delta_{ji}$")
    d.conclude("symmetric")


def _chain_null_vector(d: Derivation) -> None:
    d.begin(Sum(s_(i) * (KroneckerDelta(i, j) - s_(j)), (j, 1, n)), title="The null vector")
    d.then(
        lambda e: sp.factor_terms(indexed.in_range(indexed.sift(sp.expand(e)))),
        r"sifting ($\sum_j \delta_{ij} = 1$ for $1 \le i \le n$); $s_i$ is constant in $j$: it factors out (computed)",
    )
    d.then(0, r"the probabilities sum to one: $\sum_j e^{z_j}/\sum_k e^{z_k} = 1$")
    d.conclude("J 1 = 0")


def _chain_psd(d: Derivation) -> None:
    d.begin(
        QUAD,
        r"$v^\top J v = \sum_i v_i (J v)_i$ with $(J v)_i = s_i(v_i - \bar v)$, as proved above",
        title="Positive semidefinite, any $n$",
    )
    d.then(
        linear_sums,
        r"linearity of $\sum_i$: $\sum_i s_i v_i^2 - \bar v \sum_i s_i v_i = \sum_i s_i v_i^2 - \bar v^2$ (computed)",
    )
    d.then(
        Sum(s_(i) * (v[i] - MEAN) ** 2, (i, 1, n)),
        r"$\sum_i s_i = 1$: $\sum_i s_i (v_i - \bar v)^2 = \sum_i s_i v_i^2 - 2\bar v^2 + \bar v^2$, a variance",
    )
    d.bound(0, r"each term is $s_i > 0$ times a square", relation=">=")
    d.conclude("PSD")


def _chain_rank(d: Derivation) -> None:
    d.begin(JV, title="The kernel and the rank, any $n$")
    d.then(
        lambda e: sp.factor_terms(indexed.in_range(indexed.sift(sp.expand(e)))),
        r"sifting: $\sum_j \delta_{ij} v_j = v_i$; $s_i$ is constant in $j$ (computed)",
    )
    d.conclude("J v")

    d.begin(Eq(s_(i) * (v_i - MEAN), 0), r"$(J v)_i = 0$, by the form above")
    d.solve(v_i, r"solve for $v_i$ ($s_i > 0$)")
    d.assume(RANK_NULLITY)
    d.note(r"Every coordinate equals $\bar v$: the kernel is $\{c\mathbf 1\}$, one dimension, so the rank is $n - 1$.")
    d.conclude("rank")

    sv = HEADS[RANK_SIZE]
    d.begin(Determinant(ImmutableMatrix(MINOR)), scope=f"for n = {RANK_SIZE}", title="Worked example: a minor, n = 3")
    d.then(lambda e: sp.factor(e.doit()), "expand the determinant and factor")
    d.then(sp.Mul(*sv), r"$1 - s_1 - s_2 = s_3$: the leading minor is $\prod_i s_i > 0$")
    d.finish()


# -- how it is checked -----------------------------------------------------------------------------
def crosscheck(ctx: CheckContext) -> CrossCheckResult:
    """The derived index form, evaluated at a stable softmax, against central differences of it.

    Cases: moderate logits, logits near 500 (where :math:`e^{z_i}e^{z_j}` overflows), logits of
    size 800 (where :math:`e^{z_i}` itself overflows), and a size-50 vector for the spectrum. The
    overflow regime is asserted to be reached (the naive formulas give non-finite values there), and
    every comparison fails on a non-finite value.
    """
    entry, naive = _entry_functions(ctx)
    rng = ctx.rng
    cases = {
        "moderate logits": rng.normal(0.0, 2.0, 5),
        "logits near 500": 500.0 + rng.normal(0.0, 3.0, 8),
        "logits of size 800": rng.choice([-1.0, 1.0], 7) * rng.uniform(790.0, 810.0, 7),
        "n = 50": rng.normal(0.0, 3.0, 50),
    }
    results = []
    overflow_seen = 0
    for name, zz in cases.items():
        results += _check_case(ctx, name, zz, entry)
        size = zz.size
        with np.errstate(all="ignore"):
            total = np.sum(np.exp(zz))
            raw = naive(zz[:, None], zz[None, :], total, np.eye(size))
        overflow_seen += stable.nonfinite(np.asarray(raw, dtype=float), stable.softmax_naive(zz))
    results.append(
        ctx.bound(
            "overflow regime reached (naive formulas non-finite)",
            "count of inf/nan",
            0.0 if overflow_seen else 1.0,
            0.0,
        )
    )
    return combine(*results)


def _entry_functions(ctx: CheckContext) -> tuple[Callable[..., Any], Callable[..., Any]]:
    """numpy functions of the derived entry in s (``J in s``) and of the derived result in the logits."""
    form = ctx.values["J in s"]
    si, sj, delta = sp.symbols("s_i s_j delta")
    entry = sp.lambdify((si, sj, delta), form.xreplace({s[i]: si, s[j]: sj, KroneckerDelta(i, j): delta}), "numpy")
    naive = sp.lambdify(
        (sp.Symbol("zi"), sp.Symbol("zj"), sp.Symbol("total"), delta),
        ctx.unfold(ctx.result).xreplace(
            {
                exp(z[i]): exp(sp.Symbol("zi")),
                exp(z[j]): exp(sp.Symbol("zj")),
                SUM: sp.Symbol("total"),
                KroneckerDelta(i, j): delta,
            }
        ),
        "numpy",
    )
    return entry, naive


def _check_case(ctx: CheckContext, name: str, zz: np.ndarray, entry: Callable[..., Any]) -> list[CrossCheckResult]:
    """J at the logits ``zz`` against central differences, its row sums, its spectrum and its rank."""
    p = stable.softmax(zz)
    size = zz.size
    J = np.asarray(entry(p[:, None], p[None, :], np.eye(size)), dtype=float)
    fd = linalg.jacobian_fd(stable.softmax, zz, h=np.cbrt(np.finfo(float).eps))
    results = [
        ctx.compare(
            f"J, {name}",
            "central differences of a stable softmax",
            J,
            fd,
            rtol=1e-6,
            floor=float(np.max(np.abs(fd))),
        ),
        ctx.compare(
            f"J 1 = 0, {name}",
            "row sums",
            J @ np.ones(size),
            np.zeros(size),
            rtol=1e-12,
            floor=float(np.max(np.abs(J))),
        ),
    ]
    eig = np.linalg.eigvalsh(J)
    results.append(
        ctx.bound(
            f"PSD, {name}", "numpy.linalg.eigvalsh", float(-eig.min()), 1e-12 * float(np.max(np.abs(eig))) + 1e-300
        )
    )
    if name in ("moderate logits", "n = 50"):  # not one-hot: every s_i is far above eps
        rank = int(np.linalg.matrix_rank(J, tol=1e-10 * float(np.max(np.abs(eig)))))
        results.append(ctx.bound(f"rank n - 1, {name}", "numpy.linalg.matrix_rank", abs(rank - (size - 1)), 0))
    return results


# -- the declaration -------------------------------------------------------------------------------
SOFTMAX_JACOBIAN = declare(
    "softmax-jacobian",
    aliases=("softmax-derivative", "softmax'", "softmax-grad"),
    title="The Jacobian of softmax",
    section="2.2",
    map_row=r"$\operatorname{softmax}(\mathbf z)_i$, derivative $s_i(\delta_{ij} - s_j)$ (cross-entropy gradient)",
    variables={
        **INDEX_DOMAINS,
        **matrices.entry_domains(LOGITS, Z),
        s: probability(),
        v: V,
        v_i: V,
    },
    claim=CLAIM,
    also=(SYMMETRIC, NULL_VECTOR, PSD, J_V, RANK),
    definitions=DEFINITIONS,
    derivation=derivation,
    crosscheck=crosscheck,
    question=QUESTION,
    refs=REFS,
)
