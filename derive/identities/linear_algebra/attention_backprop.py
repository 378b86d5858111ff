r"""The backward pass of softmax attention.

Attention's forward pass is $S = QK^\top/\sqrt{d}$, $A = \mathrm{softmax}_{\text{rows}}(S)$, $O = AV$; its
backward pass is $dV = A^\top dO$, $dA = dO\,V^\top$, $dS = A\circ(dA - D\mathbf{1}^\top)$, $dQ = dS\,K/\sqrt{d}$
and $dK = dS^\top Q/\sqrt{d}$, with $D = \operatorname{rowsum}(dA\circ A) = \operatorname{rowsum}(dO\circ O)$, the
row sum that lets FlashAttention recompute $dS$ block by block (map 1.1, self-attention). Dao et al. (2022),
FlashAttention, Appendix B.2; Vaswani et al. (2017), Sec. 3.2.1.
"""

from __future__ import annotations

from collections.abc import Callable
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
from derive.core.facts import SUM_EXCHANGE
from derive.maths.indexed import collapse, in_range
from derive.maths.matrices import entry_domains, symbol_matrix
from derive.numeric.linalg import gradient_fd

from ._shared import ell, i, j, k, n

# -- symbols ---------------------------------------------------------------------------------------
AE = real(-2, 2)
WEIGHT = real(0, 1)
SCORE = real(-3, 3)
# the 2x2 matrices of the question's matrix form
Qm, Km = symbol_matrix("Q", 2, 2, AE), symbol_matrix("K", 2, 2, AE)
dSm = symbol_matrix("dS", 2, 2, AE)
# n tokens, head dimension d; A, S, dS are n x n, Q, K, V, dO are n x d
TOKENS = integer(1, 4)
HEAD = integer(1, 4)
d_head = HEAD.symbol("d")
f = sp.Symbol("f", integer=True, positive=True)  # a feature index, 1..d
c, r, e = sp.symbols("c r e", integer=True, positive=True)  # summation indices
Ai, Si, Vi, dOi, dAi = (sp.IndexedBase(name, real=True) for name in ("A", "S", "V", "dO", "dA"))
Qi, Ki, dSi = (sp.IndexedBase(name, real=True) for name in ("Q", "K", "dS"))


def _product(left: sp.IndexedBase, right: sp.IndexedBase, row: sp.Expr, col: sp.Expr) -> sp.Sum:
    r""":math:`(LR)_{\text{row},\text{col}} = \sum_l L_{\text{row},l}R_{l,\text{col}}` over the n tokens."""
    return sp.Sum(left[row, ell] * right[ell, col], (ell, 1, n))


def _softmax(row: sp.Expr, col: sp.Expr) -> sp.Expr:
    r""":math:`A_{\text{row},\text{col}} = e^{S_{\text{row},\text{col}}}/\sum_r e^{S_{\text{row},r}}`."""
    return sp.exp(Si[row, col]) / sp.Sum(sp.exp(Si[row, r]), (r, 1, n))


def _chain(
    out: Callable[[sp.Expr, sp.Expr], sp.Expr], wrt: sp.Basic, cols: sp.Expr, up: sp.IndexedBase, *, rows_inner: bool
) -> sp.Sum:
    r"""The chain rule :math:`\sum_{k,c} \mathrm{up}_{kc}\,\partial\,\mathrm{out}_{kc}/\partial(\mathrm{wrt})`,
    unevaluated (``out`` an n x ``cols`` matrix given entry by entry). The index that a Kronecker delta of the
    derivative fixes is summed first (``rows_inner``: the row index ``k``), so SymPy's sums collapse it."""
    limits = ((k, 1, n), (c, 1, cols)) if rows_inner else ((c, 1, cols), (k, 1, n))
    return sp.Sum(up[k, c] * sp.Derivative(out(k, c), wrt), *limits)


def _attention_out(row: sp.Expr, col: sp.Expr) -> sp.Expr:
    return _product(Ai, Vi, row, col)


def _softmax_out(row: sp.Expr, col: sp.Expr) -> sp.Expr:
    return sp.Sum(_softmax(row, ell) * Vi[ell, col], (ell, 1, n))


def _scores(row: sp.Expr, col: sp.Expr) -> sp.Expr:
    return sp.Sum(Qi[row, e] * Ki[col, e], (e, 1, d_head)) / sp.sqrt(d_head)


