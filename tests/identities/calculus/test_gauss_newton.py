"""Targeted falsehoods for Gauss-Newton (map 2.4): J^T J called the Hessian (refuted with a
counterexample for nonlinear residuals), factors of two in the linear case and the gradient.

The page is proved once (the ``page_proof`` fixture, for ``PAGE``); each falsehood is checked
on the page's own chains (the ``refused`` fixture of tests/identities/conftest.py)."""

from __future__ import annotations

from collections.abc import Callable

import sympy as sp
from sympy import Eq, Rational

from derive.core.proof import Proof
from derive.identities.calculus import gauss_newton as gn
from derive.maths.matrices import hessian_form
from derive.verify.ladder import Ladder

PAGE = "gauss-newton"
Refused = Callable[[Proof, str, Eq], None]


def test_gauss_newton_matrix_is_not_the_hessian(page_proof: Proof, refused: Refused) -> None:
    refused(page_proof, "Hessian", Eq(gn.HESS_AB, gn.GN_AB))


def test_gauss_newton_hessian_with_the_residual_hessian_transposed_wrongly(page_proof: Proof, refused: Refused) -> None:
    """H_iab against H_aib: the residual index in the wrong place (refuted numerically, H drawn symmetric in a, b)."""
    wrong = gn.GN_AB + sp.Sum(gn.rI[gn.i] * gn.HI[gn.a_, gn.i, gn.b_], (gn.i, 1, gn.m_res))
    refused(page_proof, "Hessian", Eq(gn.HESS_AB, wrong))


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


def test_gauss_newton_linear_case_factor_two(page_proof: Proof, refused: Refused) -> None:
    wrong = 2 * sp.Sum(gn.AI[gn.i, gn.a_] * gn.AI[gn.i, gn.b_], (gn.i, 1, gn.m_res))
    refused(page_proof, "linear", Eq(gn.HESS_LINEAR_N, wrong))


def test_gauss_newton_gradient_factor_two(page_proof: Proof, refused: Refused) -> None:
    refused(page_proof, "gradient", Eq(gn.GRAD_A, 2 * gn.JTR_A))


def test_gauss_newton_any_size_is_general(page_proof: Proof) -> None:
    assert page_proof.ok and page_proof.level == "general", page_proof
    assert {"second-order Taylor expansion", "symmetry of second derivatives"} <= {f.name for f in page_proof.assumes}
