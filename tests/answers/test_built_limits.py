"""Size caps hold on what is built, not only on the text: the teacher's expected answer too."""

from __future__ import annotations

import time

import pytest
import sympy as sp

import derive
from derive.answers.parse import parse
from derive.answers.parse.scope import Scope
from derive.errors import AnswerSyntaxError, QuestionError

SCOPE = Scope(variables={"x": sp.Symbol("x", real=True)})


@pytest.mark.parametrize(
    "text",
    ["(1e300)^15", "(1e300)^500", "|1e300|^|1e300|", "((x^1000)^1000)^1000", "x^2000", "(10^300)^(10^300)"],
)
def test_oversize_numbers_and_powers_are_refused_at_once(text: str) -> None:
    start = time.perf_counter()
    with pytest.raises(AnswerSyntaxError) as info:
        parse(text, SCOPE)
    assert info.value.limit and time.perf_counter() - start < 0.5


@pytest.mark.parametrize("text", ["1e300", "(-1e300)^2", "|2|^|3|", "x^1000", "|x|^2"])
def test_large_but_allowed_answers_are_read(text: str) -> None:
    parse(text, SCOPE)


def test_a_hostile_expected_answer_is_refused_quickly() -> None:
    start = time.perf_counter()
    with pytest.raises(QuestionError, match="too large"):
        derive.equivalent("x", expected="|1e300|^|1e300|", variables={"x": "real"})
    assert time.perf_counter() - start < 5


def test_check_never_prints_a_traceback_for_a_huge_constant() -> None:
    v = derive.check("gelu'", "(1e300)^15")
    assert v.status == "invalid" and "too large" in v.message
