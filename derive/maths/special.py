r"""Special functions of ML as SymPy ``Function`` classes.

Each carries its derivative (``fdiff``), its values at obvious points (``eval``), a rewrite to
elementary functions (``_eval_rewrite_as_*`` and :meth:`SpecialFunction.elementary`, which is what
numeric evaluation and ``lambdify`` use, so they never meet an unknown name) and its LaTeX. The
tests check every ``fdiff`` against ``diff`` of the elementary form, so no derivative here is
taken on trust.

Notation, the same on every sheet: :math:`\Phi`/:math:`\varphi` the standard normal CDF/PDF,
:math:`\sigma` the logistic sigmoid, :math:`\operatorname{softplus}`, and :math:`g` the Gibbs gap
:math:`g(t) = t - 1 - \log t` of information theory (:class:`gibbs`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

import sympy as sp
from sympy import Expr, Function, Integer, S, erf, exp, log, oo, pi, sqrt


class SpecialFunction(Function):
    """A named function with an elementary closed form (used by numerics and lambdify)."""

    latex_name: str = ""
    #: exact values at special points (0, oo, -oo...), returned by ``eval``
    special_values: ClassVar[Mapping[Expr, Expr]] = {}

    @classmethod
    def closed_form(cls, x: Expr) -> Expr:  # pragma: no cover - abstract
        raise NotImplementedError

    @classmethod
    def eval(cls, x: Expr) -> Expr | None:
        return cls.special_values.get(x)

    def elementary(self) -> Expr:
        return self.closed_form(self.args[0])

    def _latex(self, printer: sp.printing.latex.LatexPrinter, exp: object = None) -> str:
        arg = printer._print(self.args[0])
        head = self.latex_name if exp is None else f"{self.latex_name}^{{{exp}}}"
        return rf"{head}\left({arg}\right)"

    def _eval_is_real(self) -> bool | None:
        return self.args[0].is_real

    def _eval_evalf(self, prec: int) -> Expr:
        return self.elementary()._eval_evalf(prec)


#: a cumulative distribution function's values: 1/2 at 0 (for a symmetric one), 0 and 1 at the ends
CDF_VALUES: Mapping[Expr, Expr] = {S.Zero: S.Half, oo: S.One, -oo: S.Zero}


class Phi(SpecialFunction):
    r"""Standard normal CDF, :math:`\Phi(x) = \tfrac12\bigl(1 + \operatorname{erf}(x/\sqrt2)\bigr)`."""

    latex_name = r"\Phi"
    special_values = CDF_VALUES

    @classmethod
    def closed_form(cls, x: Expr) -> Expr:
        return (1 + erf(x / sqrt(2))) / 2

    def fdiff(self, argindex: int = 1) -> Expr:
        return phi(self.args[0])

    def _eval_rewrite_as_erf(self, x: Expr, **kwargs: object) -> Expr:
        return self.closed_form(x)

    def _eval_rewrite_as_erfc(self, x: Expr, **kwargs: object) -> Expr:
        return sp.erfc(-x / sqrt(2)) / 2

    def _eval_is_positive(self) -> bool | None:
        return True if self.args[0].is_real else None


class phi(SpecialFunction):
    r"""Standard normal PDF, :math:`\varphi(x) = e^{-x^2/2}/\sqrt{2\pi}`."""

    latex_name = r"\varphi"

    @classmethod
    def closed_form(cls, x: Expr) -> Expr:
        return exp(-(x**2) / 2) / sqrt(2 * pi)

    @classmethod
    def eval(cls, x: Expr) -> Expr | None:
        if x is S.Zero:
            return 1 / sqrt(2 * pi)
        if x in (oo, -oo):
            return S.Zero
        if x.could_extract_minus_sign():
            return cls(-x)
        return None

    def fdiff(self, argindex: int = 1) -> Expr:
        return -self.args[0] * phi(self.args[0])

    def _eval_rewrite_as_exp(self, x: Expr, **kwargs: object) -> Expr:
        return self.closed_form(x)

    def _eval_is_positive(self) -> bool | None:
        return True if self.args[0].is_real else None


class sigmoid(SpecialFunction):
    r"""Logistic sigmoid, :math:`\sigma(x) = 1/(1 + e^{-x})`."""

    latex_name = r"\sigma"
    special_values = CDF_VALUES

    @classmethod
    def closed_form(cls, x: Expr) -> Expr:
        return 1 / (1 + exp(-x))

    def fdiff(self, argindex: int = 1) -> Expr:
        s = sigmoid(self.args[0])
        return s * (1 - s)

    def _eval_rewrite_as_exp(self, x: Expr, **kwargs: object) -> Expr:
        return self.closed_form(x)

    def _eval_rewrite_as_tanh(self, x: Expr, **kwargs: object) -> Expr:
        return (1 + sp.tanh(x / 2)) / 2

    def _eval_is_positive(self) -> bool | None:
        return True if self.args[0].is_real else None


class softplus(SpecialFunction):
    r"""Softplus, :math:`\operatorname{softplus}(x) = \log(1 + e^{x})`."""

    latex_name = r"\operatorname{softplus}"
    special_values: ClassVar[Mapping[Expr, Expr]] = {S.Zero: log(Integer(2)), -oo: S.Zero}

    @classmethod
    def closed_form(cls, x: Expr) -> Expr:
        return log(1 + exp(x))

    def fdiff(self, argindex: int = 1) -> Expr:
        return sigmoid(self.args[0])

    def _eval_rewrite_as_exp(self, x: Expr, **kwargs: object) -> Expr:
        return self.closed_form(x)

    def _eval_rewrite_as_log(self, x: Expr, **kwargs: object) -> Expr:
        return self.closed_form(x)


SPECIAL_FUNCTIONS: tuple[type[SpecialFunction], ...] = (Phi, phi, sigmoid, softplus)


def register(cls: type[SpecialFunction]) -> type[SpecialFunction]:
    """Make a :class:`SpecialFunction` subclass known to :func:`elementary` (a class decorator)."""
    global SPECIAL_FUNCTIONS
    if cls not in SPECIAL_FUNCTIONS:
        SPECIAL_FUNCTIONS = (*SPECIAL_FUNCTIONS, cls)
    return cls


def elementary(expr: sp.Basic) -> sp.Basic:
    """Replace every special function by its elementary closed form, recursively."""
    if not hasattr(expr, "replace"):
        return expr
    previous = None
    while previous != expr:
        previous = expr
        expr = expr.replace(lambda e: isinstance(e, SpecialFunction), lambda e: e.elementary())
    return expr


# ----------------------------------------------------------------------------- information theory
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

    # No sign is declared here: g >= 0 is Gibbs' inequality, proved before use by the lemma in
    # derive.verify.lemmas, so SymPy's assumptions cannot use it unproved.