DV_IF = _chain(_attention_out, Vi[i, f], d_head, dOi, rows_inner=False)
DA_IJ = _chain(_attention_out, Ai[i, j], d_head, dOi, rows_inner=True)
DS_IJ = _chain(_softmax, Si[i, j], n, dAi, rows_inner=True)
DQ_IF = _chain(_scores, Qi[i, f], n, dSi, rows_inner=True)
DK_IF = _chain(_scores, Ki[i, f], n, dSi, rows_inner=False)
ROW_DA = sp.Sum(sp.Sum(dOi[i, c] * Vi[j, c], (c, 1, d_head)) * Ai[i, j], (j, 1, n))  # rowsum(dA * A)_i
ROW_DO = sp.Sum(dOi[i, c] * _attention_out(i, c), (c, 1, d_head))  # rowsum(dO * O)_i
#: dS_ij = A_ij (dA_ij - D_i), A = softmax(S), D_i = sum_l dA_il A_il
DS_RULE = _softmax(i, j) * (dAi[i, j] - sp.Sum(dAi[i, ell] * _softmax(i, ell), (ell, 1, n)))

# -- what is claimed -------------------------------------------------------------------------------
CLAIM = Statement(
    "dV",
    Eq(notation(r"\frac{\partial L}{\partial V_{if}}", DV_IF, "dL/dV_if"), sp.Sum(Ai[k, i] * dOi[k, f], (k, 1, n))),
    text=r"$dV = A^\top dO$ for $O = AV$: entry $(i, f)$ is $\sum_k A_{ki}\,dO_{kf}$, for any $n$ tokens and head "
    r"dimension $d$",
)
DL_DA = Statement(
    "dA",
    Eq(
        notation(r"\frac{\partial L}{\partial A_{ij}}", DA_IJ, "dL/dA_ij"), sp.Sum(dOi[i, c] * Vi[j, c], (c, 1, d_head))
    ),
    text=r"$dA = dO\,V^\top$: entry $(i, j)$ is $\sum_c dO_{ic}V_{jc}$",
)
ROWSUM_D = Statement(
    "D",
    Eq(
        notation(r"\operatorname{rowsum}(dA \circ A)_i", ROW_DA, "rowsum(dA*A)_i"),
        notation(r"\operatorname{rowsum}(dO \circ O)_i", ROW_DO, "rowsum(dO*O)_i"),
        evaluate=False,
    ),
    text=r"$D = \operatorname{rowsum}(dA\circ A) = \operatorname{rowsum}(dO\circ O)$, a row sum of the output",
)
DL_DS = Statement(
    "dS",
    Eq(
        notation(r"\frac{\partial L}{\partial S_{ij}}", DS_IJ, "dL/dS_ij"),
        notation(r"A_{ij}\,(dA_{ij} - D_i)", DS_RULE, "A_ij (dA_ij - D_i)"),
        evaluate=False,
    ),
    text=r"$dS = A\circ(dA - D\mathbf{1}^\top)$ for $A = \mathrm{softmax}_{\text{rows}}(S)$ and the upstream "
    r"$dA$, $D = \operatorname{rowsum}(dA\circ A)$ ($= \operatorname{rowsum}(dO\circ O)$ by (D))",
)
DL_DQ = Statement(
    "dQ",
    Eq(
        notation(r"\frac{\partial L}{\partial Q_{if}}", DQ_IF, "dL/dQ_if"),
        sp.Sum(dSi[i, k] * Ki[k, f], (k, 1, n)) / sp.sqrt(d_head),
    ),
    text=r"$dQ = dS\,K/\sqrt{d}$ for $S = QK^\top/\sqrt{d}$",
)
DL_DK = Statement(
    "dK",
    Eq(
        notation(r"\frac{\partial L}{\partial K_{if}}", DK_IF, "dL/dK_if"),
        sp.Sum(dSi[k, i] * Qi[k, f], (k, 1, n)) / sp.sqrt(d_head),
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
    Ref.cite("dao2022", where="Appendix B.2"),
    Ref.cite("vaswani2017", where="Sec. 3.2.1"),
)


# -- how it is derived -----------------------------------------------------------------------------
def derivation(d: Derivation) -> None:
    r"""Attention's forward pass is $S = QK^\top/\sqrt{d}$, $A = \mathrm{softmax}_{\text{rows}}(S)$, $O = AV$.
    Given the upstream gradient $dO = \partial L/\partial O$, the backward pass is three matrix products and
    one row-wise softmax Jacobian: $dV = A^\top dO$, $dA = dO\,V^\top$, $dS = A\circ(dA - D\mathbf{1}^\top)$ and
    $dQ = dS\,K/\sqrt{d}$, $dK = dS^\top Q/\sqrt{d}$. The identity $D = \operatorname{rowsum}(dA\circ A) =
    \operatorname{rowsum}(dO\circ O)$ is what lets FlashAttention recompute $dS$ block by block without ever
    storing the $n\times n$ matrix $A$."""
    for label, rule, rhs in (
        ("dV", r"$\partial O_{kc}/\partial V_{if} = A_{ki}\,[c = f]$", CLAIM),
        ("dA", r"$\partial O_{kc}/\partial A_{ij} = [k = i]\,V_{jc}$", DL_DA),
        ("dQ", r"$\partial S_{kc}/\partial Q_{if} = [k = i]\,K_{cf}/\sqrt{d}$", DL_DQ),
        ("dK", r"$\partial S_{kc}/\partial K_{if} = Q_{kf}\,[c = i]/\sqrt{d}$", DL_DK),
    ):
        assert rhs.relation is not None
        d.begin(statement_lhs(d, label), r"the chain rule with the upstream gradient, entry by entry")
        d.then(lambda e: in_range(collapse(e.doit())), rule + r"; the Kronecker deltas collapse the sums")
        d.then(rhs.relation.rhs, r"the matrix product, entry by entry")
        d.conclude(label)

    d.begin(statement_lhs(d, "D"), r"$D_i = \sum_j (dO\,V^\top)_{ij}A_{ij}$")
    d.assume(SUM_EXCHANGE, lambda e: SUM_EXCHANGE.rewrite(e), r"sum over $j$ first")
    d.then(ROW_DO, r"$\sum_j A_{ij}V_{jc} = O_{ic}$: the row sum of $dO \circ O$")
    d.conclude("D")

    d.begin(statement_lhs(d, "dS"), r"chain rule through $A = \mathrm{softmax}_{\text{rows}}(S)$ with upstream $dA$")
    d.then(
        lambda e: in_range(collapse(e.doit())),
        r"differentiate the softmax entries (quotient rule): $\partial A_{kl}/\partial S_{ij} = "
        r"[k = i]A_{il}([l = j] - A_{ij})$; the deltas collapse",
    )
    d.then(DS_RULE, r"collect $A_{ij}$: $D_i = \sum_l dA_{il}A_{il}$")
    d.keep("dS")
    d.conclude("dS")


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
    L = sum(dO * O); rowsum(dA * A) against rowsum(dO * O); the derived index form of dS at n = 3, d = 2
    against differences in S."""
    results = []
    for tokens, width in ((6, 4), (3, 8), (10, 2)):
        q, kk, v, do = (ctx.rng.normal(size=(tokens, width)) for _ in range(4))
        got, fd = _attention_backward(q, kk, v, do), _attention_fd(q, kk, v, do)
        for key in ("dQ", "dK", "dV"):
            results.append(
                ctx.compare(f"{key} n={tokens} d={width}", "central differences", got[key], fd[key], rtol=1e-6)
            )
        results.append(ctx.compare(f"D n={tokens}", "two row sums", got["Dalt"], got["D"][:, 0], rtol=1e-12))
    # the derived index form of dS_ij (any n) at 3 tokens with dA = dO V^T (d = 2), against differences in S
    derived = ctx.values["dS"].subs({n: 3}).doit()
    got_s, want_s = [], []
    for _ in range(4):
        sv, v, do = ctx.rng.normal(size=(3, 3)), ctx.rng.normal(size=(3, 2)), ctx.rng.normal(size=(3, 2))
        values = {
            **{Si[p + 1, q + 1]: sv[p, q] for p in range(3) for q in range(3)},
            **{dAi[p + 1, q + 1]: (do @ v.T)[p, q] for p in range(3) for q in range(3)},  # dA = dO V^T
        }
        at = [[float(derived.xreplace({i: p + 1, j: q + 1}).xreplace(values)) for q in range(3)] for p in range(3)]
        got_s.append(at)
        want_s.append(gradient_fd(partial(_scores_loss, v=v, do=do), sv))
    results.append(
        ctx.compare("derived dS_ij at n=3", "central differences", np.array(got_s), np.array(want_s), rtol=1e-6)
    )
    return combine(*results)


# -- the declaration -------------------------------------------------------------------------------
ATTENTION_BACKPROP = declare(
    "attention-backprop",
    title="The backward pass of softmax attention",
    section="1.1",
    map_row=r"self-attention $\mathrm{softmax}(QK^\top/\sqrt{d})V$: the backward pass that FlashAttention uses",
    variables=entry_domains([*Qm, *Km, *dSm], AE)
    | {
        n: TOKENS,
        d_head: HEAD,
        i: integer(1, n),
        j: integer(1, n),
        k: integer(1, n),
        f: integer(1, d_head),
        Ai: WEIGHT,
        Si: SCORE,
        Vi: AE,
        dOi: AE,
        Qi: AE,
        Ki: AE,
        dSi: AE,
        dAi: AE,
    },
    claim=CLAIM,
    also=(DL_DA, ROWSUM_D, DL_DS, DL_DQ, DL_DK),
    derivation=derivation,
    crosscheck=crosscheck,
    question=QUESTION,
    refs=REFS,
    builds_on=("dense-backprop", "attention-scaling", "softmax-jacobian"),
)
