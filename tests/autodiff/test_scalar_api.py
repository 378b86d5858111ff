"""derive.differentiate and derive.prove_claim: the proofs they return, the rules as data, false
claims, the fallback to sympy.diff, indexed variables, and hostile input."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp
from sympy.core.cache import clear_cache

import derive
from derive.autodiff import RULES, ExpressionError, counterexample, differentiate, prove_claim
from derive.autodiff import scalar as scalar_module
from derive.core.autodiff import automatic as automatic_module
from derive.core.autodiff.check import central_differences
from derive.core.autodiff.rules import ELEMENTARY, U, find
from derive.errors import BudgetExceeded, DeriveError
from derive.maths.domains import real
from derive.maths.special import SPECIAL_FUNCTIONS, Phi, elementary, phi, sigmoid
from derive.numeric.crosscheck import CheckContext
from derive.numeric.sampling import generator
from derive.verify.ladder import Ladder

x = sp.Symbol("x", real=True)


def test_gelu_derivative_is_a_proof_with_named_verified_steps() -> None:
    p = derive.differentiate("x*Phi(x)", "x")
    assert p.ok and p.level == "general" and p.verdict == "proved (general)"
    assert sp.expand(p.result - (Phi(x) + x * phi(x))) == 0
    whys = [s.why for s in p.chains[0].steps[1:]]
    assert whys[0].startswith("product rule") and whys[1].startswith("Phi (chain rule)")
    assert all(s.ok and s.symbolic for s in p.steps)
    assert "automatically" in p.identity.summary and any("automatically" in n for n in p.chains[0].notes)
    cross = p.numeric.crosscheck
    assert cross is not None and cross.ok and "central differences" in cross.name and cross.samples >= 6


def test_logistic_loss_gradient_reads_as_sigmoid() -> None:
    variables = {"y": "real", "w": "real", "x": "real"}
    p = derive.differentiate("log(1 + exp(-y*w*x))", "w", variables=variables)
    assert p.ok, p.failed_because
    w, y = sp.Symbol("w", real=True), sp.Symbol("y", real=True)
    assert p.result.has(sigmoid) and not p.result.has(sp.exp)  # the exp soup folded back into sigma
    assert Ladder().equal(p.result, -x * y * sigmoid(-w * x * y)).ok is True
    assert any(s.why.startswith("sigmoid restored") for s in p.steps)


def test_sigmoid_derivative_is_factored() -> None:
    p = differentiate("1/(1 + exp(-x))", "x")
    assert p.ok and p.result == (1 - sigmoid(x)) * sigmoid(x)


def test_prove_claim_true_in_both_spellings() -> None:
    p = derive.prove_claim("Derivative(log(1 + exp(x)), x) = sigmoid(x)", variables={"x": "real"})
    assert p.ok and p.level == "general" and p.result == sigmoid(x)
    q = prove_claim("d/dx log(1+exp(x)) = sigmoid(x)")
    assert q.ok and q.identity.claim.rhs == sigmoid(x)


def test_a_false_claim_is_refused_with_a_counterexample() -> None:
    p = prove_claim("d/dx log(1+exp(x)) = sigmoid(-x)")
    assert not p.ok and "claim" in p.failed_because
    v = counterexample(p)
    assert v is not None and v.counterexample is not None and v.ok is False
    at = sp.Rational(v.counterexample["x"])  # the two sides really differ there
    assert abs(float(sigmoid(at) - sigmoid(-at))) > 1e-3


def test_a_claim_off_by_a_small_term_is_refused() -> None:
    assert not prove_claim("d/dx x^3 = 3*x^2 + 10^(-6)*x").ok


def test_no_rule_falls_back_to_sympy_diff_and_says_where() -> None:
    p = differentiate("x^2*sign(x)", "x")
    fallback = [s.why for s in p.steps if "no rule" in s.why]
    assert fallback == [r"no rule for $\operatorname{sign}{\left(x \right)}$; sympy.diff used"]
    assert p.ok and p.result.has(sp.DiracDelta)


def test_sympy_cannot_either_is_said_and_not_claimed_proved() -> None:
    p = differentiate("x*floor(x)", "x")
    assert any("leaves the derivative unevaluated" in s.why for s in p.steps)
    assert p.result.has(sp.Derivative) and not p.ok  # no number for the unevaluated derivative


def test_kronecker_delta_over_an_indexed_vector() -> None:
    z = sp.IndexedBase("z", real=True)
    k, j = sp.symbols("k j", integer=True)
    n = sp.Symbol("n", integer=True, positive=True)
    p = differentiate(sp.Sum(z[k] ** 2, (k, 1, n)), z[j], {"n": "integer>=1", "j": "integer>=1"})
    assert p.ok, p.failed_because
    assert p.result == sp.Piecewise((2 * z[j], j <= n), (0, True))
    names = [s.why.split(":")[0] for s in p.chains[0].steps[1:]]
    assert names == ["sum over a range", "power rule", "entry of a vector (Kronecker delta)", "Kronecker deltas sifted"]


def test_every_function_rule_agrees_with_sympys_derivative() -> None:
    """The table's F'(u) (elementary) and each special function's fdiff against SymPy's own diff."""
    ladder = Ladder(domains={U: real(-0.9, 0.9)})
    for fn, prime in ELEMENTARY:
        assert ladder.equal(prime(U), sp.diff(fn(U), U)).ok is True, fn
    for cls in SPECIAL_FUNCTIONS:
        assert ladder.equal(cls(U).fdiff(1), sp.diff(cls(U).elementary(), U)).ok is True, cls


def test_rules_are_data() -> None:
    names = [r.name for r in RULES]
    assert len(names) == len(set(names)) and all(r.latex for r in RULES)
    assert find(sp.sin(x) * x, x) is not None and find(sp.sin(x) * x, x).name == "product rule"  # type: ignore[union-attr]
    assert find(sp.floor(x), x) is None


def test_the_cross_check_catches_a_wrong_derivative() -> None:
    f = x * Phi(x)
    ctx = CheckContext({x: real(-8, 8)}, generator(1), 1, result=Phi(x) + x * phi(x))
    assert central_differences(f, x)(ctx).ok
    ctx.result = Phi(x) + 1.000001 * x * phi(x)
    assert not central_differences(f, x)(ctx).ok


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("x*Phi(", "ends too early"),
        ("x" * 5000, "too long"),
        ("(" * 60 + "x" + ")" * 60, "nested too deeply"),
        ("__import__('os').system('echo pwned')", "cannot read"),
        ("9**9**9**9", "cannot read"),
        ("frobnicate(x)", "cannot read"),
    ],
)
def test_hostile_or_malformed_input_is_a_clear_derive_error(text: str, words: str) -> None:
    with pytest.raises(ExpressionError, match=r"cannot read|too long|nested") as err:
        differentiate(text, "x")
    assert isinstance(err.value, DeriveError) and words in str(err.value)


@pytest.mark.parametrize(
    ("claim", "words"),
    [
        ("d/dx x^2", "one '='"),
        ("x^2 = 2*x", "first derivative"),
        ("d/dx x^2 = 2*x = 2x", "one '='"),
        ("d/dx x^2 == 2*x", "one '='"),
    ],
)
def test_malformed_claims(claim: str, words: str) -> None:
    with pytest.raises(ExpressionError, match=words):
        prove_claim(claim)


def test_an_expression_free_of_the_variable_is_refused() -> None:
    with pytest.raises(ExpressionError, match="does not depend on y"):
        differentiate("x*Phi(x)", "y")
    with pytest.raises(ExpressionError, match="does not depend on x"):
        prove_claim("Derivative(5, x) = 0")


def test_bad_variables() -> None:
    with pytest.raises(ExpressionError, match="unknown domain"):
        differentiate("x^2", "x", {"x": "sideways"})
    with pytest.raises(ExpressionError, match="letters"):
        differentiate("x^2", "x", {"x y": "real"})


def test_the_time_budget_holds(monkeypatch: pytest.MonkeyPatch) -> None:
    """The tower takes ~50 ms of CPU from a cold cache (4 ms warm): 5 ms must stop it, also on
    a fast machine, and the engine's own simplification attempts must not swallow the budget."""
    monkeypatch.setattr(automatic_module, "ENGINE_SECONDS", 0.005)
    clear_cache()
    tower = "x^(x^(x^(x^(x^(x^(x^(x^x)))))))*sin(x)^(cos(x)^(tan(x)^x))"
    with pytest.raises(BudgetExceeded, match="CPU time"):
        differentiate(tower, "x", {"x": "positive"})


def test_the_proof_budget_holds(monkeypatch: pytest.MonkeyPatch) -> None:
    """Past the proof's budget every remaining ladder attempt is undecided: a failed proof (or the
    budget's error), never a proof claimed without its checks."""
    monkeypatch.setattr(scalar_module, "PROOF_SECONDS", 0.02)
    try:
        p = differentiate("x^3*exp(-x)*sin(2*x)*atan(x)/(1 + x^2)", "x")
    except BudgetExceeded:
        return
    assert not p.ok


def test_values_match_an_independent_numeric_derivative() -> None:
    p = differentiate("x*tanh(softplus(x))", "x")  # mish
    f = sp.lambdify(x, x * sp.tanh(sp.log(1 + sp.exp(x))), "numpy")
    derived = sp.lambdify(x, elementary(p.result), "numpy")
    pts = np.linspace(-4, 4, 9)
    h = 1e-6
    np.testing.assert_allclose(derived(pts), (f(pts + h) - f(pts - h)) / (2 * h), rtol=1e-6, atol=1e-8)
