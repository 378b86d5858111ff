"""What the tests of every chapter share: a targeted falsehood must fail its proof, and a wrong
derived formula must fail the independent cross-check.

Each chapter's tests state mistakes a student or a careless derivation makes (a transposed matrix, a
missing factor, a flipped sign, bits confused with nats...) and check that the engine rejects them,
naming the statement (``rejected``), or that the cross-check catches a wrong formula on its own in
the identity's seeded context (``context``, ``cross_fails``).
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
import sympy as sp

from derive.authoring import CheckContext, CrossCheckResult, Identity
from derive.core.claims import check_statements
from derive.core.near_misses import perturbed
from derive.core.proof import Proof, prove_identity
from derive.numeric.sampling import generator
from derive.verify.ladder import Ladder

Rejected = Callable[[Identity, str, sp.Basic], None]
Context = Callable[..., CheckContext]
CrossFails = Callable[[Identity, Callable[[CheckContext], CrossCheckResult], sp.Basic], None]
Lhs = Callable[[Identity, str], sp.Basic]
Refused = Callable[[Proof, str, sp.Eq], None]


def _rejected(ident: Identity, label: str, wrong: sp.Basic) -> None:
    p = prove_identity(perturbed(ident, label, wrong))
    assert not p.ok, f"{ident.name}: the wrong {label!r} was accepted"
    assert p.failure is not None and label in p.failure, p.failure


def _refused(proof: Proof, label: str, wrong: sp.Eq) -> None:
    """The checks a proof makes on statement ``label``, with ``wrong`` in its place, fail: the
    proof's own chain no longer reaches its sides, and the statement's numeric check fails."""
    bad = perturbed(proof.identity, label, wrong)
    ladder = Ladder(domains=bad.domains, unfold=bad.unfold, seed=1)
    steps = next(c for c in proof.chains if c.statement == label).steps
    first, last = steps[0].expr, steps[-1].expr
    if isinstance(last, sp.Eq):  # an equation chain ends at its conclusion lhs = rhs
        first, last = last.lhs, last.rhs
    ends = (ladder.equal(first, wrong.lhs).ok, ladder.equal(last, wrong.rhs).ok)
    assert False in ends, ends
    statement = next(s for s in bad.statements if s.label == label)
    (check,) = check_statements([statement], bad.domains, ladder, generator(1, salt=label), 16, proof.chains)
    assert check.samples and not check.ok, check


def _context(ident: Identity, result: sp.Basic | None = None) -> CheckContext:
    return ident.check_context(generator(11), 11, result, {})


def _cross_fails(ident: Identity, check: Callable[[CheckContext], CrossCheckResult], wrong_result: sp.Basic) -> None:
    ctx = ident.check_context(generator(7, salt=ident.name), 7, wrong_result, {})
    r = check(ctx)
    assert not r.ok, f"{ident.name}: the cross-check accepted a wrong formula ({r.detail})"


def _lhs(ident: Identity, label: str) -> sp.Basic:
    return next(s.relation.lhs for s in ident.statements if s.label == label and s.relation is not None)


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


@pytest.fixture
def cross_fails() -> CrossFails:
    """``cross_fails(identity, check, wrong_result)``: the cross-check ``check`` run on ``wrong_result``
    in place of the derived formula fails."""
    return _cross_fails


@pytest.fixture
def lhs() -> Lhs:
    """``lhs(identity, label)``: the left side of the statement ``label``."""
    return _lhs


@pytest.fixture
def refused() -> Refused:
    """``refused(proof, label, wrong)``: without a whole proof per case, the wrong statement fails
    the checks the proof makes on ``label`` (its chain's ends, its numeric check)."""
    return _refused


@pytest.fixture(scope="module")
def page_proof(request: pytest.FixtureRequest) -> Proof:
    """The proof of the test module's ``PAGE`` (an identity's name), proved once per module."""
    import derive

    return derive.prove(request.module.PAGE)
