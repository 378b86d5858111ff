"""Equation chains prove only what they show: solve keeps every root in the domain or says it chose
one, the opening equation of a chain is checked, and each step says how its form was obtained."""

from __future__ import annotations

from collections.abc import Callable, Mapping

import pytest
import sympy as sp
from sympy import Eq, cos, exp, log, pi, sin, sqrt, tan

from derive.core.derivation import Derivation
from derive.core.identity import Identity
from derive.core.proof import prove_identity
from derive.core.relations import Relation
from derive.core.solving import outside, solutions
from derive.core.statements import Statement
from derive.errors import DerivationError, StepFailed
from derive.maths.domains import Domain, integer, interval, positive, real
from derive.verify.ladder import Ladder

X = real(-8, 8)
x = X.symbol("x")
a, b = positive(5).symbol("a"), positive(5).symbol("b")
Toy = Callable[..., Identity]  # the ``toy`` fixture of tests/conftest.py


def derivation(claim: sp.Basic, domains: Mapping[sp.Symbol, Domain] | None = None) -> Derivation:
    """A derivation of one statement ``claim``, with ``x`` in [-8, 8] unless told otherwise."""
    return Derivation("toy", (Statement("claim", claim),), Ladder(domains=dict(domains or {x: X}), seed=3))


def refused_solve(equation: sp.Eq, unknown: sp.Symbol, domain: Domain, match: str) -> None:
    d = derivation(Eq(unknown, 0), {unknown: domain, a: positive(5)})
    d.begin(equation)
    with pytest.raises(StepFailed, match=match):
        d.solve(unknown)


# -- solve: several roots in the domain are not an equivalence ----------------------------------------
def test_tan_has_five_roots_on_the_domain_so_solve_is_refused() -> None:
    """The issue's example: SymPy's principal root pi/4 is one of five roots of tan x = 1 on [-8, 8]."""
    d = derivation(Eq(x, pi / 4))
    d.begin(Eq(tan(x), 1))
    with pytest.raises(StepFailed, match=r"5 possible roots.*pi/4.*root=") as err:
        d.solve(x)
    assert "solveset over [-8, 8]" in str(err.value)


def test_a_chosen_root_is_an_implication_and_proves_no_solution_statement() -> None:
    d = derivation(Eq(x, pi / 4))
    d.begin(Eq(tan(x), 1))
    d.solve(x, root=pi / 4)
    step = d._open.steps[-1] if d._open else None
    assert step is not None and step.relation is Relation.IF and step.ok
    assert step.provenance.startswith("written (a chosen root), proved by substitution")
    with pytest.raises(StepFailed, match="claims an equivalence"):
        d.conclude()


def test_the_tan_example_fails_as_an_identity(toy: Toy) -> None:
    def body(d: Derivation) -> None:
        d.begin(Eq(tan(x), 1))
        d.solve(x)
        d.conclude()

    p = prove_identity(toy(Eq(x, pi / 4), body))
    assert not p.ok and "5 possible roots" in (p.failure or "")


@pytest.mark.parametrize(
    ("equation", "domain", "count"),
    [
        (Eq(sin(x), 0), real(-8, 8), 5),  # 0, ±pi, ±2pi
        (Eq(cos(x), 0), real(-8, 8), 6),  # ±pi/2, ±3pi/2, ±5pi/2
        (Eq(cos(x), sp.Rational(1, 2)), real(-3, 3), 2),  # ±pi/3
        (Eq(sin(2 * x), 1), real(0, 8), 3),  # pi/4 + k pi: 0.79, 3.93, 7.07
        (Eq(x**2 - 3 * x + 2, 0), real(-8, 8), 2),  # two roots of a quadratic in range
        (Eq(x**3, x), real(-1, 1), 3),  # roots on both ends of the domain
        (Eq(x**2, 1), real(-1, 1), 2),  # both roots on the closed boundary
        (Eq((x - 1) * (x - 2) * (x - 3), 0), real(1, 3), 3),
        (Eq(exp(x) * (x**2 - 4), 0), real(-8, 8), 2),
        (Eq(sp.Abs(x), 2), real(-8, 8), 2),
        (Eq(x**4 - 5 * x**2 + 4, 0), real(0, 8), 2),  # 1 and 2; -1, -2 are outside
    ],
)
def test_several_roots_in_the_domain_are_refused(equation: sp.Eq, domain: Domain, count: int) -> None:
    refused_solve(equation, x, domain, f"{count} possible roots")


