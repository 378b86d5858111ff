"""Targeted falsehoods for the probability identities (3.1 likelihood, 3.2 distributions, 3.3 Bayes).

Each test perturbs one statement the way a student or a careless derivation would (the ridge
penalty inverted, the -1 of the Gaussian KL dropped, the dropout variance upside down, the n of the
posterior precision forgotten, ...) and checks that the proof fails and names the statement; some
check that an independent cross-check catches a wrong closed form on its own, and the shared
Gaussian and Monte Carlo helpers are tested directly.
"""

from __future__ import annotations

import numpy as np
import sympy as sp
from sympy import Derivative, Eq, Limit, Matrix, Rational, Sum, log, oo, pi, sqrt

from derive.core.near_misses import perturbed
from derive.core.proof import prove_identity as prove
from derive.identities import bayes as by
from derive.identities import distributions as ds
from derive.identities import likelihood as lk
from derive.maths.gaussian import expectation, integrate, normal_pdf
from derive.numeric.crosscheck import CheckContext
from derive.numeric.montecarlo import agrees, estimate, normal_expectation, normal_quad
from derive.numeric.sampling import generator


def _rejected(ident, label: str, wrong: sp.Basic) -> None:  # type: ignore[no-untyped-def]
    p = prove(perturbed(ident, label, wrong))
    assert not p.ok, f"{ident.name}: the wrong {label!r} was accepted"
    assert p.failure and label in p.failure, p.failure


def _context(ident, result: sp.Basic | None = None) -> CheckContext:  # type: ignore[no-untyped-def]
    return ident.check_context(generator(11), 11, result, {})


# ------------------------------------------------------------------------------------------ map-ridge
def test_ridge_lambda_inverted() -> None:
    _rejected(lk.map_ridge, "MAP (1-D)", Eq(lk.w_map, lk.Sxy / (lk.Sxx + lk.tau**2 / lk.sigma**2)))


def test_ridge_without_prior_is_least_squares_not_map() -> None:
    _rejected(lk.map_ridge, "MAP (1-D)", Eq(lk.w_map, lk.Sxy / lk.Sxx))


def test_ridge_matrix_form_with_x_instead_of_x_transpose() -> None:
    gram = lk.X2.T * lk.X2 + lk.LAMBDA * sp.eye(2)
    wrong = gram.adjugate() * (lk.X2 * lk.y2) / gram.det()
    _rejected(lk.map_ridge, "ridge (2x2)", Eq(lk.w2_map, wrong))


def test_ridge_penalty_over_sigma_instead_of_tau() -> None:
    wrong = (
        lk.SSE_NAME / (2 * lk.sigma**2)
        + lk.w**2 / (2 * lk.sigma**2)
        + lk.n_obs * log(2 * pi * lk.sigma**2) / 2
        + log(2 * pi * lk.tau**2) / 2
    )
    _rejected(lk.map_ridge, "neg log posterior", Eq(lk.NLP_NAME, wrong))


def test_ridge_crosscheck_catches_inverted_lambda() -> None:
    right = _context(lk.map_ridge, lk.Sxy / (lk.Sxx + lk.sigma**2 / lk.tau**2))
    assert lk._ridge_check(right).ok
    wrong = _context(lk.map_ridge, lk.Sxy / (lk.Sxx + lk.tau**2 / lk.sigma**2))
    assert not lk._ridge_check(wrong).ok


# ------------------------------------------------------------------------------ mle, lasso, KL, reparam
def test_cross_entropy_without_dividing_by_n() -> None:
    wrong = -Sum(lk.n_cls[lk.k_cls] * log(lk.q_cls[lk.k_cls]), lk.CLASSES)
    _rejected(lk.mle_cross_entropy, "cross-entropy", Eq(lk.mle_cross_entropy.claim.lhs, wrong))


def test_gaussian_nll_without_half() -> None:
    wrong = (lk.y_obs - lk.f_pred) ** 2 / lk.sigma**2 + log(2 * pi * lk.sigma**2) / 2
    _rejected(lk.mle_cross_entropy, "Gaussian NLL", Eq(lk.GAUSS_NLL, wrong))


def test_lasso_threshold_without_sigma_squared() -> None:
    wrong = (
        (lk.w - lk.Sxy / lk.Sxx) ** 2 / 2
        + sp.Abs(lk.w) / (lk.b_scale * lk.Sxx)
        + (lk.Syy - lk.Sxy**2 / lk.Sxx) / (2 * lk.Sxx)
    )
    _rejected(lk.map_lasso, "prox form", Eq(lk.sigma**2 / lk.Sxx * lk.LASSO_NLP, wrong))


