r"""Unrolled first-order linear recurrences.

Optimisers are built from one recurrence, $x_t = a\,x_{t-1} + b_t$ with $x_0$ given: momentum
($a = \beta$, $b_t = g_t$), Adam's moments ($a = \beta_1$, $b_t = (1 - \beta_1) g_t$), EMA targets,
DDPM's running products in log form. Its solution is

.. math:: x_t = a^t x_0 + \sum_{k=1}^{t} a^{t-k} b_k .

:func:`unrolled` builds that sum; :mod:`derive.core.recipes` proves a candidate closed form by
induction on :math:`t` (``induction_statements``, ``prove_by_induction``).
"""

from __future__ import annotations

from collections.abc import Callable

import sympy as sp

Drive = Callable[[sp.Expr], sp.Expr]


def unrolled(a: sp.Expr, b: Drive, t: sp.Expr, k: sp.Symbol, x0: sp.Expr = sp.S.Zero) -> sp.Expr:
    r"""$a^t x_0 + \sum_{k=1}^{t} a^{t-k} b_k$, the solution of $x_t = a x_{t-1} + b_t$."""
    return a**t * x0 + sp.Sum(a ** (t - k) * b(k), (k, 1, t))
