"""Normalisation (:mod:`derive.answers.parse.normalise`): the table of named rewrites that turns
typed text into the grammar's tokens, step by step, without evaluating anything."""

from __future__ import annotations

from derive.answers.parse import REWRITES, Rewrite, normalise


def test_normalise_braces_single_tex_tokens() -> None:
    assert normalise(r"x^23", latex=True) == "x^{2}3"
    assert normalise(r"\frac12", latex=True) == r"\frac{1}{2}"


def test_the_rewrites_have_unique_names_and_reasons() -> None:
    names = [step.name for step in REWRITES]
    assert len(names) == len(set(names)), sorted(n for n in names if names.count(n) > 1)
    assert all(isinstance(step, Rewrite) and step.name and step.reason for step in REWRITES)


def test_normalise_applies_the_table_in_order() -> None:
    """The function is the table: applying the steps by hand gives the same text, in both modes."""
    for text in (
        "σ(x)(1−σ(x)) + x⁻¹",
        r"\left| \tilde{x} \right|^2 + \begin{pmatrix} a & b \end{pmatrix}",
        "|x| + f_*",
    ):
        for latex in (False, True):
            out = text
            for step in REWRITES:
                if latex or not step.latex_only:
                    out = step.apply(out)
            assert normalise(text, latex=latex) == out


def test_plain_text_skips_the_latex_steps() -> None:
    assert normalise(r"x^23", latex=False) == "x^23"  # plain: 23 is one exponent
    assert not REWRITES[0].latex_only and not REWRITES[-1].latex_only  # unicode first, bars last
    assert normalise("|x|", latex=False) == r" \lvert x \rvert "
