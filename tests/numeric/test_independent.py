"""The independent numeric routes: each operator evaluated without SymPy's symbolic evaluation."""

from __future__ import annotations

from typing import Any

import mpmath
import pytest
import sympy as sp

from derive.maths.notation import notation
from derive.maths.special import Phi, sigmoid
from derive.numeric.independent import ROUTES, independent_value, needs_route
from derive.numeric.precise import Env, NotANumber
from derive.numeric.routes import explicit_sum

x, y, h, t, T = sp.symbols("x y h t T", real=True)
a, b = sp.symbols("a b", positive=True)
n, j, k = sp.symbols("n j k", integer=True)
z = sp.IndexedBase("z")


class liar(sp.Function):
    """sin, but with a wrong derivative: SymPy's ``doit`` says ``2 cos``, the truth is ``cos``."""

    def fdiff(self, argindex: int = 1) -> sp.Expr:
        return 2 * sp.cos(self.args[0])

    def _eval_evalf(self, prec: int) -> sp.Expr:
        return sp.sin(self.args[0])._eval_evalf(prec)


@pytest.fixture(autouse=True)
def _precision() -> Any:
    """Expected values at 40 digits (the routes work at 30)."""
    with mpmath.workdps(40):
        yield


def value(e: sp.Basic, point: dict[sp.Basic, Any] | None = None, **kw: Any) -> Any:
    pt = {s: mpmath.mpf(v) for s, v in (point or {}).items()}
    return independent_value(e, pt, **kw)


def close(got: Any, want: Any, digits: int = 20) -> bool:
    return bool(abs(got - want) <= mpmath.mpf(10) ** -digits * (1 + abs(want)))


# ------------------------------------------------------------------------------ derivatives
def test_a_derivative_is_taken_numerically_not_by_the_functions_own_rule() -> None:
    e = sp.Derivative(liar(x), x)
    assert e.doit() == 2 * sp.cos(x)  # what the symbolic route would compare with
    got = value(e, {x: "0.7"})
    assert close(got.value, mpmath.cos(mpmath.mpf("0.7")))
    assert got.routes == {ROUTES["Derivative"]}


def test_higher_and_mixed_partial_derivatives() -> None:
    got = value(sp.Derivative(x**2 * y**3, x, y), {x: "1.5", y: "-0.5"})
    assert close(got.value, 6 * mpmath.mpf("1.5") * mpmath.mpf("0.25"))
    fourth = value(sp.Derivative(sp.exp(2 * x), (x, 4)), {x: "0.3"})
    assert close(fourth.value, 16 * mpmath.exp(mpmath.mpf("0.6")), 15)


def test_a_derivative_with_respect_to_an_entry_perturbs_that_entry_only() -> None:
    entries = {(z, (i,)): mpmath.mpf(i) / 3 for i in range(1, 6)}

    def entry(base: sp.IndexedBase, idx: tuple[int, ...]) -> Any:
        return entries[(base, idx)]

    total = sp.Sum(z[k] ** 3, (k, 1, n))
    got = independent_value(sp.Derivative(total, z[j]), {n: mpmath.mpf(4), j: mpmath.mpf(2)}, entry=entry)
    assert close(got.value, 3 * entries[(z, (2,))] ** 2)
    assert ROUTES["Sum"] in got.routes and ROUTES["Derivative"] in got.routes


# ------------------------------------------------------------------------------ integrals
def test_quadrature_over_infinite_ranges_and_narrow_offset_peaks() -> None:
    gauss = value(sp.Integral(sp.exp(-(x**2)), (x, -sp.oo, sp.oo)))
    assert close(gauss.value, mpmath.sqrt(mpmath.pi))
    assert gauss.routes == {ROUTES["Integral"]}
    mu, s = sp.symbols("mu s", positive=True)
    narrow = sp.Integral(sp.exp(-((x - mu) ** 2) / (2 * s**2)), (x, -sp.oo, sp.oo))
    got = value(narrow, {mu: "7", s: "0.01"})
    assert close(got.value, mpmath.sqrt(2 * mpmath.pi) * mpmath.mpf("0.01"), 15)


def test_a_bound_variable_is_not_the_free_symbol_of_the_same_name() -> None:
    """``t`` bound by the integral, whatever value the point gives the free ``t``."""
    got = value(sp.Integral(sp.Abs(t), (t, -1, 1)), {t: "5"})
    assert close(got.value, 1)


