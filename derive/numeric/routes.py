"""The numeric methods behind :mod:`derive.numeric.independent`: explicit summation over concrete
ranges, quadrature (tanh-sinh at high precision; vectorised cubature for a smooth multiple integral
over a box, nested QUADPACK for another) with the points where an integrand has a kink, the integral
that defines an expectation, and small matrix helpers.
Each either returns a value it can vouch for or raises ``ValueError`` saying why it cannot."""

from __future__ import annotations

import functools
import itertools
import warnings
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import mpmath
import numpy as np
import sympy as sp
from sympy.stats import Expectation
from sympy.stats.rv import RandomSymbol, random_symbols

from .precise import Env

#: each route by name, as a statement check names the method it took
ROUTES: Mapping[str, str] = {
    "Derivative": "Derivative: mpmath.diff (finite differences at raised precision)",
    "Integral": "Integral: mpmath.quad",
    "Nested": "multiple Integral: scipy.integrate.quad (QUADPACK) nested, double precision",
    "Cubature": "multiple Integral: scipy.integrate.cubature (Gauss-Kronrod, vectorised), double precision",
    "Sum": "Sum: explicit summation",
    "Product": "Product: explicit product",
    "Series": "Sum: mpmath.nsum",
    "Subs": "Subs: point substituted",
    "Limit": "Limit: evaluation approaching the point (distances 1e-10, 1e-20, 1e-40)",
    "Matrix": "matrix functions: mpmath.matrices",
    "expm": "matrix exponential: mpmath.expm",
    "noncommutative": "non-commutative symbols as seeded random 3x3 matrices",
    "Expectation": "Expectation: quadrature against the densities",
    "Hermite": "Expectation: Gauss-Hermite quadrature (normal variables)",
    "definition": "definition evaluated at its arguments",
    "Phi": "Phi: mpmath.ncdf",
    "phi": "phi: mpmath.npdf",
}

#: explicit summation stops beyond this many terms
MAX_TERMS = 10_000


def explicit_sum(
    limits: tuple[tuple[sp.Basic, sp.Basic, sp.Basic], ...],
    env: Env,
    term: Callable[[Env], Any],
    bound: Callable[[sp.Basic, Env], Any],
) -> list[Any]:
    """The terms of a (multiple) sum over concrete ranges, innermost limit first as SymPy lists
    them: ``term`` at every assignment of the indices, bounds evaluated by ``bound`` in the outer
    indices' environment. An empty range gives no terms (the usual, not Karr's, convention)."""
    budget = [MAX_TERMS]

    def assignments(k: int, at: Env) -> Iterator[Env]:
        if k < 0:
            yield at
            return
        var, lo, hi = limits[k]
        a, b = integer(bound(lo, at)), integer(bound(hi, at))
        budget[0] -= max(b - a + 1, 0)
        if budget[0] < 0:
            raise ValueError("a sum with too many terms")
        for v in range(a, b + 1):
            yield from assignments(k - 1, at.child(var, mpmath.mpf(v)))

    return [term(at) for at in assignments(len(limits) - 1, env)]


