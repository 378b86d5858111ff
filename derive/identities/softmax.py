r"""2.2 Softmax: its Jacobian, the cross-entropy gradient it produces, and log-sum-exp.

:math:`s = \operatorname{softmax}(z)`, :math:`s_i = e^{z_i}/\sum_k e^{z_k}`, turns logits into a
probability vector in every classifier head and every attention row. Its Jacobian
:math:`J = \operatorname{diag}(s) - s s^\top` (``softmax-jacobian``) is what backpropagation
multiplies by; composed with the log-loss it collapses to :math:`s - y`
(``softmax-cross-entropy-grad``); and its normaliser :math:`\log\sum_k e^{z_k}` must be computed
as :math:`m + \log\sum_k e^{z_k - m}` (``log-sum-exp``) or float64 overflows at logits near 709.

General-:math:`n` statements use ``IndexedBase`` entries :math:`z_k` and ``KroneckerDelta``; the
ladder proves their Kronecker-sum links symbolically (deltas sifted, the range :math:`1 \le j \le n`
decided by the index domains), and positive semidefiniteness for every :math:`n` (double sums of
separable products split into products of sums). Explicit sizes: the Jacobian matrices for
:math:`n = 2, 3, 4`, the rank statement for :math:`n = 3`. The numeric checks evaluate softmax
stably (shifted by the max) at logits of size 500 and 800, where the unshifted formula gives ``nan``.
"""

from __future__ import annotations

import numpy as np
import sympy as sp
from sympy import Derivative, Determinant, Eq, Ge, ImmutableMatrix, IndexedBase, KroneckerDelta, Sum, exp, log

from derive.core.derivation import Derivation
from derive.core.identity import Question, Ref, identity
from derive.core.statements import Statement
from derive.maths.domains import integer, interval, positive, probability, real
from derive.maths.indexed import fold_softmax, sift, softmax_entry, softmax_vector
from derive.maths.matrices import entry_domains, jacobian_form, symbol_vector
from derive.maths.notation import named_entries, notation
from derive.numeric.crosscheck import CheckContext, CrossCheckResult, combine
from derive.numeric.linalg import jacobian_fd
from derive.numeric.stable import log_softmax, logsumexp, nonfinite, softmax, softmax_naive

n = integer(2, 6).symbol("n")
i = integer(1, n).symbol("i")
j = integer(1, n).symbol("j")
k = integer(1, n).symbol("k")
z = IndexedBase("z", real=True)
s = IndexedBase("s", positive=True)  # the softmax outputs, as a student writes them
INDEX_DOMAINS = {n: integer(2, 6), i: integer(1, n), j: integer(1, n), z: real(-5, 5)}

SUM = Sum(exp(z[k]), (k, 1, n))


def _entry_name(letter: str, doc: str) -> type[sp.Function]:
    """An undefined function printed :math:`letter_a` for an index :math:`a` (its body is a definition)."""

    def _latex(self: sp.Function, printer: object, exp: object = None) -> str:
        body = f"{letter}_{{{printer._print(self.args[0])}}}"  # type: ignore[attr-defined]
        return body if exp is None else f"{body}^{{{exp}}}"

    return type(f"{letter}_", (sp.Function,), {"__doc__": doc, "_latex": _latex})


s_ = _entry_name("s", "The softmax entry :math:`s_a` for a symbolic index (its body: :func:`S`).")


def S(a: sp.Expr) -> sp.Expr:
    r""":math:`s_a = e^{z_a}/\sum_k e^{z_k}` in terms of the logits."""
    return softmax_entry(z, a, k, n)


LOGITS = symbol_vector("z", 4, real(-5, 5))  # explicit sizes use plain symbols z1, ..., z4


def logits(m: int) -> sp.Matrix:
    """The explicit column :math:`(z_1, \\dots, z_m)` of logits."""
    return LOGITS[:m, :]


