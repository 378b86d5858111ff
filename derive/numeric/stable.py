r"""Numerically stable softmax and log-sum-exp, and a guard against silent overflow.

A naive :math:`e^{z_i}/\sum_k e^{z_k}` overflows as soon as a logit exceeds about 709 (float64),
and products such as :math:`e^{z_i}e^{z_j}` already at 355: the result is ``inf``/``nan``, which
a careless comparison may ignore. The stable forms shift by :math:`m = \max_k z_k` first
(see ``log-sum-exp``: :math:`\operatorname{LSE}(z) = m + \log\sum_k e^{z_k - m}`), so every
exponent is :math:`\le 0`.

- :func:`softmax`, :func:`log_softmax`, :func:`logsumexp`: along the last axis, shifted by the max;
- :func:`softmax_naive`: the unshifted formula, kept to show where it breaks;
- :func:`nonfinite`: how many entries of some arrays are ``inf``/``nan`` (a check reports them
  instead of letting them pass).
"""

from __future__ import annotations

import numpy as np


def logsumexp(z: np.ndarray) -> np.ndarray:
    r""":math:`\log\sum_k e^{z_k}` along the last axis, computed as :math:`m + \log\sum_k e^{z_k - m}`."""
    z = np.asarray(z, dtype=float)
    m = np.max(z, axis=-1, keepdims=True)
    return (m + np.log(np.sum(np.exp(z - m), axis=-1, keepdims=True)))[..., 0]


def log_softmax(z: np.ndarray) -> np.ndarray:
    r""":math:`\log \operatorname{softmax}(z)_i = z_i - \operatorname{LSE}(z)` (no ``log`` of an underflowed ratio)."""
    z = np.asarray(z, dtype=float)
    return z - logsumexp(z)[..., None]


def softmax(z: np.ndarray) -> np.ndarray:
    r""":math:`e^{z_i - m}/\sum_k e^{z_k - m}` with :math:`m = \max_k z_k` (every exponent :math:`\le 0`)."""
    z = np.asarray(z, dtype=float)
    e = np.exp(z - np.max(z, axis=-1, keepdims=True))
    return e / np.sum(e, axis=-1, keepdims=True)


def softmax_naive(z: np.ndarray) -> np.ndarray:
    r"""The textbook :math:`e^{z_i}/\sum_k e^{z_k}`: overflows (``nan``) once a logit exceeds ~709."""
    z = np.asarray(z, dtype=float)
    with np.errstate(all="ignore"):
        e = np.exp(z)
        return e / np.sum(e, axis=-1, keepdims=True)


def nonfinite(*arrays: np.ndarray) -> int:
    """Number of ``inf``/``nan`` entries in ``arrays`` (0 when everything is finite)."""
    return int(sum(np.size(a) - np.count_nonzero(np.isfinite(a)) for a in arrays))
