"""Targeted falsehoods for section 5 (optimisers, schedules) and the section-6 curriculum chapters.

Each test perturbs one statement the way a student or a careless derivation would (a bias correction
one power off, a momentum series summed with the wrong sign, a schedule's mean without its floor, a
kernel not flipped in a convolution's backward pass...) and checks that the proof fails and names the
statement; some check that an independent cross-check catches a wrong formula on its own, and that
the answer checker accepts an equivalent form of a question's answer.
"""

from __future__ import annotations

import numpy as np
import sympy as sp
from sympy import Eq, Le, Rational, cos, log, pi

import derive
from derive.core.near_misses import perturbed
from derive.core.proof import prove_identity as prove
from derive.identities import graphs as gr
from derive.identities import kernels as ke
from derive.identities import models as mo
from derive.identities import numerical as nu
from derive.identities import optimisers as op
from derive.identities import schedules as sc
from derive.maths.notation import notation
from derive.numeric.montecarlo import agrees, estimate
from derive.numeric.sampling import generator


def _rejected(ident, label: str, wrong: sp.Basic) -> None:  # type: ignore[no-untyped-def]
    p = prove(perturbed(ident, label, wrong))
    assert not p.ok, f"{ident.name}: the wrong {label!r} was accepted"
    assert p.failure and label in p.failure, p.failure


# ------------------------------------------------------------------------------ 5.2 schedules
def test_cosine_mean_without_floor() -> None:
    _rejected(sc.cosine_schedule, "mean", Eq(sp.Integral(sc.eta(sc.t), (sc.t, 0, sc.T)) / sc.T, sc.eta_max / 2))


def test_cosine_start_and_end_swapped() -> None:
    _rejected(sc.cosine_schedule, "start", Eq(sc.eta(0), sc.eta_min))


def test_cosine_half_angle_with_the_full_angle() -> None:
    wrong = sc.eta_min + (sc.eta_max - sc.eta_min) * cos(pi * sc.t / sc.T) ** 2
    _rejected(sc.cosine_schedule, "half-angle", Eq(sc.eta(sc.t), wrong))


def test_cosine_ratio_recursion_off_by_one_step() -> None:
    t, T = sc.t, sc.T
    wrong = sc.eta_min + (sc.eta(t) - sc.eta_min) * (1 + cos(pi * (t + 2) / T)) / (1 + cos(pi * t / T))
    _rejected(sc.cosine_schedule, "ratio recursion", Eq(sc.eta(t + 1), wrong))


def test_cosine_crosscheck_catches_a_full_period() -> None:
    wrong = sc.eta_min + (sc.eta_max - sc.eta_min) * (1 + cos(2 * pi * sc.t / sc.T)) / 2
    assert not sc._cosine_check(sc.cosine_schedule.check_context(generator(3), 3, wrong, {})).ok
    assert sc._cosine_check(sc.cosine_schedule.check_context(generator(3), 3, sc.COSINE, {})).ok


def test_cosine_answer_in_half_angle_form_is_accepted() -> None:
    assert derive.check("cosine-schedule", "eta_min + (eta_max - eta_min)*cos(pi*t/(2*T))^2").correct is True
    assert derive.check("cosine-schedule", "eta_max*(1 + cos(pi*t/T))/2").correct is False


def test_warmup_area_is_a_triangle() -> None:
    area = sp.Integral(sc.eta_warm(sc.t_run), (sc.t_run, 0, sc.T_warm))
    _rejected(sc.linear_warmup, "warmup area", Eq(area, sc.eta_max * sc.T_warm))


def test_wsd_is_not_twice_the_cosine_area() -> None:
    lhs = sc.wsd_schedule.statements[-1].relation.lhs
    _rejected(sc.wsd_schedule, "larger than cosine", sp.Gt(lhs, sc.peak * sc.T_SPLIT))


def test_wsd_area_is_not_the_cosine_area() -> None:
    lhs = sc.wsd_schedule.statements[0].relation.lhs
    _rejected(sc.wsd_schedule, "area", Eq(lhs, sc.peak * sc.T_all / 2))


# ------------------------------------------------------------------------------ 5.1 optimisers
def test_momentum_steady_state_with_one_plus_beta() -> None:
    wrong = Eq(op.gbar / (1 + op.beta) - op._geometric(op.t), op.beta**op.t * op.gbar / (1 + op.beta))
    _rejected(op.sgd_momentum, "gap", wrong)
    assert derive.check("sgd-momentum", "eta/(1 + beta)").correct is False
    assert derive.check("sgd-momentum", "eta/(1 - beta)").correct is True


