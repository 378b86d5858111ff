"""Run a derivation, verify every link, check numerically, and freeze the result as a Proof.

A :class:`Proof` is plain frozen data; the terminal view, the LaTeX sheet and the book are
renderings of it and never recompute mathematics.
"""

from __future__ import annotations

import time
import traceback
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import sympy as sp

from .budget import attempt
from .derivation import Chain, Derivation, Step, StepFailed
from .equivalence import Ladder
from .numeric.compare import compare, evaluate
from .numeric.crosscheck import CheckContext, CrossCheckResult
from .numeric.domains import sample_scalars
from .numeric.sampling import DEFAULT_SEED, generator

if TYPE_CHECKING:
    from .declaration import Identity

GENERAL, FIXED_SIZE, NUMERIC = "general", "fixed-size", "numeric"
_RANK = {GENERAL: 0, FIXED_SIZE: 1, NUMERIC: 2}


@dataclass(frozen=True)
class StatementCheck:
    """The numeric check of one statement: both sides lambdified and compared on samples."""

    label: str
    samples: int
    max_abs_error: float
    max_rel_error: float
    ok: bool
    note: str = ""


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
class Proof:
    """The frozen record of ``derive.prove(name)``."""

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

    # -- renderings -----------------------------------------------------------------------------
    def latex(self) -> str:
        """The sheet's LaTeX source."""
        from .render import sheet_source

        return sheet_source(self)

    def to_pdf(self, path: str | Path) -> Path:
        """Compile the sheet to ``path`` (with latexmk); returns the path."""
        from .render import write_pdf

        return write_pdf(self.latex(), Path(path))

    def text(self, color: bool = False) -> str:
        from .terminal import proof_text

        return proof_text(self, color=color)

    def __str__(self) -> str:
        return self.text()

    def _repr_markdown_(self) -> str:
        from .terminal import proof_markdown

        return proof_markdown(self)

    def _repr_latex_(self) -> str:
        from .render import printer

        p = printer()
        lines = [rf"\text{{{self.identity.title} — {self.verdict}}}"]
        lines += [p.doprint(o.relation) for o in self.outcomes if o.relation is not None]
        return "$\\displaystyle\\begin{gathered}" + r"\\ ".join(lines) + r"\end{gathered}$"


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


def _solution_residual(rel: sp.Eq, chains: list[Chain], label: str) -> tuple[sp.Basic, sp.Basic] | None:
    """For a statement ``unknown = solution`` concluded by an equation chain: the residual of the
    chain's first equation at the solution, and the size of its terms (its scale)."""
    chain = next((c for c in chains if c.statement == label), None)
    if chain is None or not isinstance(chain.steps[0].expr, sp.Eq):
        return None
    unknown = rel.lhs
    if not (
        isinstance(unknown, sp.Symbol)
        or (isinstance(unknown, sp.MatrixBase) and all(isinstance(e, sp.Symbol) for e in unknown))
    ):
        return None
    start = chain.steps[0].expr
    pairs = dict(zip(unknown, rel.rhs, strict=True)) if isinstance(unknown, sp.MatrixBase) else {unknown: rel.rhs}
    residual = (start.lhs - start.rhs).xreplace(pairs)
    terms = residual.applyfunc(_term_size) if isinstance(residual, sp.MatrixBase) else _term_size(residual)
    return residual, terms


def _term_size(e: sp.Expr) -> sp.Expr:
    # terms as written and expanded: an exact solution expands to 0, which must not make the scale 0
    terms = [*sp.Add.make_args(e), *sp.Add.make_args(sp.expand(e))]
    return sp.Add(*[sp.Abs(t) for t in terms])


