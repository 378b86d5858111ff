r"""The differentiation rules, as data: one :class:`Rule` per entry of :data:`RULES`.

Each rule has a name, a LaTeX justification, a matcher (does it apply to this node?) and the
function that writes :math:`\frac{d}{dx}` of the node from the derivatives of its children. A
child's derivative is asked of ``D`` (:class:`Child`): it is :math:`0` for a child free of
:math:`x`, :math:`1` for :math:`x` itself (the ``constant`` and ``variable`` rules, applied at
once), and otherwise an unevaluated ``Derivative(child, x)`` that a later step rewrites. The
engine (:mod:`.engine`) tries the rules in table order and takes the first that matches.

Function rules carry the chain rule: :math:`\frac{d}{dx}F(u) = F'(u)\,\frac{du}{dx}`, with
:math:`F'` written in the table (elementary functions) or taken from the function's own ``fdiff``
(derive's special functions :math:`\Phi, \varphi, \sigma, \operatorname{softplus}, g`, and the
case split of ``Max``/``Min``, whose ``fdiff`` is SymPy's Heaviside weighting).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import sympy as sp

from ...maths.special import SPECIAL_FUNCTIONS, SpecialFunction

#: the derivative of a child sub-expression (0, 1 or an unevaluated ``Derivative``)
Child = Callable[[sp.Expr], sp.Expr]
#: the placeholder argument used to print a function rule's LaTeX
U = sp.Symbol("u", real=True)


def depends(e: sp.Basic, x: sp.Basic) -> bool:
    """Whether ``e`` varies with the variable ``x`` (a symbol, or an entry ``z[j]`` of an indexed vector)."""
    if isinstance(x, sp.Indexed):
        return bool(e.has(x.base))
    return x in e.free_symbols


@dataclass(frozen=True)
class Rule:
    """One differentiation rule: ``derivative(node, x, D)`` is :math:`\\frac{d}{dx}` node."""

    name: str
    latex: str
    matches: Callable[[sp.Expr, sp.Basic], bool]
    derivative: Callable[[sp.Expr, sp.Basic, Child], sp.Expr]

    def why(self) -> str:
        """The step's reason as a sheet prints it."""
        return f"{self.name}: ${self.latex}$"


# ------------------------------------------------------------------------------ sums and products
def _coefficient(node: sp.Expr, x: sp.Basic) -> tuple[sp.Expr, sp.Expr]:
    """``node = c * rest`` with ``c`` the product of the factors free of ``x``."""
    const = [a for a in node.args if not depends(a, x)]
    rest = [a for a in node.args if depends(a, x)]
    return sp.Mul(*const), sp.Mul(*rest)


def _split_quotient(node: sp.Expr, x: sp.Basic) -> tuple[sp.Expr, sp.Expr]:
    """``node = numerator / denominator``, the denominator the factors with a negative exponent."""
    num, den = [], []
    for a in node.args:
        if isinstance(a, sp.Pow) and a.exp.is_negative and depends(a.base, x):
            den.append(a.base ** (-a.exp))
        else:
            num.append(a)
    return sp.Mul(*num), sp.Mul(*den)


def _is_quotient(node: sp.Expr, x: sp.Basic) -> bool:
    if not isinstance(node, sp.Mul):
        return False
    num, den = _split_quotient(node, x)
    return den != 1 and depends(num, x)


def _quotient(node: sp.Expr, x: sp.Basic, D: Child) -> sp.Expr:
    """``f'/g - f g'/g^2``: the quotient rule with its two terms apart (the form SymPy's own product
    and power rules give, so the ladder checks the step without expanding the context)."""
    num, den = _split_quotient(node, x)
    return D(num) / den - num * D(den) / den**2


def _product(node: sp.Expr, x: sp.Basic, D: Child) -> sp.Expr:
    args = node.args
    return sp.Add(*(D(a) * sp.Mul(*args[:k], *args[k + 1 :]) for k, a in enumerate(args)))


# ------------------------------------------------------------------------------ powers
def _power(node: sp.Expr, x: sp.Basic, D: Child) -> sp.Expr:
    b, n = node.args
    return n * b ** (n - 1) * D(b)


def _exponential(node: sp.Expr, x: sp.Basic, D: Child) -> sp.Expr:
    a, g = node.args
    return node * sp.log(a) * D(g)


def _general_power(node: sp.Expr, x: sp.Basic, D: Child) -> sp.Expr:
    f, g = node.args
    return node * (D(g) * sp.log(f) + g * D(f) / f)


def _is_pow(base_varies: bool, exp_varies: bool) -> Callable[[sp.Expr, sp.Basic], bool]:
    def match(node: sp.Expr, x: sp.Basic) -> bool:
        return isinstance(node, sp.Pow) and (
            depends(node.base, x) == base_varies and depends(node.exp, x) == exp_varies
        )

    return match


