"""Targeted falsehoods for the information-theory identities (information, divergences, variational).

Each test perturbs one statement the way a student or a careless derivation would (a log ratio
inverted, a sign on the KL flipped, bits confused with nats, a normaliser dropped) and checks that
the proof fails and names the statement; some check that an independent cross-check catches a
wrong closed form on its own.
"""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp
from sympy import Eq, Ge, Rational, log

from derive.core.near_misses import perturbed
from derive.core.proof import prove_identity as prove
from derive.identities import divergences as dv
from derive.identities import information as info
from derive.identities import variational as va
from derive.maths import discrete as dm
from derive.maths.special import gibbs
from derive.numeric.sampling import generator


def _rejected(ident, label: str, wrong: sp.Basic) -> None:  # type: ignore[no-untyped-def]
    p = prove(perturbed(ident, label, wrong))
    assert not p.ok, f"{ident.name}: the wrong {label!r} was accepted"
    assert p.failure and label in p.failure, p.failure


# ------------------------------------------------------------------------------ KL divergences
def test_kl_gaussians_log_ratio_inverted() -> None:
    wrong = log(dv.s1 / dv.s2) + (dv.s1**2 + (dv.m1 - dv.m2) ** 2) / (2 * dv.s2**2) - Rational(1, 2)
    _rejected(dv.kl_gaussians, "1-D", Eq(dv.KL_GAUSS_DEF, wrong))


def test_kl_gaussians_variance_ratio_swapped() -> None:
    wrong = log(dv.s2 / dv.s1) + (dv.s2**2 + (dv.m1 - dv.m2) ** 2) / (2 * dv.s1**2) - Rational(1, 2)
    _rejected(dv.kl_gaussians, "1-D", Eq(dv.KL_GAUSS_DEF, wrong))


def test_kl_gaussians_multivariate_without_minus_d() -> None:
    _rejected(dv.kl_gaussians, "diagonal 2-D", Eq(dv.KL_DIAG, dv.KL_MATRIX + 1))


def test_kl_gaussians_crosscheck_catches_wrong_formula() -> None:
    wrong = log(dv.s1 / dv.s2) + (dv.s1**2 + (dv.m1 - dv.m2) ** 2) / (2 * dv.s2**2) - Rational(1, 2)
    ctx = dv.kl_gaussians.check_context(generator(7), 7, wrong, {})
    assert not dv._kl_gaussians_check(ctx).ok
    right = dv.kl_gaussians.check_context(generator(7), 7, dv.KL_GAUSS, {})
    assert dv._kl_gaussians_check(right).ok


def test_kl_is_not_symmetric() -> None:
    # claiming KL(p||q) - KL(q||p) = 0 for the example: the chain proves '>' and the claim '=' fails
    _rejected(info.kl_nonnegative, "asymmetric", Eq(info.ASYM, 0, evaluate=False))


def test_gibbs_inequality_reversed() -> None:
    _rejected(info.kl_nonnegative, "log t <= t - 1", Ge(log(info.t), info.t - 1))


def test_kl_as_gaps_needs_the_right_ratio() -> None:
    wrong = dm.kl_gibbs(info.Q, info.P, info.K3)  # sum q g(p/q) is KL(q||p), not KL(p||q)
    _rejected(info.kl_nonnegative, "KL as gaps", Eq(dm.kl(info.P, info.Q, info.K3), wrong))


def test_cross_entropy_minus_kl() -> None:
    _rejected(info.cross_entropy_kl, "claim", Eq(info.H_PQ, info.H_P - info.KL_PQ))


def test_cross_entropy_kl_wrong_direction() -> None:
    reverse = info._sum(info.qq[info.i] * log(info.qq[info.i] / info.pp[info.i]))
    _rejected(info.cross_entropy_kl, "claim", Eq(info.H_PQ, info.H_P + reverse))


