"""Notebook HTML (``_repr_html_``): math in MathJax's ``\\(...\\)``, every other string escaped."""

from __future__ import annotations

from dataclasses import replace

import derive
from derive.answers.verdict import Verdict
from derive.core.proof import prove_identity


def test_a_proof_in_html_typesets_its_math_and_escapes_its_text() -> None:
    ident = replace(derive.get("sigmoid'"), title="The <script>alert(1)</script> sigmoid, $\\sigma'$")
    html = prove_identity(ident)._repr_html_()
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert r"\(\sigma'\)" in html and "$" not in html
    assert html.count("<li>") >= 5 and "proved (general)" in html


def test_a_verdict_in_html() -> None:
    v = Verdict(False, "incorrect", "Incorrect: sign flipped: $\\sigma(1 + \\sigma)$ <b>", parsed=None)
    html = v._repr_html_()
    assert r"\(\sigma(1 + \sigma)\)" in html and "&lt;b&gt;" in html and "incorrect" in html


def test_a_verdict_repr_is_one_short_line() -> None:
    long = "Incorrect: " + "a very long message " * 20
    text = repr(Verdict(False, "incorrect", long, method="numeric (45 digits)"))
    assert text.startswith("<Verdict incorrect: 'Incorrect: ") and text.endswith("(numeric (45 digits))>")
    assert "\n" not in text and len(text) < 120
