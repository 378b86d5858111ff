r"""The backward pass of softmax attention.

Attention's forward pass is $S = QK^\top/\sqrt{d}$, $A = \mathrm{softmax}_{\text{rows}}(S)$, $O = AV$; its
backward pass is $dV = A^\top dO$, $dA = dO\,V^\top$, $dS = A\circ(dA - D\mathbf{1}^\top)$, $dQ = dS\,K/\sqrt{d}$
and $dK = dS^\top Q/\sqrt{d}$, with $D = \operatorname{rowsum}(dA\circ A) = \operatorname{rowsum}(dO\circ O)$, the
row sum that lets FlashAttention recompute $dS$ block by block (map 1.1, self-attention). Dao et al. (2022),
FlashAttention, Appendix B.2; Vaswani et al. (2017), Sec. 3.2.1.
"""

from __future__ import annotations

from functools import partial

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
    notation,
    real,
    statement_lhs,
)
from derive.maths.matrices import backprop_form, entry_domains, row_softmax, symbol_matrix
from derive.numeric.linalg import gradient_fd

from ._shared import i, j, k, n

# -- symbols ---------------------------------------------------------------------------------------
AE = real(-2, 2)
WEIGHT = real(0, 1)
SCORE = real(-3, 3)
Qm, Km, Vm = symbol_matrix("Q", 2, 2, AE), symbol_matrix("K", 2, 2, AE), symbol_matrix("V", 2, 2, AE)
dO = symbol_matrix("dO", 2, 2, AE)
Am = symbol_matrix("A", 2, 2, WEIGHT)  # the forward attention matrix, as given numbers
Sm = symbol_matrix("S", 2, 2, SCORE)
dSm = symbol_matrix("dS", 2, 2, AE)
ONES = sp.ones(2, 1)
SOFT = row_softmax(Sm)
SCORES = Qm * Km.T / sp.sqrt(2)
# the index form of the question: n tokens, head dimension d
HEAD = integer(1, 64)
d_head = HEAD.symbol("d")
dSi, Ki = sp.IndexedBase("dS", real=True), sp.IndexedBase("K", real=True)


def _rowsum(mat: sp.Matrix) -> sp.Matrix:
    return mat * sp.ones(mat.cols, 1)


#: D = rowsum(dA * A) with dA = dO V^T, for the softmax of S
D_SOFT = _rowsum((dO * Vm.T).multiply_elementwise(SOFT))
DS_RULE = SOFT.multiply_elementwise(dO * Vm.T - D_SOFT * ONES.T)

# -- what is claimed -------------------------------------------------------------------------------
CLAIM = Statement(
    "dV",
    Eq(
        notation(r"\frac{\partial L}{\partial V}", backprop_form(dO, Am * Vm, Vm), "dL/dV"),
        Am.T * dO,
        evaluate=False,
    ),
    text=r"$dV = A^\top dO$ for $O = AV$",
)
DL_DA = Statement(
    "dA",
    Eq(
        notation(r"\frac{\partial L}{\partial A}", backprop_form(dO, Am * Vm, Am), "dL/dA"),
        dO * Vm.T,
        evaluate=False,
    ),
    text=r"$dA = dO\,V^\top$",
)
ROWSUM_D = Statement(
    "D",
    Eq(
        notation(r"\operatorname{rowsum}(dA \circ A)", _rowsum((dO * Vm.T).multiply_elementwise(Am)), "rowsum(dA*A)"),
        notation(r"\operatorname{rowsum}(dO \circ O)", _rowsum(dO.multiply_elementwise(Am * Vm)), "rowsum(dO*O)"),
        evaluate=False,
    ),
    text=r"$D = \operatorname{rowsum}(dA\circ A) = \operatorname{rowsum}(dO\circ O)$, a row sum of the output",
)
DL_DS = Statement(
    "dS",
    Eq(
        notation(r"\frac{\partial L}{\partial S}", backprop_form(dO, SOFT * Vm, Sm), "dL/dS"),
        notation(r"A \circ (dA - D\,\mathbf{1}^\top)", DS_RULE, "A*(dA - D 1^T)"),
        evaluate=False,
    ),
    text=r"for $A = \mathrm{softmax}_{\text{rows}}(S)$, $O = AV$",
)
DL_DQ = Statement(
    "dQ",
    Eq(
        notation(r"\frac{\partial L}{\partial Q}", backprop_form(dSm, SCORES, Qm), "dL/dQ"),
        dSm * Km / sp.sqrt(2),
        evaluate=False,
    ),
    text=r"$dQ = dS\,K/\sqrt{d}$ for $S = QK^\top/\sqrt{d}$ (here $d = 2$)",
)
DL_DK = Statement(
    "dK",
    Eq(
        notation(r"\frac{\partial L}{\partial K}", backprop_form(dSm, SCORES, Km), "dL/dK"),
        dSm.T * Qm / sp.sqrt(2),
        evaluate=False,
    ),
    text=r"$dK = dS^\top Q/\sqrt{d}$",
)