@pytest.mark.parametrize(
    ("equation", "domain", "match"),
    [
        (Eq(sin(x), 0), real(), "not a finite set"),  # infinitely many roots: an ImageSet
        (Eq(tan(x), x), real(-8, 8), "not a finite set"),  # transcendental: a ConditionSet
        (Eq(x**2, 4), real(3, 8), "no solution"),  # both roots outside
        (Eq(exp(x), -a, evaluate=False), real(), "no solution"),
        (Eq(x**2 + a, 0, evaluate=False), real(), "no solution"),
    ],
)
def test_solve_without_a_finite_complete_answer_is_refused(equation: sp.Eq, domain: Domain, match: str) -> None:
    refused_solve(equation, x, domain, match)


def test_a_parameter_decides_nothing_two_possible_roots_stay_two() -> None:
    """x^2 = a on the reals: ±sqrt(a), both possible whatever a is."""
    d = derivation(Eq(x, sqrt(a)), {x: real(), a: positive(5)})
    d.begin(Eq(x**2, a))
    with pytest.raises(StepFailed, match="2 possible roots"):
        d.solve(x)


def test_an_unknown_without_a_domain_ranges_over_its_assumptions() -> None:
    """No declared domain and no assumptions: the complex numbers, where z^2 + 1 = 0 has two roots."""
    z = sp.Symbol("z")
    d = derivation(Eq(z, sp.I))
    d.begin(Eq(z**2 + 1, 0))
    with pytest.raises(StepFailed, match=r"complex numbers.*2 possible roots"):
        d.solve(z)


def test_a_chosen_root_outside_the_domain_or_not_a_root_is_refused() -> None:
    d = derivation(Eq(x, 2), {x: real(0, 1)})
    d.begin(Eq(x**2 - 3 * x + 2, 0))
    with pytest.raises(StepFailed, match="lies outside"):
        d.solve(x, root=2)
    d = derivation(Eq(x, 3))
    d.begin(Eq(x**2 - 3 * x + 2, 0))
    with pytest.raises(StepFailed, match="is false"):
        d.solve(x, root=3)


def test_a_solving_domain_must_contain_the_declared_one() -> None:
    d = derivation(Eq(x, pi / 4))
    d.begin(Eq(tan(x), 1))
    with pytest.raises(DerivationError, match="must contain"):
        d.solve(x, over=real(0, 1))  # on [0, 1] pi/4 is unique, but x ranges over [-8, 8]


def test_systems_with_several_or_infinitely_many_solutions_are_refused() -> None:
    y = real(-8, 8).symbol("y")
    doms = {x: X, y: real(-8, 8)}
    d = derivation(Eq(sp.Matrix([x, y]), sp.Matrix([0, 0])), doms)
    d.begin(Eq(sp.Matrix([x**2 + y**2, x - y]), sp.Matrix([1, 0])))
    with pytest.raises(StepFailed, match="2 possible roots"):
        d.solve([x, y])
    d = derivation(Eq(sp.Matrix([x, y]), sp.Matrix([0, 0])), doms)
    d.begin(Eq(sp.Matrix([x + y, 2 * x + 2 * y]), sp.Matrix([1, 2])))
    with pytest.raises(StepFailed, match="infinitely many"):
        d.solve([x, y])