def test_momentum_unrolled_with_one_power_too_many() -> None:
    t, k, b, g = op.t, op.k, op.beta, op.g
    wrong = sp.Sum(b ** (t - k + 1) * g[k], (k, 1, t))
    lhs = op.sgd_momentum.statements[0].relation.lhs
    _rejected(op.sgd_momentum, "unrolled", Eq(lhs, wrong, evaluate=False))


def test_adam_bias_correction_one_power_off() -> None:
    corrected = sp.Mul(op._mean_m(op.t), sp.Pow(1 - op.beta1 ** (op.t + 1), -1), evaluate=False)
    _rejected(op.adam_bias_correction, "m_hat unbiased", Eq(corrected, op.mu, evaluate=False))


def test_adam_mean_of_m_without_the_bias() -> None:
    lhs = op.adam_bias_correction.statements[[s.label for s in op.adam_bias_correction.statements].index("E[m_t]")]
    wrong = Eq(lhs.relation.lhs, op.mu, evaluate=False)
    _rejected(op.adam_bias_correction, "E[m_t]", wrong)


def test_adam_monte_carlo_separates_right_and_wrong_corrections() -> None:
    # the Monte Carlo tolerance (5 standard errors) is tight enough to reject m_t/(1 - beta1^(t+1))
    ctx = op.adam_bias_correction.check_context(generator(5), 5, None, {})
    assert op._adam_check(ctx).ok
    rng = np.random.default_rng(11)
    b1, mean = 0.9, 1.3
    m = op._ema_loop(rng.normal(mean, 1.0, size=(12, 20000)), b1, 1 - b1)
    steps = np.arange(1, 13)[:, None]
    assert agrees(ctx, "right", estimate(m / (1 - b1**steps), axis=1), mean).ok
    assert not agrees(ctx, "wrong", estimate(m / (1 - b1 ** (steps + 1)), axis=1), mean).ok


def test_adamw_sgd_decay_without_learning_rate() -> None:
    wrong = Eq(op.SGD_L2, (1 - op.lam) * op.THETA - op.eta * op._grad(op.LOSS), evaluate=False)
    _rejected(op.adamw_decoupled, "SGD", wrong)


def test_adamw_gap_without_the_preconditioner() -> None:
    wrong = sp.Matrix([op.eta * op.lam * op.th1, op.eta * op.lam * op.th2])
    _rejected(op.adamw_decoupled, "Adam: L2 vs decoupled", Eq(op.ADAM_L2 - op.ADAMW, wrong, evaluate=False))


def test_muon_cubic_with_the_wrong_sign() -> None:
    wrong = op._p(op.sigma, Rational(3, 2), Rational(1, 2), 0)
    _rejected(op.muon_newton_schulz, "positive", Eq(op.CUBIC, wrong, evaluate=False))


def test_muon_slope_at_one_is_zero_not_one() -> None:
    _rejected(op.muon_newton_schulz, "p'(1) = 0", Eq(sp.Subs(sp.Derivative(op.CUBIC, op.sigma), op.sigma, 1), 1))


def test_shampoo_kronecker_factors_in_the_wrong_order() -> None:
    lhs = op.soap_shampoo.statements[0].relation.lhs
    wrong = notation("wrong", sp.kronecker_product(op.L_Q, op.R_Q) * op.vec(op.GM), "kron(L, R) vec G")
    _rejected(op.soap_shampoo, "Kronecker form", Eq(lhs, wrong, evaluate=False))


# ------------------------------------------------------------------------------ 6 curriculum chapters
def test_mle_variance_bias_inverted() -> None:
    lhs = nu._expected_variance(3)
    _rejected(nu.mle_gaussian, "bias n = 3", Eq(lhs, Rational(3, 2) * nu.sigma**2, evaluate=False))


def test_mle_mean_with_bessel_divisor() -> None:
    _rejected(nu.mle_gaussian, "mu_hat", Eq(nu.mu, sp.Sum(nu.xs[nu.i], (nu.i, 1, nu.n)) / (nu.n - 1)))


