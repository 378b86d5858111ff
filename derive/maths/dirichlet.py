r"""The Dirichlet normaliser and moves on products over a symbolic number :math:`K` of categories.

- :func:`normaliser`: :math:`B(v) = \prod_{k=1}^K \Gamma(v_k) / \Gamma(\sum_{k=1}^K v_k)`, the Dirichlet integral
  :math:`\int_{\Delta}\prod_k \theta_k^{v_k - 1}\,d\theta` over the simplex, with the products and sums left
  unevaluated (a symbolic :math:`K`);
- :func:`beta_integral`: :math:`\int_0^1 t^{a-1}(1-t)^{b-1}\,dt` computed by SymPy as the Mellin transform of
  :math:`(1-t)^{b-1}\,[t < 1]` at :math:`a` (the base case :math:`K = 2` of the Dirichlet integral);
- :func:`combine_products`: :math:`\prod_k f_k \cdot \prod_k g_k^{\pm 1} = \prod_k f_k g_k^{\pm 1}` for products
  over the same range (the kernel of a posterior, a ratio of normalisers);
- :func:`delta_power`: a factor :math:`f(\delta_{jk})` written :math:`f(0)\,(f(1)/f(0))^{\delta_{jk}}`, exact
  because a Kronecker delta is 0 or 1;
- :func:`collapse_delta_product`: :math:`\prod_k c_k^{\delta_{jk}} = \exp\sum_k \delta_{jk}\log c_k = c_j`
  (:math:`c_k > 0`, :math:`j` in range), and the Kronecker sums left in the expression sifted.
"""

from __future__ import annotations

from collections.abc import Callable

import sympy as sp

from .indexed import in_range, sift

Entry = Callable[[sp.Expr], sp.Expr]


def normaliser(v: Entry, k: sp.Symbol, size: sp.Expr) -> sp.Expr:
    r""":math:`B(v) = \prod_{k=1}^{K}\Gamma(v_k) / \Gamma(\sum_{k=1}^{K} v_k)` (``v`` maps an index to the entry)."""
    return sp.Product(sp.gamma(v(k)), (k, 1, size)) / sp.gamma(sp.Sum(v(k), (k, 1, size)))


def beta_integral(e: sp.Integral) -> sp.Expr:
    r"""``e`` = :math:`\int_0^1 t^{a-1} g(t)\,dt` computed as the Mellin transform of :math:`g(t)[t < 1]` at
    :math:`a` (SymPy's ``mellin_transform``, which evaluates the Beta integral in closed form)."""
    ((t, lo, hi),) = e.limits
    if (lo, hi) != (0, 1):
        raise ValueError(f"the Beta integral runs over [0, 1], not [{lo}, {hi}]")
    powers = [f for f in sp.Mul.make_args(e.function) if isinstance(f, sp.Pow) and f.base == t]
    if len(powers) != 1:
        raise ValueError(f"no single power t**(a - 1) in {e.function}")
    a = powers[0].exp + 1
    rest = e.function / powers[0]
    return sp.mellin_transform(rest * sp.Heaviside(1 - t), t, a, noconds=True)


def beta_integrals(e: sp.Basic) -> sp.Basic:
    r"""``e`` with every :math:`\int_0^1 t^{a-1}(1-t)^{b-1}\,dt` whose :math:`a, b` SymPy knows to be positive
    (so that it converges) evaluated by :func:`beta_integral`, in a fraction of the time of SymPy's own
    ``integrate`` (Meijer G-functions); every other integral left as it is."""

    def fits(i: sp.Basic) -> bool:
        if not (isinstance(i, sp.Integral) and len(i.limits) == 1 and tuple(i.limits[0][1:]) == (0, 1)):
            return False
        t = i.limits[0][0]
        exponents = {}
        for f in sp.Mul.make_args(i.function):
            base, x = f.as_base_exp()
            if base in (t, 1 - t) and not x.has(t):
                exponents[base] = x
            elif f.has(t):
                return False
        return len(exponents) == 2 and all((x + 1).is_positive for x in exponents.values())

    return e.replace(fits, beta_integral) if e.has(sp.Integral) else e


def combine_products(e: sp.Expr) -> sp.Expr:
    r"""Every product of ``Product`` factors over one range (with integer powers, e.g. a ratio) in ``e`` as one
    ``Product`` of the factors' summands: :math:`\prod_k f_k / \prod_k g_k = \prod_k f_k/g_k`."""

    def join(m: sp.Mul) -> sp.Expr:
        groups: dict[tuple[sp.Basic, ...], list[sp.Expr]] = {}
        rest: list[sp.Expr] = []
        for f in m.args:
            base, power = f.as_base_exp()
            if isinstance(base, sp.Product) and power.is_integer:
                groups.setdefault(base.limits, []).append(base.function**power)
            else:
                rest.append(f)
        if not any(len(g) > 1 for g in groups.values()):
            return m
        joined = [sp.Product(sp.powsimp(sp.Mul(*fs)), lim) for lim, fs in groups.items()]
        return sp.Mul(*rest, *joined)

    return e.replace(lambda x: isinstance(x, sp.Mul), join)


def delta_power(e: sp.Expr) -> sp.Expr:
    r"""In every ``Product``'s summand, each Kronecker delta :math:`\delta` written through
    :math:`f(\delta) = f(0)\,(f(1)/f(0))^{\delta}` (true for :math:`\delta \in \{0, 1\}`), :math:`f(1)/f(0)`
    simplified by ``gammasimp`` (:math:`\Gamma(b + 1)/\Gamma(b) = b`)."""

    def rewrite(p: sp.Product) -> sp.Expr:
        body = p.function
        for delta in body.atoms(sp.KroneckerDelta):
            zero, one = body.xreplace({delta: 0}), body.xreplace({delta: 1})
            body = zero * sp.gammasimp(one / zero) ** delta
        return sp.Product(body, p.limits)

    return e.replace(lambda x: isinstance(x, sp.Product), rewrite)


def collapse_delta_product(e: sp.Expr) -> sp.Expr:
    r""":math:`\prod_k c_k^{\delta_{jk}} = \exp\sum_k\delta_{jk}\log c_k = c_j` for positive :math:`c_k`, and every
    Kronecker sum in ``e`` sifted (:math:`\sum_k \delta_{jk} = 1`, the index :math:`j` in range)."""

    def as_sum(p: sp.Product) -> sp.Expr:
        logged = sp.expand(sp.expand_log(sp.log(p.function), force=True))
        return sp.exp(sp.Sum(logged, p.limits))

    def split(s: sp.Sum) -> sp.Expr:
        return sp.Add(*(sp.Sum(term, s.limits) for term in sp.Add.make_args(sp.expand(s.function))))

    logged = e.replace(lambda x: isinstance(x, sp.Product) and x.function.has(sp.KroneckerDelta), as_sum)
    return in_range(sift(logged.replace(lambda x: isinstance(x, sp.Sum), split)))
