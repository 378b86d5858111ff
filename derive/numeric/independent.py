r"""A statement's left side evaluated numerically, independently of SymPy's symbolic evaluation.

The numeric check of ``lhs = rhs`` means something only if ``lhs`` is not evaluated the way the
symbolic route evaluated it: when ``doit()`` already turned the left side into the right side, a
comparison of the two is 0 by construction. :func:`independent_value` evaluates an *unevaluated*
expression with mpmath, each operator by a numeric method of its own:

- ``Derivative``: finite differences at raised precision (``mpmath.diff``, partial derivatives
  included); a derivative with respect to an entry ``z[k]`` perturbs that entry;
- ``Integral``: quadrature (``mpmath.quad``, tanh-sinh, infinite limits included, split at the
  values of the integrand's parameters);
- ``Sum``/``Product``: explicit summation over the now-concrete range (:func:`explicit_sum`),
  ``mpmath.nsum`` for an infinite one;
- ``Subs``: the point substituted; ``Limit``: the expression at ``x_0 \pm 10^{-10}, 10^{-20},
  10^{-40}`` (or ``\pm 10^{10}, 10^{20}, 10^{40}``), which must have converged;
- ``Determinant``, ``Trace``, ``Inverse``, matrix products: ``mpmath.matrices`` on the evaluated
  entries; a notation node (:func:`derive.maths.notation.notation`) by its value;
- an application of a defined function: its definition evaluated at the argument values (so
  ``\eta(0)`` is the schedule's formula at ``t = 0``, not SymPy's simplified ``\eta_{\max}``);
- the rest (elementary and special functions) by :func:`derive.numeric.precise.mp_value`, where
  :math:`\Phi`, :math:`\varphi` are ``mpmath.ncdf``/``npdf`` and :math:`\sigma`, softplus their formulas.

Each evaluation reports the routes it took (:attr:`Independent.routes`), which the statement check
names as its method, and a magnitude of the quantities it combined (:attr:`Independent.scale`), which
judges a left side that should vanish.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import mpmath
import sympy as sp
from sympy.matrices.expressions.kronecker import KroneckerProduct
from sympy.stats import Expectation
from sympy.stats.crv_types import NormalDistribution
from sympy.stats.rv import random_symbols

from ..maths.notation import Notation
from ..maths.special import Phi, phi
from . import precise
from .compiled import compiled, entry_slots
from .precise import Env, NotANumber
from .routes import (
    ROUTES,
    as_matrix,
    cubature_floats,
    expectation_integral,
    explicit_sum,
    flattened,
    integer,
    kink_arguments,
    kron,
    matrix_exp,
    quad_floats,
    quad_mp,
    trace,
)

DIGITS = 30
#: the distances from the point at which a limit is evaluated (powers of ten)
LIMIT_STEPS = (10, 20, 40)
#: nodes of the Gauss-Hermite rule for an expectation that is not a polynomial (checked by 6 more)
HERMITE_NODES = 12


#: the operators evaluated here rather than by ``precise`` (which would call ``doit`` on some)
OPERATORS: tuple[type, ...] = (sp.Derivative, sp.Integral, sp.Sum, sp.Product, sp.Subs, sp.Limit)
OPERATORS += (sp.Determinant, sp.Trace, sp.MatrixExpr, Notation, Expectation)
_SPECIAL_ROUTES = ((Phi, "Phi"), (phi, "phi"))


@dataclass(frozen=True)
class Independent:
    """A value computed without SymPy's symbolic evaluation, the routes it took and its scale."""

    value: Any
    routes: frozenset[str]
    scale: Any


Definitions = Mapping[sp.Basic, sp.Basic]


def needs_route(expr: sp.Basic, definitions: Definitions | None = None) -> bool:
    """Whether ``expr`` holds an operator or a defined function that an independent route evaluates
    (an explicit matrix or a notation node is looked into, not counted)."""
    heads = {h.func for h in (definitions or {})}
    return any(
        (isinstance(node, OPERATORS) and not isinstance(node, Notation | sp.MatrixBase))
        or node.func in heads
        or matrix_exp(node)
        for node in sp.preorder_traversal(expr)
    )


