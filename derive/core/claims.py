"""The numeric check of each statement: the left side evaluated independently, compared with the right.

A symbolic statement is checked on its own, beside its derivation, and never by comparing the right
side with SymPy's ``doit()`` of the left side (which may *be* the right side, so that the error is 0
by construction). Each check names its method (:attr:`StatementCheck.method`):

- ``lhs = rhs`` (and the inequalities) where the left side holds an operator or a defined function:
  the left side by its independent numeric route (:mod:`derive.numeric.independent`: finite
  differences for a ``Derivative``, quadrature for an ``Integral``, explicit summation at sampled
  sizes for a ``Sum``, points approaching the limit, ``mpmath`` matrices, definitions evaluated at
  their arguments), the right side as SymPy evaluated it, both at exact points of the domains
  (a few: these routes are expensive), compared with a tolerance relative to magnitude;
- ``lhs = rhs`` between closed forms: both sides lambdified and compared at many samples;
- ``lhs <= rhs``: the gap must be nonnegative at every sample;
- ``unknown = solution`` concluded by solving an equation: the solution substituted into the
  equation it solves, whose residual must vanish relative to the size of the equation's terms;
- a left side that is the right side itself once unfolded (the same expression, with no operator
  left to evaluate another way) is *vacuous*: the check says so and fails.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

import mpmath
import numpy as np
import sympy as sp
from sympy.core.function import AppliedUndef
from sympy.stats.rv import RandomSymbol

from ..errors import BudgetExceeded
from ..maths.domains import Domain, with_bounds
from ..maths.notation import Notation
from ..numeric import precise
from ..numeric.compare import compare, evaluate
from ..numeric.independent import Definitions, independent_value, needs_route
from ..numeric.precise import NotANumber
from ..numeric.sampling import exact_points, sample_scalars
from ..verify.budget import attempt, cpu_time
from ..verify.ladder import Ladder
from .derivation import Chain
from .linked import LinkedEntries, Links
from .refine import FIXED_ACCURACY, refined
from .refine import entries as _entries
from .statements import Statement

Values = Mapping[sp.Symbol, np.ndarray]

#: exact points for the pointwise (independent) route (at least ``MIN_POINTS`` when the statement's
#: budget runs out first), its digits and its CPU budgets
POINTS = 6
DIGITS = 30
MIN_POINTS = 3
POINT_BUDGET = 3.0
STATEMENT_BUDGET = 1.5
#: the relative tolerance of the pointwise comparison (the routes give 20+ digits, QUADPACK 11+)
RTOL = mpmath.mpf(10) ** -10

#: what lambdify cannot evaluate on vectorised samples
_OPAQUE = (sp.Derivative, sp.Integral, sp.Sum, sp.Product, sp.Limit, sp.Indexed, sp.MatrixSymbol)
_NAMED_MODULE = Notation.__module__  # where named_function makes its (undefined) function classes

SOLUTION = "solution substituted into the equation it solves"
CLOSED_FORMS = "closed forms compared as written"
BY_SYMPY = "left side evaluated by SymPy (doit), no independent route"
VACUOUS = "vacuous"
NOT_EVALUATED = "none: not evaluable at sampled points (covered by the cross-check)"


@dataclass(frozen=True)
class StatementCheck:
    """The numeric check of one statement: its left side evaluated independently (or both sides
    lambdified) and compared with its right side; ``method`` says how."""

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
    definitions: Definitions | None = None,
) -> list[StatementCheck]:
    """The numeric check of every symbolic statement, at ``n`` random samples of the domains
    (closed forms) or at :data:`POINTS` exact points (independent routes). ``definitions`` are
    the identity's (by default those of the identity whose ``unfold`` the ladder uses)."""
    defs = _definitions(ladder) if definitions is None else definitions
    values = sample_scalars(domains, rng, n) if domains else {}
    context = _Context(ladder, rng, n, values, defs)
    return [_check(st, _linked(context, st, chains), chains) for st in statements if st.relation is not None]


def _linked(ctx: _Context, st: Statement, chains: Sequence[Chain]) -> _Context:
    """``ctx`` with the named inverses and symmetric matrices that the facts assumed by the chains proving
    ``st`` declare (a link another statement's chain assumes is no premise of this one)."""
    return dataclasses.replace(ctx, links=Links.of(c for c in chains if c.statement == st.label))


