"""Targeted falsehoods for maximum likelihood as minimum cross-entropy (map 3.1): the mean NLL without
the division by N, the Gaussian NLL without its 1/2."""

from __future__ import annotations

from collections.abc import Callable

from sympy import Eq, Sum, log, pi

from derive.identities.probability import mle_cross_entropy as mc


def test_cross_entropy_without_dividing_by_n(rejected: Callable[..., None]) -> None:
    wrong = -Sum(mc.n_cls[mc.k_cls] * log(mc.q_cls[mc.k_cls]), mc.CLASSES)
    rejected(mc.MLE_CROSS_ENTROPY, "cross-entropy", Eq(mc.MLE_CROSS_ENTROPY.claim.lhs, wrong))


def test_gaussian_nll_without_half(rejected: Callable[..., None]) -> None:
    wrong = (mc.y_obs - mc.f_pred) ** 2 / mc.sigma**2 + log(2 * pi * mc.sigma**2) / 2
    rejected(mc.MLE_CROSS_ENTROPY, "Gaussian NLL", Eq(mc.GAUSS_NLL, wrong))


def test_one_hot_cross_entropy_picks_the_label_not_the_first_class(rejected: Callable[..., None]) -> None:
    """-log q_1 where the one-hot label c picks -log q_c, for symbolic K and c."""
    rejected(mc.MLE_CROSS_ENTROPY, "one-hot cross-entropy", Eq(mc.ONE_HOT_CE, -log(mc.q_cls[1])))


def test_conditional_cross_entropy_without_averaging_over_examples(rejected: Callable[..., None]) -> None:
    """The summed cross-entropy where the mean NLL is its average over the N examples."""
    rejected(mc.MLE_CROSS_ENTROPY, "conditional cross-entropy", Eq(mc.CONDITIONAL_NLL, mc.MEAN_CE * mc.N_ex))


def test_conditional_statements_are_general_and_checked_at_sizes() -> None:
    import derive

    proof = derive.prove("mle-cross-entropy")
    assert proof.ok and proof.level == "general", proof
    checks = {c.label: c for c in proof.numeric.statements}
    for label, how in (("one-hot cross-entropy", "explicit summation"), ("conditional cross-entropy", "N = ")):
        assert checks[label].ok and checks[label].samples >= 3 and how in checks[label].method, checks[label]
