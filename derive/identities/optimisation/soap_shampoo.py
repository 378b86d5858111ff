r"""Shampoo as a Kronecker preconditioner; SOAP as Adam in its eigenbasis.

Shampoo preconditions a weight matrix's gradient from both sides, $L^{-1/4} G R^{-1/4}$: by the
vec-Kronecker identity this is one Kronecker-factored preconditioner on $\operatorname{vec} G$, and in the
eigenbases of $L$ and $R$ it is a fixed entrywise scaling, which SOAP replaces by Adam's running second
moments. Derived entry by entry for any sizes (:mod:`derive.maths.kronecker`; the eigenbases from the
spectral theorem, cited), checked on random $5 \times 3$ gradients with ``numpy.kron`` and
``numpy.linalg.eigh``. The map's SOAP row (map 5.1, gradient descent variants). Gupta, Koren and Singer
(2018), Shampoo, Lemma 1; Vyas et al. (2024), SOAP, Sec. 3.
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
    integer,
    interval,
    notation,
    real,
)
from derive.core.facts import SPECTRAL_THEOREM, SUM_EXCHANGE
from derive.maths import kronecker as kron
from derive.maths.indexed import InverseOf, Symmetric, collapse

# -- symbols ---------------------------------------------------------------------------------------
ENTRY = real(-3, 3)
ROOT = interval(sp.Rational(1, 2), 2)
EIGENVALUE = interval(sp.Rational(1, 4), 4)
QUARTER = -sp.Rational(1, 4)
# the homework question: 2 x 2 factors with eigenvalues m_i^4, n_j^4
m1, m2, n1, n2 = (ROOT.symbol(n) for n in ("m1", "m2", "n1", "n2"))

# any sizes: G is m x n, L (and A) m x m, R (and B) n x n
SIZE = integer(1, 4)
m_dim, n_dim = SIZE.symbol("m"), SIZE.symbol("n")
a_, t_, j_ = (integer(1, n_dim).symbol(v) for v in "atj")  # vec block (column of G), eigenvector of R, column
g_, s_, i_ = (integer(1, m_dim).symbol(v) for v in "gsi")  # row in a block, eigenvector of L, row
c_, k_, e_, f_ = sp.symbols("c k e f", integer=True, positive=True)  # summation indices
GI, AI, BI = (sp.IndexedBase(v, real=True) for v in ("G", "A", "B"))
LqI, RqI = sp.IndexedBase("L^{-1/4}", real=True), sp.IndexedBase("R^{-1/4}", real=True)
QLI, QLtI = sp.IndexedBase("Q_L", real=True), sp.IndexedBase("Q_L^{\\top}", real=True)
QRI, QRtI = sp.IndexedBase("Q_R", real=True), sp.IndexedBase("Q_R^{\\top}", real=True)
lamI, rhoI = sp.IndexedBase("lambda", positive=True), sp.IndexedBase("rho", positive=True)
ent = kron.entries
#: the facts in the coordinates of the eigenbases: Q^T Q = Q Q^T = I (the spectral theorem), and the roots symmetric
ORTHOGONAL_L = SPECTRAL_THEOREM.applied(InverseOf(QLI, QLtI, m_dim))
ORTHOGONAL_R = SPECTRAL_THEOREM.applied(InverseOf(QRI, QRtI, n_dim))
SYMMETRIC_R = SPECTRAL_THEOREM.applied(Symmetric(RqI))


def _power(
    q: sp.IndexedBase, qt: sp.IndexedBase, values: sp.IndexedBase, power: sp.Expr, size: sp.Expr, bound: sp.Symbol
) -> kron.Entry:
    r"""The entries :math:`\sum_e Q_{re}\lambda_e^{\,p}(Q^\top)_{ec}` of :math:`Q\,\mathrm{diag}(\lambda^p)\,Q^\top`."""
    return lambda r, c: sp.Sum(q[r, bound] * values[bound] ** power * qt[bound, c], (bound, 1, size))


def _eigen_matvec(power: sp.Expr) -> sp.Sum:
    r"""Entry :math:`(i, j)` of :math:`(L^p \otimes R^p)(u_s \otimes v_t)`, :math:`u_s = Q_{L,:s}`,
    :math:`v_t = Q_{R,:t}`."""
    left = _power(QLI, QLtI, lamI, power, m_dim, e_)
    right = _power(QRI, QRtI, rhoI, power, n_dim, f_)
    return kron.kron_matvec(left, right, lambda r, c: QRI[r, t_] * QLI[c, s_], (i_, j_), (c_, k_), (m_dim, n_dim))


def _eigvec(scale: sp.Expr) -> sp.Expr:
    return scale * QLI[i_, s_] * QRI[j_, t_]


VEC_AGB = notation(
    r"\operatorname{vec}(AGB)_{(a,g)}",
    kron.triple_entry(ent(AI), ent(GI), ent(BI), g_, a_, (c_, k_), (n_dim, m_dim)),
    "vec(AGB)_(a,g)",
)
BT_KRON_A = notation(
    r"\bigl((B^\top \otimes A)\operatorname{vec} G\bigr)_{(a,g)}",
    kron.kron_matvec(kron.transposed(BI), ent(AI), ent(GI), (a_, g_), (c_, k_), (n_dim, m_dim)),
    "((B^T kron A) vec G)_(a,g)",
)
VEC_SHAMPOO = notation(
    r"\operatorname{vec}(L^{-1/4} G R^{-1/4})_{(a,g)}",
    kron.triple_entry(ent(LqI), ent(GI), ent(RqI), g_, a_, (c_, k_), (n_dim, m_dim)),
    "vec(L^-1/4 G R^-1/4)_(a,g)",
)
R_KRON_L = notation(
    r"\bigl((R^{-1/4} \otimes L^{-1/4})\operatorname{vec} G\bigr)_{(a,g)}",
    kron.kron_matvec(ent(RqI), ent(LqI), ent(GI), (a_, g_), (c_, k_), (n_dim, m_dim)),
    "((R^-1/4 kron L^-1/4) vec G)_(a,g)",
)
KRON_EIG = notation(
    r"\bigl((L \otimes R)(u_s \otimes v_t)\bigr)_{(i,j)}", _eigen_matvec(sp.S.One), "((L kron R)(u_s kron v_t))_(i,j)"
)
ROOT_EIG = notation(
    r"\bigl((L^{-1/4} \otimes R^{-1/4})(u_s \otimes v_t)\bigr)_{(i,j)}",
    _eigen_matvec(QUARTER),
    "((L^-1/4 kron R^-1/4)(u_s kron v_t))_(i,j)",
)
SHAMPOO = notation(
    r"(L^{-1/4} G R^{-1/4})_{ij}",
    kron.triple_entry(
        _power(QLI, QLtI, lamI, QUARTER, m_dim, e_),
        ent(GI),
        _power(QRI, QRtI, rhoI, QUARTER, n_dim, f_),
        i_,
        j_,
        (c_, k_),
        (n_dim, m_dim),
    ),
    "(L^-1/4 G R^-1/4)_ij",
)
#: SOAP's form: rotate G' = Q_L^T G Q_R, scale entry (e, f) by S_ef = lambda_e^-1/4 rho_f^-1/4, rotate back
ROTATED = kron.triple_entry(ent(QLtI), ent(GI), ent(QRI), e_, f_, (c_, k_), (n_dim, m_dim))  # G'_ef
SOAP_FORM = notation(
    r"\bigl(Q_L (G' \circ S) Q_R^\top\bigr)_{ij}",
    sp.Sum(
        QLI[i_, e_] * ROTATED * lamI[e_] ** QUARTER * rhoI[f_] ** QUARTER * QRtI[f_, j_], (e_, 1, m_dim), (f_, 1, n_dim)
    ),
    "(Q_L (G' o S) Q_R^T)_ij",
)

# -- what is claimed -------------------------------------------------------------------------------
CLAIM = Statement(
    "Kronecker form",
    Eq(VEC_SHAMPOO, R_KRON_L, evaluate=False),
    text=r"Shampoo's two-sided update is one Kronecker-factored preconditioner acting on $\operatorname{vec} G$, "
    r"for any $m \times n$ gradient (entry $(a, g)$ of a vectorised $m \times n$ matrix is the flat position "
    r"$(a - 1)m + g$)",
)
VEC_KRONECKER = Statement(
    "vec-Kronecker",
    Eq(VEC_AGB, BT_KRON_A, evaluate=False),
    text=r"$\operatorname{vec}(AGB) = (B^\top \otimes A)\operatorname{vec} G$ (column-stacking $\operatorname{vec}$), "
    r"for any $m \times m$ $A$, $m \times n$ $G$, $n \times n$ $B$",
)
KRONECKER_EIGENPAIRS = Statement(
    "Kronecker eigenpairs",
    Eq(KRON_EIG, _eigvec(lamI[s_] * rhoI[t_]), evaluate=False),
    text=r"with $L = Q_L\Lambda Q_L^\top$ and $R = Q_R P Q_R^\top$ (the spectral theorem), $L \otimes R$ has the "
    r"orthonormal eigenvectors $u_s \otimes v_t$ with the eigenvalues $\lambda_s\rho_t$",
)
FOURTH_ROOT = Statement(
    "inverse fourth root",
    Eq(ROOT_EIG, _eigvec((lamI[s_] * rhoI[t_]) ** QUARTER), evaluate=False),
    text=r"$L^{-1/4} \otimes R^{-1/4}$, with $L^{-1/4} = Q_L\Lambda^{-1/4}Q_L^\top$, has the same eigenvectors with "
    r"the eigenvalues $(\lambda_s\rho_t)^{-1/4}$: it is $(L \otimes R)^{-1/4}$",
)
EIGENBASIS = Statement(
    "eigenbasis",
    Eq(SHAMPOO, SOAP_FORM, evaluate=False),
    text=r"in the eigenbases both factors are diagonal: Shampoo rotates $G' = Q_L^\top G Q_R$, scales entry "
    r"$(e, f)$ by $S_{ef} = \lambda_e^{-1/4}\rho_f^{-1/4}$ and rotates back. SOAP replaces that fixed scaling by "
    r"Adam's running $1/\sqrt{\hat v'_{ef}}$ on $G'$",
)

# -- the homework question, and where the identity comes from --------------------------------------
QUESTION = Question(
    target=1 / (m1 * n2),
    prompt=r"Shampoo updates with $L^{-1/4} G R^{-1/4}$, $L = Q_L\,\mathrm{diag}(m_1^4, m_2^4)\,Q_L^\top$, "
    r"$R = Q_R\,\mathrm{diag}(n_1^4, n_2^4)\,Q_R^\top$. "
    r"In the rotated basis $G' = Q_L^\top G Q_R$, by what factor is "
    r"the entry $G'_{12}$ scaled?",
    names={"m1": m1, "n2": n2},
    approximations={"inverse square roots, not fourth roots (one-sided full-matrix Adagrad)": 1 / (m1 * n2) ** 2},
)
REFS = (
    Ref.cite("gupta2018", where="Lemma 1"),
    Ref.cite("vyas2024", where="Sec. 3"),
)


# -- how it is derived -----------------------------------------------------------------------------
EXCHANGE = SUM_EXCHANGE.applied(kron.ExchangeLimits())
REGROUP = SUM_EXCHANGE.applied(kron.Regroup(2))


def _eigen_chain(d: Derivation, lhs: sp.Basic, label: str, power: str) -> None:
    r"""The eigenvector $u_s \otimes v_t$ through $L^p \otimes R^p$, entry $(i, j)$, for $p = $ ``power``."""
    sup = f"^{{{power}}}" if power else ""
    d.begin(lhs, rf"$\sum_{{c,k}} (L{sup})_{{ic}}(R{sup})_{{jk}}(Q_L)_{{cs}}(Q_R)_{{kt}}$")
    d.then(lambda e: kron.factor_sums(e.doit(deep=False)), r"the sums over $c$ and $k$ separate")
    d.assume(SUM_EXCHANGE, SUM_EXCHANGE.rewrite, r"in each, sum over the matrix index first")
    d.assume(ORTHOGONAL_L, ORTHOGONAL_L.rewrite, r"$\sum_c (Q_L^\top)_{ec}(Q_L)_{cs} = \delta_{es}$")
    d.assume(
        ORTHOGONAL_R,
        lambda e: collapse(ORTHOGONAL_R.rewrite(e)),
        r"$\sum_k (Q_R^\top)_{fk}(Q_R)_{kt} = \delta_{ft}$; the deltas collapse",
    )
    d.conclude(label)


def derivation(d: Derivation) -> None:
    r"""Shampoo preconditions a weight matrix's gradient from both sides, $L^{-1/4} G R^{-1/4}$ with
    $L = \sum G G^\top$ and $R = \sum G^\top G$: a cheap Kronecker-factored stand-in for full-matrix
    Adagrad on $\operatorname{vec} G$. Written in the eigenbases of $L$ and $R$ the preconditioner is diagonal,
    which is SOAP's observation: run Adam (with its running second moments) on the rotated gradient and
    rotate back, refreshing the eigenbases only now and then. Everything is derived entry by entry for any sizes
    (an index of a Kronecker product or of a vectorised matrix is a pair, as for K-FAC)."""
    d.begin(VEC_AGB, r"entry $(a, g)$ of $\operatorname{vec}(AGB)$ is $(AGB)_{ga}$")
    d.then(lambda e: e.doit(deep=False), r"$\sum_{k,c} A_{gk}G_{kc}B_{ca}$")
    d.assume(EXCHANGE, EXCHANGE.rewrite, r"sum over $k$ first")
    d.then(
        BT_KRON_A, r"$\sum_{c,k} (B^\top)_{ac}A_{gk}\operatorname{vec}(G)_{(c,k)}$: row $(a, g)$ of $B^\top \otimes A$"
    )
    d.conclude("vec-Kronecker")

    d.begin(VEC_SHAMPOO, r"the vec-Kronecker identity with $A = L^{-1/4}$, $B = R^{-1/4}$")
    d.then(lambda e: e.doit(deep=False), r"$\sum_{k,c} (L^{-1/4})_{gk}G_{kc}(R^{-1/4})_{ca}$")
    d.assume(EXCHANGE, EXCHANGE.rewrite, r"sum over $k$ first: row $(a, g)$ of $(R^{-1/4})^\top \otimes L^{-1/4}$")
    d.assume(SYMMETRIC_R, SYMMETRIC_R.rewrite, r"$R^{-1/4} = Q_R P^{-1/4} Q_R^\top$ is symmetric")
    d.then(R_KRON_L, r"row $(a, g)$ of $R^{-1/4} \otimes L^{-1/4}$")
    d.conclude("Kronecker form")

    _eigen_chain(d, KRON_EIG, "Kronecker eigenpairs", "")
    _eigen_chain(d, ROOT_EIG, "inverse fourth root", "-1/4")

    d.begin(
        SHAMPOO, r"$L^{-1/4} = Q_L\Lambda^{-1/4}Q_L^\top$ and $R^{-1/4} = Q_R P^{-1/4}Q_R^\top$ (the spectral theorem)"
    )
    d.assume(SPECTRAL_THEOREM)
    d.then(
        lambda e: e.doit(deep=False),
        r"$\sum_{k,c}\bigl(\sum_e (Q_L)_{ie}\lambda_e^{-1/4}(Q_L^\top)_{ek}\bigr)G_{kc}"
        r"\bigl(\sum_f (Q_R)_{cf}\rho_f^{-1/4}(Q_R^\top)_{fj}\bigr)$",
    )
    d.assume(
        REGROUP,
        REGROUP.rewrite,
        r"products distribute over the finite sums; the sums over $c, k$ innermost: "
        r"$G'_{ef} = \sum_{k,c}(Q_L^\top)_{ek}G_{kc}(Q_R)_{cf}$",
    )
    d.then(SOAP_FORM, r"rotate, scale entry $(e, f)$ by $\lambda_e^{-1/4}\rho_f^{-1/4}$, rotate back")
    d.conclude("eigenbasis")


# -- how it is checked -----------------------------------------------------------------------------
def _eig_power(m: np.ndarray, power: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(m^power, eigenvalues, eigenvectors) of a symmetric positive definite m by numpy.linalg.eigh."""
    w, q = np.linalg.eigh(m)
    return (q * w**power) @ q.T, w, q