def _definitions(ladder: Ladder) -> Definitions:
    owner = getattr(ladder.unfold, "__self__", None)
    return dict(getattr(owner, "definitions", None) or {})


@dataclass
class _Context:
    ladder: Ladder
    rng: np.random.Generator
    n: int
    values: Values
    definitions: Definitions
    #: named inverses and symmetric matrices, as the derivation's cited facts declare them
    links: Links = dataclasses.field(default_factory=Links)


def _check(st: Statement, ctx: _Context, chains: Sequence[Chain]) -> StatementCheck:
    rel = st.relation
    assert rel is not None
    try:
        rel, ctx, instantiated = _instantiate_functions(rel, ctx)
        check = _check_relation(st.label, rel, ctx, chains, instantiated)
    except BudgetExceeded:  # an enclosing budget ran out: not this check's failure
        raise
    except Exception as exc:  # reported as this statement's failed check, not raised
        note = f"the check raised {type(exc).__name__}: {exc}"
        return StatementCheck(st.label, 0, 0.0, 0.0, False, note, "none: the check itself failed")
    if instantiated and check.method not in (VACUOUS, NOT_EVALUATED):
        names = ", ".join(sorted({str(f) for f in instantiated}))
        return dataclasses.replace(check, method=f"{names} instantiated as seeded smooth functions; {check.method}")
    return check


def _check_relation(
    label: str, rel: sp.Basic, ctx: _Context, chains: Sequence[Chain], instantiated: Mapping[Any, sp.Lambda]
) -> StatementCheck:
    try:
        solved = _solution_residual(rel, chains, label) if isinstance(rel, sp.Eq) else None
    except (ValueError, TypeError):  # e.g. a Derivative with respect to the unknown itself
        return StatementCheck(label, 0, 0.0, 0.0, True, "a solution that cannot be substituted", NOT_EVALUATED)
    if solved is not None:
        return _check_solution(label, ctx, tuple(_replace(ctx.ladder.unfold(e), instantiated) for e in solved))
    ladder = ctx.ladder
    rhs = ladder.evaluate(_plain_deep(rel.rhs))  # (the ladder does not look into a nested notation)
    if needs_route(rel.lhs, ctx.definitions) or needs_route(ladder.unfold(rel.lhs)):
        checked, reason = _pointwise(label, rel, ctx, rhs)
        if checked is not None:
            return checked
        lhs = ladder.evaluate(rel.lhs)
        if _same(lhs, rhs):
            return _vacuous(label, f"the independent route failed ({reason}) and SymPy's evaluation is the right side")
        fallback, _ = _pointwise(label, rel, ctx, rhs, left=lhs)
        return fallback if fallback is not None else _closed_forms(label, rel, lhs, rhs, ctx, BY_SYMPY)
    lhs, rhs = _plain_deep(ladder.unfold(rel.lhs)), _plain_deep(rhs)
    if _same(lhs, rhs):
        return _vacuous(label)
    if any(e.has(*_OPAQUE) for e in (lhs, rhs) if hasattr(e, "has")) or _noncommutative(lhs, rhs):  # at points
        checked, _ = _pointwise(label, rel.func(lhs, rhs, evaluate=False), ctx, rhs)
        if checked is not None:
            return checked
    return _closed_forms(label, rel, lhs, rhs, ctx, CLOSED_FORMS)


def _arbitrary(e: sp.Basic, defs: Definitions) -> set[Any]:
    """The classes of the functions ``e`` applies that have no value: undefined functions
    (``Function('F')``, :func:`~derive.maths.notation.named_function`) without a definition."""
    if not hasattr(e, "atoms"):
        return set()
    heads = {h.func for h in defs}
    found = {f.func for f in e.atoms(sp.Function) if isinstance(f, AppliedUndef)}
    found |= {
        f.func
        for f in e.atoms(sp.Function)
        if type(f).__module__ == _NAMED_MODULE and not isinstance(f, Notation) and f.func not in heads
    }
    return found - heads


