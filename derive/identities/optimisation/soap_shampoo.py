r"""Shampoo as a Kronecker preconditioner; SOAP as Adam in its eigenbasis.

Shampoo preconditions a weight matrix's gradient from both sides, $L^{-1/4} G R^{-1/4}$: by the
vec-Kronecker identity this is one Kronecker-factored preconditioner on $\operatorname{vec} G$, and in the
eigenbases of $L$ and $R$ it is a fixed entrywise scaling, which SOAP replaces by Adam's running second
moments. Derived on $2 \times 2$ matrices with Cayley rotations as eigenbases, checked on random
$5 \times 3$ gradients with ``numpy.kron`` and ``numpy.linalg.eigh``. The map's SOAP row (map 5.1,
gradient descent variants). Gupta, Koren and Singer (2018), Shampoo, Lemma 1; Vyas et al. (2024), SOAP,
Sec. 3.
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
    interval,
    notation,
    real,
)
from derive.maths.matrices import cayley_orthogonal, entry_domains, symbol_matrix, vec

# -- symbols ---------------------------------------------------------------------------------------
ENTRY = real(-3, 3)
ROTATION = real(-2, 2)
ROOT = interval(sp.Rational(1, 2), 2)
GM = symbol_matrix("G", 2, 2, ENTRY)
AM, BM = symbol_matrix("A", 2, 2, ENTRY), symbol_matrix("B", 2, 2, ENTRY)
p_rot, q_rot = (ROTATION.symbol(n) for n in ("p", "q"))
m1, m2, n1, n2 = (ROOT.symbol(n) for n in ("m1", "m2", "n1", "n2"))
Q_L, Q_R = cayley_orthogonal([p_rot], 2), cayley_orthogonal([q_rot], 2)
QUARTER = -sp.Rational(1, 4)


def _spd_power(q: sp.Matrix, roots: tuple[sp.Expr, ...], power: sp.Expr) -> sp.Matrix:
    r"""$Q\,\mathrm{diag}(\lambda_i^{\,p})\,Q^\top$ for eigenvalues $\lambda_i = m_i^4$: a matrix power through
    the eigendecomposition (fourth powers keep $\lambda^{-1/4} = 1/m$ rational, so ``cancel`` decides).
    Entries are left as the multiplied-out products (no ``cancel``), so regrouping them is ``expand``."""
    return q * sp.diag(*((m**4) ** power for m in roots)) * q.T


L_MAT, R_MAT = _spd_power(Q_L, (m1, m2), 1), _spd_power(Q_R, (n1, n2), 1)
L_Q, R_Q = _spd_power(Q_L, (m1, m2), QUARTER), _spd_power(Q_R, (n1, n2), QUARTER)
SCALE = sp.Matrix(2, 2, lambda i, j: 1 / ((m1, m2)[i] * (n1, n2)[j]))
#: SOAP's form: rotate G' = Q_L^T G Q_R, scale entry (i, j) by S_ij = 1/(m_i n_j), rotate back
SOAP_FORM = Q_L * (Q_L.T * GM * Q_R).multiply_elementwise(SCALE) * Q_R.T
SHAMPOO = notation(r"L^{-1/4} G R^{-1/4}", L_Q * GM * R_Q, "L^(-1/4) G R^(-1/4)")

# -- what is claimed -------------------------------------------------------------------------------
CLAIM = Statement(
    "Kronecker form",
    Eq(
        notation(r"\operatorname{vec}(L^{-1/4} G R^{-1/4})", vec(L_Q * GM * R_Q), "vec(L^-1/4 G R^-1/4)"),
        notation(
            r"(R^{-1/4} \otimes L^{-1/4}) \operatorname{vec} G",
            sp.kronecker_product(R_Q, L_Q) * vec(GM),
            "(R^-1/4 kron L^-1/4) vec G",
        ),
        evaluate=False,
    ),
    text=r"Shampoo's two-sided update is one Kronecker-factored preconditioner acting on $\operatorname{vec} G$",
)
VEC_KRONECKER = Statement(
    "vec-Kronecker",
    Eq(
        notation(r"\operatorname{vec}(AGB)", vec(AM * GM * BM), "vec(AGB)"),
        notation(
            r"(B^\top \otimes A)\operatorname{vec} G",
            sp.kronecker_product(BM.T, AM) * vec(GM),
            "(B^T kron A) vec G",
        ),
        evaluate=False,
    ),
    text=r"$\operatorname{vec}(AGB) = (B^\top \otimes A)\operatorname{vec} G$ (column-stacking $\operatorname{vec}$)",
)
FOURTH_ROOT = Statement(
    "inverse fourth root",
    Eq(notation(r"(L^{-1/4})^4 L", L_Q**4 * L_MAT, "(L^-1/4)^4 L"), sp.eye(2), evaluate=False),
    text=r"$L^{-1/4} = Q_L \Lambda^{-1/4} Q_L^\top$ from the eigendecomposition is the inverse fourth root",
)
EIGENBASIS = Statement(
    "eigenbasis",
    Eq(
        SHAMPOO,
        notation(r"Q_L \bigl(G' \circ S\bigr) Q_R^\top", SOAP_FORM, "Q_L (G' o S) Q_R^T"),
        evaluate=False,
    ),
    text=r"in the eigenbases both factors are diagonal: Shampoo rotates $G' = Q_L^\top G Q_R$, scales entry "
    r"$(i, j)$ by $\lambda_i^{-1/4}\rho_j^{-1/4} = 1/(m_i n_j)$ and rotates back. "
    r"SOAP replaces that fixed scaling by Adam's "
    r"running $1/\sqrt{\hat v'_{ij}}$ on $G'$",
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
def derivation(d: Derivation) -> None:
    r"""Shampoo preconditions a weight matrix's gradient from both sides, $L^{-1/4} G R^{-1/4}$ with
    $L = \sum G G^\top$ and $R = \sum G^\top G$: a cheap Kronecker-factored stand-in for full-matrix
    Adagrad on $\operatorname{vec} G$. Written in the eigenbases of $L$ and $R$ the preconditioner is diagonal,
    which is SOAP's observation: run Adam (with its running second moments) on the rotated gradient and
    rotate back, refreshing the eigenbases only now and then."""
    size = r"for $2\times2$ matrices"
    d.begin(notation(r"\operatorname{vec}(AGB)", vec(AM * GM * BM), "vec(AGB)"), scope=size)
    d.then(lambda e: e.doit(), "entry by entry")
    d.then(
        lambda e: sp.kronecker_product(BM.T, AM) * vec(GM),
        r"read each entry $\sum_{kl} A_{ik} G_{kl} B_{lj}$ as a row of $B^\top \otimes A$",
    )
    d.conclude("vec-Kronecker")

    d.begin(notation(r"(L^{-1/4})^4 L", L_Q**4 * L_MAT, "(L^-1/4)^4 L"), scope=size)
    d.then(lambda e: e.doit(), "multiply out")
    d.then(lambda e: e.applyfunc(sp.cancel), r"$Q_L^\top Q_L = I$ and $(1/m)^4 m^4 = 1$")
    d.conclude("inverse fourth root")

    d.begin(
        notation(r"\operatorname{vec}(L^{-1/4} G R^{-1/4})", vec(L_Q * GM * R_Q), "vec(L^-1/4 G R^-1/4)"), scope=size
    )
    d.then(lambda e: e.doit(), "the update, column-stacked")
    d.then(
        lambda e: sp.kronecker_product(R_Q.T, L_Q) * vec(GM),
        r"the vec-Kronecker identity with $A = L^{-1/4}$, $B = R^{-1/4}$",
    )
    d.then(lambda e: sp.kronecker_product(R_Q, L_Q) * vec(GM), r"$R^{-1/4}$ is symmetric")
    d.conclude("Kronecker form")

    d.begin(SHAMPOO, scope=size)
    d.then(lambda e: e.doit(), "multiply out")
    d.then(
        lambda e: Q_L * (sp.diag(1 / m1, 1 / m2) * (Q_L.T * GM * Q_R) * sp.diag(1 / n1, 1 / n2)) * Q_R.T,
        r"$L^{-1/4} = Q_L\Lambda^{-1/4}Q_L^\top$ and $R^{-1/4} = Q_R P^{-1/4} Q_R^\top$, regrouped",
    )
    d.then(
        lambda e: SOAP_FORM,
        "diagonal scalings from both sides act entrywise",
    )
    d.conclude("eigenbasis")


# -- how it is checked -----------------------------------------------------------------------------
def _eig_power(m: np.ndarray, power: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(m^power, eigenvalues, eigenvectors) of a symmetric positive definite m by numpy.linalg.eigh."""
    w, q = np.linalg.eigh(m)
    return (q * w**power) @ q.T, w, q


