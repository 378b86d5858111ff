r"""The derivation builder: SymPy computes each step, the ladder verifies each link.

A derivation is a list of *chains*. A chain begins at an expression (or an equation), and each
step either *computes* the next form with SymPy (``d.then(lambda e: e.doit(), "product rule")``)
or *writes* a readable form that is then proved equal (``d.then(Phi(x) + x*phi(x), "...")``).
Either way every link is checked by :class:`~derive.verify.ladder.Ladder`, and the record says how.
``d.conclude()`` proves the chain's first and last forms equal to the two sides of a statement.

Links can be ``=`` (:meth:`Derivation.then`), ``<=``/``>=`` bounds (:meth:`Derivation.bound`), or
equivalences of equations (:meth:`Derivation.then` on an ``Eq``, :meth:`Derivation.solve`); a chain
proves their composition (:class:`~derive.core.relations.Relation`), and the conclusion checks that
it implies the relation the statement claims.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import TypeAlias

import sympy as sp

from ..errors import DerivationError, StepFailed
from ..verify.budget import attempt
from ..verify.ladder import Ladder, Verification
from .relations import Relation
from .statements import Statement

#: a form of a derivation: a SymPy expression, equation or matrix
Form: TypeAlias = "sp.Basic"
#: the next form, written out or computed from the previous one
Producer: TypeAlias = "sp.Basic | Callable[[sp.Basic], sp.Basic]"


def _unchanged(e: sp.Basic) -> sp.Basic:
    return e


@dataclass(frozen=True)
class Step:
    """One link: the new form, why it holds, how that was verified (``None`` for the opening)."""

    expr: Form
    why: str
    verification: Verification | None
    relation: Relation = Relation.EQ
    #: how the form was obtained: "computed by SymPy (doit)" or "written, proved by <rung>"
    provenance: str = ""

    @property
    def ok(self) -> bool:
        return self.verification is None or self.verification.ok is True

    @property
    def symbolic(self) -> bool:
        return self.verification is None or self.verification.symbolic


@dataclass(frozen=True)
class Chain:
    """A chain of steps and, once concluded, the statement it proves."""

    steps: tuple[Step, ...]
    statement: str = ""
    conclusion: tuple[Verification, ...] = ()
    scope: str = ""
    notes: tuple[str, ...] = ()
    title: str = ""

    @property
    def relation(self) -> Relation | None:
        """What the chain proves between its first and last forms (``None``: nothing, e.g. ``<=`` then ``>=``)."""
        rel: Relation | None = Relation.EQ
        for st in self.steps[1:]:
            rel = rel.then(st.relation) if rel is not None else None
        return rel

    @property
    def ok(self) -> bool:
        return all(s.ok for s in self.steps) and all(v.ok is True for v in self.conclusion)

    @property
    def symbolic(self) -> bool:
        return all(s.symbolic for s in self.steps) and all(v.symbolic for v in self.conclusion)


@dataclass
class _Open:
    steps: list[Step] = field(default_factory=list)
    scope: str = ""
    notes: list[str] = field(default_factory=list)
    title: str = ""


class Derivation:
    """The object handed to an identity's derivation function: it builds chains of verified links
    and concludes each against one of the identity's ``statements``. ``unfold`` replaces the
    identity's defined functions by their definitions."""

    def __init__(
        self,
        name: str,
        statements: Sequence[Statement],
        ladder: Ladder,
        unfold: Callable[[sp.Basic], sp.Basic] = _unchanged,
    ) -> None:
        self.name = name
        self.statements = tuple(statements)
        self.unfold = unfold
        self.ladder = ladder
        self.chains: list[Chain] = []
        self._open: _Open | None = None
        self._concluded: set[str] = set()
        self.values: dict[str, Form] = {}

    # -- building -------------------------------------------------------------------------------
    def begin(self, expr: Form, why: str = "", *, scope: str = "", title: str = "") -> Derivation:
        """Start a chain at ``expr``. ``scope`` states a restriction ("for n = 2, 3, 4")."""
        self._close()
        self._open = _Open([Step(sp.sympify(expr), why, None)], scope, [], title)
        return self

    def then(self, new: Producer, why: str) -> Derivation:
        """Next form: computed (a callable of the previous form) or written and proved equal."""
        prev = self.last
        form = sp.sympify(new(prev) if callable(new) else new)
        if isinstance(prev, sp.Eq) or isinstance(form, sp.Eq):
            return self._push(form, why, self._equivalent_equations(prev, form), Relation.IFF)
        return self._push(form, why, self.ladder.equal(prev, form), Relation.EQ)

    def bound(self, new: Producer, why: str, *, relation: str = "<=") -> Derivation:
        """Next form bounds the previous one: ``prev <= new`` (or ``<``, ``>=``, ``>``)."""
        prev = self.last
        form = sp.sympify(new(prev) if callable(new) else new)
        rel = Relation(relation)
        if rel in (Relation.EQ, Relation.IFF):
            raise DerivationError(f"bound() takes <=, <, >= or >, not {relation!r}; use then() for =")
        gap = form - prev if rel.upward else prev - form
        return self._push(form, why, self.ladder.nonnegative(gap, strict=rel.strict), rel)

    def solve(self, unknown: sp.Basic | Sequence[sp.Basic], why: str = "") -> Derivation:
        """Solve the current equation for ``unknown`` (must have exactly one solution)."""
        prev = self.last
        if not isinstance(prev, sp.Eq):
            raise DerivationError("solve() needs the chain to be at an equation (an Eq)")
        unknowns = list(unknown) if isinstance(unknown, (list, tuple)) else [unknown]
        sols = attempt(lambda: sp.solve(prev, unknowns, dict=True), 20.0)
        if not sols or len(sols) != 1:
            n = "no" if not sols else str(len(sols))
            raise StepFailed(f"{self._where()}: solving for {unknowns} gave {n} solutions; expected one")
        sol = sols[0]
        form: sp.Basic
        if len(unknowns) == 1:
            form = sp.Eq(unknowns[0], sol[unknowns[0]])
        else:
            form = sp.Eq(sp.Matrix(unknowns), sp.Matrix([sol[u] for u in unknowns]))
        residual = (prev.lhs - prev.rhs).xreplace(sol)
        check = self.ladder.equal(residual, sp.zeros(*residual.shape) if isinstance(residual, sp.MatrixBase) else 0)
        check = replace(check, method=f"substitution, then {check.method}")
        return self._push(form, why or f"solve for ${', '.join(sp.latex(u) for u in unknowns)}$", check, Relation.IFF)

    def note(self, text: str) -> Derivation:
        """A sentence of prose shown with the current chain."""
        if self._open is None:
            raise DerivationError("note() needs an open chain: call begin() first")
        self._open.notes.append(text)
        return self

    def conclude(self, statement: str | int | sp.Basic | None = None) -> Derivation:
        """Close the chain as a proof of a statement (default: the next one not yet proved)."""
        if self._open is None:
            raise DerivationError("conclude() needs an open chain: call begin() first")
        st = self.statement(statement)
        steps = self._open.steps
        first, last = steps[0].expr, steps[-1].expr
        rel = Chain(tuple(steps)).relation
        target = st.relation
        checks: list[Verification] = []
        if isinstance(first, sp.Eq) and isinstance(target, sp.Eq):
            checks.append(self._equivalent_equations(last, target))
        else:
            claimed = Relation.of(target)
            assert target is not None  # statement() gives symbolic statements only
            if rel is None or not rel.implies(claimed):
                raise StepFailed(
                    f"{self._where()}: the chain proves '{rel or '?'}', but statement {st.label!r} claims '{claimed}'"
                )
            checks.append(_named(self.ladder.equal(first, target.lhs), "start = left side"))
            checks.append(_named(self.ladder.equal(last, target.rhs), "end = right side"))
        chain = Chain(
            tuple(steps), st.label, tuple(checks), self._open.scope, tuple(self._open.notes), self._open.title
        )
        self.chains.append(chain)
        self._open = None
        self._concluded.add(st.label)
        for v in checks:
            if v.ok is not True:
                raise StepFailed(
                    f"{self.name}: the conclusion of statement {st.label!r} failed ({v.method}): {v.detail}"
                    + (f"; values {v.values[0]} vs {v.values[1]}" if v.values else "")
                )
        return self

    def keep(self, key: str, value: Form | None = None) -> Form:
        """Remember a form (default: the current one) for a later chain or the cross-check."""
        self.values[key] = self.last if value is None else value
        return self.values[key]

    # -- state ----------------------------------------------------------------------------------
    @property
    def last(self) -> Form:
        if self._open is None:
            if self.chains:
                return self.chains[-1].steps[-1].expr
            raise DerivationError("no expression yet: call begin() first")
        return self._open.steps[-1].expr

    @property
    def concluded(self) -> set[str]:
        return set(self._concluded)

    def finish(self) -> None:
        """Close a chain left open (kept as an unconcluded lemma)."""
        self._close()

    # -- internals ------------------------------------------------------------------------------
    def _close(self) -> None:
        if self._open is not None:
            o = self._open
            self.chains.append(Chain(tuple(o.steps), "", (), o.scope, tuple(o.notes), o.title))
            self._open = None

    def _push(self, form: Form, why: str, check: Verification, relation: Relation) -> Derivation:
        if self._open is None:
            raise DerivationError("then() needs an open chain: call begin() first")
        self._open.steps.append(Step(form, why, check, relation))
        if check.ok is not True:
            n = len(self._open.steps) - 1
            verdict = "is false" if check.ok is False else "could not be verified"
            values = f"; left {check.values[0]}, right {check.values[1]}" if check.values else ""
            steps = self._open.steps
            self._close()
            raise StepFailed(
                f"{self._where(n)} ({why}) {verdict} [{check.method}]: {check.detail}{values}\n"
                f"  from: {sp.sstr(steps[-2].expr)[:300]}\n  to:   {sp.sstr(form)[:300]}"
            )
        return self

    def _where(self, step: int | None = None) -> str:
        chain = len(self.chains) + (1 if self._open is not None else 0)
        s = f", step {step}" if step is not None else ""
        return f"{self.name}: chain {chain}{s}"

    def statement(self, which: str | int | sp.Basic | None = None) -> Statement:
        """A symbolic statement by label, position or relation (default: the first not yet concluded)."""
        sts = [s for s in self.statements if s.relation is not None]
        if which is None:
            for s in sts:
                if s.label not in self._concluded:
                    return s
            raise DerivationError(f"{self.name}: every statement is already concluded")
        if isinstance(which, int):
            return sts[which]
        for s in sts:
            if which == s.label or which == s.relation:
                return s
        raise DerivationError(f"{self.name}: no statement {which!r}")

    def _equivalent_equations(self, a: Form, b: Form) -> Verification:
        if not (isinstance(a, sp.Eq) and isinstance(b, sp.Eq)):
            return Verification(False, "shape", True, "an equation compared with an expression")
        da, db = a.lhs - a.rhs, b.lhs - b.rhs
        same = self.ladder.equal(da, db)
        if same.ok is True:
            return same
        neg = self.ladder.equal(da, -db)
        if neg.ok is True:
            return Verification(True, f"sides swapped; {neg.method}", neg.symbolic)
        if isinstance(da, sp.MatrixBase):
            return same
        ratio = attempt(lambda: sp.cancel(sp.together(self.ladder.evaluate(da) / self.ladder.evaluate(db))), 3.0)
        if ratio is not None and ratio.is_zero is False and ratio.is_finite is True:
            return Verification(True, f"multiplied by the nonzero factor ${sp.latex(ratio)}$", True)
        return same


def _named(v: Verification, what: str) -> Verification:
    return replace(v, method=f"{what}: {v.method}")
