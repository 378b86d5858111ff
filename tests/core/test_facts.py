"""Named, cited facts: declared once, assumed by a step, named in its provenance, listed on the
proof (``p.assumes``) and on the sheet under "Assumes"."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import sympy as sp
from sympy import Eq

from derive.core.derivation import Derivation
from derive.core.facts import FACTS, SPECTRAL_THEOREM, Fact
from derive.core.identity import Identity, Ref
from derive.core.proof import prove_identity
from derive.errors import DerivationError, StepFailed
from derive.maths.domains import real
from derive.render.sheet import proof_context, sheet_source

X = real(-3, 3)
x = X.symbol("x")
Toy = Callable[..., Identity]


def test_every_fact_is_named_stated_and_cited() -> None:
    assert len(FACTS) >= 6
    for name, f in FACTS.items():
        assert f.name == name and f.statement and f.citation.startswith(f.ref.text)


def test_a_fact_without_citation_or_statement_is_refused() -> None:
    with pytest.raises(ValueError, match="citation"):
        Fact("x", "a statement", Ref.book(" "))
    with pytest.raises(ValueError, match="name and a statement"):
        Fact("x", "", Ref.book("a book"))


def _assuming(d: Derivation) -> None:
    d.begin((x + 1) ** 2, "in the eigenbasis")
    d.assume(SPECTRAL_THEOREM)  # the opening form rests on the fact
    d.assume(SPECTRAL_THEOREM, lambda e: sp.expand(e), "expand")  # and a computed step too
    d.then(x**2 + 2 * x + 1, "written")
    d.conclude()


def test_assume_records_the_fact_on_the_step_the_proof_and_the_sheet(toy: Toy) -> None:
    p = prove_identity(toy(Eq((x + 1) ** 2, x**2 + 2 * x + 1), _assuming))
    assert p.ok, p.failed_because
    steps = p.chains[0].steps
    assert steps[0].assumes == (SPECTRAL_THEOREM,) and "assumes the spectral theorem" in steps[0].provenance
    assert steps[1].provenance.startswith("computed by SymPy (expand)") and "spectral theorem" in steps[1].provenance
    assert steps[2].assumes == () and "spectral" not in steps[2].provenance
    assert p.assumes == (SPECTRAL_THEOREM,)  # once, though two steps assume it
    ctx = proof_context(p)
    assert [f["name"] for f in ctx["assumes"]] == ["spectral theorem"]
    src = sheet_source(p)
    assert "\\parthead{Assumes}" in src and "Thm. 4.1.5" in src


def test_no_fact_no_assumes_section(toy: Toy) -> None:
    def plain(d: Derivation) -> None:
        d.begin((x + 1) ** 2)
        d.then(lambda e: sp.expand(e), "expand")
        d.conclude()

    p = prove_identity(toy(Eq((x + 1) ** 2, x**2 + 2 * x + 1), plain))
    assert p.ok and p.assumes == ()
    assert "\\parthead{Assumes}" not in sheet_source(p)


def test_a_fact_does_not_make_a_false_step_true(toy: Toy) -> None:
    def wrong(d: Derivation) -> None:
        d.begin((x + 1) ** 2)
        d.assume(SPECTRAL_THEOREM, x**2 + 1, "by the theorem")
        d.conclude()

    p = prove_identity(toy(Eq((x + 1) ** 2, x**2 + 1), wrong))
    assert not p.ok and "is false" in (p.failure or "")


def test_assume_needs_an_open_chain() -> None:
    from derive.core.statements import Statement
    from derive.verify.ladder import Ladder

    d = Derivation("toy", (Statement("claim", Eq(x, x)),), Ladder(domains={x: X}, seed=3))
    with pytest.raises(DerivationError, match="begin"):
        d.assume(SPECTRAL_THEOREM)
    assert StepFailed  # the error family a false assumed step raises (above)


# -- a fact with a rule: the defining property of a named inverse, at a symbolic size ----------------
def test_an_inverse_is_used_by_its_defining_property_never_expanded() -> None:
    """One Newton step on 1/2 t^T H t - b^T t lands on H^{-1} b for every n: the link that uses
    H^{-1}(H t) = t is verified by the ladder after the fact's rule, and says so."""
    from derive.core.facts import INVERSE
    from derive.core.statements import Statement
    from derive.maths.domains import integer
    from derive.maths.indexed import InverseOf, collapse
    from derive.verify.ladder import Ladder

    n = sp.Symbol("n", integer=True, positive=True)
    i, j, q = sp.symbols("i j q", integer=True, positive=True)
    H, Hinv, t, b = (sp.IndexedBase(s, real=True) for s in ("H", "Hinv", "t", "b"))
    end = sp.Sum(Hinv[j, i] * b[i], (i, 1, n))
    start = t[j] - sp.Sum(Hinv[j, i] * sp.Sum(H[i, q] * t[q], (q, 1, n)), (i, 1, n)) + end
    domains = {n: integer(1, 5), i: integer(1, n), j: integer(1, n), H: X, Hinv: X, t: X, b: X}
    d = Derivation("toy", (Statement("claim", Eq(start, end)),), Ladder(domains=domains, seed=3))
    d.begin(start)
    d.assume(INVERSE.applied(InverseOf(H, Hinv, n)), lambda e: INVERSE.applied(InverseOf(H, Hinv, n)).rewrite(e))
    d.then(collapse, "the delta sifts the sum")
    d.conclude()
    step = d.chains[0].steps[1]
    assert step.symbolic and "defining property of the inverse" in step.provenance
    assert "the rule of the defining property of the inverse" in (step.verification.method if step.verification else "")
    assert d.chains[0].symbolic and d.chains[0].assumes[0].name == INVERSE.name
    # without the fact the same link is not proved: H and its inverse are independent symbols to the ladder
    d2 = Derivation("toy", (Statement("claim", Eq(start, end)),), Ladder(domains=domains, seed=3))
    d2.begin(start)
    with pytest.raises(StepFailed, match="is false"):
        d2.then(t[j] - sp.Sum(sp.KroneckerDelta(j, q) * t[q], (q, 1, n)) + end, "unjustified")