def test_a_double_integral_with_a_dependent_inner_range() -> None:
    got = value(sp.Integral(x * y, (y, 0, x), (x, 0, 1)))  # = 1/8
    assert close(got.value, mpmath.mpf(1) / 8, 12)
    assert got.routes == {ROUTES["Nested"]}  # not a box: nested quadratures


def test_a_smooth_integral_over_a_box_by_vectorised_cubature() -> None:
    """A nested Gaussian expectation (as the mutual-information page writes it) is one integral over
    the plane: cubature, to 11 digits, with its scale; off by 1e-6 it is told apart."""
    rho = sp.Symbol("rho", real=True)
    body = rho**2 * (x**2 - y**2) / 2 + rho * x * y + 3
    nested = sp.Integral(
        sp.exp(-(y**2) / 2) * sp.Integral(body * sp.exp(-(x**2) / 2), (x, -sp.oo, sp.oo)), (y, -sp.oo, sp.oo)
    )
    got = value(nested / (2 * sp.pi), {rho: "0.7"})
    assert close(got.value, 3, 11) and not close(got.value, 3 + mpmath.mpf("1e-6"), 11)
    assert got.routes == {ROUTES["Cubature"]}
    assert got.scale > 0.4  # the largest integrand value met: 3 / (2 pi) at the origin
    box = value(sp.Integral(x * sp.exp(-x * y), (x, 0, 2), (y, 0, 3)), {})
    assert close(box.value, 2 - (1 - mpmath.exp(-6)) / 3, 11) and box.routes == {ROUTES["Cubature"]}


@pytest.mark.parametrize(
    ("integral", "want"),
    [
        # a kink: split where x is integrated (at y), nested (it once failed: the outer range split at x)
        (sp.Integral(sp.Abs(x - y), (x, 0, 1), (y, 0, 1)), mpmath.mpf(1) / 3),
        (sp.Integral(z[k] * x * y, (x, 0, 1), (y, 0, 1)), mpmath.mpf(5) / 4),  # an entry: read once, then a box
    ],
)
def test_kinks_stay_on_the_nested_route(integral: sp.Integral, want: Any) -> None:
    got = independent_value(integral, {k: mpmath.mpf(2)}, entry=lambda base, idx: mpmath.mpf(5))
    assert close(got.value, want, 10)
    assert got.routes == {ROUTES["Nested" if integral.has(sp.Abs) else "Cubature"]}


# ------------------------------------------------------------------------------ sums, products, subs
def test_sums_and_products_are_added_up_term_by_term() -> None:
    assert value(sp.Sum(k**2, (k, 1, n)), {n: 5}).value == 55
    assert value(sp.Product(k, (k, 1, n)), {n: 6}).value == 720
    assert value(sp.Sum(1 / k**2, (k, 1, sp.oo))).routes == {ROUTES["Series"]}


def test_an_empty_range_sums_to_zero_not_by_karrs_convention() -> None:
    """``sum_{k=1}^{n-2} 1`` is 0 at n = 1 (no terms); SymPy's Karr convention says n - 2 = -1."""
    e = sp.Sum(1, (k, 1, n - 2))
    assert e.doit().subs(n, 1) == -1
    assert value(e, {n: 1}).value == 0


def test_explicit_sum_lists_the_terms_innermost_limit_first() -> None:
    env = Env({n: mpmath.mpf(3)})
    terms = explicit_sum(
        ((j, 1, k), (k, 1, n)),
        env,
        lambda at: (at[j], at[k]),
        lambda bound, at: at[bound] if bound in at else mpmath.mpf(int(bound)),
    )
    assert [(int(p), int(q)) for p, q in terms] == [(1, 1), (1, 2), (2, 2), (1, 3), (2, 3), (3, 3)]


def test_subs_substitutes_the_point() -> None:
    got = value(sp.Subs(sp.Derivative(sigmoid(x), x), x, 0), {x: "3"})
    assert close(got.value, mpmath.mpf(1) / 4)
    assert got.routes == {ROUTES["Subs"], ROUTES["Derivative"]}


