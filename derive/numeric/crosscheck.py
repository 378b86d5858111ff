"""Independent cross-checks: numbers computed *without* the derived formula.

A cross-check is a function ``(ctx: CheckContext) -> CrossCheckResult``. The helpers here build the
common ones; an identity with a bespoke check (a Monte Carlo estimate, a numpy.linalg routine, a
loop implementation) writes a small function and ends with :meth:`CheckContext.compare`.

- :func:`finite_difference`: central differences of the *definition* against the derivative;
- :func:`gradient`: the same for several variables;
- :func:`quadrature`: ``scipy.integrate.quad`` of an integrand against a closed form.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import sympy as sp
from numpy.typing import ArrayLike

from ..maths.domains import Domain
from .compare import compare as _compare
from .compare import evaluate, numpy_function
from .sampling import sample_scalars


@dataclass(frozen=True)
class CrossCheckResult:
    """Outcome of an independent numeric check."""

    name: str
    method: str
    error: float
    tolerance: float
    samples: int
    ok: bool
    detail: str = ""


def _unchanged(e: sp.Basic) -> sp.Basic:
    return e


@dataclass
class CheckContext:
    """What a cross-check may use: a seeded generator, the variables' domains, how to unfold
    defined functions, and the derived forms (``result``, and ``values`` kept by the derivation)."""

    domains: Mapping[sp.Basic, Domain]
    rng: np.random.Generator
    seed: int
    result: sp.Basic | None = None
    values: Mapping[str, sp.Basic] = field(default_factory=dict)
    unfold: Callable[[sp.Basic], sp.Basic] = _unchanged

    def sample(self, n: int) -> dict[sp.Symbol, np.ndarray]:
        """``n`` samples of every scalar variable from its domain."""
        return sample_scalars(self.domains, self.rng, n)

    def numpy(self, expr: sp.Basic, args: Sequence[sp.Basic] | None = None) -> Callable[..., np.ndarray]:
        """A numpy function of ``expr`` (arguments default to its sorted free symbols)."""
        e = self.unfold(expr)
        return numpy_function(e, args if args is not None else sorted(e.free_symbols, key=str))

    def evaluate(self, expr: sp.Basic, values: Mapping[sp.Symbol, np.ndarray], n: int) -> np.ndarray:
        """Vectorised values of ``expr`` (definitions unfolded) at ``n`` samples."""
        return evaluate(self.unfold(expr), values, n)

    def compare(
        self,
        name: str,
        method: str,
        got: ArrayLike,
        expected: ArrayLike,
        *,
        rtol: float = 1e-9,
        floor: float | None = None,
    ) -> CrossCheckResult:
        """Compare arrays (or numbers) with a tolerance relative to magnitude (see :func:`compare`);
        non-finite values fail."""
        c = _compare(np.asarray(got), np.asarray(expected), rtol=rtol, floor=floor)
        return CrossCheckResult(name, method, c.max_rel_error, rtol, c.samples, c.ok, c.detail)

    def bound(
        self, name: str, method: str, value: float, limit: float, *, samples: int = 1, detail: str = ""
    ) -> CrossCheckResult:
        """A check that ``value <= limit`` (a measured error under a stated bound)."""
        ok = bool(np.isfinite(value) and value <= limit)
        return CrossCheckResult(name, method, float(value), float(limit), samples, ok, detail)


def combine(*results: CrossCheckResult) -> CrossCheckResult:
    """Several cross-checks reported as one (the worst error, all must pass)."""
    worst = max(results, key=lambda r: (not r.ok, r.error / r.tolerance if r.tolerance else r.error))
    return CrossCheckResult(
        "; ".join(r.name for r in results),
        "; ".join(dict.fromkeys(r.method for r in results)),
        worst.error,
        worst.tolerance,
        sum(r.samples for r in results),
        all(r.ok for r in results),
        "; ".join(
            f"{r.name}: {r.error:.2e} (tol {r.tolerance:.0e})" + (f" [{r.detail}]" if r.detail else "") for r in results
        ),
    )


def _step(x: np.ndarray) -> np.ndarray:
    # cube root of machine epsilon balances truncation (h^2) against rounding (eps/h)
    return np.cbrt(np.finfo(float).eps) * np.maximum(1.0, np.abs(x))


def finite_difference(
    f: sp.Expr, wrt: sp.Symbol, *, derivative: sp.Expr | None = None, samples: int = 64, rtol: float = 1e-6
) -> Callable[[CheckContext], CrossCheckResult]:
    """Central differences of ``f`` (the definition) against ``derivative`` (default: the result)."""

    def check(ctx: CheckContext) -> CrossCheckResult:
        values = ctx.sample(samples)
        d = ctx.result if derivative is None else derivative
        if d is None:
            raise ValueError("finite_difference needs the derived result or an explicit derivative")
        args = sorted((f.free_symbols | d.free_symbols), key=str)
        F = ctx.numpy(f, args)
        x = values[wrt]
        h = _step(x)
        with np.errstate(all="ignore"):
            plus = F(*[values[a] + h if a == wrt else values[a] for a in args])
            minus = F(*[values[a] - h if a == wrt else values[a] for a in args])
            fd = (np.asarray(plus) - np.asarray(minus)) / (2 * h)
        exact = ctx.evaluate(d, values, samples)
        # rounding error of the quotient scales with |f|/h: values of f set the floor
        floor = float(np.median(np.abs(np.asarray(plus)) / np.maximum(1.0, np.abs(x))))
        return ctx.compare(
            f"central differences in {wrt}",
            "finite differences",
            fd,
            exact,
            rtol=rtol,
            floor=max(floor, float(np.median(np.abs(exact)))),
        )

    return check


def gradient(
    f: sp.Expr, wrt: Sequence[sp.Symbol], derivatives: Sequence[sp.Expr], *, samples: int = 64, rtol: float = 1e-6
) -> Callable[[CheckContext], CrossCheckResult]:
    """Central differences of ``f`` in each of ``wrt`` against the matching ``derivatives``."""
    checks = [
        finite_difference(f, w, derivative=d, samples=samples, rtol=rtol) for w, d in zip(wrt, derivatives, strict=True)
    ]

    def check(ctx: CheckContext) -> CrossCheckResult:
        return combine(*(c(ctx) for c in checks))

    return check


def quadrature(
    integrand: sp.Expr,
    var: sp.Symbol,
    lo: float,
    hi: float,
    closed_form: sp.Expr | None = None,
    *,
    samples: int = 12,
    rtol: float = 1e-7,
) -> Callable[[CheckContext], CrossCheckResult]:
    """``scipy.integrate.quad`` of ``integrand`` over ``[lo, hi]`` at sampled parameters, against
    ``closed_form`` (default: the derived result)."""

    def check(ctx: CheckContext) -> CrossCheckResult:
        from scipy.integrate import quad

        values = ctx.sample(samples)
        params = sorted((integrand.free_symbols - {var}), key=str)
        g = ctx.numpy(integrand, [var, *params])
        target = ctx.result if closed_form is None else closed_form
        exact = ctx.evaluate(target, values, samples)
        got = np.array(
            [
                quad(g, lo, hi, args=tuple(float(values[p][i]) for p in params), epsabs=1e-13, epsrel=1e-11, limit=200)[
                    0
                ]
                for i in range(samples)
            ]
        )
        return ctx.compare(f"quadrature over [{lo}, {hi}]", "numerical integration (QUADPACK)", got, exact, rtol=rtol)

    return check
