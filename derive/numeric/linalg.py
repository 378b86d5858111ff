r"""Finite-difference Jacobians and Hessians of numpy functions, for matrix cross-checks.

Both use central differences of the *definition* (a function of a flat parameter vector), never a
derived formula, with the step balanced against rounding (cube root of machine epsilon for first
derivatives, fourth root for second derivatives).

- :func:`jacobian_fd`: :math:`J_{ij} \approx (f_i(x + h e_j) - f_i(x - h e_j)) / 2h`;
- :func:`hessian_fd`: the four-point formula for :math:`\partial^2 f / \partial x_i \partial x_j`;
- :func:`gradient_fd`: the gradient of a scalar function of a matrix, shaped like the matrix;
- :func:`spectral_radius`, :func:`with_spectral_radius`: :math:`\rho(W) = \max_i |\lambda_i|`, and a rescaling to it.
- :func:`truncated_svd`, :func:`low_rank`, :func:`with_spectrum`: the best rank-k approximation, random
  low-rank matrices and matrices with a prescribed spectrum;
- :func:`power_iteration`: the power-iteration estimate of :math:`\sigma_{\max}(W)`.
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


def truncated_svd(a: np.ndarray, k: int) -> np.ndarray:
    r"""The rank-``k`` truncation :math:`\sum_{i \le k} \sigma_i u_i v_i^\top` of ``a`` (numpy's SVD)."""
    u, s, vt = np.linalg.svd(a, full_matrices=False)
    return (u[:, :k] * s[:k]) @ vt[:k]


def low_rank(rng: np.random.Generator, m: int, n: int, r: int) -> np.ndarray:
    """A random ``m x n`` matrix of rank ``r`` (product of Gaussian factors)."""
    return rng.normal(size=(m, r)) @ rng.normal(size=(r, n))


def with_spectrum(rng: np.random.Generator, m: int, n: int, sigmas: np.ndarray) -> np.ndarray:
    r"""A random ``m x n`` matrix :math:`U \operatorname{diag}(\sigma) V^\top` with the given singular values
    (Haar-like orthogonal factors from QR of Gaussian matrices)."""
    k = len(sigmas)
    u, _ = np.linalg.qr(rng.normal(size=(m, k)))
    v, _ = np.linalg.qr(rng.normal(size=(n, k)))
    return (u * np.asarray(sigmas)) @ v.T


def power_iteration(w: np.ndarray, rng: np.random.Generator, iters: int = 500) -> float:
    r""":math:`\lVert W x_t \rVert` for :math:`x_{t+1} = W^\top W x_t / \lVert W^\top W x_t \rVert` from a random
    unit start: converges to :math:`\sigma_{\max}(W)` (the spectral normalisation estimate)."""
    x = np.asarray(rng.normal(size=w.shape[1]))
    x = x / np.linalg.norm(x)
    for _ in range(iters):
        y = w.T @ (w @ x)
        x = y / np.linalg.norm(y)
    return float(np.linalg.norm(w @ x))
