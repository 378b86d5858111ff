"""The Gibbs gap g(t) = t - 1 - log t, and the bounds built on it (kl-nonnegative, the ELBO, the RLHF
optimum), proved symbolically."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp
from sympy import log

from derive.authoring import Identity, gibbs
from derive.core.proof import prove_identity
from derive.identities.information import kl_nonnegative, rlhf_kl_optimum
from derive.identities.probability import elbo


def test_gibbs_gap_sign_and_derivative() -> None:
    t = sp.Symbol("t", positive=True)
    x = sp.Symbol("x", real=True)
    # the class declares no sign: the ladder relaxes it only through the proved lemma (lemmas.py)
    assert gibbs(t).is_nonnegative is None and gibbs(x).is_nonnegative is None
    assert gibbs(sp.Integer(1)) == 0
    assert sp.simplify(sp.diff(gibbs(t), t) - sp.diff(t - 1 - log(t), t)) == 0
    ts = np.exp(np.linspace(-20, 20, 2001))
    assert np.all(ts - 1 - np.log(ts) >= 0)


@pytest.mark.parametrize(
    "ident", [kl_nonnegative.KL_NONNEGATIVE, elbo.EVIDENCE_LOWER_BOUND, rlhf_kl_optimum.RLHF_KL_OPTIMUM]
)
def test_bounds_are_proved_symbolically(ident: Identity) -> None:
    p = prove_identity(ident)
    assert p.ok
    bounds = [s for s in p.steps if s.relation in ("<=", ">=", "<", ">")]
    assert bounds and all(s.symbolic for s in bounds)
