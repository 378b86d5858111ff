r"""K-FAC: Kronecker factors of a dense layer's curvature.

A dense layer's per-example gradient $\delta a^\top$ vectorises to $a \otimes \delta$, so its Fisher
block is an expectation of Kronecker products; K-FAC replaces it by
$\mathbb{E}[aa^\top] \otimes \mathbb{E}[\delta\delta^\top]$ (exact when $a$ and $\delta$ are
independent), and the Kronecker algebra inverts it through two small factors and applies it as
$\operatorname{vec}(B^{-1} G A^{-1})$; Shampoo and SOAP build on the same identities (map 2.4,
second-order methods: K-FAC). Derived entry by entry for any layer sizes (an index of a Kronecker product or
of a vectorised matrix is a pair, :mod:`derive.maths.kronecker`); the independence is K-FAC's cited
approximation. Martens and Grosse (2015), Optimizing Neural Networks with
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
from derive.core.facts import KFAC_INDEPENDENCE, SUM_EXCHANGE
from derive.maths import kronecker as kron
from derive.maths.indexed import InverseOf, collapse, in_range

from ._shared import MARTENS_GROSSE, random_spd

# -- symbols ---------------------------------------------------------------------------------------
ENTRY = real(-3, 3)
PROBABILITY = probability()
# the homework question's 2-vectors
AV = matrices.symbol_vector("a", 2, ENTRY)  # layer input (activations)
DL = matrices.symbol_vector("delta", 2, ENTRY)  # backpropagated gradient at the layer output
KA, KB = (matrices.symbol_matrix(name, 2, 2, ENTRY) for name in ("A", "B"))

# any sizes: the layer maps m inputs to n outputs; A is m x m, B is n x n, X is n x m
SIZE = integer(1, 4)
m_a, n_b = SIZE.symbol("m"), SIZE.symbol("n")
a_, c_, j_, l_ = (integer(1, m_a).symbol(v) for v in "acjl")
g_, k_, i_ = (integer(1, n_b).symbol(v) for v in "gki")
b_, h_, u_, v_ = sp.symbols("b h u v", integer=True, positive=True)
AI, BI, AinvI, BinvI, XI = (sp.IndexedBase(v, real=True) for v in ("A", "B", "A^{-1}", "B^{-1}", "X"))
aI, dI = sp.IndexedBase("a", real=True), sp.IndexedBase("delta", real=True)
# the expectation: a takes the values alpha_u (u <= U) with probabilities p_u, delta the values
# epsilon_v (v <= V) with probabilities q_v; independently, so the pair (u, v) has probability p_u q_v
OUTCOMES = integer(1, 4)
U_a, V_d = OUTCOMES.symbol("U"), OUTCOMES.symbol("V")
alphaI, epsI = sp.IndexedBase("alpha", real=True), sp.IndexedBase("epsilon", real=True)
pI, qI = sp.IndexedBase("p", positive=True), sp.IndexedBase("q", positive=True)


def _outer(v: sp.IndexedBase) -> kron.Entry:
    r"""The entries :math:`(vv^\top)_{rc} = v_r v_c` of an outer product."""
    return lambda r, c: v[r] * v[c]


def _column(v: sp.IndexedBase) -> kron.Entry:
    r"""A column vector as an :math:`n\times 1` matrix: :math:`v_{r1} = v_r` (the column index is unused)."""
    return lambda r, _c: v[r]


GRAD = lambda r, c: dI[r] * aI[c]  # noqa: E731 - (delta a^T)_rc = delta_r a_c
VEC_G = notation(
    r"\operatorname{vec}(\delta a^\top)_{(j,i)}", kron.vec_blocks(GRAD, (j_, i_), (b_, m_a)), "vec(delta a^T)_(j,i)"
)
A_KRON_DELTA = kron.kron_entry(_column(aI), _column(dI), (j_, i_), (1, 1))  # (a kron delta)_(j,i) = a_j delta_i
OUTER_G = notation(
    r"\bigl(\operatorname{vec}(\delta a^\top)\operatorname{vec}(\delta a^\top)^\top\bigr)_{(j,i),(l,k)}",
    kron.vec_blocks(GRAD, (j_, i_), (b_, m_a)) * kron.vec_blocks(GRAD, (l_, k_), (b_, m_a)),
    "(vec(G) vec(G)^T)_(j,i),(l,k)",
)
OUTER_KRON = kron.kron_entry(_outer(aI), _outer(dI), (j_, i_), (l_, k_))


def _expectation(f: sp.Expr, law: sp.Expr, over: tuple[sp.Symbol, sp.Expr]) -> sp.Sum:
    return sp.Sum(law * f, (over[0], 1, over[1]))


#: E[vec(G) vec(G)^T] entry ((j,i),(l,k)) under the product law: sum_u sum_v p_u q_v alpha_uj delta_vi alpha_ul delta_vk
FISHER_BLOCK = notation(
    r"\mathbb{E}[\operatorname{vec}(\delta a^\top)\operatorname{vec}(\delta a^\top)^\top]_{(j,i),(l,k)}",
    _expectation(
        _expectation(alphaI[u_, j_] * epsI[v_, i_] * alphaI[u_, l_] * epsI[v_, k_], qI[v_], (v_, V_d)),
        pI[u_],
        (u_, U_a),
    ),
    "E[vec(G) vec(G)^T]_(j,i),(l,k)",
)
E_AA = _expectation(alphaI[u_, j_] * alphaI[u_, l_], pI[u_], (u_, U_a))  # E[a a^T]_jl
E_DD = _expectation(epsI[v_, i_] * epsI[v_, k_], qI[v_], (v_, V_d))  # E[delta delta^T]_ik
KFAC_FACTORS = notation(
    r"\bigl(\mathbb{E}[aa^\top] \otimes \mathbb{E}[\delta\delta^\top]\bigr)_{(j,i),(l,k)}",
    E_AA * E_DD,
    "(E[a a^T] kron E[delta delta^T])_(j,i),(l,k)",
)
KRON_INV = notation(r"(A \otimes B)^{-1}", kronecker_product(KA, KB).inv(), "(A kron B)^-1")
# entry ((a, g), (c, k)) of (A kron B)(A^-1 kron B^-1)
KRON_TIMES_INV = notation(
    r"\bigl((A \otimes B)(A^{-1} \otimes B^{-1})\bigr)_{(a,g),(c,k)}",
    sp.Sum(sp.Sum(AI[a_, b_] * BI[g_, h_] * AinvI[b_, c_] * BinvI[h_, k_], (h_, 1, n_b)), (b_, 1, m_a)),
    "((A kron B)(A^-1 kron B^-1))_(a,g),(c,k)",
)
KRON_VEC = notation(
    r"\bigl((A \otimes B)\operatorname{vec}(X)\bigr)_{(a,g)}",
    kron.kron_matvec(kron.entries(AI), kron.entries(BI), kron.entries(XI), (a_, g_), (b_, h_), (m_a, n_b)),
    "((A kron B) vec(X))_(a,g)",
)
VEC_BXA = notation(
    r"\operatorname{vec}(B X A^\top)_{(a,g)}",
    kron.triple_entry(kron.entries(BI), kron.entries(XI), kron.transposed(AI), g_, a_, (b_, h_), (m_a, n_b)),
    "vec(B X A^T)_(a,g)",
)

# -- what is claimed -------------------------------------------------------------------------------
CLAIM = Statement(
    "vec",
    Eq(VEC_G, notation(r"(a \otimes \delta)_{(j,i)}", A_KRON_DELTA, "(a kron delta)_(j,i)"), evaluate=False),
    text=r"a dense layer with $m$ inputs and $n$ outputs has the per-example weight gradient $\delta a^\top$; "
    r"vectorised (columns stacked, $\operatorname{vec} X = \sum_c e_c \otimes X_{:,c}$) it is $a \otimes \delta$: "
    r"entry $(j, i)$, the flat position $(j - 1)n + i$, is $(\delta a^\top)_{ij} = a_j\delta_i$",
)
OUTER = Statement(
    "outer",
    Eq(
        OUTER_G,
        notation(r"\bigl((aa^\top) \otimes (\delta\delta^\top)\bigr)_{(j,i),(l,k)}", OUTER_KRON, "kron"),
        evaluate=False,
    ),
    text=r"so its outer product is a Kronecker product (mixed-product rule)",
)
INDEPENDENCE = Statement(
    "independence",
    Eq(FISHER_BLOCK, KFAC_FACTORS, evaluate=False),
    text=r"with $a$ and $\delta$ independent (K-FAC's approximation; here $a$ takes the values $\alpha_u$ with "
    r"probabilities $p_u$, $\delta$ the values $\varepsilon_v$ with probabilities $q_v$, any numbers of values), "
    r"the expectation factorises into the Kronecker product of the two small second moments",
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
    text=r"and applied without forming it: $(A \otimes B)\operatorname{vec}(X) = \operatorname{vec}(BXA^\top)$, "
    r"so the K-FAC step is $\operatorname{vec}(B^{-1} G A^{-1})$",
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
    of size $(mn)^2$. Shampoo and SOAP build on the same identities. Everything is derived entry by entry for
    any sizes: an index of a Kronecker product or of a vectorised matrix is a pair $(j, i)$, the flat position
    $(j - 1)n + i$."""
    d.begin(VEC_G, r"block $c$ of the stack is column $c$ of $\delta a^\top$")
    d.then(lambda e: in_range(collapse(e.doit())), r"the delta picks the column $c = j$: $\delta_i a_j$")
    d.then(CLAIM.relation.rhs, r"$= a_j\delta_i$, entry $(j, i)$ of $a \otimes \delta$")  # type: ignore[union-attr]
    d.conclude("vec")

    d.begin(OUTER_G, r"entry $((j, i), (l, k))$ of $\operatorname{vec}(G)\operatorname{vec}(G)^\top$")
    d.then(lambda e: in_range(collapse(e.doit())), r"each delta picks its column: $\delta_i a_j\,\delta_k a_l$")
    d.then(OUTER.relation.rhs, r"mixed product: $(aa^\top)_{jl}(\delta\delta^\top)_{ik}$")  # type: ignore[union-attr]
    d.conclude("outer")

    d.begin(FISHER_BLOCK, r"the expectation over the pairs $(u, v)$ of values, with probability $p_u q_v$")
    d.assume(KFAC_INDEPENDENCE)
    d.then(lambda e: kron.factor_sums(e.doit()), r"the factors of $v$ leave the sum over $u$: a product of two sums")
    d.then(KFAC_FACTORS, r"$\mathbb{E}[aa^\top]_{jl}\,\mathbb{E}[\delta\delta^\top]_{ik}$")
    d.conclude("independence")

    inverse_a, inverse_b = (INVERSE_FACT.applied(InverseOf(*pair)) for pair in ((AI, AinvI, m_a), (BI, BinvI, n_b)))
    d.begin(KRON_TIMES_INV, r"entry $((a, g), (c, k))$ is $\sum_{b,h} A_{ab}B_{gh}(A^{-1})_{bc}(B^{-1})_{hk}$")
    d.then(
        lambda e: kron.factor_sums(e.doit()),
        r"the sum over $h$ does not involve $b$: $\sum_b A_{ab}(A^{-1})_{bc}\sum_h B_{gh}(B^{-1})_{hk}$",
    )
    d.assume(inverse_b, lambda e: inverse_b.rewrite(e), r"$\sum_h B_{gh}(B^{-1})_{hk} = \delta_{gk}$")
    d.assume(inverse_a, lambda e: inverse_a.rewrite(e), r"$\sum_b A_{ab}(A^{-1})_{bc} = \delta_{ac}$")
    d.conclude("inverse")

    d.begin(KRON_VEC, r"entry $(a, g)$ of $(A \otimes B)\operatorname{vec}(X)$")
    d.then(
        lambda e: e.doit(deep=False),
        r"$\sum_{b,h} A_{ab}B_{gh}\operatorname{vec}(X)_{(b,h)}$ with $\operatorname{vec}(X)_{(b,h)} = X_{hb}$",
    )
    exchange = SUM_EXCHANGE.applied(kron.ExchangeLimits())
    d.assume(exchange, exchange.rewrite, r"sum over $b$ first")
    d.then(
        VEC_BXA,
        r"$\sum_h\sum_b B_{gh}X_{hb}(A^\top)_{ba} = (BXA^\top)_{ga}$: entry $(a, g)$ of $\operatorname{vec}(BXA^\top)$",
    )
    d.conclude("mat-vec")

    d.begin(KRON_INV, r"worked example, $2 \times 2$ factors", title="The inverse for 2x2 factors")
    d.then(lambda e: e.doit(), r"invert the $4 \times 4$ matrix $A \otimes B$ (SymPy, LU)")
    d.then(kronecker_product(KA.inv(), KB.inv()), r"block $(i, j)$ is $(A^{-1})_{ij} B^{-1}$")
    d.finish()