# ------------------------------------------------------------------------------ functions of one argument
#: (function, F'(u)) for the elementary functions: each becomes a chain-rule entry of the table
ELEMENTARY: tuple[tuple[type[sp.Function], Callable[[sp.Expr], sp.Expr]], ...] = (
    (sp.exp, sp.exp),
    (sp.log, lambda u: 1 / u),
    (sp.sin, sp.cos),
    (sp.cos, lambda u: -sp.sin(u)),
    (sp.tan, lambda u: 1 + sp.tan(u) ** 2),
    (sp.cot, lambda u: -1 - sp.cot(u) ** 2),
    (sp.sec, lambda u: sp.sec(u) * sp.tan(u)),
    (sp.csc, lambda u: -sp.csc(u) * sp.cot(u)),
    (sp.asin, lambda u: 1 / sp.sqrt(1 - u**2)),
    (sp.acos, lambda u: -1 / sp.sqrt(1 - u**2)),
    (sp.atan, lambda u: 1 / (1 + u**2)),
    (sp.acot, lambda u: -1 / (1 + u**2)),
    (sp.sinh, sp.cosh),
    (sp.cosh, sp.sinh),
    (sp.tanh, lambda u: 1 - sp.tanh(u) ** 2),
    (sp.coth, lambda u: 1 - sp.coth(u) ** 2),
    (sp.sech, lambda u: -sp.sech(u) * sp.tanh(u)),
    (sp.csch, lambda u: -sp.csch(u) * sp.coth(u)),
    (sp.asinh, lambda u: 1 / sp.sqrt(u**2 + 1)),
    (sp.acosh, lambda u: 1 / (sp.sqrt(u - 1) * sp.sqrt(u + 1))),
    (sp.atanh, lambda u: 1 / (1 - u**2)),
    (sp.erf, lambda u: 2 * sp.exp(-(u**2)) / sp.sqrt(sp.pi)),
    (sp.erfc, lambda u: -2 * sp.exp(-(u**2)) / sp.sqrt(sp.pi)),
)


def _chain_entry(fn: type[sp.Function], prime: Callable[[sp.Expr], sp.Expr]) -> Rule:
    name = fn.__name__

    def matches(node: sp.Expr, x: sp.Basic) -> bool:
        return type(node) is fn and len(node.args) == 1

    def derivative(node: sp.Expr, x: sp.Basic, D: Child) -> sp.Expr:
        u = node.args[0]
        return prime(u) * D(u)

    return Rule(f"{name} (chain rule)", _chain_latex(fn(U), prime(U)), matches, derivative)


def _chain_latex(fu: sp.Expr, prime: sp.Expr) -> str:
    r"""``\frac{d}{dx} F(u) = F'(u) \frac{du}{dx}`` (a sum in brackets)."""
    body = sp.latex(prime)
    if isinstance(prime, sp.Add):
        body = rf"\left({body}\right)"
    return rf"\frac{{d}}{{dx}} {sp.latex(fu)} = {body}\,\frac{{du}}{{dx}}"


def _special_entry(cls: type[SpecialFunction]) -> Rule:
    """A chain-rule entry for one of derive's special functions, its derivative from its own ``fdiff``."""

    def matches(node: sp.Expr, x: sp.Basic) -> bool:
        return type(node) is cls and len(node.args) == 1

    return Rule(f"{cls.__name__} (chain rule)", _chain_latex(cls(U), cls(U).fdiff(1)), matches, _special_derivative)


def _special(node: sp.Expr, x: sp.Basic) -> bool:
    return isinstance(node, SpecialFunction) and len(node.args) == 1


def _special_derivative(node: sp.Expr, x: sp.Basic, D: Child) -> sp.Expr:
    u = node.args[0]
    return node.fdiff(1) * D(u)


def _is_real_abs(node: sp.Expr, x: sp.Basic) -> bool:
    return isinstance(node, sp.Abs) and node.args[0].is_real is True


def _abs(node: sp.Expr, x: sp.Basic, D: Child) -> sp.Expr:
    u = node.args[0]
    return sp.sign(u) * D(u)


def _extremum(node: sp.Expr, x: sp.Basic, D: Child) -> sp.Expr:
    return sp.Add(*(node.fdiff(k + 1) * D(a) for k, a in enumerate(node.args)))


def _piecewise(node: sp.Expr, x: sp.Basic, D: Child) -> sp.Expr:
    return sp.Piecewise(*((D(e), c) for e, c in node.args))


