"""The cross-checks of gradient flow (map 2.3) and second-order methods (map 2.4) pass on the
identities themselves, with the claimed right side as the result."""

from __future__ import annotations

import sympy as sp

from derive.authoring import CheckContext, Identity
from derive.identities.calculus import (
    fisher_hessian,
    gauss_newton,
    gradient_clipping,
    kfac_kronecker,
    lstm_cell_gradient,
    newton_step,
    residual_gradient,
    vanishing_gradient,
)
from derive.numeric.sampling import generator


def _ctx(ident: Identity, result: sp.Basic) -> CheckContext:
    return ident.check_context(generator(7, salt=ident.name), 7, result, {})


def test_crosschecks_pass_on_the_identities() -> None:
    for ident in (
        vanishing_gradient.VANISHING_GRADIENT,
        residual_gradient.RESIDUAL_GRADIENT,
        lstm_cell_gradient.LSTM_CELL_GRADIENT,
        gradient_clipping.GRADIENT_CLIPPING,
        newton_step.NEWTON_STEP,
        gauss_newton.GAUSS_NEWTON,
        kfac_kronecker.KFAC_KRONECKER,
        fisher_hessian.FISHER_HESSIAN,
    ):
        r = ident.crosscheck(_ctx(ident, ident.claim.rhs))
        assert r.ok, (ident.name, r)
