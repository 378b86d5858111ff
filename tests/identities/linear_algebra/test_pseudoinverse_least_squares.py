"""Least squares and the pseudoinverse (map 1.3) for any m x n matrix of any rank r: the page is general, and
targeted falsehoods of the general forms are refused (the pseudoinverse confused with the transpose, a singular
value not inverted, the projector as the identity off the range, (A^T A)^{-1} A^T without the square, a residual
that depends on the null-space shift, a shift that shortens the solution).

The page is proved once (the ``page_proof`` fixture, for ``PAGE``); each falsehood is checked on the page's own
chains (the ``refused`` fixture of tests/identities/conftest.py)."""

from __future__ import annotations

from collections.abc import Callable

import sympy as sp
from sympy import Eq

from derive.core.facts import ORTHOGONAL_INVARIANCE, SVD_ORTHONORMAL
from derive.core.proof import Proof
from derive.identities.linear_algebra import pseudoinverse_least_squares as pls

PAGE = "pseudoinverse-least-squares"
Refused = Callable[[Proof, str, Eq], None]
s, i, j = pls.s_, pls.i_, pls.j_


def test_pseudoinverse_is_general_for_any_size_and_rank(page_proof: Proof) -> None:
    assert page_proof.ok, page_proof.failure
    assert page_proof.level == "general"
    assert {o.label: o.level for o in page_proof.outcomes} == dict.fromkeys(
        (
            "normal equations",
            "A A+ A = A",
            "A+ A A+ = A+",
            "A A+ projects",
            "kills",
            "full column rank",
            "same residual",
            "minimum norm",
        ),
        "general",
    )
    assert {SVD_ORTHONORMAL.name, ORTHOGONAL_INVARIANCE.name} <= {f.name for f in page_proof.assumes}


def test_pseudoinverse_is_not_the_transpose(page_proof: Proof, refused: Refused) -> None:
    """A^+ A A^+ u_s = sigma_s v_s would be A^T u_s: the pseudoinverse confused with the transpose."""
    refused(page_proof, "A+ A A+ = A+", Eq(pls.PENROSE2, pls.svI[s] * pls.VI[j, s]))


def test_normal_equations_with_sigma_not_inverted(page_proof: Proof, refused: Refused) -> None:
    refused(page_proof, "normal equations", Eq(pls.NORMAL, pls.svI[s] ** 3 * pls.VI[j, s]))


def test_penrose_one_off_by_a_singular_value(page_proof: Proof, refused: Refused) -> None:
    refused(page_proof, "A A+ A = A", Eq(pls.PENROSE, pls.svI[s] ** 2 * pls.UI[i, s]))


def test_pseudoinverse_does_not_act_off_the_range(page_proof: Proof, refused: Refused) -> None:
    """A^+ u_z = v_z / sigma_z would treat a vector outside the range as if it had a singular value."""
    refused(page_proof, "kills", Eq(pls.KILLS, pls.VI[j, pls.z_]))


def test_left_inverse_without_the_square(page_proof: Proof, refused: Refused) -> None:
    """(A^T A)^{-1} A^T u_s is v_s / sigma_s, not v_s / sigma_s^2 (the square is A^T A's, not A^+'s)."""
    refused(page_proof, "full column rank", Eq(pls.LEFT_INV, pls.VI[j, s] / pls.svI[s] ** 2))


def test_residual_does_not_depend_on_the_shift(page_proof: Proof, refused: Refused) -> None:
    k = pls.k_
    wrong = pls.TAIL + sp.Sum(pls.cI[k] ** 2, (k, 1, pls.r_))
    refused(page_proof, "same residual", Eq(pls.RESID, wrong))


def test_shift_never_shortens_the_solution(page_proof: Proof, refused: Refused) -> None:
    """A bound that keeps the shift's square with the wrong sign fails: ||A+ b + V t||^2 >= ||A+ b||^2 + sum t^2 is
    an equality, but >= ||A+ b||^2 + 2 sum t^2 is false."""
    k = pls.k_
    wrong = sp.Ge(pls.NORM_ALL, pls.NORM_MIN + 2 * sp.Sum(pls.tI[k] ** 2, (k, 1, pls.q_)))
    refused(page_proof, "minimum norm", wrong)
