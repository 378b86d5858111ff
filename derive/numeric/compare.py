"""Lambdify to numpy and compare with tolerances relative to magnitude.

Non-finite values are never ignored: a sample where either side overflows or is NaN is reported
and fails the check, unless *both* sides are the same infinity (a genuine pole of both).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import sympy as sp

from ..maths.special import elementary

MODULES: list[object] = ["scipy", "numpy"]


def numpy_function(expr: sp.Basic, args: Sequence[sp.Basic]) -> Callable[..., np.ndarray]:
    """``lambdify`` of a *trusted* expression (special functions rewritten to elementary ones).

    Only for expressions built by derive or its identities: lambdify evaluates generated code.
    Untrusted text never reaches here (see :mod:`derive.answers`).
    """
    return sp.lambdify(list(args), elementary(expr), modules=MODULES)


def evaluate(expr: sp.Basic, values: Mapping[sp.Symbol, np.ndarray], n: int) -> np.ndarray:
    """Vectorised values of ``expr`` at ``n`` samples; a matrix gives shape ``(n, rows, cols)``."""
    if isinstance(expr, sp.MatrixBase):
        out = np.empty((n, expr.rows, expr.cols), dtype=complex)
        for i in range(expr.rows):
            for j in range(expr.cols):
                out[:, i, j] = evaluate(expr[i, j], values, n)
        return _realify(out)
    symbols = sorted(expr.free_symbols, key=str)
    fn = numpy_function(expr, symbols)
    with np.errstate(all="ignore"):
        raw = fn(*[values[s] for s in symbols])
    arr = np.broadcast_to(np.asarray(raw, dtype=complex), (n,)).copy()
    return _realify(arr)


def _realify(a: np.ndarray) -> np.ndarray:
    """Real values as a float array (an infinite real part is kept: the comparison judges it)."""
    if np.iscomplexobj(a) and np.all(a.imag == 0):
        return a.real.astype(float)
    return a


@dataclass(frozen=True)
class Comparison:
    """Errors of one comparison over many samples."""

    samples: int
    max_abs_error: float
    max_rel_error: float
    nonfinite: int
    worst_index: int
    ok: bool
    detail: str = ""


def compare(got: np.ndarray, expected: np.ndarray, *, rtol: float = 1e-9, floor: float | None = None) -> Comparison:
    """Relative error ``|got - expected| / (max(|got|, |expected|) + floor)`` at every sample.

    ``floor`` is the magnitude below which a value counts as "about zero"; it defaults to the
    median magnitude of the nonzero values of ``expected``, so quantities that should vanish are judged against the
    scale of the quantity and not against themselves. Passes if every sample is within ``rtol``
    and finite (or both sides are the same infinity).
    """
    got = np.asarray(got)
    expected = np.asarray(expected)
    got, expected = np.broadcast_arrays(got, expected)
    n = got.shape[0] if got.ndim else 1
    with np.errstate(all="ignore"):
        fin_g, fin_e = np.isfinite(got), np.isfinite(expected)
        same_inf = (~fin_g) & (~fin_e) & (got == expected)
        bad = ~(fin_g & fin_e) & ~same_inf
        if floor is None:  # the typical size of the nonzero values (structural zeros do not count)
            sizes = np.abs(expected[fin_e & (expected != 0)])
            floor = float(np.median(sizes)) if sizes.size else 0.0
        mag = np.maximum(np.abs(got), np.abs(expected))
        err = np.where(fin_g & fin_e, np.abs(got - expected), 0.0)
        denom = mag + max(floor, 1e-300)
        rel = np.where(fin_g & fin_e, err / denom, 0.0)
        fails = (rel > rtol) | bad
    per_sample = fails.reshape(n, -1).any(axis=1)
    nonfinite = int(bad.reshape(n, -1).any(axis=1).sum())
    rel_s = rel.reshape(n, -1).max(axis=1)
    worst = int(np.argmax(per_sample)) if per_sample.any() else int(np.argmax(rel_s))
    detail = ""
    if nonfinite:
        detail = f"{nonfinite} of {n} samples gave a non-finite value on one side (overflow or NaN)"
    elif per_sample.any():
        detail = f"{int(per_sample.sum())} of {n} samples outside the tolerance"
    return Comparison(
        n,
        float(err.max()) if err.size else 0.0,
        float(rel.max()) if rel.size else 0.0,
        nonfinite,
        worst,
        not bool(per_sample.any()),
        detail,
    )
