"""Levels are computed from what a chain contains, never trusted from a declaration.

A chain that writes out an explicit matrix, sums over the entries ``k = 1..3`` or writes a sum over
``z1, z2, z3`` proves one size: it is ``fixed-size`` when it says so (``scope=``), and its statement
fails, naming the evidence, when it does not. A numeric link makes the statement ``numeric`` and the
reason says what was checked.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
import sympy as sp
from sympy import Eq, Function, IndexedBase

from derive.core import levels
from derive.core.claims import StatementCheck
from derive.core.derivation import Chain, Derivation, Step
from derive.core.identity import Identity
from derive.core.proof import (
    FIXED_SIZE,
    GENERAL,
    NUMERIC,
    NumericReport,
    Outcome,
    Proof,
    _outcomes,
    link_words,
    prove_identity,
)
from derive.maths.domains import real
from derive.verify.ladder import Verification

x = real(-8, 8).symbol("x")
Toy = Callable[..., Identity]  # the ``toy`` fixture of tests/conftest.py
MATRIX = sp.ImmutableMatrix([[x, -x], [2, x]])  # det = x^2 + 2x


def _through_a_matrix(scope: str) -> Callable[[Derivation], None]:
    """x^2 + 2x, as the determinant of an explicit 2x2 matrix in step 2, then factored."""

    def body(d: Derivation) -> None:
        d.begin(x**2 + 2 * x, scope=scope)
        d.then(x * x + 2 * x, "write the square out")
        d.then(sp.Determinant(MATRIX), "a determinant")
        d.then(x * (x + 2), "factor")
        d.conclude()

    return body


def test_no_scope_but_an_explicit_matrix_fails_naming_the_evidence(toy: Toy) -> None:
    p = prove_identity(toy(Eq(x**2 + 2 * x, x * (x + 2)), _through_a_matrix("")))
    (o,) = p.outcomes
    assert all(c.ok for c in p.chains)  # every link holds: it is the label that is wrong
    assert not o.ok and o.level == FIXED_SIZE
    assert "explicit 2x2 matrix in step 2" in o.how and "labelled general" in o.how
    assert o.evidence == ("explicit 2x2 matrix in step 2",)
    assert not p.ok and p.verdict == "FAILED"
    assert "explicit 2x2 matrix in step 2" in p.failed_because


def test_the_same_chain_with_a_scope_is_fixed_size(toy: Toy) -> None:
    p = prove_identity(toy(Eq(x**2 + 2 * x, x * (x + 2)), _through_a_matrix("via a 2 x 2 determinant")))
    (o,) = p.outcomes
    assert p.ok and o.ok and o.level == FIXED_SIZE and p.level == FIXED_SIZE
    assert o.scope == "via a 2 x 2 determinant" and "explicit 2x2 matrix in step 2" in o.how
    assert p.verdict == "proved (fixed-size)"


def test_a_declared_scope_alone_makes_it_fixed_size(toy: Toy) -> None:
    def body(d: Derivation) -> None:
        d.begin(x**2 + 2 * x, scope="for one x")
        d.then(x * (x + 2), "factor")
        d.conclude()

    (o,) = prove_identity(toy(Eq(x**2 + 2 * x, x * (x + 2)), body)).outcomes
    assert o.ok and o.level == FIXED_SIZE and o.evidence == () and "as declared" in o.how


def test_a_scalar_chain_is_general(toy: Toy) -> None:
    def body(d: Derivation) -> None:
        d.begin(x**2 + 2 * x)
        d.then(x * (x + 2), "factor")
        d.conclude()

    p = prove_identity(toy(Eq(x**2 + 2 * x, x * (x + 2)), body))
    assert p.ok and p.level == GENERAL and p.outcomes[0].evidence == ()


def test_an_explicit_matrix_in_the_statement_is_evidence(toy: Toy) -> None:
    claim = Eq(sp.ImmutableMatrix([x, x]) * 2, sp.ImmutableMatrix([2 * x, 2 * x]), evaluate=False)

    def body(d: Derivation) -> None:
        d.begin(sp.ImmutableMatrix([x, x]) * 2)
        d.then(sp.ImmutableMatrix([2 * x, 2 * x]), "scale")
        d.conclude()

    (o,) = prove_identity(toy(claim, body)).outcomes
    assert not o.ok and "explicit 2x1 matrix in the statement" in o.how


# ------------------------------------------------------------------------------ the finders
a = IndexedBase("a")
k, n = sp.Symbol("k", integer=True, positive=True), sp.Symbol("n", integer=True, positive=True)
z1, z2, z3, mu1, mu2 = sp.symbols("z1 z2 z3 mu1 mu2", real=True)
p = Function("p")


def _found(*forms: sp.Basic) -> dict[str, str]:
    ctx = levels.context(forms)
    return {ev.kind: ev.what for ev in levels.in_form(forms[0], "the form", ctx)}


@pytest.mark.parametrize(
    ("form", "kind", "what"),
    [
        (sp.ImmutableMatrix([[x, 1], [0, x]]), "matrix", "explicit 2x2 matrix"),
        (sp.MatrixSymbol("W", 3, 2).T, "matrix", "explicit 3x2 matrix"),
        (sp.Sum(a[k] ** 2, (k, 1, 3)), "range", "sum over the entries k = 1..3"),
        (sp.Product(p(k), (k, 1, 4)), "range", "product over the entries k = 1..4"),
        (a[1] + a[2], "entries", "entries a[1], a[2] at concrete indices"),
        (p(1) * sp.log(p(1)) + p(2) * sp.log(p(2)), "outcomes", "the outcomes p(1), p(2)"),
        (sp.exp(z1) + sp.exp(z2) + sp.exp(z3), "family", "a sum written out over the entries z1, z2, z3"),
    ],
)
def test_each_kind_of_evidence(form: sp.Basic, kind: str, what: str) -> None:
    assert _found(form)[kind] == what


@pytest.mark.parametrize(
    "form",
    [
        sp.MatrixSymbol("W", n, n).T,  # a symbolic shape
        sp.ImmutableMatrix([x]),  # 1x1
        sp.Sum(a[k] ** 2, (k, 1, n)),  # a symbolic size
        sp.Sum(x**k * (1 - x) ** (1 - k), (k, 0, 1)),  # the two values of a Bernoulli variable
        sp.log(mu2) - sp.log(mu1) + (mu1 - mu2) ** 2,  # two Gaussians' parameters, not entries
        mu1**2 - 2 * mu1 * mu2 + mu2**2,  # a cross term: not a sum over entries
        sp.exp(z1) + 2 * z2,  # not symmetric under z1 <-> z2
    ],
)
def test_no_evidence_where_the_size_is_not_fixed(form: sp.Basic) -> None:
    assert _found(form) == {}


def test_one_entry_counts_only_when_the_vector_size_is_a_symbol_elsewhere() -> None:
    general = sp.Sum(a[k], (k, 1, n))
    assert _found(a[1] * x, general)["entries"] == "one entry a[1] of a vector whose size is a symbol elsewhere"
    assert _found(a[1] * x) == {}


def test_evidence_names_the_first_place_of_each_kind() -> None:
    chain = Chain(
        (
            Step(x, "", None),
            Step(sp.Determinant(MATRIX), "", None),
            Step(sp.exp(z1) + sp.exp(z2), "", None),
        )
    )
    ctx = levels.context([s.expr for s in chain.steps])
    found = levels.fixed_size_evidence(chain, Eq(x, x), ctx)
    assert [str(e) for e in found] == [
        "explicit 2x2 matrix in step 1",
        "a sum written out over the entries z1, z2 in step 2",
    ]
    assert {kind for kind, _ in levels.KINDS} == {"matrix", "range", "entries", "outcomes", "family"}


# ------------------------------------------------------------------------------ numeric links, lemmas
NUMERIC_LINK = Verification(True, "numeric (30 digits, 24 points)", False, "max relative difference 3e-31", points=24)
GIBBS = Verification(True, "sign from assumptions", True, lemmas=("gibbs",))


def _proof(toy: Toy, *steps: Step) -> Proof:
    """A proof record around one hand-made chain of ``x = x + 0`` (levels computed as prove does)."""
    ident = toy(Eq(x, x + 0, evaluate=False), lambda d: None)
    chain = Chain((Step(x, "", None), *steps), "claim", (GIBBS,))
    check = StatementCheck("claim", 8, 0.0, 0.0, True, "", "independent evaluation")
    report = NumericReport(8, 0, 0.0, 0.0, (check,), None)
    return Proof(ident, (chain,), tuple(_outcomes(ident, [chain], {})), report, None, 0.0, 0)


def test_a_numeric_link_makes_the_statement_numeric_and_says_what_was_checked(toy: Toy) -> None:
    p = _proof(toy, Step(x, "by sampling", NUMERIC_LINK))
    (o,) = p.outcomes
    assert o.level == NUMERIC and p.level == NUMERIC
    assert "verified numerically, not proved" in o.how and "24 points" in o.how and "step 1" in o.how
    assert "max relative difference 3e-31" in o.how
    assert "proved" not in link_words(NUMERIC_LINK).replace("not proved", "")
    assert p.verdict.startswith("verified numerically") and "proved (" not in p.verdict


def test_proof_lemmas_collect_steps_and_conclusions(toy: Toy) -> None:
    step = Verification(True, "expand", True, lemmas=("log-bound", "gibbs"))
    p = _proof(toy, Step(x, "", step), Step(x, "", NUMERIC_LINK))
    assert p.lemmas == ("log-bound", "gibbs")  # in order, each once (the conclusion also uses gibbs)
    assert _proof(toy, Step(x, "", NUMERIC_LINK)).lemmas == ("gibbs",)


def test_outcome_defaults_keep_old_records_readable() -> None:
    o = Outcome("claim", None, "", GENERAL, True, "proved symbolically")
    assert o.evidence == () and o.scope == ""
