r"""Postfix factorial ``n!`` (and the double factorial ``n!!``), LaTeX ``\binom``, ``\prod`` and
``\sum`` (issue 16): the same SymPy objects as the function forms, judged against labels that
mpmath computes at 50 digits, and hostile forms refused within a time bound."""

from __future__ import annotations

import time
from collections.abc import Callable

import mpmath as mp
import pytest
import sympy as sp

import derive
from derive.answers.parse import Scope, parse
from derive.errors import AnswerSyntaxError

N = {"n": "integer>=1"}
Fn = Callable[[int], mp.mpf]
n, k = sp.symbols("n k")
SCOPE = Scope(variables={"n": n, "k": k})


# ------------------------------------------------------------------------------------ same objects
@pytest.mark.parametrize(
    ("new", "old", "latex"),
    [
        ("n!", "factorial(n)", False),
        ("(n+1)!", "factorial(n+1)", False),
        ("2n!", "2*factorial(n)", False),
        ("n!^2", "factorial(n)**2", False),
        ("-n!", "-factorial(n)", False),
        ("n!/(k!(n-k)!)", "factorial(n)/(factorial(k)*factorial(n-k))", False),
        ("5!", "120", False),
        (r"\binom{n}{k}", "binomial(n, k)", True),
        (r"\binom nk", "binomial(n, k)", True),
        (r"\dbinom{n+1}{2}", "binomial(n+1, 2)", True),
        (r"\prod_{i=1}^{n} i", "product(i, (i, 1, n))", True),
        (r"\prod_{i=1}^{n} (1 + 1/i)", "prod(1 + 1/i, i, 1, n)", True),
        (r"∏_{i=1}^{n} i", "product(i, (i, 1, n))", True),
        (r"\sum_{i=1}^{n} i", "sum(i, i, 1, n)", True),
        (r"\frac{n!}{k!\,(n-k)!}", "factorial(n)/(factorial(k)*factorial(n-k))", True),
    ],
)  # fmt: skip
def test_new_forms_build_the_function_forms(new: str, old: str, latex: bool) -> None:
    assert parse(new, SCOPE, latex=latex) == parse(old, SCOPE)


@pytest.mark.parametrize("answer", ["n!!", "5!!", "(2n)!!", "3!!!"])
def test_double_factorial_is_refused_never_read_as_a_factorial_of_a_factorial(answer: str) -> None:
    """``n!!`` (a double factorial in mathematics) is refused with a message; ``(n!)!`` is the way
    to write a factorial of a factorial."""
    with pytest.raises(AnswerSyntaxError, match="double factorial"):
        parse(answer, SCOPE)
    assert parse("(3!)!", SCOPE) == 720
    assert derive.equivalent("n!!", "(n!)!", N).status == "invalid"


def test_not_equal_is_still_a_relation() -> None:
    assert parse("x if n != 0 else 1", Scope(variables={"n": n, "x": sp.Symbol("x")})).has(sp.Ne)