def _sampled_sizes(
    ladder: Ladder, rel: sp.Eq, lhs: sp.Basic, rhs: sp.Basic, rng: np.random.Generator, points: int = 10
) -> tuple[int, float, float, bool, str] | None:
    """A statement over a symbolic size (sums to ``n``, indexed entries), checked at concrete
    sizes: ``n`` drawn from its domain, sums expanded, entries drawn, both sides in floating
    point. ``None`` when the statement is not of that kind (or cannot be sampled)."""
    if isinstance(lhs, sp.MatrixBase) or isinstance(rhs, sp.MatrixBase):
        return None
    if not (lhs.has(sp.Sum, sp.Indexed) or rhs.has(sp.Sum, sp.Indexed)):
        return None
    if lhs.has(sp.Derivative, sp.Integral, sp.MatrixSymbol) or rhs.has(sp.Derivative, sp.Integral, sp.MatrixSymbol):
        return None
    domains, missing = ladder._sampling_plan((lhs, rhs))
    if missing:
        return None
    from .numeric.domains import exact_points

    at = exact_points(domains, rng, points) if domains else [{}] * points
    a, b = [], []
    for point in at:
        cache: dict[sp.Indexed, sp.Expr] = {}
        values = attempt(
            lambda p=point, c=cache: tuple(
                complex(ladder._instantiate(side, p, rng, c).evalf(17)) for side in (lhs, rhs)
            ),
            2.0,
        )
        if values is not None:
            a.append(values[0])
            b.append(values[1])
    if len(a) < points // 2:
        return None
    c = compare(np.real_if_close(np.array(a)), np.real_if_close(np.array(b)), rtol=1e-9)
    note = "at sampled sizes: sums expanded, indexed entries drawn" + (f"; {c.detail}" if c.detail else "")
    return c.samples, c.max_abs_error, c.max_rel_error, c.ok, note


def _check_statements(
    ident: Identity, ladder: Ladder, rng: np.random.Generator, n: int, chains: list[Chain]
) -> list[StatementCheck]:
    """Both sides of every symbolic statement, lambdified and compared at ``n`` random samples.

    A statement ``unknown = solution`` (concluded by solving an equation) is checked by
    substituting the solution into the equation it solves: the residual must vanish relative to
    the size of the equation's terms.
    """
    out = []
    domains = ident.domains
    values = sample_scalars(domains, rng, n) if domains else {}
    for st in ident.statements:
        rel = st.relation
        if rel is None:
            continue
        solved_unlambdifiable = False
        try:
            solved = _solution_residual(rel, chains, st.label) if isinstance(rel, sp.Eq) else None
        except (ValueError, TypeError):  # e.g. a Derivative with respect to the unknown itself
            solved, solved_unlambdifiable = None, True
        solved_unlambdifiable = solved_unlambdifiable or (
            solved is not None and any(e.has(sp.Sum, sp.Indexed, sp.Derivative, sp.Integral) for e in solved)
        )
        if solved_unlambdifiable:
            solved = None  # symbolic size or bound variable: not lambdifiable, left to the cross-check below
        if solved is not None:
            residual, size = (ladder.evaluate(e) for e in solved)
            try:
                r, scale = evaluate(residual, values, n), evaluate(size, values, n)
            except Exception as exc:  # reported as a failed check, not raised
                out.append(StatementCheck(st.label, 0, 0.0, 0.0, False, f"could not be evaluated: {exc}"))
                continue
            c = compare(r, np.zeros_like(r), rtol=1e-9, floor=float(np.median(np.abs(scale))))
            out.append(
                StatementCheck(
                    st.label,
                    c.samples,
                    c.max_abs_error,
                    c.max_rel_error,
                    c.ok,
                    "solution substituted into the equation it solves" + (f"; {c.detail}" if c.detail else ""),
                )
            )
            continue
        lhs, rhs = ladder.evaluate(rel.lhs), ladder.evaluate(rel.rhs)
        free = (lhs.free_symbols | rhs.free_symbols) if hasattr(lhs, "free_symbols") else set()
        # a solved statement (unknown = solution) is not an identity in its variables: never compare its sides
        sized = (
            _sampled_sizes(ladder, rel, lhs, rhs, rng) if isinstance(rel, sp.Eq) and not solved_unlambdifiable else None
        )
        if sized is not None:
            out.append(StatementCheck(st.label, *sized))
            continue
        if (
            lhs.has(sp.Derivative, sp.Integral, sp.Sum, sp.Indexed, sp.MatrixSymbol)
            or rhs.has(sp.Derivative, sp.Integral, sp.Sum, sp.Indexed, sp.MatrixSymbol)
            or not free <= set(values)
        ):
            out.append(
                StatementCheck(
                    st.label,
                    0,
                    0.0,
                    0.0,
                    True,
                    "not lambdifiable (symbolic size or bound variable): covered by the cross-check",
                )
            )
            continue
        try:
            a, b = evaluate(lhs, values, n), evaluate(rhs, values, n)
        except Exception as exc:
            out.append(StatementCheck(st.label, 0, 0.0, 0.0, False, f"could not be evaluated: {exc}"))
            continue
        if isinstance(rel, sp.Eq):
            floor = None
            if not np.any(b):  # a right side of 0: judge the left side against the size of its terms
                size = lhs.applyfunc(_term_size) if isinstance(lhs, sp.MatrixBase) else _term_size(lhs)
                floor = float(np.median(np.abs(evaluate(size, values, n))))
            c = compare(a, b, rtol=1e-9, floor=floor)
            out.append(StatementCheck(st.label, c.samples, c.max_abs_error, c.max_rel_error, c.ok, c.detail))
        else:
            big, small = (b, a) if isinstance(rel, (sp.Le, sp.Lt)) else (a, b)
            with np.errstate(all="ignore"):
                gap = np.asarray(big - small, dtype=float)
                scale = np.maximum(np.abs(big), np.abs(small)) + 1e-300
                finite = np.isfinite(gap)
                violations = (~finite) | (gap < -1e-12 * scale)
            worst = float(np.max(np.where(finite, -gap / scale, np.inf))) if gap.size else 0.0
            out.append(
                StatementCheck(
                    st.label,
                    int(np.size(gap)),
                    0.0,
                    max(worst, 0.0),
                    not bool(violations.any()),
                    "inequality holds at every sample"
                    if not violations.any()
                    else f"violated or non-finite at {int(violations.sum())} samples",
                )
            )
    return out