def jacobian_matrix(sv: sp.MatrixBase) -> ImmutableMatrix:
    r""":math:`\operatorname{diag}(s) - s s^\top` for an explicit column ``sv``."""
    m = len(sv)
    return ImmutableMatrix(sp.Matrix(m, m, lambda a, b: sv[a] if a == b else 0) - sv * sv.T)


def in_terms_of_s(expr: sp.Expr) -> sp.Expr:
    r"""``expr`` rewritten with :math:`e^{z_a} = s_a \sum_k e^{z_k}`; raises if the logits do not cancel."""
    total = sp.Symbol("Z", positive=True)
    out = sp.cancel(expr.xreplace({SUM: total}).xreplace({exp(z[a]): s[a] * total for a in (i, j)}))
    if out.has(total, z):
        raise ValueError(f"not a function of s alone: {out}")
    return out


# ----------------------------------------------------------------------------- softmax Jacobian
SIZES = (2, 3, 4)
RANK_SIZE = 3
v = IndexedBase("v", real=True)  # a direction, for the quadratic form v^T J v
HEADS: dict[int, sp.Matrix] = {}
DEFINITIONS: dict[sp.Basic, sp.Expr] = {s_(i): S(i)}
for _m in SIZES:  # s_1, ..., s_m as named functions of (z_1, ..., z_m), defined as the softmax entries
    HEADS[_m], _defs = named_entries("s", list(logits(_m)), list(softmax_vector(list(logits(_m)))))
    DEFINITIONS.update(_defs)
MINOR = jacobian_matrix(HEADS[RANK_SIZE])[: RANK_SIZE - 1, : RANK_SIZE - 1]
QUAD = Sum(Sum(v[i] * s_(i) * (KroneckerDelta(i, j) - s_(j)) * v[j], (j, 1, n)), (i, 1, n))  # v^T J v
MEAN = Sum(s_(j) * v[j], (j, 1, n))  # the mean of v under the distribution s
J_INDEX = s[i] * (KroneckerDelta(i, j) - s[j])
S3 = sp.Matrix([s[a] for a in (1, 2, 3)])


def _matrix_statement(m: int) -> Statement:
    return Statement(
        f"J for n = {m}",
        Eq(ImmutableMatrix(jacobian_form(HEADS[m], list(logits(m)))), jacobian_matrix(HEADS[m]), evaluate=False),
        text=rf"the explicit ${m}\times{m}$ Jacobian is $\operatorname{{diag}}(s) - s s^\top$",
    )


def _jacobian_check(ctx: CheckContext) -> CrossCheckResult:
    """The derived index form, evaluated at a stable softmax, against central differences of it.

    Cases: moderate logits, logits near 500 (where :math:`e^{z_i}e^{z_j}` overflows), logits of
    size 800 (where :math:`e^{z_i}` itself overflows), and a size-50 vector for the spectrum. The
    overflow regime is asserted to be reached (the naive formulas give non-finite values there), and
    every comparison fails on a non-finite value.
    """
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
        p = softmax(zz)
        size = zz.size
        J = np.asarray(entry(p[:, None], p[None, :], np.eye(size)), dtype=float)
        fd = jacobian_fd(softmax, zz, h=np.cbrt(np.finfo(float).eps))
        results.append(
            ctx.compare(
                f"J, {name}",
                "central differences of a stable softmax",
                J,
                fd,
                rtol=1e-6,
                floor=float(np.max(np.abs(fd))),
            )
        )
        results.append(
            ctx.compare(
                f"J 1 = 0, {name}",
                "row sums",
                J @ np.ones(size),
                np.zeros(size),
                rtol=1e-12,
                floor=float(np.max(np.abs(J))),
            )
        )
        eig = np.linalg.eigvalsh(J)
        results.append(
            ctx.bound(
                f"PSD, {name}", "numpy.linalg.eigvalsh", float(-eig.min()), 1e-12 * float(np.max(np.abs(eig))) + 1e-300
            )
        )
        if name in ("moderate logits", "n = 50"):  # not one-hot: every s_i is far above eps
            rank = int(np.linalg.matrix_rank(J, tol=1e-10 * float(np.max(np.abs(eig)))))
            results.append(ctx.bound(f"rank n - 1, {name}", "numpy.linalg.matrix_rank", abs(rank - (size - 1)), 0))
        with np.errstate(all="ignore"):
            total = np.sum(np.exp(zz))
            raw = naive(zz[:, None], zz[None, :], total, np.eye(size))
        overflow_seen += nonfinite(np.asarray(raw, dtype=float), softmax_naive(zz))
    results.append(
        ctx.bound(
            "overflow regime reached (naive formulas non-finite)",
            "count of inf/nan",
            0.0 if overflow_seen else 1.0,
            0.0,
        )
    )
    return combine(*results)