def _instantiate_functions(rel: sp.Basic, ctx: _Context) -> tuple[sp.Basic, _Context, dict[Any, sp.Lambda]]:
    """A statement about arbitrary functions (a residual block ``F``, a loss ``L``) checked for
    seeded smooth instances of them, ``c_0 + \\sum_i c_i \\sin(a_i u_i + b_i) + d \\tanh(\\sum_i e_i u_i)``,
    the same in both sides and in the definitions they use. Unchanged when there are none."""
    unfold = ctx.ladder.unfold
    sides = [_plain_deep(unfold(rel.lhs)), _plain_deep(unfold(rel.rhs))]
    used = [*sides, *(_plain_deep(b) for b in _bodies(sp.Tuple(rel.lhs, rel.rhs), ctx.definitions))]
    arities: dict[Any, int] = {}
    for e in used:
        for f in e.atoms(sp.Function) if hasattr(e, "atoms") else ():
            if f.func in _arbitrary(f, ctx.definitions):
                arities[f.func] = len(f.args)
    if not arities:
        return rel, ctx, {}
    lambdas = {f: _smooth(arities[f], ctx.rng) for f in sorted(arities, key=str)}
    lhs, rhs = (_replace(e, lambdas) for e in sides)
    defs = {h: _replace(b, lambdas) for h, b in ctx.definitions.items()}
    return rel.func(lhs, rhs, evaluate=False), dataclasses.replace(ctx, definitions=defs), lambdas


def _smooth(arity: int, rng: np.random.Generator) -> sp.Lambda:
    us = sp.symbols(f"u1:{arity + 1}", real=True)

    def c() -> sp.Rational:
        return sp.Rational(int(rng.integers(1, 10)) * int(rng.choice([-1, 1])), 7)

    waves = sum((c() * sp.sin(c() * u + c()) for u in us), sp.S.Zero)
    return sp.Lambda(us, c() + waves + c() * sp.tanh(sum((c() * u for u in us), sp.S.Zero) + c()))


def _replace(e: sp.Basic, lambdas: Mapping[Any, sp.Lambda]) -> sp.Basic:
    e = _plain_deep(e)
    for f, lam in lambdas.items():
        e = e.replace(f, lam)
    return e


def _plain_deep(e: sp.Basic) -> sp.Basic:
    """``e`` with every notation node read as its value."""
    if not hasattr(e, "replace") or not e.has(Notation):
        return e
    return e.replace(lambda x: isinstance(x, Notation), lambda x: x.args[1])


def _vacuous(label: str, note: str = "") -> StatementCheck:
    note = note or "the left side is the right side once unfolded, and no operator is left to evaluate independently"
    return StatementCheck(label, 0, 0.0, 0.0, False, note, VACUOUS)


