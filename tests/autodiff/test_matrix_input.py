"""derive.gradient and ``derive grad`` on hostile and wrong input, and never a wrong matrix."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

import derive
from derive.autodiff.matrix import MatrixExpressionError, api, gradient, parse
from derive.autodiff.matrix.nodes import symbol
from derive.cli import main

LSQ = {"A": ("m", "n"), "x": ("n",), "b": ("m",)}


@pytest.mark.parametrize(
    ("text", "shapes", "message"),
    [
        ("norm(A*y - b)^2", LSQ, "unknown name 'y'"),
        ("foo(x)", LSQ, "unknown name 'foo'"),
        ("A*b", LSQ, "inner sizes differ"),
        ("A*x + x", LSQ, "cannot add terms"),
        ("det(A)", LSQ, "needs a square matrix"),
        ("A^2", LSQ, "can only be raised to"),
        ("x/A", LSQ, "only division by a scalar"),
        ("__import__('os').system('ls')", LSQ, "unexpected character"),
        ("x" + "+x" * 150, LSQ, "too many parts"),
        ("x" + " + x" * 120, LSQ, "too long"),
        ("(" * 40 + "x" + ")" * 40, LSQ, "nested too deeply"),
        ("x.T*x^99", LSQ, "beyond the limit"),
        ("123456789012345*x.T*x", LSQ, "more than 12 digits"),
        ("x.T*x +", LSQ, "ends too early"),
        ("x.T x", LSQ, "after a complete expression"),
        ("norm(x)", {"x": ("n; rm -rf",)}, "must be a name or a positive integer"),
        ("exp", {"x": ("n",)}, "is a function"),
        ("x", {"exp": ("n",)}, "cannot name a variable"),
        ("", LSQ, "empty"),
    ],
)
def test_refused_by_name(text: str, shapes: dict[str, tuple[str, ...]], message: str) -> None:
    with pytest.raises(MatrixExpressionError, match=message):
        parse(text, shapes)


def test_gradient_refuses_what_it_cannot_differentiate() -> None:
    with pytest.raises(MatrixExpressionError, match="scalar expression"):
        gradient("A*x - b", "x", shapes=LSQ)
    with pytest.raises(MatrixExpressionError, match="has no shape"):
        gradient("x.T*x", "z", shapes=LSQ)
    with pytest.raises(MatrixExpressionError, match="does not depend on"):
        gradient("b.T*b", "x", shapes=LSQ)
    with pytest.raises(MatrixExpressionError, match="layout"):
        gradient("x.T*x", "x", shapes=LSQ, layout="mixed")


def test_reader_notation() -> None:
    shapes = {"A": ("m", "n"), "x": ("n",), "X": ("n", "n"), "c": ()}
    assert str(parse("x^T @ A.T @ A @ x", shapes)) == "x.T*A.T*A*x"
    assert str(parse("tr(X^-1) + c*det(X)", shapes)) == "trace(inv(X)) + c*det(X)"
    assert str(parse("(A.T).T", shapes)) == "A"
    assert parse("x.T*x", shapes).scalar


def test_a_wrong_matrix_fails_the_finite_differences(monkeypatch: pytest.MonkeyPatch) -> None:
    """A matrix form off by a factor (here the missing 2 of 2 A^T (A x - b)) is never returned."""
    wrong = parse("A.T*(A*x - b)", LSQ)
    monkeypatch.setattr(api, "gradient_node", lambda f, wrt: wrong)
    g = gradient("norm(A*x - b)^2", "x", shapes=LSQ)
    assert not g.in_matrix_form and g.matrix is None
    assert "failed the finite-difference check" in g.note and "index form" in g.note
    assert not g.ok  # no matrix form, so no numeric check of the result: never reported as passed


def test_a_wrong_matrix_fails_the_chain(monkeypatch: pytest.MonkeyPatch) -> None:
    """Even past the numeric check, the ladder refuses a wrong matrix form at its entry (k, l)."""
    wrong = parse("A.T*(A*x - b)", LSQ)
    fake = api.CrossCheckResult("finite differences", "stubbed", 0.0, 1e-6, 1, True, "")
    monkeypatch.setattr(api, "gradient_node", lambda f, wrt: wrong)
    monkeypatch.setattr(api, "finite_differences", lambda *args: fake)
    g = gradient("norm(A*x - b)^2", "x", shapes=LSQ)
    assert not g.in_matrix_form
    assert "was not proved equal to the entrywise derivative" in g.note
    # the index form that is returned instead is the verified derivative: 2 sum_i A_ik ((Ax)_i - b_i)
    assert g.proof.chains[0].ok and "Kronecker collapse" in g.proof.chains[0].steps[-1].why


def test_symbol_names_stay_symbols() -> None:
    assert str(symbol("W_q", (derive_size("d"), derive_size("n")))) == "W_q"


def derive_size(name: str) -> object:
    import sympy as sp

    return sp.Symbol(name, integer=True, positive=True)


def test_top_level_api() -> None:
    g = derive.gradient("x.T*A*x", "x", shapes={"x": ("n",), "A": ("n", "n")})
    assert g.ok and str(g.result) == "A*x + A.T*x"
    assert g.proof.verdict == "proved (general)"
    assert "gradient" in derive.__all__


def test_cli_text_json_and_errors() -> None:
    runner = CliRunner()
    args = ["grad", "norm(A*x - b)^2", "x", "--shape", "A=m,n", "--shape", "x=n", "--shape", "b=m"]
    out = runner.invoke(main, args)
    assert out.exit_code == 0, out.output
    assert "= 2*A.T*(A*x - b)" in out.output and "denominator layout" in out.output
    out = runner.invoke(main, [*args, "--json", "--layout", "numerator"])
    assert out.exit_code == 0, out.output
    data = json.loads(out.output)
    assert data["result"] == "2*(A*x - b).T*A" and data["layout"] == "numerator" and data["ok"]
    assert data["numeric"]["ok"] and data["steps"][0]["why"].startswith("the expression in index notation")
    bad = runner.invoke(main, ["grad", "A*x", "x", "--shape", "A=m,n", "--shape", "x=m"])
    assert bad.exit_code == 2 and "inner sizes differ" in bad.output
    bad = runner.invoke(main, ["grad", "x.T*x", "x", "--shape", "x"])
    assert bad.exit_code == 2 and "NAME=SIZES" in bad.output


def test_sympy_is_only_a_second_opinion() -> None:
    """SymPy's MatrixExpr.diff returns 0 for d log det X / dX: recorded, and the derived X^-T stands."""
    g = gradient("log(det(X))", "X", shapes={"X": ("n", "n")})
    assert g.ok and str(g.result) == "inv(X).T"
    assert g.second_opinion.startswith("DISAGREES (SymPy: 0)")
    h = gradient("norm(A*x - b)^2", "x", shapes=LSQ)
    assert h.second_opinion == "agrees"
    t = gradient("sum(tanh(A*x))", "x", shapes=LSQ)
    assert t.second_opinion.startswith("none")
