"""Adversarial answers: false ones built to slip past sampling, true ones built to look false.

Each line is one answer: the question (an identity, or ``= expected`` for a teacher's question
with the variables' domains), the answer, the verdict it must get and the family of attack.
False answers hide their difference where random short decimals do not look (a narrow bump, a
comb that vanishes at every short decimal, an indicator at one point, a strict against a
non-strict inequality, a term below a huge common term or below an absolute floor, a relative
1e-12); they must be ``incorrect`` and never ``correct``. True answers are hard for the numerics
(cancellation of :math:`10^{150}`-sized terms, jumps that tie at the breakpoint, constants,
unknown names that cancel); they must be ``correct``, which measures false negatives. Every answer
is graded once, in parallel, through :func:`derive.grade`, within the usual time limit.
"""

from __future__ import annotations

from typing import Any

import pytest

import derive

TIMEOUT = 2.0
SLACK = 1.0  # scheduling slack on a loaded machine, as in test_verdicts
R = {"x": "real"}
I8 = {"x": "[-8, 8]"}

# (question, answer, expected verdict, attack family); a question "= E | VARS" is a teacher's
# expected answer E, VARS one of the domain maps above (or "-" for none)
CASES: list[tuple[str, str, str, str]] = [
    # -- narrow bumps -----------------------------------------------------------------------------
    ("gelu'", "Phi(x) + x*phi(x) + exp(-10^6*(x - 2.345)^2)", "incorrect", "bump at a polynomial root"),
    ("gelu'", "Phi(x) + x*phi(x) + 1e-3*exp(-10^6*(x + 5.4321)^2)", "incorrect", "bump, small height"),
    ("gelu'", "Phi(x) + x*phi(x) + exp(-10^10*(x - 0.1234567)^2)", "incorrect", "bump, width 1e-5"),
    ("gelu'", "Phi(x) + x*phi(x) + 1e-3*exp(-10^6*(x^2 - 2*x - 1.7)^2)", "incorrect", "bump at a quadratic's roots"),
    ("gelu'", "Phi(x) + x*phi(x) + exp(-10^6*(sin(x) - 0.3)^2)", "incorrect", "bump found by search"),
    ("gelu'", "Phi(x) + x*phi(x) + exp(-10^6*(exp(x/3) - 2)^2)", "incorrect", "bump found by search"),
    ("tanh'", "sech(x)^2 + exp(-10^6*(x - 7.77)^2)", "incorrect", "bump on another target"),
    ("tanh'", "1 - tanh(x)^2 + exp(-(10^4*(x - 13.1))^2)", "incorrect", "bump far from the sample points"),
    ("sigmoid'", "sigma(x)*(1 - sigma(x)) + 1e-6*exp(-10^8*(x + 29.5)^2)", "incorrect", "bump near the edge"),
    ("kl-gaussian-standard", "(mu^2 + s^2 - 1)/2 - log(s) + exp(-10^6*(mu - 1.25)^2)", "incorrect", "bump, 2 vars"),
    ("kl-gaussian-standard", "(mu^2+s^2-1)/2 - log(s) + exp(-10^6*((s-1.2345)^2 + (mu-0.5)^2))", "incorrect", "2-d"),
    ("gelu'", "Phi(x) + x*phi(x) + exp(-10^12*(x - pi)^2)", "incorrect", "bump at an irrational centre"),
    ("gelu'", "Phi(x) + x*phi(x) + exp(-10^20*(x^3 - 2)^2)", "incorrect", "width 1e-10, only its tail seen"),
    ("= x^2 + y^2 | xy", "x^2 + y^2 + exp(-10^6*((x - 1.5)^2 + (y + 0.5)^2))", "incorrect", "2-d bump, search"),
    ("= cos(t) | t", "cos(t) + exp(-10^6*(t - 0.7)^2)", "incorrect", "bump in a bounded variable"),
    ("= x | x", "x + exp(-10^6*(x - 0.25)^2)", "incorrect", "bump, positive domain"),
    # -- combs: zero at every short decimal ---------------------------------------------------------
    ("gelu'", "Phi(x) + x*phi(x) + sin(3e20*pi*x)", "incorrect", "comb sin"),
    ("gelu'", "Phi(x) + x*phi(x) + 1e-3*sin(3e20*pi*x)^2", "incorrect", "comb sin^2"),
    ("gelu'", "Phi(x) + x*phi(x) + frac(3e20*x)", "incorrect", "comb frac"),
    ("tanh'", "sech(x)^2 + frac(1e25*x)/1000", "incorrect", "comb frac, small"),
    ("= sin(x) | R", "sin(x) + sin(1e30*pi*x)", "incorrect", "comb, 30 digits"),
    ("= x | R", "x + floor(1e20*x) - 1e20*x + frac(1e20*x)", "correct", "a comb that cancels"),
    # -- one point, breakpoints ---------------------------------------------------------------------
    ("gelu'", "Phi(x) + x*phi(x) + (1 if x = 2.345 else 0)", "incorrect", "indicator at one point"),
    ("tanh'", "sech(x)^2 + (1 if x = 1/7 else 0)", "incorrect", "indicator at a repeating decimal"),
    ("sigmoid'", "sigma(x)*(1 - sigma(x)) + 1 - abs(sign(x - 1/3))", "incorrect", "indicator through sign"),
    ("relu'", "1 if x > 10^-9 else 0", "incorrect", "step moved off the puncture"),
    ("= 1 if x > 2.3 else 0 | R", "1 if x >= 2.3 else 0", "incorrect", "strict vs non-strict"),
    ("= 1 if x >= 2.3 else 0 | R", "heaviside(x - 2.3)", "incorrect", "Heaviside's 1/2 at the tie"),
    ("= max(x, 2.3) | R", "x if x > 2.3 else 2.3 + 10^-30", "incorrect", "continuous ramp, shifted tie"),
    ("gelu'", "Phi(x) + x*phi(x) + heaviside(x - 7.9)*(x - 7.9)^4", "incorrect", "kink near the domain edge"),
    # -- huge common terms, tiny differences --------------------------------------------------------
    ("= exp(1000) + 2*x | R", "exp(1000) + x", "incorrect", "huge common term"),
    ("= exp(200) + cos(x) | R", "exp(200) + sin(x)", "incorrect", "huge common term"),
    ("= exp(1000)*x | R", "exp(1000)*x + 1", "incorrect", "huge term, unit difference"),
    ("= 2*exp(-200)*x | R", "exp(-200)*x", "incorrect", "below an absolute floor"),
    ("= exp(-200)*x | R", "exp(-200)*x*(1 + 10^-20)", "incorrect", "below a floor, relative 1e-20"),
    ("gelu'", "Phi(x) + x*phi(x) + 1e-12", "incorrect", "relative 1e-12 constant"),
    ("gelu'", "(Phi(x) + x*phi(x))*(1 + 1e-12)", "incorrect", "relative 1e-12 factor"),
    ("tanh'", "(cosh(50*x)^2 - sinh(50*x)^2)*(1 - tanh(x)^2) + 1e-20", "incorrect", "cancellation plus 1e-20"),
    ("kl-gaussian-standard", "(mu^2 + s^2 - 1)/2 - log(s) + 1e-15*mu", "incorrect", "relative 1e-15 term"),
    ("= exp(1000)*x | R", "exp(1000)*x + 10^-100", "incorrect", "1e-100 beside a huge target"),
    ("= exp(1000) + x | R", "exp(1000) + x + sin(3e20*pi*x)", "incorrect", "comb beside a huge common term"),
    ("gelu'", "Phi(x) + x*phi(x) + exp(-10^6*(x-2.345)^2) + cosh(300)^2 - sinh(300)^2 - 1", "incorrect", "bump, 1e260"),
    # -- closed answers -----------------------------------------------------------------------------
    ("= 1/3 | -", "0.33", "incorrect", "closed, decimal"),
    ("= pi | -", "3.14159265358979", "incorrect", "closed, 15 digits of pi"),
    ("= sqrt(2) | -", "1.414213562373095048801688724", "incorrect", "closed, 28 digits"),
    ("= atan(1/2) | -", "pi/2 - atan(2) + 1e-40", "incorrect", "closed, 1e-40"),
    # -- true answers that are hard for the numerics ------------------------------------------------
    ("tanh'", "(cosh(50*x)^2 - sinh(50*x)^2)*(1 - tanh(x)^2)", "correct", "cancellation of 1e152"),
    ("tanh'", "(1 - tanh(x)^2)*(cosh(400)^2 - sinh(400)^2)", "correct", "cancellation of 1e347"),
    ("tanh'", "1 - tanh(x)^2 + log(exp(1000) + 1) - 1000 - log(1 + exp(-1000))", "correct", "absorbed constant"),
    ("tanh'", "4/(e^x + e^-x)^2", "correct", "rewrite"),
    ("tanh'", "exp(1000) + sech(x)^2 - exp(1000)", "correct", "huge common term cancels"),
    ("sigmoid'", "1/(4*cosh(x/2)^2)", "correct", "range 1e-13 at x = 30"),
    ("gelu'", "erfc(-x/sqrt(2))/2 + x*phi(x)", "correct", "rewrite"),
    ("gelu'", "Phi(x) + x*phi(x) + exp(-10^6*(x - 2)^2) - exp(-10^6*x^2 + 4e6*x - 4e6)", "correct", "bump cancels"),
    ("gelu'", "Phi(x) + x*phi(x) + 0*y", "correct", "unknown name that cancels"),
    ("relu'", "(sign(x) + 1)/2", "correct", "step"),
    ("relu'", "(x + abs(x))/(2*x)", "correct", "step as a quotient"),
    ("= x | R", "x + 0*y", "correct", "unknown name that cancels"),
    ("= x | R", "x + y - y", "correct", "unknown name that cancels"),
    ("= x | R", "x + y", "invalid", "unknown name that remains"),
    ("= x | R", "x + cosh(300)^2 - sinh(300)^2 - 1", "correct", "huge terms that cancel"),
    ("= max(x, 2.3) | R", "x if x > 2.3 else 2.3", "correct", "tie at the breakpoint"),
    ("= abs(x - 2.3) | R", "x - 2.3 if x >= 2.3 else 2.3 - x", "correct", "kink at 2.3"),
    ("= 1 if x >= 2.3 else 0 | R", "heaviside(x - 2.3) + (1/2 if x = 2.3 else 0)", "correct", "tie repaired"),
    ("= x | R", "floor(x) + frac(x)", "correct", "staircases that cancel"),
    ("= 1 | R", "sin(3e20*pi*x)^2 + cos(3e20*pi*x)^2", "correct", "comb identity"),
    ("= exp(1000) + x | I8", "sqrt(exp(2000) + 2*x*exp(1000) + x^2)", "correct", "huge, not cancelled"),
    ("= atan(1/2) | -", "pi/2 - atan(2)", "correct", "closed"),
    ("= 3 | -", "log(27, 3)", "correct", "closed"),
    ("= 4 | -", "1 + log(27, 3)", "correct", "closed"),
    ("= (sqrt(6) - sqrt(2))/4 | -", "sin(pi/12)", "correct", "closed"),
    ("= 5 | -", "exp(log(5)) + cosh(300)^2 - sinh(300)^2 - 1", "correct", "closed, cancellation of 1e260"),
]