# ------------------------------------------------------------------------------ limits
def test_limits_approach_the_point_from_the_side_asked() -> None:
    assert close(value(sp.Limit(sp.sin(h) / h, h, 0)).value, 1)
    assert value(sp.Limit(sp.Max(0, h) / h, h, 0, "+")).value == 1
    assert value(sp.Limit(sp.Max(0, h) / h, h, 0, "-")).value == 0
    assert close(value(sp.Limit((1 + 1 / t) ** t, t, sp.oo)).value, mpmath.e, 25)


def test_a_limit_with_parameters_is_decided_at_each_point_not_once() -> None:
    """The issue's example: the limit is 1 when a > b and 0 when a < b (SymPy said 0)."""
    e = sp.Limit(sp.exp(-a / T) / (1 + sp.exp(-b / T) + sp.exp(-a / T)), T, 0, "-")
    assert close(value(e, {a: 2, b: 1, T: "0.5"}).value, 1)
    assert close(value(e, {a: 1, b: 2, T: "0.5"}).value, 0)


@pytest.mark.parametrize("limit", [sp.Limit(1 / sp.log(t), t, sp.oo), sp.Limit(sp.sin(1 / h), h, 0, "+")])
def test_a_limit_that_has_not_settled_is_not_a_number(limit: sp.Limit) -> None:
    with pytest.raises(NotANumber, match="settle"):
        value(limit)


def test_one_sided_limits_that_differ_have_no_two_sided_limit() -> None:
    with pytest.raises(NotANumber, match="differ"):
        value(sp.Limit(sp.Max(0, h) / h, h, 0, "+-"))


# ------------------------------------------------------------------------------ matrices, notation, definitions
def test_matrix_functions_on_the_evaluated_entries() -> None:
    m = sp.ImmutableMatrix([[x, 2], [3, y]])
    pt = {x: "1.5", y: "-2"}
    assert close(value(sp.Determinant(m), pt).value, mpmath.mpf("1.5") * -2 - 6)
    assert close(value(sp.Trace(m), pt).value, mpmath.mpf("-0.5"))
    inv = value(sp.Inverse(m), pt)
    assert isinstance(inv.value, mpmath.matrix) and ROUTES["Matrix"] in inv.routes
    product = inv.value * mpmath.matrix([[1.5, 2], [3, -2]])
    assert all(close(product[i, c], 1 if i == c else 0) for i in range(2) for c in range(2))


def test_a_matrix_exponential_by_mpmath() -> None:
    """exp of the generator of rotations is the rotation by that angle (mpmath.expm on the entries)."""
    got = value(sp.exp(sp.ImmutableMatrix([[0, x], [-x, 0]]), evaluate=False), {x: "0.7"})
    assert ROUTES["expm"] in got.routes
    c, s = mpmath.cos(mpmath.mpf("0.7")), mpmath.sin(mpmath.mpf("0.7"))
    assert all(close(got.value[i, j], want) for (i, j), want in {(0, 0): c, (0, 1): s, (1, 0): -s, (1, 1): c}.items())


def test_a_notation_is_evaluated_through_its_value() -> None:
    dl = notation(r"\partial L", sp.Matrix([[sp.Derivative(liar(x) * y, x)]]), "dL")
    got = value(dl, {x: "0.2", y: "3"})
    assert close(got.value[0, 0], 3 * mpmath.cos(mpmath.mpf("0.2")))


def test_a_definition_is_evaluated_at_its_arguments() -> None:
    eta = sp.Function("eta")
    body = 1 + sp.cos(sp.pi * t / T)
    defs = {eta(t): body}
    got = independent_value(eta(0), {T: mpmath.mpf(4)}, definitions=defs)
    assert got.value == 2 and got.routes == {ROUTES["definition"]}
    same = independent_value(eta(t), {t: mpmath.mpf(1), T: mpmath.mpf(4)}, definitions=defs)
    assert not same.routes  # nothing was substituted: the definition as it stands
    assert needs_route(eta(0), defs) and not needs_route(sp.cos(x))


def test_special_functions_by_their_own_evaluators() -> None:
    got = value(Phi(x), {x: "1.2"})
    assert close(got.value, mpmath.ncdf(mpmath.mpf("1.2")))
    assert got.routes == {ROUTES["Phi"]}


# ------------------------------------------------------------------------------ failures
def test_what_has_no_numeric_value_is_reported_not_guessed() -> None:
    f = sp.Function("f")
    with pytest.raises(NotANumber):
        value(sp.Derivative(f(x), x), {x: 1})
    with pytest.raises(NotANumber):
        value(sp.Derivative(x**2, y), {x: 1})  # no value for y
    with pytest.raises(NotANumber):
        value(sp.Integral(x, x), {x: 1})  # indefinite


