r"""K-FAC: Kronecker factors of a dense layer's curvature.

A dense layer's per-example gradient $\delta a^\top$ vectorises to $a \otimes \delta$, so its Fisher
block is an expectation of Kronecker products; K-FAC replaces it by
$\mathbb{E}[aa^\top] \otimes \mathbb{E}[\delta\delta^\top]$ (exact when $a$ and $\delta$ are
independent), and the Kronecker algebra inverts it through two small factors and applies it as
$\operatorname{vec}(B^{-1} G A^{-1})$; Shampoo and SOAP build on the same identities (map 2.4,
second-order methods: K-FAC). Martens and Grosse (2015), Optimizing Neural Networks with
Kronecker-factored Approximate Curvature, Sec. 3; Van Loan (2000), The ubiquitous Kronecker product.
"""

from __future__ import annotations

import numpy as np
import sympy as sp
from sympy import Eq, kronecker_product

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
    matrices,
    notation,
    probability,
    real,
)
from derive.core.facts import INVERSE as INVERSE_FACT
from derive.maths.indexed import InverseOf

from ._shared import MARTENS_GROSSE, random_spd

# -- symbols ---------------------------------------------------------------------------------------
ENTRY = real(-3, 3)
PROBABILITY = probability()
AV = matrices.symbol_vector("a", 2, ENTRY)  # layer input (activations)
DL = matrices.symbol_vector("delta", 2, ENTRY)  # backpropagated gradient at the layer output
AV2 = matrices.symbol_vector("ahat", 2, ENTRY)  # second value of a (the independence statement)
DL2 = matrices.symbol_vector("deltahat", 2, ENTRY)
PA, PD = PROBABILITY.symbol("p"), PROBABILITY.symbol("q")
KA, KB, KX = (matrices.symbol_matrix(name, 2, 2, ENTRY) for name in ("A", "B", "X"))


def _outer(v: sp.MatrixBase) -> sp.Matrix:
    return v * v.T


def _vec_outer(a: sp.MatrixBase, delta: sp.MatrixBase) -> sp.Matrix:
    g = matrices.vec(delta * a.T)  # the per-example weight gradient, vectorised
    return g * g.T


IM = sp.ImmutableMatrix
VEC_G = notation(r"\operatorname{vec}(\delta a^\top)", matrices.vec(DL * AV.T), "vec(delta a^T)")
A_KRON_DELTA = notation(r"a \otimes \delta", sp.KroneckerProduct(IM(AV), IM(DL)), "a kron delta")
_G = IM(matrices.vec(DL * AV.T))
OUTER_G = notation(
    r"\operatorname{vec}(\delta a^\top)\operatorname{vec}(\delta a^\top)^\top",
    sp.MatMul(_G, sp.Transpose(_G), evaluate=False),
    "vec(G) vec(G)^T",
)
OUTER_KRON = notation(
    r"(aa^\top) \otimes (\delta\delta^\top)", kronecker_product(_outer(AV), _outer(DL)), "(a a^T) kron (delta delta^T)"
)
PAIRS = [(PA * PD, AV, DL), (PA * (1 - PD), AV, DL2), ((1 - PA) * PD, AV2, DL), ((1 - PA) * (1 - PD), AV2, DL2)]
FISHER_BLOCK = notation(
    r"\mathbb{E}[\operatorname{vec}(\delta a^\top)\operatorname{vec}(\delta a^\top)^\top]",
    sum((w * _vec_outer(a, dl) for w, a, dl in PAIRS), sp.zeros(4, 4)),
    "E[vec(G) vec(G)^T]",
)
EA = PA * _outer(AV) + (1 - PA) * _outer(AV2)
ED = PD * _outer(DL) + (1 - PD) * _outer(DL2)
KFAC_FACTORS = notation(
    r"\mathbb{E}[aa^\top] \otimes \mathbb{E}[\delta\delta^\top]",
    kronecker_product(EA, ED),
    "E[a a^T] kron E[delta delta^T]",
)
KRON_INV = notation(r"(A \otimes B)^{-1}", kronecker_product(KA, KB).inv(), "(A kron B)^-1")
# any sizes: A is m x m, B is n x n; entry ((a, g), (c, k)) of (A kron B)(A^-1 kron B^-1)
SIZE = integer(1, 4)
m_a, n_b = SIZE.symbol("m"), SIZE.symbol("n")
a_, c_ = (integer(1, m_a).symbol(v) for v in "ac")
g_, k_ = (integer(1, n_b).symbol(v) for v in "gk")
b_, h_ = sp.symbols("b h", integer=True, positive=True)
AI, BI, AinvI, BinvI = (sp.IndexedBase(v, real=True) for v in ("A", "B", "A^{-1}", "B^{-1}"))
KRON_TIMES_INV = notation(
    r"\bigl((A \otimes B)(A^{-1} \otimes B^{-1})\bigr)_{(a,g),(c,k)}",
    sp.Sum(sp.Sum(AI[a_, b_] * BI[g_, h_] * AinvI[b_, c_] * BinvI[h_, k_], (h_, 1, n_b)), (b_, 1, m_a)),
    "((A kron B)(A^-1 kron B^-1))_(a,g),(c,k)",
)
INV_KRON = notation(r"A^{-1} \otimes B^{-1}", kronecker_product(KA.inv(), KB.inv()), "A^-1 kron B^-1")
KRON_VEC = notation(
    r"(A \otimes B)\operatorname{vec}(X)", kronecker_product(KA, KB) * matrices.vec(KX), "(A kron B) vec(X)"
)
VEC_BXA = notation(r"\operatorname{vec}(B X A^\top)", matrices.vec(KB * KX * KA.T), "vec(B X A^T)")