def test_cross_entropy_gradient_without_p() -> None:
    # d/dq_j of -sum p_i log q_i is -p_j/q_j, not -1/q_j
    wrong = Eq(sp.Derivative(info.H_PQ, info.qq[info.jq]), -1 / info.qq[info.jq])
    _rejected(info.cross_entropy_kl, "same gradient in q", wrong)


# ------------------------------------------------------------------------------ ELBO, bits-back
def test_elbo_with_a_plus_sign_on_the_kl() -> None:
    wrong = dm.expectation(va.qz, lambda k: log(va.lik(k)), va.KZ) + dm.kl(va.qz, va.prior, va.KZ)
    _rejected(va.elbo, "ELBO", Eq(va.ELBO_JOINT, wrong))


def test_elbo_gap_is_not_the_reverse_kl() -> None:
    wrong = va.ELBO_JOINT + dm.kl(va.posterior, va.qz, va.KZ)
    _rejected(va.elbo, "decomposition", Eq(sp.log(va.EVIDENCE), wrong))


def test_elbo_is_not_an_upper_bound() -> None:
    _rejected(va.elbo, "bound", Ge(va.ELBO, sp.log(va.EVIDENCE)))


def test_elbo_tight_only_at_the_posterior() -> None:
    at_prior = va.ELBO.xreplace({va.qz(dm.K_INDEX): va.prior(dm.K_INDEX)})
    _rejected(va.elbo, "equality", Eq(at_prior, sp.log(va.EVIDENCE)))


def test_bits_back_excess_is_not_the_rate() -> None:
    _rejected(va.bits_back, "excess", Eq(va.CODE + sp.log(va.EVIDENCE), dm.kl(va.qz, va.prior, va.KZ)))


def test_bits_back_without_the_bits_back() -> None:
    # forgetting to subtract the H(q) nats recovered by the receiver
    no_refund = dm.expectation(va.qz, lambda k: -log(va.lik(k)) - log(va.prior(k)), va.KZ)
    _rejected(va.bits_back, "bits back", Eq(va.CODE, no_refund))


# ------------------------------------------------------------------------------ MI, perplexity
def test_gaussian_mi_without_the_half() -> None:
    _rejected(info.mutual_information, "Gaussian", Eq(info.MI_GAUSS_DEF, -log(1 - info.rho**2)))


def test_mi_conditional_entropy_sign() -> None:
    _rejected(
        info.mutual_information, "H(X) - H(X|Y)", Eq(info.H_X - info.H_X_GIVEN_Y, info.H_X - info.H_Y + info.H_XY)
    )


def test_perplexity_two_to_the_nats() -> None:
    _rejected(info.perplexity, "bits", Eq(info.PPL, 2**info.NLL_NATS))


def test_perplexity_uniform_is_not_log_v() -> None:
    _rejected(info.perplexity, "uniform", Eq(info.PPL_UNIFORM, log(info.V)))


# ------------------------------------------------------------------------------ distillation, RLHF
def test_distillation_gradient_without_the_temperature() -> None:
    _rejected(
        dv.distillation_gradient,
        "gradient",
        Eq(sp.Matrix([sp.Derivative(dv.L_DISTILL, z) for z in dv.zs]), dv.GRAD / dv.TEMP),
    )


def test_logit_matching_without_one_over_n() -> None:
    lim = sp.Limit(dv.GRAD[0].xreplace(dv.ZERO_MEAN), dv.TEMP, sp.oo)
    _rejected(dv.distillation_gradient, "logit matching", Eq(lim, dv.zs[0] - dv.zt[0]))


def test_rlhf_optimum_without_the_normaliser() -> None:
    unnormalised = sp.Matrix([dv.rho_ref[k] * sp.exp(dv.rw[k] / dv.beta) for k in range(dv.NY)])
    _rejected(dv.rlhf_kl_optimum, "optimum", Eq(dv.Y_AT_LAM_STAR, unnormalised))


