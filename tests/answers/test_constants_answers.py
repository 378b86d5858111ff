"""Answers without variables (issue 16, first bullet): decided by one exact or high-precision value.

Each row is an answer, the teacher's expected answer (no variables), the verdict it must get, and
two mpmath functions that compute both values independently of the code under test (no SymPy, no
derive) at 1000 digits (enough for the rows with terms of size 1e260 and 1e434). The label of every
``correct``/``incorrect`` row is checked against them first: ``correct`` iff both are finite reals
equal to 950 significant digits, ``incorrect`` iff they differ or the answer has no finite real
value where the expected one has. (The checker's own tolerance is 45 digits; a rational
difference below it, ``1/3 + 10^-60``, is decided exactly.) ``invalid`` rows are malformed or
hostile input the parser refuses (no value to check: their functions are ``None``).

Note on the issue's example ``1 + log(27, 3)`` vs ``3``: :math:`\\log_3 27 = 3`, so the answer is 4;
it is labelled ``incorrect`` here, as the independent value says (and ``correct`` against 4).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

import mpmath as mp
import pytest

from derive.answers.checker import judge
from derive.answers.question import Context, teacher_context
from derive.answers.verdict import Verdict

DPS = 1000
#: equal means equal to 950 significant digits (far below any difference in the table)
REL = mp.mpf(10) ** -950
F = Callable[[], Any] | None


def q(p: int, r: int = 1) -> Any:
    return mp.mpf(p) / r


# (answer, expected, verdict, answer's value, expected value, what it tests)
CASES: list[tuple[str, str, str, F, F, str]] = [
    # -- right, in many forms
    ("atan(1/2)", "pi/2 - atan(2)", "correct", lambda: mp.atan(q(1, 2)), lambda: mp.pi / 2 - mp.atan(2), "arctan"),
    ("1 + log(27, 3)", "4", "correct", lambda: 1 + mp.log(27, 3), lambda: q(4), "log base 3"),
    ("log(27, 3)", "3", "correct", lambda: mp.log(27, 3), lambda: q(3), "log base 3"),
    ("0.5", "1/2", "correct", lambda: q(1, 2), lambda: q(1, 2), "decimal, exact"),
    ("0.125", "1/8", "correct", lambda: q(1, 8), lambda: q(1, 8), "decimal, exact"),
    ("1e3", "1000", "correct", lambda: q(1000), lambda: q(1000), "exponent notation"),
    ("1e-30", "10^(-30)", "correct", lambda: mp.mpf("1e-30"), lambda: mp.mpf(10) ** -30, "tiny, exact"),
    ("2/6", "1/3", "correct", lambda: q(2, 6), lambda: q(1, 3), "unreduced fraction"),
    ("sin(pi/12)", "(sqrt(6) - sqrt(2))/4", "correct", lambda: mp.sin(mp.pi / 12),
     lambda: (mp.sqrt(6) - mp.sqrt(2)) / 4, "surds"),
    ("sqrt(8)", "2*sqrt(2)", "correct", lambda: mp.sqrt(8), lambda: 2 * mp.sqrt(2), "surd"),
    ("sqrt(3)/3", "1/sqrt(3)", "correct", lambda: mp.sqrt(3) / 3, lambda: 1 / mp.sqrt(3), "rationalised"),
    ("2^(1/2)", "sqrt(2)", "correct", lambda: mp.mpf(2) ** q(1, 2), lambda: mp.sqrt(2), "power"),
    ("ln(e^3)", "3", "correct", lambda: mp.log(mp.e**3), lambda: q(3), "log of exp"),
    ("log(8)/log(2)", "3", "correct", lambda: mp.log(8) / mp.log(2), lambda: q(3), "change of base"),
    ("cos(pi/3)", "0.5", "correct", lambda: mp.cos(mp.pi / 3), lambda: q(1, 2), "trig value"),
    ("acos(-1)", "pi", "correct", lambda: mp.acos(-1), lambda: mp.pi, "inverse trig"),
    ("4*atan(1)", "pi", "correct", lambda: 4 * mp.atan(1), lambda: mp.pi, "Machin-like"),
    ("erf(0)", "0", "correct", lambda: mp.erf(0), lambda: q(0), "zero"),
    ("tanh(1)", "(e^2 - 1)/(e^2 + 1)", "correct", lambda: mp.tanh(1), lambda: (mp.e**2 - 1) / (mp.e**2 + 1), "tanh"),
    ("exp(log(5)) + cosh(300)^2 - sinh(300)^2 - 1", "5", "correct",
     lambda: mp.exp(mp.log(5)) + mp.cosh(300) ** 2 - mp.sinh(300) ** 2 - 1, lambda: q(5), "cancellation 1e260"),
    # -- near misses
    ("0.33", "1/3", "incorrect", lambda: q(33, 100), lambda: q(1, 3), "two decimals"),
    ("0.3333", "1/3", "incorrect", lambda: q(3333, 10000), lambda: q(1, 3), "four decimals"),
    ("0.333333333333", "1/3", "incorrect", lambda: mp.mpf("0.333333333333"), lambda: q(1, 3), "12 decimals"),
    ("355/113", "pi", "incorrect", lambda: q(355, 113), lambda: mp.pi, "Zu Chongzhi"),
    ("3.14159265358979", "pi", "incorrect", lambda: mp.mpf("3.14159265358979"), lambda: mp.pi, "15 digits of pi"),
    ("1/3 + 10^(-60)", "1/3", "incorrect", lambda: q(1, 3) + mp.mpf(10) ** -60, lambda: q(1, 3),
     "rational, below the tolerance: decided exactly"),
    ("1 + log(27, 3)", "3", "incorrect", lambda: 1 + mp.log(27, 3), lambda: q(3), "the issue's example: it is 4"),
    ("-1/3", "1/3", "incorrect", lambda: q(-1, 3), lambda: q(1, 3), "sign"),
    ("2*pi", "pi", "incorrect", lambda: 2 * mp.pi, lambda: mp.pi, "factor 2"),
    ("exp(1000)", "exp(1000) + 1", "incorrect", lambda: mp.exp(1000), lambda: mp.exp(1000) + 1, "hidden below e^1000"),
    ("log(0)", "1/3", "incorrect", lambda: mp.log(0), lambda: q(1, 3), "undefined answer"),
    ("oo", "1", "incorrect", lambda: mp.inf, lambda: q(1), "infinite answer"),
    ("sqrt(-1)", "1", "incorrect", lambda: mp.sqrt(-1), lambda: q(1), "not a real number"),
    ("asin(2)", "1", "incorrect", lambda: mp.asin(2), lambda: q(1), "not a real number"),
    ("(-8)^(1/3)", "-2", "incorrect", lambda: mp.power(-8, q(1, 3)), lambda: q(-2), "principal cube root"),
    # -- malformed and hostile
    ("10^10^10", "1/3", "invalid", None, None, "huge constant power"),
    ("9**9**9**9", "1", "invalid", None, None, "tower"),
    ("0/0", "1/3", "invalid", None, None, "0/0"),
    ("1/(1-1)", "2", "invalid", None, None, "division by zero"),
    ("1e-400", "0", "invalid", None, None, "exponent beyond the limit"),
    ("nan", "1", "invalid", None, None, "nan is not a name"),
    ("__import__('os').system('true')", "1", "invalid", None, None, "code"),
    ("3 +", "3", "invalid", None, None, "truncated"),
]  # fmt: skip


def _finite_real(v: Any) -> bool:
    return isinstance(v, mp.mpf) and mp.isfinite(v)


def independent(answer: Callable[[], Any], expected: Callable[[], Any]) -> str:
    """The verdict from the two values alone, at :data:`DPS` digits (``undecided``: no expected value)."""
    with mp.workdps(DPS):
        try:
            e = +expected()  # unary plus: a constant (mp.pi) as a number at this precision
        except (ValueError, ZeroDivisionError):
            return "undecided"
        if not _finite_real(e):
            return "undecided"
        try:
            a = +answer()
        except (ValueError, ZeroDivisionError):
            return "incorrect"
        if not _finite_real(a):
            return "incorrect"
        return "correct" if abs(a - e) <= REL * max(abs(a), abs(e)) else "incorrect"


def _real_text(text: str) -> bool:
    """A value shown in a counterexample: a real number, or the word ``undefined``."""
    if text == "undefined":
        return True
    try:
        mp.mpf(text)
    except ValueError:
        return False
    return True


@cache
def context(expected: str) -> Context:
    return teacher_context(expected, {})


@pytest.mark.parametrize("case", CASES, ids=[f"{c[5]}: {c[0]} vs {c[1]}" for c in CASES])
def test_constant_answer(case: tuple[str, str, str, F, F, str]) -> None:
    answer, expected, label, fa, fe, _what = case
    if label == "invalid":
        assert fa is None and fe is None
    else:
        assert fa is not None and fe is not None
        assert independent(fa, fe) == label, "the label disagrees with the independent evaluation"
    v = judge(context(expected), answer, budget=5.0)
    assert v["status"] == label, v["message"]
    if label == "incorrect":
        cex = v["counterexample"]
        assert cex is not None and all(_real_text(cex[k]) for k in ("answer", "expected")), "a non-real value shown"
        assert cex["point"] == {}, "a closed answer has no coordinates to show"
    if label != "invalid":
        assert Verdict(**v).read_as, "the verdict says how the answer was read"


def test_undefined_answer_is_named() -> None:
    v = judge(context("1/3"), "log(0)")
    assert v["status"] == "incorrect"
    assert "undefined" in v["message"] and "0.3333333333" in v["message"]


def test_rational_difference_below_the_tolerance_is_exact() -> None:
    v = judge(context("1/3"), "1/3 + 10^(-60)")
    assert v["status"] == "incorrect" and v["method"].startswith("exact difference 1.0e-60")


def test_equal_rationals_are_proved() -> None:
    v = judge(context("1/3"), "2/6")
    assert v["status"] == "correct" and v["method"].startswith("proved")


def test_constant_question_with_declared_variable_shows_no_point() -> None:
    ctx = teacher_context("1/3", {"x": "real"})
    v = judge(ctx, "0.33")
    assert v["status"] == "incorrect" and v["counterexample"]["point"] == {}
    assert "At x" not in v["message"]


def test_closed_question_has_one_point() -> None:
    """The root cause of 'always undecided': the point list of a closed question is one empty point."""
    assert context("pi/2 - atan(2)").points == [{}]
