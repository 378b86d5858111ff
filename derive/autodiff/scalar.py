r"""Automatic, step-verified derivatives of scalar expressions, as derive proofs.

:func:`differentiate` reads the expression with the answer checker's safe parser (never ``eval``),
runs the rule engine (:mod:`derive.core.autodiff.engine`), and declares an ad-hoc
:class:`~derive.core.identity.Identity` whose derivation replays the engine's steps through the
ladder: each rule step, each simplification, and a second statement, the result equal to
``sympy.diff`` of the input. Its cross-check compares central differences of the input (mpmath)
with the derived result at seeded random points. :func:`prove_claim` does the same against a
claimed right side, so a false claim is a proof that fails, with the ladder's counterexample.

>>> p = differentiate("x*Phi(x)", "x")
>>> p.ok, p.result
(True, x*phi(x) + Phi(x))
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass

import sympy as sp

from ..answers.parse import Limits, Scope, parse
from ..answers.question import guess_variables, parse_domain
from ..core.autodiff.automatic import AGREES, AUTOMATIC, engine_steps, write_steps
from ..core.autodiff.check import central_differences
from ..core.autodiff.engine import Steps
from ..core.autodiff.rules import depends
from ..core.derivation import Derivation
from ..core.identity import Identity, declare
from ..core.proof import Proof, derive_chains, prove_identity
from ..errors import AnswerSyntaxError, BudgetExceeded, ExpressionError
from ..maths.domains import Domain
from ..verify.budget import time_limit
from ..verify.verification import Verification

__all__ = ["AGREES", "ExpressionError", "counterexample", "derivation_only", "differentiate", "problem", "prove_claim"]

#: CPU seconds to read an expression
PARSE_SECONDS = 5.0
#: CPU seconds for the whole proof (every step through the ladder, the numeric checks): past it,
#: each remaining ladder attempt is undecided at once, so the proof ends as a failure
PROOF_SECONDS = 120.0
#: words of ``d/dx f`` and ``Derivative(f, x)`` that are not variables
_NOT_VARIABLES = frozenset({"d", "Derivative", "diff"})


@dataclass(frozen=True)
class Problem:
    """What to differentiate: ``f`` in ``x``, the variables' domains, and an optional claimed right side."""

    f: sp.Expr
    x: sp.Basic
    domains: dict[sp.Basic, Domain]
    claimed: sp.Expr | None = None


# ------------------------------------------------------------------------------ reading
def _symbol(name: str, word: str) -> sp.Symbol:
    if not re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", name):
        raise ExpressionError(f"variable name {name!r} must be letters, digits and _")
    try:
        return parse_domain(word, {}).symbol(name)
    except ValueError:
        return sp.Symbol(name, real=True)  # bounds that name other variables: real, refined by sampling


def _domains(variables: Mapping[str, str]) -> tuple[dict[str, sp.Symbol], dict[sp.Basic, Domain]]:
    """Symbols and domains from ``{"x": "real", "s": "positive", "t": "real(-8, 8)"}``."""
    symbols = {name: _symbol(name, word) for name, word in variables.items()}
    domains: dict[sp.Basic, Domain] = {symbols[name]: _domain(name, word, symbols) for name, word in variables.items()}
    return symbols, domains


def _domain(name: str, word: str, symbols: Mapping[str, sp.Symbol]) -> Domain:
    try:
        return parse_domain(word, {k: v for k, v in symbols.items() if k != name})
    except ValueError as exc:
        raise ExpressionError(f"variable {name}: unknown domain {word!r} ({exc})") from None


def read(text: str, symbols: Mapping[str, sp.Symbol], what: str = "expression") -> sp.Expr:
    """``text`` read by the safe parser under its limits and a time budget."""
    if not isinstance(text, str):
        raise ExpressionError(f"the {what} must be text or a SymPy expression")
    try:
        with time_limit(PARSE_SECONDS):
            out = parse(text, Scope(variables=dict(symbols)), limits=Limits())
    except AnswerSyntaxError as exc:
        message = str(exc).replace("the answer", f"the {what}")
        raise ExpressionError(f"cannot read the {what} {text[:80]!r}: {message}") from None
    except BudgetExceeded:
        raise ExpressionError(f"the {what} took more than {PARSE_SECONDS:g} s to read") from None
    if not isinstance(out, sp.Expr) or isinstance(out, sp.MatrixBase):
        raise ExpressionError(f"the {what} {text[:80]!r} is not a scalar expression")
    return out


