"""Targeted falsehoods for Shampoo and SOAP (map 5.1): the Kronecker factors in the wrong order."""

from __future__ import annotations

from collections.abc import Callable

import sympy as sp
from sympy import Eq

from derive.identities.optimisation import soap_shampoo as ss
from derive.maths.matrices import vec
from derive.maths.notation import notation


def test_shampoo_kronecker_factors_in_the_wrong_order(rejected: Callable[..., None]) -> None:
    lhs = ss.SOAP_SHAMPOO.statements[0].relation.lhs
    wrong = notation("wrong", sp.kronecker_product(ss.L_Q, ss.R_Q) * vec(ss.GM), "kron(L, R) vec G")
    rejected(ss.SOAP_SHAMPOO, "Kronecker form", Eq(lhs, wrong, evaluate=False))
