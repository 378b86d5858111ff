r"""The derivation builder: SymPy computes each step, the ladder verifies each link.

A derivation is a list of *chains*. A chain begins at an expression (or an equation), and each
step either *computes* the next form with SymPy (``d.then(lambda e: e.doit(), "product rule")``)
or *writes* a readable form that is then proved equal (``d.then(Phi(x) + x*phi(x), "...")``).
Either way every link is checked by :class:`~derive.verify.ladder.Ladder`, and the record says how.
``d.conclude()`` proves the chain's first and last forms equal to the two sides of a statement.

Links can be ``=`` (:meth:`Derivation.then`), ``<=``/``>=`` bounds (:meth:`Derivation.bound`),
equivalences of equations (:meth:`Derivation.then` on an ``Eq``, :meth:`Derivation.solve` when the
root is the only one in the unknown's domain) or ``<==`` (a chosen root satisfies the equation); a
chain proves their composition (:class:`~derive.core.relations.Relation`), and the conclusion checks
that it implies the relation the statement claims. An equation chain proves "opening <=> last": that
proves an equation statement when the chain solved for the statement's left side (a *solution
statement*), or when the opening equation itself is verified (the conclusion's first check).

Each step records its provenance: "computed by SymPy (doit)" for a callable producer (named by the
operations it calls), "written, proved by <rung>" for a written form, "computed by SymPy (solveset
over [a, b])" for a solve.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Protocol, TypeAlias

import sympy as sp

from ..errors import DerivationError, StepFailed
from ..maths.domains import Domain
from ..verify.budget import attempt
from ..verify.ladder import Ladder, Verification
from .relations import Relation
from .solving import Root, Solutions, assumed_set, chosen, describe, outside, same_root, solutions
from .statements import Statement

#: a form of a derivation: a SymPy expression, equation or matrix
Form: TypeAlias = "sp.Basic"
#: the next form, written out or computed from the previous one
Producer: TypeAlias = "sp.Basic | Callable[[sp.Basic], sp.Basic]"
#: names a producer's code uses that are not operations (modules, sides of an equation)
_NOT_OPERATIONS = frozenset({"sp", "sympy", "np", "lhs", "rhs", "args", "func", "Eq", "S"})


def _unchanged(e: sp.Basic) -> sp.Basic:
    return e


class Cited(Protocol):
    """A named, cited fact a step assumes (:class:`~derive.core.facts.Fact`)."""

    @property
    def name(self) -> str: ...

    @property
    def statement(self) -> str: ...

    @property
    def citation(self) -> str: ...

    def rewrite(self, e: sp.Basic) -> sp.Basic:
        """The fact applied to a form as a rule (the form itself when the fact has no rule)."""
        ...


@dataclass(frozen=True)
class Step:
    """One link: the new form, why it holds, how that was verified (``None`` for the opening)."""

    expr: Form
    why: str
    verification: Verification | None
    relation: Relation = Relation.EQ
    #: how the form was obtained: "computed by SymPy (doit)" or "written, proved by <rung>"
    provenance: str = ""
    #: the named facts this step assumes (:meth:`Derivation.assume`), also named in ``provenance``
    assumes: tuple[Cited, ...] = ()

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
    def assumes(self) -> tuple[Cited, ...]:
        """The named facts the chain's steps assume, once each, in order."""
        return tuple({f.name: f for s in self.steps for f in s.assumes}.values())

    @property
    def symbolic(self) -> bool:
        return all(s.symbolic for s in self.steps) and all(v.symbolic for v in self.conclusion)