def prove(
    ident: Identity, *, seed: int | None = None, samples: int | None = None, symbolic_budget: float = 4.0
) -> Proof:
    """Derive ``ident``: run its derivation, verify each link, run the numeric checks."""
    start = time.perf_counter()
    seed = DEFAULT_SEED if seed is None else seed
    ladder = Ladder(
        domains=ident.domains, unfold=ident.unfold, seed=seed, salt=ident.name, symbolic_budget=symbolic_budget
    )
    d = Derivation(ident, ladder)
    failure: str | None = None
    try:
        ident.derivation(d)
        d.finish()
    except StepFailed as exc:
        failure = exc.message
        d.finish()
    except Exception as exc:
        tb = traceback.extract_tb(exc.__traceback__)
        where = next(
            (
                f"{f.filename.rsplit('/', 1)[-1]}:{f.lineno}"
                for f in reversed(tb)
                if f.name == ident.derivation.__name__
            ),
            "",
        )
        failure = f"{ident.name}: the derivation raised {type(exc).__name__}: {exc}" + (f" ({where})" if where else "")
        d.finish()
    missing = [s.label for s in ident.statements if s.relation is not None and s.label not in d.concluded]
    if failure is None and missing:
        failure = f"{ident.name}: statement(s) {', '.join(map(repr, missing))} not derived by any chain"

    rng = generator(seed, salt=ident.name)
    n = samples or ident.numeric_samples
    try:
        checks = _check_statements(ident, ladder, rng, n, d.chains)
    except Exception as exc:
        checks = [StatementCheck("claim", 0, 0.0, 0.0, False, f"numeric check raised {type(exc).__name__}: {exc}")]
    result_expr = _principal_result(ident, d.chains)
    ctx = CheckContext(ident, rng, seed, result_expr if result_expr is not None else ident.claim.rhs, dict(d.values))
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
    return Proof(
        ident,
        tuple(d.chains),
        tuple(_outcomes(ident, d.chains, numeric_results)),
        report,
        failure,
        time.perf_counter() - start,
        seed,
        _versions(),
    )


def _run_check(fn: object, ctx: CheckContext, name: str) -> CrossCheckResult:
    try:
        return fn(ctx)  # type: ignore[operator]
    except Exception as exc:
        return CrossCheckResult(name, "error", float("inf"), 0.0, 0, False, f"{type(exc).__name__}: {exc}")


def _versions() -> dict[str, str]:
    from . import __version__

    return {"derive": __version__, "sympy": sp.__version__, "numpy": np.__version__}
