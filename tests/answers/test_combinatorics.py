"""Answers with factorial, binomial coefficients and products (issue: answers of every kind): a
labelled table whose labels are first checked by mpmath at 50 digits, independently of derive."""

from __future__ import annotations

from collections.abc import Callable

import mpmath as mp
import pytest

import derive

N = {"n": "integer>=1"}
Fn = Callable[[int], mp.mpf] | None

# (answer, expected, variables, label, answer's value at n, expected's value at n); None: unreadable
CASES: list[tuple[str, str, dict[str, str], str, Fn, Fn]] = [
    ("factorial(5)", "120", {}, "correct", lambda n: mp.factorial(5), lambda n: mp.mpf(120)),
    ("5*4*3*2", "factorial(5)", {}, "correct", lambda n: mp.mpf(120), lambda n: mp.factorial(5)),
    ("factorial(6)", "120", {}, "incorrect", lambda n: mp.factorial(6), lambda n: mp.mpf(120)),
    ("factorial(0)", "1", {}, "correct", lambda n: mp.factorial(0), lambda n: mp.mpf(1)),
    ("factorial(n)/factorial(n-1)", "n", N, "correct", lambda n: mp.factorial(n) / mp.factorial(n - 1), mp.mpf),
    ("factorial(n+1)/factorial(n)", "n", N, "incorrect", lambda n: mp.factorial(n + 1) / mp.factorial(n), mp.mpf),
    (
        "factorial(n+1)",
        "(n+1)*factorial(n)",
        N,
        "correct",
        lambda n: mp.factorial(n + 1),
        lambda n: (n + 1) * mp.factorial(n),
    ),
    ("n*factorial(n)", "factorial(n+1)", N, "incorrect", lambda n: n * mp.factorial(n), lambda n: mp.factorial(n + 1)),
    ("binomial(5, 2)", "10", {}, "correct", lambda n: mp.binomial(5, 2), lambda n: mp.mpf(10)),
    ("binom(6, 3)", "20", {}, "correct", lambda n: mp.binomial(6, 3), lambda n: mp.mpf(20)),
    ("binomial(6, 3)", "15", {}, "incorrect", lambda n: mp.binomial(6, 3), lambda n: mp.mpf(15)),
    ("binomial(n, 2)", "n*(n-1)/2", N, "correct", lambda n: mp.binomial(n, 2), lambda n: mp.mpf(n) * (n - 1) / 2),
    ("binomial(n, 2)", "n*(n+1)/2", N, "incorrect", lambda n: mp.binomial(n, 2), lambda n: mp.mpf(n) * (n + 1) / 2),
    ("binomial(n, 1)", "n", N, "correct", lambda n: mp.binomial(n, 1), mp.mpf),
    ("binomial(n, n)", "1", N, "correct", lambda n: mp.binomial(n, n), lambda n: mp.mpf(1)),
    (  # undefined at n = 1 (factorial(-1)), where the expected answer is 0: wrong on n >= 1
        "factorial(n)/(factorial(2)*factorial(n-2))",
        "binomial(n, 2)",
        N,
        "incorrect",
        lambda n: mp.factorial(n) / (2 * mp.factorial(n - 2)) if n >= 2 else mp.nan,
        lambda n: mp.binomial(n, 2),
    ),
    (
        "binomial(n+1, 2) - binomial(n, 2)",
        "n",
        N,
        "correct",
        lambda n: mp.binomial(n + 1, 2) - mp.binomial(n, 2),
        mp.mpf,
    ),
    ("product(k, (k, 1, 5))", "120", {}, "correct", lambda n: mp.mpf(120), lambda n: mp.mpf(120)),
    ("prod(k, k, 1, 4)", "24", {}, "correct", lambda n: mp.mpf(24), lambda n: mp.mpf(24)),
    ("product(k, (k, 1, 4))", "120", {}, "incorrect", lambda n: mp.mpf(24), lambda n: mp.mpf(120)),
    ("Product(k, (k, 1, n))", "factorial(n)", N, "correct", lambda n: mp.factorial(n), mp.factorial),
    ("product(k, (k, 1, n))", "factorial(n+1)", N, "incorrect", mp.factorial, lambda n: mp.factorial(n + 1)),
    (
        "prod(1 + 1/k, k, 1, n)",
        "n + 1",
        N,
        "correct",
        lambda n: mp.fprod(1 + mp.mpf(1) / k for k in range(1, n + 1)),
        lambda n: mp.mpf(n + 1),
    ),
    (
        "prod(1 + 1/k, k, 1, n)",
        "n",
        N,
        "incorrect",
        lambda n: mp.fprod(1 + mp.mpf(1) / k for k in range(1, n + 1)),
        mp.mpf,
    ),
    ("product(2, (k, 1, n))", "2^n", N, "correct", lambda n: mp.mpf(2) ** n, lambda n: mp.mpf(2) ** n),
    ("product(2, (k, 1, n))", "2^(n+1)", N, "incorrect", lambda n: mp.mpf(2) ** n, lambda n: mp.mpf(2) ** (n + 1)),
    (
        "sum(binomial(n, k), k, 0, n)",
        "2^n",
        N,
        "correct",
        lambda n: mp.fsum(mp.binomial(n, k) for k in range(n + 1)),
        lambda n: mp.mpf(2) ** n,
    ),
    ("factorial(100000)", "1", {}, "invalid", None, None),
    ("binomial(10^9, 3)", "1", {}, "invalid", None, None),
    ("product(k, (k, 1, 100000))", "1", {}, "invalid", None, None),
    ("factorial(", "1", {}, "invalid", None, None),
    ("binomial(5)", "10", {}, "invalid", None, None),
    ("product(k, k)", "1", {}, "invalid", None, None),
]


def _label(fa: Fn, fe: Fn, variables: dict[str, str]) -> str:
    """correct / incorrect by mpmath at 50 digits at n = 1..12 (or once, for a closed answer)."""
    with mp.workdps(50):
        points = range(1, 13) if variables else [1]
        same = all(abs(fa(n) - fe(n)) <= mp.mpf(10) ** -40 * max(1, abs(fe(n))) for n in points)  # type: ignore[misc]
    return "correct" if same else "incorrect"


@pytest.mark.parametrize("case", CASES, ids=[f"{c[3]}: {c[0]} vs {c[1]}" for c in CASES])
def test_combinatorial_answers(case: tuple[str, str, dict[str, str], str, Fn, Fn]) -> None:
    answer, expected, variables, label, fa, fe = case
    if label == "invalid":
        assert fa is None and fe is None
    else:
        assert _label(fa, fe, variables) == label, "the table's label disagrees with mpmath"
    v = derive.equivalent(answer, expected, variables or None)
    assert v.status == label, v.message
    if label == "invalid" and "0000" in answer:
        assert "too large" in v.message or "more than 1000" in v.message