# -- what is claimed -------------------------------------------------------------------------------
CLAIM = Statement(
    "vec",
    Eq(A_KRON_DELTA, VEC_G, evaluate=False),
    text=r"a dense layer's per-example weight gradient is $\delta a^\top$; $a \otimes \delta$ is it "
    r"vectorised (columns stacked)",
)
OUTER = Statement(
    "outer",
    Eq(OUTER_G, OUTER_KRON, evaluate=False),
    text=r"so its outer product is a Kronecker product (mixed-product rule)",
)
INDEPENDENCE = Statement(
    "independence",
    Eq(FISHER_BLOCK, KFAC_FACTORS, evaluate=False),
    text=r"if $a$ and $\delta$ are independent (here each takes two values, with probabilities $p$ "
    r"and $q$; the second values are $\hat a$, $\hat\delta$), the expectation factorises: "
    r"K-FAC's approximation, exact in this case",
)
INVERSE = Statement(
    "inverse",
    Eq(KRON_TIMES_INV, sp.KroneckerDelta(a_, c_) * sp.KroneckerDelta(g_, k_)),
    text=r"so $(A \otimes B)^{-1} = A^{-1} \otimes B^{-1}$ for any invertible $m \times m$ $A$ and $n \times n$ $B$ "
    r"(entry by entry, the product is the identity): the $mn \times mn$ curvature block is inverted through an "
    r"$m \times m$ and an $n \times n$ inverse",
)
MAT_VEC = Statement(
    "mat-vec",
    Eq(KRON_VEC, VEC_BXA, evaluate=False),
    text=r"and applied without forming it: the K-FAC step is $\operatorname{vec}(B^{-1} G A^{-1})$",
)

# -- the homework question, and where the identity comes from --------------------------------------
QUESTION = Question(
    target=kronecker_product(AV, DL),
    prompt=r"A dense layer $y = Wx$ ($W \in \mathbb{R}^{2 \times 2}$) has input $a$ and output gradient $\delta$, "
    r"so $\partial L/\partial W = \delta a^\top$. Write $\operatorname{vec}(\delta a^\top)$ (columns stacked) "
    r"as a Kronecker product, entry by entry.",
    approximations={
        r"$\delta \otimes a$ is $\operatorname{vec}$ of $a\delta^\top$ (rows stacked)": (kronecker_product(DL, AV))
    },
)
REFS = (
    MARTENS_GROSSE,
    Ref.cite("vanloan2000"),
)