def _same(a: sp.Basic, b: sp.Basic) -> bool:
    """The same expression: structurally equal, or a difference that is 0 before any rewriting
    (notation nodes read as their values)."""
    a, b = _plain_deep(a), _plain_deep(b)
    if isinstance(a, sp.MatrixBase) or isinstance(b, sp.MatrixBase):
        if not (isinstance(a, sp.MatrixBase) and isinstance(b, sp.MatrixBase)) or a.shape != b.shape:
            return False
        return all(_same(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b or (a - b) == 0)


def _closed_forms(
    label: str, rel: sp.Basic, lhs: sp.Basic, rhs: sp.Basic, ctx: _Context, method: str
) -> StatementCheck:
    """Both sides lambdified and compared at the ``n`` vectorised samples."""
    values, n = ctx.values, ctx.n
    free = (lhs.free_symbols | rhs.free_symbols) if hasattr(lhs, "free_symbols") else set()
    if lhs.has(*_OPAQUE) or rhs.has(*_OPAQUE) or not free <= set(values):
        note = "not lambdifiable (symbolic size or bound variable): covered by the cross-check"
        return StatementCheck(label, 0, 0.0, 0.0, True, note, NOT_EVALUATED)
    try:
        a, b = evaluate(lhs, values, n), evaluate(rhs, values, n)
    except Exception as exc:  # reported as a failed check, not raised
        return StatementCheck(label, 0, 0.0, 0.0, False, f"could not be evaluated: {exc}", method)
    if isinstance(rel, sp.Eq):
        floor = None
        if not np.any(b):  # a right side of 0: judge the left side against the size of its terms
            size = lhs.applyfunc(_term_size) if isinstance(lhs, sp.MatrixBase) else _term_size(lhs)
            floor = float(np.median(np.abs(evaluate(size, values, n))))
        c = compare(a, b, rtol=1e-9, floor=floor)
        return StatementCheck(label, c.samples, c.max_abs_error, c.max_rel_error, c.ok, c.detail, method)
    return _check_inequality(label, rel, a, b, method)


# ------------------------------------------------------------------------------ pointwise
@dataclass
class _Sampled:
    """Values of both sides at the points that could be evaluated."""

    left: list[Any]
    right: list[Any]
    scales: list[Any]
    routes: set[str]
    sizes: dict[str, set[int]]
    tried: int
    #: each point's error bound (0 where its sides agreed at once; see :func:`_both_sides`)
    noise: list[Any]
    #: why the first point that could not be evaluated was not
    reason: str = ""


def _pointwise(
    label: str, rel: sp.Basic, ctx: _Context, rhs: sp.Basic, left: sp.Basic | None = None
) -> tuple[StatementCheck | None, str]:
    """The statement at :data:`POINTS` exact points: its left side by the independent route (or
    ``left``, SymPy's evaluation, when given), its right side ``rhs`` with mpmath. ``None`` and
    the reason when fewer than half the points could be evaluated."""
    lhs = rel.lhs if left is None else left
    defs = ctx.definitions if left is None else {}
    got = _sample(lhs, rhs, ctx, defs, refine=isinstance(rel, sp.Eq))
    if got is None:
        return None, "a symbol without a domain"
    if len(got.left) < max(1, got.tried // 2):
        return None, f"{got.tried - len(got.left)} of {got.tried} points not evaluated: {got.reason}"
    if left is None and not got.routes and _same(ctx.ladder.unfold(rel.lhs), rhs):
        return _vacuous(label), ""
    method = _method(got, BY_SYMPY if left is not None else "")
    if not isinstance(rel, sp.Eq):
        a, b = (np.array([_floats(v) for v in vs]) for vs in (got.left, got.right))
        return _check_inequality(label, rel, a, b, method), ""
    zero = all(v == 0 for r in got.right for v in _entries(r))
    # linked entries (a matrix and its inverse) are exact to DIGITS + 20 only: no refinement helps
    exact = not (zero or got.routes & FIXED_ACCURACY or ctx.links)
    floors = [n / RTOL for n in got.noise] if exact else None
    samples, abs_err, rel_err, ok, detail = _compare(got.left, got.right, _median(got.scales) if zero else None, floors)
    note = f"{samples} of {got.tried} exact points at {DIGITS} digits" + (f"; {detail}" if detail else "")
    return StatementCheck(label, samples, abs_err, rel_err, ok, note, method), ""


def _method(got: _Sampled, first: str) -> str:
    """``first`` (if any) and the routes taken, the sizes sampled written after the summation:
    ``Derivative: mpmath.diff ...; Sum: explicit summation at n = 2, 5, 7``."""
    routes = [] if first == BY_SYMPY else sorted(got.routes)
    sizes = ", ".join(f"{k} = {', '.join(map(str, sorted(v)))}" for k, v in sorted(got.sizes.items()))
    parts = [first] if first else []
    for route in routes:
        parts.append(f"{route} at {sizes}" if sizes and route.startswith(("Sum:", "Product:")) else route)
    method = "; ".join(parts) or CLOSED_FORMS
    if sizes and not any(r.startswith(("Sum:", "Product:")) for r in routes):
        method += f" at {sizes}"
    return method


def _compare(
    left: list[Any], right: list[Any], floor: Any | None, floors: Sequence[Any] | None = None
) -> tuple[int, float, float, bool, str]:
    """``|a - b| / (max(|a|, |b|) + floor)`` at every point, in mpmath (so an agreement to 25
    digits reads as such, not as 0.0); ``floor`` defaults to the median size of the nonzero right
    values. ``floors`` (one per point: the point's own error bound over :data:`RTOL`) replaces
    that borrowed size: each point is then judged relative to its own magnitude, so a difference
    where the values are 1e-60 counts. Passes if every point is within :data:`RTOL`."""
    if floor is None:
        floor = _median([abs(v) for r in right for v in _entries(r) if v != 0])
    tiny = mpmath.mpf(10) ** -300
    each = [max(f, tiny) for f in floors] if floors is not None else [max(floor, tiny)] * len(left)
    worst_abs, worst_rel, bad = mpmath.mpf(0), mpmath.mpf(0), 0
    for a, b, fl in zip(left, right, each, strict=True):
        pairs = zip(_entries(a), _entries(b), strict=True)
        errs = [(abs(x - y), abs(x - y) / (max(abs(x), abs(y)) + fl)) for x, y in pairs]
        worst_abs = max([worst_abs, *(e for e, _ in errs)])
        rel = max((r for _, r in errs), default=mpmath.mpf(0))
        worst_rel = max(worst_rel, rel)
        bad += int(rel > RTOL)
    detail = f"{bad} of {len(left)} points outside the tolerance" if bad else ""
    return len(left), float(worst_abs), float(worst_rel), bad == 0, detail


def _floats(v: Any) -> Any:
    return np.array([float(mpmath.re(x)) for x in _entries(v)]) if isinstance(v, mpmath.matrix) else float(mpmath.re(v))


def _median(values: list[Any]) -> Any:
    return sorted(values)[len(values) // 2] if values else mpmath.mpf(0)


def _sample(lhs: sp.Basic, rhs: sp.Basic, ctx: _Context, defs: Definitions, *, refine: bool = False) -> _Sampled | None:
    """Both sides at :data:`POINTS` exact points; ``refine``: a point whose sides disagree is
    evaluated again at :data:`~.refine.REFINE_DIGITS` (see :func:`_both_sides`)."""
    ladder = ctx.ladder
    unfolded = ladder.unfold(lhs)
    domains, missing = ladder.sampling_plan((unfolded, rhs, *_hidden(lhs, defs)))
    if missing - {p for h in defs for p in h.args} - _noncommutative(unfolded, rhs):  # (those need none)
        return None
    domains = with_bounds(domains, ladder.domains)
    try:
        points = exact_points(domains, ctx.rng, POINTS) if domains else [{}]
        if len(points) == 1 and _noncommutative(unfolded, rhs):
            points = points * POINTS  # the random matrices are the samples
    except ValueError:  # bounds that cannot be resolved
        return None
    sized = _size_symbols(unfolded) | _size_symbols(rhs)
    out = _Sampled([], [], [], set(), {}, 0, [])
    deadline = cpu_time() + STATEMENT_BUDGET
    for point in points:
        if cpu_time() > deadline and len(out.left) >= MIN_POINTS:
            break  # an expensive route (a derivative of an integral): fewer points, not more time
        out.tried += 1
        at = attempt(partial(_at_point, lhs, rhs, point, ctx, defs, refine), POINT_BUDGET)
        if not isinstance(at, tuple):
            out.reason = out.reason or at or "out of time"
            continue
        left, right, scale, routes, noise = at
        out.noise.append(noise)
        out.left.append(left)
        out.right.append(right)
        out.scales.append(scale)
        out.routes |= routes
        for s in sized:
            if s in point:
                out.sizes.setdefault(str(s), set()).add(int(point[s]))
    return out


def _noncommutative(*exprs: sp.Basic) -> set[sp.Symbol]:
    """The non-commutative symbols (a Jacobian ``J``): each is given a random matrix at each point."""
    return set().union(*(_noncommutative_in(e) for e in exprs))


def _noncommutative_in(e: sp.Basic) -> frozenset[sp.Symbol]:
    if isinstance(e, sp.Basic):
        return _noncommutative_of(e)
    # a mutable matrix is not hashable: the same function, uncached
    return _noncommutative_of.__wrapped__(e) if hasattr(e, "free_symbols") else frozenset()


@functools.lru_cache(maxsize=1024)
def _noncommutative_of(e: sp.Basic) -> frozenset[sp.Symbol]:
    """Cached: the statement checks ask at every point, and a sum's free symbols are walked anew."""
    return frozenset(s for s in e.free_symbols if s.is_commutative is False)


def _hidden(e: sp.Basic, defs: Definitions) -> list[sp.Basic]:
    """What ``e`` depends on without showing it: the bodies of the definitions it uses, directly
    or through other bodies (``eta(0)`` needs the schedule's parameters although ``eta_max`` does
    not), and the parameters of its random variables (``E[X]`` for ``X ~ N(mu, sigma^2)``)."""
    hidden = _bodies(e, defs)
    for node in [e, *hidden]:
        if hasattr(node, "atoms"):
            hidden += [sp.Tuple(*x.pspace.distribution.args) for x in node.atoms(RandomSymbol)]
    return hidden


def _bodies(e: sp.Basic, defs: Definitions) -> list[sp.Basic]:
    """The bodies of the definitions ``e`` uses, directly or through other bodies."""
    heads = {h.func: b for h, b in defs.items()}
    found: dict[Any, sp.Basic] = {}
    todo = [e]
    while todo:
        x = todo.pop()
        for node in sp.preorder_traversal(x):
            if node.func in heads and node.func not in found:
                found[node.func] = heads[node.func]
                todo.append(heads[node.func])
    return list(found.values())


def _size_symbols(e: sp.Basic) -> set[sp.Symbol]:
    """The symbols in the bounds of sums and products (the sizes sampled)."""
    if not hasattr(e, "atoms"):
        return set()
    found: set[sp.Symbol] = set()
    for node in e.atoms(sp.Sum, sp.Product):
        for _, lo, hi in node.limits:
            found |= {s for s in lo.free_symbols | hi.free_symbols if isinstance(s, sp.Symbol)}
    bound = {lim[0] for node in e.atoms(sp.Sum, sp.Product) for lim in node.limits}
    return found - bound


def _at_point(
    lhs: sp.Basic, rhs: sp.Basic, point: Mapping[sp.Symbol, sp.Expr], ctx: _Context, defs: Definitions, refine: bool
) -> tuple[Any, Any, Any, frozenset[str], Any] | str:
    """Both sides at one exact point (entries ``z[k]`` drawn once, shared by both sides), or why not."""
    try:
        return _both_sides(lhs, rhs, point, ctx, defs, refine)
    except (NotANumber, ValueError, TypeError, ZeroDivisionError, ArithmeticError) as exc:
        return f"{type(exc).__name__}: {exc}"


def _both_sides(
    lhs: sp.Basic, rhs: sp.Basic, point: Mapping[sp.Symbol, sp.Expr], ctx: _Context, defs: Definitions, refine: bool
) -> tuple[Any, Any, Any, frozenset[str], Any]:
    """Both sides at :data:`DIGITS` digits, their scale, routes and an error bound. With ``refine``,
    sides that disagree (a false statement, or values swamped by round-off) are evaluated again
    at :data:`~.refine.REFINE_DIGITS` (:func:`~.refine.refined`), except with linked entries (a
    matrix and its inverse, exact to ``DIGITS + 20`` only)."""
    cache: dict[tuple[sp.Basic, tuple[int, ...]], Any] = {}
    entry: Callable[..., Any] = partial(_entry, ctx.ladder.domains, ctx.rng, cache)
    if ctx.links:  # a matrix and its named inverse drawn together
        entry = LinkedEntries(ctx.links, partial(_draw, ctx.ladder.domains, ctx.rng), point, DIGITS + 20)
    matrices = {
        s: mpmath.matrix(ctx.rng.normal(size=(3, 3)).tolist()) for s in sorted(_noncommutative(lhs, rhs), key=str)
    }
    if not defs:
        lhs = ctx.ladder.unfold(lhs)

    def at(dps: int) -> tuple[Any, Any, Any, frozenset[str]]:
        values = {**precise.to_mp(point, dps + 20), **matrices}
        left = independent_value(lhs, values, dps=dps, entry=entry, definitions=defs)
        return left.value, _mp_value(rhs, values, entry, dps), left.scale, left.routes

    first = at(DIGITS)
    return refined(at, first, RTOL) if refine and not ctx.links else (*first, mpmath.mpf(0))


def _entry(
    domains: Mapping[sp.Basic, Domain],
    rng: np.random.Generator,
    cache: dict[tuple[sp.Basic, tuple[int, ...]], Any],
    base: sp.IndexedBase,
    indices: tuple[int, ...],
) -> Any:
    """The value of the entry ``base[indices]``, drawn from its domain the first time it is read."""
    key = (base, indices)
    if key not in cache:
        cache[key] = _draw(domains, rng, base)
    return cache[key]


def _draw(domains: Mapping[sp.Basic, Domain], rng: np.random.Generator, base: sp.IndexedBase) -> Any:
    """One entry of ``base`` drawn from its domain."""
    dom = domains.get(base, domains.get(base.label))
    if dom is None:
        raise ValueError(f"no domain for the entries of {base}")
    return mpmath.mpf(float(dom.sample(rng, 1, {})[0]))


def _mp_value(e: sp.Basic, at: Mapping[sp.Basic, Any], entry: Callable[..., Any], dps: int = DIGITS) -> Any:
    if _noncommutative(e):  # as written, with matrices for the non-commutative symbols
        return independent_value(e, at, dps=dps, entry=entry).value
    if isinstance(e, sp.MatrixBase):
        return mpmath.matrix([[_mp_value(e[i, j], at, entry, dps) for j in range(e.cols)] for i in range(e.rows)])
    return precise.mp_value(e, at, dps, entry)


# ------------------------------------------------------------------------------ solutions
def _check_solution(label: str, ctx: _Context, solved: tuple[sp.Basic, sp.Basic]) -> StatementCheck:
    """The residual of the equation at the solution, which must vanish relative to the size of
    the equation's terms: lambdified, or at exact points when it holds operators or sizes."""
    residual, size = solved
    if needs_route(residual, ctx.definitions) or residual.has(sp.Indexed):
        return _solution_pointwise(label, ctx, residual, size)
    residual, size = (ctx.ladder.evaluate(e) for e in solved)
    try:
        r, scale = evaluate(residual, ctx.values, ctx.n), evaluate(size, ctx.values, ctx.n)
    except Exception as exc:  # reported as a failed check, not raised
        return StatementCheck(label, 0, 0.0, 0.0, False, f"could not be evaluated: {exc}", SOLUTION)
    c = compare(r, np.zeros_like(r), rtol=1e-9, floor=float(np.median(np.abs(scale))))
    return StatementCheck(label, c.samples, c.max_abs_error, c.max_rel_error, c.ok, c.detail, SOLUTION)


def _solution_pointwise(label: str, ctx: _Context, residual: sp.Basic, size: sp.Basic) -> StatementCheck:
    got = _sample(residual, ctx.ladder.evaluate(size), ctx, ctx.definitions)
    if got is None or len(got.left) < max(1, got.tried // 2):
        reason = "a symbol without a domain" if got is None else got.reason
        return StatementCheck(label, 0, 0.0, 0.0, True, f"the residual could not be evaluated: {reason}", NOT_EVALUATED)
    floor = _median([max([*map(abs, _entries(r)), s]) for r, s in zip(got.right, got.scales, strict=True)])
    zeros = [v * 0 for v in got.left]
    samples, abs_err, rel_err, ok, detail = _compare(got.left, zeros, floor)
    note = f"{samples} of {got.tried} exact points at {DIGITS} digits" + (f"; {detail}" if detail else "")
    return StatementCheck(label, samples, abs_err, rel_err, ok, note, _method(got, SOLUTION))


def _check_inequality(label: str, rel: sp.Basic, a: np.ndarray, b: np.ndarray, method: str) -> StatementCheck:
    big, small = (b, a) if isinstance(rel, (sp.Le, sp.Lt)) else (a, b)
    with np.errstate(all="ignore"):
        gap = np.asarray(big - small, dtype=float)
        scale = np.maximum(np.abs(big), np.abs(small)) + 1e-300
        finite = np.isfinite(gap)
        violations = (~finite) | (gap < -1e-12 * scale)
    worst = float(np.max(np.where(finite, -gap / scale, np.inf))) if gap.size else 0.0
    held = not bool(violations.any())
    note = "inequality holds at every sample" if held else f"violated or non-finite at {int(violations.sum())} samples"
    return StatementCheck(label, int(np.size(gap)), 0.0, max(worst, 0.0), held, note, method)


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
    difference = start.lhs - start.rhs
    try:
        residual = difference.xreplace(pairs)
    except (ValueError, TypeError):  # a derivative with respect to the unknown: evaluated there
        residual = sp.Subs(difference, tuple(pairs), tuple(pairs.values()))
    terms = residual.applyfunc(_term_size) if isinstance(residual, sp.MatrixBase) else _term_size(residual)
    return residual, terms


def _term_size(e: sp.Expr) -> sp.Expr:
    # terms as written and expanded: an exact solution expands to 0, which must not make the scale 0
    terms = [*sp.Add.make_args(e), *sp.Add.make_args(sp.expand(e))]
    return sp.Add(*[sp.Abs(t) for t in terms])
