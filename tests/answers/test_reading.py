r"""Reading conventions (issue 16, second bullet): ``sin 5n``, ``arccos 3n``, ``log^2 2n``, ``nm^(-1)``,
``sin 2x``, a declared ``mu0`` (typed ``μ0``), ``\cfrac``; and the verdict says how it read the answer.

Each row is an answer, the teacher's expected answer and variables, the verdict it must get, and two
mpmath functions: what the answer means under the convention (the reading a person gives it) and
what the expected answer is. Both are evaluated independently of the code under test at fixed
points of the variables' domains, at 60 digits: the label is ``correct`` iff they agree everywhere
(to 40 digits) and ``incorrect`` iff they differ somewhere. The reading itself is then checked:
the parsed answer, evaluated by SymPy's mpmath printer, must equal the first function at the same
points (so a row passes only if the text was read as labelled, not merely judged as labelled).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import cache
from typing import Any

import mpmath as mp
import pytest
import sympy as sp

from derive.answers.checker import judge
from derive.answers.question import Context, teacher_context
from derive.answers.verdict import Verdict

DPS = 60
TOL = mp.mpf(10) ** -40
#: the test's own points in each domain (not the checker's sample points)
VALUES = {
    "real": ["-2.7", "-0.45", "0.3", "1.35", "3.9"],
    "positive": ["0.3", "1.35", "3.9", "7.2", "0.05"],
    "(-0.3, 0.3)": ["-0.25", "-0.1", "0.05", "0.2", "0.29"],
}
R = {"x": "real"}
N = {"n": "real"}
NP = {"n": "positive"}
NM = {"n": "positive", "m": "positive"}
MU = {"mu0": "real"}
AB = {"a": "positive", "b": "positive", "ab": "positive"}
Fn = Callable[..., Any] | None

# (answer, expected, variables, latex, verdict, what the answer means, expected's value, what it tests)
CASES: list[tuple[str, str, dict[str, str], bool, str, Fn, Fn, str]] = [
    # -- the conventions of the issue
    ("sin 5n", "sin(5*n)", N, False, "correct", lambda n: mp.sin(5 * n), lambda n: mp.sin(5 * n), "sin 5n"),
    ("arccos 3n", "acos(3*n)", {"n": "(-0.3, 0.3)"}, False, "correct", lambda n: mp.acos(3 * n),
     lambda n: mp.acos(3 * n), "arccos 3n"),
    ("log^2 2n", "log(2*n)^2", NP, False, "correct", lambda n: mp.log(2 * n) ** 2, lambda n: mp.log(2 * n) ** 2,
     "log^2 2n"),
    ("nm^(-1)", "n/m", NM, False, "correct", lambda n, m: n / m, lambda n, m: n / m, "nm^(-1)"),
    ("sin 2x", "sin(2*x)", R, False, "correct", lambda x: mp.sin(2 * x), lambda x: mp.sin(2 * x), "sin 2x"),
    ("1+μ0", "1 + mu0", MU, False, "correct", lambda mu0: 1 + mu0, lambda mu0: 1 + mu0, "declared mu0, Greek"),
    ("1+µ0", "1 + mu0", MU, False, "correct", lambda mu0: 1 + mu0, lambda mu0: 1 + mu0, "micro sign"),
    ("μ0μ0", "mu0^2", MU, False, "correct", lambda mu0: mu0**2, lambda mu0: mu0**2, "declared mu0 twice"),
    ("2mu0x", "2*mu0*x", {**MU, **R}, False, "correct", lambda mu0, x: 2 * mu0 * x, lambda mu0, x: 2 * mu0 * x,
     "declared mu0 in a split"),
    (r"\cfrac{1}{x}", "1/x", {"x": "positive"}, True, "correct", lambda x: 1 / x, lambda x: 1 / x, "cfrac"),
    (r"\cfrac[l]{1}{1+x}", "1/(1+x)", {"x": "positive"}, True, "correct", lambda x: 1 / (1 + x),
     lambda x: 1 / (1 + x), "cfrac with alignment"),
    # -- more of the same convention
    (r"\sin 2x", "sin(2*x)", R, True, "correct", lambda x: mp.sin(2 * x), lambda x: mp.sin(2 * x), "LaTeX sin 2x"),
    (r"\cos 2\pi x", "cos(2*pi*x)", R, True, "correct", lambda x: mp.cos(2 * mp.pi * x),
     lambda x: mp.cos(2 * mp.pi * x), "constant coefficients"),
    ("sin^2 3x", "sin(3*x)^2", R, False, "correct", lambda x: mp.sin(3 * x) ** 2, lambda x: mp.sin(3 * x) ** 2,
     "power on the function"),
    ("sin 2x^2", "sin(2*x^2)", R, False, "correct", lambda x: mp.sin(2 * x**2), lambda x: mp.sin(2 * x**2),
     "power in the argument"),
    ("-sin 2x", "-sin(2*x)", R, False, "correct", lambda x: -mp.sin(2 * x), lambda x: -mp.sin(2 * x), "negated"),
    ("sin 2x/3", "sin(2*x)/3", R, False, "correct", lambda x: mp.sin(2 * x) / 3, lambda x: mp.sin(2 * x) / 3,
     "division ends the argument"),
    ("e^x sin 2x", "exp(x)*sin(2*x)", R, False, "correct", lambda x: mp.exp(x) * mp.sin(2 * x),
     lambda x: mp.exp(x) * mp.sin(2 * x), "after a factor"),
    ("sin x cos x", "sin(x)*cos(x)", R, False, "correct", lambda x: mp.sin(x) * mp.cos(x),
     lambda x: mp.sin(x) * mp.cos(x), "a variable ends the argument"),
    (r"\frac{\sin 2x}{2}", "sin(2*x)/2", R, True, "correct", lambda x: mp.sin(2 * x) / 2,
     lambda x: mp.sin(2 * x) / 2, "inside a fraction"),
    ("(log 2n)^2", "log(2*n)^2", NP, False, "correct", lambda n: mp.log(2 * n) ** 2, lambda n: mp.log(2 * n) ** 2,
     "bracketed"),
    ("log_2 8n", "log(8*n)/log(2)", NP, False, "correct", lambda n: mp.log(8 * n, 2), lambda n: mp.log(8 * n, 2),
     "log base 2"),
    ("n m^-1", "n/m", NM, False, "correct", lambda n, m: n / m, lambda n, m: n / m, "spaced"),
    ("ab^2", "ab^2", AB, False, "correct", lambda a, b, ab: ab**2, lambda a, b, ab: ab**2, "declared ab wins"),
    ("x2 + x 2", "x2 + 2*x", {"x": "real", "x2": "real"}, False, "correct", lambda x, x2: x2 + 2 * x,
     lambda x, x2: x2 + 2 * x, "a typed space keeps x 2 a product"),
    # -- near misses and wrong readings
    ("sin(5)n", "sin(5*n)", N, False, "incorrect", lambda n: mp.sin(5) * n, lambda n: mp.sin(5 * n),
     "brackets close the argument"),
    ("n sin 5", "sin(5*n)", N, False, "incorrect", lambda n: n * mp.sin(5), lambda n: mp.sin(5 * n),
     "coefficient before"),
    ("sin(2) x", "sin(2*x)", R, False, "incorrect", lambda x: mp.sin(2) * x, lambda x: mp.sin(2 * x),
     "bracketed number"),
    (r"\sin{2} x", "sin(2*x)", R, True, "incorrect", lambda x: mp.sin(2) * x, lambda x: mp.sin(2 * x),
     "braced number"),
    ("ln 2 * x", "log(2*x)", {"x": "positive"}, False, "incorrect", lambda x: mp.log(2) * x,
     lambda x: mp.log(2 * x), "explicit product ends the argument"),
    ("1/(nm)", "n/m", NM, False, "incorrect", lambda n, m: 1 / (n * m), lambda n, m: n / m, "the old reading"),
    ("log(2n)", "log(2*n)^2", NP, False, "incorrect", lambda n: mp.log(2 * n), lambda n: mp.log(2 * n) ** 2,
     "power forgotten"),
    ("ab^2", "a*b^2", AB, False, "incorrect", lambda a, b, ab: ab**2, lambda a, b, ab: a * b**2,
     "declared ab is not a*b"),
    ("arccos(3)n", "acos(3*n)", {"n": "(-0.3, 0.3)"}, False, "incorrect", lambda n: mp.acos(3) * n,
     lambda n: mp.acos(3 * n), "not real"),
    # -- malformed and hostile
    (r"\cfrac{1}", "1/x", {"x": "positive"}, True, "invalid", None, None, "cfrac, one argument"),
    ("sin", "sin(x)", R, False, "invalid", None, None, "no argument"),
    ("log^2", "log(x)^2", {"x": "positive"}, False, "invalid", None, None, "power, no argument"),
    ("sin -2x", "sin(-2*x)", R, False, "invalid", None, None, "sign after a bare function"),
    ("sin 5n" + " + sin 5n" * 3000, "sin(5*n)", N, False, "invalid", None, None, "too long"),
    ("μ0__import__", "mu0", MU, False, "invalid", None, None, "code after a name"),
]  # fmt: skip


def _points(variables: dict[str, str]) -> list[dict[str, Any]]:
    names = sorted(variables)
    with mp.workdps(DPS):
        return [{v: mp.mpf(VALUES[variables[v]][(i + 2 * k) % 5]) for k, v in enumerate(names)} for i in range(5)]


def _real(v: Any) -> bool:
    return isinstance(v, mp.mpf) and mp.isfinite(v)


def independent(answer: Callable[..., Any], expected: Callable[..., Any], variables: dict[str, str]) -> str:
    """The verdict from the two meanings alone, at the test's own points."""
    with mp.workdps(DPS):
        for p in _points(variables):
            a, e = answer(**p), expected(**p)
            if not _real(a) or abs(a - e) > TOL * max(abs(e), 1):
                return "incorrect"
    return "correct"