# -- how it is derived -----------------------------------------------------------------------------
def derivation(d: Derivation) -> None:
    r"""For a dense layer the per-example gradient $\delta a^\top$ vectorises to $a \otimes \delta$, so the
    layer's Fisher block $\mathbb{E}[\operatorname{vec}\operatorname{vec}^\top]$ is an expectation of Kronecker
    products. K-FAC replaces it by $\mathbb{E}[aa^\top] \otimes \mathbb{E}[\delta\delta^\top]$ (exact when $a$
    and $\delta$ are independent). Then the Kronecker algebra does the rest: the inverse factorises and
    the preconditioned step is $\operatorname{vec}(B^{-1} G A^{-1})$, two small inverses instead of one
    of size $(mn)^2$. Shampoo and SOAP build on the same identities. Below, the inverse is derived for any sizes
    (the inverses named, resting on their cited defining property); elsewhere $A$, $B$, $X$ are symbolic
    $2 \times 2$ matrices, and in the expectation $a$ is $a$ or $\hat a$ (probabilities $p$, $1 - p$),
    independently $\delta$ is $\delta$ or $\hat\delta$ (probabilities $q$, $1 - q$)."""
    scope = r"for $2 \times 2$ matrices"
    d.begin(A_KRON_DELTA, scope=scope)
    d.then(lambda e: e.doit(), r"block $j$ of $a \otimes \delta$ is $a_j \delta$: column $j$ of $\delta a^\top$")
    d.then(VEC_G, r"the columns stacked")
    d.conclude("vec")

    d.begin(OUTER_G, scope=scope)
    d.then(lambda e: e.doit(), r"$(a \otimes \delta)(a \otimes \delta)^\top$, entry by entry")
    d.then(kronecker_product(_outer(AV), _outer(DL)), r"mixed product: $(aa^\top) \otimes (\delta\delta^\top)$")
    d.conclude("outer")

    d.begin(FISHER_BLOCK, scope=scope + ", two values each")
    d.then(lambda e: e.doit(), r"the expectation as a sum over the four joint outcomes, $P = P(a)P(\delta)$")
    d.then(kronecker_product(EA, ED), r"bilinearity of $\otimes$: the sum factorises")
    d.conclude("independence")

    inverse_a, inverse_b = (INVERSE_FACT.applied(InverseOf(*pair)) for pair in ((AI, AinvI, m_a), (BI, BinvI, n_b)))
    d.begin(
        KRON_TIMES_INV, r"any sizes: entry $((a, g), (c, k))$ is $\sum_{b,h} A_{ab}B_{gh}(A^{-1})_{bc}(B^{-1})_{hk}$"
    )
    factored = sp.Sum(AI[a_, b_] * AinvI[b_, c_] * sp.Sum(BI[g_, h_] * BinvI[h_, k_], (h_, 1, n_b)), (b_, 1, m_a))
    d.then(factored, r"the sum over $h$ does not involve $b$: $\sum_b A_{ab}(A^{-1})_{bc}\sum_h B_{gh}(B^{-1})_{hk}$")
    d.assume(inverse_b, lambda e: inverse_b.rewrite(e), r"$\sum_h B_{gh}(B^{-1})_{hk} = \delta_{gk}$")
    d.assume(inverse_a, lambda e: inverse_a.rewrite(e), r"$\sum_b A_{ab}(A^{-1})_{bc} = \delta_{ac}$")
    d.conclude("inverse")

    d.begin(KRON_INV, r"worked example, $2 \times 2$ factors", title="The inverse for 2x2 factors")
    d.then(lambda e: e.doit(), r"invert the $4 \times 4$ matrix $A \otimes B$ (SymPy, LU)")
    d.then(kronecker_product(KA.inv(), KB.inv()), r"block $(i, j)$ is $(A^{-1})_{ij} B^{-1}$")
    d.finish()

    d.begin(KRON_VEC, scope=scope)
    d.then(lambda e: e.doit(), r"multiply out $(A \otimes B)\operatorname{vec}(X)$")
    d.then(matrices.vec(KB * KX * KA.T), r"block $i$ is $B \sum_j A_{ij} X_{:,j}$, column $i$ of $B X A^\top$")
    d.conclude("mat-vec")


