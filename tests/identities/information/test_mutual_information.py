"""Mutual information (map 4) on any finite alphabets: the level (only InfoNCE, a statistical bound, is numeric),
and targeted falsehoods of the general forms (the conditional entropy's sign, the KL form with the marginals
missing a marginal, I >= H(X, Y), the Gaussian case without its 1/2); the double-sum swap rule.

The page is proved once (the ``page_proof`` fixture, for ``PAGE``); each falsehood is checked on the page's own
chains (the ``refused`` fixture of tests/identities/conftest.py)."""

from __future__ import annotations

from collections.abc import Callable

import sympy as sp
from sympy import Eq, log

from derive.core.facts import SUM_EXCHANGE
from derive.core.proof import Proof
from derive.identities.information import mutual_information as mi
from derive.maths.flows import SwapLimits

PAGE = "mutual-information"
Refused = Callable[[Proof, str, Eq], None]
i, j = mi.jI, mi.jJ


def test_mi_is_general_on_any_alphabets_but_infonce(page_proof: Proof) -> None:
    assert page_proof.ok, page_proof.failure
    levels = {o.label: o.level for o in page_proof.outcomes}
    assert levels.pop("InfoNCE") == "numeric"
    assert set(levels.values()) == {"general"}, levels
    assert SUM_EXCHANGE.name in {f.name for f in page_proof.assumes}


def test_mi_conditional_entropy_sign(page_proof: Proof, refused: Refused) -> None:
    """H(X) + H(Y) - H(X,Y) is H(X) - H(X|Y), not H(X) + H(X|Y)."""
    refused(page_proof, "H(X) - H(X|Y)", Eq(mi.H_X + mi.H_Y - mi.H_XY, mi.H_X + mi.H_X_GIVEN_Y))


def test_mi_kl_form_needs_both_marginals(page_proof: Proof, refused: Refused) -> None:
    """Dividing the joint by p_X alone gives -H(Y|X), not I(X;Y)."""
    refused(page_proof, "KL form", Eq(mi.H_X + mi.H_Y - mi.H_XY, mi.cells(mi.PXY(i, j) * log(mi.PXY(i, j) / mi.PX(i)))))


def test_mi_is_not_bounded_by_the_joint_entropy_from_below(page_proof: Proof, refused: Refused) -> None:
    """I >= H(X, Y) is false (I <= min(H(X), H(Y)) <= H(X, Y))."""
    refused(page_proof, "I >= 0", sp.Ge(mi.MI_KL, mi.H_XY))


def test_gaussian_mi_without_the_half(page_proof: Proof, refused: Refused) -> None:
    refused(page_proof, "Gaussian", Eq(mi.MI_GAUSS_DEF, -log(1 - mi.rho**2)))


def test_swap_limits_only_swaps_sums_over_its_inner_index() -> None:
    f = sp.Function("f")
    inner_i = sp.Sum(f(i, j), (i, 1, mi.KX), (j, 1, mi.KY))
    inner_j = sp.Sum(f(i, j), (j, 1, mi.KY), (i, 1, mi.KX))
    assert SwapLimits(i)(inner_i + 2 * inner_j) == 3 * inner_j
    dependent = sp.Sum(f(i, j), (i, 1, j), (j, 1, mi.KY))  # the inner range names the outer index
    assert SwapLimits(i)(dependent) == dependent
