"""Targeted falsehoods for the softmax Jacobian (map 2.2): a flipped sign, a dropped diagonal, rows
that sum to one, a zero kernel (full rank), near misses of the variance step; the cross-check catches a
wrong formula, and the naive softmax overflows where the stable one does not.

The page is proved once (the ``page_proof`` fixture, for ``PAGE``); each falsehood is checked
on the page's own chains (the ``refused`` fixture of tests/identities/conftest.py)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest
import sympy as sp
from sympy import Eq, KroneckerDelta, Rational, Sum

from derive.core.proof import Proof
from derive.identities.calculus import softmax_jacobian as sj
from derive.numeric.sampling import generator
from derive.numeric.stable import nonfinite, softmax_naive
from derive.numeric.stable import softmax as stable_softmax
from derive.verify.ladder import Ladder

PAGE = "softmax-jacobian"
Refused = Callable[[Proof, str, Eq], None]


def test_softmax_jacobian_sign_of_sj_flipped(page_proof: Proof, refused: Refused) -> None:
    s_, i, j, z = sj.s_, sj.i, sj.j, sj.z
    wrong = Eq(sp.Derivative(s_(i), z[j]), s_(i) * (KroneckerDelta(i, j) + s_(j)))
    refused(page_proof, "claim", wrong)


def test_softmax_jacobian_without_the_diagonal_term(page_proof: Proof, refused: Refused) -> None:
    """-s s^T alone (the delta_ij s_i term dropped): (J v)_i = -s_i vbar, for every n."""
    refused(page_proof, "J v", Eq(sj.JV, -sj.s_(sj.i) * sj.MEAN))


def test_softmax_jacobian_kernel_is_not_zero(page_proof: Proof, refused: Refused) -> None:
    """The kernel is spanned by 1 (rank n - 1), not {0} (full rank): v_i = 0 does not solve (J v)_i = 0."""
    refused(page_proof, "rank", Eq(sj.v_i, 0))


def test_softmax_jacobian_rows_do_not_sum_to_one(page_proof: Proof, refused: Refused) -> None:
    """A common slip: the rows of J sum to 0, not to 1 (that is softmax itself)."""
    relation = next(s.relation for s in sj.SOFTMAX_JACOBIAN.statements if s.label == "J 1 = 0")
    assert relation is not None
    refused(page_proof, "J 1 = 0", Eq(relation.lhs, 1))


@pytest.mark.parametrize(
    "wrong",
    ["scaled", "mean doubled", "weights dropped", "sum of s not 1", "s_i squared"],
)
def test_softmax_psd_variance_step_rejects_near_misses(wrong: str) -> None:
    """The link sum_i s_i v_i^2 - vbar^2 = sum_i s_i (v_i - vbar)^2, any n, against its near misses."""
    s_, i, j, n, v, mean = sj.s_, sj.i, sj.j, sj.n, sj.v, sj.MEAN
    ident = sj.SOFTMAX_JACOBIAN
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


def test_softmax_jacobian_is_general_psd_included(page_proof: Proof) -> None:
    """Every part is proved for symbolic n, the quadratic form a variance (no numeric link)."""
    assert page_proof.ok and page_proof.level == "general", {o.label: o.level for o in page_proof.outcomes}
    psd = next(c for c in page_proof.chains if c.statement == "PSD")
    assert all(step.symbolic for step in psd.steps)


def test_softmax_jacobian_psd_bound_is_not_positive(page_proof: Proof, refused: Refused) -> None:
    """v^T J v >= 0, not > 1 (or >= 1): it vanishes at v = 1, the null vector."""
    refused(page_proof, "PSD", sp.Ge(sj.QUAD, 1))  # type: ignore[arg-type]


@pytest.mark.parametrize("wrong", ["mean not squared", "cross term dropped", "weights on the mean"])
def test_softmax_psd_linearity_step_rejects_near_misses(wrong: str) -> None:
    """The computed link sum_i s_i v_i (v_i - vbar) = sum_i s_i v_i^2 - vbar^2, any n, against its near misses."""
    s_, i, n, v, mean = sj.s_, sj.i, sj.n, sj.v, sj.MEAN
    ident = sj.SOFTMAX_JACOBIAN
    ladder = Ladder(domains=ident.domains, unfold=ident.unfold, seed=1)
    second = Sum(s_(i) * v[i] ** 2, (i, 1, n))
    opened = sj.linear_sums(sj.QUAD)
    assert sp.srepr(opened).count("Sum") == 3 and ladder.equal(sj.QUAD, opened).symbolic
    forms = {
        "mean not squared": second - mean,
        "cross term dropped": second,
        "weights on the mean": second - Sum(v[i], (i, 1, n)) * mean,
    }
    assert ladder.equal(sj.QUAD, forms[wrong]).ok is False


def test_softmax_jacobian_crosscheck_catches_a_wrong_formula(page_proof: Proof) -> None:
    ident = sj.SOFTMAX_JACOBIAN
    assert page_proof.ok, page_proof.text()
    s, i, j = sj.s, sj.i, sj.j
    wrong = {"J in s": s[i] * (KroneckerDelta(i, j) + s[j])}
    ctx = ident.check_context(generator(1, salt="test"), 1, page_proof.result, wrong)
    assert ident.crosscheck is not None
    assert not ident.crosscheck(ctx).ok


def test_naive_softmax_overflows_and_nonfinite_fails_a_comparison() -> None:
    z = np.array([800.0, 799.0, -3.0])
    assert nonfinite(softmax_naive(z)) > 0
    assert np.all(np.isfinite(stable_softmax(z)))
    ctx = sj.SOFTMAX_JACOBIAN.check_context(generator(1), 1)
    assert not ctx.compare("naive", "overflow", softmax_naive(z), stable_softmax(z)).ok