def crosscheck(ctx: CheckContext) -> CrossCheckResult:
    """Random G (5x3) with L = G G^T + I, R = G^T G + I: Shampoo's L^-1/4 G R^-1/4 against the 15x15
    Kronecker preconditioner applied to vec G (numpy.kron, column-major vec), and against Adam run in
    the rotated basis (G' = Q_L^T G Q_R divided by sqrt(v') with v'_ij = sqrt(l_i r_j)), rotated back; and
    (L kron R)^-1/4 by numpy.linalg.eigh of the 15x15 matrix against L^-1/4 kron R^-1/4."""
    kron_err, adam_err, root_err = [], [], []
    for _ in range(10):
        grad = ctx.rng.normal(size=(5, 3))
        lm, rm = grad @ grad.T + np.eye(5), grad.T @ grad + np.eye(3)
        lq, lw, lv = _eig_power(lm, -0.25)
        rq, rw, rv = _eig_power(rm, -0.25)
        shampoo = lq @ grad @ rq
        kron_form = (np.kron(rq.T, lq) @ grad.reshape(-1, order="F")).reshape(5, 3, order="F")
        kron_err.append(float(np.max(np.abs(kron_form - shampoo)) / np.max(np.abs(shampoo))))
        rotated = lv.T @ grad @ rv
        v_rot = np.sqrt(np.outer(lw, rw))
        adam = lv @ (rotated / np.sqrt(v_rot)) @ rv.T
        adam_err.append(float(np.max(np.abs(adam - shampoo)) / np.max(np.abs(shampoo))))
        big = _eig_power(np.kron(lm, rm), -0.25)[0]
        root_err.append(float(np.max(np.abs(big - np.kron(lq, rq))) / np.max(np.abs(big))))
    return combine(
        ctx.bound("Shampoo = Kronecker preconditioner", "numpy.kron on 5x3", max(kron_err), 1e-12),
        ctx.bound("Shampoo = Adam in the eigenbasis", "numpy.linalg.eigh", max(adam_err), 1e-12),
        ctx.bound("(L kron R)^-1/4 = L^-1/4 kron R^-1/4", "numpy.linalg.eigh of the 15x15", max(root_err), 1e-10),
    )