# -- how it is checked -----------------------------------------------------------------------------
def _vec_np(m: np.ndarray) -> np.ndarray:
    return m.reshape(-1, order="F")  # column stacking


def crosscheck(ctx: CheckContext) -> CrossCheckResult:
    """Random sizes 2..6 with numpy.kron: vec(delta a^T) = a kron delta, (A kron B)^-1 = A^-1 kron B^-1
    (numpy.linalg.inv of the big matrix), (A kron B) vec(X) = vec(B X A^T); and the K-FAC step: with
    SPD factors A = E[aa^T], B = E[delta delta^T], ``numpy.linalg.solve`` of the explicit Kronecker system
    against the two small solves vec(B^-1 G A^-1)."""
    errs = {"vec": 0.0, "inverse": 0.0, "mat-vec": 0.0, "K-FAC step": 0.0}
    for _ in range(10):
        m, n = (int(v) for v in ctx.rng.integers(2, 7, 2))
        a, delta = ctx.rng.normal(size=n), ctx.rng.normal(size=m)
        errs["vec"] = max(errs["vec"], float(np.max(np.abs(_vec_np(np.outer(delta, a)) - np.kron(a, delta)))))
        ka, kb, x = random_spd(ctx.rng, n), random_spd(ctx.rng, m), ctx.rng.normal(size=(m, n))
        big = np.kron(ka, kb)
        inv = np.linalg.inv(big)
        errs["inverse"] = max(
            errs["inverse"],
            float(np.max(np.abs(inv - np.kron(np.linalg.inv(ka), np.linalg.inv(kb)))) / np.max(np.abs(inv))),
        )
        lhs = big @ _vec_np(x)
        errs["mat-vec"] = max(
            errs["mat-vec"], float(np.max(np.abs(lhs - _vec_np(kb @ x @ ka.T))) / np.max(np.abs(lhs)))
        )
        step = np.linalg.solve(big, _vec_np(x))
        small = _vec_np(np.linalg.solve(kb, np.linalg.solve(ka.T, x.T).T))  # B^-1 X A^-1 by two small solves
        errs["K-FAC step"] = max(errs["K-FAC step"], float(np.max(np.abs(step - small)) / np.max(np.abs(step))))
    return combine(*(ctx.bound(name, "numpy.kron, numpy.linalg", err, 1e-10, samples=10) for name, err in errs.items()))


# -- the declaration -------------------------------------------------------------------------------
KFAC_KRONECKER = declare(
    "kfac-kronecker",
    title="K-FAC: Kronecker factors of a dense layer's curvature",
    section="2.4",
    map_row=r"K-FAC (Martens \& Grosse, 2015)",
    variables={
        **matrices.entry_domains(AV, ENTRY),
        **matrices.entry_domains(DL, ENTRY),
        **matrices.entry_domains(AV2, ENTRY),
        **matrices.entry_domains(DL2, ENTRY),
        PA: PROBABILITY,
        PD: PROBABILITY,
        **matrices.entry_domains(KA, ENTRY),
        **matrices.entry_domains(KB, ENTRY),
        **matrices.entry_domains(KX, ENTRY),
        m_a: SIZE,
        n_b: SIZE,
        a_: integer(1, m_a),
        c_: integer(1, m_a),
        g_: integer(1, n_b),
        k_: integer(1, n_b),
        AI: ENTRY,
        BI: ENTRY,
        AinvI: ENTRY,
        BinvI: ENTRY,
    },
    claim=CLAIM,
    also=(OUTER, INDEPENDENCE, INVERSE, MAT_VEC),
    derivation=derivation,
    crosscheck=crosscheck,
    question=QUESTION,
    refs=REFS,
    builds_on=("dense-backprop", "gauss-newton"),
)
