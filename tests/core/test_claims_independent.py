"""Statement checks that can fail: the left side by an independent route, never SymPy's ``doit``.

The unit tests build statements by hand; the catalog tests run over every identity (the proofs are
cached per process, so they cost about one ``derive verify --all``).
"""

from __future__ import annotations

from typing import Any

import pytest
import sympy as sp

import derive
from derive.core.claims import VACUOUS, StatementCheck, check_statements
from derive.core.near_misses import perturbations
from derive.core.statements import Statement
from derive.maths.domains import integer, positive, real
from derive.numeric.independent import ROUTES
from derive.numeric.sampling import generator
from derive.verify.ladder import Ladder

x = real(-3, 3).symbol("x")
s = positive(5).symbol("s")
n = integer(1, 6).symbol("n")
k = integer(1, 6).symbol("k")
h = real(-1, 1).symbol("h")
DOMAINS: dict[Any, Any] = {x: real(-3, 3), s: positive(5), n: integer(1, 6), k: integer(1, n), h: real(-1, 1)}


class liar(sp.Function):
    """sin with a wrong derivative rule (``2 cos``): ``doit`` of its derivative is wrong."""

    def fdiff(self, argindex: int = 1) -> sp.Expr:
        return 2 * sp.cos(self.args[0])

    def _eval_evalf(self, prec: int) -> sp.Expr:
        return sp.sin(self.args[0])._eval_evalf(prec)


def check(relation: sp.Basic, definitions: dict[sp.Basic, sp.Basic] | None = None) -> StatementCheck:
    ladder = Ladder(domains=DOMAINS, seed=3)
    (out,) = check_statements(
        [Statement("claim", relation)], DOMAINS, ladder, generator(3), 64, [], definitions=definitions or {}
    )
    return out


# ------------------------------------------------------------------------------ what doit cannot decide
def test_doit_of_a_wrong_derivative_rule_is_caught() -> None:
    """SymPy's route says d/dx liar(x) = 2 cos x; the statement check takes the derivative itself."""
    wrong = sp.Eq(sp.Derivative(liar(x), x), 2 * sp.cos(x))
    assert sp.Derivative(liar(x), x).doit() == wrong.rhs  # the old check compared this with itself
    c = check(wrong)
    assert not c.ok and c.method == ROUTES["Derivative"]
    right = check(sp.Eq(sp.Derivative(liar(x), x), sp.cos(x)))
    assert right.ok and right.samples >= 3 and right.max_rel_error < 1e-20


def test_karr_convention_is_not_trusted_for_an_empty_range() -> None:
    """sum_{k=1}^{n-2} 1 = n - 2 is false at n = 1 (no terms: 0, not -1)."""
    c = check(sp.Eq(sp.Sum(1, (k, 1, n - 2)), n - 2))
    assert not c.ok and "explicit summation at n = " in c.method


def test_a_parametric_limit_is_decided_point_by_point() -> None:
    a, b = sp.symbols("a b", positive=True)
    domains = {**DOMAINS, a: positive(5), b: positive(5)}
    limit = sp.Limit(sp.exp(-a / h) / (1 + sp.exp(-b / h) + sp.exp(-a / h)), h, 0, "-")
    ladder = Ladder(domains=domains, seed=3)
    (c,) = check_statements([Statement("claim", sp.Eq(limit, 0))], domains, ladder, generator(5), 64, [])
    assert not c.ok and c.method == ROUTES["Limit"]


# ------------------------------------------------------------------------------ every route names itself
@pytest.mark.parametrize(
    ("relation", "route"),
    [
        (sp.Eq(sp.Derivative(sp.sin(x) ** 2, x), 2 * sp.sin(x) * sp.cos(x)), "Derivative"),
        (sp.Eq(sp.Integral(sp.exp(-(h**2) / (2 * s**2)), (h, -sp.oo, sp.oo)), sp.sqrt(2 * sp.pi) * s), "Integral"),
        (sp.Eq(sp.Sum(k, (k, 1, n)), n * (n + 1) / 2), "Sum"),
        (sp.Eq(sp.Limit(sp.sin(h * x) / h, h, 0), x), "Limit"),
        (sp.Eq(sp.Subs(x**3, x, 2), 8), "Subs"),
        (sp.Eq(sp.Determinant(sp.ImmutableMatrix([[x, 1], [1, x]])), x**2 - 1), "Matrix"),
    ],
    ids=["derivative", "integral", "sum", "limit", "subs", "determinant"],
)
def test_true_statements_pass_by_their_route_and_near_misses_fail(relation: sp.Eq, route: str) -> None:
    c = check(relation)
    assert c.ok, c.note
    assert ROUTES[route] in c.method and c.samples >= 1
    for description, wrong in perturbations(relation):
        bad = check(wrong)
        assert not bad.ok, f"{description} accepted by {bad.method}"


def test_a_definition_is_evaluated_at_its_arguments() -> None:
    eta = sp.Function("eta")
    defs = {eta(x): 1 + sp.cos(sp.pi * x / 4)}
    c = check(sp.Eq(eta(0), 2), defs)
    assert c.ok and c.method == ROUTES["definition"]
    assert not check(sp.Eq(eta(0), 2 + sp.Rational(1, 10**6)), defs).ok