def independent_value(
    expr: sp.Basic,
    point: Mapping[sp.Basic, Any],
    *,
    dps: int = DIGITS,
    entry: Callable[[sp.IndexedBase, tuple[int, ...]], Any] | None = None,
    definitions: Definitions | None = None,
) -> Independent:
    """``expr`` (a scalar or an explicit matrix) at ``point`` with ``dps`` digits, every operator by
    its numeric route; raises :class:`~derive.numeric.precise.NotANumber` when it cannot."""
    ev = _Evaluator(definitions or {})
    env = Env(point)
    env.entry = entry
    with mpmath.workdps(dps):
        try:
            value = ev.value(expr, env)
        except (ZeroDivisionError, ValueError, OverflowError, TypeError, ArithmeticError) as exc:
            raise NotANumber(str(exc)) from None
        if isinstance(value, mpmath.matrix):
            finite = all(mpmath.isfinite(v) for v in value)
        else:
            finite = bool(mpmath.isfinite(value))
        if not finite:
            raise NotANumber("not finite")
    return Independent(value, frozenset(ev.routes), ev.scale)


@functools.lru_cache(maxsize=4096)
def _outer_split(
    e: sp.Basic, heads: frozenset[Any]
) -> tuple[sp.Basic, tuple[tuple[sp.Dummy, sp.Basic], ...], frozenset[str]]:
    """``e`` with its outermost operator nodes (and applications of the functions ``heads``
    defines) replaced by dummies, the pairs (dummy, node), and the routes its special functions take."""
    nodes: list[sp.Basic] = []
    stack = [e]
    while stack:
        x = stack.pop()
        if isinstance(x, OPERATORS) or x.func in heads or matrix_exp(x):
            nodes.append(x)
        else:
            stack.extend(x.args)
    pairs = tuple((sp.Dummy("op"), node) for node in dict.fromkeys(nodes))
    plain = e.xreplace({node: dummy for dummy, node in pairs}) if pairs else e
    return plain, pairs, frozenset(ROUTES[name] for cls, name in _SPECIAL_ROUTES if plain.has(cls))


_expectation_integral = functools.lru_cache(maxsize=1024)(expectation_integral)


