"""A summation index lies in its sum's range: conditions and deltas on it are decided from the limits.

The ladder's case conditions (``l <= n`` left by a collapsed delta) and delta sifts name summation indices
that have no declared domain; inside ``Sum(f, (l, lo, hi))`` the index lies in ``[lo, hi]`` when the range
cannot run backwards, and bounds chain (``p <= m <= 4``). Each positive case has a falsehood beside it: an
index whose range reaches past the condition, a range that may run backwards, a delta out of range."""

from __future__ import annotations

import itertools

import sympy as sp

from derive.maths.domains import integer, real
from derive.verify.ladder import Ladder
from derive.verify.sums import always, decide_conditions, enclosing_ranges, flat_canonical

n = sp.Symbol("n", integer=True, positive=True)
m = sp.Symbol("m", integer=True, positive=True)
i, j, k, l, p = sp.symbols("i j k l p", integer=True)  # noqa: E741 (l: the rnn index)
v, s, W = (sp.IndexedBase(name, real=True) for name in "vsW")
DOMAINS = {n: integer(1, 5), m: integer(1, 4), v: real(-3, 3), s: real(-3, 3), W: real(-3, 3)}


def _in_range(x: sp.Expr, cond: sp.Basic) -> sp.Piecewise:
    return sp.Piecewise((x, cond), (0, True))


def _quick(method: str) -> bool:
    """Proved by a rung that reads the ranges, not by the late flattening or the time-boxed simplify."""
    return "simplify" not in method and "flattened" not in method


def test_a_condition_on_a_summation_index_is_decided_by_its_range() -> None:
    """rnn-spectral-radius: a delta between two summed indices collapsed, ``l <= n`` left on the outer one."""
    assert decide_conditions(sp.Sum(_in_range(v[l], l <= n), (l, 1, n)), DOMAINS) == sp.Sum(v[l], (l, 1, n))
    assert decide_conditions(sp.Sum(_in_range(v[l], l > n), (l, 1, n)), DOMAINS) == sp.Sum(0, (l, 1, n))
    product = sp.Product(sp.Piecewise((v[k], k <= n), (1, True)), (k, 1, n))
    assert decide_conditions(product, DOMAINS) == sp.Product(v[k], (k, 1, n))
    lhs = sp.Sum(sp.Sum(sp.KroneckerDelta(l, k) * W[i, k], (k, 1, n)) * v[l], (l, 1, n))
    verdict = Ladder(domains={**DOMAINS, i: integer(1, n)}, seed=3).equal(lhs, sp.Sum(W[i, l] * v[l], (l, 1, n)))
    assert verdict.ok is True and verdict.symbolic and _quick(verdict.method), verdict


def test_a_delta_between_an_inner_and_an_outer_summation_index_is_sifted() -> None:
    """softmax-jacobian: sum_i v_i sum_j (s_i delta_ij - s_i s_j) v_j = sum_i s_i v_i^2 - (sum_i s_i v_i)^2."""
    inner = sp.Sum((s[i] * sp.KroneckerDelta(i, j) - s[i] * s[j]) * v[j], (j, 1, n))
    quadratic = sp.Sum(v[i] * inner, (i, 1, n))
    right = sp.Sum(s[i] * v[i] ** 2, (i, 1, n)) - sp.Sum(s[i] * v[i], (i, 1, n)) ** 2
    ladder = Ladder(domains=DOMAINS, seed=3)
    verdict = ladder.equal(quadratic, right)
    assert verdict.ok is True and verdict.symbolic and _quick(verdict.method), verdict
    assert ladder.equal(quadratic, right + sp.Sum(s[i] * v[i], (i, 1, n)) ** 2).ok is False
    sifted = sp.Sum(v[i] * _in_range(s[i] * v[i], (i >= 1) & (i <= n)), (i, 1, n))
    assert decide_conditions(sifted, DOMAINS) == sp.Sum(s[i] * v[i] ** 2, (i, 1, n))


