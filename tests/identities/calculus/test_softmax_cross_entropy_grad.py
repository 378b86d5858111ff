"""Targeted falsehoods for the softmax cross-entropy gradient (map 2.2): s - y needs a normalised
target, the sign is s - y (not y - s), and for unnormalised weights the gradient keeps sum(y)."""

from __future__ import annotations

from collections.abc import Callable

import sympy as sp
from sympy import Eq

from derive.core.near_misses import perturbed
from derive.core.proof import prove_identity as prove
from derive.identities.calculus import softmax_cross_entropy_grad as ce
from derive.verify.ladder import Ladder


def test_cross_entropy_grad_needs_a_normalised_target() -> None:
    """s - y for unnormalised weights y (sum y != 1) is false: the gradient is s sum(y) - y."""
    ident = ce.SOFTMAX_CROSS_ENTROPY_GRAD
    j, y = ce.j, ce.y
    wrong = Eq(sp.Derivative(ce.CE_ANY_Y, ce.z[j]), ce.s_(j) - y[j])
    bad = perturbed(ident, "claim", wrong)
    p = prove(bad)
    assert not p.ok and p.failure and "claim" in p.failure
    # and the ladder itself refutes the unnormalised gradient
    ladder = Ladder(domains=bad.domains, unfold=bad.unfold, seed=3)
    assert ladder.equal(wrong.lhs, wrong.rhs).ok is False


def test_cross_entropy_grad_sign_flipped(rejected: Callable[..., None]) -> None:
    ident = ce.SOFTMAX_CROSS_ENTROPY_GRAD
    j = ce.j
    rejected(ident, "claim", Eq(ident.claim.lhs, ce.y_(j) - ce.s_(j)))


def test_cross_entropy_grad_wrong_any_weights(rejected: Callable[..., None]) -> None:
    """Forgetting the sum of the weights: s - y is not the gradient for unnormalised y."""
    ident = ce.SOFTMAX_CROSS_ENTROPY_GRAD
    j, y = ce.j, ce.y
    rejected(ident, "any y", Eq(sp.Derivative(ce.CE_ANY_Y, ce.z[j]), ce.s_(j) - y[j]))