@dataclass
class _Open:
    steps: list[Step] = field(default_factory=list)
    scope: str = ""
    notes: list[str] = field(default_factory=list)
    title: str = ""
    #: the unknowns this chain solved for (a symbol, or the column of a system's unknowns)
    solved: list[sp.Basic] = field(default_factory=list)


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
        self._open = _Open(
            [Step(sp.sympify(expr), why, None, provenance="written (the opening form)")], scope, [], title
        )
        return self

    def then(self, new: Producer, why: str) -> Derivation:
        """Next form: computed (a callable of the previous form) or written and proved equal."""
        prev = self.last
        form = sp.sympify(new(prev) if callable(new) else new)
        if isinstance(prev, sp.Eq) or isinstance(form, sp.Eq):
            check = self._equivalent_equations(prev, form)
            return self._push(form, why, check, Relation.IFF, _provenance(new, check))
        check = self.ladder.equal(prev, form)
        return self._push(form, why, check, Relation.EQ, _provenance(new, check))

    def bound(self, new: Producer, why: str, *, relation: str = "<=") -> Derivation:
        """Next form bounds the previous one: ``prev <= new`` (or ``<``, ``>=``, ``>``)."""
        prev = self.last
        form = sp.sympify(new(prev) if callable(new) else new)
        rel = Relation(relation)
        if rel in (Relation.EQ, Relation.IFF):
            raise DerivationError(f"bound() takes <=, <, >= or >, not {relation!r}; use then() for =")
        gap = form - prev if rel.upward else prev - form
        check = self.ladder.nonnegative(gap, strict=rel.strict)
        return self._push(form, why, check, rel, _provenance(new, check, "bound proved by"))

    def solve(
        self,
        unknown: sp.Basic | Sequence[sp.Basic],
        why: str = "",
        *,
        root: Root | None = None,
        over: Domain | None = None,
    ) -> Derivation:
        """Solve the current equation for ``unknown`` over its domain (``over``: a larger one).

        SymPy lists the solutions in the domain (:func:`~derive.core.solving.solutions`: ``solveset``
        over the domain's interval, ``linsolve`` for a linear system...). When the list is complete
        and one solution remains, the step is an equivalence (``<=>``). Otherwise the author picks
        one with ``root=`` and the step only says that it satisfies the equation (``<==``): several
        roots in the domain (``tan x = 1`` on ``[-8, 8]``) or a set SymPy cannot enumerate are not
        an equivalence. Either way the root is checked by substitution.
        """
        prev = self.last
        if not isinstance(prev, sp.Eq):
            raise DerivationError("solve() needs the chain to be at an equation (an Eq)")
        unknowns = list(unknown) if isinstance(unknown, (list, tuple)) else [unknown]
        sets = {u: self._solving_set(u, over) for u in unknowns}
        diff = prev.lhs - prev.rhs
        found = solutions(list(diff) if isinstance(diff, sp.MatrixBase) else [diff], unknowns, sets)
        sol, relation = self._pick(found, unknowns, sets, root)
        column = sp.ImmutableMatrix(unknowns)
        form = sp.Eq(unknowns[0], sol[unknowns[0]]) if len(unknowns) == 1 else sp.Eq(column, column.xreplace(sol))
        residual = diff.xreplace(sol)
        check = self.ladder.equal(residual, sp.zeros(*residual.shape) if isinstance(residual, sp.MatrixBase) else 0)
        check = replace(check, method=f"substitution, then {check.method}")
        if relation is Relation.IFF:
            provenance = f"computed by SymPy ({found.method})"
        else:
            provenance = f"written (a chosen root), proved by {check.method}"
        why = why or f"solve for ${', '.join(sp.latex(u) for u in unknowns)}$"
        self._push(form, why, check, relation, provenance)
        assert self._open is not None  # _push raised otherwise
        self._open.solved.append(unknowns[0] if len(unknowns) == 1 else column)
        return self

    def assume(self, fact: Cited, new: Producer | None = None, why: str = "") -> Derivation:
        """Rest a step on a named, cited ``fact`` (:mod:`~derive.core.facts`), never hidden: with ``new``,
        the next step (as :meth:`then`); without, the current one (the opening form, say). The step's
        provenance names the fact and it is recorded on the step (``Step.assumes``, ``Proof.assumes``).
        The link itself is still verified by the ladder: the fact justifies the setting, not the algebra."""
        if self._open is None:
            raise DerivationError("assume() needs an open chain: call begin() first")
        if new is not None:
            prev = self.last
            form = sp.sympify(new(prev) if callable(new) else new)
            ruled = fact.rewrite(prev)
            equation = isinstance(prev, sp.Eq) or isinstance(form, sp.Eq)
            check = self._equivalent_equations(ruled, form) if equation else self.ladder.equal(ruled, form)
            if ruled != prev:
                check = replace(check, method=f"the rule of the {fact.name}, then {check.method}")
            relation = Relation.IFF if equation else Relation.EQ
            self._push(form, why or f"by the {fact.name}", check, relation, _provenance(new, check))
        assert self._open is not None  # _push raised otherwise
        last = self._open.steps[-1]
        said = f"assumes the {fact.name} (cited)"
        provenance = f"{last.provenance}; {said}" if last.provenance else said
        self._open.steps[-1] = replace(last, assumes=(*last.assumes, fact), provenance=provenance)
        return self

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
            checks += self._equation_chain(st, first, rel)
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

    def _push(self, form: Form, why: str, check: Verification, relation: Relation, provenance: str) -> Derivation:
        if self._open is None:
            raise DerivationError("then() needs an open chain: call begin() first")
        self._open.steps.append(Step(form, why, check, relation, provenance))
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

    def _equation_chain(self, st: Statement, first: sp.Eq, rel: Relation | None) -> list[Verification]:
        """What an equation chain needs besides its last equation matching the statement: an
        equivalence all along, and either a solve for the statement's left side (a solution
        statement) or a verified opening equation (returned as the first check)."""
        target = st.relation
        assert isinstance(target, sp.Eq)
        if rel not in (Relation.EQ, Relation.IFF):  # EQ: no link at all
            raise StepFailed(
                f"{self._where()}: the chain proves '{rel or '?'}' between its opening and last equations "
                f"(a chosen root only satisfies the equation), but statement {st.label!r} claims an equivalence"
            )
        assert self._open is not None
        if any(target.lhs == u for u in self._open.solved):
            return []
        return [_named(self.ladder.equal(first.lhs, first.rhs), "opening equation holds")]

    def _solving_set(self, unknown: sp.Basic, over: Domain | None) -> sp.Set:
        """Where ``unknown`` ranges: its domain, ``over`` (which must contain it), or its assumptions."""
        if not isinstance(unknown, sp.Symbol):
            raise DerivationError(f"solve() takes symbols as unknowns, not {unknown!r}")
        declared = self.ladder.domains.get(unknown)
        own = declared.as_set() if isinstance(declared, Domain) else assumed_set(unknown)
        if over is None:
            return own
        wider = over.as_set()
        if attempt(lambda: own.is_subset(wider), 5.0) is not True:
            raise DerivationError(
                f"solve(over=...) must contain the domain of {unknown}: "
                f"{describe(wider)} does not contain {describe(own)}"
            )
        return wider

    def _pick(
        self, found: Solutions, unknowns: list[sp.Symbol], sets: dict[sp.Symbol, sp.Set], root: Root | None
    ) -> tuple[dict[sp.Symbol, sp.Expr], Relation]:
        """The solution the step keeps and its relation: ``<=>`` when it is the only one, ``<==`` for a chosen root."""
        unique = found.complete and len(found.candidates) == 1
        if root is None:
            if unique:
                return found.candidates[0], Relation.IFF
            raise StepFailed(self._unsolved(found, unknowns, sets))
        sol = chosen(root, unknowns)
        for u, v in sol.items():
            if outside(v, sets[u]):
                raise StepFailed(
                    f"{self._where()}: the chosen root {u} = {sp.sstr(v)} lies outside {describe(sets[u])}"
                )
        same = unique and all(same_root(sol[u], found.candidates[0][u]) for u in unknowns)
        return sol, Relation.IFF if same else Relation.IF

    def _unsolved(self, found: Solutions, unknowns: list[sp.Symbol], sets: dict[sp.Symbol, sp.Set]) -> str:
        """Why a solve without ``root=`` is not an equivalence, and what to do."""
        names = ", ".join(map(str, unknowns))
        where = "; ".join(f"{u} in {describe(sets[u])}" for u in unknowns)
        head = f"{self._where()}: solving for {names} ({where}, {found.method})"
        if found.complete and not found.candidates:
            return f"{head} finds no solution in the domain"
        pick = f"; pick one with d.solve({names}, root=...), recorded as '<==' (the root satisfies the equation)"
        if found.complete:
            listed = ", ".join(
                sp.sstr([c[u] for u in unknowns] if len(c) > 1 else c[unknowns[0]]) for c in found.candidates[:8]
            )
            many = f"{len(found.candidates)} possible roots in the domain ({listed})"
            return f"{head} finds {many}: not an equivalence{pick}"
        return f"{head}: {found.detail}; not an equivalence{pick}"

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


def _provenance(new: Producer, check: Verification, proved: str = "proved by") -> str:
    """How a step's form was obtained: by SymPy (the operations the producer calls) or written."""
    if not callable(new):
        return f"written, {proved} {check.method}"
    name = getattr(new, "__name__", type(new).__name__)
    code = getattr(new, "__code__", None)
    if name == "<lambda>" and code is not None:
        modules = {k for k, v in getattr(new, "__globals__", {}).items() if type(v) is type(sp)}
        ops = [n for n in dict.fromkeys(code.co_names) if n not in _NOT_OPERATIONS and n not in modules]
        name = ", ".join(ops) or "a lambda"
    suffix = "" if proved == "proved by" else f", {proved} {check.method}"
    return f"computed by SymPy ({name}){suffix}"
