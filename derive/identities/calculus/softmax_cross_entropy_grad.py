r"""The gradient of softmax cross-entropy.

Composed with the log-loss $L = -\sum_i y_i \log s_i$, the softmax Jacobian collapses the gradient in
the logits to the residual $s - y$: bounded, never saturating, and the reason frameworks fuse the
two operations (map 2.2, key derivatives in practice: softmax with cross-entropy). The collapse
needs $\sum_i y_i = 1$; for unnormalised weights the gradient is $s\sum_i y_i - y$. Derived for any
$n$ and every target on the simplex. Bishop (2006), Pattern Recognition and Machine Learning,
Eq. (4.109); Goodfellow, Bengio and Courville (2016), Deep Learning, Sec. 6.2.2.3.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import sympy as sp
from sympy import Derivative, Eq, ImmutableMatrix, IndexedBase, KroneckerDelta, Sum, log

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
    interval,
    matrices,
    positive,
    probability,
    real,
    stable,
)

from ._shared import (
    DEFINITIONS,
    HEADS,
    INDEX_DOMAINS,
    LOGITS,
    S,
    Z,
    entry_name,
    grad_fd,
    i,
    j,
    k,
    logits,
    n,
    s,
    s_,
    z,
)

# -- symbols ---------------------------------------------------------------------------------------
y = IndexedBase("y", real=True)  # a target as a student writes it (and any weights, not normalised)
WEIGHTS = real(0, 1)
q = IndexedBase("q", positive=True)
Q = positive(1)
y_ = entry_name("y", r"A target probability :math:`y_a = q_a/\sum_k q_k` (every point of the simplex is one).")
TARGET = {y_(i): q[i] / Sum(q[k], (k, 1, n))}
Y1 = probability()
y1 = Y1.symbol("y1")
Y2 = interval(0, 1 - y1)
y2 = Y2.symbol("y2")
Y3 = sp.Matrix([y1, y2, 1 - y1 - y2])  # a point of the simplex: y_3 = 1 - y_1 - y_2
CE_LOSS = -sum(Y3[a] * log(HEADS[3][a]) for a in range(3))
CE = -Sum(y_(i) * log(s_(i)), (i, 1, n))
CE_ANY_Y = -Sum(y[i] * log(s_(i)), (i, 1, n))

# -- what is claimed -------------------------------------------------------------------------------
CLAIM = Statement(
    "claim",
    Eq(Derivative(CE, z[j]), s_(j) - y_(j)),
    text=r"for every $n$ and every target on the simplex, written $y_i = q_i/\sum_k q_k$ with $q_k > 0$",
)
ANY_Y = Statement(
    "any y",
    Eq(Derivative(CE_ANY_Y, z[j]), s_(j) * Sum(y[i], (i, 1, n)) - y[j]),
    text=r"for any weights $y_i$ (not normalised); it reduces to $s_j - y_j$ exactly when $\sum_i y_i = 1$",
)

# -- the homework question, and where the identity comes from --------------------------------------
QUESTION = Question(
    target=s[j] - y[j],
    prompt=r"Let $s = \operatorname{softmax}(z)$ and let $y$ be a probability vector ($\sum_i y_i = 1$). "
    r"Compute $\partial L/\partial z_j$ for the cross-entropy $L = -\sum_i y_i \log s_i$.",
    variables=(j,),
    forms=(ImmutableMatrix([s[a] - y[a] for a in (1, 2, 3)]),),
    approximations={
        r"sign flipped: $y - s$ is the negative gradient (the descent direction)": y[j] - s[j],
        r"$s_j(1 - s_j)$ is the softmax Jacobian's diagonal, not the loss gradient": s[j] * (1 - s[j]),
    },
)
REFS = (
    Ref.cite("bishop2006", where="Eq. (4.109)"),
    Ref.cite("goodfellow2016", where="Sec. 6.2.2.3"),
)


# -- how it is derived -----------------------------------------------------------------------------
def derivation(d: Derivation) -> None:
    r"""A classifier's logits $z$ go through softmax, $s = \operatorname{softmax}(z)$, and are scored by
    the cross-entropy $L = -\sum_i y_i \log s_i$ against a target distribution $y$. Through the softmax
    Jacobian the gradient collapses to the residual $s - y$: bounded, never saturating, and the reason
    frameworks fuse the two operations. The collapse uses $\sum_i y_i = 1$; for an unnormalised target
    the gradient is $s \sum_i y_i - y$."""
    chains = ((y_, "claim", "A target on the simplex, any $n$"), (y.__getitem__, "any y", "Any weights"))
    for target, label, title in chains:
        d.begin(Derivative(-Sum(target(i) * log(s_(i)), (i, 1, n)), z[j]), title=title)
        d.then(
            Derivative(-Sum(target(i) * log(S(i)), (i, 1, n)), z[j]),
            r"$s_i = e^{z_i}/\sum_k e^{z_k}$, $n$ symbolic",
        )
        d.then(
            lambda e: indexed.sift(sp.expand(e.doit())),
            r"differentiate under the sum (chain rule through $\log s_i$, quotient rule: the softmax Jacobian "
            r"$s_i(\delta_{ij} - s_j)$) and collapse the Kronecker sums, $\sum_k \delta_{jk} e^{z_k} = e^{z_j}$ "
            r"and $\sum_i y_i \delta_{ij} = y_j$",
        )
        d.then(s_(j) * Sum(target(i), (i, 1, n)) - target(j), r"$e^{z_j}/\sum_k e^{z_k} = s_j$")
        if label == "claim":
            d.then(s_(j) - y_(j), r"$\sum_i y_i = \sum_i q_i / \sum_k q_k = 1$")
        d.conclude(label)
    d.keep("any y", d.last)

    zs = list(logits(3))
    sv = HEADS[3]
    d.begin(
        ImmutableMatrix(matrices.jacobian_form([CE_LOSS], zs).T),
        scope="for n = 3",
        title="Example: the gradient for n = 3",
    )
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


# -- how it is checked -----------------------------------------------------------------------------
def crosscheck(ctx: CheckContext) -> CrossCheckResult:
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
        fd = grad_fd(_loss(target), zz)
        p = stable.softmax(zz)
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
    fd = grad_fd(_loss(target), zz)
    p = stable.softmax(zz)
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


def _loss(target: np.ndarray) -> Callable[[np.ndarray], float]:
    """The stable cross-entropy :math:`-\\sum_i y_i \\log s_i` as a function of the logits."""
    return lambda v: float(-np.sum(target * stable.log_softmax(v)))


# -- the declaration -------------------------------------------------------------------------------
SOFTMAX_CROSS_ENTROPY_GRAD = declare(
    "softmax-cross-entropy-grad",
    aliases=("cross-entropy-grad", "softmax-cross-entropy", "softmax-ce-grad"),
    title="The gradient of softmax cross-entropy",
    section="2.2",
    map_row=r"softmax with cross-entropy: $\nabla_{\mathbf z}\bigl(-\sum_i y_i \log s_i\bigr) = s - y$",
    variables={
        **INDEX_DOMAINS,
        **matrices.entry_domains(LOGITS, Z),
        y1: Y1,
        y2: Y2,
        y: WEIGHTS,
        q: Q,
        s: probability(),
    },
    claim=CLAIM,
    also=(ANY_Y,),
    definitions={**DEFINITIONS, **TARGET},
    derivation=derivation,
    crosscheck=crosscheck,
    question=QUESTION,
    refs=REFS,
    builds_on=("softmax-jacobian",),
)
