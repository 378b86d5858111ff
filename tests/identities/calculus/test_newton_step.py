"""Targeted falsehoods for the Newton step (map 2.4): the wrong sign, a gradient step, one step that
lands on b instead of H^-1 b."""

from __future__ import annotations

from collections.abc import Callable

import sympy as sp
from sympy import Eq

from derive.identities.calculus import newton_step as ns


def _stationarity_at(d: sp.Expr) -> sp.Expr:
    """(g + H d)_i at d_l given by ``d`` (an expression in ``ns.l_``)."""
    return ns.gI[ns.i] + sp.Sum(ns.HI[ns.i, ns.l_] * d, (ns.l_, 1, ns.n))


def test_newton_wrong_sign(rejected: Callable[..., None]) -> None:
    plus = sp.Sum(ns.HinvI[ns.l_, ns.m] * ns.gI[ns.m], (ns.m, 1, ns.n))
    rejected(ns.NEWTON_STEP, "minimiser", Eq(_stationarity_at(plus), 0))


def test_newton_gradient_step_is_not_the_minimiser(rejected: Callable[..., None]) -> None:
    rejected(ns.NEWTON_STEP, "minimiser", Eq(_stationarity_at(-ns.gI[ns.l_]), 0))


def test_newton_one_step_does_not_land_on_b(rejected: Callable[..., None]) -> None:
    rejected(ns.NEWTON_STEP, "one step", Eq(ns.STEP_N, ns.bI[ns.j]))


def test_newton_one_step_is_not_the_transposed_inverse(rejected: Callable[..., None]) -> None:
    """H^-T b differs from H^-1 b for the non-symmetric H the statement allows."""
    rejected(ns.NEWTON_STEP, "one step", Eq(ns.STEP_N, sp.Sum(ns.HinvI[ns.i, ns.j] * ns.bI[ns.i], (ns.i, 1, ns.n))))


def test_newton_gradient_needs_the_symmetric_part(rejected: Callable[..., None]) -> None:
    """g + H d is the gradient only for a symmetric H; the statement, for any n x n H, says (H + H^T)/2."""
    wrong = ns.gI[ns.i] + sp.Sum(ns.HI[ns.i, ns.l_] * ns.dI[ns.l_], (ns.l_, 1, ns.n))
    rejected(ns.NEWTON_STEP, "gradient", Eq(ns.GRAD_M, wrong))


def test_newton_step_for_any_n_rests_on_the_inverse_fact() -> None:
    """Every statement general; the two naming H^-1 rest on the cited inverse and pass their numeric check
    with H^-1 set from H (drawn independently they would fail)."""
    import derive
    from derive.core.facts import INVERSE

    p = derive.prove("newton-step")
    assert p.ok and p.level == "general", {o.label: o.level for o in p.outcomes}
    for label in ("minimiser", "one step"):
        chain = next(c for c in p.chains if c.statement == label)
        assert chain.symbolic and [f.name for f in chain.assumes] == [INVERSE.name]
        check = next(c for c in p.numeric.statements if c.label == label)
        assert check.ok and check.samples >= 3 and "Sum: explicit summation" in check.method, check
