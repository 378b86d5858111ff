"""Targeted falsehoods for the softmax temperature (map 3.2): the hot limit is uniform, not one-hot;
the cold limit gives the top class everything; log-softmax for any n with the wrong normaliser, and the
cross-check writing the derived any-n form out."""

from __future__ import annotations

from collections.abc import Callable

from sympy import Eq, Limit, Rational, Sum, log, oo

from derive.authoring import CheckContext
from derive.identities.probability import categorical_softmax as cs


def test_softmax_hot_limit_is_uniform_not_one_hot(rejected: Callable[..., None]) -> None:
    rejected(cs.CATEGORICAL_SOFTMAX, "T -> oo", Eq(Limit(cs.TOP_N, cs.T, oo), 1))


def test_softmax_cold_limit_of_top_class(rejected: Callable[..., None]) -> None:
    rejected(cs.CATEGORICAL_SOFTMAX, "T -> 0+ (top)", Eq(Limit(cs.TOP_N, cs.T, 0, "+"), 1 / cs.n))


def test_softmax_hot_limit_is_one_over_n_not_one_third(rejected: Callable[..., None]) -> None:
    """The n = 3 value 1/3 where the hot limit for n classes is 1/n."""
    rejected(cs.CATEGORICAL_SOFTMAX, "T -> oo", Eq(Limit(cs.TOP_N, cs.T, oo), Rational(1, 3)))


def test_log_softmax_any_n_with_the_log_of_the_sum_of_logits(rejected: Callable[..., None]) -> None:
    """log sum_k z_k in place of log sum_k e^(z_k), for symbolic n."""
    wrong = cs.zI[cs.yc] - log(Sum(cs.zI[cs.kk], (cs.kk, 1, cs.n)))
    rejected(cs.CATEGORICAL_SOFTMAX, "log-softmax", Eq(log(cs.SOFTMAX_Y), wrong))


def test_the_crosscheck_writes_the_any_n_log_softmax_out(context: Callable[..., CheckContext]) -> None:
    right = cs.zI[cs.yc] - cs.LSE_N
    assert cs.crosscheck(context(cs.CATEGORICAL_SOFTMAX, right)).ok
    assert not cs.crosscheck(context(cs.CATEGORICAL_SOFTMAX, right + log(cs.n) / 10)).ok


def test_softmax_hot_limit_of_another_class_is_one_over_n_not_zero(rejected: Callable[..., None]) -> None:
    """The cold value 0 for a non-top class j where the hot limit is 1/n, for any n and any class j."""
    rejected(cs.CATEGORICAL_SOFTMAX, "T -> oo (other)", Eq(Limit(cs.OTHER_N, cs.T, oo), 0))


def test_every_class_tends_to_uniform_at_every_size() -> None:
    """The page is general, and the hot limit is stated for the top class and every other class j."""
    import derive

    proof = derive.prove("categorical-softmax")
    assert proof.ok and proof.level == "general", proof
    hot = {c.label: c for c in proof.numeric.statements if c.label.startswith("T -> oo")}
    assert set(hot) == {"T -> oo", "T -> oo (other)"}
    assert all(c.ok and c.samples >= 3 and "Sum: explicit summation" in c.method for c in hot.values()), hot
