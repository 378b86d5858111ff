"""The frozen Proof record and its displays."""

from __future__ import annotations

import sympy as sp

import derive
from derive.maths.domains import real
from derive.maths.special import Phi, phi

x = real(-8, 8).symbol("x")


def test_proof_api() -> None:
    p = derive.prove("gelu'")
    assert p.ok and p.level == "general"
    assert sp.simplify(p.result - (Phi(x) + x * phi(x))) == 0
    assert p.numeric.seed is not None and p.numeric.samples > 0
    assert p.numeric.crosscheck is not None and p.numeric.crosscheck.ok
    assert isinstance(derive.get("gelu'").claim, sp.Eq)
    assert r"\Phi" in p.latex() and "\\documentclass" in p.latex()
    assert "$" in p._repr_markdown_() and p._repr_latex_().startswith("$")
    assert "Verdict: proved (general)" in p.text()
