"""Run a derivation, verify every link, check numerically, and freeze the result as a :class:`Proof`.

A :class:`Proof` is plain frozen data. Each statement's level is *computed* from its chain, never
taken on trust from a declaration: ``numeric`` when a link was only verified numerically (or the
part is checked only numerically), ``fixed-size`` when the chain or the statement shows a fixed
size (an explicit matrix, a sum over a concrete range, the entries of a vector written out: see
:mod:`.levels`) or declares a ``scope``, ``general`` otherwise. A chain that shows a fixed size but
declares no scope claims more than it proves: its statement fails, with the evidence named. Its
displays (terminal, LaTeX sheet, notebook) are renderings that never recompute mathematics.
"""

from __future__ import annotations

import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np
import sympy as sp

from .._version import VERSION
from ..errors import StepFailed
from ..maths.summation import indexed_sums_fast
from ..numeric import export
from ..numeric.crosscheck import CheckContext, CrossCheckResult
from ..numeric.sampling import DEFAULT_SEED, generator
from ..verify.ladder import Ladder, Verification
from . import cache, levels
from .claims import StatementCheck, check_statements
from .derivation import Chain, Cited, Derivation, Step
from .display import Displayable
from .identity import Identity
from .registry import REGISTRY
from .statements import Statement

GENERAL, FIXED_SIZE, NUMERIC = "general", "fixed-size", "numeric"
_RANK = {GENERAL: 0, FIXED_SIZE: 1, NUMERIC: 2}


@dataclass(frozen=True)
class NumericReport:
    """Samples, seed, errors of the claim check, and the independent cross-check."""

    samples: int
    seed: int
    max_abs_error: float
    max_rel_error: float
    statements: tuple[StatementCheck, ...]
    crosscheck: CrossCheckResult | None
    extra: tuple[CrossCheckResult, ...] = ()

    @property
    def ok(self) -> bool:
        checks_ok = all(s.ok for s in self.statements)
        cross_ok = self.crosscheck is None or self.crosscheck.ok
        extra_ok = all(r.ok for r in self.extra)
        checked = any(s.samples for s in self.statements) or self.crosscheck is not None
        return checks_ok and cross_ok and extra_ok and checked


@dataclass(frozen=True)
class Outcome:
    """How one statement of the claim was established: its computed ``level``, and in ``how`` the
    reason (the evidence of a fixed size, what a numeric link checked)."""

    label: str
    relation: sp.Basic | None
    text: str
    level: str
    ok: bool
    how: str
    #: the signs of a fixed size in the chain, e.g. "explicit 2x2 matrix in step 3"
    evidence: tuple[str, ...] = ()
    #: the size the chain declares ("for n = 3"), shown with the statement
    scope: str = ""


