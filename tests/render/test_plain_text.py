"""Plain text for terminals and spreadsheets (:func:`derive.render.tex.plain`, by pylatexenc): no
LaTeX markup reaches a terminal or a CSV cell, and nothing else in a message is changed."""

from __future__ import annotations

import pytest

from derive.core.registry import REGISTRY
from derive.render.tex import plain, plain_math


@pytest.mark.parametrize(
    ("latex", "text"),
    [
        (r"$\Phi' = \varphi$", "Φ' = φ"),
        (r"KL($q\|p$)", "KL(q‖p)"),
        (r"$\frac{(x-\mu)^2}{2s^2}$", "((x-μ)^2)/(2s^2)"),
        (r"$\tfrac12$, $\dfrac{a}{b+1}$, $\cfrac{1}{x}$", "1/2, a/(b+1), 1/x"),
        (r"$W^\top x$", "W^T x"),
        (r"$\sqrt{2\pi}$", "√(2π)"),
        (r"within 5% of $\eta$", "within 5% of η"),
        (r"$a \le b \ne c$, $n \to \infty$", "a ≤ b ≠ c, n →∞"),
    ],
)
def test_latex_prose_reads_as_text(latex: str, text: str) -> None:
    assert plain(latex) == text


def test_only_the_math_of_a_message_is_converted() -> None:
    message = r"Your answer {x^2} is off: sign flipped: $\sigma(1 + \sigma)$"
    assert plain_math(message) == "Your answer {x^2} is off: sign flipped: σ(1 + σ)"


def test_no_catalog_string_keeps_latex_markup_in_a_terminal() -> None:
    left = []
    for ident in REGISTRY:
        strings = [ident.title, ident.map_row, *(s.text for s in ident.statements)]
        strings += [v for _, v in ident.variable_table]
        for s in strings:
            out = plain(s)
            if "\\" in out or "$" in out:
                left.append((ident.name, out))
    assert not left, left[:10]