@identity(
    "softmax-jacobian",
    aliases=("softmax-derivative", "softmax'", "softmax-grad"),
    title="The Jacobian of softmax",
    section="2.2",
    map_row=r"$\operatorname{softmax}(\mathbf z)_i$, derivative $s_i(\delta_{ij} - s_j)$ (cross-entropy gradient)",
    variables={
        **INDEX_DOMAINS,
        **entry_domains(LOGITS, real(-5, 5)),
        s: probability(),
        v: real(-3, 3),
    },
    claim=Eq(Derivative(s_(i), z[j]), s_(i) * (KroneckerDelta(i, j) - s_(j))),
    also=[
        *(_matrix_statement(m) for m in SIZES),
        Statement(
            "symmetric",
            Eq(s_(i) * (KroneckerDelta(i, j) - s_(j)), s_(j) * (KroneckerDelta(j, i) - s_(i))),
            text=r"$J_{ij} = J_{ji}$ for every $n$",
        ),
        Statement(
            "J 1 = 0",
            Eq(Sum(s_(i) * (KroneckerDelta(i, j) - s_(j)), (j, 1, n)), 0),
            text=r"every row sums to zero: $\mathbf 1$ is a null vector (shifting all logits changes nothing)",
        ),
        Statement(
            "PSD",
            Ge(QUAD, 0),
            text=r"$v^\top J v = \sum_i s_i (v_i - \bar v)^2 \ge 0$ with $\bar v = \sum_j s_j v_j$: "
            r"a variance, for every $n$",
        ),
        Statement(
            "rank",
            Eq(Determinant(ImmutableMatrix(MINOR)), sp.Mul(*HEADS[RANK_SIZE])),
            text=rf"the leading $(n-1)\times(n-1)$ minor is $s_1 \cdots s_n > 0$ (for $n = {RANK_SIZE}$); with "
            r"$J\mathbf 1 = 0$ the rank is exactly $n - 1$",
        ),
    ],
    definitions=DEFINITIONS,
    crosscheck=_jacobian_check,
    question=Question(
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
    ),
    refs=(
        Ref.book("I. Goodfellow, Y. Bengio and A. Courville (2016), Deep Learning", "Sec. 6.2.2.3"),
        Ref.book("C. M. Bishop (2006), Pattern Recognition and Machine Learning", "Sec. 4.3.4"),
        Ref.arxiv("1706.03762", "A. Vaswani et al., Attention Is All You Need, 2017", where="Sec. 3.2.1"),
    ),
)
def softmax_jacobian(d: Derivation) -> None:
    r"""Softmax $s_i = e^{z_i}/\sum_k e^{z_k}$ maps logits to probabilities in every classifier and
    every attention row. Its Jacobian $\partial s_i/\partial z_j = s_i(\delta_{ij} - s_j)$, i.e.
    $J = \operatorname{diag}(s) - s s^\top$, is symmetric, positive semidefinite and annihilates
    $\mathbf 1$ (softmax ignores a common shift of the logits), so it has rank $n - 1$; it is the
    factor through which every gradient reaches the logits."""
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
    d.then(sift, r"sifting: only $k = j$ survives, as $1 \le j \le n$")
    d.then(s_(i) * (KroneckerDelta(i, j) - s_(j)), r"factor out $s_i = e^{z_i}/\sum_k e^{z_k}$")
    d.conclude()
    d.keep("J in s", in_terms_of_s(d.unfold(d.last)))

    for m in SIZES:
        heads, zs = HEADS[m], list(logits(m))
        d.begin(ImmutableMatrix(jacobian_form(heads, zs)), scope=f"for n = {m}", title=f"The matrix, n = {m}")
        d.then(
            lambda e, h=heads, zs=zs: ImmutableMatrix(fold_softmax(d.unfold(e).doit(), h, zs, sum(map(exp, zs)))),
            r"differentiate each $s_a = e^{z_a}/\sum_b e^{z_b}$, then write $e^{z_a} = s_a \sum_b e^{z_b}$",
        )
        d.then(notation(r"\operatorname{diag}(s) - s s^\top", jacobian_matrix(heads), "diag(s) - s s^T"), "as matrices")
        d.conclude(f"J for n = {m}")
    d.begin(s_(i) * (KroneckerDelta(i, j) - s_(j)), title="Symmetry")
    d.then(lambda e: sp.expand(e), "expand")
    d.then(
        s_(j) * KroneckerDelta(i, j) - s_(i) * s_(j),
        r"$\delta_{ij}s_i = \delta_{ij}s_j$: $\delta_{ij} = 0$ unless $i = j$",
    )
    d.then(s_(j) * (KroneckerDelta(j, i) - s_(i)), r"$\delta_{ij} = \delta_{ji}$")
    d.conclude("symmetric")

    d.begin(Sum(s_(i) * (KroneckerDelta(i, j) - s_(j)), (j, 1, n)), title="The null vector")
    d.then(s_(i) - s_(i) * Sum(s_(j), (j, 1, n)), r"sifting ($\sum_j \delta_{ij} = 1$); $s_i$ is constant in $j$")
    d.then(s_(i) * (1 - Sum(s_(j), (j, 1, n))), "factor")
    d.then(0, r"the probabilities sum to one: $\sum_j e^{z_j}/\sum_k e^{z_k} = 1$")
    d.conclude("J 1 = 0")

    d.begin(QUAD, title="Positive semidefinite, any $n$")
    d.then(
        Sum(Sum(v[i] * s_(i) * KroneckerDelta(i, j) * v[j], (j, 1, n)), (i, 1, n))
        - Sum(Sum(v[i] * s_(i) * s_(j) * v[j], (j, 1, n)), (i, 1, n)),
        r"linearity: split $\delta_{ij} - s_j$",
    )
    d.then(
        Sum(s_(i) * v[i] ** 2, (i, 1, n)) - Sum(Sum(v[i] * s_(i) * s_(j) * v[j], (j, 1, n)), (i, 1, n)),
        r"sifting: $\sum_j \delta_{ij} v_j = v_i$",
    )
    d.then(
        Sum(s_(i) * v[i] ** 2, (i, 1, n)) - Sum(s_(i) * v[i], (i, 1, n)) ** 2,
        r"$s_i v_i \cdot s_j v_j$ separates: the double sum is $(\sum_i s_i v_i)^2 = \bar v^2$",
    )
    d.then(
        Sum(s_(i) * (v[i] - MEAN) ** 2, (i, 1, n)),
        r"$\sum_i s_i = 1$: $\sum_i s_i (v_i - \bar v)^2 = \sum_i s_i v_i^2 - 2\bar v^2 + \bar v^2$, a variance",
    )
    d.bound(0, r"each term is $s_i > 0$ times a square", relation=">=")
    d.conclude("PSD")

    sv = HEADS[RANK_SIZE]
    d.begin(Determinant(ImmutableMatrix(MINOR)), scope=f"for n = {RANK_SIZE}", title="Rank n - 1")
    d.then(lambda e: sp.factor(e.doit()), "expand the determinant and factor")
    d.then(sp.Mul(*sv), r"$1 - s_1 - s_2 = s_3$: the minor is $\prod_i s_i > 0$, so $\operatorname{rank} J \ge n - 1$")
    d.conclude("rank")