def test_an_inequality_on_a_derivative() -> None:
    slope = sp.Derivative(1 / (1 + sp.exp(-x)), x)
    assert check(sp.Le(slope, sp.Rational(1, 4))).ok
    assert not check(sp.Le(slope, sp.Rational(1, 5))).ok


def test_arbitrary_functions_are_instantiated() -> None:
    f = sp.Function("F")
    chain_rule = sp.Eq(sp.Derivative(f(x**2), x), 2 * x * sp.Subs(sp.Derivative(f(h), h), h, x**2))
    c = check(chain_rule)
    assert c.ok and c.method.startswith("F instantiated as seeded smooth functions")
    assert not check(sp.Eq(chain_rule.lhs, x * chain_rule.rhs.args[-1])).ok


def test_non_commutative_symbols_are_checked_with_random_matrices() -> None:
    j1, j2 = sp.symbols("J1 J2", commutative=False)
    product = (1 + j2) * (1 + j1)
    assert check(sp.Eq(product, 1 + j1 + j2 + j2 * j1)).ok
    wrong = check(sp.Eq(product, 1 + j1 + j2 + j1 * j2))  # the order of the product matters
    assert not wrong.ok and wrong.samples >= 3


def test_entries_of_an_indexed_variable_are_drawn_for_closed_forms() -> None:
    g = sp.IndexedBase("g")
    domains = {**DOMAINS, g: real(-2, 2)}
    ladder = Ladder(domains=domains, seed=3)
    rel = sp.Eq(x * (g[k] + 1), x * g[k] + x)
    (c,) = check_statements([Statement("claim", rel)], domains, ladder, generator(3), 64, [])
    assert c.ok and c.samples >= 3 and c.method.startswith("closed forms compared as written")


# ------------------------------------------------------------------------------ vacuous
def test_a_left_side_that_is_the_right_side_is_vacuous_and_fails() -> None:
    same = sp.Eq(sp.Mul(2, x, evaluate=False), 2 * x, evaluate=False)
    c = check(same)
    assert c.method == VACUOUS and not c.ok and c.samples == 0
    closed = check(sp.Eq((x + 1) ** 2, x**2 + 2 * x + 1))  # different expressions: a real comparison
    assert closed.ok and closed.method != VACUOUS and closed.samples == 64


# ------------------------------------------------------------------------------ the catalog
NAMES = [name for name in derive.names() if derive.get(name).source == "derive"]


def _checks(name: str) -> list[StatementCheck]:
    return list(derive.prove(name).numeric.statements)


@pytest.mark.parametrize("name", NAMES)
def test_no_statement_check_in_the_catalog_is_vacuous(name: str) -> None:
    """Every check names its method, evaluated at least one point, and passed; none compares a
    left side with itself (a page writes a matrix operation unevaluated, ``MatMul(...,
    evaluate=False)`` of ``ImmutableMatrix`` operands, so the check can carry it out by its own route)."""
    for c in _checks(name):
        assert c.method, f"{name}: {c.label!r} names no method"
        assert c.method != VACUOUS, f"{name}: {c.label!r} is vacuous: {c.note}"
        assert c.ok and c.samples >= 1, f"{name}: {c.label!r} failed: {c.note} ({c.method})"


@pytest.mark.parametrize("name", NAMES)
def test_a_coefficient_off_by_one_part_in_a_million_fails_every_statement_check(name: str) -> None:
    ident = derive.get(name)
    proof = derive.prove(name)
    ladder = Ladder(domains=ident.domains, unfold=ident.unfold, seed=proof.seed, salt=ident.name)
    for st in ident.statements:
        misses = [w for d, w in perturbations(st.relation) if "1e-6" in d or "instead of 0" in d] if st.symbolic else []
        for wrong in misses[:1]:
            statement = Statement(st.label, wrong)
            (c,) = check_statements(
                [statement], ident.domains, ladder, generator(1, salt=name), 64, proof.chains, ident.definitions
            )
            assert not c.ok, f"{name}: {st.label!r} off by 1e-6 passed the statement check ({c.method})"


def test_the_catalog_uses_every_route() -> None:
    """Each evaluation route of the statement checks is exercised by some catalog statement. Gauss-Hermite
    (an expectation of a non-polynomial in normal variables) is no longer: mle-gaussian's bias, its only
    user, is now stated for every n as a sum (checked by explicit summation and by Monte Carlo); the
    route keeps its own test in tests/numeric/test_independent.py. So does the matrix exponential: the
    NTK page now states its dynamics per eigenmode for any n, where it used exp(-eta Theta t) of a 2 x 2.
    Nor nested QUADPACK: mutual-information's Gaussian double integral is smooth over the plane, so
    vectorised cubature takes it (nested quadrature is tested with a kink and a dependent range there)."""
    used = {c.method for name in NAMES for c in _checks(name)}
    for route in ("Derivative", "Integral", "Cubature", "Sum", "Limit", "Subs", "definition"):
        assert any(ROUTES[route] in m for m in used), route