# -- the homework question, and where the identity comes from --------------------------------------
QUESTION = Question(
    target=sp.Sum(dSi[i, k] * Ki[k, j], (k, 1, n)) / sp.sqrt(d_head),
    prompt=r"In attention, $S = QK^\top/\sqrt{d}$. Given $dS = \partial L/\partial S$, "
    r"give $(\partial L/\partial Q)_{ij}$.",
    forms=(dSm * Km / sp.sqrt(2),),
    approximations={
        r"the factor $1/\sqrt{d}$ of the scores is missing": sp.Sum(dSi[i, k] * Ki[k, j], (k, 1, n)),
        r"$K$ is transposed: that is $dS\,K^\top/\sqrt{d}$": sp.Sum(dSi[i, k] * Ki[j, k], (k, 1, n)) / sp.sqrt(d_head),
        r"$dS$ is transposed: that is $dS^\top K/\sqrt{d}$, the form of $\partial L/\partial K$ with $Q$ "
        r"replaced by $K$": sp.Sum(dSi[k, i] * Ki[k, j], (k, 1, n)) / sp.sqrt(d_head),
    },
)
REFS = (
    Ref.arxiv(
        "2205.14135",
        "T. Dao et al., FlashAttention: Fast and Memory-Efficient Exact Attention with IO-Awareness, 2022",
        where="Appendix B.2",
    ),
    Ref.arxiv("1706.03762", "A. Vaswani et al., Attention Is All You Need, 2017", where="Sec. 3.2.1"),
)


# -- how it is derived -----------------------------------------------------------------------------
def derivation(d: Derivation) -> None:
    r"""Attention's forward pass is $S = QK^\top/\sqrt{d}$, $A = \mathrm{softmax}_{\text{rows}}(S)$, $O = AV$.
    Given the upstream gradient $dO = \partial L/\partial O$, the backward pass is three matrix products and
    one row-wise softmax Jacobian: $dV = A^\top dO$, $dA = dO\,V^\top$, $dS = A\circ(dA - D\mathbf{1}^\top)$ and
    $dQ = dS\,K/\sqrt{d}$, $dK = dS^\top Q/\sqrt{d}$. The identity $D = \operatorname{rowsum}(dA\circ A) =
    \operatorname{rowsum}(dO\circ O)$ is what lets FlashAttention recompute $dS$ block by block without ever
    storing the $n\times n$ matrix $A$."""
    scope = "for n = d = 2; other sizes in the cross-check"
    d.begin(statement_lhs(d, "dV"), r"chain rule through $O = AV$ with upstream $dO$", scope=scope)
    d.then(lambda e: e.doit(), r"$\partial O_{kc}/\partial V_{ij} = A_{ki}\,[c = j]$")
    d.then(notation(r"A^\top dO", Am.T * dO, "A^T dO"), r"$\sum_k A_{ki}\,dO_{kj} = (A^\top dO)_{ij}$")
    d.conclude("dV")

    d.begin(statement_lhs(d, "dA"), r"chain rule through $O = AV$, now in $A$", scope=scope)
    d.then(lambda e: e.doit(), r"$\partial O_{kc}/\partial A_{ij} = [k = i]\,V_{jc}$")
    d.then(notation(r"dO\,V^\top", dO * Vm.T, "dO V^T"), r"$\sum_c dO_{ic}V_{jc} = (dO\,V^\top)_{ij}$")
    d.conclude("dA")

    d.begin(_rowsum((dO * Vm.T).multiply_elementwise(Am)), r"$D_i = \sum_j (dO\,V^\top)_{ij}A_{ij}$", scope=scope)
    d.then(lambda e: sp.expand(e), r"expand the products")
    d.then(
        _rowsum(dO.multiply_elementwise(Am * Vm)),
        r"regroup as $\sum_c dO_{ic}\sum_j A_{ij}V_{jc} = \sum_c dO_{ic}O_{ic}$",
    )
    d.conclude("D")

    d.begin(statement_lhs(d, "dS"), r"chain rule through $O = \mathrm{softmax}_{\text{rows}}(S)\,V$", scope=scope)
    d.then(lambda e: e.doit(), r"differentiate the softmax entries (quotient rule)")
    d.then(DS_RULE, r"softmax Jacobian $\partial A_{il}/\partial S_{ij} = A_{il}([l = j] - A_{ij})$, collected")
    d.keep("dS")
    d.conclude("dS")

    d.begin(statement_lhs(d, "dQ"), r"chain rule through $S = QK^\top/\sqrt{d}$ with upstream $dS$", scope=scope)
    d.then(lambda e: e.doit(), r"$\partial S_{ab}/\partial Q_{ij} = [a = i]\,K_{bj}/\sqrt{d}$")
    d.then(notation(r"dS\,K/\sqrt{d}", dSm * Km / sp.sqrt(2), "dS K/sqrt(d)"), r"$\sum_b dS_{ib}K_{bj}/\sqrt{d}$")
    d.conclude("dQ")

    d.begin(statement_lhs(d, "dK"), r"the same chain rule, in $K$", scope=scope)
    d.then(lambda e: e.doit(), r"$\partial S_{ab}/\partial K_{ij} = Q_{aj}\,[b = i]/\sqrt{d}$")
    d.then(
        notation(r"dS^\top Q/\sqrt{d}", dSm.T * Qm / sp.sqrt(2), "dS^T Q/sqrt(d)"), r"$\sum_a dS_{ai}Q_{aj}/\sqrt{d}$"
    )
    d.conclude("dK")


