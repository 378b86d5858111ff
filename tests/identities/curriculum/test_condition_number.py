"""Targeted falsehoods for the condition number (map 6, chapter 10), any size: the bound with kappa not squared
(in the squared-norm form), the Gram matrix with unsquared singular values; the level says that only the
floating-point measurement ("digits lost") is numeric.

The page is proved once (the ``page_proof`` fixture, for ``PAGE``); each falsehood is checked on the page's
own chains (the ``refused`` fixture of tests/identities/conftest.py)."""

from __future__ import annotations

from collections.abc import Callable

import sympy as sp
from sympy import Eq, Le

from derive.core.proof import Proof
from derive.identities.curriculum import condition_number as cn

PAGE = "condition-number"
Refused = Callable[[Proof, str, sp.Basic], None]


def test_condition_number_levels(page_proof: Proof) -> None:
    assert page_proof.ok, page_proof.failure
    levels = {o.label: o.level for o in page_proof.outcomes}
    assert levels == {"bound": "general", "Gram spectrum": "general", "digits lost": "numeric"}


def test_condition_bound_with_kappa_not_squared(page_proof: Proof, refused: Refused) -> None:
    refused(page_proof, "bound", Le(cn.CROSS, cn.KAPPA * cn.DB * cn.X_SQ))


def test_condition_gram_has_squared_singular_values(page_proof: Proof, refused: Refused) -> None:
    refused(page_proof, "Gram spectrum", Eq(cn.GRAM, cn.sigma[cn.a] * cn.delta(cn.a, cn.b), evaluate=False))
