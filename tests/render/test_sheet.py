"""The sheet, the terminal text and the notebook Markdown show how each part was established: each
step's provenance, what a numeric link checked (never "proved"), the lemmas the proof rests on, the
independent method of each statement check, and each statement's computed level with its reason."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import sympy as sp
from sympy import Eq

from derive.core.claims import StatementCheck
from derive.core.derivation import Chain, Step
from derive.core.identity import Identity
from derive.core.proof import NumericReport, Proof, _outcomes, versions
from derive.maths.domains import real
from derive.render.pdf import compile_tex
from derive.render.sheet import proof_context, sheet_source
from derive.render.tex import escape_prose
from derive.render.text import proof_markdown, proof_text
from derive.verify.ladder import Verification

x = real(-8, 8).symbol("x")
Toy = Callable[..., Identity]  # the ``toy`` fixture of tests/conftest.py

SYMBOLIC = Verification(True, "expand", True, lemmas=("gibbs",))
NUMERIC_LINK = Verification(True, "numeric (30 digits, 24 points)", False, "max relative difference 3.1e-31", points=24)
CHECK = StatementCheck("claim", 256, 1e-16, 2e-16, True, "", "quadrature (scipy.integrate.quad)")


def _proof(toy: Toy, *links: tuple[Verification, str], scope: str = "") -> Proof:
    """A proof record of ``x^2 + 2x = x(x + 2)`` around hand-made links (levels computed as
    ``prove`` computes them), so the rendering is tested apart from the ladder."""
    ident = toy(Eq(x**2 + 2 * x, x * (x + 2)), lambda d: None)
    steps = [Step(x**2 + 2 * x, "", None, provenance="written (the opening form)")]
    steps += [Step(x * (x + 2), f"link {k}", v, provenance=prov) for k, (v, prov) in enumerate(links, 1)]
    chain = Chain(tuple(steps), "claim", (Verification(True, "identical", True),), scope)
    report = NumericReport(256, 7, 1e-16, 2e-16, (CHECK,), None)
    return Proof(ident, (chain,), tuple(_outcomes(ident, [chain], {})), report, None, 0.1, 7, versions())


@pytest.fixture
def numeric(toy: Toy) -> Proof:
    return _proof(
        toy, (SYMBOLIC, "computed by SymPy (factor)"), (NUMERIC_LINK, "written, checked numerically"), scope="for n = 3"
    )


def test_the_sheet_shows_provenance_lemmas_methods_and_levels(numeric: Proof) -> None:
    source = sheet_source(numeric)
    assert "computed by SymPy (factor)" in source and "written, checked numerically" in source
    assert "checked numerically, not proved: numeric (30 digits, 24 points); max relative difference 3.1e-31" in source
    said = source.replace("not proved", "")
    assert "proved: numeric" not in said and "proved (" not in said
    assert "\\parthead{Assumes/uses lemmas}" in source and "\\textsf{gibbs}" in source
    assert "independent method" in source and "pass [quadrature (scipy.integrate.quad)]" in source
    assert "verified numerically, not proved, at step 2" in source and "(for n = 3, as declared)" in source
    assert "\\scope{for n = 3}" in source  # the scope is shown with the statement


def test_the_context_carries_each_field(numeric: Proof) -> None:
    ctx = proof_context(numeric)
    (chain,) = ctx["chains"]
    assert [s["provenance"] for s in chain["steps"]] == [
        "written (the opening form)",
        "computed by SymPy (factor)",
        "written, checked numerically",
    ]
    assert chain["steps"][1]["lemmas"] == ["gibbs"] and chain["steps"][2]["numeric"]
    assert ctx["lemmas"] == ["gibbs"] and ctx["checks"][0]["method"] == "quadrature (scipy.integrate.quad)"
    (o,) = ctx["outcomes"]
    assert o["level"] == "numeric" and o["scope"] == "for n = 3" and ctx["numeric"]


def test_a_proved_sheet_says_proved_and_no_lemma_section_without_lemmas(toy: Toy) -> None:
    p = _proof(toy, (Verification(True, "factor", True), "computed by SymPy (factor)"))
    source = sheet_source(p)
    assert p.level == "general" and "proved (general)" in source and "proved: factor" in source
    assert "Assumes/uses lemmas" not in source
    assert "proved symbolically, for every value of its variables" in source


def test_a_mislabelled_statement_is_shown_failing_with_its_evidence(toy: Toy) -> None:
    matrix = Verification(True, "evaluated by SymPy", True)
    ident = toy(Eq(x**2 + 2 * x, x * (x + 2)), lambda d: None)
    chain = Chain(
        (Step(x**2 + 2 * x, "", None), Step(sp.Determinant(sp.ImmutableMatrix([[x, -x], [2, x]])), "", matrix)),
        "claim",
    )
    report = NumericReport(1, 0, 0, 0, (CHECK,), None)
    p = Proof(ident, (chain,), tuple(_outcomes(ident, [chain], {})), report, None, 0, 0, versions())
    source, text = sheet_source(p), proof_text(p)
    assert "not established" in source and "explicit 2x2 matrix in step 1" in source
    assert "Verdict: FAILED" in text and "NOT ESTABLISHED" in text and "explicit 2x2 matrix in step 1" in text


def test_text_and_markdown_say_the_same(numeric: Proof) -> None:
    text = proof_text(numeric)
    assert "✓ computed by SymPy (factor); proved: expand; uses gibbs" in text
    assert "≈ written, checked numerically; checked numerically, not proved: numeric (30 digits, 24 points)" in text
    assert "Assumes/uses lemmas\n  gibbs" in text and "[quadrature (scipy.integrate.quad)]" in text
    assert "[for n = 3]" in text and "Verdict: verified numerically" in text and "proved (" not in text
    md = proof_markdown(numeric)
    assert "Assumes/uses lemmas: gibbs" in md and "**numeric**" in md and "checked numerically, not proved" in md


def test_a_numeric_link_is_never_called_proved_even_by_its_provenance(toy: Toy) -> None:
    p = _proof(toy, (NUMERIC_LINK, "written, proved by numeric (30 digits, 24 points)"))
    said = (sheet_source(p) + proof_text(p)).replace("not proved", "")
    assert "proved by numeric" not in said and "written, checked by numeric (30 digits, 24 points)" in said


def test_prose_keeps_its_math_and_escapes_the_rest() -> None:
    assert escape_prose("for $2 \\times 2$ H_1") == "for $2 \\times 2$ H\\_1"
    assert escape_prose("costs $5") == "costs \\$5"  # unbalanced: everything escaped


def test_the_sheet_compiles(numeric: Proof, tmp_path: Path, latex_available: None) -> None:
    pdf = compile_tex(sheet_source(numeric), tmp_path, name="sheet")
    assert pdf.read_bytes()[:5] == b"%PDF-"