# ----------------------------------------------------------------------------- cross-entropy gradient
y = IndexedBase("y", real=True)  # a target as a student writes it (and any weights, not normalised)
q = IndexedBase("q", positive=True)
y_ = _entry_name("y", r"A target probability :math:`y_a = q_a/\sum_k q_k` (every point of the simplex is one).")
TARGET = {y_(i): q[i] / Sum(q[k], (k, 1, n))}
y1 = probability().symbol("y1")
y2 = interval(0, 1 - y1).symbol("y2")
Y3 = sp.Matrix([y1, y2, 1 - y1 - y2])  # a point of the simplex: y_3 = 1 - y_1 - y_2
CE_LOSS = -sum(Y3[a] * log(HEADS[3][a]) for a in range(3))
CE = -Sum(y_(i) * log(s_(i)), (i, 1, n))
CE_ANY_Y = -Sum(y[i] * log(s_(i)), (i, 1, n))


def _cross_entropy_check(ctx: CheckContext) -> CrossCheckResult:
    """Central differences of the stable loss -sum y log_softmax(z) against the derived gradient.

    Targets on the simplex at n = 3, 10, 50 (logits up to size 500) must give ``s - y``; for an
    unnormalised target the derived general form ``s sum(y) - y`` must hold and ``s - y`` must not.
    """
    general = ctx.values["any y"]
    sj, yj, total = sp.symbols("s_j y_j Y")
    grad = sp.lambdify(
        (sj, yj, total), general.xreplace({Sum(y[i], (i, 1, n)): total}).xreplace({s_(j): sj, y[j]: yj}), "numpy"
    )
    results = []
    rng = ctx.rng
    for size, scale in ((3, 2.0), (10, 3.0), (50, 500.0)):
        zz = rng.normal(0.0, scale, size)
        target = rng.dirichlet(np.ones(size))
        loss = lambda v, t=target: float(-np.sum(t * log_softmax(v)))  # noqa: E731
        fd = _grad_fd(loss, zz)
        p = softmax(zz)
        got = np.asarray(grad(p, target, target.sum()), dtype=float)
        results.append(
            ctx.compare(
                f"n = {size}, logits ~ {scale:g}",
                "central differences of a stable loss",
                got,
                fd,
                rtol=1e-6,
                floor=float(np.max(np.abs(fd))),
            )
        )
        results.append(ctx.compare(f"s - y, n = {size}", "the claim", p - target, got, rtol=1e-12, floor=1.0))
    zz = rng.normal(0.0, 2.0, 6)
    target = rng.uniform(0.0, 1.0, 6) * 3.0  # not normalised: sum(y) != 1
    loss = lambda v: float(-np.sum(target * log_softmax(v)))  # noqa: E731
    fd = _grad_fd(loss, zz)
    p = softmax(zz)
    results.append(
        ctx.compare(
            "unnormalised y: s sum(y) - y",
            "central differences",
            np.asarray(grad(p, target, target.sum()), dtype=float),
            fd,
            rtol=1e-6,
            floor=float(np.max(np.abs(fd))),
        )
    )
    miss = float(np.max(np.abs((p - target) - fd)))
    results.append(ctx.bound("unnormalised y: s - y misses by more than 1e-3", "central differences", 1e-3, miss))
    return combine(*results)


