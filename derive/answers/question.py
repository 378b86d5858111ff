r"""What an answer is checked against: a :class:`Context` built from an identity's ``Question``
or from a teacher's expected answer with the variables' domain words.

A context holds the targets (the expected expression and its equally correct ``forms``), the
:class:`~derive.answers.parse.Scope` a student's text is read in (declared variables shadow
function names), the domains of the variables, the sample points of the domain (edges, random
points, large magnitudes) and the target's values there, computed once and reused by every
answer to the same question.

Domain words (:func:`parse_domain`, spelled as :func:`derive.maths.domains.from_word` reads them):
``real``, ``positive``, ``nonnegative``, ``negative``, ``probability``, ``integer``, ``integer>=1``
(any bound), intervals ``(0,1)``, ``[0,1]``, ``(0, T]``, ``[-8, 8]`` whose ends may name other
variables and may be ``inf``.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import mpmath
import sympy as sp

from ..core.registry import REGISTRY
from ..errors import AnswerSyntaxError, BudgetExceeded, NoQuestionError
from ..maths.domains import Domain, from_word, integer, real
from ..numeric.precise import DIGITS, NotANumber, to_mp
from ..numeric.sampling import exact_points, generator
from ..verify.budget import time_limit
from .parse import CONSTANTS, FUNCTIONS, Scope, lark_parser, normalise, parse
from .precision import JUMPS, Measured, exact_jumps, measure, realised

POINTS = 36
QUICK = 8
#: the most expressions whose values at the sample points a context keeps
CACHED_EXPRESSIONS = 256
PREPARE_SECONDS = 10.0


@dataclass
class Context:
    """Everything needed to judge answers to one question (built once per worker and question)."""

    key: str
    target: sp.Basic
    forms: tuple[sp.Basic, ...]
    scope: Scope
    matrix_scope: Scope | None
    domains: dict[sp.Basic, Domain]
    unfold: Callable[[sp.Basic], sp.Basic] = lambda e: e
    approximations: Mapping[str, sp.Basic] = field(default_factory=dict)
    points: list[dict[sp.Basic, sp.Expr]] = field(default_factory=list)
    _measured: dict[Any, list[Measured | None]] = field(default_factory=dict)
    _entries: list[dict[sp.Basic, sp.Expr]] = field(default_factory=list)
    _unfold_cache: dict[sp.Basic, sp.Basic] = field(default_factory=dict)
    _jumpy: dict[sp.Basic, bool] = field(default_factory=dict)
    _rngs: list[Any] = field(default_factory=list)
    _sample: dict[sp.Symbol, Domain] = field(default_factory=dict)

    @property
    def scalar_targets(self) -> list[sp.Basic]:
        return [t for t in (self.target, *self.forms) if not isinstance(t, sp.MatrixBase)]

    @property
    def matrix_targets(self) -> list[sp.Basic]:
        return [t for t in (self.target, *self.forms) if isinstance(t, sp.MatrixBase)]

    # -- values at the sample points -----------------------------------------------------------
    def measure_at(
        self,
        expr: sp.Basic,
        point: Mapping[sp.Basic, sp.Expr],
        entries: dict[Any, sp.Expr],
        rng: Any,
        dps: int = DIGITS,
        *,
        bound: bool = True,
    ) -> Measured | None:
        """The value of ``expr`` at the exact ``point`` and a bound on its round-off (``None`` if
        undefined there; no bound if not ``bound``). Jumps are decided exactly at the point; entries
        ``z[k]`` of indexed variables are drawn from their domain once per point (``entries`` keeps
        them)."""
        e = self.unfolded(expr)
        jumpy = self._jumpy.get(e)
        if jumpy is None:
            jumpy = self._jumpy[e] = e.has(*JUMPS)
        if jumpy:
            e = exact_jumps(e, point)
        free = e.free_symbols
        pt = to_mp({k: v for k, v in point.items() if k in free}, dps)

        def entry(base: sp.IndexedBase, idx: tuple[int, ...]) -> Any:
            key = (base, idx)
            if key not in entries:
                dom = self.domains.get(base, self.domains.get(base.label, real(-3, 3)))
                entries[key] = sp.Rational(repr(float(dom.sample(rng, 1, {})[0])))
            q = entries[key]
            return mpmath.mpf(int(q.p)) / int(q.q)

        try:
            return measure(e, pt, dps, entry, bound=bound)
        except NotANumber:
            return None

    def value_at(
        self,
        expr: sp.Basic,
        point: Mapping[sp.Basic, sp.Expr],
        entries: dict[Any, sp.Expr],
        rng: Any,
        dps: int = DIGITS,
    ) -> Any:
        """The value of ``expr`` at ``point`` (``None`` if undefined there), as :meth:`measure_at`."""
        m = self.measure_at(expr, point, entries, rng, dps, bound=False)
        return None if m is None else m.value

    def measure(self, expr: sp.Basic, i: int, dps: int = DIGITS) -> Measured | None:
        """:meth:`measure_at` the ``i``-th sample point; at :data:`DIGITS`, cached for the question's
        own expressions (``cache=True`` in :meth:`values`)."""
        if dps == DIGITS and expr in self._measured:
            return self._measured[expr][i]
        return self.measure_at(expr, self.points[i], self._entries[i], self._rngs[i], dps)

    def value(self, expr: sp.Basic, i: int, dps: int = DIGITS) -> Any:
        """The value of ``expr`` at the ``i``-th sample point."""
        if dps == DIGITS and expr in self._measured:
            m = self._measured[expr][i]
            return None if m is None else m.value
        return self.value_at(expr, self.points[i], self._entries[i], self._rngs[i], dps)

    def fresh_points(self, n: int) -> list[dict[sp.Basic, sp.Expr]]:
        """``n`` random points from an unpredictable seed: the fixed points are reproducible, so an
        answer crafted to agree only there still meets points nobody could know in advance."""
        import secrets

        import numpy as np

        if not self._sample:
            return []
        rng = np.random.Generator(np.random.PCG64(secrets.randbits(64)))
        return exact_points(self._sample, rng, 2 * n)[n:]  # the random half, not the edges

    def unfolded(self, expr: sp.Basic) -> sp.Basic:
        """``expr`` with the identity's defined functions replaced by their definitions (cached)."""
        out = self._unfold_cache.get(expr)
        if out is None:
            out = self.unfold(expr)
            if len(self._unfold_cache) > 512:
                self._unfold_cache.clear()
                self._jumpy.clear()
            self._unfold_cache[expr] = out
        return out

    def values(self, expr: sp.Basic, upto: int | None = None, *, cache: bool = False) -> list[Any]:
        """The values at the first ``upto`` sample points (all by default), as :meth:`measures`."""
        if cache or expr in self._measured:
            return [None if m is None else m.value for m in self.measures(expr, upto, cache=cache)]
        n = len(self.points) if upto is None else min(upto, len(self.points))
        return [self.value(expr, i) for i in range(n)]

    def measures(self, expr: sp.Basic, upto: int | None = None, *, cache: bool = False) -> list[Measured | None]:
        """:meth:`measure` at the first ``upto`` sample points (all by default); ``cache`` keeps the
        full list at :data:`DIGITS` for the next answer to the question."""
        n = len(self.points) if upto is None else min(upto, len(self.points))
        if expr in self._measured:
            return self._measured[expr][:n]
        if not cache:
            return [self.measure(expr, i) for i in range(n)]
        out = [self.measure(expr, i) for i in range(len(self.points))]
        if len(self._measured) > CACHED_EXPRESSIONS:
            self._measured.clear()
        self._measured[expr] = out
        return out[:n]