@dataclass(frozen=True)
class Proof(Displayable):
    """The frozen record of ``derive.prove(name)``; ``text()``, ``latex()``, ``to_pdf()`` and the
    notebook displays come from :class:`~derive.core.display.Displayable`."""

    display_kind: ClassVar[str] = "proof"

    identity: Identity
    chains: tuple[Chain, ...]
    outcomes: tuple[Outcome, ...]
    numeric: NumericReport
    failure: str | None
    seconds: float
    seed: int
    versions: dict[str, str] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.identity.name

    @property
    def ok(self) -> bool:
        """True only if every step, every statement and the numeric checks passed."""
        return (
            self.failure is None
            and all(c.ok for c in self.chains)
            and all(o.ok for o in self.outcomes)
            and self.numeric.ok
        )

    @property
    def steps(self) -> tuple[Step, ...]:
        """Every step of every chain, in order."""
        return tuple(s for c in self.chains for s in c.steps)

    @property
    def lemmas(self) -> tuple[str, ...]:
        """The named lemmas every link and conclusion rests on (``Verification.lemmas``), once each."""
        found: dict[str, None] = {}
        for v in _verifications(self.chains):
            found.update(dict.fromkeys(v.lemmas))
        return tuple(found)

    @property
    def assumes(self) -> tuple[Cited, ...]:
        """The named, cited facts (:mod:`.facts`) the chains' steps assume, once each, in order."""
        return tuple({f.name: f for c in self.chains for f in c.assumes}.values())

    @property
    def result(self) -> sp.Basic:
        """The derived closed form: the last form of the chain proving the principal statement."""
        derived = _principal_result(self.identity, self.chains)
        if derived is not None:
            return derived
        return self.chains[-1].steps[-1].expr if self.chains else sp.nan

    @property
    def level(self) -> str:
        """``general``, ``fixed-size`` or ``numeric``: the weakest way any part was established."""
        levels = [o.level for o in self.outcomes] or [NUMERIC]
        return max(levels, key=_RANK.__getitem__)

    @property
    def verdict(self) -> str:
        """``proved (general)``, ``proved (fixed-size)``, ``verified numerically`` (never "proved"
        when a part rests on sampling) or ``FAILED``."""
        if not self.ok:
            return "FAILED"
        return "verified numerically (not every part proved)" if self.level == NUMERIC else f"proved ({self.level})"

    @property
    def failed_because(self) -> str:
        """Why the proof failed, in one line (empty when it did not)."""
        if self.failure:
            return self.failure
        bad = next((o for o in self.outcomes if not o.ok), None)
        if bad is not None:
            return f"{self.name}: statement {bad.label!r}: {bad.how}"
        return "" if self.numeric.ok else "numeric check failed"

    # -- code export (derive.numeric.export) -------------------------------------------------------
    def to_source(self, library: str = "numpy") -> str:
        """Python source of a function computing :attr:`result` with ``library`` (``numpy``, ``torch``
        or ``jax``); its arguments are the result's variables sorted by name. Raises
        :class:`~derive.numeric.export.ExportError` for a result no plain function computes."""
        return export.to_source(self.identity.unfold(self.result), library, name=self.name, doc=self.identity.title)

    def to_function(self, library: str = "numpy") -> Callable[..., Any]:
        """The function of :meth:`to_source`, compiled: ``p.to_function("torch")(x=t)``."""
        return export.to_function(self.identity.unfold(self.result), library, name=self.name, doc=self.identity.title)

    def lambdify(self) -> Callable[..., Any]:
        """:attr:`result` as a numpy function that knows derive's functions (``Phi`` is
        ``scipy.special.ndtr``...), called by position or keyword: ``p.lambdify()(x=1.0)``."""
        return self.to_function("numpy")

    def __repr__(self) -> str:
        """One line, e.g. ``<Proof gelu' ok general 0.4s>`` (the steps are in ``text()``)."""
        state = "ok" if self.ok else "FAILED"
        return f"<Proof {self.name} {state} {self.level} {self.seconds:.1f}s>"


def _principal_result(ident: Identity, chains: Sequence[Chain]) -> sp.Basic | None:
    """The last form of the chain that concludes the principal statement (its right side if an
    equation), or ``None`` if no chain concludes it."""
    principal = ident.statements[0].label
    for c in chains:
        if c.statement == principal:
            last = c.steps[-1].expr
            return last.rhs if isinstance(last, sp.Eq) else last
    return None


def _verifications(chains: Sequence[Chain]) -> list[Verification]:
    """Every verification of every link and conclusion, in order."""
    return [v for c in chains for v in (*(s.verification for s in c.steps if s.verification), *c.conclusion)]


def link_words(v: Verification | None) -> str:
    """How one link was verified, in words: ``proved: expand``, or for a numeric verification what
    was checked (``checked numerically, not proved: numeric (30 digits, 24 points); max relative
    difference 1e-31``), never "proved"."""
    if v is None:
        return ""
    if v.ok is True and v.symbolic:
        return f"proved: {v.method}"
    word = {True: "checked numerically, not proved", False: "FALSE", None: "undecided"}[v.ok]
    points = f", {v.points} points" if v.points and "points" not in v.method else ""
    return f"{word}: {v.method}{points}" + (f"; {v.detail}" if v.detail else "")