def test_condition_bound_with_kappa_not_squared() -> None:
    _rejected(nu.condition_number, "bound", Le(nu.REL_X, nu.KAPPA * nu.REL_B))


def test_condition_gram_has_squared_singular_values() -> None:
    wrong = notation("wrong", nu.V_C * nu.S_C * nu.V_C.T, "V S V^T")
    _rejected(nu.condition_number, "Gram spectrum", Eq(nu.GRAM, wrong, evaluate=False))


def test_central_difference_coefficient_third_not_sixth() -> None:
    fk, h = nu.fk, nu.hx
    _rejected(nu.central_difference, "truncation", Eq(nu.QUOTIENT, fk[1] + h**2 * fk[3] / 3 + h**4 * fk[5] / 120))


def test_central_difference_optimal_step_square_root() -> None:
    _rejected(nu.central_difference, "optimal h", Eq(nu.hx, sp.sqrt(3 * nu.mach * nu.F_ABS / nu.F3_ABS)))


def test_random_walk_is_not_uniform() -> None:
    lhs = gr.random_walk_stationary.statements[0].relation.lhs
    _rejected(gr.random_walk_stationary, "pi P = pi", Eq(lhs, 1 / gr.n_nodes))


def test_kernel_features_without_sqrt2() -> None:
    x1, x2, y1, y2, c = ke.x1, ke.x2, ke.y1, ke.y2, ke.c
    wrong = (x1 * y1) ** 2 + (x2 * y2) ** 2 + x1 * x2 * y1 * y2 + 2 * c * (x1 * y1 + x2 * y2) + c**2
    _rejected(ke.kernel_trick, "feature map", Eq(ke.KERNEL, wrong))


def test_layernorm_jacobian_without_the_yy_term() -> None:
    lhs = mo.layernorm_jacobian.statements[0].relation.lhs
    wrong = (sp.KroneckerDelta(mo.i_ln, mo.j_ln) - 1 / mo.n_ln) / mo.SIGMA_N
    _rejected(mo.layernorm_jacobian, "Jacobian", Eq(lhs, wrong))


def test_layernorm_sum_of_squares_is_not_one() -> None:
    lhs = mo.layernorm_jacobian.statements[2].relation.lhs
    _rejected(mo.layernorm_jacobian, "sum y^2 = n", Eq(lhs, 1))


def test_conv_output_length_needs_the_plus_one() -> None:
    n, p, k = mo.n_sig, mo.p_pad, mo.k_ker
    lhs = sp.Sum(1, (mo.i_win, 0, n + 2 * p - k))
    _rejected(mo.conv_backprop, "output length, stride 1", Eq(lhs, n + 2 * p - k))


def test_conv_input_gradient_needs_the_flipped_kernel() -> None:
    lhs = mo.conv_backprop.statements[0].relation.lhs
    k = mo.K_SIZE
    unflipped = mo._correlate([0] * (k - 1) + list(mo.DELTA) + [0] * (k - 1), list(mo.WC))
    _rejected(mo.conv_backprop, "input gradient", Eq(lhs, notation("wrong", unflipped, "unflipped"), evaluate=False))


def test_conv_output_length_needs_padding_on_both_sides() -> None:
    # floor((n + p - k)/s) + 1 disagrees with counting the windows as soon as p > 0
    misses = [
        (n, k, p, s)
        for n in range(1, 20)
        for p in range(1, 3)
        for k in range(1, n + 1)
        for s in range(1, 4)
        if mo._out_len(n, k, p, s) != (n + p - k) // s + 1
    ]
    assert misses
    assert all(mo._out_len(n, k, p, s) == (n + 2 * p - k) // s + 1 for n, k, p, s in misses)


def test_gan_discriminator_is_not_the_generator_share() -> None:
    _rejected(mo.gan_optimal_discriminator, "D*", Eq(mo.D, mo.b_pt / (mo.a_pt + mo.b_pt)))


def test_gan_value_with_log2_instead_of_log4() -> None:
    _rejected(mo.gan_optimal_discriminator, "value", Eq(mo.VALUE_TEX, mo.JSD2 - log(2), evaluate=False))


def test_conv_output_length_answers() -> None:
    assert derive.check("conv-backprop", "floor((n + 2*p - k)/s) + 1").correct is True
    wrong = derive.check("conv-backprop", "floor((n + p - k)/s) + 1")
    assert wrong.correct is False and wrong.diagnosis
