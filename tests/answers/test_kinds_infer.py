"""The kind inferred from the expected answer, and the single-expression path left as it was."""

from __future__ import annotations

import pytest

import derive
from derive.answers.kinds import choose_kind, infer_kind

TABLE = [
    ("y = 2x + 1", "equation"),
    ("2x - y = -1", "equation"),
    ("x > 2", "interval"),
    ("-1 < x <= 3", "interval"),
    ("x \\le 3", "interval"),
    ("(2, oo)", "interval"),
    ("[0, 1)", "interval"),
    ("(-oo, -1) U (1, oo)", "interval"),
    ("x < -1 or x > 1", "interval"),
    ("{1, 2}", "set"),
    ("\\{1, 2\\}", "set"),
    ("{}", "set"),
    ("[[1, 2], [3, 4]]", "matrix"),
    ("\\begin{pmatrix} 1 & 2 \\end{pmatrix}", "matrix"),
    ("(1, 2)", "tuple"),
    ("1; 2", "tuple"),
    ("y = 2x + 1; {1, 2}", "tuple"),
    ("x^2", "expression"),
    ("[1, 2]", "expression"),  # a vector: the single-expression path reads it
    ("(x + 1)", "expression"),
    ("max(x, 0)", "expression"),
    ("x if x > 0 else 0", "expression"),
    ("\\begin{cases} x & x > 0 \\\\ 0 & \\text{otherwise} \\end{cases}", "expression"),
    ("\\frac{1}{2}", "expression"),
    ("(((", "expression"),  # unreadable: the single-expression checker says why
]


@pytest.mark.parametrize(("expected", "kind"), TABLE)
def test_infer_kind(expected: str, kind: str) -> None:
    assert infer_kind(expected) == kind


def test_latex_braces_group_they_do_not_make_a_set() -> None:
    assert infer_kind("{x + 1}", latex=True) == "expression"
    assert infer_kind("\\{1, 2\\}", latex=True) == "set"


def test_options_choose_the_kind() -> None:
    assert choose_kind("pi", None, "3sf", False) == "numeric"
    assert choose_kind("x^2/2", None, None, True) == "constant"
    assert choose_kind("(1, 2)", "interval", None, False) == "interval"
    assert choose_kind("(1, 2)", None, "3sf", False) == "tuple"  # each part numeric
    with pytest.raises(ValueError, match="unknown answer kind"):
        choose_kind("x", "polynomial", None, False)


def test_the_single_expression_path_is_unchanged() -> None:
    v = derive.equivalent("2*log(s)", "log(s^2)", {"s": "positive"})
    assert v.correct and v.method.startswith("proved")
    v = derive.equivalent("x if x > 0 else 0", "max(x, 0)")
    assert v.correct
    assert derive.equivalent("[1, 2]", "[1, 2]").correct


def test_an_unknown_kind_is_the_questions_fault() -> None:
    with pytest.raises(ValueError, match="unknown answer kind"):
        derive.equivalent("1", "1", kind="polynomial")
    with pytest.raises(ValueError, match="not a set"):
        derive.equivalent("{1}", "1", kind="set")


def test_inferring_the_kind_of_an_expression_is_cheap() -> None:
    """The single-expression path pays one scan of the expected text (it was 4.8 ms a call before
    the fast path and the regex scan; a warm check takes about 3 ms)."""
    import time

    from derive.answers.api import _structured

    e = "1/2*(1+erf(x/sqrt(2))) + x*exp(-x^2/2)/sqrt(2*pi)"
    _structured(e)
    start = time.perf_counter()
    for _ in range(200):
        _structured(e)
        _structured("Max(x, 0) + (x - 1)*(x + 1)")
    assert (time.perf_counter() - start) / 400 < 5e-4