def _grad_fd(f, x: np.ndarray) -> np.ndarray:  # type: ignore[no-untyped-def]
    """Central differences of a scalar function with an absolute step (softmax is shift-invariant)."""
    return jacobian_fd(lambda v: np.atleast_1d(f(v)), x, h=float(np.cbrt(np.finfo(float).eps)))[0]


@identity(
    "softmax-cross-entropy-grad",
    aliases=("cross-entropy-grad", "softmax-cross-entropy", "softmax-ce-grad"),
    title="The gradient of softmax cross-entropy",
    section="2.2",
    map_row=r"softmax with cross-entropy: $\nabla_{\mathbf z}\bigl(-\sum_i y_i \log s_i\bigr) = s - y$",
    variables={
        **INDEX_DOMAINS,
        **entry_domains(LOGITS, real(-5, 5)),
        y1: probability(),
        y2: interval(0, 1 - y1),
        y: real(0, 1),
        q: positive(1),
        s: probability(),
    },
    claim=Statement(
        "claim",
        Eq(Derivative(CE, z[j]), s_(j) - y_(j)),
        text=r"for every $n$ and every target on the simplex, written $y_i = q_i/\sum_k q_k$ with $q_k > 0$",
    ),
    also=[
        Statement(
            "any y",
            Eq(Derivative(CE_ANY_Y, z[j]), s_(j) * Sum(y[i], (i, 1, n)) - y[j]),
            text=r"for any weights $y_i$ (not normalised); it reduces to $s_j - y_j$ exactly when $\sum_i y_i = 1$",
        ),
    ],
    definitions={**DEFINITIONS, **TARGET},
    crosscheck=_cross_entropy_check,
    question=Question(
        target=s[j] - y[j],
        prompt=r"Let $s = \operatorname{softmax}(z)$ and let $y$ be a probability vector ($\sum_i y_i = 1$). "
        r"Compute $\partial L/\partial z_j$ for the cross-entropy $L = -\sum_i y_i \log s_i$.",
        variables=(j,),
        forms=(ImmutableMatrix([s[a] - y[a] for a in (1, 2, 3)]),),
        approximations={
            r"sign flipped: $y - s$ is the negative gradient (the descent direction)": y[j] - s[j],
            r"$s_j(1 - s_j)$ is the softmax Jacobian's diagonal, not the loss gradient": s[j] * (1 - s[j]),
        },
    ),
    refs=(
        Ref.book("C. M. Bishop (2006), Pattern Recognition and Machine Learning", "Eq. (4.109)"),
        Ref.book("I. Goodfellow, Y. Bengio and A. Courville (2016), Deep Learning", "Sec. 6.2.2.3"),
    ),
    builds_on=("softmax-jacobian",),
)
def softmax_cross_entropy_grad(d: Derivation) -> None:
    r"""A classifier's logits $z$ go through softmax, $s = \operatorname{softmax}(z)$, and are scored by
    the cross-entropy $L = -\sum_i y_i \log s_i$ against a target distribution $y$. Through the softmax
    Jacobian the gradient collapses to the residual $s - y$: bounded, never saturating, and the reason
    frameworks fuse the two operations. The collapse uses $\sum_i y_i = 1$; for an unnormalised target
    the gradient is $s \sum_i y_i - y$."""
    chains = ((y_, "claim", "A target on the simplex, any $n$"), (y.__getitem__, "any y", "Any weights"))
    for target, label, title in chains:
        d.begin(Derivative(-Sum(target(i) * log(s_(i)), (i, 1, n)), z[j]), title=title)
        d.then(
            -Sum(target(i) * Derivative(s_(i), z[j]) / s_(i), (i, 1, n)),
            r"chain rule: $\partial \log s_i = \partial s_i / s_i$",
        )
        d.then(-Sum(target(i) * (KroneckerDelta(i, j) - s_(j)), (i, 1, n)), r"softmax Jacobian (symbolic $n$)")
        d.then(s_(j) * Sum(target(i), (i, 1, n)) - target(j), r"sifting: $\sum_i y_i \delta_{ij} = y_j$")
        if label == "claim":
            d.then(s_(j) - y_(j), r"$\sum_i y_i = \sum_i q_i / \sum_k q_k = 1$")
        d.conclude(label)
    d.keep("any y", d.last)

    zs = list(logits(3))
    sv = HEADS[3]
    d.begin(ImmutableMatrix(jacobian_form([CE_LOSS], zs).T), scope="for n = 3", title="Example: the gradient for n = 3")
    d.then(
        ImmutableMatrix([-sum(Y3[a] / sv[a] * Derivative(sv[a], zb) for a in range(3)) for zb in zs]),
        r"chain rule: $\partial \log s_a = \partial s_a / s_a$",
    )
    d.then(
        ImmutableMatrix([-sum(Y3[a] * (KroneckerDelta(a, b) - sv[b]) for a in range(3)) for b in range(3)]),
        r"softmax Jacobian: $\partial s_a/\partial z_b = s_a(\delta_{ab} - s_b)$",
    )
    d.then(ImmutableMatrix(sv - Y3), r"$\sum_a y_a = 1$ (here $y_3 = 1 - y_1 - y_2$): $s - y$")
    d.finish()


