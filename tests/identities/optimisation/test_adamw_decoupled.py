"""Targeted falsehoods for AdamW (map 5.1): SGD's decay without the learning rate, Adam's gap without the
preconditioner, the penalty's gradient summed over every coordinate; both statements are proved for
coordinate i of any number d of parameters."""

from __future__ import annotations

from collections.abc import Callable

from sympy import Eq, Sum

from derive.core.proof import Proof
from derive.identities.optimisation import adamw_decoupled as aw
from derive.verify.ladder import Ladder

PAGE = "adamw-decoupled"
Refused = Callable[[Proof, str, Eq], None]


def test_adamw_is_general(page_proof: Proof) -> None:
    assert page_proof.ok and page_proof.level == "general", {o.label: o.level for o in page_proof.outcomes}
    assert all(not c.scope for c in page_proof.chains)


def test_adamw_sgd_decay_without_learning_rate(page_proof: Proof, refused: Refused) -> None:
    refused(page_proof, "SGD", Eq(aw.SGD_L2, (1 - aw.lam) * aw.theta[aw.i] - aw.eta * aw.g[aw.i]))


def test_adamw_gap_without_the_preconditioner(page_proof: Proof, refused: Refused) -> None:
    wrong = aw.eta * aw.lam * aw.theta[aw.i]
    refused(page_proof, "Adam: L2 vs decoupled", Eq(aw.ADAM_L2 - aw.ADAMW, wrong))


def test_adamw_penalty_gradient_is_not_the_whole_sum() -> None:
    """d/dtheta_i of (lambda/2) sum_k theta_k^2 is lambda theta_i, not lambda sum_k theta_k (a missed delta)."""
    ident = aw.ADAMW_DECOUPLED
    ladder = Ladder(domains=ident.domains, unfold=ident.unfold, seed=1)
    k, d = aw.k, aw.dim
    wrong = aw.theta[aw.i] - aw.eta * (aw.g[aw.i] + aw.lam * Sum(aw.theta[k], (k, 1, d)))
    assert ladder.equal(aw.SGD_L2, wrong).ok is False
