"""What the tests of the probability chapter (map section 3) share: a targeted falsehood must fail its proof.

Each test perturbs one statement the way a student or a careless derivation would (the ridge penalty
inverted, the -1 of the Gaussian KL dropped, the dropout variance upside down, the n of the posterior
precision forgotten, ...) and checks that the proof fails and names the statement (the ``rejected``
fixture); some check that an independent cross-check catches a wrong closed form on its own, in the
context the ``context`` fixture builds.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
import sympy as sp

from derive.authoring import CheckContext, Identity
from derive.core.near_misses import perturbed
from derive.core.proof import prove_identity
from derive.numeric.sampling import generator

Rejected = Callable[[Identity, str, sp.Basic], None]
Context = Callable[..., CheckContext]


def _rejected(ident: Identity, label: str, wrong: sp.Basic) -> None:
    p = prove_identity(perturbed(ident, label, wrong))
    assert not p.ok, f"{ident.name}: the wrong {label!r} was accepted"
    assert p.failure and label in p.failure, p.failure


def _context(ident: Identity, result: sp.Basic | None = None) -> CheckContext:
    return ident.check_context(generator(11), 11, result, {})


@pytest.fixture
def rejected() -> Rejected:
    """``rejected(identity, label, wrong)``: the proof of ``identity`` with statement ``label`` replaced
    by ``wrong`` fails, and its failure names the statement."""
    return _rejected


@pytest.fixture
def context() -> Context:
    """``context(identity, result=None)``: the seeded context (seed 11) of the identity's cross-check,
    with ``result`` as the derived result."""
    return _context