def crosscheck(ctx: CheckContext) -> CrossCheckResult:
    """Random G (5x3) with L = G G^T + I, R = G^T G + I: Shampoo's L^-1/4 G R^-1/4 against the 15x15
    Kronecker preconditioner applied to vec G (numpy.kron, column-major vec), and against Adam run in
    the rotated basis (G' = Q_L^T G Q_R divided by sqrt(v') with v'_ij = sqrt(l_i r_j)), rotated back."""
    kron_err, adam_err = [], []
    for _ in range(10):
        g_ = ctx.rng.normal(size=(5, 3))
        lm, rm = g_ @ g_.T + np.eye(5), g_.T @ g_ + np.eye(3)
        lq, lw, lv = _eig_power(lm, -0.25)
        rq, rw, rv = _eig_power(rm, -0.25)
        shampoo = lq @ g_ @ rq
        kron = (np.kron(rq.T, lq) @ g_.reshape(-1, order="F")).reshape(5, 3, order="F")
        kron_err.append(float(np.max(np.abs(kron - shampoo)) / np.max(np.abs(shampoo))))
        rotated = lv.T @ g_ @ rv
        v_rot = np.sqrt(np.outer(lw, rw))
        adam = lv @ (rotated / np.sqrt(v_rot)) @ rv.T
        adam_err.append(float(np.max(np.abs(adam - shampoo)) / np.max(np.abs(shampoo))))
    return combine(
        ctx.bound("Shampoo = Kronecker preconditioner", "numpy.kron on 5x3", max(kron_err), 1e-12),
        ctx.bound("Shampoo = Adam in the eigenbasis", "numpy.linalg.eigh", max(adam_err), 1e-12),
    )


# -- the declaration -------------------------------------------------------------------------------
SOAP_SHAMPOO = declare(
    "soap-shampoo",
    aliases=("shampoo", "soap"),
    title="Shampoo as a Kronecker preconditioner; SOAP as Adam in its eigenbasis",
    section="5.1",
    map_row=r"SOAP (2024): Shampoo + Adam preconditioner",
    variables={
        **entry_domains(GM, ENTRY),
        **entry_domains(AM, ENTRY),
        **entry_domains(BM, ENTRY),
        p_rot: ROTATION,
        q_rot: ROTATION,
        m1: ROOT,
        m2: ROOT,
        n1: ROOT,
        n2: ROOT,
    },
    claim=CLAIM,
    also=(VEC_KRONECKER, FOURTH_ROOT, EIGENBASIS),
    derivation=derivation,
    crosscheck=crosscheck,
    question=QUESTION,
    refs=REFS,
    builds_on=("kfac-kronecker", "adam-bias-correction"),
)
