"""Targeted falsehoods for the Fisher information (map 2.4): the outer product pp^T dropped, the
expected Hessian with the wrong sign."""

from __future__ import annotations

from collections.abc import Callable

from sympy import Eq, KroneckerDelta

from derive.identities.calculus import fisher_hessian as fh


def test_fisher_without_outer_product(rejected: Callable[..., None]) -> None:
    diag_only = fh.PROB(fh.i) * KroneckerDelta(fh.i, fh.j)
    rejected(fh.FISHER_HESSIAN, "Fisher", Eq(fh.FISHER_SUM, diag_only, evaluate=False))


def test_expected_hessian_sign(rejected: Callable[..., None]) -> None:
    rejected(fh.FISHER_HESSIAN, "expected Hessian", Eq(fh.NEG_HESS_SUM, -fh.FISHER, evaluate=False))


def test_general_family_without_the_normalisation_is_false(rejected: Callable[..., None]) -> None:
    """Without the constraint the identity leaves sum_y d2 p_y: claiming it for all K outcomes free is false."""
    free = fh.FISHER_G.args[1].subs(fh.P_LAST, fh.PG(fh.K, fh.theta))
    hess = fh.E_HESS_G.args[1].subs(fh.P_LAST, fh.PG(fh.K, fh.theta))
    rejected(fh.FISHER_HESSIAN, "general model", Eq(free + hess, 0))


def test_normalisation_twice_sign(rejected: Callable[..., None]) -> None:
    rejected(fh.FISHER_HESSIAN, "normalisation, twice", Eq(fh.D2_SUM, 1))


def test_fisher_levels_are_general() -> None:
    import derive

    p = derive.prove("fisher-hessian")
    levels = {o.label: o.level for o in p.outcomes}
    assert p.ok and p.level == "general"
    assert levels["general model"] == levels["normalisation, twice"] == "general"