def integer(v: Any) -> int:
    """``v`` (a bound or an index) as an ``int``; raises unless within 10^(-dps/2) of one."""
    if isinstance(v, int):
        return v
    if isinstance(v, mpmath.mpf) and v == (n := int(v)):  # the usual case: an index set exactly
        return n
    n = int(mpmath.nint(mpmath.re(v)))
    if abs(v - n) > mpmath.mpf(10) ** (-mpmath.mp.dps // 2):
        raise ValueError("a non-integer bound or index")
    return n


def as_matrix(v: Any, size: int) -> Any:
    return v if isinstance(v, mpmath.matrix) or not size else v * mpmath.eye(size)


def matrix_exp(e: sp.Basic) -> bool:
    return isinstance(e, sp.exp) and isinstance(e.args[0], sp.MatrixBase | sp.MatrixExpr)


def expectation_integral(e: Expectation) -> sp.Integral:
    """The integral that defines ``E[g(X_1, ..., X_k)]`` for independent continuous random
    variables on intervals: ``g(u) \\prod_i f_i(u_i)`` over the supports, ``u_i`` fresh dummies."""
    if len(e.args) != 1:
        raise ValueError("a conditional expectation")
    body = e.args[0]
    rvs = sorted(random_symbols(body), key=str)
    dummies = [sp.Dummy(str(x), real=True) for x in rvs]
    weight = sp.S.One
    limits = []
    for x, u in zip(rvs, dummies, strict=True):
        dist = getattr(x.pspace, "distribution", None)
        support = getattr(dist, "set", None)
        if dist is None or not isinstance(support, sp.Interval) or not isinstance(x, RandomSymbol):
            raise ValueError(f"no density on an interval for {x}")
        weight *= dist.pdf(u)
        limits.append((u, support.inf, support.sup))
    return sp.Integral(body.xreplace(dict(zip(rvs, dummies, strict=True))) * weight, *limits)


#: digits below a working precision of 30 or more at which tanh-sinh integrates: 20 digits at 30
#: still leave 10 beyond the statement checks' 1e-10 tolerance, in 60% of the time (one level of
#: nodes less); an integral's accuracy is fixed by its error estimate, so a check never refines it
QUAD_MARGIN = 10


def quad_mp(f: Callable[[Any], Any], cuts: list[Any]) -> Any:
    """Tanh-sinh quadrature over the pieces between ``cuts``, at :data:`QUAD_MARGIN` digits below a
    working precision of 30 or more (at the working precision below that: a derivative of an
    integral already lowers it to balance its step)."""
    dps = mpmath.mp.dps
    inner = dps - QUAD_MARGIN if dps >= 30 else dps
    with mpmath.workdps(inner):
        out, err = mpmath.quad(f, cuts, error=True)
    if err > mpmath.mpf(10) ** (-(inner // 2)) * (1 + abs(out)):
        raise ValueError(f"the quadrature did not converge (error estimate {mpmath.nstr(err, 3)})")
    return out


def quad_floats(f: Callable[[Any], Any], cuts: list[Any]) -> Any:
    """QUADPACK (``scipy.integrate.quad``) in double precision over the pieces between ``cuts``;
    a large error estimate is a failure (its warnings are judged by that estimate)."""
    from scipy import integrate  # here: SciPy costs 0.4 s to import, and most proofs never use it

    total, error = 0.0, 0.0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", integrate.IntegrationWarning)
        for a, b in itertools.pairwise(float(c) for c in cuts):
            v, err = integrate.quad(lambda t: float(f(t)), a, b, epsabs=1e-14, epsrel=1e-11, limit=200)
            total, error = total + v, error + err
    return _vouched(total, error, "quadrature")


def _vouched(total: float, error: float, method: str) -> Any:
    """A double-precision integral whose error estimate is within 1e-10 of its size (plus 1e-10): the
    accuracy the statement checks rely on; a larger (or NaN) estimate is a failure."""
    if not error <= 1e-10 * (1 + abs(total)):
        raise ValueError(f"the {method} did not converge (error estimate {error:.1e})")
    return mpmath.mpf(total)


@functools.lru_cache(maxsize=1024)
def flattened(e: sp.Integral) -> tuple[sp.Expr, tuple[sp.Tuple, ...]] | None:
    r"""A nested integral as one integral over a box: :math:`\int g(v)\int f(u, v)\,du\,dv =
    \iint g(v) f(u, v)\,du\,dv`, innermost limit first; ``None`` unless every limit is definite and
    free of the integration variables, and no variable is bound twice or appears outside its integral.
    Cached for the process: a statement check asks at every point."""
    body, limits = e.function, list(e.limits)
    while True:
        inner = [a for a in sp.Mul.make_args(body) if isinstance(a, sp.Integral)]
        if len(inner) != 1:
            break
        rest = sp.Mul(*(a for a in sp.Mul.make_args(body) if a is not inner[0]))
        if rest.free_symbols & {lim[0] for lim in inner[0].limits}:
            return None
        limits, body = [*inner[0].limits, *limits], inner[0].function * rest
    variables = [lim[0] for lim in limits]
    if body.has(sp.Integral) or any(len(lim) != 3 for lim in limits) or len(set(variables)) < len(variables):
        return None
    if any((lim[1].free_symbols | lim[2].free_symbols) & set(variables) for lim in limits):
        return None
    return body, tuple(sp.Tuple(*lim) for lim in limits)


def cubature_floats(
    fn: Callable[..., Any], args: list[Any], slots: list[int], lows: list[float], highs: list[float]
) -> tuple[Any, float]:
    """Adaptive Gauss-Kronrod cubature (``scipy.integrate.cubature``, infinite limits mapped to finite
    ones) in double precision of ``fn(*args)`` with the integration variables at ``args[slots]`` (numpy
    arrays of points), to the tolerances of :func:`quad_floats`: the integral and the largest integrand
    value met. One that does not converge is a failure."""
    from scipy import integrate

    peak = [0.0]

    def f(x: Any) -> Any:
        for col, slot in enumerate(slots):
            args[slot] = x[:, col]
        v = np.broadcast_to(np.asarray(fn(*args), dtype=float), x.shape[:1])
        peak[0] = max(peak[0], float(np.max(np.abs(v), initial=0.0)))
        return v

    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)
        res = integrate.cubature(f, lows, highs, rtol=1e-11, atol=1e-14, max_subdivisions=2000)
    error = float(res.error) if res.status == "converged" else float("nan")
    return _vouched(float(res.estimate), error, "cubature"), peak[0]


def kink_arguments(body: sp.Basic) -> list[sp.Expr]:
    """The expressions whose sign changes make ``body`` non-smooth: the arguments of ``Abs``,
    ``sign``, ``Heaviside``, the differences of ``Max``/``Min`` arguments, the sides of
    ``Piecewise`` conditions."""
    out: list[sp.Expr] = []
    for node in sp.preorder_traversal(body):
        if isinstance(node, sp.Abs | sp.sign | sp.Heaviside):
            out.append(node.args[0])
        elif isinstance(node, sp.Max | sp.Min):
            out += [p - q for p, q in zip(node.args, node.args[1:], strict=False)]
        elif isinstance(node, sp.Piecewise):
            conditions = [c for _, c in node.args]
            out += [r.lhs - r.rhs for c in conditions for r in c.atoms(sp.Rel)]
    return out


def kron(a: Any, b: Any) -> Any:
    """The Kronecker product of two ``mpmath`` matrices."""
    out = mpmath.matrix(a.rows * b.rows, a.cols * b.cols)
    for i, j, k, m in itertools.product(range(a.rows), range(a.cols), range(b.rows), range(b.cols)):
        out[i * b.rows + k, j * b.cols + m] = a[i, j] * b[k, m]
    return out


def trace(m: Any) -> Any:
    return mpmath.fsum(m[i, i] for i in range(min(m.rows, m.cols)))
