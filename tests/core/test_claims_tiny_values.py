"""The statement check judges each point relative to its own magnitude: where a derivative is
1e-60 (Phi(2 x^2) is 1 to 60 digits at x = 2.6), round-off is told apart from a real difference by
evaluating again at more digits, and a false claim that differs only there is caught."""

from __future__ import annotations

from typing import Any

import mpmath
import sympy as sp

import derive
from derive.core.autodiff.check import central_differences, difference
from derive.core.claims import StatementCheck, check_statements
from derive.core.statements import Statement
from derive.maths.domains import real
from derive.maths.special import Phi, phi, sigmoid
from derive.numeric.crosscheck import CheckContext
from derive.numeric.sampling import generator
from derive.verify.ladder import Ladder

x = real(-3.4, 3.4).symbol("x")
DOMAINS: dict[Any, Any] = {x: real(-3.4, 3.4)}
LEFT = sp.Derivative(Phi(2 * x**2), x)
TRUE = 4 * x * phi(2 * x**2)
#: twice the derivative where |x| > 2 (values below 1e-13 there), the derivative itself elsewhere
#: (to 1e-40 at |x| <= 1.5)
FALSE = TRUE * (1 + sigmoid(100 * (x**2 - 4)))


def check(relation: sp.Basic) -> StatementCheck:
    ladder = Ladder(domains=DOMAINS, seed=3)
    (out,) = check_statements([Statement("claim", relation)], DOMAINS, ladder, generator(3), 64, [], definitions={})
    return out


def test_the_true_claim_passes_where_its_values_are_tiny() -> None:
    c = check(sp.Eq(LEFT, TRUE))
    assert c.ok and c.samples == 6, c
    p = derive.prove_claim("Derivative(Phi(2*x**2), x) = 4*x*phi(2*x**2)", variables={"x": "real"})
    assert p.ok, p.failed_because


def test_a_false_claim_that_differs_only_where_values_are_tiny_is_caught() -> None:
    c = check(sp.Eq(LEFT, FALSE))
    assert not c.ok and "outside the tolerance" in c.note, c
    # the points it fails at are tiny next to the others: a floor borrowed from them would pass it
    assert c.max_abs_error < 1e-12 and c.max_rel_error > 0.3


def test_central_differences_raise_their_digits_and_compare_each_point_alone() -> None:
    """At x = 3 thirty digits give D = 0 (Phi(18) is 1 to 72 digits); the check raises the
    precision until the difference is resolved, and then tells 4 x phi(2 x^2) from twice it."""
    d, bound = difference(Phi(2 * x**2), x, {x: mpmath.mpf(3)})
    with mpmath.workdps(50):
        want = 12 * mpmath.npdf(18)
    assert abs(d - want) <= 1e-12 * want and bound < 1e-14 * want and want < 1e-69
    domains = {x: real(2.2, 3.2)}  # every derivative between 1e-20 and 1e-90
    ctx = CheckContext(domains, generator(5), 1, result=TRUE)
    good = central_differences(Phi(2 * x**2), x)(ctx)
    assert good.ok and good.samples == 12, good
    ctx = CheckContext(domains, generator(5), 1, result=FALSE)
    bad = central_differences(Phi(2 * x**2), x)(ctx)
    assert not bad.ok and bad.error > 0.3, bad