def expand_finite(e: sp.Basic, limit: int = 1000) -> sp.Basic:
    """Sums and products with integer bounds written out term by term (much faster than ``doit``,
    which looks for closed forms); others are left as they are."""
    if not isinstance(e, sp.Basic) or not e.has(sp.Sum, sp.Product):
        return e
    if isinstance(e, sp.Sum | sp.Product):
        body = expand_finite(e.function, limit)
        for k, lo, hi in reversed(e.limits):
            if not (lo.is_Integer and hi.is_Integer) or hi - lo > limit:
                return e
            terms = [body.xreplace({k: sp.Integer(v)}) for v in range(int(lo), int(hi) + 1)]
            body = sp.Add(*terms) if isinstance(e, sp.Sum) else sp.Mul(*terms)
        return expand_finite(body, limit)
    return e.func(*[expand_finite(a, limit) for a in e.args])


# ------------------------------------------------------------------------------------ domains
def parse_domain(word: str, symbols: Mapping[str, sp.Symbol] | None = None) -> Domain:
    """A :class:`Domain` from a domain word (:func:`derive.maths.domains.from_word`); an interval's
    ends are read by the answer parser, so they may name the variables in ``symbols``."""

    def bound(text: str) -> sp.Expr:
        try:
            return parse(text, Scope(variables=dict(symbols or {})))
        except AnswerSyntaxError as exc:
            raise ValueError(f"cannot read the bound {text!r}: {exc}") from None

    return from_word(word, bound)