def test_lasso_positive_branch_with_wrong_sign() -> None:
    _rejected(lk.map_lasso, "w > 0", Eq(lk.w_pos, lk.z_ols + lk.t_thr))


def test_kl_missing_minus_one() -> None:
    _rejected(lk.kl_gaussian_standard, "KL", Eq(lk.KL_NAME, (lk.mu**2 + lk.s**2 - log(lk.s**2)) / 2))


def test_kl_log_s_instead_of_log_s_squared() -> None:
    _rejected(lk.kl_gaussian_standard, "KL", Eq(lk.KL_NAME, (lk.mu**2 + lk.s**2 - 1 - log(lk.s)) / 2))


def test_kl_diagonal_with_a_single_minus_one() -> None:
    wrong = sum((m**2 + v**2 - log(v**2)) / 2 for m, v in zip(lk.mus, lk.ss, strict=True)) - Rational(1, 2)
    _rejected(lk.kl_gaussian_standard, "diagonal (d = 2)", Eq(lk.KL2_NAME, wrong))


def test_kl_crosscheck_catches_missing_minus_one() -> None:
    assert lk._kl_check(_context(lk.kl_gaussian_standard, lk.KL_STANDARD)).ok
    wrong = (lk.mu**2 + lk.s**2 - log(lk.s**2)) / 2
    assert not lk._kl_check(_context(lk.kl_gaussian_standard, wrong)).ok


def test_reparameterization_s_gradient_without_epsilon() -> None:
    _rejected(lk.reparameterization, "d/ds", Eq(Derivative(lk.E_F, lk.s), lk.E_FPRIME))


# ---------------------------------------------------------------------------------------- distributions
def test_normalizer_s_inside_the_root() -> None:
    one_d = ds.gaussian_normalizer.statements[1]
    _rejected(ds.gaussian_normalizer, "1-D", Eq(one_d.relation.lhs, sqrt(2 * pi * ds.s)))


def test_normalizer_2d_without_square_root_of_det() -> None:
    _rejected(ds.gaussian_normalizer, "2-D", Eq(ds.NORMALIZER_2D, 2 * pi * ds.lam1 * ds.lam2))


def test_normalizer_det_as_trace() -> None:
    _rejected(ds.gaussian_normalizer, "det", Eq(ds.DET, ds.lam1 + ds.lam2))


def test_he_without_the_relu_half() -> None:
    _rejected(ds.he_xavier_init, "He", Eq(ds.v_he, 1 / ds.n_in))


def test_relu_second_moment_is_half_the_variance() -> None:
    _rejected(ds.he_xavier_init, "relu", Eq(ds.RELU2, ds.s**2))


def test_xavier_without_the_two() -> None:
    _rejected(ds.he_xavier_init, "Xavier", Eq(ds.v_xavier, 1 / (ds.n_in + ds.n_out)))


def test_softmax_hot_limit_is_uniform_not_one_hot() -> None:
    _rejected(ds.categorical_softmax, "T -> oo", Eq(Limit(ds.TOP, ds.T, oo), 1))


def test_softmax_cold_limit_of_top_class() -> None:
    _rejected(ds.categorical_softmax, "T -> 0+ (top)", Eq(Limit(ds.TOP, ds.T, 0, "+"), Rational(1, 3)))


def test_dropout_variance_upside_down() -> None:
    lhs = Sum(ds.BERNOULLI * (ds.m * ds.xv / ds.p_keep - ds.xv) ** 2, (ds.m, 0, 1))
    _rejected(ds.bernoulli_dropout, "variance", Eq(lhs, ds.xv**2 * ds.p_keep / (1 - ds.p_keep)))


def test_dropout_without_rescaling_is_biased() -> None:
    lhs = Sum(ds.BERNOULLI * ds.m * ds.xv / ds.p_keep, (ds.m, 0, 1))
    _rejected(ds.bernoulli_dropout, "mean", Eq(lhs, ds.p_keep * ds.xv))


def test_bce_gradient_sign() -> None:
    _rejected(ds.bernoulli_dropout, "gradient", Eq(Derivative(ds.BCE, ds.z_logit), ds.y_lbl - ds.sigmoid(ds.z_logit)))


def test_dirichlet_predictive_without_prior() -> None:
    _rejected(ds.dirichlet_categorical, "predictive", Eq(ds.PRED, ds.counts[0] / ds.N_ALL))