# -- how it is checked -----------------------------------------------------------------------------
def _softmax_rows(s: np.ndarray) -> np.ndarray:
    e = np.exp(s - s.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def _attention_loss(q: np.ndarray, kk: np.ndarray, v: np.ndarray, do: np.ndarray) -> float:
    """L = sum(dO * O) with O = softmax(Q K^T / sqrt(d)) V, from the definition."""
    return float(np.sum(do * (_softmax_rows(q @ kk.T / np.sqrt(q.shape[1])) @ v)))


def _attention_backward(q: np.ndarray, kk: np.ndarray, v: np.ndarray, do: np.ndarray) -> dict[str, np.ndarray]:
    """The backward pass of the statement (FlashAttention's), in numpy."""
    width = q.shape[1]
    a = _softmax_rows(q @ kk.T / np.sqrt(width))
    o = a @ v
    da = do @ v.T
    big_d = np.sum(do * o, axis=1, keepdims=True)
    ds = a * (da - big_d)
    return {
        "dV": a.T @ do,
        "dQ": ds @ kk / np.sqrt(width),
        "dK": ds.T @ q / np.sqrt(width),
        "D": big_d,
        "Dalt": np.sum(da * a, 1),
    }


def _scores_loss(s: np.ndarray, v: np.ndarray, do: np.ndarray) -> float:
    """L = sum(dO * O) with O = softmax(S) V, as a function of the scores S."""
    return float(np.sum(do * (_softmax_rows(s) @ v)))


def _attention_fd(q: np.ndarray, kk: np.ndarray, v: np.ndarray, do: np.ndarray) -> dict[str, np.ndarray]:
    """Central differences of L = sum(dO * O) in Q, K and V."""
    return {
        "dQ": gradient_fd(lambda a: _attention_loss(a, kk, v, do), q),
        "dK": gradient_fd(lambda a: _attention_loss(q, a, v, do), kk),
        "dV": gradient_fd(lambda a: _attention_loss(q, kk, a, do), v),
    }


def crosscheck(ctx: CheckContext) -> CrossCheckResult:
    """Random Q, K, V, dO (n tokens, head size d): the backward pass against central differences of
    L = sum(dO * O); rowsum(dA * A) against rowsum(dO * O); the derived 2x2 dS against differences in S."""
    results = []
    for tokens, width in ((6, 4), (3, 8), (10, 2)):
        q, kk, v, do = (ctx.rng.normal(size=(tokens, width)) for _ in range(4))
        got, fd = _attention_backward(q, kk, v, do), _attention_fd(q, kk, v, do)
        for key in ("dQ", "dK", "dV"):
            results.append(
                ctx.compare(f"{key} n={tokens} d={width}", "central differences", got[key], fd[key], rtol=1e-6)
            )
        results.append(ctx.compare(f"D n={tokens}", "two row sums", got["Dalt"], got["D"][:, 0], rtol=1e-12))
    # the derived 2x2 dS (symbolic, in S, V, dO) against differences of L in S
    f = sp.lambdify([*Sm, *Vm, *dO], ctx.values["dS"], "numpy")
    got_s, want_s = [], []
    for _ in range(20):
        s, v, do = ctx.rng.normal(size=(3, 2, 2))
        got_s.append(np.asarray(f(*s.ravel(), *v.ravel(), *do.ravel()), dtype=float))
        want_s.append(gradient_fd(partial(_scores_loss, v=v, do=do), s))
    results.append(ctx.compare("derived 2x2 dS", "central differences", np.array(got_s), np.array(want_s), rtol=1e-6))
    return combine(*results)


# -- the declaration -------------------------------------------------------------------------------
ATTENTION_BACKPROP = declare(
    "attention-backprop",
    title="The backward pass of softmax attention",
    section="1.1",
    map_row=r"self-attention $\mathrm{softmax}(QK^\top/\sqrt{d})V$: the backward pass that FlashAttention uses",
    variables=entry_domains([*Qm, *Km, *Vm, *dO, *dSm], AE)
    | entry_domains(Am, WEIGHT)
    | entry_domains(Sm, SCORE)
    | {n: integer(1, 8), d_head: HEAD, i: integer(1, n), j: integer(1, d_head), k: integer(1, n)}
    | {dSi: AE, Ki: AE},
    claim=CLAIM,
    also=(DL_DA, ROWSUM_D, DL_DS, DL_DQ, DL_DK),
    derivation=derivation,
    crosscheck=crosscheck,
    question=QUESTION,
    refs=REFS,
    builds_on=("dense-backprop", "attention-scaling", "softmax-jacobian"),
)
