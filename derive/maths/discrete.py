r"""Sums over discrete distributions whose probabilities are symbols.

A :class:`Table` is a distribution on :math:`\{1, \dots, n\}` written as a function head,
:math:`q(k)`, whose definition (unfolded by the verification ladder, see
``Identity.definitions``) is a *normalised table* :math:`q(k) = a_k / \sum_j a_j` of positive
weights :math:`a_k` (an ``IndexedBase``). The normalisation is built in, so identities that need
:math:`\sum_k q(k) = 1` hold for every sampled weight, and SymPy knows every :math:`q(k) > 0`, so
:math:`\log(q(k)\,r(k)) = \log q(k) + \log r(k)` expands. A table may also be left unnormalised
(a likelihood :math:`\ell(k) = p(x \mid z = k)` at a fixed :math:`x`).

The moves build the finite sums of information theory, explicit for an integer :math:`n` and as
``Sum`` over :math:`k = 1..n` for a symbolic size (:func:`over`):
:func:`expectation`, :func:`entropy`, :func:`cross_entropy`, :func:`kl` and :func:`kl_gibbs`
(the KL divergence as a sum of Gibbs gaps :math:`p_k\, g(q_k/p_k) \ge 0`, see
:class:`derive.maths.special.gibbs`), and :func:`definitions` collects the tables' definitions for
an ``@identity``.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass

import sympy as sp

from .special import gibbs

Prob = Callable[[int], sp.Expr]

#: summation indices for symbolic sizes: k for sums over outcomes, i inside a table's normaliser
K_INDEX = sp.Symbol("k", integer=True, positive=True)
I_TOTAL = sp.Symbol("i", integer=True, positive=True)


@dataclass(frozen=True)
class Table:
    """A table :math:`k \\mapsto` ``head(k)`` on ``1..n``, defined by the weights ``weights[k]``.

    Args:
        head: the printed function, e.g. ``sympy.Function("q")``.
        weights: positive weights (an ``IndexedBase`` created with ``positive=True``).
        n: the number of outcomes (an integer, or an integer symbol for every size).
        normalised: divide by the sum of the weights (a probability distribution).
    """

    head: sp.FunctionClass
    weights: sp.IndexedBase
    n: int | sp.Symbol
    normalised: bool = True

    def __call__(self, k: int | sp.Expr) -> sp.Expr:
        return self.head(k)

    @property
    def total(self) -> sp.Expr:
        """The sum of the weights (a ``Sum`` over the index ``i`` for a symbolic size)."""
        if isinstance(self.n, sp.Symbol):
            return sp.Sum(self.weights[I_TOTAL], (I_TOTAL, 1, self.n))
        return sp.Add(*(self.weights[j] for j in range(1, self.n + 1)))

    def value(self, k: int | sp.Expr) -> sp.Expr:
        """The definition at ``k``: ``weights[k] / total`` (or ``weights[k]``)."""
        w = self.weights[k]
        return w / self.total if self.normalised else w

    def definition(self) -> dict[sp.Basic, sp.Expr]:
        """``{head(k): value(k)}`` for ``Identity.definitions``."""
        k = sp.Symbol("k", integer=True, positive=True)
        return {self.head(k): self.value(k)}

    def latex(self) -> str:
        """The definition as LaTeX, for a note on a sheet."""
        name = sp.latex(self.head(sp.Symbol("k")))
        w = sp.latex(self.weights[sp.Symbol("k")])
        if not self.normalised:
            return rf"{name} = {w} \in (0, 1)"
        total = sp.latex(sp.Sum(self.weights[sp.Symbol("j")], (sp.Symbol("j"), 1, self.n)))
        return rf"{name} = {w} / {total}"


def definitions(*tables: Table) -> dict[sp.Basic, sp.Expr]:
    """The definitions of several tables, merged."""
    out: dict[sp.Basic, sp.Expr] = {}
    for t in tables:
        out.update(t.definition())
    return out


def outcomes(n: int) -> Iterable[int]:
    return range(1, n + 1)


def over(f: Prob, n: int | sp.Symbol, index: sp.Symbol | None = None) -> sp.Expr:
    r""":math:`\sum_{k=1}^n f(k)`: an explicit sum for an integer ``n``, a ``Sum`` over ``index``
    (default :math:`k`) for a symbolic size."""
    if isinstance(n, sp.Symbol):
        k = K_INDEX if index is None else index
        return sp.Sum(f(k), (k, 1, n))
    return sp.Add(*(f(k) for k in outcomes(n)))


def expectation(p: Prob, f: Prob, n: int) -> sp.Expr:
    r""":math:`\mathbb{E}_p[f] = \sum_{k=1}^n p(k)\, f(k)`."""
    return over(lambda k: p(k) * f(k), n)


def entropy(p: Prob, n: int) -> sp.Expr:
    r""":math:`H(p) = -\sum_k p(k) \log p(k)`."""
    return -over(lambda k: p(k) * sp.log(p(k)), n)


def cross_entropy(p: Prob, q: Prob, n: int) -> sp.Expr:
    r""":math:`H(p, q) = -\sum_k p(k) \log q(k)`."""
    return -over(lambda k: p(k) * sp.log(q(k)), n)


def kl(p: Prob, q: Prob, n: int) -> sp.Expr:
    r""":math:`\mathrm{KL}(p\,\|\,q) = \sum_k p(k) \log\bigl(p(k)/q(k)\bigr)`."""
    return over(lambda k: p(k) * sp.log(p(k) / q(k)), n)


def kl_gibbs(p: Prob, q: Prob, n: int) -> sp.Expr:
    r""":math:`\sum_k p(k)\, g\bigl(q(k)/p(k)\bigr)`, equal to :math:`\mathrm{KL}(p\,\|\,q)` when
    :math:`\sum p = \sum q = 1`, and visibly :math:`\ge 0` (each Gibbs gap :math:`g \ge 0`)."""
    return over(lambda k: p(k) * gibbs(q(k) / p(k)), n)


def total(p: Prob, n: int) -> sp.Expr:
    r""":math:`\sum_k p(k)` (one for a distribution)."""
    return over(p, n)


def kl_gibbs_written(p: Prob, q: Prob, n: int) -> sp.Expr:
    r""":math:`\sum_k p(k)\,\bigl(t_k - 1 - \log t_k\bigr)` with :math:`t_k = q(k)/p(k)`: the Gibbs-gap form of
    :math:`\mathrm{KL}(p\,\|\,q)` with the gap written out (equal to the KL when both tables sum to one,
    since :math:`\sum_k p(k)(t_k - 1) = \sum q - \sum p`). The step before :func:`kl_gibbs`: the
    ladder proves it by ``cancel`` and the renaming to :math:`g` by an elementary rewrite, both cheap."""
    return over(lambda k: p(k) * (q(k) / p(k) - 1 - sp.log(q(k) / p(k))), n)


def kl_gibbs_terms(p: Prob, q: Prob, n: int | sp.Symbol) -> sp.Expr:
    r""":math:`\sum_k \bigl(p(k)\, g(q(k)/p(k)) + p(k) - q(k)\bigr)`: the KL divergence termwise,
    :math:`p \log\frac{p}{q} = p\,g(q/p) + p - q`, for any positive tables (one ``Sum`` for a symbolic
    size, so the ladder proves it by an elementary rewrite; the next step drops :math:`\sum_k (p - q) = 0`)."""
    return over(lambda k: p(k) * gibbs(q(k) / p(k)) + p(k) - q(k), n)


def at_size(e: sp.Expr, size: sp.Symbol, entries: Mapping[sp.IndexedBase, Collection[float]]) -> sp.Expr:
    r"""``e`` at the concrete size ``len(entries)`` (the number of values of each vector): ``size``
    replaced, every ``Sum`` over :math:`1..\text{size}` written out, and each entry ``v[k]`` replaced by
    its value ``entries[v][k-1]`` (for numeric checks of a form derived at a symbolic size)."""
    lengths = {len(v) for v in entries.values()}
    if len(lengths) != 1:
        raise ValueError(f"the vectors have different lengths: {sorted(lengths)}")
    (count,) = lengths
    values = {base[k + 1]: sp.Float(v, 17) for base, vec in entries.items() for k, v in enumerate(vec)}
    # entries written out by doit (a sum written_out left alone) are replaced after it
    return written_out(e.xreplace({size: sp.Integer(count)})).xreplace(values).doit().xreplace(values)


def written_out(e: sp.Basic) -> sp.Basic:
    """Every ``Sum`` and ``Product`` with integer bounds written out term by term, outermost limit
    first (an inner bound may name an outer index); one with other bounds is left as it is. SymPy's
    ``doit`` runs its summation algorithms first: many times slower at a cross-check's sizes."""
    if not e.has(sp.Sum, sp.Product):
        return e
    if isinstance(e, sp.Sum | sp.Product):
        var, lo, hi = e.limits[-1]
        if lo.is_Integer and hi.is_Integer and hi >= lo - 1:  # (a reversed range: Karr's convention, doit's)
            rest = e.func(e.function, *e.limits[:-1]) if len(e.limits) > 1 else e.function
            terms = (written_out(rest.xreplace({var: sp.Integer(v)})) for v in range(int(lo), int(hi) + 1))
            return sp.Add(*terms) if isinstance(e, sp.Sum) else sp.Mul(*terms)
    return e.func(*(written_out(a) for a in e.args))