# -- solve: what must still be an equivalence -----------------------------------------------------------
@pytest.mark.parametrize(
    ("equation", "domain", "root"),
    [
        (Eq(2 * x - 6, 0), real(-8, 8), 3),  # the unique root of a linear equation
        (Eq(x**2 - x - 2, 0), positive(), 2),  # a quadratic with one root in a positive domain
        (Eq(x**2, 1), Domain(-1, 1, open_lo=True), 1),  # the other root sits on the excluded end
        (Eq(exp(x), 2), real(-8, 8), log(2)),
        (Eq(exp(x) - 1, 0), real(-30, 30), 0),  # the sigmoid's stationary point
        (Eq(tan(x), 1), real(0, 1), pi / 4),  # one root when the domain holds one
        (Eq(sin(x), 0), real(-3, 3), 0),
        (Eq(x**3 - 8, 0), real(), 2),  # the two other cube roots are not real
    ],
)
def test_a_unique_root_in_the_domain_is_an_equivalence(equation: sp.Eq, domain: Domain, root: sp.Expr) -> None:
    d = derivation(Eq(x, root), {x: domain})
    d.begin(equation)
    d.solve(x)
    d.conclude()
    chain = d.chains[-1]
    assert chain.ok and chain.relation is Relation.IFF
    assert chain.steps[-1].provenance.startswith("computed by SymPy (solveset over")


def test_a_root_whose_membership_depends_on_parameters_is_still_the_only_one() -> None:
    """On t > 0, lambda + t - z = 0 iff t = z - lambda (both false when z < lambda)."""
    t, z, lam = sp.Symbol("t", positive=True), real(-5, 5).symbol("z"), positive(3).symbol("lambda")
    d = derivation(Eq(t, z - lam), {z: real(-5, 5), lam: positive(3)})
    d.begin(Eq(lam + t - z, 0))
    d.solve(t)
    d.conclude()
    assert d.chains[-1].relation is Relation.IFF and "(0, oo)" in d.chains[-1].steps[-1].provenance


def test_a_discriminator_in_the_open_unit_interval_has_one_optimum() -> None:
    score = Domain(0, 1, open_lo=True, open_hi=True)
    dd = score.symbol("D")
    d = derivation(Eq(dd, a / (a + b)), {dd: score, a: positive(5), b: positive(5)})
    d.begin(Eq(a / dd - b / (1 - dd), 0))
    d.solve(dd)
    d.conclude()
    assert d.chains[-1].relation is Relation.IFF


def test_linear_and_separable_systems_keep_their_unique_solution() -> None:
    y = real(-8, 8).symbol("y")
    d = derivation(Eq(sp.Matrix([x, y]), sp.Matrix([1, 2])), {x: X, y: real(-8, 8)})
    d.begin(Eq(sp.Matrix([x + y, x - y]), sp.Matrix([3, -1])))
    d.solve([x, y])
    d.conclude()
    assert d.chains[-1].relation is Relation.IFF and "linsolve" in d.chains[-1].steps[-1].provenance
    u, v = sp.Symbol("u", positive=True), sp.Symbol("v", positive=True)
    d = derivation(Eq(sp.Matrix([u, v]), sp.Matrix([log(2), 2])), {})
    d.begin(Eq(sp.Matrix([exp(u), v**2]), sp.Matrix([2, 4])))
    d.solve([u, v])
    d.conclude()
    assert d.chains[-1].relation is Relation.IFF and "each equation" in d.chains[-1].steps[-1].provenance


def test_a_named_constant_is_solved_over_a_wider_domain() -> None:
    """A constant whose domain is its published value (gelu-tanh's c) is solved over c > 0."""
    point = Domain(sp.Rational(1, 20), sp.Rational(1, 20))
    c = point.symbol("c")
    d = derivation(Eq(c, sp.Rational(1, 3)), {c: point})
    d.begin(Eq(3 * c, 1))
    with pytest.raises(StepFailed, match="no solution"):
        d.solve(c)
    d.begin(Eq(3 * c, 1))
    d.solve(c, over=positive())
    d.conclude()
    assert d.chains[-1].relation is Relation.IFF


