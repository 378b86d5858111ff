"""Targeted falsehoods for the optimal GAN discriminator (map 6, chapter 14): the generator's share for
D*, log 2 for log 4 in the value, a dropped log 2 in the halving step; the value is proved for every
number K of outcomes."""

from __future__ import annotations

from collections.abc import Callable

from sympy import Eq, log

from derive.core.proof import Proof
from derive.identities.curriculum import gan_optimal_discriminator as gd
from derive.maths.variance import linear_sums
from derive.verify.ladder import Ladder

PAGE = "gan-optimal-discriminator"
Refused = Callable[[Proof, str, Eq], None]


def test_gan_value_is_general(page_proof: Proof) -> None:
    """Every statement holds for every K: no chain writes out a fixed number of outcomes."""
    assert page_proof.ok and page_proof.level == "general", {o.label: o.level for o in page_proof.outcomes}
    value = next(c for c in page_proof.chains if c.statement == "value")
    assert not value.scope and all(step.symbolic for step in value.steps)
    assert gd.K_OUT in gd.VALUE.free_symbols


def test_gan_discriminator_is_not_the_generator_share(page_proof: Proof, refused: Refused) -> None:
    refused(page_proof, "D*", Eq(gd.D, gd.b_pt / (gd.a_pt + gd.b_pt)))


def test_gan_value_with_log2_instead_of_log4(page_proof: Proof, refused: Refused) -> None:
    refused(page_proof, "value", Eq(gd.VALUE_TEX, gd.JSD2 - log(2), evaluate=False))


def test_gan_halving_step_rejects_near_misses() -> None:
    """The opened sums: sum_k p log(p/(p+q)) = KL(p || m) - log 2 sum_k p, for every K; its near misses (the
    log 2 dropped, the normalisation of one table forgotten) are refuted at sampled sizes and tables."""
    ident = gd.GAN_OPTIMAL_DISCRIMINATOR
    ladder = Ladder(domains=ident.domains, unfold=ident.unfold, seed=1)
    value = ident.unfold(gd.VALUE)
    opened = linear_sums(gd.VALUE.xreplace(gd._HALVES))
    assert ladder.numeric_zero(value, ident.unfold(opened)).ok is True
    for wrong in (opened.subs(log(2), 0), gd.JSD2 - log(2)):
        assert ladder.numeric_zero(value, ident.unfold(wrong)).ok is False
