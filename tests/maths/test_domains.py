"""Domains spelled in words, as teachers and students type them; a point removed from an interval."""

from __future__ import annotations

import pytest
import sympy as sp

from derive.maths.domains import Domain, from_word, punctured


@pytest.mark.parametrize(
    ("word", "lo", "hi", "integer"),
    [
        ("real", None, None, False),
        ("positive", 0, None, False),
        (">=0", 0, None, False),
        ("negative", None, 0, False),
        ("probability", 0, 1, False),
        ("integer>=1", 1, 50, True),
        ("natural", 1, 50, True),
        ("integer >= 0, <= 9", 0, 9, True),
        ("(0, 1)", 0, 1, False),
        ("[-8, 8]", -8, 8, False),
        ("(-inf, 3]", None, 3, False),
        ("[0.5, 2.25)", sp.Rational(1, 2), sp.Rational(9, 4), False),
    ],
)
def test_words(word: str, lo: object, hi: object, integer: bool) -> None:
    d = from_word(word)
    assert isinstance(d, Domain) and d.integer == integer
    assert (d.lo, d.hi) == (lo, hi)


def test_positive_is_open_and_assumed_positive() -> None:
    d = from_word("positive")
    assert d.open_lo and d.symbol("s").is_positive


@pytest.mark.parametrize("word", ["complex", "(1, 0)", "[0, T]", "[0, 1e999999]", "__import__('os')"])
def test_bad_words_are_refused_with_the_fix(word: str) -> None:
    """Without a reader for names, only numbers are bounds; an unknown word names the known ones."""
    with pytest.raises(ValueError, match=r"domain|interval|bound"):
        from_word(word)


def test_a_reader_may_read_bounds_that_name_variables() -> None:
    t = sp.Symbol("T", positive=True)
    d = from_word("[0, T]", lambda text: t if text.strip() == "T" else sp.Rational(text))
    assert d.hi == t and d.depends_on() == {t}


def test_punctured_never_offers_the_hole() -> None:
    d = punctured(-8, 8, at=0)
    assert 0 not in d.edge_points() and not d.contains(sp.S.Zero) and d.contains(sp.Rational(1, 1000))