def test_bounds_chain_through_other_bounds() -> None:
    """pseudoinverse / ntk: p summed to m, m <= 4 declared, so p <= 4; a chain of six declared bounds too."""
    assert decide_conditions(sp.Sum(_in_range(v[p], p <= 4), (p, 1, m)), DOMAINS) == sp.Sum(v[p], (p, 1, m))
    assert decide_conditions(sp.Sum(_in_range(v[p], p <= 3), (p, 1, m)), DOMAINS).has(sp.Piecewise)  # m may be 4
    chain = sp.symbols("a1:7", integer=True)
    doms = {a: integer(1, b) for a, b in itertools.pairwise(chain)} | {chain[-1]: integer(1, 4)}
    assert always(4 - chain[0], False, doms) and not always(3 - chain[0], False, doms)
    # the inner index moves first (j in [1, i], i in [1, n]): j <= i, whatever order the names sort in
    for inner, outer in ((j, i), (i, j)):
        doms = {n: integer(1, 5), outer: integer(1, n), inner: integer(1, outer)}
        assert decide_conditions(_in_range(v[inner], inner <= outer), doms) == v[inner]
        assert decide_conditions(_in_range(v[inner], inner < outer), doms).has(sp.Piecewise)


def test_an_index_out_of_the_condition_is_not_decided() -> None:
    """i summed to n + 1 may exceed n: i <= n stays, and the ladder refuses to drop the last term."""
    beyond = sp.Sum(_in_range(v[i], i <= n), (i, 1, n + 1))
    assert decide_conditions(beyond, DOMAINS) == beyond
    ladder = Ladder(domains=DOMAINS, seed=3)
    assert ladder.equal(beyond, sp.Sum(v[i], (i, 1, n + 1))).ok is False
    assert ladder.equal(beyond, sp.Sum(v[i], (i, 1, n))).ok is True


def test_a_range_that_may_run_backwards_gives_its_index_no_range() -> None:
    """sum_{i=1}^{n-3} with n = 1 runs backwards (Karr: over i in [-1, 0]), so i >= 1 is not decided, not even
    with a free i of the same name declared in [1, n]; an empty range decides nothing outside its sum."""
    backwards = sp.Sum(_in_range(v[i], i >= 1), (i, 1, n - 3))
    assert decide_conditions(backwards, DOMAINS) == backwards
    assert decide_conditions(backwards, {**DOMAINS, i: integer(1, n)}) == backwards
    assert i not in enclosing_ranges(((i, 1, n - 3),), {**DOMAINS, i: integer(1, n)})
    assert enclosing_ranges(((i, 1, n - 1),), DOMAINS)[i] == integer(1, n - 1)  # may be empty, not backwards
    maybe_empty = {n: integer(0, 3), v: real(-3, 3)}
    outside = _in_range(sp.Sum(v[i], (i, 1, n)), n >= 1)
    assert decide_conditions(outside, maybe_empty) == outside


def test_a_delta_out_of_the_enclosing_range_does_not_collapse() -> None:
    """sum_{i=1}^{n+1} sum_{j=1}^{n} delta_ij v_i v_j = sum_{i=1}^{n} v_i^2, not sum_{i=1}^{n+1} v_i^2."""
    double = sp.Sum(sp.Sum(sp.KroneckerDelta(i, j) * v[i] * v[j], (j, 1, n)), (i, 1, n + 1))
    assert flat_canonical(double - sp.Sum(v[i] ** 2, (i, 1, n)), DOMAINS) == 0
    assert flat_canonical(double - sp.Sum(v[i] ** 2, (i, 1, n + 1)), DOMAINS) != 0
    ladder = Ladder(domains=DOMAINS, seed=3)
    assert ladder.equal(double, sp.Sum(v[i] ** 2, (i, 1, n + 1))).ok is False
    assert ladder.equal(double, sp.Sum(v[i] ** 2, (i, 1, n))).ok is True
    wider = sp.Sum(sp.Sum(sp.KroneckerDelta(i, j) * v[i] * v[j], (j, 1, n + 1)), (i, 1, n - 3))  # may run back
    assert flat_canonical(wider - sp.Sum(v[j] ** 2, (j, 1, n - 3)), DOMAINS) != 0