def _variables(texts: list[str], given: Mapping[str, str] | None) -> dict[str, str]:
    """The variables and their domain words: ``given``, else every word of the texts, real
    (a sum's bounds: positive integers)."""
    if given is not None:
        return dict(given)
    words: dict[str, str] = {}
    for t in texts:
        try:
            guessed = guess_variables(t)
        except ValueError:
            continue  # the parser says what is wrong when the text is read
        words.update({w: d for w, d in guessed.items() if w not in _NOT_VARIABLES and not _called(w, t)})
    symbols, _ = _domains(words)
    for t in texts:
        try:
            e = parse(t, Scope(variables=symbols), limits=Limits())
        except (AnswerSyntaxError, BudgetExceeded):
            continue  # reported when read for real
        for s in e.atoms(sp.Sum):
            for lim in s.limits:
                words[str(lim[0])] = "integer"
                words.update({str(b): "integer>=1" for b in lim[1:] for b in b.free_symbols})
    return words


def _called(word: str, text: str) -> bool:
    """``word`` appears only as a function call, ``word(...)``: an unknown function, not a variable."""
    w = re.escape(word)
    return bool(re.search(rf"\b{w}\s*\(", text)) and not re.search(rf"\b{w}\b(?!\s*\()", text)


def problem(expr: str | sp.Expr, var: str | sp.Basic, variables: Mapping[str, str] | None = None) -> Problem:
    """Read what to differentiate (``expr`` as text, or a SymPy expression whose symbols' domains
    are ``variables`` or real)."""
    if isinstance(expr, sp.Basic):
        return _given(expr, var, variables)
    words = _variables([expr], variables)
    if isinstance(var, str):
        words.setdefault(var, "real")
    symbols, domains = _domains(words)
    f = read(expr, symbols)
    x = symbols[var] if isinstance(var, str) else var
    return checked(Problem(f, x, domains))


def _given(f: sp.Basic, var: str | sp.Basic, variables: Mapping[str, str] | None) -> Problem:
    """A SymPy expression: its symbols' domains from ``variables`` (default real); the entries of
    an indexed variable (``var`` may be an entry ``z[j]``) are real."""
    bases = {ix.base for ix in f.atoms(sp.Indexed)}
    labels = {b.label for b in bases}
    x = var if not isinstance(var, str) else None
    free = f.free_symbols | (x.free_symbols if x is not None else set())
    names = {str(s): s for s in free if isinstance(s, sp.Symbol) and s not in labels}
    if x is None:
        x = names.get(str(var), sp.Symbol(str(var), real=True))
    words = dict(variables or {})
    domains: dict[sp.Basic, Domain] = {b: parse_domain("real") for b in bases}
    for name, sym in names.items():
        domains[sym] = _domain(name, words.get(name, "real"), names)
    if isinstance(x, sp.Symbol) and x not in domains:
        domains[x] = parse_domain("real")
    return checked(Problem(sp.sympify(f), x, domains))


def checked(p: Problem) -> Problem:
    """``p`` when it can be differentiated (a real symbol or an indexed entry that ``f`` depends
    on); otherwise :class:`ExpressionError`."""
    if isinstance(p.x, sp.Symbol) and p.x.is_real is not True:
        raise ExpressionError(f"the variable {p.x} must be real")
    if not isinstance(p.x, sp.Symbol | sp.Indexed):
        raise ExpressionError(f"differentiate with respect to a variable, not {p.x!r}")
    if not depends(p.f, p.x):  # nothing to derive, and no independent check could sample the variable
        raise ExpressionError(f"{sp.sstr(p.f)[:80]} does not depend on {p.x}: its derivative is 0")
    return p


def claim_problem(text: str, variables: Mapping[str, str] | None = None) -> Problem:
    """Read ``"Derivative(f, x) = g"`` or ``"d/dx f = g"``."""
    if not isinstance(text, str) or text.count("=") - len(re.findall(r"[<>=!]=|=[=<>]", text)) * 2 != 1:
        raise ExpressionError("a claim is 'Derivative(f, x) = g' or 'd/dx f = g', with one '='")
    left, right = (s.strip() for s in re.split(r"(?<![<>=!])=(?![=<>])", text))
    words = _variables([left, right], variables)
    symbols, domains = _domains(words)
    lhs = read(left, symbols, "left side")
    rhs = read(right, symbols, "right side")
    if not (isinstance(lhs, sp.Derivative) and len(lhs.variable_count) == 1 and lhs.variable_count[0][1] == 1):
        raise ExpressionError(f"the left side {left!r} must be a first derivative: d/dx f or Derivative(f, x)")
    x = lhs.variables[0]
    missing = sorted(str(s) for s in (lhs.free_symbols | rhs.free_symbols) if s not in domains)
    if missing:
        raise ExpressionError(f"no domain for {', '.join(missing)}")
    return checked(Problem(lhs.expr, x, domains, rhs))