def _symbol_for(name: str, word: str) -> sp.Symbol:
    """The variable's symbol; its assumptions come from a constant lower bound only."""
    if not re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", name):
        raise ValueError(f"variable name {name!r} must be letters, digits and _")
    try:
        dom = parse_domain(word, {})
    except ValueError:
        return sp.Symbol(name, real=True)  # bounds name other variables: real, refined by sampling
    return dom.symbol(name)


# ------------------------------------------------------------------------------------ contexts
def guess_variables(expected: str, *, latex: bool = False) -> dict[str, str]:
    """Every word of ``expected`` that is not a known function or constant, as a real variable."""
    words: dict[str, str] = {}
    try:
        tokens = list(lark_parser().lex(normalise(expected, latex=latex)))
    except Exception as exc:
        raise ValueError(f"the expected answer could not be read: {exc}") from None
    for tok in tokens:
        if tok.type in ("NAME", "CMD", "CALL"):
            word = str(tok).rstrip("( \t").lstrip("\\")
            if word not in FUNCTIONS and word not in CONSTANTS:
                words[word] = "real"
    # ``2ab`` next to ``a`` and ``b`` is a product, not a new variable ``ab``
    return {w: d for w, d in words.items() if len(w) == 1 or not _splits(w, set(words) - {w})}


def _splits(word: str, parts: set[str]) -> bool:
    ok = [True] + [False] * len(word)
    for end in range(1, len(word) + 1):
        ok[end] = any(ok[end - len(p)] for p in parts if p and word[:end].endswith(p))
    return ok[-1]


def teacher_context(expected: str, variables: Mapping[str, str] | None, *, latex: bool = False) -> Context:
    """A context for a teacher's own question: ``expected`` in the same syntax as answers."""
    if variables is None:
        variables = guess_variables(expected, latex=latex)
    symbols = {name: _symbol_for(name, word) for name, word in variables.items()}
    domains: dict[sp.Basic, Domain] = {}
    for name, word in variables.items():
        domains[symbols[name]] = parse_domain(word, {k: v for k, v in symbols.items() if k != name})
    scope = Scope(variables=symbols)
    try:
        target = parse(expected, scope, latex=latex)
    except AnswerSyntaxError as exc:
        raise ValueError(f"the expected answer could not be read: {exc}") from None
    free = {s for s in target.free_symbols if isinstance(s, sp.Symbol)} if isinstance(target, sp.Basic) else set()
    missing = sorted(str(s) for s in free if s not in domains and not _bound_symbol(target, s))
    if missing:
        raise ValueError(f"no domain for {', '.join(missing)}: add --var NAME=DOMAIN")
    key = f"teacher|{expected}|{sorted(variables.items())}|{latex}"
    ctx = Context(key=key, target=target, forms=(), scope=scope, matrix_scope=None, domains=domains)
    try:
        with time_limit(PREPARE_SECONDS):  # the expected answer is typed by a person too
            _prepare(ctx)
    except BudgetExceeded:
        raise ValueError(f"the expected answer is too costly to evaluate (over {PREPARE_SECONDS:g} s)") from None
    return ctx


def _bound_symbol(e: sp.Basic, s: sp.Symbol) -> bool:
    return any(s in lim[0:1] for su in e.atoms(sp.Sum) for lim in su.limits)


