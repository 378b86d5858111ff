"""Targeted falsehoods for the GCN propagation matrix (map 1.1): the inverse square roots as eigenvector, a
too strong lower bound on the spectrum, message passing with transposed weights."""

from __future__ import annotations

from collections.abc import Callable

import sympy as sp
from sympy import Eq, Ge

from derive.authoring import notation
from derive.identities.linear_algebra import gcn_propagation as gcn


def test_gcn_inverse_sqrt_eigenvector_is_rejected(rejected: Callable[..., None], lhs: Callable[..., sp.Basic]) -> None:
    wrong = sp.Matrix([1 / sp.sqrt(dg) for dg in gcn.DEGREES])
    rejected(gcn.GCN_PROPAGATION, "eigenvector", Eq(lhs(gcn.GCN_PROPAGATION, "eigenvector"), wrong, evaluate=False))


def test_gcn_too_strong_lower_bound_is_rejected(rejected: Callable[..., None], lhs: Callable[..., sp.Basic]) -> None:
    rejected(gcn.GCN_PROPAGATION, "lambda > -1", Ge(lhs(gcn.GCN_PROPAGATION, "lambda > -1"), 3 * gcn.NORM_SQ))


def test_gcn_message_passing_with_transposed_weights_is_rejected(
    rejected: Callable[..., None], lhs: Callable[..., sp.Basic]
) -> None:
    wrong = notation(
        "wrong",
        sp.Matrix.vstack(*(sum((gcn.Pm[j, i] * gcn.HW.row(j) for j in range(3)), sp.zeros(1, 2)) for i in range(3))),
    )
    rejected(
        gcn.GCN_PROPAGATION, "message passing", Eq(lhs(gcn.GCN_PROPAGATION, "message passing"), wrong, evaluate=False)
    )