def step_words(s: Step) -> str:
    """How a step was obtained and verified: its provenance ("computed by SymPy (doit)", "written,
    proved by cancel") and :func:`link_words`, without saying the same rung twice."""
    v = s.verification
    provenance = s.provenance
    if v is not None and not (v.ok is True and v.symbolic):  # a link that is not proved is never called so
        provenance = provenance.replace("proved by", "checked by")
    said = v is not None and v.ok is True and v.symbolic and provenance.endswith(f"proved by {v.method}")
    parts = [provenance, "" if said else link_words(v)]
    return "; ".join(p for p in parts if p)


def _numeric_links(chain: Chain) -> list[str]:
    """Where a chain rests on sampling, and what was checked there."""
    out = [
        f"{levels.step_name(k)} ({link_words(s.verification)})"
        for k, s in enumerate(chain.steps)
        if s.verification is not None and not s.verification.symbolic
    ]
    out += [f"the conclusion ({link_words(v)})" for v in chain.conclusion if not v.symbolic]
    return out


def _outcome(st: Statement, chain: Chain, ctx: levels.Context) -> Outcome:
    """The computed level of a symbolic statement from the chain that concludes it."""
    evidence = tuple(map(str, levels.fixed_size_evidence(chain, st.relation, ctx)))
    ok = chain.ok
    if not chain.symbolic:
        level, how = NUMERIC, "verified numerically, not proved, at " + "; ".join(_numeric_links(chain))
    elif chain.scope or evidence:
        level, how = FIXED_SIZE, "proved symbolically"
    else:
        level, how = GENERAL, "proved symbolically, for every value of its variables"
    if chain.scope:
        how += f" ({chain.scope}" + (f"; fixed size: {evidence[0]})" if evidence else ", as declared)")
    elif evidence:
        ok = False
        how = (
            f"labelled general (no scope), but the chain proves a fixed size: {'; '.join(evidence)}. "
            f"State the size: d.begin(..., scope='for ...'), and say it in the statement's text"
        )
    return Outcome(st.label, st.relation, st.text, level, ok, how, evidence, chain.scope)


def _outcomes(ident: Identity, chains: list[Chain], numeric_results: dict[str, CrossCheckResult]) -> list[Outcome]:
    forms = [s.relation for s in ident.statements if s.relation is not None]
    ctx = levels.context([*forms, *(s.expr for c in chains for s in c.steps)])
    out: list[Outcome] = []
    for st in ident.statements:
        if st.relation is None:
            r = numeric_results.get(st.label)
            ok = bool(r and r.ok)
            how = (
                f"checked numerically, not proved: {r.method}, {r.samples} samples, error {r.error:.2e} "
                f"(tolerance {r.tolerance:.0e})"
                if r
                else "not checked"
            )
            out.append(Outcome(st.label, None, st.text, NUMERIC, ok, how))
            continue
        chain = next((c for c in chains if c.statement == st.label), None)
        if chain is None:
            out.append(Outcome(st.label, st.relation, st.text, NUMERIC, False, "not derived"))
            continue
        out.append(_outcome(st, chain, ctx))
    return out


def prove_identity(
    ident: Identity, *, seed: int | None = None, samples: int | None = None, symbolic_budget: float = 4.0
) -> Proof:
    """Derive ``ident``: run its derivation, verify each link, run the numeric checks (SymPy's
    summation skips its futile searches meanwhile: :func:`~derive.maths.summation.indexed_sums_fast`)."""
    with indexed_sums_fast():
        return _prove_identity(ident, seed=seed, samples=samples, symbolic_budget=symbolic_budget)


