r"""Gaussian moves: the normal density and expectations against it, as SymPy integrals.

A Gaussian expectation is *one* move used throughout the probability chapters (the KL term of a
VAE, the reparameterisation gradient, :math:`\mathbb{E}[\operatorname{relu}(z)^2]` in He
initialisation, normalising constants):

.. math::

    \mathbb{E}_{z \sim \mathcal N(\mu, s^2)}[f(z)] = \int_{-\infty}^{\infty} f(z)\,
    \frac{1}{\sqrt{2\pi}\,s} e^{-(z-\mu)^2/(2s^2)}\,dz .

:func:`expectation` builds that integral *unevaluated* (so a derivation can begin at it and a
statement can name it); :func:`integrate` is the computing step (``Integral.doit``), which SymPy
does in closed form for polynomial, exponential and log-polynomial integrands.

- :func:`normal_pdf` -- the density :math:`\mathcal N(x; \mu, s^2)` written out;
- :func:`log_normal_pdf` -- its logarithm, expanded (the form likelihood derivations start from);
- :func:`expectation` -- :math:`\int f\,\mathcal N` over the real line (or a half line);
- :func:`integrate` -- evaluate such integrals (a derivation step: ``d.then(integrate, ...)``);
- :func:`moments` -- linearity of expectation: a polynomial's expectation as a sum of moments;
- :func:`coordinatewise` -- a 1-D form lifted to a diagonal Gaussian of any dimension :math:`d`, the
  ``Sum`` over :math:`i = 1..d` with each parameter replaced by its :math:`i`-th coordinate;
- :func:`log_diagonal_pdf` and :func:`split_log_product` -- the log-density of a diagonal Gaussian,
  :math:`\log\prod_{i=1}^d \mathcal N(x_i; \mu_i, s_i^2)`, and the computing step that turns the log
  of the product into the sum of the 1-D log-densities (any symbolic :math:`d`);
- :func:`gaussian_integral` -- the unnormalised 1-D integral :math:`\int e^{-(x-\mu)^2/(2s^2)}dx`.
"""

from __future__ import annotations

from collections.abc import Mapping

import sympy as sp
from sympy import Expr, Integral, exp, log, oo, pi, sqrt

from .normal_moments import gaussian_polynomial_integrals


def normal_pdf(x: Expr, mu: Expr = sp.S.Zero, s: Expr = sp.S.One) -> Expr:
    r"""The density :math:`\mathcal N(x; \mu, s^2) = e^{-(x-\mu)^2/(2s^2)}/(\sqrt{2\pi}\,s)` (``s`` the
    standard deviation)."""
    return exp(-((x - mu) ** 2) / (2 * s**2)) / (sqrt(2 * pi) * s)


def log_normal_pdf(x: Expr, mu: Expr = sp.S.Zero, s: Expr = sp.S.One) -> Expr:
    r""":math:`\log \mathcal N(x; \mu, s^2) = -(x-\mu)^2/(2s^2) - \tfrac12\log(2\pi s^2)`."""
    return -((x - mu) ** 2) / (2 * s**2) - log(2 * pi * s**2) / 2


def expectation(
    f: Expr,
    z: sp.Symbol,
    mu: Expr = sp.S.Zero,
    s: Expr = sp.S.One,
    *,
    lo: Expr = -oo,
    hi: Expr = oo,
    expand: bool = False,
) -> Integral:
    r"""The unevaluated :math:`\int_{lo}^{hi} f(z)\,\mathcal N(z; \mu, s^2)\,dz`.

    With the default limits this is :math:`\mathbb{E}_{z\sim\mathcal N(\mu, s^2)}[f(z)]`; a half line
    (``lo=0``) expresses a truncated expectation such as :math:`\mathbb{E}[\operatorname{relu}(z)^2]
    = \int_0^\infty z^2\,\mathcal N(z; 0, s^2)\,dz` without a ``Max``/``Piecewise`` in the integrand.
    ``z`` must be a real symbol; it is bound by the integral. ``expand=True`` writes the integrand as
    a sum of monomials times the density: longer to read, but SymPy's ``doit`` (used by the
    verification ladder) then integrates it term by term in a fraction of a second instead of
    seconds, which matters for a polynomial of :math:`\mu + s\varepsilon` under a ``Derivative``.
    """
    integrand = f * normal_pdf(z, mu, s)
    if expand:
        integrand = sp.expand(integrand, power_exp=False, log=False)
    return Integral(integrand, (z, lo, hi))


