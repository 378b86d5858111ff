"""Targeted falsehoods for the Newton step (map 2.4): the wrong sign, a gradient step, one step that
lands on b instead of H^-1 b."""

from __future__ import annotations

from collections.abc import Callable

from sympy import Eq

from derive.identities.calculus import newton_step as ns


def test_newton_wrong_sign(rejected: Callable[..., None]) -> None:
    rejected(ns.NEWTON_STEP, "minimiser", Eq(ns.DV, -ns.NEWTON_DIRECTION))


def test_newton_gradient_step_is_not_the_minimiser(rejected: Callable[..., None]) -> None:
    rejected(ns.NEWTON_STEP, "minimiser", Eq(ns.DV, -ns.GV))


def test_newton_one_step_does_not_land_on_b(rejected: Callable[..., None]) -> None:
    rejected(ns.NEWTON_STEP, "one step", Eq(ns.STEP_FORM, ns.BV, evaluate=False))


def test_newton_gradient_needs_the_symmetric_part(rejected: Callable[..., None]) -> None:
    """g + H d is the gradient only for a symmetric H; the statement, for any n x n H, says (H + H^T)/2."""
    import sympy as sp

    wrong = ns.gI[ns.i] + sp.Sum(ns.HI[ns.i, ns.l_] * ns.dI[ns.l_], (ns.l_, 1, ns.n))
    rejected(ns.NEWTON_STEP, "gradient", Eq(ns.GRAD_M, wrong))


def test_newton_step_for_any_n_rests_on_the_inverse_fact() -> None:
    import derive
    from derive.core.facts import INVERSE

    p = derive.prove("newton-step")
    assert p.ok and {o.label: o.level for o in p.outcomes}["gradient"] == "general"
    lemma = next(c for c in p.chains if c.title.startswith("The step for any n"))
    assert lemma.symbolic and [f.name for f in lemma.assumes] == [INVERSE.name]
