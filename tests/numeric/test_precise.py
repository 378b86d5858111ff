"""The one high-precision evaluator: each node rule, undefined values, and round-off that must not refute."""

from __future__ import annotations

from collections.abc import Callable

import mpmath
import pytest
import sympy as sp

from derive.maths.domains import real
from derive.maths.special import Phi, gibbs, phi, sigmoid, softplus
from derive.numeric import precise
from derive.verify import sampled
from derive.verify.ladder import Ladder

x = real(-8, 8).symbol("x")
k = sp.Symbol("k", integer=True)
half = sp.Rational(1, 2)


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        (sp.Rational(3, 7) + sp.pi, lambda: mpmath.mpf(3) / 7 + mpmath.pi),
        (Phi(half) + phi(half), lambda: mpmath.ncdf(mpmath.mpf(1) / 2) + mpmath.npdf(mpmath.mpf(1) / 2)),
        (sigmoid(2) * softplus(-1), lambda: 1 / (1 + mpmath.exp(-2)) * mpmath.log(1 + mpmath.exp(-1))),
        (gibbs(3), lambda: 2 - mpmath.log(3)),
        (sp.Max(1, 2, -3) - sp.Min(half, 2), lambda: mpmath.mpf(3) / 2),
        (sp.sign(-half) + sp.Heaviside(0) + sp.KroneckerDelta(2, 2), lambda: mpmath.mpf(1) / 2),
        (sp.Piecewise((1, sp.S(2) > 3), (7, True)), lambda: mpmath.mpf(7)),
        (
            sp.Sum(1 / k**2, (k, 1, 50)) + sp.Product(1 + 1 / k, (k, 1, 9)),
            lambda: mpmath.fsum(1 / mpmath.mpf(j) ** 2 for j in range(1, 51)) + 10,
        ),
        (sp.log(8, 2) + sp.sqrt(2) ** 2 + sp.EulerGamma, lambda: 5 + +mpmath.euler),
    ],
)
def test_each_rule_gives_the_value_mpmath_gives(expr: sp.Basic, expected: Callable[[], object]) -> None:
    with mpmath.workdps(60):
        assert abs(precise.value(expr, 60) - expected()) < mpmath.mpf(10) ** -55


@pytest.mark.parametrize("expr", [sp.log(sp.S.Zero), sp.S.One / sp.S.Zero, sp.zoo, sp.oo, x + 1])
def test_what_has_no_finite_value_has_none(expr: sp.Basic) -> None:
    assert precise.value(expr, 30) is None


def test_round_off_is_not_a_difference(monkeypatch: pytest.MonkeyPatch) -> None:
    """(e^x + 10^40)^2 - 10^80 - 2 10^40 e^x is e^{2x}, but at 45 digits the 10^80 swamps it. Judged
    relative to the size of the difference's terms, round-off never refutes the true equality;
    a real difference of 1e-6, below that round-off, is found because the precision rises with the
    terms' dynamic range (capped at 45 digits, it would pass unseen)."""
    lossy = (sp.exp(x) + 10**40) ** 2 - 10**80 - 2 * 10**40 * sp.exp(x)
    ladder = Ladder(domains={x: real(-8, 8)}, seed=1)
    v = ladder.numeric_zero(lossy, sp.exp(2 * x))
    assert v.ok is True and not v.symbolic, v
    wrong = ladder.numeric_zero(lossy, sp.exp(2 * x) + sp.Rational(1, 10**6))
    assert wrong.ok is False and wrong.counterexample
    at = (lossy - sp.exp(2 * x) - sp.Rational(1, 10**6)).subs(x, sp.Rational(1, 3))
    value, _ = sampled.measure(at, 45)
    with mpmath.workdps(60):
        assert abs(value + mpmath.mpf(1) / 10**6) < mpmath.mpf(10) ** -30
    monkeypatch.setattr(sampled, "MAX_DIGITS", 45)
    value, _ = sampled.measure(at, 45)
    with mpmath.workdps(60):
        assert abs(value + mpmath.mpf(1) / 10**6) > mpmath.mpf(10) ** -7  # lost in the round-off of 10^80


def test_settled_tells_round_off_from_a_value() -> None:
    noisy = (sp.Integer(10) ** 40 + half) - 10**40  # evaluates unexpanded: 1/2 is lost at 30 digits
    unexpanded = sp.Add(sp.Add(10**40, half, evaluate=False), -(10**40), evaluate=False)
    low = precise.value(unexpanded, 30)
    again, stable = precise.settled(unexpanded, low)
    assert again == half and not stable  # the 30-digit value was round-off
    assert precise.settled(noisy, precise.value(noisy, 30)) == (half, True)


def test_gamma_factorial_binomial_agree_with_sympy_conventions() -> None:
    """The mpmath rules for Gamma, log-Gamma, factorial and binomial give SymPy's values (its own
    ``evalf``), including binomials with negative or non-integer arguments, and no value at poles."""
    n, k = sp.symbols("n k")
    grid = [sp.Integer(v) for v in range(-4, 9)] + [sp.Rational(1, 2), sp.Rational(7, 3), sp.Rational(-5, 2)]
    for a in grid:
        cases = [(sp.binomial(n, k), {n: a, k: b}, sp.binomial(a, b)) for b in grid]
        cases += [(f(n), {n: a}, f(a)) for f in (sp.factorial, sp.gamma)]
        for expr, point, exact in cases:
            if not exact.is_finite:
                with pytest.raises(precise.NotANumber):
                    precise.mp_value(expr, point, 30)
                continue
            with mpmath.workdps(40):
                got, want = precise.mp_value(expr, point, 30), mpmath.mpf(sp.N(exact, 40))
                assert abs(got - want) <= mpmath.mpf(10) ** -25 * (1 + abs(want)), (expr, point, got)
    x = sp.Rational(37, 3)
    with mpmath.workdps(40):
        assert abs(precise.mp_value(sp.loggamma(n), {n: x}, 30) - mpmath.mpf(sp.N(sp.loggamma(x), 40))) < 1e-25