def identity_context(name: str) -> Context:
    """The context of a registered identity's ``question=`` (raises if it has none)."""
    ident = REGISTRY.get(name)
    q = ident.question
    if q is None:
        raise NoQuestionError(f"identity {ident.name!r} declares no question, so answers to it cannot be checked")
    domains: dict[sp.Basic, Domain] = dict(ident.domains)
    target = q.target
    forms = tuple(q.forms)
    every = [target, *forms, *q.approximations.values()]
    symbols: dict[str, sp.Symbol] = {}
    indexed: dict[str, sp.IndexedBase] = {}
    for s in q.variables:
        symbols[str(s)] = s
    for e in every:
        if not isinstance(e, sp.Basic):
            continue
        for ix in e.atoms(sp.Indexed):
            indexed[str(ix.base.label)] = ix.base
            for j in ix.indices:
                for s in j.free_symbols:
                    symbols.setdefault(str(s), s)  # index symbols (i, j)
        labels = {ix.base.label for ix in e.atoms(sp.Indexed)}
        for s in e.free_symbols:  # every symbol of the expected answer can be typed
            if isinstance(s, sp.Symbol) and s not in labels:
                symbols.setdefault(str(s), s)
    for key in domains:  # an identity's declared symbols may be typed even if absent from the target
        if isinstance(key, sp.Symbol):
            symbols.setdefault(str(key), key)
    for word, obj in q.names.items():
        if isinstance(obj, sp.Symbol):
            symbols.setdefault(word, obj)
    names = {w: o for w, o in q.names.items() if not isinstance(o, sp.Symbol)}
    shown = _question_words(q, [target, *forms], indexed)
    scope = Scope(
        variables={k: v for k, v in symbols.items() if k not in indexed},
        names=names,
        indexed=indexed,
        shown=shown,
        sizes=_vector_sizes([target, *forms]),
    )
    matrix_scope = _matrix_scope(forms, symbols, indexed, names, shown)
    ctx = Context(
        key=f"identity|{ident.name}",
        target=target,
        forms=forms,
        scope=scope,
        matrix_scope=matrix_scope,
        domains=domains,
        unfold=ident.unfold,
        approximations=dict(q.approximations),
    )
    _prepare(ctx)
    return ctx


def _vector_sizes(exprs: list[Any]) -> dict[str, sp.Expr]:
    """The length ``n`` of each indexed vector ``g`` that the expected answers sum over
    (``Sum(g[j]**2, (j, 1, n))``), so that ``norm(g)`` can be read."""
    out: dict[str, sp.Expr] = {}
    for e in exprs:
        if not isinstance(e, sp.Basic):
            continue
        for su in e.atoms(sp.Sum):
            for k, lo, hi in su.limits:
                if lo != 1:
                    continue
                for ix in su.function.atoms(sp.Indexed):
                    if len(ix.indices) == 1 and ix.indices[0] == k:
                        out.setdefault(str(ix.base.label), hi)
    return out


def _question_words(q: Any, exprs: list[Any], indexed: Mapping[str, sp.IndexedBase]) -> tuple[str, ...]:
    """The words an error message offers: the question's variables, the symbols of its expected
    answers (not the entry symbols ``s1, s2`` of an indexed ``s``, not summation indices), indices
    and extra names; not every symbol the identity declares for its derivation."""
    words: set[str] = {str(s) for s in q.variables} | set(q.names) | set(indexed)
    for e in exprs:
        if not isinstance(e, sp.Basic):
            continue
        bound = {lim[0] for su in e.atoms(sp.Sum, sp.Product) for lim in su.limits}
        labels = {ix.base.label for ix in e.atoms(sp.Indexed)}
        for ix in e.atoms(sp.Indexed):
            words |= {str(s) for j in ix.indices for s in j.free_symbols - bound}
        for s in e.free_symbols - labels - bound:
            m = re.fullmatch(r"([A-Za-z]+)_?\d+", s.name) if isinstance(s, sp.Symbol) else None
            if isinstance(s, sp.Symbol) and not (m and m.group(1) in indexed):
                words.add(s.name)
    return tuple(sorted(w for w in words if w))


def _matrix_scope(
    forms: tuple[sp.Basic, ...],
    symbols: dict[str, sp.Symbol],
    indexed: dict[str, sp.IndexedBase],
    names: dict,
    shown: tuple[str, ...] = (),
) -> Scope | None:
    """For a matrix form, each indexed variable ``s`` becomes the column of its entries in the form
    (``s[0], s[1], ...`` or symbols ``s1, s2, ...``), so ``diag(s) - s s^T`` can be read."""
    mats = [f for f in forms if isinstance(f, sp.MatrixBase)]
    if not mats:
        return None
    form = mats[0]
    n = form.rows
    vectors: dict[str, sp.Matrix] = {}
    numbered: dict[str, dict[int, sp.Expr]] = {}
    atoms = form.atoms(sp.Indexed)
    free = form.free_symbols
    for label in {*indexed, *{str(ix.base.label) for ix in atoms}}:
        entries = sorted(
            (ix for ix in atoms if str(ix.base.label) == label and len(ix.indices) == 1 and ix.indices[0].is_Integer),
            key=lambda ix: int(ix.indices[0]),
        )
        if len(entries) == n:
            vectors[label] = sp.Matrix(entries)
            numbered[label] = {int(ix.indices[0]): ix for ix in entries}
            continue
        named = sorted(
            (s for s in free if isinstance(s, sp.Symbol) and re.fullmatch(rf"{re.escape(label)}_?\d+", s.name)),
            key=lambda s: int(re.sub(r"\D", "", s.name)),
        )
        if len(named) == n:
            vectors[label] = sp.Matrix(named)
            numbered[label] = {int(re.sub(r"\D", "", s.name)): s for s in named}
            continue
        grid = _entry_grid(label, atoms, free)
        if grid is not None:  # a two-index variable (G[a, j], dS[i, k]) is the matrix of its entries
            vectors[label] = grid
    if not vectors:
        return None
    if "I" not in symbols:
        vectors["I"] = sp.eye(n)
    scalars = {k: v for k, v in symbols.items() if k not in vectors}
    labels = {str(ix.base.label) for ix in atoms}
    for s in free:
        if isinstance(s, sp.Symbol) and s.name not in vectors and s.name not in labels:
            scalars.setdefault(s.name, s)
    shown = tuple(sorted({*shown, *vectors} - {"I"})) if shown else ()
    return Scope(variables=scalars, names=names, vectors=vectors, matrix_size=n, vector_entries=numbered, shown=shown)


