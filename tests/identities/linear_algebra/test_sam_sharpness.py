"""Targeted falsehoods for SAM's inner maximisation (map 1.2), in any dimension n: an unnormalised step, a
halved bound, a bound that counts the shrink of the radius twice, a wrong completion of the square; every
statement is general; the power iteration of the cross-check finds the largest eigenvalue, not the largest in
magnitude."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import sympy as sp
from sympy import Eq, Le

from derive.core.proof import Proof
from derive.identities.linear_algebra import sam_sharpness as sam
from derive.verify.ladder import Ladder

PAGE = "sam-sharpness"


def test_sam_unnormalised_step_is_rejected(rejected: Callable[..., None], lhs: Callable[..., sp.Basic]) -> None:
    wrong = sam.rho_s * sam.GN_NORM**2  # e = rho g: the value of an unnormalised step
    rejected(sam.SAM_SHARPNESS, "maximiser", Eq(lhs(sam.SAM_SHARPNESS, "maximiser"), wrong, evaluate=False))


def test_sam_halved_bound_is_rejected(rejected: Callable[..., None], lhs: Callable[..., sp.Basic]) -> None:
    rejected(
        sam.SAM_SHARPNESS,
        "first-order max",
        Le(lhs(sam.SAM_SHARPNESS, "first-order max"), sam.rho_s * sam.GN_NORM / 2),
    )


def test_sam_bound_shrunk_twice_is_refused(page_proof: Proof, refused: Callable[..., None]) -> None:
    # the step has norm rho/(1 + s), and eps^T g reaches rho ||g||/(1 + s) when u || g: not rho ||g||/(1 + s)^2
    wrong = Le(sam.EPS_DOT_G, sam.rho_s * sam.GN_NORM / (1 + sam.shrink) ** 2)
    refused(page_proof, "first-order max", wrong)


def test_sam_completion_of_the_square_needs_the_half() -> None:
    # u^T g/(||u|| ||g||) = 1 - (1/2)||u/||u|| - g/||g||||^2: without the 1/2 the link is refused
    ladder = Ladder(domains=sam.SAM_SHARPNESS.domains, seed=1)
    top = sam.rho_s * sam.GN_NORM / (1 + sam.shrink)
    assert ladder.equal(sam.EPS_DOT_G, top - top * sam.HALF_GAP).ok is True
    assert ladder.equal(sam.EPS_DOT_G, top - 2 * top * sam.HALF_GAP).ok is False


def test_sam_statements_are_general_in_any_dimension(page_proof: Proof) -> None:
    assert page_proof.ok, page_proof.failure
    assert {o.label: o.level for o in page_proof.outcomes} == dict.fromkeys(
        ("first-order max", "maximiser", "sharpness", "attained"), "general"
    )
    chain = next(c for c in page_proof.chains if c.statement == "first-order max")
    assert [s.relation.value for s in chain.steps[1:]] == ["=", "=", "=", "<=", "<="]


def test_sam_crosscheck_power_iteration_matches_eigvalsh() -> None:
    h = np.diag([3.0, -5.0, 1.0])
    assert abs(sam._power_iteration(h, np.ones(3)) - 3.0) < 1e-8
