r"""Monte Carlo and Gaussian quadrature for cross-checks of expectations.

Monte Carlo is an *independent* check of a closed-form expectation: it only samples the random
variables (with ``ctx.rng``, so it is reproducible) and averages. Its tolerance is not a guess: an
estimate from :math:`N` draws has standard error :math:`\hat s/\sqrt N`, and the check passes when
every estimate lies within ``sigmas`` standard errors of the closed form (5 by default: a false
alarm about once in :math:`10^6` comparisons, while a wrong formula is off by many standard errors).

- :func:`estimate` -- mean and standard error of draws along an axis;
- :func:`agrees` -- the cross-check result "estimate within ``sigmas`` standard errors";
- :func:`normal_expectation` -- :math:`\mathbb E[f(\mu + s\varepsilon)]` by Gauss--Hermite quadrature
  (smooth ``f``; deterministic, about 15 digits);
- :func:`normal_quad` -- the same by adaptive QUADPACK integration (any integrable ``f``, also
  non-smooth ones such as ReLU).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

import numpy as np

from .crosscheck import CrossCheckResult

if TYPE_CHECKING:
    from .crosscheck import CheckContext


@dataclass(frozen=True)
class Estimate:
    """A Monte Carlo mean with its standard error (arrays of the same shape) and the draw count."""

    mean: np.ndarray
    stderr: np.ndarray
    draws: int


def estimate(draws: np.ndarray, axis: int = 0) -> Estimate:
    """Mean and standard error :math:`\\hat s/\\sqrt N` of ``draws`` along ``axis``."""
    a = np.asarray(draws, dtype=float)
    n = a.shape[axis]
    return Estimate(a.mean(axis=axis), a.std(axis=axis, ddof=1) / np.sqrt(n), n)


def agrees(
    ctx: CheckContext,
    name: str,
    est: Estimate,
    expected: np.ndarray | float,
    *,
    sigmas: float = 5.0,
    method: str = "Monte Carlo",
) -> CrossCheckResult:
    """Pass if every component of ``est`` is within ``sigmas`` standard errors of ``expected``.

    The reported error is the largest z-score :math:`|\\bar x - x^*|/\\mathrm{se}`; a non-finite
    estimate or closed form fails. A zero standard error (a constant integrand) is replaced by a
    floor of :math:`10^{-12}` of the magnitude, so an exact estimate still has to match.
    """
    expected = np.broadcast_to(np.asarray(expected, dtype=float), np.shape(est.mean))
    with np.errstate(all="ignore"):
        scale = np.maximum(np.abs(expected), np.abs(est.mean))
        se = np.maximum(est.stderr, 1e-12 * scale + 1e-300)
        z = np.abs(est.mean - expected) / se
    finite = bool(np.all(np.isfinite(z)) and np.all(np.isfinite(est.mean)) and np.all(np.isfinite(expected)))
    worst = float(np.max(z)) if finite and z.size else float("inf")
    return ctx.bound(
        name,
        f"{method} ({est.draws} draws, tolerance {sigmas:g} standard errors)",
        worst,
        sigmas,
        samples=est.draws * max(1, int(np.size(z))),
        detail="" if finite else "non-finite estimate or closed form",
    )


@cache
def _hermite_nodes(order: int) -> tuple[np.ndarray, np.ndarray]:
    """Probabilists' Gauss--Hermite nodes and weights (read-only arrays, computed once per order)."""
    nodes, weights = np.polynomial.hermite_e.hermegauss(order)
    nodes.setflags(write=False)
    weights.setflags(write=False)
    return nodes, weights


def normal_expectation(
    f: Callable[[np.ndarray], np.ndarray], mu: float | np.ndarray, s: float | np.ndarray, *, order: int = 80
) -> np.ndarray:
    r""":math:`\mathbb E[f(\mu + s\varepsilon)]`, :math:`\varepsilon \sim \mathcal N(0,1)`, by probabilists'
    Gauss--Hermite quadrature of ``order`` nodes (exact for polynomials of degree < 2 ``order``).

    ``mu`` and ``s`` may be arrays (one expectation per entry)."""
    nodes, weights = _hermite_nodes(order)  # cached: computing them is an eigenproblem (~30 ms for 80 nodes)
    weights = weights / np.sqrt(2 * np.pi)
    mu_a, s_a = np.broadcast_arrays(np.asarray(mu, dtype=float), np.asarray(s, dtype=float))
    z = mu_a[..., None] + s_a[..., None] * nodes
    return np.sum(weights * f(z), axis=-1)


def normal_quad(f: Callable[[float], float], mu: float, s: float, *, lo: float = -np.inf, hi: float = np.inf) -> float:
    r""":math:`\int_{lo}^{hi} f(x)\,\mathcal N(x; \mu, s^2)\,dx` by ``scipy.integrate.quad`` (tight tolerances)."""
    from scipy.integrate import quad

    def integrand(x: float) -> float:
        return f(x) * np.exp(-((x - mu) ** 2) / (2 * s**2)) / (np.sqrt(2 * np.pi) * s)

    return float(quad(integrand, lo, hi, epsabs=1e-13, epsrel=1e-11, limit=200)[0])
