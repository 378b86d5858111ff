r"""The engine: rewrite :math:`\frac{d}{dx} f` one named rule at a time, then simplify in named steps.

:func:`derivative_steps` starts at the unevaluated ``Derivative(f, x)``. Each step takes the
unevaluated ``Derivative(u, x)`` sub-terms of the current form (outermost first; the ones a
previous step wrote), finds the rule of :data:`~.rules.RULES` for the first of them, and applies
that one rule to every pending sub-term it matches, so each step is one named rule. A sub-term
that no rule matches is differentiated by ``sympy.diff`` in a step of its own that names it ("no
rule for ...; sympy.diff used"). When no derivative is left, :data:`SIMPLIFICATIONS` run in
order, each kept only when it makes the form smaller: exponentials folded back into
:math:`\sigma`, :math:`\varphi`, :math:`\Phi`, Kronecker-delta sums collapsed, ``factor``,
``cancel``. Nothing here is trusted: :mod:`.scalar` replays every step through the ladder.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import sympy as sp

from ...maths.domains import Domain
from ...maths.special import Phi, phi, sigmoid
from ...verify.budget import attempt
from ...verify.sums import decide_conditions
from .rules import BY_NAME, Rule, depends, find

#: the most rule steps one derivative may take (each step rewrites at least one sub-term)
MAX_STEPS = 400
#: CPU seconds for one simplification attempt
SIMPLIFY_SECONDS = 1.0
#: larger derivatives (nodes) are left as the rules wrote them: a simplification of a large
#: form costs the ladder seconds to verify, and reads no better
SIMPLIFY_UP_TO = 70
#: rewrites of the whole form at once (factor, cancel) only up to this length
WHOLE_UP_TO = 45


@dataclass(frozen=True)
class RuleStep:
    """One step of an automatic derivation: the new form, the reason, and what made it.

    ``kind`` is ``"rule"`` (a rule of the table), ``"fallback"`` (``sympy.diff`` of a sub-term no
    rule matched) or ``"simplify"``; ``rule`` names the rule or the simplification."""

    form: sp.Expr
    why: str
    kind: str
    rule: str


@dataclass(frozen=True)
class Steps:
    """The steps from ``Derivative(f, x)`` to the derivative, and the sub-terms no rule reached."""

    f: sp.Expr
    x: sp.Basic
    steps: tuple[RuleStep, ...]
    fallbacks: tuple[sp.Expr, ...]

    @property
    def opening(self) -> sp.Expr:
        return sp.Derivative(self.f, self.x, evaluate=False)

    @property
    def result(self) -> sp.Expr:
        return self.steps[-1].form if self.steps else self.opening

    @property
    def raw(self) -> sp.Expr:
        """The derivative as the rules left it, before the simplification steps."""
        return next((s.form for s in reversed(self.steps) if s.kind != "simplify"), self.opening)


def child(x: sp.Basic) -> Callable[[sp.Expr], sp.Expr]:
    """``D(u)``: 0 for ``u`` free of ``x``, 1 for ``x``, else the unevaluated ``Derivative(u, x)``."""

    def D(u: sp.Expr) -> sp.Expr:
        if not depends(u, x):
            return sp.S.Zero
        if u == x:
            return sp.S.One
        return sp.Derivative(u, x, evaluate=False)

    return D


def pending(form: sp.Basic, x: sp.Basic) -> list[sp.Derivative]:
    """The unevaluated first derivatives in ``x`` of ``form``, outermost first, each once."""
    out: dict[sp.Derivative, None] = {}
    stack = [form]
    while stack:
        node = stack.pop()
        if isinstance(node, sp.Derivative) and node.variables == (x,):
            out[node] = None
            continue
        stack.extend(reversed(node.args))
    return list(out)


def derivative_steps(f: sp.Expr, x: sp.Basic, domains: Mapping[sp.Basic, Domain] | None = None) -> Steps:
    """Every rule step from ``Derivative(f, x)`` to a form without derivatives, then the
    simplification steps (see the module's docstring)."""
    D = child(x)
    form: sp.Expr = sp.Derivative(f, x, evaluate=False)
    steps: list[RuleStep] = []
    fallbacks: list[sp.Expr] = []
    rules: dict[sp.Expr, Rule | None] = {}
    held: set[sp.Basic] = set()  # derivatives sympy.diff left unevaluated too
    while len(steps) < MAX_STEPS:
        todo = [p for p in pending(form, x) if p not in held]
        if not todo:
            break
        for p in todo:
            if p.expr not in rules:
                rules[p.expr] = find(p.expr, x)
        first = todo[0]
        rule = rules[first.expr]
        if rule is None:
            u = first.expr
            fallbacks.append(u)
            done = sp.diff(u, x)
            if done.has(first):
                held.add(first)
            form = form.xreplace({first: done})
            left = "; it leaves the derivative unevaluated" if done == first else ""
            why = f"no rule for ${sp.latex(u)}$; sympy.diff used{left}"
            steps.append(RuleStep(form, why, "fallback", "sympy.diff"))
            continue
        mapping = {p: rule.derivative(p.expr, x, D) for p in todo if rules[p.expr] is rule}
        form = form.xreplace(mapping)
        many = f" ({len(mapping)} terms)" if len(mapping) > 1 else ""
        steps.append(RuleStep(form, rule.why() + many, "rule", rule.name))
    else:
        raise RecursionError(f"the derivative took more than {MAX_STEPS} rule steps")
    if not steps:  # nothing to rewrite: f is x itself or free of x
        rule = BY_NAME["variable" if f == x else "constant"]
        form = rule.derivative(f, x, D)
        steps.append(RuleStep(form, rule.why(), "rule", rule.name))
    steps += simplification_steps(form, dict(domains or {}))
    return Steps(f, x, tuple(steps), tuple(fallbacks))


# ------------------------------------------------------------------------------ simplification
def size(e: sp.Basic) -> int:
    """The number of nodes of ``e`` (what a simplification must reduce to be kept; counting is
    cheap, printing to measure the length cost more than the simplifications)."""
    return sum(1 for _ in sp.preorder_traversal(e))


def _fold_sigmoid(e: sp.Expr) -> sp.Expr:
    r"""Each :math:`e^{a}` written through :math:`\sigma`: :math:`e^{u} = \sigma(u)/(1 - \sigma(u))`,
    :math:`e^{-u} = (1 - \sigma(u))/\sigma(u)`, then each term cancelled and factored."""
    if not e.has(sp.exp):
        return e
    subs = {}
    for term in _logistic_exponentials(e):
        a = term.args[0]
        if a.could_extract_minus_sign():
            s = sigmoid(-a)
            subs[term] = (1 - s) / s
        else:
            s = sigmoid(a)
            subs[term] = s / (1 - s)
    return sp.Add(*(_shortest(t.xreplace(subs)) if t.has(*subs) else t for t in sp.Add.make_args(e)))


def _shortest(t: sp.Expr) -> sp.Expr:
    """``t`` cancelled, or factored if that is shorter."""
    cancelled = sp.cancel(t)
    factored = sp.factor(cancelled)
    return factored if size(factored) < size(cancelled) else cancelled


def _logistic_exponentials(e: sp.Expr) -> set[sp.Basic]:
    """The exponentials :math:`e^{a}` that appear as :math:`1 + e^{a}` (a logistic denominator)."""
    out = set()
    for node in e.atoms(sp.Add):
        if len(node.args) == 2 and sp.S.One in node.args:
            other = node.args[0] if node.args[1] == 1 else node.args[1]
            if isinstance(other, sp.exp):
                out.add(other)
    return out


def _fold_phi(e: sp.Expr) -> sp.Expr:
    r""":math:`e^{-w^2/2} = \sqrt{2\pi}\,\varphi(w)` and :math:`\operatorname{erf}(a) = 2\Phi(\sqrt2 a) - 1`."""
    subs: dict[sp.Basic, sp.Expr] = {}
    for term in e.atoms(sp.exp):
        square = sp.factor(-2 * term.args[0])
        if isinstance(square, sp.Pow) and square.exp == 2:
            subs[term] = sp.sqrt(2 * sp.pi) * phi(square.base)
    for term in e.atoms(sp.erf):
        subs[term] = 2 * Phi(sp.sqrt(2) * term.args[0]) - 1
    return sp.expand(e.xreplace(subs)) if subs else e


def _absorb_sign(e: sp.Expr) -> sp.Expr:
    """``-(a - 1) b`` written ``(1 - a) b``: a leading minus taken into a difference factor."""
    if not (isinstance(e, sp.Mul) and e.args[0] == -1):
        return e
    rest = list(e.args[1:])
    for k, a in enumerate(rest):
        if isinstance(a, sp.Add):
            return sp.Mul(-a, *rest[:k], *rest[k + 1 :])
    return e


def _collapse_deltas(domains: Mapping[sp.Basic, Domain]) -> Callable[[sp.Expr], sp.Expr]:
    def collapse(e: sp.Expr) -> sp.Expr:
        if not (e.has(sp.KroneckerDelta) and e.has(sp.Sum)):
            return e
        return sp.piecewise_fold(decide_conditions(e.doit(), domains))

    return collapse


@dataclass(frozen=True)
class Simplification:
    """A named rewrite of the derivative, kept when it makes the form smaller."""

    name: str
    why: str
    rewrite: Callable[[sp.Expr], sp.Expr]
    #: the largest form (nodes) it is tried on: factor and cancel cost more on long forms
    up_to: int = SIMPLIFY_UP_TO
    #: whether the new form is better than the old (default: shorter)
    better: Callable[[sp.Expr, sp.Expr], bool] = lambda old, new: size(new) < size(old)


def _fewer_exponentials(old: sp.Expr, new: sp.Expr) -> bool:
    """Fewer exponentials (a named function read instead), and not more than twice as long."""
    return len(new.atoms(sp.exp, sp.erf)) < len(old.atoms(sp.exp, sp.erf)) and size(new) <= 2 * size(old)


def simplifications(domains: Mapping[sp.Basic, Domain]) -> tuple[Simplification, ...]:
    """The simplifications, in the order they are tried."""
    return (
        Simplification(
            "Kronecker deltas sifted",
            r"a sum of $\delta_{kj} f_k$ over $k$ is $f_j$ when $j$ lies in the range",
            _collapse_deltas(domains),
            better=lambda old, new: len(new.atoms(sp.Sum)) < len(old.atoms(sp.Sum)),
        ),
        Simplification(
            "sigmoid restored",
            r"write $e^{\pm u}$ through $\sigma(u) = 1/(1 + e^{-u})$ and cancel",
            _fold_sigmoid,
            better=_fewer_exponentials,
        ),
        Simplification(
            "normal density restored",
            r"$e^{-w^2/2} = \sqrt{2\pi}\,\varphi(w)$, $\operatorname{erf}(a) = 2\Phi(\sqrt{2}a) - 1$",
            _fold_phi,
            better=_fewer_exponentials,
        ),
        Simplification("factor", "factor common sub-expressions", sp.factor, up_to=WHOLE_UP_TO),
        Simplification(
            "sign absorbed",
            "a leading minus taken into a difference",
            _absorb_sign,
            better=lambda old, new: size(new) <= size(old) + 1,  # -(a - 1) is one node less than 1 - a
        ),
        Simplification("cancel", "one fraction, common factors cancelled", sp.cancel, up_to=WHOLE_UP_TO),
        Simplification(
            "collect",
            "terms collected",
            lambda e: sp.collect(sp.expand(e), sorted(e.free_symbols, key=str)),
            up_to=WHOLE_UP_TO,
        ),
    )


def simplification_steps(form: sp.Expr, domains: Mapping[sp.Basic, Domain]) -> list[RuleStep]:
    """The simplifications that make ``form`` smaller, each one step."""
    out: list[RuleStep] = []
    current = form
    if size(form) > SIMPLIFY_UP_TO:
        return out
    for simp in simplifications(domains):
        if size(current) > simp.up_to:
            continue
        new = attempt(lambda s=simp, c=current: s.rewrite(c), SIMPLIFY_SECONDS)  # type: ignore[misc]
        if new is None or new == current or new.has(sp.nan, sp.zoo) or not simp.better(current, new):
            continue
        current = new
        out.append(RuleStep(current, f"{simp.name}: {simp.why}", "simplify", simp.name))
    return out