class _Evaluator:
    """The walk: operator nodes by their routes, the rest by :func:`precise.mp_value`."""

    def __init__(self, definitions: Definitions) -> None:
        self.definitions: dict[Any, list[tuple[sp.Basic, sp.Basic]]] = {}
        for head, body in definitions.items():
            self.definitions.setdefault(head.func, []).append((head, body))
        self.routes: set[str] = set()
        self.scale: Any = mpmath.mpf(0)
        self._kinks: dict[tuple[sp.Basic, sp.Basic], tuple[list[sp.Basic], list[sp.Symbol]]] = {}
        #: inside a multiple integral: compiled expressions work in double precision
        self._floats = 0
        self._rules: tuple[tuple[type, Callable[[Any, Env], Any]], ...] = (
            (Notation, lambda e, env: self.value(e.args[1], env)),
            (sp.Derivative, self._derivative),
            (sp.Integral, self._integral),
            (sp.Sum, self._sum),
            (sp.Product, self._product),
            (sp.Subs, self._subs),
            (sp.Limit, self._limit),
            (sp.Determinant, lambda e, env: self._matrix_route(mpmath.det(self._matrix(e.arg, env)))),
            (sp.Trace, lambda e, env: self._matrix_route(trace(self._matrix(e.arg, env)))),
            (Expectation, self._expectation),
        )

    # -- the walk ------------------------------------------------------------------------------
    def value(self, e: sp.Basic, env: Env) -> Any:
        """``e`` in ``env``: an mpmath number, or an ``mpmath.matrix`` for a matrix."""
        if isinstance(e, sp.MatrixBase | sp.MatrixExpr):
            return self._matrix(e, env)
        if matrix_exp(e):
            return self._expm(e, env)
        for kind, rule in self._rules:
            if isinstance(e, kind):
                return rule(e, env)
        if e.is_commutative is False and any(s.is_commutative is False for s in e.free_symbols):
            return self._noncommutative(e, env)
        if e.func in self.definitions:
            return self._defined(e, env)
        plain, nodes = self._outer(e)
        if nodes:
            inner = Env(env)
            inner.entry = env.entry
            for dummy, node in nodes:
                inner[dummy] = self.value(node, env)
            env = inner
        code = self._bound_code(plain, env)
        if code is not None:
            return code[0](*code[1])
        return precise.mp_value(plain, env, mpmath.mp.dps, env.entry)

    def _bound_code(
        self, plain: sp.Basic, env: Env, *free: sp.Basic, module: str | None = None
    ) -> tuple[Callable[..., Any], list[Any], list[int | None]] | None:
        """``plain`` compiled (:func:`compiled`; in double precision inside a multiple integral), every
        symbol but the ``free`` ones bound to its value in ``env`` and each entry ``z[k]`` read now: the
        function, its arguments, and the position of each ``free`` symbol among them; ``None`` if it
        does not compile or a value is missing."""
        slotted, entries = entry_slots(plain)
        code = compiled(slotted, module or ("math" if self._floats else "mpmath"))
        if code is None or (entries and env.entry is None):
            return None
        symbols, fn = code
        if not all(s in env or s in free or s in entries for s in symbols):
            return None
        if any(v in entries[s].free_symbols for s in symbols if s in entries for v in free):
            return None  # an entry whose index moves with a free symbol
        convert = float if self._floats or module else (lambda v: v)
        value = {x: self._entry(entries[x], env) if x in entries else env[x] for x in symbols if x not in free}
        args = [convert(value[x]) if x in value else None for x in symbols]
        return fn, args, [symbols.index(v) if v in symbols else None for v in free]

    def _entry(self, x: sp.Indexed, env: Env) -> Any:
        """The value of the entry ``x`` in ``env``, its indices evaluated to integers first."""
        assert env.entry is not None
        return env.entry(x.base, tuple(integer(env[i] if i in env else self.value(i, env)) for i in x.indices))

    def _outer(self, e: sp.Basic) -> tuple[sp.Basic, tuple[tuple[sp.Dummy, sp.Basic], ...]]:
        """``e`` with its outermost operator nodes replaced by dummies, and the nodes (cached for
        the process by :func:`_outer_split`: the same dummies at every point, so code compiled
        for ``e`` is reused)."""
        plain, pairs, routes = _outer_split(e, frozenset(self.definitions))
        self.routes |= routes
        return plain, pairs

    def _note(self, route: str | None, *magnitudes: Any) -> None:
        """The route taken, and the sizes of what it combined (the largest one is the scale)."""
        if route is not None:
            self.routes.add(ROUTES[route])
        for m in magnitudes:
            size = max((abs(v) for v in m), default=0) if isinstance(m, mpmath.matrix) else abs(m)
            self.scale = max(self.scale, size)

    # -- calculus ------------------------------------------------------------------------------
    def _derivative(self, e: sp.Derivative, env: Env) -> Any:
        """Finite differences at raised precision; variables that are one variable at this point
        (``z_i`` and ``z_j`` with ``i = j``) are merged, their orders added."""
        merged: dict[Any, list[Any]] = {}
        for v, count in e.variable_count:
            key, current, move = self._setter(v, env)
            merged.setdefault(key, [current, move, 0])[2] += int(count)
        at = [current for current, _, _ in merged.values()]
        orders = [order for _, _, order in merged.values()]
        seen = [mpmath.mpf(0)]

        def f(*ts: Any) -> Any:
            moved = env
            for (_, move, _), t in zip(merged.values(), ts, strict=True):
                moved = move(moved, t)
            v = self.value(e.expr, moved)
            seen[0] = max(seen[0], abs(v))
            return v

        one = len(at) == 1
        if self._quadrature_inside(e.expr):
            # a quadrature inside: differences at 32 digits with a step balancing truncation
            # (h^2) and round-off (1e-32 / h^n), rather than at (n + 1) times 30 digits
            total = sum(orders)
            with mpmath.workdps(32 // (total + 1)):
                step = {"h": mpmath.mpf(10) ** -(32 // (total + 2)), "addprec": 0}
                out = (
                    mpmath.diff(f, at[0], orders[0], **step)
                    if one
                    else mpmath.diff(f, tuple(at), tuple(orders), **step)
                )
        else:
            out = mpmath.diff(f, at[0], orders[0]) if one else mpmath.diff(f, tuple(at), tuple(orders))
        self._note("Derivative", +seen[0])
        return out

    def _quadrature_inside(self, e: sp.Basic) -> bool:
        """Whether evaluating ``e`` runs a quadrature (an integral or expectation in it or in the
        definitions it uses)."""
        todo, seen = [e], set()
        while todo:
            x = todo.pop()
            if x.has(sp.Integral, Expectation):
                return True
            for node in sp.preorder_traversal(x):
                for _, body in self.definitions.get(node.func, ()):
                    if body not in seen:
                        seen.add(body)
                        todo.append(body)
        return False

    def _setter(self, v: sp.Basic, env: Env) -> tuple[Any, Any, Callable[[Env, Any], Env]]:
        """A differentiation variable's identity at this point, its current value and a function
        moving it to ``t`` (an entry ``z[k]`` is moved by overriding the entry's value)."""
        if isinstance(v, sp.Indexed):
            key = (v.base, tuple(integer(self.value(i, env)) for i in v.indices))
            if env.entry is None:
                raise ValueError("no value for an indexed entry")

            def move_entry(at: Env, t: Any) -> Env:
                outer = at.entry
                assert outer is not None
                moved = Env(at)
                moved.entry = lambda base, idx: t if (base, idx) == key else outer(base, idx)
                return moved

            return key, env.entry(*key), move_entry
        if v not in env:
            raise ValueError(f"no value for the differentiation variable {v}")
        return v, env[v], lambda at, t: at.child(v, t)

    def _integral(self, e: sp.Integral, env: Env) -> Any:
        """Quadrature, innermost limit first: ``mpmath.quad`` at the working precision for a
        single integral, QUADPACK in double precision for a multiple or nested one (tanh-sinh in
        two dimensions at 30 digits takes minutes); either must report a small error estimate."""
        limits = e.limits
        if any(len(lim) != 3 for lim in limits):
            raise ValueError("an indefinite integral")
        nested = bool(self._floats) or len(limits) > 1 or e.function.has(sp.Integral)
        boxed = self._boxed(e, env) if nested and not self._floats else None
        if boxed is not None:
            return boxed
        # the largest integrand value met, the scale of a vanishing integral: compared as a float (an mpf
        # comparison per call was a fifth of a quadrature), kept as it came (a float overflows past 1e308)
        peak: list[Any] = [0.0, mpmath.mpf(0)]

        def quad(f: Callable[[Any], Any], cuts: list[Any]) -> Any:
            def tracked(t: Any) -> Any:
                v = f(t)
                size = abs(v)
                if float(size) >= peak[0]:
                    peak[0], peak[1] = float(size), size
                return v

            return (quad_floats if nested else quad_mp)(tracked, cuts)

        def integrate(k: int, at: Env) -> Any:
            var, lo, hi = limits[k]
            a, b = self._bound(lo, at), self._bound(hi, at)
            cuts = [a, *self._cuts(e.function, var, at, a, b), b]
            direct = self._direct(e.function, var, at) if k == 0 else None
            if direct is not None:
                return quad(direct, cuts)
            if k == 0:
                return quad(lambda t: self.value(e.function, at.child(var, t)), cuts)
            return quad(lambda t: integrate(k - 1, at.child(var, t)), cuts)

        self._floats += int(nested)
        try:
            out = integrate(len(limits) - 1, env)
        finally:
            self._floats -= int(nested)
        self._note("Nested" if nested else "Integral", out, mpmath.mpf(peak[1]))
        return out

    def _boxed(self, e: sp.Integral, env: Env) -> Any:
        """A smooth multiple integral over a box (:func:`flattened`) by vectorised cubature, compiled for
        numpy; ``None`` (the nested route) for a kink, an entry moving with a variable, or no convergence."""
        body, limits = flattened(e) or (None, ())
        if body is None or kink_arguments(body):
            return None
        code = self._bound_code(body, env, *(v for v, _, _ in limits), module="numpy")
        slots = [s for s in code[2] if s is not None] if code is not None else []
        if code is None or len(slots) < len(limits):
            return None
        try:
            bounds = [[float(self._bound(lim[k], env)) for lim in limits] for k in (1, 2)]
            out, peak = cubature_floats(code[0], code[1], slots, *bounds)
        except (ValueError, TypeError, OverflowError):
            return None
        self._note("Cubature", out, mpmath.mpf(peak))
        return out

    def _direct(self, body: sp.Basic, var: sp.Basic, env: Env) -> Callable[[Any], Any] | None:
        """The integrand as a function of ``var`` alone (the other values and the entries fixed now),
        when it compiles: no environment is built per node of the quadrature."""
        plain, nodes = self._outer(body)
        code = None if nodes else self._bound_code(plain, env, var)
        if code is None:
            return None
        fn, args, (slot,) = code

        def f(t: Any) -> Any:
            if slot is not None:
                args[slot] = t
            return fn(*args)

        return f

    def _cuts(self, body: sp.Basic, var: sp.Basic, env: Env, a: Any, b: Any) -> list[Any]:
        """Where to split the range: the kinks of ``Abs``, ``Max``, ``Piecewise``... whose argument
        is linear in ``var``, and for an infinite range also 0 and the values of the parameters in
        the integrand's exponentials (where a Gaussian's peak sits), so tanh-sinh misses neither."""
        if (body, var) not in self._kinks:
            roots = []
            for g in kink_arguments(body):
                poly = sp.Poly(g, var) if g.is_polynomial(var) else None
                if poly is not None and poly.degree() == 1:
                    c1, c0 = poly.all_coeffs()
                    roots.append(-c0 / c1)
            in_exp = {s for g in body.atoms(sp.exp) for s in g.free_symbols} - {var}
            self._kinks[(body, var)] = (roots, sorted(in_exp, key=str))
        kinks, peaks = self._kinks[(body, var)]
        # a kink that moves with an inner integration variable is split where that one is integrated
        found = {self.value(r, env) for r in kinks if all(s in env for s in r.free_symbols)}
        found = {mpmath.mpf(c) if isinstance(c, float) else c for c in found}  # floats inside a multiple integral
        if not (mpmath.isfinite(a) and mpmath.isfinite(b)):
            found.add(mpmath.mpf(0))
            found |= {mpmath.mpf(v) for s in peaks if isinstance(v := env.get(s), mpmath.mpf)}
        return sorted(c for c in found if isinstance(c, mpmath.mpf) and a < c < b)

    def _bound(self, b: sp.Basic, env: Env) -> Any:
        if b is sp.oo:
            return mpmath.inf
        if b is sp.S.NegativeInfinity:
            return -mpmath.inf
        return precise.mp_value(b, env, mpmath.mp.dps, env.entry)

    def _sum(self, e: sp.Sum, env: Env) -> Any:
        if any(lim[2] is sp.oo for lim in e.limits) and len(e.limits) == 1:
            var, lo, _ = e.limits[0]
            out = mpmath.nsum(lambda k: self.value(e.function, env.child(var, k)), [self._bound(lo, env), mpmath.inf])
            self._note("Series", out)
            return out
        terms = explicit_sum(e.limits, env, lambda at: self.value(e.function, at), self._bound)
        self._note("Sum", *terms)
        return mpmath.fsum(terms)

    def _product(self, e: sp.Product, env: Env) -> Any:
        out = mpmath.mpf(1)
        terms = explicit_sum(e.limits, env, lambda at: self.value(e.function, at), self._bound)
        for t in terms:
            out *= t
        self._note("Product", out)
        return out

    def _subs(self, e: sp.Subs, env: Env) -> Any:
        moved = env
        for var, where in zip(e.variables, e.point, strict=True):
            moved = moved.child(var, self.value(where, env))
        self.routes.add(ROUTES["Subs"])
        return self.value(e.expr, moved)

    def _limit(self, e: sp.Limit, env: Env) -> Any:
        """The expression at points approaching ``x_0`` (from the side ``dir`` names, from both for
        ``+-``); the three values must have settled, and both sides agree."""
        body, var, x0, side = e.args
        sides = {"+": (1,), "-": (-1,)}.get(str(side), (1, -1))
        with mpmath.extradps(max(LIMIT_STEPS) + 15):
            ends = [self._approach(body, var, x0, s, env) for s in sides]
        if len(ends) == 2 and abs(ends[0] - ends[1]) > mpmath.mpf(10) ** (-mpmath.mp.dps) * (1 + abs(ends[0])):
            raise ValueError("the one-sided limits differ")
        self._note("Limit", ends[0])
        return +ends[0]

    def _approach(self, body: sp.Basic, var: sp.Basic, x0: sp.Basic, side: int, env: Env) -> Any:
        ten = mpmath.mpf(10)
        if x0 in (sp.oo, sp.S.NegativeInfinity):
            sign = 1 if x0 is sp.oo else -1
            ts = [sign * ten**k for k in LIMIT_STEPS]
        else:
            a = self.value(x0, env)
            ts = [a + side * ten ** (-k) for k in LIMIT_STEPS]
        vs = [self.value(body, env.child(var, t)) for t in ts]
        settled = abs(vs[2] - vs[1]) <= ten**-6 * abs(vs[1] - vs[0]) + ten ** (-mpmath.mp.dps) * max(map(abs, vs))
        if not settled:
            raise ValueError("the limit did not settle")
        return vs[2]

    def _expectation(self, e: Expectation, env: Env) -> Any:
        """``E[g(X_1, ..., X_k)]`` for independent random variables: Gauss-Hermite quadrature when
        they are normal (exact for a polynomial ``g`` of low degree, else two rules must agree),
        otherwise the integral of ``g`` against their densities."""
        body = e.args[0] if len(e.args) == 1 else None
        rvs = sorted(random_symbols(body), key=str) if body is not None else []
        if rvs and all(isinstance(getattr(x.pspace, "distribution", None), NormalDistribution) for x in rvs):
            out = self._gauss_hermite(body, rvs, env)
            self._note("Hermite", out)
            return out
        out = self.value(_expectation_integral(e), env)
        self._note("Expectation", out)
        return out

    def _gauss_hermite(self, body: sp.Basic, rvs: list[Any], env: Env) -> Any:
        """The tensor Gauss-Hermite rule for ``X_i ~ N(mu_i, sigma_i^2)``: ``E[g] = \\sum_k
        \\prod_i (w_{k_i}/\\sqrt\\pi)\\, g(mu_i + \\sqrt2 sigma_i x_{k_i})``."""
        poly = body.as_poly(*rvs) if body.is_polynomial(*rvs) else None
        sizes = [poly.total_degree() // 2 + 1] if poly is not None else [HERMITE_NODES, HERMITE_NODES + 6]
        dummies = [sp.Dummy(str(x)) for x in rvs]
        g = body.xreplace(dict(zip(rvs, dummies, strict=True)))
        dists = [x.pspace.distribution for x in rvs]
        centres = [(self.value(d.mean, env), self.value(d.std, env)) for d in dists]
        results = []
        for m in sizes:
            nodes, weights = mpmath.gauss_quadrature(m, "hermite")
            total = mpmath.mpf(0)
            for pick in itertools.product(range(m), repeat=len(rvs)):
                at = Env(env)
                at.entry = env.entry
                w = mpmath.mpf(1)
                for u, (mean, std), k in zip(dummies, centres, pick, strict=True):
                    at[u] = mean + mpmath.sqrt(2) * std * nodes[k]
                    w *= weights[k] / mpmath.sqrt(mpmath.pi)
                total += w * self.value(g, at)
            results.append(total)
        if len(results) == 2 and abs(results[0] - results[1]) > mpmath.mpf(10) ** (-(mpmath.mp.dps // 2)) * (
            1 + abs(results[1])
        ):
            raise ValueError("the Gauss-Hermite rules disagree")
        return results[-1]

    def _noncommutative(self, e: sp.Basic, env: Env) -> Any:
        """A product of non-commutative symbols whose values are matrices: sums, products in
        their order and integer powers of matrices, a scalar ``c`` standing for ``c I``."""
        if e in env:
            self.routes.add(ROUTES["noncommutative"])
            return env[e]
        if e.is_commutative:
            return self.value(e, env)
        parts = [self._noncommutative(a, env) for a in e.args] if isinstance(e, sp.Add | sp.Mul) else []
        if isinstance(e, sp.Add):
            size = next((p.rows for p in parts if isinstance(p, mpmath.matrix)), 0)
            return functools.reduce(lambda a, b: a + b, (as_matrix(p, size) for p in parts))
        if isinstance(e, sp.Mul):
            return functools.reduce(lambda a, b: a * b, parts)
        if isinstance(e, sp.Pow) and e.exp.is_Integer and e.exp >= 0:
            return self._noncommutative(e.base, env) ** int(e.exp)
        raise ValueError(f"cannot evaluate the non-commutative {type(e).__name__}")

    def _expm(self, e: sp.exp, env: Env) -> Any:
        """``exp`` of a matrix: the matrix exponential of its evaluated entries."""
        self.routes.add(ROUTES["expm"])
        return mpmath.expm(self._matrix(e.args[0], env))

    # -- definitions and matrices ------------------------------------------------------------------
    def _defined(self, e: sp.Basic, env: Env) -> Any:
        """The body at the values of the arguments (those of parameters it uses)."""
        for head, body in self.definitions[e.func]:
            if len(head.args) == len(e.args):
                moved = Env({k: v for k, v in env.items() if k not in head.args})
                moved.entry = env.entry
                for param, arg in zip(head.args, e.args, strict=True):
                    if param in body.free_symbols:
                        moved[param] = self.value(arg, env)
                if e.args != head.args:
                    self.routes.add(ROUTES["definition"])
                return self.value(body, moved)
        raise ValueError(f"no definition of {e.func} with {len(e.args)} arguments")

    def _matrix(self, e: sp.Basic, env: Env) -> Any:
        """An explicit matrix or a matrix expression as an ``mpmath.matrix``."""
        if isinstance(e, Notation):
            return self._matrix(e.args[1], env)
        if isinstance(e, sp.MatrixBase):
            out = mpmath.matrix([[self.value(e[i, j], env) for j in range(e.cols)] for i in range(e.rows)])
            self._note(None, out)  # the size of the entries: the scale of a product that vanishes
            return out
        parts = [self._matrix(a, env) if isinstance(a, sp.MatrixExpr | sp.MatrixBase) else a for a in e.args]
        if isinstance(e, sp.MatMul):
            out = mpmath.mpf(1)
            for p in parts:
                out = out * (self.value(p, env) if isinstance(p, sp.Basic) else p)
            return self._matrix_route(out)
        if isinstance(e, sp.MatAdd):
            return self._matrix_route(sum(parts[1:], parts[0]))
        if isinstance(e, sp.Transpose):
            return parts[0].T
        if isinstance(e, sp.Inverse):
            return self._matrix_route(mpmath.inverse(parts[0]))
        if isinstance(e, sp.MatPow) and e.exp.is_Integer:
            return self._matrix_route(parts[0] ** int(e.exp))
        if isinstance(e, KroneckerProduct):
            return self._matrix_route(functools.reduce(kron, parts))
        if isinstance(e, sp.Identity):
            return mpmath.eye(int(e.rows))
        if isinstance(e, sp.ZeroMatrix):
            return mpmath.zeros(int(e.rows), int(e.cols))
        raise ValueError(f"cannot evaluate the matrix expression {type(e).__name__}")

    def _matrix_route(self, value: Any) -> Any:
        self.routes.add(ROUTES["Matrix"])
        return value
