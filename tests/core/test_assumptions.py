"""A declared symbol may assume nothing its domain does not imply: SymPy trusts assumptions, so an
assumption stronger than the domain proves false statements about the domain's values."""

from __future__ import annotations

import pytest
import sympy as sp
from sympy import Eq

from derive.core.identity import Identity
from derive.core.registry import REGISTRY
from derive.core.statements import Statement
from derive.errors import DeclarationError
from derive.maths.domains import (
    Domain,
    check_assumptions,
    integer,
    interval,
    nonnegative,
    positive,
    probability,
    punctured,
    real,
)
from derive.maths.matrices import singular_values


def declare_toy(symbol: sp.Symbol, domain: Domain, claim: sp.Basic) -> Identity:
    return Identity(
        name="toy",
        title="t",
        section="1.1",
        map_row="t",
        statements=(Statement("claim", claim),),
        variables={symbol: domain},
        derivation=lambda d: None,
    )


def test_a_nonzero_symbol_on_an_interval_through_zero_is_refused() -> None:
    """The issue's example: it would prove sign(x)^2 = 1, false at x = 0."""
    x = sp.Symbol("x", real=True, nonzero=True)
    assert sp.sign(x) ** 2 == 1  # what SymPy concludes from the assumption alone
    with pytest.raises(DeclarationError, match=r"toy: symbol x is declared nonzero=True.*\[-8, 8\]"):
        declare_toy(x, real(-8, 8), Eq(sp.sign(x) ** 2, 1))


def test_an_even_symbol_on_all_integers_from_1_to_6_is_refused() -> None:
    """The issue's example: it would prove (-1)^m = 1, false at m = 1."""
    m = sp.Symbol("m", integer=True, even=True)
    assert (-1) ** m == 1
    with pytest.raises(DeclarationError, match=r"symbol m is declared even=True.*integers in \[1, 6\]"):
        declare_toy(m, integer(1, 6), Eq((-1) ** m, 1))


@pytest.mark.parametrize(
    ("assumptions", "domain", "fact"),
    [
        ({"positive": True}, real(-1, 1), "positive"),
        ({"positive": True}, nonnegative(5), "positive"),  # 0 is in [0, 5]
        ({"positive": True}, Domain(-1, 0, open_hi=True), "positive"),
        ({"nonnegative": True}, real(-1, 1), "nonnegative"),
        ({"negative": True}, real(-5, 0), "negative"),  # 0 is in [-5, 0]
        ({"nonpositive": True}, real(-5, 1), "nonpositive"),
        ({"integer": True}, real(-8, 8), "integer"),
        ({"rational": True}, real(-8, 8), "rational"),
        ({"integer": True, "odd": True}, integer(1, 6), "odd"),
        ({"integer": True, "prime": True}, integer(2, 7), "prime"),
        ({"integer": True, "positive": True}, integer(0, 6), "positive"),
        ({"integer": True, "composite": True}, integer(4, 9), "composite"),
        ({"real": True, "zero": False}, real(0, 5), "zero"),
        ({"real": True, "nonzero": True}, probability(open_ends=False), "nonzero"),
        ({"real": False}, real(-8, 8), "real"),
        ({"integer": False, "real": True}, real(-8, 8), "integer"),  # noninteger: the domain holds 1
        ({"irrational": True}, real(-8, 8), "irrational"),
        ({"positive": True}, interval(-1, positive(5).symbol("T")), "positive"),
    ],
)
def test_assumptions_stronger_than_the_domain_are_refused(assumptions: dict, domain: Domain, fact: str) -> None:
    s = sp.Symbol("s", **assumptions)
    complaint = check_assumptions(s, domain)
    assert complaint is not None and "symbol s" in complaint and fact in complaint
    with pytest.raises(DeclarationError, match="symbol s is declared"):
        declare_toy(s, domain, Eq(s, s, evaluate=False))


