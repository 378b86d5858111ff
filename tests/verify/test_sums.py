"""Sums and Kronecker deltas: index conditions decided by the domains, ranges joined, separable sums split."""

from __future__ import annotations

import sympy as sp
from sympy import exp

from derive.maths.domains import integer, real
from derive.verify.ladder import Ladder


def test_case_conditions_are_decided_by_index_domains() -> None:
    from derive.verify.sums import decide_conditions

    n = integer(2, 6).symbol("n")
    j, k = (integer(1, n).symbol(c) for c in "jk")
    z = sp.IndexedBase("z", real=True)
    domains = {n: integer(2, 6), j: integer(1, n), k: integer(1, n)}
    sifted = sp.Sum(sp.KroneckerDelta(j, k) * exp(z[k]), (k, 1, n)).doit()
    assert sifted.has(sp.Piecewise) and decide_conditions(sifted, domains) == exp(z[j])
    assert decide_conditions(sp.Piecewise((1, j > n), (2, True)), domains) == 2
    undecidable = sp.Piecewise((1, j < 3), (2, True))
    assert decide_conditions(undecidable, domains) == undecidable
    d = integer(2, 9).symbol("d")  # a bound that sorts before its index: j in [1, d]
    jd = integer(1, d).symbol("j")
    assert decide_conditions(sp.Piecewise((1, jd <= d), (2, True)), {d: integer(2, 9), jd: integer(1, d)}) == 1


def test_sums_over_different_ranges_are_joined() -> None:
    t = integer(2, 30).symbol("t")
    k = integer(1, t).symbol("k")
    beta = real(0, 1).symbol("beta")
    g = sp.IndexedBase("g", real=True)
    ladder = Ladder(domains={t: integer(2, 30), k: integer(1, t), beta: real(0, 1), g: real(-3, 3)})
    unrolled = sp.Sum(beta ** (t - k) * g[k], (k, 1, t))
    one_step = beta * sp.Sum(beta ** (t - 1 - k) * g[k], (k, 1, t - 1)) + g[t]
    v = ladder.equal(one_step, unrolled)
    assert v.ok is True and v.symbolic, v
    assert ladder.equal(one_step + g[t] / 10**6, unrolled).ok is False
    assert ladder.equal(sp.Sum(g[k], (k, 1, t - 1)) + sp.Sum(g[k], (k, t, t)), sp.Sum(g[k], (k, 1, t))).symbolic


def test_double_sums_of_separable_products_split() -> None:
    """sum_i sum_j a_i b_j = (sum_i a_i)(sum_j b_j), but not when the inner range depends on i."""
    n = sp.Symbol("n", integer=True, positive=True)
    i, j = sp.symbols("i j", integer=True, positive=True)
    a, b = sp.IndexedBase("a", real=True), sp.IndexedBase("b", real=True)
    doms = {n: integer(1, 6), i: integer(1, n), j: integer(1, n), a: real(-3, 3), b: real(-3, 3)}
    ladder = Ladder(domains=doms, seed=3)
    product = sp.Sum(a[i], (i, 1, n)) * sp.Sum(b[j], (j, 1, n))
    weighted = sp.Sum(a[i] * sp.exp(i), (i, 1, n)) * sp.Sum(b[j] * sp.exp(j), (j, 1, n))
    v = ladder.equal(sp.Sum(sp.Sum(2 * a[i] * sp.exp(i + j) * b[j], (j, 1, n)), (i, 1, n)) / 2, weighted)
    assert v.ok and v.symbolic, v
    k = sp.Symbol("k", integer=True, positive=True)
    triangle = ladder.equal(sp.Sum(sp.Sum(a[i] * b[k], (k, 1, i)), (i, 1, n)), product)
    assert triangle.ok is False