DOMAINS = {"R": R, "I8": I8, "xy": {"x": "[-3, 3]", "y": "[-3, 3]"}, "t": {"t": "[0, 2]"}, "x": {"x": "(0, 1)"}}


def _row(question: str, answer: str) -> dict[str, Any]:
    if not question.startswith("="):
        return {"identity": question, "answer": answer}
    expected, _, words = question[1:].partition("|")
    variables = None if words.strip() == "-" else DOMAINS[words.strip()]
    return {"expected": expected.strip(), "variables": variables or {}, "answer": answer}


@pytest.fixture(scope="module")
def graded() -> list[dict[str, Any]]:
    return list(derive.grade([_row(q, a) for q, a, _, _ in CASES], jobs=2, timeout=TIMEOUT))


@pytest.mark.parametrize("index", range(len(CASES)), ids=[f"{c[3]}: {c[1][:40]}" for c in CASES])
def test_adversarial_answer(index: int, graded: list[dict[str, Any]]) -> None:
    question, answer, expect, family = CASES[index]
    got = graded[index]
    assert got["status"] == expect, f"{family}: {question} / {answer}: {got['status']}: {got['message']}"
    assert got["seconds"] <= TIMEOUT + SLACK
    if expect == "incorrect":  # a refutation names its witness, confirmed at high precision
        assert got["counterexample"] is not None and "numeric counterexample" in got["method"]
    elif expect == "correct" and not got["method"].startswith("proved"):  # a numeric verdict says what was checked
        assert "not a proof" in got["message"] and "digits" in got["message"]


def test_there_are_enough_attacks_of_both_kinds() -> None:
    false = [c for c in CASES if c[2] == "incorrect"]
    true = [c for c in CASES if c[2] == "correct"]
    assert len(false) + len(true) >= 50 and len(false) >= 30 and len(true) >= 20


def test_no_false_accept_and_no_false_reject(graded: list[dict[str, Any]]) -> None:
    """The headline: no false answer accepted, no true answer rejected or left undecided."""
    accepted = [c[1] for c, g in zip(CASES, graded, strict=True) if c[2] == "incorrect" and g["status"] == "correct"]
    rejected = [c[1] for c, g in zip(CASES, graded, strict=True) if c[2] == "correct" and g["status"] != "correct"]
    assert not accepted
    assert not rejected
