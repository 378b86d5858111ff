r"""The algebraic limit laws as a rule: a limit pushed through sums, products, quotients and finite sums.

:class:`LimitLaws` rewrites :math:`\lim_{x\to x_0} F` by the limit theorems: the limit of a sum (also a finite
``Sum`` over a range free of :math:`x`, of any symbolic length), of a product, of a power with a constant
exponent and of a quotient is the sum, product, power and quotient of the limits, *provided* each of those
limits exists and is finite (and a denominator's is nonzero); a continuous function (``exp``, ``log`` at a
positive limit) passes its limit through. The leaves (expressions free of sums) are limits SymPy computes
(``sympy.limit``). When a proviso fails (a limit SymPy cannot compute, an infinite or oscillating one, a
zero denominator) the ``Limit`` is left as it is: the rule never claims a value the theorems do not give.
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp


class _NoLaw(Exception):
    """A proviso of the limit laws fails: the limit is left unevaluated."""


def _finite(value: sp.Expr) -> sp.Expr:
    if value.has(sp.Limit, sp.AccumBounds, sp.oo, -sp.oo, sp.zoo, sp.nan) or value.is_finite is False:
        raise _NoLaw(value)
    return value


@dataclass(frozen=True)
class LimitLaws:
    r"""Every ``Limit`` in an expression evaluated through the limit laws (sum, product, quotient, finite sums,
    continuous functions), or left as it is where a proviso fails."""

    def __call__(self, expr: sp.Basic) -> sp.Basic:
        return expr.replace(lambda e: isinstance(e, sp.Limit), self._evaluate)

    def _evaluate(self, lim: sp.Limit) -> sp.Basic:
        body, x, x0, direction = lim.args
        try:
            return _Laws(x, x0, str(direction)).limit(body)
        except _NoLaw:
            return lim

    def __repr__(self) -> str:
        return "LimitLaws()"


@dataclass(frozen=True)
class _Laws:
    x: sp.Symbol
    x0: sp.Expr
    direction: str

    def limit(self, e: sp.Expr) -> sp.Expr:
        if self.x not in e.free_symbols:
            return e
        if not e.has(sp.Sum):
            return _finite(sp.limit(e, self.x, self.x0, self.direction))
        if isinstance(e, sp.Add):
            return sp.Add(*(self.limit(a) for a in e.args))
        if isinstance(e, sp.Mul):
            return sp.Mul(*(self.limit(a) for a in e.args))
        if isinstance(e, sp.Pow) and self.x not in e.exp.free_symbols:
            base = self.limit(e.base)
            if (e.exp.is_negative or e.exp.is_integer is not True) and base.is_zero is not False:
                raise _NoLaw(e)  # a quotient (or a root) needs a nonzero limit
            return _finite(base**e.exp)
        if isinstance(e, sp.exp):
            return sp.exp(self.limit(e.args[0]))
        if isinstance(e, sp.log):
            inner = self.limit(e.args[0])
            if inner.is_positive is not True:
                raise _NoLaw(e)
            return sp.log(inner)
        if isinstance(e, sp.Sum) and len(e.limits) == 1:
            k, lo, hi = e.limits[0]
            if self.x in lo.free_symbols | hi.free_symbols:
                raise _NoLaw(e)
            return _finite(sp.Sum(self.limit(e.function), (k, lo, hi)).doit())
        raise _NoLaw(e)