# ------------------------------------------------------------------------------------ labelled table
# (answer, expected, variables, latex, label, answer's value at n, expected's value at n)
CASES: list[tuple[str, str, dict[str, str], bool, str, Fn, Fn]] = [
    ("5!", "120", {}, False, "correct", lambda n: mp.factorial(5), lambda n: mp.mpf(120)),
    ("6!", "120", {}, False, "incorrect", lambda n: mp.factorial(6), lambda n: mp.mpf(120)),
    ("n!/(n-1)!", "n", N, False, "correct", lambda n: mp.factorial(n) / mp.factorial(n - 1), mp.mpf),
    ("(n+1)!/n!", "n", N, False, "incorrect", lambda n: mp.factorial(n + 1) / mp.factorial(n), mp.mpf),
    ("(n+1)!", "(n+1)*factorial(n)", N, False, "correct", lambda n: mp.factorial(n + 1),
     lambda n: (n + 1) * mp.factorial(n)),
    ("2n!", "2*factorial(n)", N, False, "correct", lambda n: 2 * mp.factorial(n), lambda n: 2 * mp.factorial(n)),
    ("2n!", "factorial(2*n)", N, False, "incorrect", lambda n: 2 * mp.factorial(n), lambda n: mp.factorial(2 * n)),
    ("(2n)!", "factorial(2*n)", N, False, "correct", lambda n: mp.factorial(2 * n), lambda n: mp.factorial(2 * n)),
    ("(n!)!", "factorial(factorial(n))", N, False, "correct", lambda n: mp.factorial(mp.factorial(n)),
     lambda n: mp.factorial(mp.factorial(n))),
    ("(n+1)! - n!", "n*n!", N, False, "correct", lambda n: mp.factorial(n + 1) - mp.factorial(n),
     lambda n: n * mp.factorial(n)),
    ("(n+1)! - n!", "n!", N, False, "incorrect", lambda n: mp.factorial(n + 1) - mp.factorial(n), mp.factorial),
    (r"\binom{n}{2}", "n*(n-1)/2", N, True, "correct", lambda n: mp.binomial(n, 2), lambda n: mp.mpf(n) * (n - 1) / 2),
    (r"\binom{n}{2}", "n*(n+1)/2", N, True, "incorrect", lambda n: mp.binomial(n, 2),
     lambda n: mp.mpf(n) * (n + 1) / 2),
    (r"\binom{6}{3}", "20", {}, True, "correct", lambda n: mp.binomial(6, 3), lambda n: mp.mpf(20)),
    (r"\frac{(n+1)!}{2!\,(n-1)!} - n", r"\binom{n}{2}", N, True, "correct",
     lambda n: mp.factorial(n + 1) / (2 * mp.factorial(n - 1)) - n, lambda n: mp.binomial(n, 2)),
    (r"\prod_{i=1}^{n} i", "n!", N, True, "correct", mp.factorial, mp.factorial),
    (r"\prod_{i=1}^{n} i", "(n+1)!", N, True, "incorrect", mp.factorial, lambda n: mp.factorial(n + 1)),
    (r"\prod_{i=1}^{n} \left(1 + \frac{1}{i}\right)", "n + 1", N, True, "correct",
     lambda n: mp.fprod(1 + mp.mpf(1) / i for i in range(1, n + 1)), lambda n: mp.mpf(n + 1)),
    (r"\prod_{i=1}^{n} 2", "2^n", N, True, "correct", lambda n: mp.mpf(2) ** n, lambda n: mp.mpf(2) ** n),
    (r"\sum_{i=1}^{n} i", "n(n+1)/2", N, True, "correct", lambda n: mp.mpf(n * (n + 1) // 2),
     lambda n: mp.mpf(n) * (n + 1) / 2),
    ("3!", "6", {}, False, "correct", lambda n: mp.factorial(3), lambda n: mp.mpf(6)),
    ("0!", "1", {}, False, "correct", lambda n: mp.factorial(0), lambda n: mp.mpf(1)),
    ("0!", "0", {}, False, "incorrect", lambda n: mp.factorial(0), lambda n: mp.mpf(0)),
    ("(3!)!", "720", {}, False, "correct", lambda n: mp.factorial(6), lambda n: mp.mpf(720)),
    ("3!^2", "36", {}, False, "correct", lambda n: mp.factorial(3) ** 2, lambda n: mp.mpf(36)),
    ("3!^2", "720", {}, False, "incorrect", lambda n: mp.factorial(3) ** 2, lambda n: mp.mpf(720)),
    ("n!*(n+1)", "(n+1)!", N, False, "correct", lambda n: mp.factorial(n) * (n + 1), lambda n: mp.factorial(n + 1)),
    ("n!*n", "(n+1)!", N, False, "incorrect", lambda n: mp.factorial(n) * n, lambda n: mp.factorial(n + 1)),
    ("(n+2)!/n!", "(n+1)(n+2)", N, False, "correct", lambda n: mp.factorial(n + 2) / mp.factorial(n),
     lambda n: mp.mpf(n + 1) * (n + 2)),
    ("(n+2)!/n!", "(n+1)^2", N, False, "incorrect", lambda n: mp.factorial(n + 2) / mp.factorial(n),
     lambda n: mp.mpf(n + 1) ** 2),
    (r"\binom{n}{1}", "n", N, True, "correct", lambda n: mp.binomial(n, 1), mp.mpf),
    (r"\binom{n}{n}", "n", N, True, "incorrect", lambda n: mp.binomial(n, n), mp.mpf),
    (r"\binom{n+1}{2} - \binom{n}{2}", "n", N, True, "correct",
     lambda n: mp.binomial(n + 1, 2) - mp.binomial(n, 2), mp.mpf),
    (r"\prod_{i=1}^{n} \frac{i+1}{i}", "n+1", N, True, "correct",
     lambda n: mp.fprod(mp.mpf(i + 1) / i for i in range(1, n + 1)), lambda n: mp.mpf(n + 1)),
    (r"\prod_{i=1}^{4} i", "24", {}, True, "correct", lambda n: mp.mpf(24), lambda n: mp.mpf(24)),
    (r"\prod_{i=1}^{4} i", "4!", {}, True, "correct", lambda n: mp.mpf(24), lambda n: mp.factorial(4)),
    (r"\prod_{i=1}^{4} i", "5!", {}, True, "incorrect", lambda n: mp.mpf(24), lambda n: mp.factorial(5)),
    (r"\sum_{i=1}^{n} (2i - 1)", "n^2", N, True, "correct", lambda n: mp.mpf(n) ** 2, lambda n: mp.mpf(n) ** 2),
    (r"\sum_{i=1}^{n} (2i - 1)", "n^2 + 1", N, True, "incorrect", lambda n: mp.mpf(n) ** 2,
     lambda n: mp.mpf(n) ** 2 + 1),
]  # fmt: skip


def _label(fa: Fn, fe: Fn, variables: dict[str, str]) -> str:
    """correct / incorrect by mpmath at 50 digits at n = 1..12 (or once, for a closed answer)."""
    with mp.workdps(50):
        points = range(1, 13) if variables else [1]
        same = all(abs(fa(n) - fe(n)) <= mp.mpf(10) ** -40 * max(1, abs(fe(n))) for n in points)
    return "correct" if same else "incorrect"


@pytest.mark.parametrize("case", CASES, ids=[f"{c[4]}: {c[0]} vs {c[1]}" for c in CASES])
def test_labelled_answers(case: tuple[str, str, dict[str, str], bool, str, Fn, Fn]) -> None:
    answer, expected, variables, latex, label, fa, fe = case
    assert _label(fa, fe, variables) == label, "the table's label disagrees with mpmath"
    v = derive.equivalent(answer, expected, variables or None, latex=latex)
    assert v.status == label, v.message


# ------------------------------------------------------------------------------------ hostile
HOSTILE = [
    ("(10^6)!", False),
    ("1000!!!", False),
    ("(((3!)!)!)!", False),
    ("(1e6)!", False),
    ("(10^6 + 1/2)!", False),
    ("170!^170!", False),
    ("factorial(100)^factorial(100)", False),
    ("2^(1000!)", False),
    ("(10^6)!!", False),
    ("(10^6)!" + "!" * 40, False),
    ("n^(1000!)", False),
    ("!" * 50, False),
    ("n" + "!" * 1500, False),
    (r"\binom{10^9}{3}", True),
    (r"\prod_{i=1}^{100000} i", True),
    (r"\prod_{i=1}^{10^9} i", True),
    (r"\sum_{i=1}^{10^9} i!", True),
    (r"\binom{1000!}{2}", True),
]


MALFORMED = [("n!(", False), ("!n", False), (r"\binom{n}", True), (r"\prod_{i=1} i", True),
             (r"\prod_{i}^{n} i", True), ("sin!", False), ("[[1, 2]]!", False)]  # fmt: skip


@pytest.mark.parametrize(("answer", "latex"), MALFORMED)
def test_malformed_forms_are_invalid(answer: str, latex: bool) -> None:
    v = derive.equivalent(answer, "1", {"n": "integer>=1"}, latex=latex)
    assert v.status == "invalid", v.message


@pytest.mark.parametrize(("answer", "latex"), HOSTILE)
def test_hostile_forms_are_refused_quickly(answer: str, latex: bool) -> None:
    """Refused by the parser (a clear message, never a giant integer), in well under the time limit."""
    start = time.process_time()
    with pytest.raises(AnswerSyntaxError):
        parse(answer, SCOPE, latex=latex)
    assert time.process_time() - start < 2.0


@pytest.mark.parametrize("answer", ["(10^6)!", "1 + (10^6)!", "170!^170!"])
def test_hostile_verdicts_are_invalid_and_bounded(answer: str) -> None:
    start = time.process_time()
    v = derive.equivalent(answer, "1")
    assert v.status == "invalid", v.message
    assert "too large" in v.message
    assert time.process_time() - start < 5.0
