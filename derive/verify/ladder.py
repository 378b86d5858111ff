r"""The verification ladder, shared by step checking and answer checking.

Two expressions are compared by rungs of increasing cost, each under a time budget:

1. **identical** after unfolding definitions and evaluating unevaluated operators (``doit``);
2. **bounded symbolic zero test** of the difference, the rung table :data:`RUNGS`: ``expand``,
   ``cancel``, special functions rewritten to elementary ones, ``rewrite(exp)``, sums and Kronecker
   deltas in canonical form (:mod:`.sums`), a case split at the kinks of ``Abs``, ``Max``,
   ``Piecewise``... (:mod:`.cases`), ``trigsimp``, a time-boxed ``simplify``;
3. **high-precision numeric test**: both sides evaluated with mpmath (:mod:`derive.numeric.precise`)
   at 30+ significant digits at edge and random points of the variables' domains.

Rungs 1-2 *prove* equality; rung 3 only *verifies numerically*, and says so. Rung 3 also
*refutes*: a point where the two sides differ beyond the tolerance is a counterexample, so a
near miss (a coefficient off by ``1e-6``, a sign flip, a small missing term) is rejected.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import partial

import numpy as np
import sympy as sp

from ..errors import DeclarationError
from ..maths.dirichlet import beta_integrals
from ..maths.domains import Domain, check_assumptions
from ..maths.normal_moments import gaussian_polynomial_integrals
from ..maths.special import elementary
from .budget import attempt, cpu_time
from .cases import equal_by_cases
from .lemmas import relax
from .limits import doit_holding_limits, hold_limits
from .polynomial_bounds import METHOD as POLYNOMIAL_SIGN
from .polynomial_bounds import decide
from .products import products_as_sums
from .sampled import Sampler
from .scopes import fresh_bound, leaked_assumption
from .signs import termwise
from .sums import align_sum_ranges, decide_conditions, flat_canonical, index_canonical, standard_ranges
from .verification import Verification

#: unevaluated operations that :meth:`Ladder.evaluate` carries out: calculus, sums, and matrix
#: algebra on explicit operands (``MatMul(A, B, evaluate=False)``, ``Transpose``, ``Inverse``, ...)
_HELD = (
    sp.Derivative,
    sp.Integral,
    sp.Sum,
    sp.Product,
    sp.Subs,
    sp.Limit,
    sp.Determinant,
    sp.MatMul,
    sp.MatAdd,
    sp.MatPow,
    sp.Transpose,
    sp.Inverse,
    sp.KroneckerProduct,
    sp.Trace,
)


@dataclass
class Ladder:
    """Configuration of the ladder: budgets, precision, number of points and seed."""

    domains: Mapping[sp.Symbol, Domain] = field(default_factory=dict)
    unfold: Callable[[sp.Basic], sp.Basic] = lambda e: e
    symbolic_budget: float = 4.0
    rung_budget: float = 1.5
    digits: int = 30
    points: int = 24
    seed: int | None = None
    salt: str = ""
    doit_cache: dict[sp.Basic, sp.Basic] = field(default_factory=dict)

    def __post_init__(self) -> None:
        """Refuse a symbol whose SymPy assumptions say more than its domain (``nonzero`` on
        ``[-8, 8]`` would prove ``sign(x)^2 = 1``): every rung trusts those assumptions."""
        for s, dom in self.domains.items():
            complaint = check_assumptions(s, dom) if isinstance(s, sp.Symbol) and isinstance(dom, Domain) else None
            if complaint is not None:
                raise DeclarationError(complaint)

    # ------------------------------------------------------------------------------ helpers
    def evaluate(self, e: sp.Basic) -> sp.Basic:
        """Unfold definitions and evaluate derivatives, integrals, sums and determinants (cached).

        Bound variables are renamed to scope dummies first (:mod:`.scopes`), sums whose range may
        run backwards are guarded (:func:`.sums.standard_ranges`), and a limit with parameters is
        taken only when every ordering of its parameters agrees (:mod:`.limits`); otherwise it is
        kept unevaluated for the numeric test. Gaussian integrals of polynomials and Beta integrals are
        evaluated by their fast routes first (:mod:`~derive.maths.normal_moments`,
        :func:`~derive.maths.dirichlet.beta_integrals`)."""
        e = self.unfold(e)
        if e in self.doit_cache:
            return self.doit_cache[e]
        if not e.has(*_HELD):
            return e
        prepared = standard_ranges(numeric_points_first(differentiate_under_sums(fresh_bound(e))), self.domains)
        out = attempt(
            lambda: doit_holding_limits(beta_integrals(gaussian_polynomial_integrals(prepared))),
            max(self.symbolic_budget, 10.0),
        )
        out = prepared if out is None else out
        self.doit_cache[e] = out
        return out

    def equal(self, a: sp.Basic, b: sp.Basic) -> Verification:
        """Compare two expressions (or matrices, entry by entry)."""
        start = time.perf_counter()
        if isinstance(a, sp.MatrixExpr) or isinstance(b, sp.MatrixExpr):
            v = self._equal_matrices(a, b)
        else:
            v = self._equal_scalars(a, b)
        return Verification(**{**v.__dict__, "seconds": time.perf_counter() - start})

    # ------------------------------------------------------------------------------ matrices
    def _equal_matrices(self, a: sp.Basic, b: sp.Basic) -> Verification:
        if not (isinstance(a, sp.MatrixBase) and isinstance(b, sp.MatrixBase)):
            a, b = self.evaluate(a), self.evaluate(b)
            if not (isinstance(a, sp.MatrixBase) and isinstance(b, sp.MatrixBase)):
                return Verification(False, "shape", True, "a matrix compared with a scalar")
        if a.shape != b.shape:
            return Verification(False, "shape", True, f"shapes differ: {a.shape} and {b.shape}")
        results = []
        for i in range(a.rows):
            for j in range(a.cols):
                v = self._equal_scalars(a[i, j], b[i, j])
                if v.ok is not True:
                    return Verification(
                        v.ok,
                        v.method,
                        v.symbolic,
                        f"entry ({i + 1}, {j + 1}): {v.detail}",
                        v.counterexample,
                        v.values,
                        points=v.points,
                    )
                results.append(v)
        numeric = [v for v in results if not v.symbolic]
        if numeric:
            return Verification(
                True,
                numeric[0].method,
                False,
                f"{len(numeric)} of {len(results)} entries numerically",
                points=numeric[0].points,
            )
        methods = sorted({v.method for v in results}, key=[v.method for v in results].index)
        return Verification(True, ", ".join(methods), True, f"all {len(results)} entries")

    # ------------------------------------------------------------------------------ scalars
    def _equal_scalars(self, a: sp.Basic, b: sp.Basic) -> Verification:
        a0, b0 = sp.sympify(a), sp.sympify(b)
        if a0 == b0:
            return Verification(True, "identical", True)
        leak = leaked_assumption(a0, self.domains) or leaked_assumption(b0, self.domains)
        if leak is not None:
            return Verification(None, "bound variable", False, leak)
        a1, b1 = self.evaluate(a0), self.evaluate(b0)
        if a1 == b1:
            return Verification(True, "evaluated by SymPy", True)
        if isinstance(a1, sp.MatrixBase) or isinstance(b1, sp.MatrixBase):  # a matrix once evaluated
            return self._equal_matrices(a1, b1)
        diff = a1 - b1
        if diff == 0:
            return Verification(True, "evaluated by SymPy", True)
        held, restore = hold_limits(diff)  # no rung may evaluate a limit the orderings did not confirm
        # evaluation may have collapsed or summed the sums: two rungs compare their unevaluated ranges
        form = Difference(held, self.domains, unevaluated=partial(self._unevaluated, a0, b0))
        decided = self.symbolic_zero(form)
        if decided is not None:
            return Verification(True, decided, True)
        cancelled = form.cancelled
        if cancelled is not None and restore:
            cancelled = cancelled.xreplace(restore)
        return self.sampler.equal(a1, b1, cancelled)

    def _unevaluated(self, a: sp.Basic, b: sp.Basic) -> sp.Expr:
        """``a - b`` with definitions unfolded but nothing evaluated, bound indices fresh and sum
        ranges in standard order."""
        return standard_ranges(fresh_bound(self.unfold(a) - self.unfold(b)), self.domains)

    def symbolic_zero(self, diff: sp.Expr | Difference) -> str | None:
        """Name of the first rung of :data:`RUNGS` that takes ``diff`` to zero, or ``None``."""
        deadline = cpu_time() + self.symbolic_budget
        form = diff if isinstance(diff, Difference) else Difference(diff, self.domains)
        for rung in SUM_RUNGS_FIRST if form.expr.has(sp.Sum, sp.KroneckerDelta) else RUNGS:
            remaining = deadline - cpu_time()
            if remaining <= 0:
                return None
            out = attempt(partial(rung.rewrite, form), min(rung.budget, remaining))
            if out is not None and out == 0:
                return rung.name
        return None

    @property
    def sampler(self) -> Sampler:
        """The numeric rung, configured like this ladder."""
        return Sampler(self.domains, self.digits, self.points, self.seed, self.salt, self.symbolic_budget)

    def sampling_plan(self, exprs: tuple[sp.Basic, ...]) -> tuple[dict[sp.Symbol, Domain], set[sp.Symbol]]:
        """The domains of the scalar symbols to sample for ``exprs`` (see :meth:`.Sampler.plan`)."""
        return self.sampler.plan(exprs)

    def instantiate(
        self,
        e: sp.Basic,
        point: Mapping[sp.Symbol, sp.Expr],
        rng: np.random.Generator,
        cache: dict[sp.Indexed, sp.Expr],
    ) -> sp.Basic:
        """``e`` at ``point``, sums written out and entries drawn (see :meth:`.Sampler.instantiate`)."""
        return self.sampler.instantiate(e, point, rng, cache)

    def numeric_zero(self, a: sp.Expr, b: sp.Expr) -> Verification:
        """The numeric rung alone (see :mod:`.sampled`)."""
        return self.sampler.equal(a, b)

    # ------------------------------------------------------------------------------ inequalities
    def nonnegative(self, e: sp.Expr, *, strict: bool = False) -> Verification:
        """Prove ``e >= 0`` (``> 0`` if ``strict``) from assumptions, else test it numerically."""
        start = time.perf_counter()
        e1 = self.evaluate(e)
        attr = "is_positive" if strict else "is_nonnegative"
        exact, at = attempt(lambda: decide(e1, self.domains, strict=strict), self.rung_budget) or (None, {})
        if exact is True:
            return Verification(True, POLYNOMIAL_SIGN, True, seconds=time.perf_counter() - start)
        if exact is False:  # a rational point where it fails, found exactly
            point = {str(k): str(v) for k, v in at.items()}
            return Verification(
                False, POLYNOMIAL_SIGN, True, f"fails at {point}", point, seconds=time.perf_counter() - start
            )
        relaxed, lemmas = relax(e1)  # Gibbs gaps >= 0, by the lemma proved in .lemmas
        tries: list[tuple[str, Callable[[], sp.Expr], tuple[str, ...]]] = [
            ("sign from assumptions", lambda: e1, ()),
            ("sign after factor", lambda: sp.factor(e1), ()),
            ("sign of one sum, each term factored", lambda: termwise(elementary(e1)), ()),
            ("sign with 0 <= frac(x) < 1", lambda: _relax_frac(e1, below=True), ()),
            ("sign with 0 <= frac(x) < 1", lambda: _relax_frac(e1, below=False), ()),
        ]
        if lemmas:
            lemma = ", with the lemma t - 1 - log t >= 0 (proved)"
            tries += [
                (f"sign from assumptions{lemma}", lambda: relaxed, lemmas),
                (f"sign after factor{lemma}", lambda: sp.factor(relaxed), lemmas),
            ]
        tries.append(("sign after simplify", lambda: sp.simplify(elementary(e1)), ()))  # the costly one last
        for name, fn, used in tries:
            form = attempt(fn, self.rung_budget)
            if form is not None and attempt(partial(getattr, form, attr), self.rung_budget) is True:
                return Verification(True, name, True, seconds=time.perf_counter() - start, lemmas=used)
        v = self.sampler.sign(e1, strict=strict)
        return Verification(**{**v.__dict__, "seconds": time.perf_counter() - start})


# ------------------------------------------------------------------------------ the rung table
@dataclass
class Difference:
    """The difference of two sides that the rungs rewrite; its elementary form (special functions
    replaced by their closed forms) is computed once, on first use."""

    expr: sp.Expr
    domains: Mapping[sp.Basic, Domain]
    #: the two sides unfolded but not evaluated, subtracted, when the rungs on sums may need them
    unevaluated: Callable[[], sp.Expr] | None = None
    _elementary: sp.Expr | None = None
    _raw: sp.Expr | None = None

    _cancelled: sp.Expr | None = None
    _tried: bool = False

    @property
    def elementary(self) -> sp.Expr:
        if self._elementary is None:
            self._elementary = elementary(self.expr)
        return self._elementary

    @property
    def raw_sums(self) -> sp.Expr | None:
        """The unevaluated difference if it holds sums (or products) and no case split, else
        ``None``: what the rungs comparing summation ranges work on."""
        if self._raw is None and self.unevaluated is not None:
            self._raw = self.unevaluated()
        raw = self._raw
        return raw if raw is not None and raw.has(sp.Sum, sp.Product) and not raw.has(sp.Piecewise) else None

    @property
    def cancelled(self) -> sp.Expr | None:
        """The elementary form expanded (common terms cancelled), or ``None`` if that ran out of
        time or grew out of proportion; the numeric rung judges this difference."""
        if not self._tried:
            self._tried = True
            out = attempt(lambda: sp.expand(self.elementary), 1.0)
            if out is not None and sp.count_ops(out) <= 20 * sp.count_ops(self.elementary) + 200:
                self._cancelled = out
        return self._cancelled


@dataclass(frozen=True)
class Rung:
    """One rewrite of the symbolic zero test: the name a sheet shows when it proves a link, the
    rewrite (a proof when it gives 0), and its CPU budget in seconds."""

    name: str
    rewrite: Callable[[Difference], sp.Expr]
    budget: float


def differentiate_under_sums(e: sp.Basic) -> sp.Basic:
    r"""Each derivative of an expression that holds a sum taken before the sum is evaluated:
    :math:`\frac{d}{dx}\sum_{k=a}^{b} f_k = \sum_{k=a}^{b} \frac{d f_k}{dx}` when the bounds are free of
    :math:`x` (SymPy's own ``Sum._eval_derivative``; a bound in :math:`x` leaves the derivative held).

    ``doit`` would sum first and then differentiate the closed form case by case:
    :math:`\sum_{k=1}^{n} x^k` is ``Piecewise((n, Eq(x, 1)), ...)``, whose derivative SymPy writes
    ``Piecewise((0, Eq(x, 1)), ...)``, wrong at :math:`x = 1` (the value is :math:`n(n+1)/2`)."""
    if not (e.has(sp.Derivative) and e.has(sp.Sum)):
        return e

    def under(d: sp.Derivative) -> sp.Basic:
        try:
            return d.doit(deep=False)
        except (TypeError, ValueError, NotImplementedError):
            return d  # left for doit, as before

    return e.replace(lambda n: isinstance(n, sp.Derivative) and n.expr.has(sp.Sum), under)


def numeric_points_first(e: sp.Basic) -> sp.Basic:
    r"""Each ``Subs`` at a numeric point whose expression holds no derivative, replaced by the
    substituted expression: :math:`f(x)|_{x=p} = f(p)` (the value of the function at the point).

    ``Subs.doit`` evaluates first and substitutes after: a sum of a polynomial in :math:`s, t` (a
    derivative moved under the sum by :func:`differentiate_under_sums`) was summed term by term,
    30 s, before :math:`s = t = 0` removed most terms. A derivative still held needs the
    neighbourhood of the point, so that ``Subs`` is left as it is; a point with symbols is left too
    (it could be captured by a bound variable)."""
    if not e.has(sp.Subs):
        return e

    def at_point(n: sp.Basic) -> bool:
        return (
            isinstance(n, sp.Subs)
            and all(not sp.sympify(q).free_symbols for q in n.point)
            and not n.expr.has(sp.Derivative)
        )

    return e.replace(at_point, lambda n: n.expr.subs(dict(zip(n.variables, n.point, strict=True)), simultaneous=True))


def _sums_decided(d: Difference) -> sp.Expr:
    """Sums evaluated; a sum over ``1..n`` with a Kronecker delta leaves a case split "if
    ``1 <= j <= n``", which the domains of the indices decide."""
    if not d.expr.has(sp.Sum, sp.Piecewise):
        return d.expr
    return index_canonical(decide_conditions(sp.expand(d.expr).doit(), d.domains))


def _ranges_aligned(d: Difference) -> sp.Expr:
    """The unevaluated sums over the same ranges, their indices renamed in canonical order."""
    raw = d.raw_sums
    return d.expr if raw is None else index_canonical(align_sum_ranges(raw))


def _sums_flattened(d: Difference) -> sp.Expr:
    """The unevaluated nested sums flattened into one canonical multiple sum."""
    raw = d.raw_sums
    return d.expr if raw is None else flat_canonical(raw, d.domains)


def _by_cases(d: Difference) -> sp.Expr:
    """``Abs``, ``sign``, ``Max``, ``Min``, ``Piecewise``: the real line split at the kinks."""
    return sp.S.Zero if equal_by_cases(d.expr) is not None else d.expr


def _floor_via_frac(d: Difference) -> sp.Expr:
    return sp.expand(_floor_as_frac(d.expr)) if d.expr.has(sp.floor, sp.frac) else d.expr


_EXPAND = Rung("expand", lambda d: sp.expand(d.expr), 1.0)
_ALGEBRA = (
    Rung("cancel", lambda d: sp.cancel(d.expr), 1.0),
    Rung("elementary rewrite + expand", lambda d: d.cancelled if d.cancelled is not None else d.expr, 1.0),
    Rung("rewrite(exp) + cancel", lambda d: sp.cancel(sp.expand(d.elementary.rewrite(sp.exp))), 1.5),
    Rung("expand_log + powsimp", lambda d: sp.expand(sp.powsimp(sp.expand_log(d.elementary))), 1.0),
)
_INDICES = (
    Rung("Kronecker deltas sifted, summation indices renamed", lambda d: index_canonical(d.expr), 1.0),
    Rung("sums evaluated, case conditions decided by the index domains", _sums_decided, 2.0),
)
_REST = (
    Rung("sum ranges aligned, indices renamed", _ranges_aligned, 1.5),
    Rung("nested sums flattened, indices renamed", _sums_flattened, 1.5),
    Rung("products as exp of sums of logs (positive factors)", lambda d: products_as_sums(d.expr, d.domains), 1.5),
    Rung("case split at the kinks", _by_cases, 1.5),
    Rung("floor(x) = x - frac(x)", _floor_via_frac, 1.0),
    Rung("trigsimp", lambda d: sp.trigsimp(d.elementary), 1.5),
    Rung("simplify (time-boxed)", lambda d: sp.simplify(d.elementary), 3.0),
)

#: The symbolic zero test, cheapest first: a link is proved by the first rung that rewrites the
#: difference of its sides to 0 within the rung's budget (and the ladder's overall budget).
RUNGS: tuple[Rung, ...] = (_EXPAND, *_ALGEBRA, *_INDICES, *_REST)

#: The same rungs for a difference with sums or Kronecker deltas, the rungs on indices right after
#: ``expand``: over the catalog they prove three in four such links, and the algebra rungs had
#: spent 8 s of CPU failing on them first.
SUM_RUNGS_FIRST: tuple[Rung, ...] = (_EXPAND, *_INDICES, *_ALGEBRA, *_REST)


def _floor_as_frac(e: sp.Expr) -> sp.Expr:
    """``floor(x)`` written ``x - frac(x)``: one atom for the integer part's rounding."""
    return e.replace(lambda x: isinstance(x, sp.floor), lambda x: x.args[0] - sp.frac(x.args[0]))


def _relax_frac(e: sp.Expr, *, below: bool) -> sp.Expr:
    """``e`` with every ``frac(x)`` (``floor`` rewritten through it) replaced by a fresh symbol
    ``u >= 0`` (``below``) or ``1 - w`` with ``w > 0``: a sign that holds for every ``u >= 0``
    (every ``w > 0``) holds on ``0 <= frac < 1``, so a proof of the relaxed form is sound."""
    e = _floor_as_frac(e)
    fracs = e.atoms(sp.frac)
    if not fracs:
        return e
    fresh = {f: sp.Dummy("u", nonnegative=True) if below else 1 - sp.Dummy("w", positive=True) for f in fracs}
    return sp.expand(e.xreplace(fresh))
