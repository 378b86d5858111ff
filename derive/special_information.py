r"""Special functions of information theory.

:class:`gibbs` is the *Gibbs gap* :math:`g(t) = t - 1 - \log t`, the summand of a KL divergence
written as :math:`\mathrm{KL}(p\,\|\,q) = \sum_k p_k\, g(q_k/p_k)` (valid when both tables sum to
one). Its sign, :math:`g(t) \ge 0` for :math:`t > 0` with equality only at :math:`t = 1`, is
*Gibbs' inequality* :math:`\log t \le t - 1`; the identity ``kl-nonnegative`` derives it with
SymPy (:math:`g'(t) = (t-1)/t`, :math:`g'' = 1/t^2 > 0`, :math:`g(1) = 0`). The class carries that
sign as an assumption (``is_nonnegative``), so a bound such as
:math:`\mathrm{ELBO} = \log p(x) - \sum_k q_k\, g(\cdot) \le \log p(x)` is proved by SymPy's
assumption system instead of being sampled; the tests check the sign and ``fdiff`` numerically.
"""

from __future__ import annotations

from sympy import Expr, S, log

from .special import SpecialFunction, register


@register
class gibbs(SpecialFunction):
    r"""Gibbs gap :math:`g(t) = t - 1 - \log t \ge 0` for :math:`t > 0` (zero only at :math:`t = 1`)."""

    latex_name = r"\operatorname{g}"

    @classmethod
    def closed_form(cls, t: Expr) -> Expr:
        return t - 1 - log(t)

    @classmethod
    def eval(cls, t: Expr) -> Expr | None:
        if t is S.One:
            return S.Zero
        return None

    def fdiff(self, argindex: int = 1) -> Expr:
        t = self.args[0]
        return 1 - 1 / t

    def _eval_rewrite_as_log(self, t: Expr, **kwargs: object) -> Expr:
        return self.closed_form(t)

    def _eval_is_real(self) -> bool | None:
        return True if self.args[0].is_positive else None

    def _eval_is_nonnegative(self) -> bool | None:
        # Gibbs' inequality log t <= t - 1, derived in the identity ``kl-nonnegative``
        return True if self.args[0].is_positive else None

    def _eval_is_positive(self) -> bool | None:
        t = self.args[0]
        if t.is_positive and (t - 1).is_nonzero:
            return True
        return None


__all__ = ["gibbs"]
