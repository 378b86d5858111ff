"""The reparameterisation gradient (map 3.1) for a general smooth f: the page is general and cites the
rule of differentiation under the integral sign; targeted falsehoods are refused: the s-gradient without
the factor epsilon (whole proof), the mu-gradient with the factor epsilon (the statement's numeric
check), and a chain-rule step under the integral without its epsilon (the ladder)."""

from __future__ import annotations

from collections.abc import Callable

import sympy as sp
from sympy import Derivative, Eq

from derive.authoring import Statement
from derive.core.claims import check_statements
from derive.core.facts import DIFFERENTIATION_UNDER_INTEGRAL
from derive.core.proof import Proof
from derive.identities.probability import reparameterization as rp
from derive.numeric.sampling import generator
from derive.verify.ladder import Ladder

PAGE = "reparameterization"


def test_reparameterization_is_general_for_any_f_and_cites_the_exchange(page_proof: Proof) -> None:
    assert page_proof.ok and page_proof.level == "general", page_proof
    assert {o.label: o.level for o in page_proof.outcomes} == {"d/dmu": "general", "d/ds": "general"}
    assert {f.name for f in page_proof.assumes} == {DIFFERENTIATION_UNDER_INTEGRAL.name}
    for c in page_proof.numeric.statements:  # f instanced, d/dmu of a quadrature against a quadrature
        assert c.ok and c.samples >= 3, c
        assert "instantiated" in c.method and "mpmath.diff" in c.method and "quad" in c.method, c.method
    for chain in page_proof.chains:  # the chain rule, computed, leaves the two integrals equal
        assert chain.steps[-1].expr == 0


def test_reparameterization_s_gradient_without_epsilon(rejected: Callable[..., None]) -> None:
    rejected(rp.REPARAMETERIZATION, "d/ds", Eq(Derivative(rp.E_F, rp.s) - rp.E_FPRIME, 0))


def test_reparameterization_mu_gradient_with_epsilon_fails_its_check(page_proof: Proof) -> None:
    """E[eps f'(z)] as the mu-gradient: the statement's check (f instanced, finite differences of a
    quadrature against a quadrature) finds the difference nonzero."""
    ident = rp.REPARAMETERIZATION
    wrong = Statement("d/dmu", Eq(Derivative(rp.E_F, rp.mu) - rp.E_EPS_FPRIME, 0))
    ladder = Ladder(domains=ident.domains, unfold=ident.unfold, seed=1, salt=ident.name)
    (check,) = check_statements([wrong], ident.domains, ladder, generator(1), 16, page_proof.chains, ident.definitions)
    assert check.samples and not check.ok, check


def test_reparameterization_chain_rule_without_epsilon_is_refused_by_the_ladder() -> None:
    """Under the integral, d/ds [f(mu + s eps) phi(eps)] written as f'(mu + s eps) phi(eps): the step
    cannot be verified, so a chain taking it fails."""
    ident = rp.REPARAMETERIZATION
    ladder = Ladder(domains=ident.domains, unfold=ident.unfold, seed=3)
    phi = sp.exp(-(rp.eps**2) / 2)
    inside = rp.GaussianAverage(Derivative(rp.f(rp.Z_REPARAM) * phi, rp.s), (rp.eps, -sp.oo, sp.oo))
    assert ladder.equal(inside, rp.GaussianAverage(rp.F_PRIME_AT_Z * phi, (rp.eps, -sp.oo, sp.oo))).ok is not True
    assert ladder.equal(inside, rp.GaussianAverage(rp.eps * rp.F_PRIME_AT_Z * phi, (rp.eps, -sp.oo, sp.oo))).ok
