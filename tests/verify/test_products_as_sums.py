"""Products of positive factors compared as exponentials of sums of logs: a true collapse of a Kronecker product
is proved symbolically, a false one is refused (never proved, refuted where sampled)."""

from __future__ import annotations

import sympy as sp

from derive.maths.domains import integer, positive, real
from derive.verify.ladder import Ladder
from derive.verify.products import products_as_sums

n = integer(2, 12).symbol("n")
k, j = (integer(1, n).symbol(c) for c in "kj")
c = sp.IndexedBase("c", positive=True)
g = sp.IndexedBase("g", real=True)
DOMAINS = {n: integer(2, 12), k: integer(1, n), j: integer(1, n), c: positive(5, lo=0.2), g: real(-2, 2)}
LADDER = Ladder(domains=DOMAINS)
METHOD = "products as exp of sums of logs (positive factors)"


def prod(f: sp.Expr) -> sp.Product:
    return sp.Product(f, (k, 1, n))


def test_true_product_identities_are_proved_by_the_rung() -> None:
    delta = sp.KroneckerDelta(j, k)
    for left, right in (
        (prod(c[k] ** delta), c[j]),  # the Kronecker product collapses
        (prod(sp.gamma(c[k] + delta)) / prod(sp.gamma(c[k])), c[j]),  # Gamma(b + 1)/Gamma(b) = b at k = j
        (prod(c[k] ** 2) / prod(c[k]), prod(c[k])),  # one range, factors joined
    ):
        v = LADDER.equal(left, right)
        assert v.ok is True and v.symbolic, (left, v)
    assert products_as_sums(prod(c[k] ** delta) - c[j], DOMAINS) == 0


def test_false_product_identities_are_refused() -> None:
    delta = sp.KroneckerDelta(j, k)
    for left, right in (
        (prod(c[k] ** (2 * delta)), c[j]),  # the power doubled
        (prod(c[k] ** delta), c[j] + 1),  # a wrong value
        (prod(sp.gamma(c[k] + delta)) / prod(sp.gamma(c[k])), c[j] + 1),
    ):
        assert products_as_sums(left - right, DOMAINS) != 0
        v = LADDER.equal(left, right)
        assert v.ok is False, (left, right, v)


def test_factors_of_unknown_sign_are_not_rewritten() -> None:
    # exp(sum log g_k) would need g_k > 0: the product of real g_k is left as it is
    e = prod(g[k] ** 2) / prod(g[k]) - prod(g[k])
    assert products_as_sums(e, DOMAINS).has(sp.Product)
