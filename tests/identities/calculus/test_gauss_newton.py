"""Targeted falsehoods for Gauss-Newton (map 2.4): J^T J called the Hessian (refuted with a
counterexample for nonlinear residuals), factors of two in the linear case and the gradient."""

from __future__ import annotations

from collections.abc import Callable

import sympy as sp
from sympy import Eq, Rational

from derive.identities.calculus import gauss_newton as gn
from derive.maths.matrices import hessian_form
from derive.maths.notation import notation
from derive.verify.ladder import Ladder


def test_gauss_newton_matrix_is_not_the_hessian(rejected: Callable[..., None]) -> None:
    jtj = notation(r"J^\top J", gn.GN, "J^T J")
    rejected(gn.GAUSS_NEWTON, "Hessian", Eq(gn.HESS_L, jtj, evaluate=False))


def test_gauss_newton_not_exact_for_nonlinear_residuals() -> None:
    # r_i = (A theta - y)_i^2 is nonlinear: the ladder must refute "Hessian = J^T J" with a counterexample
    theta = sp.Matrix(gn.THETA)
    residual = (gn.AM * theta - gn.BR).applyfunc(lambda e: e**2)
    jac = residual.jacobian(theta)
    loss = Rational(1, 2) * sum(r**2 for r in residual)
    ident = gn.GAUSS_NEWTON
    ladder = Ladder(domains=ident.domains, unfold=ident.unfold, seed=1, salt="gn")
    v = ladder.equal(hessian_form(loss, gn.THETA).doit(), jac.T * jac)
    assert v.ok is False and v.counterexample, v
    # ... while the full Hessian J^T J + sum_i r_i hess r_i is proved
    second = sum((r * sp.hessian(r, gn.THETA) for r in residual), sp.zeros(2, 2))
    assert ladder.equal(hessian_form(loss, gn.THETA).doit(), jac.T * jac + second).ok is True


def test_gauss_newton_linear_case_factor_two(rejected: Callable[..., None]) -> None:
    rejected(gn.GAUSS_NEWTON, "linear", Eq(gn.HESS_LINEAR, 2 * gn.AM.T * gn.AM, evaluate=False))


def test_gauss_newton_gradient_factor_two(rejected: Callable[..., None]) -> None:
    rejected(gn.GAUSS_NEWTON, "gradient", Eq(gn.GRAD_L, 2 * gn.JAC.T * gn.RES, evaluate=False))
