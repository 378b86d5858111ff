r"""Gradient clipping caps the norm and keeps the direction.

Clipping by norm rescales an exploding gradient, $g' = g\min(1, c/\|g\|)$: below the threshold
nothing changes, above it the step has length exactly $c$, so $\|g'\| = \min(\|g\|, c)$, and since
the factor is positive the direction is untouched, $\cos(g', g) = 1$ (map 2.3, fix: gradient
clipping $\|g\| \le c$). Both cases of the min are derived for $g \in \mathbb{R}^n$, any $n$.
Pascanu, Mikolov and Bengio (2013), On the difficulty of training recurrent neural networks,
Sec. 3.2, Algorithm 1.
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
    positive,
    real,
)

# -- symbols ---------------------------------------------------------------------------------------
DIMENSION = integer(1, 8)
n = DIMENSION.symbol("n")  # the dimension of g
INDEX = integer(1, n)
i = INDEX.symbol("i")
ENTRY = real(-10, 10)
g = sp.IndexedBase("g", real=True)
NORM_G = sp.sqrt(sp.Sum(g[i] ** 2, (i, 1, n)))  # ||g|| for g in R^n
U = nonnegative(10)
u = U.symbol("u")
V = positive(10)
v = V.symbol("v")
THRESHOLD = positive(20)
c = THRESHOLD.symbol("c")
C_LOOSE = (1 + u) * NORM_G  # a threshold c >= ||g||
C_TIGHT = NORM_G / (1 + v)  # a threshold c < ||g||
G3 = [ENTRY.symbol(f"g{a}") for a in (1, 2, 3)]  # the homework question's g in R^3
NORM_G3 = sp.sqrt(sum(x_**2 for x_ in G3))


def clipped_norm(threshold: sp.Expr) -> sp.Expr:
    r""":math:`\|g'\|` for :math:`g' = g \min(1, c/\|g\|)` (the min unevaluated: a derivation evaluates it)."""
    factor = sp.Min(1, threshold / NORM_G, evaluate=False)
    return sp.sqrt(sp.Sum((g[i] * factor) ** 2, (i, 1, n)))


def clipped_cosine(threshold: sp.Expr) -> sp.Expr:
    r""":math:`\cos(g', g) = \langle g', g\rangle / (\|g'\|\,\|g\|)` for the clipped :math:`g'`."""
    factor = sp.Min(1, threshold / NORM_G, evaluate=False)
    return sp.Sum(g[i] * factor * g[i], (i, 1, n)) / (clipped_norm(threshold) * NORM_G)


# -- what is claimed -------------------------------------------------------------------------------
CLAIM = Statement(
    "clipped norm",
    Eq(clipped_norm(C_TIGHT), sp.Min(NORM_G, C_TIGHT)),
    text=r"if $\|g\| > c$, write $c = \|g\|/(1 + v)$ with $v > 0$: then $\|g'\| = c = \min(\|g\|, c)$",
)
UNCLIPPED_NORM = Statement(
    "unclipped norm",
    Eq(clipped_norm(C_LOOSE), sp.Min(NORM_G, C_LOOSE)),
    text=r"if $\|g\| \le c$, write $c = (1 + u)\|g\|$ with $u \ge 0$: then $g' = g$ and "
    r"$\|g'\| = \|g\| = \min(\|g\|, c)$",
)
AT_MOST_C = Statement(
    "<= c",
    Le(clipped_norm(C_LOOSE), C_LOOSE),
    text=r"so $\|g'\| \le c$ in both cases (in the clipped case with equality)",
)
DIRECTION = Statement(
    "direction",
    Eq(clipped_cosine(C_TIGHT), 1),
    text=r"the clipped gradient points along $g$: $\cos(g', g) = 1$ (unclipped, $g' = g$)",
)

# -- the homework question, and where the identity comes from --------------------------------------
QUESTION = Question(
    target=sp.Min(NORM_G3, c),
    prompt=r"A gradient $g \in \mathbb{R}^3$ (entries g1, g2, g3) is clipped to the threshold $c > 0$: "
    r"$g' = g\min(1, c/\|g\|)$. What is $\|g'\|$, for any $g \ne 0$ and $c$?",
    variables=(*G3, c),
    approximations={
        r"$\|g'\| = c$ only when $\|g\| > c$; below the threshold $g' = g$": c,
        r"clipping does not change the norm only when $\|g\| \le c$": NORM_G3,
    },
)
REFS = (Ref.cite("pascanu2013", where="Sec. 3.2, Algorithm 1"),)


# -- how it is derived -----------------------------------------------------------------------------
def derivation(d: Derivation) -> None:
    r"""Exploding gradients make single steps huge. Clipping by norm rescales the gradient,
    $g' = g\min(1, c/\|g\|)$: below the threshold nothing changes, above it the step has length
    exactly $c$. Because the rescaling is by a positive number the direction is untouched, so
    clipping bounds the step without biasing where it points; it is standard in RNN and Transformer
    training. The two cases of the min are derived separately for $g \in \mathbb{R}^n$, any $n$: a
    threshold $c = \|g\|/(1 + v)$, $v > 0$, below the norm, and $c = (1 + u)\|g\|$, $u \ge 0$, at or
    above it (together they cover every $c > 0$)."""
    d.begin(clipped_norm(C_TIGHT), title="Above the threshold")
    d.then(lambda e: e.doit(), r"$c/\|g\| = 1/(1 + v) < 1$, so the min is $c/\|g\|$")
    d.then(NORM_G / (1 + v), r"the positive factor $1/(1 + v)$ comes out of the norm; it is $c = \min(\|g\|, c)$")
    d.conclude("clipped norm")

    d.begin(clipped_norm(C_LOOSE), title="At or below the threshold")
    d.then(
        lambda e: e.doit(),
        r"$c/\|g\| = 1 + u \ge 1$, so the min is $1$ and $g' = g$: $\|g'\| = \|g\| = \min(\|g\|, c)$",
    )
    d.conclude("unclipped norm")

    d.begin(clipped_norm(C_LOOSE), title="The norm never exceeds c")
    d.then(lambda e: e.doit(), r"unclipped: $g' = g$")
    d.bound(C_LOOSE, r"$(1 + u)\|g\| - \|g\| = u\|g\| \ge 0$")
    d.conclude("<= c")

    d.begin(clipped_cosine(C_TIGHT), title="The direction is kept")
    d.then(lambda e: e.doit(), r"the min is $1/(1 + v)$")
    d.then(1, r"the factor $1/(1 + v)$ and $\|g\|^2$ cancel")
    d.conclude("direction")


# -- how it is checked -----------------------------------------------------------------------------
def crosscheck(ctx: CheckContext) -> CrossCheckResult:
    """Random g in dimension 2..200 (scales from 1e-3 to 1e3) and thresholds c: clipping done with
    numpy exactly as a training loop does it; the norm against min(||g||, c), the norm below c,
    the cosine with g equal to 1."""
    norms, targets, cosines, over = [], [], [], 0.0
    for _ in range(200):
        dim = int(ctx.rng.integers(2, 201))
        gv = ctx.rng.normal(0, 1, dim) * 10 ** ctx.rng.uniform(-3, 3)
        cc = 10 ** ctx.rng.uniform(-3, 3)
        norm = np.linalg.norm(gv)
        clipped_g = gv * min(1.0, float(cc / norm))
        norms.append(np.linalg.norm(clipped_g))
        targets.append(min(norm, cc))
        cosines.append(clipped_g @ gv / (np.linalg.norm(clipped_g) * norm))
        over = max(over, float(np.linalg.norm(clipped_g) / cc - 1.0))
    return combine(
        ctx.compare("||g'|| = min(||g||, c)", "numpy clipping", np.array(norms), np.array(targets), rtol=1e-12),
        ctx.compare("cos(g', g) = 1", "numpy", np.array(cosines), np.ones(len(cosines)), rtol=1e-12),
        ctx.bound("||g'|| / c - 1", "numpy", over, 1e-12, samples=len(norms)),
    )


# -- the declaration -------------------------------------------------------------------------------
GRADIENT_CLIPPING = declare(
    "gradient-clipping",
    title="Gradient clipping caps the norm and keeps the direction",
    section="2.3",
    map_row=r"fix: gradient clipping $\|g\| \le c$",
    variables={
        n: DIMENSION,
        i: INDEX,
        g: ENTRY,
        u: U,
        v: V,
        c: THRESHOLD,
        **{x_: ENTRY for x_ in G3},
    },
    claim=CLAIM,
    also=(UNCLIPPED_NORM, AT_MOST_C, DIRECTION),
    derivation=derivation,
    crosscheck=crosscheck,
    question=QUESTION,
    refs=REFS,
    builds_on=("vanishing-gradient",),
)
