r"""Gaussian integrals of polynomials, term by term: what SymPy's Meijer-G route does slowly.

An integral over the whole of :math:`\mathbb{R}^m` of a polynomial times a separable Gaussian kernel,

.. math::

    \int_{\mathbb{R}^m} x_1^{k_1}\cdots x_m^{k_m}\,
        e^{\sum_v (-a_v x_v^2 + b_v x_v) + c}\,dx
    = e^{c + \sum_v b_v^2/(4a_v)} \prod_v \sum_{j=0}^{k_v}\binom{k_v}{j}
        \Big(\frac{b_v}{2a_v}\Big)^{k_v - j} G_j(a_v),
    \qquad G_j(a) = \int_{-\infty}^{\infty} y^j e^{-a y^2}\,dy ,

(complete the square :math:`x_v = y + b_v/(2a_v)`, expand the binomial, Fubini: the integrand is
absolutely integrable when every :math:`a_v > 0`), is the expectation of a polynomial under a
diagonal Gaussian, the integral of most probability pages (KL terms, ELBOs, initialisation
variances). SymPy evaluates it through Meijer G-functions, up to seconds per integral; here each
one-dimensional :math:`G_j` is computed once by SymPy (``integrate``) and the rest is algebra.

:func:`gaussian_polynomial_integrals` replaces every such integral in an expression by its value and
leaves every other integral as it is (a factor that is not a polynomial in the variables, a finite
limit, an :math:`a_v` not known to be positive, a cross term :math:`x_1 x_2` in the exponent).
"""

from __future__ import annotations

from functools import lru_cache

import sympy as sp

_A = sp.Symbol("a", positive=True)
_Y = sp.Symbol("y", real=True)


@lru_cache(maxsize=64)
def _moment(j: int) -> sp.Expr:
    r""":math:`G_j(a) = \int y^j e^{-a y^2}\,dy` for a positive symbol :math:`a`, by SymPy."""
    return sp.integrate(_Y**j * sp.exp(-_A * _Y**2), (_Y, -sp.oo, sp.oo), conds="none")


def _whole_line(limits: tuple[sp.Tuple, ...]) -> list[sp.Symbol] | None:
    out = []
    for lim in limits:
        if len(lim) != 3 or lim[1] != -sp.oo or lim[2] != sp.oo or not isinstance(lim[0], sp.Symbol):
            return None
        out.append(lim[0])
    return out if len(set(out)) == len(out) else None


def _exponent(factors: list[sp.Expr], xs: list[sp.Symbol]) -> tuple[sp.Expr, sp.Expr]:
    """The exponent of the kernel among ``factors`` (every exponential, so that constant ones cancel
    against the completed square) and the rest."""
    exponent, rest = sp.S.Zero, sp.S.One
    for f in factors:
        base, power = f.as_base_exp()
        if isinstance(base, sp.exp):
            exponent += base.args[0] * power
        elif base == sp.E:
            exponent += power
        else:
            rest *= f
    return exponent, rest


def _term(term: sp.Expr, xs: list[sp.Symbol]) -> sp.Expr | None:
    exponent, rest = _exponent(list(sp.Mul.make_args(term)), xs)
    try:
        quad = sp.Poly(sp.expand(exponent), *xs)
        poly = sp.Poly(rest, *xs)
    except sp.PolynomialError:
        return None
    if quad.total_degree() > 2 or any(sum(1 for e in m if e) > 1 for m in quad.monoms() if sum(m) == 2):
        return None  # not quadratic, or a cross term x_1 x_2: not separable
    if any(c.has(*xs) for c in (*quad.coeffs(), *poly.coeffs())):
        return None
    a = [-quad.coeff_monomial(x**2) for x in xs]
    if not all(ai.is_positive for ai in a):
        return None
    b = [quad.coeff_monomial(x) for x in xs]
    shift = sp.expand(quad.coeff_monomial(1) + sum(bi**2 / (4 * ai) for ai, bi in zip(a, b, strict=True)))
    total = sp.S.Zero
    for powers, coeff in poly.terms():
        value = coeff
        for k, ai, bi in zip(powers, a, b, strict=True):
            value *= sum(sp.binomial(k, j) * (bi / (2 * ai)) ** (k - j) * _moment(j).subs(_A, ai) for j in range(k + 1))
        total += value
    return sp.exp(shift) * sp.expand(total) if shift != 0 else sp.expand(total)


def _integral(e: sp.Integral) -> sp.Expr | None:
    xs = _whole_line(e.limits)
    if xs is None:
        return None
    values = [_term(t, xs) for t in sp.Add.make_args(sp.expand(e.function))]
    return None if any(v is None for v in values) else sp.Add(*values)


def gaussian_polynomial_integrals(e: sp.Basic) -> sp.Basic:
    """``e`` with every integral of a polynomial times a separable Gaussian kernel over the whole
    space evaluated (innermost first); other integrals untouched."""
    if not e.has(sp.Integral):
        return e

    def value(i: sp.Integral) -> sp.Basic:
        got = _integral(i)
        return i if got is None else got

    return e.replace(lambda x: isinstance(x, sp.Integral), value)
