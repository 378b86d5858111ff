r"""What several pages of the calculus chapter share.

- :func:`at_zero`: a cross-check of a derived derivative at :math:`x = 0` against a known exact value
  (``sigmoid'``, ``tanh'``, ``gelu-tanh-approx``);
- the softmax notation of ``softmax-jacobian``, ``softmax-cross-entropy-grad`` and ``log-sum-exp``:
  logits :math:`z_k` indexed up to a symbolic :math:`n`, the softmax entries :math:`s_a` as named
  functions (their bodies are definitions the ladder unfolds), the explicit heads for
  :math:`n = 2, 3, 4`, and :func:`grad_fd`;
- the references and the random SPD matrices of the second-order pages (``newton-step``,
  ``gauss-newton``, ``kfac-kronecker``).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import sympy as sp
from sympy import ImmutableMatrix, IndexedBase, Sum, exp

from derive.authoring import (
    CheckContext,
    CrossCheckResult,
    Ref,
    indexed,
    integer,
    linalg,
    matrices,
    named_entries,
    real,
)


# -- a derivative at 0 -----------------------------------------------------------------------------
def at_zero(x: sp.Symbol, expr_name: str, value: float) -> Callable[[CheckContext], CrossCheckResult]:
    """The derived form at x = 0 (other variables sampled) against a known exact value."""

    def check(ctx: CheckContext) -> CrossCheckResult:
        values = ctx.sample(1)
        values[x] = values[x] * 0.0
        got = ctx.evaluate(ctx.result, values, 1)
        return ctx.compare(f"{expr_name} at 0", "exact value", got, np.asarray(value), rtol=1e-15)

    return check


# -- softmax: the logits and their entries ---------------------------------------------------------
N = integer(2, 6)
n = N.symbol("n")
INDEX = integer(1, n)
i = INDEX.symbol("i")
j = INDEX.symbol("j")
k = INDEX.symbol("k")
Z = real(-5, 5)
z = IndexedBase("z", real=True)
s = IndexedBase("s", positive=True)  # the softmax outputs, as a student writes them
INDEX_DOMAINS = {n: N, i: INDEX, j: INDEX, z: Z}

SUM = Sum(exp(z[k]), (k, 1, n))


def entry_name(letter: str, doc: str) -> type[sp.Function]:
    """An undefined function printed :math:`letter_a` for an index :math:`a` (its body is a definition)."""

    def _latex(self: sp.Function, printer: object, exp: object = None) -> str:
        body = f"{letter}_{{{printer._print(self.args[0])}}}"  # type: ignore[attr-defined]
        return body if exp is None else f"{body}^{{{exp}}}"

    return type(f"{letter}_", (sp.Function,), {"__doc__": doc, "_latex": _latex})


s_ = entry_name("s", "The softmax entry :math:`s_a` for a symbolic index (its body: :func:`S`).")


def S(a: sp.Expr) -> sp.Expr:
    r""":math:`s_a = e^{z_a}/\sum_k e^{z_k}` in terms of the logits."""
    return indexed.softmax_entry(z, a, k, n)


LOGITS = matrices.symbol_vector("z", 4, Z)  # explicit sizes use plain symbols z1, ..., z4


def logits(m: int) -> sp.Matrix:
    """The explicit column :math:`(z_1, \\dots, z_m)` of logits."""
    return LOGITS[:m, :]


def jacobian_matrix(sv: sp.MatrixBase) -> ImmutableMatrix:
    r""":math:`\operatorname{diag}(s) - s s^\top` for an explicit column ``sv``."""
    m = len(sv)
    return ImmutableMatrix(sp.Matrix(m, m, lambda a, b: sv[a] if a == b else 0) - sv * sv.T)


SIZES = (2, 3, 4)
HEADS: dict[int, sp.Matrix] = {}
DEFINITIONS: dict[sp.Basic, sp.Expr] = {s_(i): S(i)}
for _m in SIZES:  # s_1, ..., s_m as named functions of (z_1, ..., z_m), defined as the softmax entries
    HEADS[_m], _defs = named_entries("s", list(logits(_m)), list(indexed.softmax_vector(list(logits(_m)))))
    DEFINITIONS.update(_defs)


def grad_fd(f: Callable[[np.ndarray], float], x: np.ndarray) -> np.ndarray:
    """Central differences of a scalar function with an absolute step (softmax is shift-invariant)."""
    return linalg.jacobian_fd(lambda v: np.atleast_1d(f(v)), x, h=float(np.cbrt(np.finfo(float).eps)))[0]


# -- second-order methods ------------------------------------------------------------------------
MARTENS_GROSSE = Ref.cite("martens2015", where="Sec. 3")
NOCEDAL_WRIGHT = Ref.cite("nocedal2006", where="Ch. 2, 10")


def random_spd(rng: np.random.Generator, size: int) -> np.ndarray:
    """A random symmetric positive definite ``size x size`` matrix, :math:`AA^\\top + I/2`."""
    a = rng.normal(size=(size, size))
    return a @ a.T + 0.5 * np.eye(size)