def _prove_identity(ident: Identity, *, seed: int | None, samples: int | None, symbolic_budget: float) -> Proof:
    start = time.perf_counter()
    seed = DEFAULT_SEED if seed is None else seed
    d, failure = derive_chains(ident, seed=seed, symbolic_budget=symbolic_budget)
    ladder = d.ladder
    rng = generator(seed, salt=ident.name)
    n = samples or ident.numeric_samples
    try:
        checks = check_statements(ident.statements, ident.domains, ladder, rng, n, d.chains)
    except Exception as exc:
        checks = [StatementCheck("claim", 0, 0.0, 0.0, False, f"numeric check raised {type(exc).__name__}: {exc}")]
    result_expr = _principal_result(ident, d.chains)
    result = result_expr if result_expr is not None else ident.claim.rhs
    ctx = ident.check_context(rng, seed, result, d.values)
    cross = _run_check(ident.crosscheck, ctx, "cross-check") if ident.crosscheck else None
    numeric_results = {
        st.label: _run_check(st.numeric, ctx, st.label)
        for st in ident.statements
        if st.relation is None and st.numeric is not None
    }
    stated = [c for c in checks if c.samples]
    report = NumericReport(
        samples=n,
        seed=seed,
        max_abs_error=max((c.max_abs_error for c in stated), default=0.0),
        max_rel_error=max((c.max_rel_error for c in stated), default=0.0),
        statements=tuple(checks),
        crosscheck=cross,
        extra=tuple(numeric_results.values()),
    )
    outcomes = tuple(_outcomes(ident, d.chains, numeric_results))
    return Proof(ident, tuple(d.chains), outcomes, report, failure, time.perf_counter() - start, seed, versions())


def derive_chains(
    ident: Identity, *, seed: int | None = None, symbolic_budget: float = 4.0
) -> tuple[Derivation, str | None]:
    """Only the symbolic part of :func:`prove_identity`: run the derivation, verify each link; the
    derivation and the first failure (a false link, a statement no chain concludes), or ``None``."""
    seed = DEFAULT_SEED if seed is None else seed
    ladder = Ladder(
        domains=ident.domains, unfold=ident.unfold, seed=seed, salt=ident.name, symbolic_budget=symbolic_budget
    )
    d = Derivation(ident.name, ident.statements, ladder, ident.unfold)
    failure = _derive(ident, d)
    missing = [s.label for s in ident.statements if s.relation is not None and s.label not in d.concluded]
    if failure is None and missing:
        failure = f"{ident.name}: statement(s) {', '.join(map(repr, missing))} not derived by any chain"
    return d, failure


def _derive(ident: Identity, d: Derivation) -> str | None:
    """Run the derivation on ``d``; the failure message, or ``None`` if it ran to the end."""
    try:
        ident.derivation(d)
        return None
    except StepFailed as exc:
        return exc.message
    except Exception as exc:
        tb = traceback.extract_tb(exc.__traceback__)
        here = ident.derivation.__name__
        where = next((f"{f.filename.rsplit('/', 1)[-1]}:{f.lineno}" for f in reversed(tb) if f.name == here), "")
        return f"{ident.name}: the derivation raised {type(exc).__name__}: {exc}" + (f" ({where})" if where else "")
    finally:
        d.finish()


def _run_check(fn: object, ctx: CheckContext, name: str) -> CrossCheckResult:
    try:
        return fn(ctx)  # type: ignore[operator]
    except Exception as exc:
        return CrossCheckResult(name, "error", float("inf"), 0.0, 0, False, f"{type(exc).__name__}: {exc}")


def versions() -> dict[str, str]:
    """The versions of derive, SymPy and numpy (recorded on every proof and in the book)."""
    return {"derive": VERSION, "sympy": sp.__version__, "numpy": np.__version__}


# ------------------------------------------------------------------------------ by name, cached
_CACHE: dict[tuple[str, int | None, int | None], Proof] = {}


def prove(name: str, *, seed: int | None = None, samples: int | None = None) -> Proof:
    """The proof of the registered identity ``name`` (canonical name or alias), cached per process
    by ``(name, seed, samples)``, and on disk when the proof cache is on (:mod:`.cache`)."""
    ident = REGISTRY.get(name)
    key = (ident.name, seed, samples)
    if key not in _CACHE:
        stored = cache.load(ident, seed, samples) if cache.enabled() else None
        if stored is None:
            stored = prove_identity(ident, seed=seed, samples=samples)
            if cache.enabled():
                cache.store(stored, seed, samples)
        _CACHE[key] = stored
    return _CACHE[key]


def clear_cache() -> None:
    """Forget every cached proof (benchmarks use it to time a proof again)."""
    _CACHE.clear()
