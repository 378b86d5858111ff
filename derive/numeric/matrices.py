r"""Finite-difference Jacobians and Hessians of numpy functions, for matrix cross-checks.

Both use central differences of the *definition* (a function of a flat parameter vector), never a
derived formula, with the step balanced against rounding (cube root of machine epsilon for first
derivatives, fourth root for second derivatives).

- :func:`jacobian_fd`: :math:`J_{ij} \approx (f_i(x + h e_j) - f_i(x - h e_j)) / 2h`;
- :func:`hessian_fd`: the four-point formula for :math:`\partial^2 f / \partial x_i \partial x_j`;
- :func:`gradient_fd`: the gradient of a scalar function of a matrix, shaped like the matrix;
- :func:`spectral_radius`, :func:`with_spectral_radius`: :math:`\rho(W) = \max_i |\lambda_i|`, and a rescaling to it.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np


def jacobian_fd(f: Callable[[np.ndarray], np.ndarray], x: np.ndarray, *, h: float | None = None) -> np.ndarray:
    """Central-difference Jacobian of ``f: R^n -> R^m`` at ``x`` (shape ``(m, n)``)."""
    x = np.asarray(x, dtype=float)
    step = np.cbrt(np.finfo(float).eps) * np.maximum(1.0, np.abs(x)) if h is None else np.full(x.shape, h)
    cols = []
    for j in range(x.size):
        e = np.zeros_like(x)
        e[j] = step[j]
        cols.append((np.atleast_1d(f(x + e)) - np.atleast_1d(f(x - e))) / (2 * step[j]))
    return np.stack(cols, axis=-1)


def hessian_fd(f: Callable[[np.ndarray], float], x: np.ndarray, *, h: float | None = None) -> np.ndarray:
    """Central-difference Hessian of a scalar ``f`` at ``x`` (symmetric by construction)."""
    x = np.asarray(x, dtype=float)
    n = x.size
    step = np.finfo(float).eps ** 0.25 * np.maximum(1.0, np.abs(x)) if h is None else np.full(x.shape, h)
    out = np.empty((n, n))
    for i in range(n):
        for j in range(i, n):
            ei = np.zeros(n)
            ej = np.zeros(n)
            ei[i], ej[j] = step[i], step[j]
            v = (f(x + ei + ej) - f(x + ei - ej) - f(x - ei + ej) + f(x - ei - ej)) / (4 * step[i] * step[j])
            out[i, j] = out[j, i] = v
    return out


def gradient_fd(f: Callable[[np.ndarray], float], x: np.ndarray) -> np.ndarray:
    """Central-difference gradient of a scalar ``f`` of an array ``x``, shaped like ``x``."""
    x = np.asarray(x, dtype=float)
    flat = jacobian_fd(lambda v: np.asarray(f(v.reshape(x.shape)), dtype=float), x.ravel())
    return flat.reshape(x.shape)


def spectral_radius(w: np.ndarray) -> float:
    """The largest eigenvalue modulus of a square matrix."""
    return float(np.max(np.abs(np.linalg.eigvals(w))))


def with_spectral_radius(w: np.ndarray, rho: float) -> np.ndarray:
    """``w`` rescaled so that its spectral radius is ``rho``."""
    return w * (rho / spectral_radius(w))
