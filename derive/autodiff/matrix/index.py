r"""Matrix expressions in index notation at symbolic sizes.

:func:`entry` writes entry :math:`(i, j)` of a node as a SymPy expression in the entries of its
variables (``IndexedBase`` objects, 1-based): a product is
:math:`(AB)_{ij} = \sum_{t=1}^{s} A_{it} B_{tj}` (an :class:`IndexSum` over a bound index with a
symbolic range), a transpose swaps the indices, :math:`\operatorname{tr} M = \sum_t M_{tt}`,
:math:`\lVert M\rVert = (\sum_{ab} M_{ab}^2)^{1/2}`, :math:`\mathrm{softmax}(v)_i = e^{v_i}/\sum_t e^{v_t}`.

A determinant and the entries of an inverse at a symbolic size have no finite index form; they
stay opaque (:class:`MatDet`, :class:`InvEntry`, each holding the entries of its matrix as a
``Lambda``) and differentiate by the standard differentials, stated as named facts
(The Matrix Cookbook, eqs. 41 and 59; Magnus and Neudecker (2019), Matrix Differential Calculus, ch. 8):

.. math:: \frac{\partial \det M}{\partial \theta}
   = \det M \sum_{a,b} (M^{-1})_{ba} \frac{\partial M_{ab}}{\partial\theta}, \qquad
   \frac{\partial (M^{-1})_{ij}}{\partial \theta}
   = -\sum_{a,b} (M^{-1})_{ia} \frac{\partial M_{ab}}{\partial\theta} (M^{-1})_{bj}.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from itertools import count
from typing import Any

import sympy as sp
from sympy.concrete.delta import deltasummation
from sympy.core.symbol import Str

from ...maths.domains import integer
from ...maths.special import sigmoid, softplus
from ...verify.sums import decide_conditions
from .nodes import Node

DET_FACT = r"$\partial \det M = \det M\,\operatorname{tr}(M^{-1}\,\partial M)$ (Matrix Cookbook eq. 41)"
INV_FACT = r"$\partial M^{-1} = -M^{-1}\,(\partial M)\,M^{-1}$ (Matrix Cookbook eq. 59)"


class IndexSum(sp.Sum):
    r"""A sum over an index range at a symbolic size. Evaluating it only sifts Kronecker deltas
    (:math:`\sum_{t=1}^{n}\delta_{tk}\,g(t) = g(k)` if :math:`1 \le k \le n`, a case the index
    domains decide): a sum of unknown entries has no closed form, and SymPy's search for one
    (``hypersimp``...) costs seconds per link without finding any."""

    def doit(self, **hints: Any) -> sp.Expr:
        body = self.function.doit(**hints) if hints.get("deep", True) else self.function
        return sum_out(body, self.limits, piecewise=True)


def sum_out(body: sp.Expr, limits: Sequence[tuple[sp.Symbol, sp.Expr, sp.Expr]], *, piecewise: bool) -> sp.Expr:
    r""":math:`\sum_{limits} body`, term by term, first over each index that a Kronecker delta
    *multiplying* the term names (:math:`\sum_t \delta_{tk} g(t) = g(k)`: the order of a finite
    sum over independent ranges is free), the other indices left as an :class:`IndexSum`. With
    ``piecewise`` the condition :math:`1 \le k \le n` is kept as a case (SymPy's
    ``deltasummation``); without, it is assumed (the index domains say so, the ladder checks)."""
    out = []
    for term in sp.Add.make_args(_expand(_pull_deltas(_expand(body)))):
        remaining, cases = list(limits), list[sp.Basic]()
        term = _lift_cases(term, limits, cases)
        progress = True
        while progress:
            progress = False
            deltas = [f for f in sp.Mul.make_args(term) if isinstance(f, sp.KroneckerDelta)]
            for limit in remaining:
                if any(limit[0] in d.free_symbols for d in deltas):
                    term = deltasummation(term, limit, no_piecewise=not piecewise)
                    remaining.remove(limit)
                    term = _case(term, remaining, cases)
                    progress = True
                    break
        total = IndexSum(term, *remaining) if remaining else term
        out.append(sp.Piecewise((total, sp.And(*cases)), (0, True)) if cases else total)
    return sp.Add(*out)


def _case(term: sp.Expr, remaining: list[tuple[sp.Symbol, sp.Expr, sp.Expr]], cases: list[sp.Basic]) -> sp.Expr:
    """A sifted term ``Piecewise((g, c), (0, True))``: ``c`` decided by the ranges of the indices still
    summed (``t <= n`` for ``t`` in ``1..n``), else kept in ``cases`` when it names none of them
    (it may then stand outside the sum), else left in place."""
    if not (isinstance(term, sp.Piecewise) and len(term.args) == 2 and term.args[1].expr == 0):
        return term
    expr, cond = term.args[0]
    ranges = {v: integer(lo, hi) for v, lo, hi in remaining}
    cond = decide_conditions(cond, ranges)
    if cond == sp.true:
        return expr
    if cond.free_symbols & set(ranges):
        return sp.Piecewise((expr, cond), (0, True))
    cases.append(cond)
    return expr


def _expand(e: sp.Expr) -> sp.Expr:
    """Products distributed over sums (``exp(a + b)`` left whole: no ``Product`` of exponentials)."""
    return sp.expand(e, power_exp=False, power_base=False, log=False)


def _pull_deltas(e: sp.Expr) -> sp.Expr:
    r"""A delta out of every sum over indices it does not name: :math:`\sum_t \delta_{lj} g(t) =
    \delta_{lj} \sum_t g(t)` (sums split by linearity first), so that the enclosing sum can sift it."""
    if isinstance(e, sp.Mul):
        return sp.Mul(*(_pull_deltas(a) for a in e.args))
    if not isinstance(e, sp.Sum) or not e.has(sp.KroneckerDelta):
        return e
    own = {lim[0] for lim in e.limits}
    parts = []
    for t in sp.Add.make_args(_expand(e.function)):
        factors = sp.Mul.make_args(_pull_deltas(t))
        out = [f for f in factors if isinstance(f, sp.KroneckerDelta) and not (f.free_symbols & own)]
        keep = [f for f in factors if f not in out]
        parts.append(sp.Mul(*out) * IndexSum(sp.Mul(*keep), *e.limits))
    return sp.Add(*parts)


def _lift_cases(term: sp.Expr, limits: Sequence[tuple[sp.Symbol, sp.Expr, sp.Expr]], cases: list[sp.Basic]) -> sp.Expr:
    """Each factor ``Piecewise((g, c), (h, True))`` of ``term`` written ``g`` when the ranges of the
    summed indices decide ``c``, or, for ``h = 0``, when ``c`` names none of them (``c`` is then kept
    in ``cases``, to stand outside the sum)."""
    ranges = {v: integer(lo, hi) for v, lo, hi in limits}

    def holds(p: sp.Basic) -> bool:
        return isinstance(p, sp.Piecewise) and decide_conditions(p.args[0].cond, ranges) == sp.true

    term = term.replace(holds, lambda p: p.args[0].expr)  # a case the summed ranges decide, anywhere
    factors = []
    for f in sp.Mul.make_args(term):
        if isinstance(f, sp.Piecewise) and len(f.args) == 2 and f.args[1].cond == sp.true:
            cond = decide_conditions(f.args[0].cond, ranges)
            if cond == sp.true:
                f = f.args[0].expr
            elif f.args[1].expr == 0 and not (cond.free_symbols & set(ranges)):
                cases.append(cond)
                f = f.args[0].expr
        factors.append(f)
    return sp.Mul(*factors)


def _sifts(e: sp.Basic) -> bool:
    return isinstance(e, sp.Sum) and any(
        lim[0] in d.free_symbols for lim in e.limits for d in e.function.atoms(sp.KroneckerDelta)
    )


def collapse(expr: sp.Basic) -> sp.Basic:
    r"""Every :math:`\sum_{t=1}^{n} \delta_{tk}\, g(t)` in ``expr`` written :math:`g(k)`, the index
    :math:`k` assumed in :math:`1..n` (as its domain says; the ladder decides that case)."""
    return expr.replace(_sifts, lambda total: sum_out(total.function, total.limits, piecewise=False))


def has_kronecker_sum(e: sp.Basic) -> bool:
    """True if a sum in ``e`` still holds a delta in its own index."""
    return any(_sifts(t) for t in e.atoms(sp.Sum))


def index_sum(body: sp.Expr, var: sp.Symbol, size: sp.Expr) -> sp.Expr:
    """:math:`\\sum_{var=1}^{size} body` (the body itself at size 1)."""
    if size == 1:
        return body.xreplace({var: sp.S.One})
    return IndexSum(body, (var, 1, size))


class _Opaque(sp.Function):
    """An entry of a matrix function without a finite index form at a symbolic size:
    ``args = (name, entries, size, *indices)`` with ``entries`` a ``Lambda((a, b), M_ab)``; a real
    number that commutes (the arguments' name and ``Lambda`` say nothing of that to SymPy)."""

    is_commutative = True
    is_real = True

    @property
    def matrix(self) -> sp.Basic:
        return self.args[0]

    def _moved(self, s: sp.Basic) -> tuple[sp.Symbol, sp.Symbol, sp.Expr]:
        """The fresh indices ``a, b`` and :math:`\\partial M_{ab}/\\partial s`."""
        lam, _size = self.args[1], self.args[2]
        a, b = sp.Dummy("a", integer=True, positive=True), sp.Dummy("b", integer=True, positive=True)
        return a, b, sp.diff(lam(a, b), s)


class MatDet(_Opaque):
    r""":math:`\det M` of the square matrix whose entries are ``args[1]``."""

    def _eval_derivative(self, s: sp.Basic) -> sp.Expr:
        a, b, moved = self._moved(s)
        if moved == 0:
            return sp.S.Zero
        name, lam, size = self.args[:3]
        inverse = InvEntry(name, lam, size, b, a)
        return self * index_sum(index_sum(inverse * moved, a, size), b, size)

    def _latex(self, printer: Any) -> str:
        return rf"\det\left({printer._print(self.args[0])}\right)"

    def _sympystr(self, printer: Any) -> str:
        return f"det({printer._print(self.args[0])})"


class InvEntry(_Opaque):
    r""":math:`(M^{-1})_{ij}`: ``args = (name, entries, size, i, j)``."""

    def _eval_derivative(self, s: sp.Basic) -> sp.Expr:
        a, b, moved = self._moved(s)
        if moved == 0:
            return sp.S.Zero
        name, lam, size, i, j = self.args
        left, right = InvEntry(name, lam, size, i, a), InvEntry(name, lam, size, b, j)
        return -index_sum(index_sum(left * moved * right, a, size), b, size)

    def _latex(self, printer: Any) -> str:
        name, i, j = (printer._print(x) for x in (self.args[0], self.args[3], self.args[4]))
        return rf"\left({name}^{{-1}}\right)_{{{i} {j}}}"

    def _sympystr(self, printer: Any) -> str:
        return f"inv({printer._print(self.args[0])})[{printer._print(self.args[3])}, {printer._print(self.args[4])}]"


_SCALAR_FUNCTIONS: dict[str, Callable[[sp.Expr], sp.Expr]] = {
    "exp": sp.exp,
    "log": sp.log,
    "tanh": sp.tanh,
    "sigmoid": sigmoid,
    "softplus": softplus,
    "relu": lambda z: sp.Max(0, z),
    "step": sp.Heaviside,
    "sqrt": sp.sqrt,
    "sin": sp.sin,
    "cos": sp.cos,
}


class Indexer:
    """Writes entries of nodes; each bound index is a fresh symbol ``t1, t2, ...``."""

    def __init__(self, bases: dict[str, sp.Basic]) -> None:
        self.bases = bases
        self._fresh = count(1)
        self._opaque: dict[Node, tuple[sp.Basic, sp.Lambda, sp.Expr]] = {}

    def fresh(self) -> sp.Symbol:
        return sp.Symbol(f"t{next(self._fresh)}", integer=True, positive=True)

    def entry(self, a: Node, i: sp.Expr, j: sp.Expr) -> sp.Expr:
        """Entry ``(i, j)`` of ``a`` (1-based; a vector's column index is 1)."""
        op, args = a.op, a.args
        if op in _SCALAR_FUNCTIONS:
            return _SCALAR_FUNCTIONS[op](self.entry(args[0], i, j))
        handler = getattr(self, f"_{op}")
        return handler(a, i, j)

    # -- leaves
    def _sym(self, a: Node, i: sp.Expr, j: sp.Expr) -> sp.Expr:
        base = self.bases[a.name]
        if a.scalar:
            return base
        if a.shape[1] == 1:
            return base[i]
        return base[i, j]

    def _size(self, a: Node, i: sp.Expr, j: sp.Expr) -> sp.Expr:
        return sp.Symbol(a.name, integer=True, positive=True)

    def _num(self, a: Node, i: sp.Expr, j: sp.Expr) -> sp.Expr:
        return a.value

    def _ones(self, a: Node, i: sp.Expr, j: sp.Expr) -> sp.Expr:
        return sp.S.One

    def _eye(self, a: Node, i: sp.Expr, j: sp.Expr) -> sp.Expr:
        return sp.KroneckerDelta(i, j)

    # -- algebra
    def _add(self, a: Node, i: sp.Expr, j: sp.Expr) -> sp.Expr:
        return sp.Add(*(self.entry(t, i, j) for t in a.args))

    def _neg(self, a: Node, i: sp.Expr, j: sp.Expr) -> sp.Expr:
        return -self.entry(a.args[0], i, j)

    def _scale(self, a: Node, i: sp.Expr, j: sp.Expr) -> sp.Expr:
        return self.entry(a.args[0], 1, 1) * self.entry(a.args[1], i, j)

    def _matmul(self, a: Node, i: sp.Expr, j: sp.Expr) -> sp.Expr:
        left, right = a.args
        t = self.fresh()
        return index_sum(self.entry(left, i, t) * self.entry(right, t, j), t, left.shape[1])

    def _T(self, a: Node, i: sp.Expr, j: sp.Expr) -> sp.Expr:
        return self.entry(a.args[0], j, i)

    def _pow(self, a: Node, i: sp.Expr, j: sp.Expr) -> sp.Expr:
        return self.entry(a.args[0], i, j) ** a.value

    _epow = _pow

    def _had(self, a: Node, i: sp.Expr, j: sp.Expr) -> sp.Expr:
        return self.entry(a.args[0], i, j) * self.entry(a.args[1], i, j)

    # -- reductions
    def _total(self, a: Node, body: Callable[[sp.Expr, sp.Expr], sp.Expr]) -> sp.Expr:
        r, c = self.fresh(), self.fresh()
        return index_sum(index_sum(body(r, c), r, a.shape[0]), c, a.shape[1])

    def _sum(self, a: Node, i: sp.Expr, j: sp.Expr) -> sp.Expr:
        return self._total(a.args[0], lambda r, c: self.entry(a.args[0], r, c))

    def _norm(self, a: Node, i: sp.Expr, j: sp.Expr) -> sp.Expr:
        return sp.sqrt(self._total(a.args[0], lambda r, c: self.entry(a.args[0], r, c) ** 2))

    def _trace(self, a: Node, i: sp.Expr, j: sp.Expr) -> sp.Expr:
        t = self.fresh()
        return index_sum(self.entry(a.args[0], t, t), t, a.args[0].shape[0])

    def _logsumexp(self, a: Node, i: sp.Expr, j: sp.Expr) -> sp.Expr:
        t = self.fresh()
        return sp.log(index_sum(sp.exp(self.entry(a.args[0], t, 1)), t, a.args[0].shape[0]))

    def _softmax(self, a: Node, i: sp.Expr, j: sp.Expr) -> sp.Expr:
        t = self.fresh()
        v = a.args[0]
        return sp.exp(self.entry(v, i, 1)) / index_sum(sp.exp(self.entry(v, t, 1)), t, v.shape[0])

    def _diagm(self, a: Node, i: sp.Expr, j: sp.Expr) -> sp.Expr:
        return sp.KroneckerDelta(i, j) * self.entry(a.args[0], i, 1)

    def _diagv(self, a: Node, i: sp.Expr, j: sp.Expr) -> sp.Expr:
        return self.entry(a.args[0], i, i)

    # -- opaque: determinant and inverse
    def _entries(self, m: Node) -> tuple[sp.Basic, sp.Lambda, sp.Expr]:
        """The name, entries and size of ``m`` (one ``Lambda`` per matrix, so equal matrices match)."""
        if m not in self._opaque:
            r, c = self.fresh(), self.fresh()
            self._opaque[m] = (Str(str(m)), sp.Lambda((r, c), self.entry(m, r, c)), m.shape[0])
        return self._opaque[m]

    def _det(self, a: Node, i: sp.Expr, j: sp.Expr) -> sp.Expr:
        if a.args[0].scalar:
            return self.entry(a.args[0], 1, 1)
        return MatDet(*self._entries(a.args[0]))

    def _inv(self, a: Node, i: sp.Expr, j: sp.Expr) -> sp.Expr:
        if a.scalar:
            return 1 / self.entry(a.args[0], 1, 1)
        return InvEntry(*self._entries(a.args[0]), i, j)