def test_integer_unknowns_are_solved_over_their_integers() -> None:
    """(-1)^n = 1 has three roots among 1..6; sin(pi n/2) = 1 one among 0..4 (each integer is tried)."""
    n = integer(1, 6).symbol("n")
    refused_solve(Eq((-1) ** n, 1), n, integer(1, 6), r"3 possible roots in the domain \(2, 4, 6\)")
    k = integer(-5, 5).symbol("k")
    refused_solve(Eq(k**2, 4), k, integer(-5, 5), "2 possible roots")
    m = integer(0, 4).symbol("m")
    d = derivation(Eq(m, 1), {m: integer(0, 4)})
    d.begin(Eq(sin(pi * m / 2), 1))
    d.solve(m)
    d.conclude()
    assert d.chains[-1].relation is Relation.IFF and "each integer tried" in d.chains[-1].steps[-1].provenance


def test_a_chosen_root_of_a_system_is_an_implication() -> None:
    y = real(-8, 8).symbol("y")
    d = derivation(Eq(sp.Matrix([x, y]), sp.Matrix([sqrt(2) / 2, sqrt(2) / 2])), {x: X, y: real(-8, 8)})
    d.begin(Eq(sp.Matrix([x**2 + y**2, x - y]), sp.Matrix([1, 0])))
    d.solve([x, y], root={x: sqrt(2) / 2, y: sqrt(2) / 2})
    assert d._open is not None and d._open.steps[-1].relation is Relation.IF
    with pytest.raises(StepFailed, match="claims an equivalence"):
        d.conclude()


def test_a_chosen_root_that_is_the_only_one_is_an_equivalence() -> None:
    d = derivation(Eq(x, 3))
    d.begin(Eq(2 * x, 6))
    d.solve(x, root=3)
    d.conclude()
    assert d.chains[-1].relation is Relation.IFF


# -- the opening equation of a chain --------------------------------------------------------------------
NEAR = sp.Integer(10) ** -12


def test_an_unchecked_opening_equation_proves_nothing() -> None:
    """The issue's example: no steps, a false opening, "proved" before."""
    claim = Eq(sin(x) ** 2, sin(x) ** 2 + NEAR, evaluate=False)
    d = derivation(claim)
    d.begin(Eq(sin(x) ** 2, sin(x) ** 2 + NEAR, evaluate=False))
    with pytest.raises(StepFailed, match="opening equation holds"):
        d.conclude()


@pytest.mark.parametrize(
    ("opening", "steps", "claim"),
    [
        (Eq(x + 1, x + 1 + NEAR, evaluate=False), [Eq(0, NEAR, evaluate=False)], Eq(0, NEAR, evaluate=False)),
        (Eq(sin(x) ** 2 + cos(x) ** 2, 1 + NEAR), [Eq(1, 1 + NEAR, evaluate=False)], Eq(1, 1 + NEAR, evaluate=False)),
        (
            Eq(exp(x), exp(x) * (1 + NEAR), evaluate=False),
            [Eq(exp(x) * NEAR, 0, evaluate=False)],
            Eq(exp(x) * NEAR, 0, evaluate=False),
        ),
        (Eq(2 * x, x), [Eq(x, 0)], Eq(x, 0)),  # an equation in x, not an identity, and no solve
    ],
)
def test_a_false_opening_fails_even_after_equivalent_steps(opening: sp.Eq, steps: list[sp.Eq], claim: sp.Eq) -> None:
    d = derivation(claim)
    d.begin(opening)
    for s in steps:
        d.then(s, "an equivalent equation")
    with pytest.raises(StepFailed, match="opening equation holds"):
        d.conclude()


def test_a_solution_statement_needs_a_solve_for_its_left_side() -> None:
    """Solving for x does not prove a statement about y = ... (the opening is then checked, and fails)."""
    y = real(-8, 8).symbol("y")
    d = derivation(Eq(y, 3), {x: X, y: real(-8, 8)})
    d.begin(Eq(2 * y - 6 + 0 * x, 0))
    d.then(Eq(y, 3), "rearranged")
    with pytest.raises(StepFailed, match="opening equation holds"):
        d.conclude()


