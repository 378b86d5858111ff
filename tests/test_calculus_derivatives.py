"""Targeted falsehoods for the 2.1/2.2 derivatives: the mistakes a student or a careless derivation makes.

Each test perturbs one statement of an identity (``derive.perturb.perturbed``) and asserts that
``prove`` rejects it and names the statement, or feeds a wrong formula to a cross-check and asserts
that the check fails.
"""

from __future__ import annotations

from itertools import pairwise

import numpy as np
import pytest
import sympy as sp
from sympy import Eq, ImmutableMatrix, KroneckerDelta, Le, Rational, Sum, exp, log, tanh

from derive.core.identity import Identity
from derive.core.near_misses import perturbed
from derive.core.proof import prove_identity as prove
from derive.identities import activations, backprop, softmax
from derive.maths.domains import punctured
from derive.maths.special import sigmoid
from derive.numeric.sampling import generator
from derive.numeric.stable import logsumexp, nonfinite, softmax_naive
from derive.numeric.stable import softmax as stable_softmax
from derive.verify.ladder import Ladder

x = activations.x


def rejects(ident: Identity, label: str, wrong: sp.Basic) -> str:
    """Prove ``ident`` with statement ``label`` replaced by ``wrong``; it must fail, naming ``label``."""
    p = prove(perturbed(ident, label, wrong))
    assert not p.ok, f"{ident.name}: the falsehood in {label!r} was accepted"
    assert p.failure and label in p.failure, p.failure
    return p.failure


# ----------------------------------------------------------------------------- softmax Jacobian
def test_softmax_jacobian_sign_of_sj_flipped() -> None:
    s_, i, j, z = softmax.s_, softmax.i, softmax.j, softmax.z
    wrong = Eq(sp.Derivative(s_(i), z[j]), s_(i) * (KroneckerDelta(i, j) + s_(j)))
    rejects(softmax.softmax_jacobian, "claim", wrong)


def test_softmax_jacobian_without_the_diagonal_term() -> None:
    """-s s^T alone (the delta_ij s_i term dropped) for n = 3."""
    heads = softmax.HEADS[3]
    lhs = softmax.softmax_jacobian.statements[2].relation.lhs  # J for n = 3
    wrong = Eq(lhs, ImmutableMatrix(-heads * heads.T), evaluate=False)
    rejects(softmax.softmax_jacobian, "J for n = 3", wrong)


def test_softmax_jacobian_rows_do_not_sum_to_one() -> None:
    """A common slip: the rows of J sum to 0, not to 1 (that is softmax itself)."""
    relation = next(s.relation for s in softmax.softmax_jacobian.statements if s.label == "J 1 = 0")
    rejects(softmax.softmax_jacobian, "J 1 = 0", Eq(relation.lhs, 1))


@pytest.mark.parametrize(
    "wrong",
    ["scaled", "mean doubled", "weights dropped", "sum of s not 1", "s_i squared"],
)
def test_softmax_psd_variance_step_rejects_near_misses(wrong: str) -> None:
    """The link sum_i s_i v_i^2 - vbar^2 = sum_i s_i (v_i - vbar)^2, any n, against its near misses."""
    s_, i, j, n, v, mean = softmax.s_, softmax.i, softmax.j, softmax.n, softmax.v, softmax.MEAN
    ident = softmax.softmax_jacobian
    ladder = Ladder(domains=ident.domains, unfold=ident.unfold, seed=1)
    variance = Sum(s_(i) * v[i] ** 2, (i, 1, n)) - Sum(s_(i) * v[i], (i, 1, n)) ** 2
    forms = {
        "scaled": Sum(s_(i) * (v[i] - mean) ** 2, (i, 1, n)) * Rational(1000001, 1000000),
        "mean doubled": Sum(s_(i) * (v[i] - 2 * mean) ** 2, (i, 1, n)),
        "weights dropped": Sum((v[i] - mean) ** 2, (i, 1, n)),
        "sum of s not 1": Sum(s_(i) * v[i] ** 2, (i, 1, n)) - Sum(s_(i) * v[i] ** 2, (i, 1, n)) * Sum(s_(j), (j, 1, n)),
        "s_i squared": Sum(s_(i) * v[i] ** 2, (i, 1, n)) - Sum(s_(i) ** 2 * v[i] ** 2, (i, 1, n)),
    }
    assert ladder.equal(variance, Sum(s_(i) * (v[i] - mean) ** 2, (i, 1, n))).symbolic
    assert ladder.equal(variance, forms[wrong]).ok is False