@pytest.mark.parametrize(
    ("assumptions", "domain"),
    [
        ({"positive": True}, positive(5)),  # (0, 5]
        ({"positive": True}, real(0.1, 5)),
        ({"positive": True}, probability()),
        ({"nonnegative": True}, nonnegative(1)),
        ({"nonnegative": True, "real": True}, probability(open_ends=False)),
        ({"negative": True}, Domain(None, 0, open_hi=True)),
        ({"nonpositive": True}, real(-5, 0)),
        ({"integer": True}, integer(-3, 3)),
        ({"integer": True, "positive": True}, integer(1, 6)),
        ({"integer": True, "nonnegative": True}, integer(0, 6)),
        ({"integer": True, "positive": True}, Domain(0, 5, open_lo=True, integer=True)),
        ({"integer": True, "positive": True}, Domain(sp.Rational(1, 2), 5, integer=True)),
        ({"integer": True, "nonnegative": True}, Domain(sp.Rational(-1, 2), 5, integer=True)),
        ({"real": True, "nonzero": True}, punctured(-1, 1)),
        ({"real": True}, real()),
        ({"nonnegative": True}, interval(0, positive(5).symbol("T"))),
        ({"positive": True}, interval(positive(5).symbol("T"), 10)),
    ],
)
def test_assumptions_the_domain_implies_are_accepted(assumptions: dict, domain: Domain) -> None:
    s = sp.Symbol("s", **assumptions)
    assert check_assumptions(s, domain) is None
    assert declare_toy(s, domain, Eq(s, s, evaluate=False)).name == "toy"


def test_a_non_integer_domain_does_not_make_integers_positive_too_eagerly() -> None:
    """Integers in [-1/2, 5] start at 0: nonnegative, not positive."""
    n = sp.Symbol("n", integer=True, positive=True)
    assert check_assumptions(n, Domain(sp.Rational(-1, 2), 5, integer=True)) is not None


@pytest.mark.parametrize(
    "domain",
    [real(), real(-8, 8), positive(), positive(3, lo=1), nonnegative(), probability(), integer(1, 6), integer(0, 9)],
)
def test_every_domain_accepts_its_own_symbol(domain: Domain) -> None:
    assert check_assumptions(domain.symbol("v"), domain) is None


def test_ordered_singular_values_keep_their_positivity() -> None:
    syms, doms = singular_values(3)
    assert all(check_assumptions(s, doms[s]) is None for s in syms)


def test_an_indexed_variable_assumes_nothing_more_than_its_domain() -> None:
    w = sp.IndexedBase("w", positive=True)
    i = sp.Symbol("i", integer=True)
    with pytest.raises(DeclarationError, match="symbol w is declared positive"):
        Identity(
            name="toy",
            title="t",
            section="1.1",
            map_row="t",
            statements=(Statement("claim", Eq(sp.Abs(w[i]), w[i])),),
            variables={w: real(-1, 1), i: integer(1, 5)},
            derivation=lambda d: None,
        )


def test_every_catalog_identity_declares_honest_symbols() -> None:
    """All registered identities agree with their domains (the registry validates on load, and so here)."""
    REGISTRY.load()
    checked = 0
    for ident in REGISTRY:
        for key, dom in ident.domains.items():
            symbol = key if isinstance(key, sp.Symbol) else key.label
            assert check_assumptions(symbol, dom) is None, ident.name
            checked += 1
    assert len(REGISTRY) >= 75 and checked > 200


def test_a_domain_as_a_sympy_set_and_in_words() -> None:
    """The set solve() works over, and the text its messages use."""
    assert real(-8, 8).as_set() == sp.Interval(-8, 8) and real().as_set() == sp.S.Reals
    assert positive(5).as_set() == sp.Interval.Lopen(0, 5) and integer(1, 6).as_set() == sp.Range(1, 7)
    assert real(0.1, 5).as_set() == sp.Interval(sp.Rational(1, 10), 5)  # exact ends, not Floats
    assert sp.Integer(0) not in punctured(-1, 1).as_set() and sp.Rational(1, 2) in punctured(-1, 1).as_set()
    assert real(-8, 8).describe() == "[-8, 8]" and positive().describe() == "(0, oo)"
    assert integer(1, 6).describe() == "integers in [1, 6]" and punctured(-1, 1).describe() == "[-1, 1] without 0"