# -- the declaration -------------------------------------------------------------------------------
SOAP_SHAMPOO = declare(
    "soap-shampoo",
    aliases=("shampoo", "soap"),
    title="Shampoo as a Kronecker preconditioner; SOAP as Adam in its eigenbasis",
    section="5.1",
    map_row=r"SOAP (2024): Shampoo + Adam preconditioner",
    variables={
        m1: ROOT,
        m2: ROOT,
        n1: ROOT,
        n2: ROOT,
        m_dim: SIZE,
        n_dim: SIZE,
        a_: integer(1, n_dim),
        t_: integer(1, n_dim),
        j_: integer(1, n_dim),
        g_: integer(1, m_dim),
        s_: integer(1, m_dim),
        i_: integer(1, m_dim),
        GI: ENTRY,
        AI: ENTRY,
        BI: ENTRY,
        LqI: ENTRY,
        RqI: ENTRY,
        QLI: ENTRY,
        QLtI: ENTRY,
        QRI: ENTRY,
        QRtI: ENTRY,
        lamI: EIGENVALUE,
        rhoI: EIGENVALUE,
    },
    claim=CLAIM,
    also=(VEC_KRONECKER, KRONECKER_EIGENPAIRS, FOURTH_ROOT, EIGENBASIS),
    derivation=derivation,
    crosscheck=crosscheck,
    question=QUESTION,
    refs=REFS,
    builds_on=("kfac-kronecker", "adam-bias-correction"),
)
