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