# ----------------------------------------------------------------------------- log-sum-exp
m = real(-5, 5).symbol("m")
c = real(-5, 5).symbol("c")
LSE = log(SUM)


def _lse_stability(ctx: CheckContext) -> CrossCheckResult:
    """Logits with entries up to 1e3: the shifted form stays finite and matches mpmath at 50 digits,
    while the unshifted form overflows."""
    import mpmath

    results = []
    overflowed = 0
    for size in (5, 20, 100):
        zz = ctx.rng.uniform(-1000.0, 1000.0, size)
        zz[0] = 1000.0  # make sure the largest logit is at the top of the range
        stable = float(logsumexp(zz))
        with mpmath.workdps(50):
            exact = mpmath.log(mpmath.fsum(mpmath.exp(mpmath.mpf(float(v))) for v in zz))
        with np.errstate(all="ignore"):
            naive = np.log(np.sum(np.exp(zz)))
        overflowed += nonfinite(np.asarray(naive))
        results.append(ctx.compare(f"LSE, n = {size}", "mpmath at 50 digits", stable, float(exact), rtol=1e-15))
    results.append(
        ctx.bound(
            "the unshifted form overflows (so the test is meaningful)",
            "count of inf/nan",
            0.0 if overflowed else 1.0,
            0.0,
        )
    )
    return combine(*results)