def test_softmax_jacobian_crosscheck_catches_a_wrong_formula() -> None:
    ident = softmax.softmax_jacobian
    p = prove(ident)
    assert p.ok, p.text()
    s, i, j = softmax.s, softmax.i, softmax.j
    wrong = {"J in s": s[i] * (KroneckerDelta(i, j) + s[j])}
    ctx = ident.check_context(generator(1, salt="test"), 1, p.result, wrong)
    assert not ident.crosscheck(ctx).ok


def test_naive_softmax_overflows_and_nonfinite_fails_a_comparison() -> None:
    z = np.array([800.0, 799.0, -3.0])
    assert nonfinite(softmax_naive(z)) > 0
    assert np.all(np.isfinite(stable_softmax(z)))
    ctx = softmax.softmax_jacobian.check_context(generator(1), 1)
    assert not ctx.compare("naive", "overflow", softmax_naive(z), stable_softmax(z)).ok


# ----------------------------------------------------------------------------- cross-entropy, log-sum-exp
def test_cross_entropy_grad_needs_a_normalised_target() -> None:
    """s - y for unnormalised weights y (sum y != 1) is false: the gradient is s sum(y) - y."""
    ident = softmax.softmax_cross_entropy_grad
    j, y = softmax.j, softmax.y
    wrong = Eq(sp.Derivative(softmax.CE_ANY_Y, softmax.z[j]), softmax.s_(j) - y[j])
    bad = perturbed(ident, "claim", wrong)
    p = prove(bad)
    assert not p.ok and p.failure and "claim" in p.failure
    # and the ladder itself refutes the unnormalised gradient
    ladder = Ladder(domains=bad.domains, unfold=bad.unfold, seed=3)
    assert ladder.equal(wrong.lhs, wrong.rhs).ok is False


def test_cross_entropy_grad_sign_flipped() -> None:
    ident = softmax.softmax_cross_entropy_grad
    j = softmax.j
    rejects(ident, "claim", Eq(ident.claim.lhs, softmax.y_(j) - softmax.s_(j)))


def test_cross_entropy_grad_wrong_any_weights() -> None:
    """Forgetting the sum of the weights: s - y is not the gradient for unnormalised y."""
    ident = softmax.softmax_cross_entropy_grad
    j, y = softmax.j, softmax.y
    rejects(ident, "any y", Eq(sp.Derivative(softmax.CE_ANY_Y, softmax.z[j]), softmax.s_(j) - y[j]))


def test_log_sum_exp_shift_with_the_wrong_sign() -> None:
    z, k, n, m = softmax.z, softmax.k, softmax.n, softmax.m
    rejects(softmax.log_sum_exp, "claim", Eq(softmax.LSE, -m + log(Sum(exp(z[k] - m), (k, 1, n)))))


def test_log_sum_exp_is_stable_where_the_naive_form_overflows() -> None:
    z = np.array([1000.0, 999.0, -1000.0])
    assert np.isfinite(logsumexp(z)) and abs(logsumexp(z) - (1000.0 + np.log1p(np.exp(-1.0)))) < 1e-12
    with np.errstate(over="ignore"):
        assert not np.isfinite(np.log(np.sum(np.exp(z))))


# ----------------------------------------------------------------------------- activations
def test_sigmoid_derivative_sign_flipped() -> None:
    rejects(activations.sigmoid_derivative, "claim", Eq(sp.Derivative(sigmoid(x), x), sigmoid(x) * (1 + sigmoid(x))))


def test_sigmoid_derivative_bound_one_fifth() -> None:
    rejects(activations.sigmoid_derivative, "bound", Le(sigmoid(x) * (1 - sigmoid(x)), Rational(1, 5)))


