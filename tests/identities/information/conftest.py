"""What the tests of the information chapter (map section 4) share: a targeted falsehood must fail its proof.

Each test perturbs one statement the way a student or a careless derivation would (a log ratio
inverted, a sign on the KL flipped, bits confused with nats, a normaliser dropped) and checks that the
proof fails and names the statement (the ``rejected`` fixture); some check that an independent
cross-check catches a wrong closed form on its own.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
import sympy as sp

from derive.authoring import Identity
from derive.core.near_misses import perturbed
from derive.core.proof import prove_identity

Rejected = Callable[[Identity, str, sp.Basic], None]


def _rejected(ident: Identity, label: str, wrong: sp.Basic) -> None:
    p = prove_identity(perturbed(ident, label, wrong))
    assert not p.ok, f"{ident.name}: the wrong {label!r} was accepted"
    assert p.failure and label in p.failure, p.failure


@pytest.fixture
def rejected() -> Rejected:
    """``rejected(identity, label, wrong)``: the proof of ``identity`` with statement ``label`` replaced
    by ``wrong`` fails, and its failure names the statement."""
    return _rejected
