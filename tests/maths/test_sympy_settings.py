"""SymPy's assumption queries run in a fixed order once derive's mathematical layer is imported."""

import sympy as sp
import sympy.core.assumptions as assumptions

import derive.maths  # noqa: F401  (applies the settings)
from derive.maths import sympy_settings


def test_the_queue_of_an_assumption_query_is_not_shuffled() -> None:
    assert assumptions.shuffle is sympy_settings._keep_order
    queue = list(range(50))
    assumptions.shuffle(queue)
    assert queue == list(range(50))


def test_assumption_queries_still_decide() -> None:
    x, y = sp.symbols("x y", positive=True)
    z = sp.Symbol("z", negative=True)
    assert (x * y + 1).is_positive is True
    assert (x * z).is_negative is True
    assert (x - y).is_positive is None