def read_as_labelled(parsed: sp.Expr, meaning: Callable[..., Any], variables: dict[str, str]) -> bool:
    """Whether the parsed answer has the labelled meaning at the test's points (evaluated by SymPy's
    mpmath printer, not by the checker's evaluator)."""
    names = sorted(variables)
    symbols = {s.name: s for s in parsed.free_symbols}
    f = sp.lambdify([symbols.get(n, sp.Symbol(n)) for n in names], parsed, modules="mpmath")
    with mp.workdps(DPS):
        for p in _points(variables):
            got, want = f(*[p[n] for n in names]), meaning(**p)
            if abs(got - want) > TOL * max(abs(want), 1):
                return False
    return True


@cache
def context(expected: str, variables: tuple[tuple[str, str], ...]) -> Context:
    return teacher_context(expected, dict(variables))


@pytest.mark.parametrize("case", CASES, ids=[f"{c[7]}: {c[0][:30]}" for c in CASES])
def test_reading(case: tuple[str, str, dict[str, str], bool, str, Fn, Fn, str]) -> None:
    answer, expected, variables, latex, label, fa, fe, _what = case
    v = judge(context(expected, tuple(sorted(variables.items()))), answer, latex=latex, budget=5.0)
    if label == "invalid":
        assert fa is None and fe is None
        assert v["status"] == "invalid" and Verdict(**v).read_as == "", v["message"]
        return
    assert fa is not None and fe is not None
    assert independent(fa, fe, variables) == label, "the label disagrees with the independent evaluation"
    assert v["status"] == label, v["message"]
    shown = Verdict(**v).read_as
    assert read_as_labelled(v["parsed"], fa, variables), f"read as {shown}"
    assert shown == sp.sstr(v["parsed"]) and shown in Verdict(**v).to_dict().values()


def test_verdict_reports_the_reading() -> None:
    v = judge(context("sin(5*n)", (("n", "real"),)), "sin 5n")
    assert Verdict(**v).read_as == "sin(5*n)"
    d = Verdict(**v).to_dict()
    assert d["read_as"] == "sin(5*n)" and d["parsed"] == "sin(5*n)"


def test_function_argument_run_is_linear() -> None:
    """A long run of numbers after a function word is read in one pass (no quadratic blow-up)."""
    text = "sin " + " ".join(["2"] * 400) + " x"
    start = time.perf_counter()
    v = judge(context("sin(x)", (("x", "real"),)), text)
    assert v["status"] in ("incorrect", "invalid") and time.perf_counter() - start < 2.0
