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
from derive.maths.discrete import written_out

PAGE = "condition-number"
Refused = Callable[[Proof, str, sp.Basic], None]


def test_condition_number_levels(page_proof: Proof) -> None:
    assert page_proof.ok, page_proof.failure
    levels = {o.label: o.level for o in page_proof.outcomes}
    assert levels == {"bound": "general", "Gram spectrum": "general", "digits lost": "numeric"}


def test_condition_bound_with_kappa_not_squared(rejected: Callable[..., None]) -> None:
    """The proof refuses kappa for kappa^2. Random draws of the statement check rarely refute it: a
    violation needs dx along the smallest singular direction and x along the largest, so the witness
    is written here (n = 2), where the true bound holds with equality and the wrong one fails."""
    wrong = Le(cn.CROSS, cn.KAPPA * cn.DB * cn.X_SQ)
    rejected(cn.CONDITION_NUMBER, "bound", wrong)
    at = {cn.sig_n: 1, cn.gap: 1, cn.thI[1]: sp.pi / 2, cn.thI[2]: 0, cn.eI[1]: 0, cn.eI[2]: 1, cn.cI[1]: 1}
    at |= {cn.cI[2]: 0}

    def value(e: sp.Expr) -> sp.Expr:
        return sp.nsimplify(written_out(e.doit().xreplace({cn.n: 2})).xreplace(at))

    lhs, kappa_db_x = value(cn.CROSS), value(cn.KAPPA * cn.DB * cn.X_SQ)
    assert (lhs, kappa_db_x, value(cn.KAPPA**2 * cn.DB * cn.X_SQ)) == (4, 2, 4)


def test_condition_gram_has_squared_singular_values(page_proof: Proof, refused: Refused) -> None:
    refused(page_proof, "Gram spectrum", Eq(cn.GRAM, cn.sigma[cn.a] * cn.delta(cn.a, cn.b), evaluate=False))