# -- how it is checked -----------------------------------------------------------------------------
def _vec_np(m: np.ndarray) -> np.ndarray:
    return m.reshape(-1, order="F")  # column stacking


def _independence_error(rng: np.random.Generator, m: int, n: int) -> float:
    """E[vec(delta a^T) vec(delta a^T)^T] summed over every pair of values of independent a (m entries) and
    delta (n entries), each with 2..5 values of random probabilities, against E[aa^T] kron E[delta delta^T]."""
    u, v = (int(x) for x in rng.integers(2, 6, 2))
    alpha, eps = rng.normal(size=(u, m)), rng.normal(size=(v, n))
    p, q = rng.dirichlet(np.ones(u)), rng.dirichlet(np.ones(v))
    block = sum(
        p[s] * q[t] * np.outer(_vec_np(np.outer(eps[t], alpha[s])), _vec_np(np.outer(eps[t], alpha[s])))
        for s in range(u)
        for t in range(v)
    )
    factors = np.kron((alpha.T * p) @ alpha, (eps.T * q) @ eps)
    return float(np.max(np.abs(block - factors)) / np.max(np.abs(factors)))


def crosscheck(ctx: CheckContext) -> CrossCheckResult:
    """Random sizes 2..6 with numpy.kron: vec(delta a^T) = a kron delta, the Fisher block of independent a and
    delta summed over all pairs of values against the Kronecker product of the two moments,
    (A kron B)^-1 = A^-1 kron B^-1 (numpy.linalg.inv of the big matrix), (A kron B) vec(X) = vec(B X A^T);
    and the K-FAC step: with SPD factors A = E[aa^T], B = E[delta delta^T], ``numpy.linalg.solve`` of the
    explicit Kronecker system against the two small solves vec(B^-1 G A^-1)."""
    errs = {"vec": 0.0, "independence": 0.0, "inverse": 0.0, "mat-vec": 0.0, "K-FAC step": 0.0}
    for _ in range(10):
        m, n = (int(v) for v in ctx.rng.integers(2, 7, 2))
        a, delta = ctx.rng.normal(size=n), ctx.rng.normal(size=m)
        errs["vec"] = max(errs["vec"], float(np.max(np.abs(_vec_np(np.outer(delta, a)) - np.kron(a, delta)))))
        errs["independence"] = max(errs["independence"], _independence_error(ctx.rng, n, m))
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
        **matrices.entry_domains(KA, ENTRY),
        **matrices.entry_domains(KB, ENTRY),
        m_a: SIZE,
        n_b: SIZE,
        a_: integer(1, m_a),
        c_: integer(1, m_a),
        j_: integer(1, m_a),
        l_: integer(1, m_a),
        g_: integer(1, n_b),
        k_: integer(1, n_b),
        i_: integer(1, n_b),
        U_a: OUTCOMES,
        V_d: OUTCOMES,
        AI: ENTRY,
        BI: ENTRY,
        AinvI: ENTRY,
        BinvI: ENTRY,
        XI: ENTRY,
        aI: ENTRY,
        dI: ENTRY,
        alphaI: ENTRY,
        epsI: ENTRY,
        pI: PROBABILITY,
        qI: PROBABILITY,
    },
    claim=CLAIM,
    also=(OUTER, INDEPENDENCE, INVERSE, MAT_VEC),
    derivation=derivation,
    crosscheck=crosscheck,
    question=QUESTION,
    refs=REFS,
    builds_on=("dense-backprop", "gauss-newton"),
)
