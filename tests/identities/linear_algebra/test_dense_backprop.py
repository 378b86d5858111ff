"""Targeted falsehoods for backpropagation through a dense layer (map 1.1): a transposed weight gradient,
an untransposed input gradient, a bias gradient with the input in it; the cross-check catches a transposed
result on its own."""

from __future__ import annotations

from collections.abc import Callable

import sympy as sp
from sympy import Eq

from derive.identities.linear_algebra import dense_backprop as db
from derive.numeric.sampling import generator


def test_dense_dw_transposed_is_rejected(rejected: Callable[..., None], lhs: Callable[..., sp.Basic]) -> None:
    wrong = db.xI[db.i] * db.deltaI[db.j]  # (x delta^T)_ij, the shape of W^T
    rejected(db.DENSE_BACKPROP, "dL/dW", Eq(lhs(db.DENSE_BACKPROP, "dL/dW"), wrong, evaluate=False))


def test_dense_dx_without_transpose_is_rejected(rejected: Callable[..., None], lhs: Callable[..., sp.Basic]) -> None:
    wrong = sp.Sum(db.WI[db.j, db.k] * db.deltaI[db.k], (db.k, 1, db.m))  # (W delta)_j
    rejected(db.DENSE_BACKPROP, "dL/dx", Eq(lhs(db.DENSE_BACKPROP, "dL/dx"), wrong, evaluate=False))


def test_dense_db_with_input_is_rejected(rejected: Callable[..., None], lhs: Callable[..., sp.Basic]) -> None:
    wrong = db.deltaI[db.i] * db.xI[db.i]
    rejected(db.DENSE_BACKPROP, "dL/db", Eq(lhs(db.DENSE_BACKPROP, "dL/db"), wrong, evaluate=False))


def test_dense_crosscheck_catches_transposed_result() -> None:
    ident = db.DENSE_BACKPROP
    ctx = ident.check_context(generator(1, salt="t"), 1, result=db.xI[db.i] * db.deltaI[db.j])
    assert not ident.crosscheck(ctx).ok
