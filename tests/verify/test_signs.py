"""A bound between sums over one range, decided term by term: sum_i sigma'(z_i)^2 c_i <= sum_i c_i/16 is proved
symbolically (each term of the gap factors into squares), a bound that is too tight is refused."""

from __future__ import annotations

import sympy as sp

from derive.maths.domains import integer, real
from derive.maths.special import sigmoid
from derive.verify.ladder import Ladder
from derive.verify.signs import termwise

n = integer(1, 6).symbol("n")
m = integer(1, 6).symbol("m")
i, j = integer(1, n).symbol("i"), integer(1, m).symbol("j")
W, z = sp.IndexedBase("W", real=True), sp.IndexedBase("z", real=True)
LADDER = Ladder(
    domains={n: integer(1, 6), m: integer(1, 6), i: integer(1, n), j: integer(1, m), W: real(-3, 3), z: real(-8, 8)}
)
SLOPE_SQ = (sigmoid(z[i]) * sigmoid(-z[i])) ** 2
FROB = sp.Sum(W[i, j] ** 2, (j, 1, m), (i, 1, n))
LAYER = sp.Sum(SLOPE_SQ * W[i, j] ** 2, (j, 1, m), (i, 1, n))
METHOD = "sign of one sum, each term factored"


def test_a_termwise_bound_is_proved_symbolically() -> None:
    v = LADDER.nonnegative(FROB / 16 - LAYER)
    assert v.ok is True and v.symbolic and v.method == METHOD, v
    nested = sp.Sum(sp.Sum(W[i, j] ** 2, (j, 1, m)) * SLOPE_SQ, (i, 1, n))  # the slope outside the inner sum
    v = LADDER.nonnegative(FROB / 16 - nested)
    assert v.ok is True and v.symbolic, v


def test_a_bound_too_tight_is_refused() -> None:
    for wrong in (FROB / 64 - LAYER, LAYER - FROB / 16):
        assert termwise(wrong).is_nonnegative is not True
        v = LADDER.nonnegative(wrong)
        assert v.ok is False, (wrong, v)
    # 1/17 fails only near z = 0: never proved symbolically (the numeric rung may miss so narrow a region)
    barely = FROB / 17 - LAYER
    assert termwise(barely).is_nonnegative is not True
    assert not LADDER.nonnegative(barely).symbolic


def test_sums_over_different_ranges_are_not_merged() -> None:
    other = sp.Sum(W[i, j] ** 2, (j, 1, m), (i, 1, n + 1))  # one row more: the terms do not pair up
    assert termwise(other / 16 - LAYER).has(sp.Add)