def _entry_grid(label: str, atoms: set[sp.Indexed], free: set[sp.Basic]) -> sp.Matrix | None:
    """The matrix of a two-index variable's entries in a form: ``G[1, 1], G[1, 2], ...`` or symbols
    ``G11, G12, ...`` (one digit per index), if they fill a full grid."""
    cells: dict[tuple[int, int], sp.Expr] = {}
    for ix in atoms:
        if str(ix.base.label) == label and len(ix.indices) == 2 and all(j.is_Integer for j in ix.indices):
            cells[(int(ix.indices[0]), int(ix.indices[1]))] = ix
    if not cells:
        for s in free:
            m = re.fullmatch(rf"{re.escape(label)}_?(\d)(\d)", getattr(s, "name", ""))
            if m:
                cells[(int(m.group(1)), int(m.group(2)))] = s
    if not cells:
        return None
    r0, c0 = min(r for r, _ in cells), min(c for _, c in cells)
    r1, c1 = max(r for r, _ in cells), max(c for _, c in cells)
    if len(cells) != (r1 - r0 + 1) * (c1 - c0 + 1) or r1 - r0 >= 8 or c1 - c0 >= 8:
        return None
    return sp.Matrix(r1 - r0 + 1, c1 - c0 + 1, lambda r, c: cells[(r + r0, c + c0)])


def _exact(e: Any) -> Any:
    """Floats of a declaration as the decimals they were written as (``0.044715`` -> ``8943/200000``),
    so that an answer typing the same decimal (read exactly) is not rejected at 45 digits."""
    if isinstance(e, sp.Basic) and e.has(sp.Float):
        return e.xreplace({f: sp.nsimplify(f, rational=True) for f in e.atoms(sp.Float)})
    return e


def _prepare(ctx: Context) -> None:
    """Sample points: edges and random points of the domain, then large magnitudes."""
    ctx.target = _exact(ctx.target)
    ctx.forms = tuple(_exact(f) for f in ctx.forms)
    ctx.approximations = {k: _exact(v) for k, v in ctx.approximations.items()}
    used: set[sp.Basic] = set()
    for t in (ctx.target, *ctx.forms, *ctx.approximations.values()):
        if isinstance(t, sp.Basic):
            used |= t.free_symbols
    sample = {s: d for s, d in ctx.domains.items() if isinstance(s, sp.Symbol)}
    indices = {
        j
        for t in (ctx.target, *ctx.forms)
        if isinstance(t, sp.Basic)
        for ix in t.atoms(sp.Indexed)
        for j in ix.indices
        if isinstance(j, sp.Symbol)
    }
    size = max([f.rows for f in ctx.forms if isinstance(f, sp.MatrixBase)] + [3])
    # a summation bound without a declared domain is a size: a small integer
    sizes = {
        b
        for t in (ctx.target, *ctx.forms)
        if isinstance(t, sp.Basic)
        for su in t.atoms(sp.Sum, sp.Product)
        for lim in su.limits
        for b in lim[1:]
        if isinstance(b, sp.Symbol)
    }
    for s in used | indices | sizes:
        if isinstance(s, sp.Symbol) and s not in sample and not _is_label(s, ctx.domains):
            # an index without a declared range runs over the size of the matrix form
            if s in sizes:
                sample[s] = integer(2, 4)
            else:
                sample[s] = integer(1, size) if s in indices else real()
    ctx._sample = sample
    if sample:
        points = exact_points(sample, generator(None, salt=ctx.key + "|answers"), POINTS)
        ctx.points = interleaved(points) + _large_points(sample, points[-1])
    else:  # no variable: one point (a closed answer), or fresh entries of indexed variables at each
        indexed = any(isinstance(t, sp.Basic) and t.has(sp.Indexed) for t in (ctx.target, *ctx.forms))
        ctx.points = [{} for _ in range(POINTS if indexed else 1)]
    _cache_targets(ctx)
    extra = _real_points(ctx)
    if extra:
        ctx.points += extra
        ctx._measured.clear()
        _cache_targets(ctx)


