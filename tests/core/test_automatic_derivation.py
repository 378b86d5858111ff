"""An identity declared with a derivative claim and no derivation: derive's rules derive it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import sympy as sp

from derive.core.autodiff.automatic import AGREES, AUTOMATIC
from derive.core.identity import declare
from derive.core.proof import prove_identity
from derive.errors import DeclarationError
from derive.maths.domains import real
from derive.maths.special import sigmoid

x = real(-8, 8).symbol("x")
b = real(0.5, 3).symbol("b")
SWISH = x * sigmoid(b * x)
SWISH_PRIME = sigmoid(b * x) + b * x * sigmoid(b * x) * (1 - sigmoid(b * x))


def _declared(claim: sp.Basic, *also: sp.Basic) -> object:
    return declare(
        "auto-test",
        title="Automatic",
        section="2.2",
        map_row="automatic",
        variables={x: real(-8, 8), b: real(0.5, 3)},
        claim=claim,
        also=also,
        numeric_samples=32,
    )


def test_a_claim_alone_is_derived_by_the_rules_and_says_so() -> None:
    ident = _declared(
        sp.Eq(sp.Derivative(SWISH, x), SWISH_PRIME),
        sp.Eq(sp.Derivative(sp.exp(-(x**2)), x), -2 * x * sp.exp(-(x**2))),
    )
    assert ident.module == __name__  # where the registry finds it: the declaring module
    assert AUTOMATIC in ident.summary and ident.crosscheck is not None
    p = prove_identity(ident)
    assert p.ok and p.level == "general", p.failed_because
    proofs = [c for c in p.chains if c.statement]
    assert [c.statement for c in proofs] == ["claim", "part 2"]
    assert all(any(AUTOMATIC.capitalize() in n for n in c.notes) for c in proofs)
    assert sum(c.title == AGREES for c in p.chains) == 2
    assert any("product rule" in s.why for s in proofs[0].steps)
    assert p.numeric.crosscheck is not None and p.numeric.crosscheck.ok  # central differences agree


def test_a_false_claim_alone_fails() -> None:
    p = prove_identity(_declared(sp.Eq(sp.Derivative(SWISH, x), sigmoid(b * x))))
    assert not p.ok


@pytest.mark.parametrize(
    "claim",
    [sp.Eq(sp.sin(x) ** 2 + sp.cos(x) ** 2, 1), sp.Eq(sp.Derivative(sp.sin(x), x, 2), -sp.sin(x))],
    ids=["not a derivative", "second derivative"],
)
def test_without_a_derivation_the_claim_must_be_a_first_derivative(claim: sp.Basic) -> None:
    with pytest.raises(DeclarationError, match=r"Eq\(Derivative\(f, x\), g\)"):
        _declared(claim)


MODULE = '''
"""A plugin identity declared by its claim alone."""
from sympy import Derivative, Eq
from derive.authoring import declare, real, softplus, sigmoid

x = real(-8, 8).symbol("x")

SOFTPLUS_PRIME = declare(
    "auto-softplus'",
    title="Derivative of softplus",
    section="2.2",
    map_row=r"$\\log(1 + e^x)$",
    variables={x: real(-8, 8)},
    claim=Eq(Derivative(softplus(x), x), sigmoid(x)),
)
'''


def test_prove_and_sheet_of_a_module_identity(tmp_path: Path, prove_and_sheet: Any) -> None:
    out = prove_and_sheet(tmp_path, "auto_softplus.py", MODULE, "auto-softplus'")
    tex = tmp_path / "sheet.tex"
    assert out.returncode == 0 and "exit 0" in out.stdout and "exit 1" not in out.stdout, out.stdout + out.stderr
    assert "Verdict: proved (general)" in out.stdout
    assert "Derived automatically by derive's differentiation rules" in out.stdout
    assert AUTOMATIC in tex.read_text()