def test_a_wrong_solution_is_refused_at_the_conclusion() -> None:
    d = derivation(Eq(x, 3 + NEAR))
    d.begin(Eq(2 * x - 6, 0))
    d.solve(x)
    with pytest.raises(StepFailed, match="conclusion"):
        d.conclude()


def test_a_true_opening_proves_its_statement() -> None:
    claim = Eq(sin(x) ** 2, 1 - cos(x) ** 2)
    d = derivation(claim)
    d.begin(Eq(sin(x) ** 2 + cos(x) ** 2, 1))
    d.then(Eq(sin(x) ** 2, 1 - cos(x) ** 2), "subtract cos^2")
    d.conclude()
    chain = d.chains[-1]
    assert chain.ok and chain.conclusion[0].method.startswith("opening equation holds")


# -- provenance -----------------------------------------------------------------------------------------
def double(e: sp.Expr) -> sp.Expr:
    return 2 * e / 2


def test_each_step_says_how_its_form_was_obtained() -> None:
    d = derivation(sp.Le(sp.Derivative(x**2, x), 2 * x + 1))
    d.begin(sp.Derivative(x**2, x))
    d.then(lambda e: e.doit(), "power rule")
    d.then(lambda e: sp.expand(e), "expand")
    d.then(double, "a named function")
    d.then(x + x, "written")
    d.bound(2 * x + 1, "add one")
    steps = d._open.steps if d._open else []
    got = [s.provenance for s in steps]
    assert got[0] == "written (the opening form)"
    assert got[1] == "computed by SymPy (doit)" and got[2] == "computed by SymPy (expand)"
    assert got[3] == "computed by SymPy (double)"
    assert got[4].startswith("written, proved by ") and got[5].startswith("written, bound proved by ")
    assert all(p for p in got)


# -- the pieces ----------------------------------------------------------------------------------------
def test_outside_decides_only_what_it_can() -> None:
    assert outside(sp.Integer(9), sp.Interval(-8, 8)) and outside(sp.I, sp.Interval(-8, 8))
    assert outside(sp.Integer(0), sp.Interval.open(0, 1)) and not outside(sp.Integer(1), sp.Interval(0, 1))
    assert outside(-a, sp.Interval.open(0, sp.oo)) and not outside(a - b, sp.Interval(-8, 8))
    assert outside(a / (a + b) + 1, sp.Interval.open(0, 1)) and not outside(a / (a + b), sp.Interval.open(0, 1))
    t = interval(0, a).symbol("t")
    assert not outside(t, sp.Interval(0, 5))


def test_solutions_report_how_and_whether_complete() -> None:
    found = solutions([x**2 - 4], [x], {x: sp.Interval(-8, 8)})
    assert found.complete and {c[x] for c in found.candidates} == {-2, 2}
    assert found.method == "solveset over [-8, 8]"
    found = solutions([sin(x) - x / 3], [x], {x: sp.S.Reals})
    assert not found.complete and found.detail


def test_a_root_sympy_failed_to_list_is_caught_numerically(monkeypatch: pytest.MonkeyPatch) -> None:
    """Were solveset to return only the principal root of tan x = 1, a sign scan of the domain finds another."""
    monkeypatch.setattr(sp, "solveset", lambda *args: sp.FiniteSet(pi / 4))
    found = solutions([tan(x) - 1], [x], {x: sp.Interval(-8, 8)})
    assert not found.complete and "sign change" in found.detail
    found = solutions([exp(x) - 2], [x], {x: sp.Interval(-8, 8)})  # a wrong root instead of log 2
    assert not found.complete and "sign change" in found.detail


def test_relations_with_an_implication() -> None:
    iff, implied = Relation.IFF, Relation.IF
    assert iff.then(implied) is implied and implied.then(iff) is implied and implied.then(implied) is implied
    assert Relation.EQ.then(implied) is implied
    assert not implied.implies(Relation.IFF) and iff.implies(implied) and not implied.implies(Relation.EQ)
    assert implied.tex == r"\Longleftarrow" and implied.text == "⇐" and implied == "<=="
