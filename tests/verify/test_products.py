"""Products over symbolic ranges: a peeled factor is proved symbolically, a wrong peel is refuted."""

from __future__ import annotations

import sympy as sp

from derive.maths.domains import integer, real
from derive.verify.ladder import Ladder
from derive.verify.sums import align_product_ranges

t = integer(2, 30).symbol("t")
k, j = (integer(1, t).symbol(c) for c in "kj")
g = sp.IndexedBase("g", real=True)
a = real(0.5, 2).symbol("a")
LADDER = Ladder(domains={t: integer(2, 30), k: integer(1, t), j: integer(1, t), g: real(0.5, 2), a: real(0.5, 2)})


def prod(f: sp.Expr, hi: sp.Expr, var: sp.Symbol = k, lo: sp.Expr = sp.S.One) -> sp.Product:
    return sp.Product(f, (var, lo, hi))


def test_align_product_ranges_peels_the_last_factors() -> None:
    f = g[k] + a * k
    assert align_product_ranges(prod(f, t) - (g[t] + a * t) * prod(f, t - 1)) == 0
    assert align_product_ranges(prod(g[k], t + 1) - g[t + 1] * g[t] * prod(g[j], t - 1, j)) == 0
    assert align_product_ranges(prod(g[k], t) - g[t] * prod(g[k], t - 2)) != 0  # one factor missing


def test_a_true_peel_is_proved_symbolically() -> None:
    v = LADDER.equal(g[t] * prod(g[j], t - 1, j), prod(g[k], t))
    assert v.ok is True and v.symbolic and v.method == "sum ranges aligned, indices renamed", v
    f = (g[k] + a * k) ** 2
    v = LADDER.equal(prod(f, t - 1) * f.xreplace({k: t}), prod(f, t))
    assert v.ok is True and v.symbolic, v


def test_a_wrong_peel_is_refuted_with_a_counterexample() -> None:
    for wrong in (
        g[t] * prod(g[k], t - 2),  # off by one factor
        g[t - 1] * prod(g[k], t - 1),  # the wrong factor peeled
        g[t] * prod(g[k], t - 1, k, 2),  # the wrong range: g_1 lost
        g[t] ** 2 * prod(g[k], t - 1),  # the peeled factor twice
    ):
        v = LADDER.equal(wrong, prod(g[k], t))
        assert v.ok is False and v.counterexample, (wrong, v)