def _lse_check(ctx: CheckContext) -> CrossCheckResult:
    """The gradient of the stable LSE by central differences against softmax, at logits near 500 and
    of size 800; shift invariance of the stable softmax; and float64 stability (:func:`_lse_stability`)."""
    results = [_lse_stability(ctx)]
    for name, zz in (
        ("moderate logits", ctx.rng.normal(0.0, 2.0, 6)),
        ("logits near 500", 500.0 + ctx.rng.normal(0.0, 3.0, 8)),
        ("logits of size 800", ctx.rng.choice([-1.0, 1.0], 7) * ctx.rng.uniform(790.0, 810.0, 7)),
    ):
        fd = _grad_fd(lambda v: float(logsumexp(v)), zz)
        results.append(
            ctx.compare(
                f"grad LSE, {name}", "central differences", softmax(zz), fd, rtol=1e-6, floor=float(np.max(np.abs(fd)))
            )
        )
        shift = float(ctx.rng.uniform(-300.0, 300.0))
        results.append(
            ctx.compare(
                f"shift, {name}",
                "softmax(z + c) against softmax(z)",
                softmax(zz + shift),
                softmax(zz),
                rtol=1e-9,
                floor=1e-12,
            )
        )
    return combine(*results)


@identity(
    "log-sum-exp",
    aliases=("logsumexp", "lse", "log-sum-exp-trick"),
    title="Log-sum-exp and the max-shift trick",
    section="2.2",
    map_row=r"softmax: numerically use log-sum-exp, $\operatorname{LSE}(z) = m + \log\sum_i e^{z_i - m}$",
    variables={**INDEX_DOMAINS, **entry_domains(LOGITS, real(-5, 5)), m: real(-5, 5), c: real(-5, 5)},
    claim=Statement(
        "claim",
        Eq(LSE, m + log(Sum(exp(z[k] - m), (k, 1, n)))),
        text=r"for every real $m$; with $m = \max_k z_k$ no exponent is positive, so float64 cannot overflow "
        r"(the cross-check evaluates it at logits up to $10^3$ against 50-digit mpmath)",
    ),
    also=[
        Statement(
            "gradient",
            Eq(Derivative(LSE, z[j]), s_(j)),
            text=r"the gradient of $\operatorname{LSE}$ is the softmax",
        ),
        Statement(
            "shift",
            Eq(exp(z[i] + c) / Sum(exp(z[k] + c), (k, 1, n)), s_(i)),
            text=r"softmax ignores a common shift $c$ of the logits (take $c = -\max_k z_k$)",
        ),
    ],
    definitions=DEFINITIONS,
    crosscheck=_lse_check,
    question=Question(
        target=m + log(sum(exp(zk - m) for zk in logits(3))),
        prompt=r"Rewrite $\log(e^{z_1} + e^{z_2} + e^{z_3})$ so that no exponent is positive, using "
        r"$m = \max_k z_k$.",
        variables=(*logits(3), m),
        approximations={
            r"the shift must be added back: $+\,m$ is missing": log(sum(exp(zk - m) for zk in logits(3))),
            r"sign of the shift: with $e^{z_k + m}$ the correction is $-\,m$": -m
            + log(sum(exp(zk + m) for zk in logits(3))),
        },
    ),
    refs=(
        Ref.book("N. J. Higham (2002), Accuracy and Stability of Numerical Algorithms", "Sec. 27"),
        Ref.book("I. Goodfellow, Y. Bengio and A. Courville (2016), Deep Learning", "Sec. 4.1"),
    ),
    builds_on=("softmax-jacobian",),
)
def log_sum_exp(d: Derivation) -> None:
    r"""$\operatorname{LSE}(z) = \log\sum_k e^{z_k}$ is the normaliser of softmax and of every log-likelihood
    over classes. Computed naively it overflows in float64 once a logit exceeds about $709$; factoring out
    $e^m$ gives $m + \log\sum_k e^{z_k - m}$, exact for every $m$ and safe for $m = \max_k z_k$. Its gradient
    is the softmax, and softmax is unchanged by a common shift of the logits, which is why the trick is free."""
    d.begin(LSE)
    d.then(log(exp(m) * Sum(exp(z[k] - m), (k, 1, n))), r"$e^{z_k} = e^m e^{z_k - m}$: factor $e^m$ out of the sum")
    d.then(m + log(Sum(exp(z[k] - m), (k, 1, n))), r"$\log(ab) = \log a + \log b$ for $a, b > 0$")
    d.conclude()

    d.begin(Derivative(LSE, z[j]))
    d.then(lambda e: e.doit(), r"chain rule: $\partial_{z_j} \sum_k e^{z_k} = \sum_k \delta_{jk} e^{z_k}$")
    d.then(sift, r"sifting: only $k = j$ survives")
    d.then(s_(j), r"the softmax entry $s_j$")
    d.conclude("gradient")

    d.begin(exp(z[i] + c) / Sum(exp(z[k] + c), (k, 1, n)))
    d.then(exp(c) * exp(z[i]) / (exp(c) * SUM), r"$e^{z + c} = e^c e^z$, and $e^c$ comes out of the sum")
    d.then(s_(i), r"cancel $e^c$")
    d.conclude("shift")