def test_tanh_derivative_plus_tanh_squared() -> None:
    rejects(activations.tanh_derivative, "claim", Eq(sp.Derivative(tanh(x), x), 1 + tanh(x) ** 2))


def test_tanh_is_not_sigma_of_x() -> None:
    """tanh(x) = 2 sigma(2x) - 1; forgetting the 2 inside is a common slip."""
    rejects(activations.tanh_derivative, "tanh = 2 sigma(2x) - 1", Eq(tanh(x), 2 * sigmoid(x) - 1))


def test_relu_derivative_is_not_sign() -> None:
    xr = activations.xr
    rejects(activations.relu_derivative, "claim", Eq(sp.Derivative(sp.Max(0, xr), xr), sp.sign(xr)))


def test_relu_domain_leaves_out_the_kink() -> None:
    dom = punctured(-8, 8)
    assert sp.Integer(0) not in dom.edge_points()
    assert not dom.contains(sp.Integer(0)) and dom.contains(sp.Rational(1, 1000))


def test_gelu_tanh_derivative_with_a_mistyped_constant() -> None:
    """0.04475 instead of 0.044715 in the derivative: off by 8e-4 relative in c, caught."""
    ident = activations.gelu_tanh_approx
    wrong_prime = activations.GELU_TANH_PRIME.subs(activations.c, Rational(4475, 10**5))
    rejects(ident, "claim", Eq(ident.claim.lhs, wrong_prime))


def test_gelu_tanh_published_constant_does_not_match_x4() -> None:
    """0.044715 is fitted, not the Taylor constant (4 - pi)/(6 pi): the x^4 coefficients differ."""
    ident = activations.gelu_tanh_approx
    relation = next(s.relation for s in ident.statements if s.label == "4th order")
    published = sp.Subs(sp.Derivative(activations.gelu_tanh(activations.C), x, 4), x, 0) / 24
    rejects(ident, "4th order", Eq(published, relation.rhs))


def test_gelu_tanh_max_error_is_measured() -> None:
    r = activations._max_gelu_error(activations.gelu_tanh_approx.check_context(generator(1), 1))
    assert r.ok and 4.7e-4 < r.error < 4.8e-4


# ----------------------------------------------------------------------------- backprop
def test_backprop_without_the_transpose() -> None:
    """delta[2] = (W[3] delta[3]) * f'(z[2]) (W not transposed) is wrong for a non-symmetric W."""
    a, w, delta = backprop.A, backprop.WEIGHTS, backprop.DELTA
    wrong_delta = (w[2] * delta[2]).multiply_elementwise(a[2].applyfunc(lambda v: 1 - v**2))
    wrong = Eq(backprop.gradient_form(2), ImmutableMatrix(wrong_delta * a[1].T), evaluate=False)
    rejects(backprop.backprop_chain_rule, "layer 2", wrong)


def test_backprop_without_the_activation_derivative() -> None:
    """Forgetting f'(z[3]) in the output error signal."""
    a, t = backprop.A, backprop.T
    wrong = Eq(backprop.gradient_form(3), ImmutableMatrix((a[3] - t) * a[2].T), evaluate=False)
    rejects(backprop.backprop_chain_rule, "layer 3", wrong)


@pytest.mark.parametrize("depth", [1, 6])
def test_backprop_moves_agree_with_finite_differences(depth: int) -> None:
    from derive.maths.layers import backward, forward
    from derive.numeric.linalg import gradient_fd

    rng = np.random.default_rng(7)
    widths = [3] + [4] * (depth - 1) + [2]
    ws = [rng.normal(size=(k, m)) / np.sqrt(m) for m, k in pairwise(widths)]
    xv, t = rng.normal(size=3), rng.normal(size=2)
    zs, acts = forward(xv, ws, np.tanh)
    _, grads = backward(ws, zs, acts, acts[-1] - t, lambda z: 1 - np.tanh(z) ** 2)

    def loss(m: np.ndarray) -> float:
        _, a = forward(xv, [*ws[:-1], m], np.tanh)
        return float(0.5 * np.sum((a[-1] - t) ** 2))

    assert np.allclose(grads[-1], gradient_fd(loss, ws[-1]), rtol=1e-6, atol=1e-9)