def _is_sum(node: sp.Expr, x: sp.Basic) -> bool:
    if not isinstance(node, sp.Sum):
        return False
    return not any(depends(bound, x) for lim in node.limits for bound in lim[1:])


def _sum(node: sp.Expr, x: sp.Basic, D: Child) -> sp.Expr:
    return sp.Sum(D(node.function), *node.limits)


def _entry(node: sp.Expr, x: sp.Basic) -> bool:
    return isinstance(x, sp.Indexed) and isinstance(node, sp.Indexed) and node.base == x.base


def _delta(node: sp.Expr, x: sp.Basic, D: Child) -> sp.Expr:
    assert isinstance(x, sp.Indexed)
    return sp.Mul(*(sp.KroneckerDelta(a, b) for a, b in zip(node.indices, x.indices, strict=True)))


def _table() -> tuple[Rule, ...]:
    """The rule table, in the order the engine tries it."""
    return (
        Rule("constant", r"\frac{d}{dx} c = 0", lambda n, x: not depends(n, x), lambda n, x, D: sp.S.Zero),
        Rule("variable", r"\frac{d}{dx} x = 1", lambda n, x: n == x, lambda n, x, D: sp.S.One),
        Rule(
            "linearity (sum rule)",
            r"\frac{d}{dx}\sum_i f_i = \sum_i \frac{d f_i}{dx}",
            lambda n, x: isinstance(n, sp.Add),
            lambda n, x, D: sp.Add(*(D(a) for a in n.args)),
        ),
        Rule(
            "constant multiple",
            r"\frac{d}{dx}\,c f = c\,\frac{df}{dx}",
            lambda n, x: isinstance(n, sp.Mul) and _coefficient(n, x)[0] != 1,
            lambda n, x, D: _coefficient(n, x)[0] * D(_coefficient(n, x)[1]),
        ),
        Rule("quotient rule", r"\left(\frac{f}{g}\right)' = \frac{f'}{g} - \frac{f g'}{g^2}", _is_quotient, _quotient),
        Rule(
            "product rule",
            r"(f g)' = f' g + f g'",
            lambda n, x: isinstance(n, sp.Mul),
            _product,
        ),
        Rule("power rule", r"\frac{d}{dx} f^{n} = n f^{n-1} \frac{df}{dx}", _is_pow(True, False), _power),
        Rule(
            "exponential rule", r"\frac{d}{dx} a^{g} = a^{g} \log a \,\frac{dg}{dx}", _is_pow(False, True), _exponential
        ),
        Rule(
            "general power rule",
            r"\frac{d}{dx} f^{g} = f^{g}\left(g' \log f + \frac{g f'}{f}\right)",
            _is_pow(True, True),
            _general_power,
        ),
        *(_chain_entry(fn, prime) for fn, prime in ELEMENTARY),
        *(_special_entry(cls) for cls in SPECIAL_FUNCTIONS),
        Rule(
            "special function (chain rule, its own derivative)",
            r"\frac{d}{dx} F(u) = F'(u)\,\frac{du}{dx}",
            _special,
            _special_derivative,
        ),
        Rule(
            "absolute value (case split)",
            r"|u| = \pm u \text{ on either side of } u = 0,\ \frac{d}{dx}|u| = \operatorname{sign}(u)\,u'",
            _is_real_abs,
            _abs,
        ),
        Rule(
            "max/min (case split)",
            r"\frac{d}{dx}\max(a, b) = H(a - b)\,a' + H(b - a)\,b' \text{ (the active argument's derivative)}",
            lambda n, x: isinstance(n, sp.Max | sp.Min),
            _extremum,
        ),
        Rule(
            "piecewise (case split)",
            r"\text{each case differentiated under its condition}",
            lambda n, x: isinstance(n, sp.Piecewise),
            _piecewise,
        ),
        Rule(
            "sum over a range",
            r"\frac{d}{dx}\sum_{k=a}^{b} f_k = \sum_{k=a}^{b} \frac{d f_k}{dx} \text{ (bounds free of } x)",
            _is_sum,
            _sum,
        ),
        Rule("entry of a vector (Kronecker delta)", r"\frac{\partial z_k}{\partial z_j} = \delta_{kj}", _entry, _delta),
    )


#: every rule, in the order the engine tries them
RULES: tuple[Rule, ...] = _table()
#: the table by name
BY_NAME: dict[str, Rule] = {r.name: r for r in RULES}


def find(node: sp.Expr, x: sp.Basic) -> Rule | None:
    """The first rule of :data:`RULES` that applies to ``node``, or ``None`` (no rule: the engine
    falls back to ``sympy.diff`` and says so)."""
    for rule in RULES:
        try:
            if rule.matches(node, x):
                return rule
        except (TypeError, ValueError, AttributeError):
            continue
    return None
