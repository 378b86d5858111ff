r"""Matrix expressions evaluated with numpy, and the finite-difference check of a gradient.

:func:`evaluate` computes a node from arrays (every value a 2-D array: a column for a vector,
:math:`1\times1` for a scalar). :func:`finite_differences` draws random sizes (each size symbol in
2..5) and random entries (seeded), and compares central differences of the *original* expression
in every entry of the variable with the derived matrix form evaluated on the same arrays, with a
tolerance relative to the magnitude of the gradient and of the expression.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np
import sympy as sp

from ...numeric.crosscheck import CrossCheckResult
from .nodes import Node

Values = dict[str, np.ndarray]

RTOL = 1e-6
TRIALS = 3


def _softmax(v: np.ndarray) -> np.ndarray:
    e = np.exp(v - np.max(v))
    return e / np.sum(e)


_ELEMENTWISE: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "exp": np.exp,
    "log": np.log,
    "tanh": np.tanh,
    "sigmoid": lambda z: 1.0 / (1.0 + np.exp(-z)),
    "softplus": lambda z: np.logaddexp(0.0, z),
    "relu": lambda z: np.maximum(z, 0.0),
    "step": lambda z: (z > 0).astype(float),
    "sqrt": np.sqrt,
    "sin": np.sin,
    "cos": np.cos,
}


def evaluate(a: Node, values: Values) -> np.ndarray:
    """The value of ``a`` (a 2-D array) at the arrays ``values``."""
    op = a.op
    if op in _ELEMENTWISE:
        return _ELEMENTWISE[op](evaluate(a.args[0], values))
    xs = [evaluate(x, values) for x in a.args]
    rows, cols = (_int(s, values) for s in a.shape)
    table: dict[str, Callable[[], np.ndarray]] = {
        "sym": lambda: values[a.name],
        "size": lambda: values[f"#{a.name}"].astype(float),
        "num": lambda: np.array([[float(a.exponent)]]),
        "ones": lambda: np.ones((rows, cols)),
        "eye": lambda: np.eye(rows),
        "add": lambda: sum(xs[1:], xs[0]),
        "neg": lambda: -xs[0],
        "scale": lambda: xs[0][0, 0] * xs[1],
        "matmul": lambda: xs[0] @ xs[1],
        "T": lambda: xs[0].T,
        "pow": lambda: xs[0] ** float(a.exponent),
        "epow": lambda: xs[0] ** float(a.exponent),
        "had": lambda: xs[0] * xs[1],
        "inv": lambda: np.linalg.inv(xs[0]),
        "det": lambda: np.array([[np.linalg.det(xs[0])]]),
        "trace": lambda: np.array([[np.trace(xs[0])]]),
        "norm": lambda: np.array([[np.sqrt(np.sum(xs[0] ** 2))]]),
        "sum": lambda: np.array([[np.sum(xs[0])]]),
        "softmax": lambda: _softmax(xs[0]),
        "logsumexp": lambda: np.array([[np.max(xs[0]) + np.log(np.sum(np.exp(xs[0] - np.max(xs[0]))))]]),
        "diagm": lambda: np.diag(xs[0][:, 0]),
        "diagv": lambda: np.diag(xs[0])[:, None],
    }
    return table[op]()


def _int(size: sp.Expr, values: Mapping[str, np.ndarray]) -> int:
    """A size at the sampled sizes (stored in ``values`` under the size's name)."""
    if size.is_Integer:
        return int(size)
    return int(values[f"#{size}"][0, 0])


def sample(
    shapes: Mapping[str, tuple[sp.Expr, sp.Expr]], rng: np.random.Generator, attempt: int
) -> tuple[Values, dict[str, int]]:
    """Random sizes in 2..5 and random entries; later attempts shift square matrices by
    :math:`nI` (a positive determinant) and then make every entry positive (for ``log``, ``sqrt``)."""
    sizes: dict[str, int] = {}
    for shape in shapes.values():
        for s in shape:
            if not s.is_Integer:
                sizes.setdefault(str(s), int(rng.integers(2, 6)))
    values: Values = {f"#{k}": np.array([[v]]) for k, v in sizes.items()}
    for name, (r, c) in shapes.items():
        rows, cols = _int(r, values), _int(c, values)
        v = rng.normal(size=(rows, cols))
        if attempt >= 2:
            v = np.abs(v) + 0.1
        if attempt >= 1 and rows == cols and rows > 1:
            v = v + rows * np.eye(rows)
        values[name] = v
    return values, sizes


def finite_differences(
    f: Node, grad: Node, wrt: str, shapes: Mapping[str, tuple[sp.Expr, sp.Expr]], seed: int
) -> CrossCheckResult:
    """Central differences of ``f`` in every entry of ``wrt`` against ``grad`` (denominator layout),
    at :data:`TRIALS` random draws of sizes and entries."""
    rng = np.random.default_rng(seed)
    worst, tolerance, checked, where = 0.0, RTOL, 0, []
    for _ in range(TRIALS):
        point = _finite_point(f, shapes, rng)
        if point is None:
            continue
        values, sizes = point
        with np.errstate(all="ignore"):
            fd = _central(f, values, wrt)
            got = evaluate(grad, values) * np.ones_like(fd)
        scale = max(1.0, float(np.max(np.abs(fd))), abs(float(evaluate(f, values)[0, 0])))
        error = float(np.max(np.abs(got - fd))) / scale if np.all(np.isfinite(got)) else float("inf")
        worst = max(worst, error)
        checked += 1
        where.append(",".join(f"{k}={v}" for k, v in sorted(sizes.items())) or "fixed sizes")
    ok = checked > 0 and worst <= tolerance
    detail = f"sizes {'; '.join(where)}" if checked else "no sample point where the expression is finite"
    return CrossCheckResult(
        "finite differences", "central differences at random sizes", worst, tolerance, checked, ok, detail
    )


def _finite_point(
    f: Node, shapes: Mapping[str, tuple[sp.Expr, sp.Expr]], rng: np.random.Generator
) -> tuple[Values, dict[str, int]] | None:
    """A draw where the expression is a finite real number (three attempts, see :func:`sample`)."""
    for attempt in range(3):
        values, sizes = sample(shapes, rng, attempt)
        with np.errstate(all="ignore"):
            try:
                value = evaluate(f, values)
            except np.linalg.LinAlgError:
                continue
        if np.all(np.isfinite(value)):
            return values, sizes
    return None


def _central(f: Node, values: Values, wrt: str) -> np.ndarray:
    x = values[wrt]
    out = np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        h = 1e-6 * max(1.0, abs(float(x[idx])))
        up, down = x.copy(), x.copy()
        up[idx] += h
        down[idx] -= h
        fu = evaluate(f, {**values, wrt: up})[0, 0]
        fd = evaluate(f, {**values, wrt: down})[0, 0]
        out[idx] = (fu - fd) / (2 * h)
    return out
