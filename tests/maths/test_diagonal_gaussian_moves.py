"""The moves that lift 1-D Gaussian facts to a diagonal Gaussian of any dimension d
(:mod:`derive.maths.gaussian`) and write a form derived at a symbolic size out at a concrete one
(:func:`derive.maths.discrete.at_size`)."""

from __future__ import annotations

import pytest
import sympy as sp

from derive.maths.discrete import at_size
from derive.maths.gaussian import (
    coordinatewise,
    gaussian_integral,
    log_diagonal_pdf,
    log_normal_pdf,
    split_log_product,
)

i = sp.Symbol("i", integer=True, positive=True)
d = sp.Symbol("d", integer=True, positive=True)
mu, s, x = sp.Symbol("mu", real=True), sp.Symbol("s", positive=True), sp.Symbol("x", real=True)
muI, sI, xI = sp.IndexedBase("mu", real=True), sp.IndexedBase("s", positive=True), sp.IndexedBase("x", real=True)


def test_split_log_product_gives_the_sum_of_the_1d_log_ratios_for_symbolic_d() -> None:
    split = split_log_product(log_diagonal_pdf(xI, muI[i], sI[i], i, d) - log_diagonal_pdf(xI, 0, 1, i, d))
    assert isinstance(split, sp.Sum) and split.limits == ((i, 1, d),)
    want = (log_normal_pdf(x, mu, s) - log_normal_pdf(x)).xreplace({x: xI[i], mu: muI[i], s: sI[i]})
    assert sp.expand(split.function - want) == 0


def test_split_log_product_agrees_with_the_densities_written_out_at_d_3() -> None:
    """An independent route: the product of three densities, its log taken numerically."""
    form = split_log_product(log_diagonal_pdf(xI, muI[i], sI[i], i, d))
    point = {"x": [0.3, -1.2, 2.0], "mu": [0.1, 0.5, -1.0], "s": [0.7, 1.3, 2.2]}
    got = float(at_size(form, d, {xI: point["x"], muI: point["mu"], sI: point["s"]}))
    dens = [
        sp.exp(-((a - m) ** 2) / (2 * v**2)) / (sp.sqrt(2 * sp.pi) * v)
        for a, m, v in zip(point["x"], point["mu"], point["s"], strict=True)
    ]
    assert got == pytest.approx(float(sp.log(sp.Mul(*dens))), rel=1e-12)


def test_coordinatewise_replaces_each_parameter_by_its_coordinate() -> None:
    total = coordinatewise(mu**2 + s, {mu: muI[i], s: sI[i]}, i, d)
    assert total == sp.Sum(muI[i] ** 2 + sI[i], (i, 1, d))
    assert at_size(total, d, {muI: [1.0, 2.0], sI: [0.5, 0.25]}) == pytest.approx(1 + 4 + 0.75)


def test_at_size_refuses_vectors_of_different_lengths() -> None:
    with pytest.raises(ValueError, match="different lengths"):
        at_size(sp.Sum(muI[i] * sI[i], (i, 1, d)), d, {muI: [1.0, 2.0], sI: [1.0]})


def test_gaussian_integral_is_sqrt_2_pi_s() -> None:
    assert sp.simplify(gaussian_integral(x, mu, s).doit() - sp.sqrt(2 * sp.pi) * s) == 0


def test_written_out_agrees_with_doit() -> None:
    from derive.maths.discrete import written_out

    i, j, n = sp.symbols("i j n", integer=True)
    x = sp.IndexedBase("x")
    cases = [
        sp.Sum(x[i] * x[j], (i, 1, j), (j, 1, 4)),  # an inner bound names the outer index
        sp.Product(1 + x[i], (i, 2, 5)) + sp.Sum(i**2, (i, 1, 3)),
        sp.Sum(x[i], (i, 3, 2)),  # empty
        sp.Sum(x[i], (i, 5, 1)),  # reversed: Karr's convention, left to doit
        sp.exp(sp.Sum(x[i], (i, 1, n))),  # symbolic bound: left as it is
    ]
    for e in cases[1:]:
        assert sp.expand(written_out(e).doit() - e.doit()) == 0
    by_hand = sum(x[a] * x[b] for b in range(1, 5) for a in range(1, b + 1))  # (SymPy's doit leaves it)
    assert sp.expand(written_out(cases[0]) - by_hand) == 0
    assert written_out(cases[4]) == cases[4]