# ------------------------------------------------------------------------------ proving
def steps_of(p: Problem) -> tuple[Steps, sp.Expr]:
    """The engine's steps and ``sympy.diff(f, x)`` (:func:`~derive.core.autodiff.automatic.engine_steps`)."""
    return engine_steps(p.f, p.x, p.domains)


def identity_for(p: Problem, steps: Steps, reference: sp.Expr) -> Identity:
    """The ad-hoc identity: ``Derivative(f, x) = result`` (or the claimed right side), derived by
    replaying ``steps``; a second chain proves ``result = sympy.diff(f, x)``."""
    result = steps.result
    claim = sp.Eq(steps.opening, result if p.claimed is None else p.claimed, evaluate=False)
    fx = f"{sp.latex(p.f)}"

    def derivation(d: Derivation) -> None:
        write_steps(d, steps, reference)

    derivation.__doc__ = (
        rf"The derivative of ${fx}$ in ${sp.latex(p.x)}$, {AUTOMATIC}: each step is one named rule, "
        "verified like a hand-written step."
    )
    key = hashlib.sha1(f"{sp.srepr(p.f)}|{sp.srepr(p.x)}|{sp.srepr(p.claimed)}".encode()).hexdigest()[:10]
    fd = central_differences(p.f, p.x) if isinstance(p.x, sp.Symbol) else None
    return declare(
        f"autodiff-{key}",
        title=f"Automatic derivative of ${fx}$",
        section="2.1",
        map_row=rf"$\frac{{d}}{{d{sp.latex(p.x)}}}\,{fx}$, derived automatically (derive.autodiff)",
        variables=p.domains,
        claim=claim,
        derivation=derivation,
        crosscheck=fd,
        numeric_samples=64,
        tags=("automatic",),
    )


def differentiate(
    expr: str | sp.Expr,
    var: str | sp.Basic,
    variables: Mapping[str, str] | None = None,
    *,
    seed: int | None = None,
) -> Proof:
    r"""The derivative of ``expr`` in ``var``, derived step by step and proved: a :class:`Proof` of
    :math:`\frac{d}{dx} f = g` whose ``result`` is :math:`g`.

    ``variables`` maps names to domain words (``"real"``, ``"positive"``, ``"real(-8, 8)"``);
    by default every name is real. Raises :class:`ExpressionError` for text that cannot be read."""
    return _proved(identity_for(*_engine(problem(expr, var, variables))), seed)


def prove_claim(text: str, variables: Mapping[str, str] | None = None, *, seed: int | None = None) -> Proof:
    r"""Prove ``"Derivative(f, x) = g"`` (or ``"d/dx f = g"``): derive :math:`f'` by the rules and
    conclude against :math:`g`. A false claim gives a proof with ``ok`` false and the ladder's
    counterexample (:func:`counterexample`)."""
    return _proved(identity_for(*_engine(claim_problem(text, variables))), seed)


def derivation_only(
    expr: str | sp.Expr, var: str | sp.Basic, variables: Mapping[str, str] | None = None
) -> tuple[Derivation, str | None]:
    """Only the symbolic part of :func:`differentiate` (every step verified by the ladder, no
    numeric checks): the derivation and its first failure, or ``None``."""
    return derive_chains(identity_for(*_engine(problem(expr, var, variables))))


def _proved(ident: Identity, seed: int | None) -> Proof:
    """:func:`prove_identity` under :data:`PROOF_SECONDS`."""
    try:
        with time_limit(PROOF_SECONDS):
            return prove_identity(ident, seed=seed)
    except BudgetExceeded:
        raise BudgetExceeded(f"proving took more than {PROOF_SECONDS:g} s of CPU time") from None


def _engine(p: Problem) -> tuple[Problem, Steps, sp.Expr]:
    steps, reference = steps_of(p)
    return p, steps, reference


def counterexample(p: Proof) -> Verification | None:
    """The first refuted link or conclusion of ``p`` (with its ``counterexample`` point), or ``None``."""
    for c in p.chains:
        for v in (*(s.verification for s in c.steps), *c.conclusion):
            if v is not None and v.ok is False:
                return v
    return None
