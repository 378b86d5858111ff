r"""Expectations of polynomials in independent normal variables, by their moments.

For independent $x_k \sim \mathcal N(\mu_k, \sigma_k^2)$ the expectation of a polynomial is linear in its
monomials and factorises over the variables of each monomial:

.. math:: \mathbb E\Bigl[\prod_k x_k^{a_k}\Bigr] = \prod_k \mathbb E[x_k^{a_k}], \qquad
          \mathbb E[(\mu + \sigma z)^a] = \sum_{j\ \mathrm{even}} \binom{a}{j} \mu^{a-j} \sigma^j (j-1)!!.

:func:`normal_expectation` applies exactly that (instant, where ``sympy.stats`` integrates each term);
a derivation uses it as a computing step and the ladder checks it against ``sympy.stats.Expectation``.
"""

from __future__ import annotations

from collections.abc import Mapping

import sympy as sp


def raw_moment(mu: sp.Expr, sigma: sp.Expr, power: int) -> sp.Expr:
    r"""$\mathbb E[x^a]$ for $x \sim \mathcal N(\mu, \sigma^2)$ (odd central moments vanish)."""
    return sp.Add(
        *(sp.binomial(power, j) * mu ** (power - j) * sigma**j * sp.factorial2(j - 1) for j in range(0, power + 1, 2))
    )


def normal_expectation(expr: sp.Expr, variables: Mapping[sp.Basic, tuple[sp.Expr, sp.Expr]]) -> sp.Expr:
    r"""$\mathbb E[\text{expr}]$ for a polynomial in independent normal ``variables`` (``{x: (mu, sigma)}``)."""
    gens = list(variables)
    poly = sp.Poly(sp.expand(expr), *gens)
    out = sp.S.Zero
    for powers, coeff in poly.terms():
        term = coeff
        for g, a in zip(gens, powers, strict=True):
            if a:
                term *= raw_moment(*variables[g], a)
        out += term
    return sp.expand(out)
