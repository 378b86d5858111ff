"""Run a derivation, verify every link, check numerically, and freeze the result as a :class:`Proof`.

A :class:`Proof` is plain frozen data. Its level is computed from what was established: ``general``
when every chain of a statement is symbolic, ``fixed-size`` when a chain is scoped to stated sizes,
``numeric`` when a link was only verified numerically or a part is checked only numerically. Its
displays (terminal, LaTeX sheet, notebook) are renderings that never recompute mathematics.
"""

from __future__ import annotations

import time
import traceback
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import ClassVar

import numpy as np
import sympy as sp

from .._version import VERSION
from ..errors import StepFailed
from ..numeric.crosscheck import CheckContext, CrossCheckResult
from ..numeric.sampling import DEFAULT_SEED, generator
from ..verify.ladder import Ladder
from .claims import StatementCheck, check_statements
from .derivation import Chain, Derivation, Step
from .display import Displayable
from .identity import Identity
from .registry import REGISTRY

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
    """How one statement of the claim was established."""

    label: str
    relation: sp.Basic | None
    text: str
    level: str
    ok: bool
    how: str


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
        return f"proved ({self.level})" if self.ok else "FAILED"


def _principal_result(ident: Identity, chains: Sequence[Chain]) -> sp.Basic | None:
    """The last form of the chain that concludes the principal statement (its right side if an
    equation), or ``None`` if no chain concludes it."""
    principal = ident.statements[0].label
    for c in chains:
        if c.statement == principal:
            last = c.steps[-1].expr
            return last.rhs if isinstance(last, sp.Eq) else last
    return None


def _outcomes(ident: Identity, chains: list[Chain], numeric_results: dict[str, CrossCheckResult]) -> list[Outcome]:
    out: list[Outcome] = []
    for st in ident.statements:
        if st.relation is None:
            r = numeric_results.get(st.label)
            ok = bool(r and r.ok)
            how = f"numerically: {r.method}, error {r.error:.2e} (tolerance {r.tolerance:.0e})" if r else "not checked"
            out.append(Outcome(st.label, None, st.text, NUMERIC, ok, how))
            continue
        chain = next((c for c in chains if c.statement == st.label), None)
        if chain is None:
            out.append(Outcome(st.label, st.relation, st.text, NUMERIC, False, "not derived"))
            continue
        level = GENERAL if chain.symbolic else NUMERIC
        if chain.scope and level == GENERAL:
            level = FIXED_SIZE
        how = "proved symbolically" if chain.symbolic else "some links verified only numerically"
        if chain.scope:
            how += f" ({chain.scope})"
        out.append(Outcome(st.label, st.relation, st.text, level, chain.ok, how))
    return out


def prove_identity(
    ident: Identity, *, seed: int | None = None, samples: int | None = None, symbolic_budget: float = 4.0
) -> Proof:
    """Derive ``ident``: run its derivation, verify each link, run the numeric checks."""
    start = time.perf_counter()
    seed = DEFAULT_SEED if seed is None else seed
    ladder = Ladder(
        domains=ident.domains, unfold=ident.unfold, seed=seed, salt=ident.name, symbolic_budget=symbolic_budget
    )
    d = Derivation(ident.name, ident.statements, ladder, ident.unfold)
    failure = _derive(ident, d)
    missing = [s.label for s in ident.statements if s.relation is not None and s.label not in d.concluded]
    if failure is None and missing:
        failure = f"{ident.name}: statement(s) {', '.join(map(repr, missing))} not derived by any chain"
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
    by ``(name, seed, samples)``."""
    ident = REGISTRY.get(name)
    key = (ident.name, seed, samples)
    if key not in _CACHE:
        _CACHE[key] = prove_identity(ident, seed=seed, samples=samples)
    return _CACHE[key]


def clear_cache() -> None:
    """Forget every cached proof (benchmarks use it to time a proof again)."""
    _CACHE.clear()