def integrate(e: Expr, *, expand: bool = False) -> Expr:
    r"""Evaluate every integral in ``e`` (SymPy's ``doit``, convergence conditions dropped:
    the domains of the parameters guarantee them).

    SymPy integrates a polynomial times a Gaussian density in closed form, but depending on the
    shape of the integrand it may go through ``erfc`` and leave a sum of terms that only cancel
    after heavy simplification. So each integral is tried as written and, failing a clean answer,
    with its integrand expanded into monomials times the density (``exp`` kept whole); the first
    answer free of ``erf``/``erfc`` and unevaluated integrals is taken; a polynomial against a Gaussian
    kernel goes moment by moment instead (:mod:`.normal_moments`, much faster). ``expand=True`` goes straight
    to the expanded form (faster for a polynomial of :math:`\mu + s\varepsilon` against the standard
    density)."""

    def clean(v: Expr) -> bool:
        return not v.has(sp.erf, sp.erfc, Integral)

    def one(a: Integral) -> Expr:
        fast = gaussian_polynomial_integrals(a)  # a polynomial against a Gaussian: moment by moment
        if not fast.has(Integral):
            return fast
        if expand:
            return Integral(sp.expand(a.function, power_exp=False, log=False), *a.limits).doit(conds="none")
        first = a.doit(conds="none")
        if clean(first):
            return first
        body = sp.expand(a.function, power_exp=False, log=False)
        second = Integral(body, *a.limits).doit(conds="none")
        return second if clean(second) else first

    return e.replace(lambda a: isinstance(a, Integral), one)


def moments(e: Expr, variables: tuple[sp.Symbol, ...]) -> Expr:
    r"""Linearity of expectation for independent standard normal ``variables``:
    :math:`\int \prod_j \varphi(u_j)\, \sum_k c_k u^k\, du = \sum_k c_k \prod_j \mathbb{E}[u_j^{k_j}]`,
    each moment an unevaluated :func:`expectation` (``e`` holds one such integral of a polynomial)."""
    (integral,) = e.atoms(Integral)
    density = sp.Mul(*(normal_pdf(w) for w in variables))
    poly = sp.Poly(sp.expand(integral.function / density), *variables)
    terms = (c * sp.Mul(*(expectation(w**k, w) for w, k in zip(variables, ks, strict=True))) for ks, c in poly.terms())
    return e.xreplace({integral: sp.Add(*terms)})


def coordinatewise(f: Expr, coordinates: Mapping[sp.Symbol, Expr], index: sp.Symbol, d: Expr) -> sp.Sum:
    r""":math:`\sum_{i=1}^d f(\theta_i)`: the 1-D form ``f`` with each scalar parameter replaced by its
    ``index``-th coordinate (``{mu: mu_[i], s: s_[i]}``), summed over the :math:`d` coordinates of a
    diagonal Gaussian."""
    return sp.Sum(f.xreplace(dict(coordinates)), (index, 1, d))


def log_diagonal_pdf(x: sp.IndexedBase, mu: Expr, s: Expr, index: sp.Symbol, d: Expr) -> Expr:
    r""":math:`\log \prod_{i=1}^d \mathcal N(x_i; \mu_i, s_i^2)`, the product unevaluated (``mu`` and ``s``
    are written at ``index``, e.g. ``mu_[i]``, or constants): the log-density of
    :math:`\mathcal N(\mu, \operatorname{diag}(s^2))` in :math:`d` dimensions."""
    return log(sp.Product(normal_pdf(x[index], mu, s), (index, 1, d)))


def split_log_product(e: Expr) -> Expr:
    r"""Every :math:`\log\prod_i f_i` in ``e`` as :math:`\sum_i \log f_i`, each 1-D log-density expanded
    (SymPy's ``expand_log``; the densities are positive, so ``force`` is sound), then the sums of the
    same range merged into one: a computing step valid for a symbolic number of factors."""
    split = sp.expand_log(e, force=True)
    return sp.factor_terms(split.replace(lambda a: isinstance(a, sp.Add) and a.has(sp.Sum), _merge_sums))


def _merge_sums(a: sp.Add) -> Expr:
    """``c1 Sum(f, r) + c2 Sum(g, r)`` as ``Sum(c1 f + c2 g, r)`` for the sums of one range; the other
    terms are kept."""
    by_range: dict[tuple[sp.Basic, ...], list[Expr]] = {}
    rest: list[Expr] = []
    for term in a.args:
        coeff, body = term.as_independent(sp.Sum, as_Add=False)
        if isinstance(body, sp.Sum) and len(body.limits) == 1 and not coeff.free_symbols & {body.limits[0][0]}:
            by_range.setdefault(body.limits[0], []).append(coeff * body.function)
        else:
            rest.append(term)
    return sp.Add(*rest, *(sp.Sum(sp.Add(*fs), lim) for lim, fs in by_range.items()))


def gaussian_integral(x: sp.Symbol, mu: Expr = sp.S.Zero, s: Expr = sp.S.One) -> Integral:
    r"""The unevaluated :math:`\int_{-\infty}^{\infty} e^{-(x-\mu)^2/(2s^2)}\,dx` (equal to :math:`\sqrt{2\pi}\,s`)."""
    return Integral(exp(-((x - mu) ** 2) / (2 * s**2)), (x, -oo, oo))