def test_the_scale_is_the_size_of_what_was_combined() -> None:
    """A derivative that vanishes reports the size of the function it differentiated."""
    got = value(sp.Subs(sp.Derivative(5 + sp.cos(x), x), x, 0))
    assert abs(got.value) < mpmath.mpf(10) ** -25
    assert close(got.scale, 6, 10)


# ------------------------------------------------------------------------------ more operators
def test_partial_derivatives_in_entries_that_coincide_at_the_point_are_one_variable() -> None:
    """d^2/dz_i dz_j of sum_k z_k^3 is 6 z_i when i = j (not 0) and 0 otherwise."""
    i = sp.Symbol("i", integer=True)
    entries = {(z, (m,)): mpmath.mpf(m) / 3 for m in range(1, 5)}
    e = sp.Derivative(sp.Sum(z[k] ** 3, (k, 1, 4)), z[i], z[j])

    def at(iv: int, jv: int) -> Any:
        point = {i: mpmath.mpf(iv), j: mpmath.mpf(jv)}
        return independent_value(e, point, entry=lambda base, idx: entries[(base, idx)]).value

    assert close(at(2, 2), 6 * entries[(z, (2,))], 15)
    assert abs(at(1, 3)) < mpmath.mpf(10) ** -15


def test_an_expectation_of_normal_variables_by_gauss_hermite() -> None:
    from sympy.stats import Expectation, Exponential, Normal

    mu, sigma = sp.symbols("mu sigma", positive=True)
    x1, x2, x3 = (Normal(f"x{m}", mu, sigma) for m in (1, 2, 3))
    mean = (x1 + x2 + x3) / 3
    e = Expectation(sp.expand(((x1 - mean) ** 2 + (x2 - mean) ** 2 + (x3 - mean) ** 2) / 3))
    got = value(e, {mu: "1.5", sigma: "0.7"})
    assert close(got.value, 2 * mpmath.mpf("0.7") ** 2 / 3)
    assert got.routes == {ROUTES["Hermite"]}
    smooth = value(Expectation(sp.cos(x1)), {mu: "0.3", sigma: "0.5"})  # e^{-s^2/2} cos(mu)
    assert close(smooth.value, mpmath.exp(-mpmath.mpf("0.125")) * mpmath.cos(mpmath.mpf("0.3")), 12)
    rate = sp.Symbol("rate", positive=True)
    other = value(Expectation(Exponential("w", rate) ** 2), {rate: "2"})  # 2 / rate^2
    assert close(other.value, mpmath.mpf(1) / 2, 15) and ROUTES["Expectation"] in other.routes


def test_matrix_exponential_and_kronecker_product() -> None:
    m = sp.ImmutableMatrix([[0, -x], [x, 0]])
    rot = value(sp.exp(m * 1), {x: "0.4"}).value  # a rotation by 0.4
    assert close(rot[0, 0], mpmath.cos(mpmath.mpf("0.4"))) and close(rot[1, 0], mpmath.sin(mpmath.mpf("0.4")))
    from sympy.matrices.expressions.kronecker import KroneckerProduct

    kron = value(KroneckerProduct(sp.ImmutableMatrix([[1, x]]), sp.ImmutableMatrix([[2], [3]])), {x: "5"})
    assert [kron.value[r, c] for r in range(2) for c in range(2)] == [2, 10, 3, 15]


def test_non_commutative_symbols_take_matrix_values() -> None:
    a_, b_ = sp.symbols("A B", commutative=False)
    ma = mpmath.matrix([[1, 2], [0, 1]])
    mb = mpmath.matrix([[0, 1], [1, 0]])
    got = independent_value((1 + a_) * b_, {a_: ma, b_: mb}).value
    assert got == (mpmath.eye(2) + ma) * mb
    assert got != mb * (mpmath.eye(2) + ma)  # the order is kept
    assert ROUTES["noncommutative"] in independent_value(a_ * b_, {a_: ma, b_: mb}).routes


def test_a_quadrature_that_does_not_converge_is_not_a_number() -> None:
    with pytest.raises(NotANumber, match="quadrature"):
        value(sp.Integral(sp.sin(1 / x) / x**2, (x, sp.Rational(1, 1000), 1)))
