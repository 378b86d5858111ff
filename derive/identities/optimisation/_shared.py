r"""Symbols and helpers shared by several pages of the optimisation chapter.

The optimisers (momentum, Adam, AdamW) share the step $t$, the gradient stream $g$, the learning
rate $\eta$, Adam's $\epsilon$ and the numpy loop of an exponential moving average; the schedules
share the floor and peak rates $\eta_{\min}$, $\eta_{\max}$, the SGDR reference and the numpy
helpers that measure a schedule's area and its jumps.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import sympy as sp
from sympy import IndexedBase

from derive.authoring import Ref, integer, interval, nonnegative, positive, real

# -- symbols of the optimisers ---------------------------------------------------------------------
STEPS = integer(1, 12)
GRAD = real(-5, 5)
LR = positive(1)
EPS = positive(1)
k = sp.Symbol("k", integer=True)
t = STEPS.symbol("t")
g = IndexedBase("g", real=True)
eta = LR.symbol("eta")
eps = EPS.symbol("epsilon")


def ema_loop(grads: np.ndarray, a: float, scale: float) -> np.ndarray:
    """x_t = a x_{t-1} + scale * g_t from x_0 = 0, run as an optimiser runs it (all t)."""
    x = np.zeros(grads.shape[1:])
    out = []
    for gt in grads:
        x = a * x + scale * gt
        out.append(x)
    return np.array(out)


# -- symbols of the schedules ----------------------------------------------------------------------
ETA_MIN = nonnegative(1)
eta_min = ETA_MIN.symbol("eta_min")
ETA_MAX = interval(eta_min, eta_min + 10, open_lo=True)
eta_max = ETA_MAX.symbol("eta_max")
LOSHCHILOV = Ref.cite("loshchilov2017sgdr", where="Eq. (5)")


def integral(f: np.ndarray, grid: np.ndarray) -> float:
    return float(np.trapezoid(f, grid))


def jump(schedule: Callable[[np.ndarray], np.ndarray], at: float, eps: float, scale: float) -> float:
    """|schedule(at - eps) - schedule(at + eps)| / scale: the jump of a numpy schedule across a join."""
    return abs(float(schedule(np.array(at - eps)) - schedule(np.array(at + eps)))) / scale