def test_rlhf_optimum_with_exp_beta_r() -> None:
    z = sp.Add(*(dv.rho_ref[k] * sp.exp(dv.beta * dv.rw[k]) for k in range(dv.NY)))
    wrong = sp.Matrix([dv.rho_ref[k] * sp.exp(dv.beta * dv.rw[k]) / z for k in range(dv.NY)])
    _rejected(dv.rlhf_kl_optimum, "optimum", Eq(dv.Y_AT_LAM_STAR, wrong))


def test_rlhf_value_is_not_log_z() -> None:
    _rejected(
        dv.rlhf_kl_optimum, "value", Eq(dv.objective(lambda k: dv.PI_STAR[k - 1]), sp.log(dv.Z))
    )  # the factor beta is missing


def test_rlhf_crosscheck_catches_missing_normaliser() -> None:
    unnormalised = sp.Matrix([dv.rho_ref[k] * sp.exp(dv.rw[k] / dv.beta) for k in range(dv.NY)])
    ctx = dv.rlhf_kl_optimum.check_context(generator(3), 3, unnormalised, {})
    assert not dv._rlhf_check(ctx).ok


# ------------------------------------------------------------------------------ the Gibbs gap
def test_gibbs_gap_sign_and_derivative() -> None:
    t = sp.Symbol("t", positive=True)
    x = sp.Symbol("x", real=True)
    assert gibbs(t).is_nonnegative is True
    assert gibbs(x).is_nonnegative is None  # no claim off the positive axis
    assert gibbs(sp.Integer(1)) == 0
    assert sp.simplify(sp.diff(gibbs(t), t) - sp.diff(t - 1 - log(t), t)) == 0
    ts = np.exp(np.linspace(-20, 20, 2001))
    assert np.all(ts - 1 - np.log(ts) >= 0)


@pytest.mark.parametrize("ident", [info.kl_nonnegative, va.elbo, dv.rlhf_kl_optimum])
def test_bounds_are_proved_symbolically(ident) -> None:  # type: ignore[no-untyped-def]
    p = prove(ident)
    assert p.ok
    bounds = [s for s in p.steps if s.relation in ("<=", ">=", "<", ">")]
    assert bounds and all(s.symbolic for s in bounds)


# ------------------------------------------------------------------------------ shared helpers
def test_table_moves_and_evaluator() -> None:
    from derive.numeric.discrete import evaluator, value_at, weights

    a = sp.IndexedBase("a", positive=True)
    b = sp.IndexedBase("b", positive=True)
    p = dm.Table(sp.Function("p"), a, 3)
    q = dm.Table(sp.Function("q"), b, 3)
    ident = info.kl_nonnegative  # its definitions are these tables, for K outcomes

    def unfold(e: sp.Basic) -> sp.Basic:  # the tables at K = 3
        return ident.unfold(e).subs(info.K3, 3).doit()

    kl = dm.kl(p, q, 3)
    wa, wb = np.array([1.0, 2.0, 3.0]), np.array([3.0, 1.0, 1.0])
    subs = {**weights(p, wa), **weights(q, wb)}
    pa, qb = wa / wa.sum(), wb / wb.sum()
    direct = float(np.sum(pa * np.log(pa / qb)))
    assert abs(value_at(kl, subs, unfold) - direct) < 1e-14
    assert abs(evaluator(kl, unfold)(subs) - direct) < 1e-14
    # the Gibbs forms agree with the KL only because both tables sum to one
    assert abs(evaluator(dm.kl_gibbs(p, q, 3), unfold)(subs) - direct) < 1e-14
    assert abs(evaluator(dm.kl_gibbs_written(p, q, 3), unfold)(subs) - direct) < 1e-14
    assert abs(evaluator(dm.total(p, 3), unfold)(subs) - 1.0) < 1e-15


def test_gaussian_moments_move() -> None:
    from derive.maths import gaussian as gm

    u = sp.Symbol("u", real=True)
    c0, c1, c2 = sp.symbols("c0 c1 c2", real=True)
    e = gm.expectation(c0 + c1 * u + c2 * u**2, u)
    split = gm.moments(e, (u,))
    assert split.atoms(sp.Integral) and sp.expand(gm.integrate(split) - (c0 + c2)) == 0
