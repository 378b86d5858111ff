"""Gibbs' inequality is a lemma proved by SymPy, not a sign typed into the function's class."""

from __future__ import annotations

import sympy as sp

from derive.maths.domains import positive, real
from derive.maths.special import gibbs
from derive.verify import lemmas
from derive.verify.ladder import Ladder

t = sp.Symbol("t", positive=True)
x = sp.Symbol("x", real=True)


def test_the_lemma_is_proved_step_by_step() -> None:
    lemma = lemmas.gibbs_lemma()
    assert lemma.ok, lemma.steps
    assert lemma.steps[0][0] == "g'(t) = 1 - 1/t"


def test_sympy_alone_no_longer_knows_the_sign() -> None:
    assert gibbs(t).is_nonnegative is None


def test_a_sign_that_uses_the_lemma_records_it() -> None:
    ladder = Ladder(domains={t: positive()})
    v = ladder.nonnegative(3 * gibbs(t) + t)
    assert v.ok is True and v.symbolic and v.lemmas == ("gibbs",), v


def test_the_lemma_never_applies_outside_positive_arguments() -> None:
    """g(x) for real x has no sign (log of a negative number): nothing is relaxed, nothing proved."""
    ladder = Ladder(domains={x: real(-8, 8)})
    relaxed, used = lemmas.relax(gibbs(x))
    assert used == () and relaxed == gibbs(x)
    v = ladder.nonnegative(gibbs(x) - 1)
    assert v.ok is not True or not v.symbolic


def test_without_a_proof_the_lemma_is_not_used(monkeypatch: object) -> None:
    failed = lemmas.Lemma("gibbs", "", (("g(1) = 0", False),), "")
    monkeypatch.setattr(lemmas, "gibbs_lemma", lambda: failed)  # type: ignore[attr-defined]
    assert lemmas.relax(gibbs(t)) == (gibbs(t), ())
