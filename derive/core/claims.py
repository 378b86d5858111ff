"""The numeric check of each statement: both sides evaluated at seeded samples and compared.

A symbolic statement is checked on its own, beside its derivation:

- ``lhs = rhs``: both sides lambdified and compared with a tolerance relative to magnitude;
- ``lhs <= rhs`` (and the other inequalities): the gap must be nonnegative at every sample;
- ``unknown = solution`` concluded by solving an equation: the solution substituted into the
  equation it solves, whose residual must vanish relative to the size of the equation's terms;
- a statement over a symbolic size (sums to ``n``, indexed entries): checked at sampled sizes, sums
  expanded and entries drawn (:meth:`~derive.verify.ladder.Ladder.instantiate`);
- what cannot be lambdified (a bound variable left unevaluated) is left to the cross-check, and the
  report says so.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import partial

import numpy as np
import sympy as sp

from ..maths.domains import Domain
from ..numeric import precise
from ..numeric.compare import compare, evaluate
from ..numeric.sampling import exact_points, sample_scalars
from ..verify.budget import attempt
from ..verify.ladder import Ladder
from .derivation import Chain
from .statements import Statement

Values = Mapping[sp.Symbol, np.ndarray]


@dataclass(frozen=True)
class StatementCheck:
    """The numeric check of one statement: both sides lambdified and compared on samples."""

    label: str
    samples: int
    max_abs_error: float
    max_rel_error: float
    ok: bool
    note: str = ""
    #: how the left side was evaluated independently of the symbolic route (quadrature, finite
    #: differences, explicit summation...); "vacuous" if both sides were the same expression
    method: str = ""


def check_statements(
    statements: Sequence[Statement],
    domains: Mapping[sp.Basic, Domain],
    ladder: Ladder,
    rng: np.random.Generator,
    n: int,
    chains: Sequence[Chain],
) -> list[StatementCheck]:
    """The numeric check of every symbolic statement, at ``n`` random samples of the domains."""
    values = sample_scalars(domains, rng, n) if domains else {}
    return [_check(st, ladder, rng, n, chains, values) for st in statements if st.relation is not None]


def _check(
    st: Statement, ladder: Ladder, rng: np.random.Generator, n: int, chains: Sequence[Chain], values: Values
) -> StatementCheck:
    rel = st.relation
    assert rel is not None
    unsolvable = False
    try:
        solved = _solution_residual(rel, chains, st.label) if isinstance(rel, sp.Eq) else None
    except (ValueError, TypeError):  # e.g. a Derivative with respect to the unknown itself
        solved, unsolvable = None, True
    if solved is not None and any(e.has(sp.Sum, sp.Indexed, sp.Derivative, sp.Integral) for e in solved):
        solved, unsolvable = None, True  # symbolic size or bound variable: left to the cross-check below
    if solved is not None:
        return _check_solution(st.label, ladder, solved, values, n)
    lhs, rhs = ladder.evaluate(rel.lhs), ladder.evaluate(rel.rhs)
    # a solved statement (unknown = solution) is not an identity in its variables: never compare its sides
    if isinstance(rel, sp.Eq) and not unsolvable:
        sized = _sampled_sizes(ladder, lhs, rhs, rng)
        if sized is not None:
            return StatementCheck(st.label, *sized)
    free = (lhs.free_symbols | rhs.free_symbols) if hasattr(lhs, "free_symbols") else set()
    opaque = (sp.Derivative, sp.Integral, sp.Sum, sp.Indexed, sp.MatrixSymbol)
    if lhs.has(*opaque) or rhs.has(*opaque) or not free <= set(values):
        note = "not lambdifiable (symbolic size or bound variable): covered by the cross-check"
        return StatementCheck(st.label, 0, 0.0, 0.0, True, note)
    try:
        a, b = evaluate(lhs, values, n), evaluate(rhs, values, n)
    except Exception as exc:  # reported as a failed check, not raised
        return StatementCheck(st.label, 0, 0.0, 0.0, False, f"could not be evaluated: {exc}")
    if isinstance(rel, sp.Eq):
        return _check_equation(st.label, lhs, a, b, values, n)
    return _check_inequality(st.label, rel, a, b)


def _check_solution(
    label: str, ladder: Ladder, solved: tuple[sp.Basic, sp.Basic], values: Values, n: int
) -> StatementCheck:
    residual, size = (ladder.evaluate(e) for e in solved)
    try:
        r, scale = evaluate(residual, values, n), evaluate(size, values, n)
    except Exception as exc:  # reported as a failed check, not raised
        return StatementCheck(label, 0, 0.0, 0.0, False, f"could not be evaluated: {exc}")
    c = compare(r, np.zeros_like(r), rtol=1e-9, floor=float(np.median(np.abs(scale))))
    note = "solution substituted into the equation it solves" + (f"; {c.detail}" if c.detail else "")
    return StatementCheck(label, c.samples, c.max_abs_error, c.max_rel_error, c.ok, note)


def _check_equation(label: str, lhs: sp.Basic, a: np.ndarray, b: np.ndarray, values: Values, n: int) -> StatementCheck:
    floor = None
    if not np.any(b):  # a right side of 0: judge the left side against the size of its terms
        size = lhs.applyfunc(_term_size) if isinstance(lhs, sp.MatrixBase) else _term_size(lhs)
        floor = float(np.median(np.abs(evaluate(size, values, n))))
    c = compare(a, b, rtol=1e-9, floor=floor)
    return StatementCheck(label, c.samples, c.max_abs_error, c.max_rel_error, c.ok, c.detail)


def _check_inequality(label: str, rel: sp.Basic, a: np.ndarray, b: np.ndarray) -> StatementCheck:
    big, small = (b, a) if isinstance(rel, (sp.Le, sp.Lt)) else (a, b)
    with np.errstate(all="ignore"):
        gap = np.asarray(big - small, dtype=float)
        scale = np.maximum(np.abs(big), np.abs(small)) + 1e-300
        finite = np.isfinite(gap)
        violations = (~finite) | (gap < -1e-12 * scale)
    worst = float(np.max(np.where(finite, -gap / scale, np.inf))) if gap.size else 0.0
    held = not bool(violations.any())
    note = "inequality holds at every sample" if held else f"violated or non-finite at {int(violations.sum())} samples"
    return StatementCheck(label, int(np.size(gap)), 0.0, max(worst, 0.0), held, note)


def _solution_residual(rel: sp.Eq, chains: Sequence[Chain], label: str) -> tuple[sp.Basic, sp.Basic] | None:
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
    ladder: Ladder, lhs: sp.Basic, rhs: sp.Basic, rng: np.random.Generator, points: int = 10
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
    domains, missing = ladder.sampling_plan((lhs, rhs))
    if missing:
        return None
    at = exact_points(domains, rng, points) if domains else [{}] * points
    a, b = [], []
    for point in at:
        cache: dict[sp.Indexed, sp.Expr] = {}
        values = attempt(partial(_floats, ladder, (lhs, rhs), point, rng, cache), 2.0)
        if values is not None:
            a.append(values[0])
            b.append(values[1])
    if len(a) < points // 2:
        return None
    c = compare(np.real_if_close(np.array(a)), np.real_if_close(np.array(b)), rtol=1e-9)
    note = "at sampled sizes: sums expanded, indexed entries drawn" + (f"; {c.detail}" if c.detail else "")
    return c.samples, c.max_abs_error, c.max_rel_error, c.ok, note


def _floats(
    ladder: Ladder,
    exprs: tuple[sp.Basic, ...],
    point: Mapping[sp.Symbol, sp.Expr],
    rng: np.random.Generator,
    cache: dict[sp.Indexed, sp.Expr],
) -> tuple[complex, ...]:
    return tuple(_float(ladder.instantiate(e, point, rng, cache)) for e in exprs)


def _float(e: sp.Basic) -> complex:
    """A closed expression in double precision: NaN when it has no finite value (which fails the
    check), an error when it is not closed (an entry under a sum that could not be unrolled: the
    point is skipped rather than evaluated wrongly)."""
    if e.free_symbols:
        raise ValueError("not a closed expression")
    v = precise.value(e, 17)
    return complex("nan") if v is None else complex(v)
