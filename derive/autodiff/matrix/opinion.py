r"""A second opinion from SymPy's own matrix calculus (``MatrixExpr.diff``), never trusted alone.

SymPy differentiates an expression of ``MatrixSymbol`` objects by its array-derivative rules; it
returns wrong or zero results in known cases (elementwise functions, some products with the
variable twice), so the derived gradient never rests on it. :func:`second_opinion` translates the
expression (products, sums, transposes, ``inv``, ``det``, ``trace``, scalar powers; anything else:
no opinion), asks SymPy, evaluates its answer and the derived matrix form with numpy at random
sizes, and says whether they agree.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np
import sympy as sp

from .nodes import Node
from .numeric import evaluate, sample

Shapes = Mapping[str, tuple[sp.Expr, sp.Expr]]


class _NoOpinion(Exception):
    pass


def to_sympy(a: Node, symbols: Mapping[str, sp.Basic]) -> sp.Basic:
    """``a`` as a SymPy matrix expression (``_NoOpinion`` for what SymPy has no matrix form of)."""
    args = [to_sympy(x, symbols) for x in a.args]
    table: dict[str, Callable[[], sp.Basic]] = {
        "sym": lambda: symbols[a.name],
        "num": lambda: a.exponent,
        "add": lambda: sp.Add(*args) if a.scalar else sp.MatAdd(*args).doit(),
        "neg": lambda: -args[0],
        "scale": lambda: args[0] * args[1],
        "matmul": lambda: sp.MatMul(*args).doit(),
        "T": lambda: args[0].T,
        "pow": lambda: _scalar(args[0]) ** a.exponent,
        "inv": lambda: sp.Inverse(args[0]),
        "det": lambda: sp.Determinant(args[0]),
        "trace": lambda: sp.Trace(args[0]),
        "norm": lambda: sp.sqrt(sp.Trace(args[0].T * args[0]) if not a.args[0].scalar else args[0] ** 2),
        "log": lambda: sp.log(_scalar(args[0])) if a.scalar else _fail("log"),
        "exp": lambda: sp.exp(_scalar(args[0])) if a.scalar else _fail("exp"),
    }
    if a.op not in table:
        raise _NoOpinion(a.op)
    return table[a.op]()


def _fail(op: str) -> sp.Basic:
    raise _NoOpinion(f"{op} of a matrix")


def _scalar(e: sp.Basic) -> sp.Basic:
    """A 1 x 1 matrix expression as the scalar it is (``x.T*x``), for a power."""
    if isinstance(e, sp.MatrixExpr) and e.shape == (1, 1):
        return e[0, 0]
    return e


def second_opinion(f: Node, grad: Node, wrt: str, shapes: Shapes, seed: int) -> str:
    """``agrees``, ``DISAGREES (...)`` or ``none (...)``: SymPy's ``diff`` against the derived form."""
    symbols = {
        name: sp.Symbol(name, real=True) if (r, c) == (1, 1) else sp.MatrixSymbol(name, r, c)
        for name, (r, c) in shapes.items()
    }
    try:
        theirs = to_sympy(f, symbols).diff(symbols[wrt])
    except _NoOpinion as exc:
        return f"none (SymPy has no matrix form of {exc})"
    except Exception as exc:  # SymPy's own failure is its opinion's absence, not ours
        return f"none (SymPy raised {type(exc).__name__})"
    if theirs.has(sp.Derivative):
        return "none (SymPy leaves the derivative unevaluated)"
    rng = np.random.default_rng(seed)
    values, sizes = sample(shapes, rng, 1)
    try:
        got = _numeric(theirs, symbols, values, sizes)
    except Exception as exc:
        return f"none (SymPy's answer could not be evaluated: {type(exc).__name__})"
    mine = evaluate(grad, values) * np.ones_like(values[wrt])
    if got.shape != mine.shape:
        got = got.reshape(mine.shape) if got.size == mine.size else got
    same = got.shape == mine.shape and np.allclose(got, mine, rtol=1e-8, atol=1e-10 * max(1.0, np.max(np.abs(mine))))
    return "agrees" if same else f"DISAGREES (SymPy: {sp.sstr(theirs)[:200]})"


def _numeric(
    e: sp.Basic, symbols: Mapping[str, sp.Basic], values: dict[str, np.ndarray], sizes: dict[str, int]
) -> np.ndarray:
    """SymPy's answer at the sampled sizes and entries."""
    size_values = {sp.Symbol(k, integer=True, positive=True): v for k, v in sizes.items()}
    concrete = e.xreplace(size_values)
    subs = {}
    for name, s in symbols.items():
        v = values[name]
        subs[s.xreplace(size_values) if isinstance(s, sp.MatrixSymbol) else s] = (
            sp.Matrix(v) if isinstance(s, sp.MatrixSymbol) else sp.Float(v[0, 0])
        )
    out = concrete.xreplace(subs).doit()
    if isinstance(out, sp.MatrixBase | sp.MatrixExpr):
        out = sp.Matrix(out).doit()
    return np.array(sp.Matrix(out).evalf() if isinstance(out, sp.MatrixBase) else [[out.evalf()]], dtype=float)