def test_ddpm_variance_as_sum_of_betas() -> None:
    wrong = Matrix([sum(ds.betas[:t]) for t in range(1, 5)])
    _rejected(ds.ddpm_forward, "t = 1..4", Eq(ds.VARS_1_4, wrong))


def test_ddpm_mean_step_without_square_root() -> None:
    _rejected(ds.ddpm_forward, "mean step", Eq(ds.MEAN_T, (1 - ds.beta_t) * ds.abar_prev * ds.x0))


def test_ddpm_monte_carlo_chain_matches_the_closed_form() -> None:
    # 12 forward steps simulated on 200 000 samples, within 5 standard errors of the closed form
    assert ds._ddpm_mc(_context(ds.ddpm_forward)).ok


# ----------------------------------------------------------------------------------------------- Bayes
def test_posterior_precision_missing_n() -> None:
    _rejected(
        by.bayes_gaussian_conjugate,
        "precision",
        Eq(Derivative(by.NEG_LOG_POST, (by.mu, 2)), 1 / by.tau**2 + 1 / by.sigma**2),
    )


def test_posterior_mean_without_prior_weight() -> None:
    _rejected(by.bayes_gaussian_conjugate, "mean", Eq(by.mu_hat, by.TAU_N2 * (by.mu0 + by.Sx / by.sigma**2)))


def test_completed_square_with_variances_added() -> None:
    wrong_prec = 1 / (by.tau**2 + by.sigma**2 / by.n)
    lhs = by.bayes_gaussian_conjugate.claim.lhs
    _rejected(by.bayes_gaussian_conjugate, "complete the square", Eq(lhs, (by.mu - by.MU_N) ** 2 * wrong_prec / 2))


def test_laplace_occam_factor_sign() -> None:
    lhs = by.laplace_evidence.statements[1].relation.lhs
    _rejected(by.laplace_evidence, "Gaussian integral", Eq(lhs, by.f_star + log(2 * pi) / 2 + log(by.h) / 2))


def test_laplace_curvature_missing_prior() -> None:
    _rejected(by.laplace_evidence, "curvature", Eq(-Derivative(by.LOG_JOINT, (by.theta, 2)), 1 / by.sigma**2))


def test_laplace_map_without_shrinkage() -> None:
    _rejected(by.laplace_evidence, "MAP", Eq(by.theta_star, by.x))


# ------------------------------------------------------------------------------------- shared helpers
def test_gaussian_move_moments() -> None:
    z = sp.Symbol("z", real=True)
    mu, s = sp.Symbol("mu", real=True), sp.Symbol("s", positive=True)
    assert integrate(expectation(sp.S.One, z, mu, s)) == 1
    assert sp.expand(integrate(expectation(z**2, z, mu, s)) - (mu**2 + s**2)) == 0
    assert sp.expand(integrate(expectation(z**4, z, mu, s, expand=True)) - (mu**4 + 6 * mu**2 * s**2 + 3 * s**4)) == 0
    assert sp.simplify(integrate(expectation(z**2, z, 0, s, lo=0)) - s**2 / 2) == 0
    assert sp.simplify(normal_pdf(z, mu, s).subs(z, mu) - 1 / (sqrt(2 * pi) * s)) == 0


def test_quadrature_helpers_agree() -> None:
    mu, s = 0.3, 1.7
    assert abs(normal_expectation(lambda v: v**2, mu, s) - (mu**2 + s**2)) < 1e-12
    assert abs(normal_quad(lambda v: max(v, 0.0) ** 2, 0.0, s) - s**2 / 2) < 1e-10


def test_monte_carlo_agrees_within_standard_errors_and_rejects_a_biased_value() -> None:
    ctx = _context(lk.reparameterization)
    draws = generator(3).normal(1.0, 2.0, size=100_000)
    est = estimate(draws)
    assert agrees(ctx, "mean", est, 1.0).ok
    assert not agrees(ctx, "mean", est, 1.0 + 10 * float(est.stderr)).ok
    assert not agrees(ctx, "mean", estimate(np.array([np.nan, 1.0, 2.0])), 1.0).ok


def test_regulariser_centred_at_zero_instead_of_prior_mean() -> None:
    wrong = (
        by.SSE_NAME / (2 * by.sigma**2)
        + by.mu**2 / (2 * by.tau**2)
        + by.n * log(2 * pi * by.sigma**2) / 2
        + log(2 * pi * by.tau**2) / 2
    )
    _rejected(by.bayes_gaussian_conjugate, "loss + regulariser", Eq(by.NLJ_NAME, wrong))