def interleaved(points: list[dict[sp.Basic, sp.Expr]]) -> list[dict[sp.Basic, sp.Expr]]:
    """The sample points (edges first, then random ones) reordered so that random points come first
    among the first :data:`QUICK` (the quick screen sees generic values too); none is dropped."""
    edges, randoms = points[: POINTS // 2], points[POINTS // 2 :]
    head = [p for pair in itertools.zip_longest(randoms[:4], edges[:4]) for p in pair if p is not None]
    return head + edges[4:] + randoms[4:]


#: how many random points :func:`_real_points` may try, per sample point
REAL_TRIES = 8


def _real_points(ctx: Context) -> list[dict[sp.Basic, sp.Expr]]:
    """More points of the domain where the target is real and finite, drawn when it is so at fewer
    than half the sample points (``log((1+x)/(1-x))`` on the reals): a real question is compared only
    where its expected answer is real, and needs enough such points."""
    targets = ctx.scalar_targets
    if not ctx._sample or not targets or any(t.has(sp.I, sp.Indexed) for t in targets):
        return []
    t = targets[0]
    want = POINTS // 2
    have = sum(realised(m, DIGITS) is not None for m in ctx.measures(t))
    out: list[dict[sp.Basic, sp.Expr]] = []
    rng = generator(None, salt=ctx.key + "|real points")
    if have >= want:
        return out
    for p in exact_points(ctx._sample, rng, 2 * REAL_TRIES * POINTS)[REAL_TRIES * POINTS :]:
        if realised(ctx.measure_at(t, p, {}, rng), DIGITS) is not None:
            out.append(p)
            have += 1
            if have >= want:
                break
    return out


def _cache_targets(ctx: Context) -> None:
    """Each point's entries and generator, and the targets' values at the points: the question's
    cost, paid once here, not by the first answer."""
    ctx._entries = [{} for _ in ctx.points]
    ctx._rngs = [generator(None, salt=f"{ctx.key}|entries|{i}") for i in range(len(ctx.points))]
    for t in ctx.scalar_targets:
        ctx.values(t, cache=True)
    for m in ctx.matrix_targets:
        for entry in m:
            ctx.values(entry, cache=True)


def _is_label(s: sp.Symbol, domains: Mapping[sp.Basic, Domain]) -> bool:
    return any(isinstance(k, sp.IndexedBase) and k.label == s for k in domains)


def _large_points(sample: Mapping[sp.Symbol, Domain], base: dict[sp.Basic, sp.Expr]) -> list[dict[sp.Basic, sp.Expr]]:
    out = []
    for s, d in sample.items():
        if d.depends_on() or d.integer or any(s in o.depends_on() for o in sample.values()):
            continue
        for v in (sp.Integer(30), sp.Integer(100), sp.Integer(-30)):
            if (d.hi is None and v > 0 and (d.lo is None or v > sp.sympify(d.lo))) or (d.lo is None and v < 0):
                out.append({**base, s: v})
    return out


def value_floor(values: list[Any]) -> Any:
    """The absolute tolerance below which two values count as equal: a target's typical magnitude
    (the median of its nonzero values) scaled down to the working precision."""
    mags = sorted(abs(v) for v in values if v is not None and v != 0)
    typical = mags[len(mags) // 2] if mags else mpmath.mpf(1)
    return mpmath.mpf(10) ** (-(DIGITS - 10)) * typical


def values_equal(a: list[Any], b: list[Any], rel_digits: int = 20) -> bool | None:
    """Whether two value lists agree to ``rel_digits`` wherever both are defined."""
    used = 0
    with mpmath.workdps(DIGITS):
        for va, vb in zip(a, b, strict=False):
            if va is None or vb is None:
                continue
            used += 1
            if abs(va - vb) > mpmath.mpf(10) ** (-rel_digits) * (max(abs(va), abs(vb)) + mpmath.mpf(10) ** -30):
                return False
    return True if used >= 3 else None
