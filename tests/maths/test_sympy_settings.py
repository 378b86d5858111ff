"""SymPy's assumption queries run in a fixed order once derive's mathematical layer is imported."""

import sys

import sympy as sp

import derive.maths  # noqa: F401  (applies the settings)
from derive.maths import sympy_settings


def test_the_queue_of_an_assumption_query_is_not_shuffled() -> None:
    # the module itself, as the query's code sees it (``import sympy.core.assumptions as m`` would
    # give the function of that name, which is how an earlier version patched nothing)
    module = sys.modules["sympy.core.assumptions"]
    assert module._ask.__globals__["shuffle"] is sympy_settings._keep_order
    queue = list(range(50))
    module.shuffle(queue)
    assert queue == list(range(50))


def test_a_query_draws_nothing_from_sympys_assumption_generator() -> None:
    from sympy.core import random as sympy_random

    state = sympy_random._assumptions_rng.getstate()
    x = sp.Symbol("x", positive=True)
    assert ((x + 2) * (x + 3) / (x + 5)).is_zero is False
    assert sympy_random._assumptions_rng.getstate() == state


def test_assumption_queries_still_decide() -> None:
    x, y = sp.symbols("x y", positive=True)
    z = sp.Symbol("z", negative=True)
    assert (x * y + 1).is_positive is True
    assert (x * z).is_negative is True
    assert (x - y).is_positive is None


def test_an_indexed_symbol_knows_what_its_assumptions_deduce() -> None:
    from sympy.core.assumptions import StdFactKB

    i, j = sp.symbols("i j", integer=True)
    for assumptions in ({"positive": True}, {"integer": True, "nonnegative": True}, {"real": True}, {}):
        w = sp.IndexedBase("w", **assumptions)
        expected = StdFactKB({**assumptions, "commutative": True})
        for entry in (w[i], w[i, j], w[i + 1, 2]):
            known = {k: v for k, v in entry._assumptions.items() if v is not None}
            assert known == {k: v for k, v in expected.items() if v is not None}
    w = sp.IndexedBase("w", positive=True)
    assert w[i]._assumptions is not w[j]._assumptions  # a dict of its own: queries add to it
    assert (w[i] + w[j]).is_positive is True
    assert (w[i] - w[j]).is_positive is None
    assert w[i].assumptions0 == w.assumptions0
    assert w[i] == sp.IndexedBase("w", positive=True)[i]
    assert w[i] != sp.IndexedBase("w")[i]  # assumptions are part of an entry's identity
