"""The ``@identity`` decorator on a function with no body: derive's rules derive the claim, as for
``declare(..., derivation=None)``, and the sheet says so (a researcher's plugin loaded with --module)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import sympy as sp

from derive.core.autodiff.automatic import AUTOMATIC
from derive.core.identity import Derivation, _no_body, identity
from derive.core.proof import prove_identity
from derive.maths.domains import real
from derive.maths.special import sigmoid

x = real(-6, 6).symbol("x")
FIELDS = {"title": "Swish", "section": "2.2", "map_row": "swish", "variables": {x: real(-6, 6)}, "numeric_samples": 32}


def test_only_a_function_that_does_nothing_has_no_body() -> None:
    def doc(d: Derivation) -> None:
        """Intro."""

    def ellipsis(d: Derivation) -> None: ...

    def returns_one(d: Derivation) -> int:
        return 1

    def works(d: Derivation) -> None:
        """Intro."""
        d.note("a hand-written step")

    assert _no_body(doc) and _no_body(ellipsis)
    assert not _no_body(returns_one) and not _no_body(works) and not _no_body(print)


def test_a_bodiless_derivation_is_derived_automatically_and_a_false_claim_fails() -> None:
    right = sp.Eq(sp.Derivative(x * sigmoid(x), x), sigmoid(x) + x * sigmoid(x) * (1 - sigmoid(x)))

    @identity("deco-swish'", claim=right, **FIELDS)  # type: ignore[arg-type]
    def swish(d: Derivation) -> None:
        r"""The derivative of swish $x\,\sigma(x)$."""

    assert swish.summary.startswith(r"The derivative of swish $x\,\sigma(x)$.") and AUTOMATIC in swish.summary
    assert swish.module == __name__
    p = prove_identity(swish)
    assert p.ok and p.level == "general", p.failed_because

    @identity("deco-wrong'", claim=sp.Eq(right.lhs, sigmoid(x)), **FIELDS)  # type: ignore[arg-type]
    def wrong(d: Derivation) -> None: ...

    assert not prove_identity(wrong).ok


MODULE = '''
"""A researcher's plugin: an activation's derivative, declared by the decorator without steps."""
from sympy import Derivative, Eq, exp, log
from derive.authoring import Derivation, identity, real, sigmoid

x = real(-8, 8).symbol("x")


@identity(
    "deco-logsigmoid'",
    title="Derivative of log-sigmoid",
    section="2.2",
    map_row=r"$\\log\\sigma(x)$",
    variables={x: real(-8, 8)},
    claim=Eq(Derivative(log(sigmoid(x)), x), 1 - sigmoid(x)),
)
def logsigmoid_prime(d: Derivation) -> None:
    r"""Log-sigmoid, the log-likelihood of a logistic model: its slope is $1 - \\sigma(x)$."""
'''


def test_a_plugin_module_with_a_bodiless_decorated_identity(tmp_path: Path, prove_and_sheet: Any) -> None:
    out = prove_and_sheet(tmp_path, "deco_plugin.py", MODULE, "deco-logsigmoid'")
    tex = tmp_path / "sheet.tex"
    assert out.returncode == 0 and "exit 1" not in out.stdout and "exit 2" not in out.stdout, out.stdout + out.stderr
    assert "Verdict: proved (general)" in out.stdout
    assert "Derived automatically by derive's differentiation rules" in out.stdout
    sheet = tex.read_text()
    assert AUTOMATIC in sheet and "the log-likelihood of a logistic model" in sheet
