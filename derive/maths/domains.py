r"""Domains: where a variable lives, how its symbol is assumed, and how it is sampled.

A domain plays three roles, kept consistent by construction (the numpyro idea of a constraint per
parameter): it states the SymPy assumptions of the variable's symbol (``positive()`` makes
``Symbol(..., positive=True)``), it samples the variable for the numeric checks (seeded, vectorised)
and it offers edge points for the high-precision zero test of the verification ladder.

Bounds may name other variables (``interval(0, T)``): sampling resolves them in dependency order.

Scalar domains: :func:`real`, :func:`positive`, :func:`nonnegative`, :func:`interval`,
:func:`integer`, :func:`probability`, :func:`punctured` (an interval without one point), and
:func:`from_word` for the words people type (``positive``, ``integer>=1``, ``(0, T]``). Array domains
for cross-checks and joint symbolic variables: :func:`vector`, :func:`matrix`, :func:`spd`,
:func:`simplex`, :func:`graph`. Sampling many variables together lives in :mod:`derive.numeric.sampling`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeAlias

import numpy as np
import sympy as sp

Bound: TypeAlias = "float | int | sp.Expr | None"


def _num(bound: Bound, values: Mapping[sp.Symbol, np.ndarray]) -> np.ndarray | float | None:
    if bound is None:
        return None
    b = sp.sympify(bound)
    if b.free_symbols:
        f = sp.lambdify(sorted(b.free_symbols, key=str), b, "numpy")
        return np.asarray(f(*[values[s] for s in sorted(b.free_symbols, key=str)]), dtype=float)
    return float(b)


@dataclass(frozen=True)
class Domain:
    """A scalar domain: an interval of the reals, possibly of integers, possibly open."""

    lo: Bound = None
    hi: Bound = None
    open_lo: bool = False
    open_hi: bool = False
    integer: bool = False
    label: str = ""
    #: the typical range used to sample an unbounded side (e.g. real() samples in [-10, 10])
    spread: float = 10.0
    log_scale: bool = False

    # -- symbolic view -------------------------------------------------------------------------
    def assumptions(self) -> dict[str, bool]:
        """SymPy assumptions implied by the domain (only those that hold for every value)."""
        out: dict[str, bool] = {"integer": True} if self.integer else {"real": True}
        lo = sp.sympify(self.lo) if self.lo is not None else None
        if lo is not None and not lo.free_symbols:
            if lo > 0 or (lo == 0 and self.open_lo):
                out["positive"] = True
            elif lo == 0:
                out["nonnegative"] = True
        elif lo is not None and lo.free_symbols and lo.is_nonnegative:
            out["nonnegative"] = True
        return out

    def symbol(self, name: str) -> sp.Symbol:
        """A SymPy symbol named ``name`` carrying this domain's assumptions."""
        return sp.Symbol(name, **self.assumptions())

    def depends_on(self) -> set[sp.Symbol]:
        deps: set[sp.Symbol] = set()
        for b in (self.lo, self.hi):
            if b is not None:
                deps |= sp.sympify(b).free_symbols
        return deps

    def consistent_with(self, sym: sp.Symbol) -> bool:
        """True if ``sym`` is real and every assumption it carries is implied by this domain (so
        symbolic steps are valid); :func:`check_assumptions` says which fact is not."""
        return check_assumptions(sym, self) is None and sym.is_real is True

    def implied_assumptions(self) -> dict[str, bool]:
        """Every sign fact the domain guarantees (more than :meth:`assumptions` gives a new symbol):
        real or integer; positive/nonnegative from the lower end, negative/nonpositive from the upper
        end (ends naming other variables count by their own assumptions); nonzero when 0 is left out."""
        out: dict[str, bool] = {"integer": True} if self.integer else {"real": True}
        if self.lo is not None:
            sign = _beyond_zero(exact(self.lo), self.open_lo, self.integer)
            if sign:
                out["positive" if sign == "strict" else "nonnegative"] = True
        if self.hi is not None:
            sign = _beyond_zero(-exact(self.hi), self.open_hi, self.integer)
            if sign:
                out["negative" if sign == "strict" else "nonpositive"] = True
        return out

    def as_set(self) -> sp.Set:
        """The domain as a SymPy set (an ``Interval``, or its integers as a ``Range``), for ``solveset``."""
        lo = -sp.oo if self.lo is None else exact(self.lo)
        hi = sp.oo if self.hi is None else exact(self.hi)
        box = sp.Interval(lo, hi, self.open_lo or self.lo is None, self.open_hi or self.hi is None)
        return sp.Intersection(sp.S.Integers, box) if self.integer else box

    def describe(self) -> str:
        """The domain in plain text: ``[-8, 8]``, ``(0, oo)``, ``integers in [1, 6]``."""
        lo = "-oo" if self.lo is None else sp.sstr(exact(self.lo))
        hi = "oo" if self.hi is None else sp.sstr(exact(self.hi))
        left = "(" if self.open_lo or self.lo is None else "["
        right = ")" if self.open_hi or self.hi is None else "]"
        return f"{'integers in ' if self.integer else ''}{left}{lo}, {hi}{right}"

    def latex(self, name: str) -> str:
        """``x \\in [-8, 8]`` style description for sheets."""
        if self.label:
            return f"{name} {self.label}"
        lo = "-\\infty" if self.lo is None else sp.latex(sp.sympify(self.lo))
        hi = "\\infty" if self.hi is None else sp.latex(sp.sympify(self.hi))
        if self.integer:
            return f"{name} \\in \\mathbb{{Z}},\\ {lo} \\le {name} \\le {hi}"
        if self.lo is None and self.hi is None:
            return f"{name} \\in \\mathbb{{R}}"
        left = "(" if self.open_lo or self.lo is None else "["
        right = ")" if self.open_hi or self.hi is None else "]"
        return f"{name} \\in {left}{lo}, {hi}{right}"

    # -- numeric view --------------------------------------------------------------------------
    def sample(self, rng: np.random.Generator, n: int, values: Mapping[sp.Symbol, np.ndarray]) -> np.ndarray:
        """``n`` seeded samples; bounds naming other variables are read from ``values``."""
        lo, hi = _num(self.lo, values), _num(self.hi, values)
        if lo is None and hi is None:
            lo, hi = -self.spread, self.spread
        elif lo is None:
            lo = np.asarray(hi) - self.spread
        elif hi is None:
            if self.log_scale or (np.all(np.asarray(lo) >= 0)):
                # positive quantities span orders of magnitude: sample log-uniformly above lo
                base = np.maximum(np.asarray(lo, dtype=float), 0.0)
                span = np.exp(rng.uniform(np.log(1e-2), np.log(self.spread), n))
                return base + span
            hi = lo + self.spread
        if self.integer:
            lo_i = np.ceil(np.asarray(lo) + (1 if self.open_lo else 0))
            hi_i = np.floor(np.asarray(hi) - (1 if self.open_hi else 0))
            return np.floor(rng.uniform(lo_i, hi_i + 1, n)).clip(lo_i, hi_i)
        u = rng.uniform(0.0, 1.0, n)
        u = np.clip(u, 1e-9, 1 - 1e-9)  # open ends: never sample exactly on them
        return np.asarray(lo) + u * (np.asarray(hi) - np.asarray(lo))

    def edge_points(self) -> list[sp.Expr]:
        """Exact points worth testing (0, ±1, the ends, a large magnitude), all inside the domain."""
        candidates = [
            sp.Integer(0),
            sp.Integer(1),
            sp.Integer(-1),
            sp.Rational(1, 2),
            sp.Rational(-1, 3),
            sp.Integer(3),
            sp.Integer(-3),
            sp.Rational(1, 1000),
            sp.Integer(7),
            sp.Integer(-7),
        ]
        if self.lo is not None and not sp.sympify(self.lo).free_symbols:
            lo = exact(self.lo)
            candidates += [lo + sp.Rational(1, 1000), lo + 1, lo + 10] if self.open_lo else [lo, lo + 1]
        if self.hi is not None and not sp.sympify(self.hi).free_symbols:
            hi = exact(self.hi)
            candidates += [hi - sp.Rational(1, 1000)] if self.open_hi else [hi]
        if self.hi is None:
            candidates.append(sp.Integer(25))
        return [c for c in candidates if self.contains(c)]

    def contains(self, value: sp.Expr) -> bool:
        if self.lo is not None:
            lo = sp.sympify(self.lo)
            if lo.free_symbols:
                return False  # dependent bounds: edge points are not used for this variable
            if value < lo or (self.open_lo and value == lo):
                return False
        if self.hi is not None:
            hi = sp.sympify(self.hi)
            if hi.free_symbols:
                return False
            if value > hi or (self.open_hi and value == hi):
                return False
        return not (self.integer and not value.is_integer)


def real(lo: Bound = None, hi: Bound = None, *, spread: float = 10.0) -> Domain:
    """The reals, or the closed interval ``[lo, hi]``."""
    return Domain(lo, hi, spread=spread)


def interval(lo: Bound, hi: Bound, *, open_lo: bool = False, open_hi: bool = False) -> Domain:
    """An interval whose ends may name other variables (``interval(0, T)``)."""
    return Domain(lo, hi, open_lo=open_lo, open_hi=open_hi)


def positive(hi: Bound = None, *, lo: Bound = 0, spread: float = 10.0) -> Domain:
    """``(0, hi]`` or ``(0, oo)``; sampled log-uniformly when unbounded."""
    return Domain(lo, hi, open_lo=True, spread=spread)


def nonnegative(hi: Bound = None, *, spread: float = 10.0) -> Domain:
    """``[0, hi]`` or ``[0, oo)``."""
    return Domain(0, hi, spread=spread)


def probability(*, open_ends: bool = True) -> Domain:
    """``(0, 1)`` (or ``[0, 1]``)."""
    return Domain(0, 1, open_lo=open_ends, open_hi=open_ends, label=r"\in (0, 1)" if open_ends else r"\in [0, 1]")


def integer(lo: Bound = None, hi: Bound = None) -> Domain:
    """Integers in ``[lo, hi]``."""
    return Domain(lo, 50 if hi is None else hi, integer=True)


# ----------------------------------------------------------------------------- array samplers
@dataclass(frozen=True)
class ArrayDomain:
    """A random array shape/structure used by cross-checks (and by joint symbolic variables)."""

    kind: str
    shape: tuple[int, ...]
    options: Mapping[str, float] = field(default_factory=dict)

    def sample(self, rng: np.random.Generator) -> np.ndarray:
        if self.kind == "vector":
            return rng.normal(0.0, self.options.get("scale", 1.0), self.shape)
        if self.kind == "matrix":
            return rng.normal(0.0, self.options.get("scale", 1.0), self.shape)
        if self.kind == "spd":
            n = self.shape[0]
            a = rng.normal(size=(n, n))
            return a @ a.T + self.options.get("ridge", 0.5) * np.eye(n)
        if self.kind == "simplex":
            return rng.dirichlet(np.ones(self.shape[0]))
        if self.kind == "graph":
            n = self.shape[0]
            p = self.options.get("p", 0.4)
            upper = np.triu(rng.uniform(size=(n, n)) < p, 1).astype(float)
            adj = upper + upper.T
            if self.options.get("connected", 1.0):
                for i in range(n - 1):  # a path keeps it connected without biasing much
                    adj[i, i + 1] = adj[i + 1, i] = 1.0
            return adj
        raise ValueError(f"unknown array domain {self.kind!r}")

    def latex(self, name: str) -> str:
        dims = r" \times ".join(str(d) for d in self.shape)
        return {
            "vector": rf"{name} \in \mathbb{{R}}^{{{dims}}}",
            "matrix": rf"{name} \in \mathbb{{R}}^{{{dims}}}",
            "spd": rf"{name} \in \mathbb{{S}}_{{++}}^{{{self.shape[0]}}}",
            "simplex": rf"{name} \in \Delta^{{{self.shape[0] - 1}}}",
            "graph": rf"{name}\ \text{{a graph on {self.shape[0]} nodes}}",
        }[self.kind]


def vector(n: int, *, scale: float = 1.0) -> ArrayDomain:
    """A standard normal vector of length ``n`` (times ``scale``)."""
    return ArrayDomain("vector", (n,), {"scale": scale})


def matrix(m: int, n: int, *, scale: float = 1.0) -> ArrayDomain:
    """A standard normal ``m x n`` matrix."""
    return ArrayDomain("matrix", (m, n), {"scale": scale})


def spd(n: int, *, ridge: float = 0.5) -> ArrayDomain:
    """A random symmetric positive definite ``n x n`` matrix ``A A^T + ridge I``."""
    return ArrayDomain("spd", (n, n), {"ridge": ridge})


def simplex(n: int) -> ArrayDomain:
    """A uniformly random point of the probability simplex in ``R^n``."""
    return ArrayDomain("simplex", (n,))


def graph(n: int, *, p: float = 0.4, connected: bool = True) -> ArrayDomain:
    """The adjacency matrix of a random undirected graph (connected unless told otherwise)."""
    return ArrayDomain("graph", (n, n), {"p": p, "connected": float(connected)})


def _beyond_zero(lo: sp.Expr, open_end: bool, integer: bool) -> str:
    """How far above 0 everything beyond the end ``lo`` lies: "strict" (> 0), "weak" (>= 0) or ""."""
    if integer and lo.is_integer is False:  # the integers above a fraction start at its ceiling
        strict, weak = lo.is_positive, (lo + 1).is_positive
    elif integer and lo.is_integer and open_end:  # ... above an excluded integer, at the next one
        strict, weak = lo.is_nonnegative, (lo + 1).is_nonnegative
    else:
        strict, weak = lo.is_positive or (open_end and lo.is_nonnegative), lo.is_nonnegative
    return "strict" if strict else "weak" if weak else ""


def with_bounds(domains: Mapping[sp.Symbol, Domain], known: Mapping[Any, Any]) -> dict[sp.Symbol, Domain]:
    """``domains`` and, from ``known``, the domains of the symbols their bounds name, directly or through
    other bounds (``j <= k`` and ``k <= n``: ``j`` needs ``k`` and ``n``)."""
    out = dict(domains)
    todo = list(out.values())
    while todo:
        for s in todo.pop().depends_on():
            if s not in out and isinstance(known.get(s), Domain):
                out[s] = known[s]
                todo.append(known[s])
    return out


def check_assumptions(symbol: sp.Symbol, domain: Domain) -> str | None:
    """Why ``symbol``'s SymPy assumptions say more than ``domain`` guarantees (``None``: they do not).

    Every fact of ``symbol.assumptions0`` (true or false) must be what a symbol carrying only the
    domain's :meth:`~Domain.implied_assumptions` has: ``Symbol('x', nonzero=True)`` on ``[-8, 8]``
    would let SymPy prove ``sign(x)**2 = 1``, ``Symbol('m', even=True)`` on the integers in
    ``[1, 6]`` would prove ``(-1)**m = 1``. The facts given when the symbol was made are named first.
    """
    probe = sp.Dummy(**domain.implied_assumptions())
    given = getattr(symbol, "_assumptions_orig", {})
    facts = sorted(symbol.assumptions0.items(), key=lambda kv: (kv[0] not in given, kv[0]))
    for fact, value in facts:
        if getattr(probe, f"is_{fact}", None) != value:
            return (
                f"symbol {symbol} is declared {fact}={value}, which its domain {domain.describe()} does not imply "
                f"(assumptions must follow from the domain): create it with the domain's .symbol({str(symbol)!r}) "
                "or narrow the domain"
            )
    return None


def exact(bound: object) -> sp.Expr:
    """A bound as an exact number: ``lo=0.1`` is 1/10, not a 15-digit Float, so an edge point
    near it does not cap the ladder's 30-digit evaluation at double precision."""
    value = sp.sympify(bound)
    return sp.Rational(repr(float(value))) if isinstance(value, sp.Float) else value


# ----------------------------------------------------------------------------- a point removed
@dataclass(frozen=True)
class PuncturedDomain(Domain):
    """``[lo, hi]`` without the point ``hole``."""

    hole: float | int = 0

    def edge_points(self) -> list[sp.Expr]:
        points = [p for p in super().edge_points() if p != self.hole]
        # approach the hole from both sides instead of sitting on it
        near = [sp.sympify(self.hole) + sp.Rational(sign, 1000) for sign in (1, -1)]
        return points + [p for p in near if self.contains(p)]

    def contains(self, value: sp.Expr) -> bool:
        return value != self.hole and super().contains(value)

    def latex(self, name: str) -> str:
        return rf"{super().latex(name)} \setminus \{{{sp.latex(sp.sympify(self.hole))}\}}"

    def implied_assumptions(self) -> dict[str, bool]:
        out = super().implied_assumptions()
        if self.hole == 0:
            out["nonzero"] = True
        return out

    def as_set(self) -> sp.Set:
        return sp.Complement(super().as_set(), sp.FiniteSet(exact(self.hole)))

    def describe(self) -> str:
        return f"{super().describe()} without {self.hole}"


def punctured(lo: Bound, hi: Bound, *, at: float | int = 0) -> PuncturedDomain:
    r"""The real interval ``[lo, hi]`` without the point ``at`` (default :math:`0`)."""
    return PuncturedDomain(lo, hi, hole=at)


# ----------------------------------------------------------------------------- domains from words
_INTEGER = re.compile(r"^\s*(integer|int|natural)\s*(?:(>=|>|≥)\s*(-?\d+))?\s*(?:(?:,|and)?\s*(<=|<|≤)\s*(-?\d+))?\s*$")
_INTERVAL = re.compile(r"^\s*([\[(])\s*(.+?)\s*,\s*(.+?)\s*([\])])\s*$")
_NUMBER = re.compile(r"^\s*[-+]?(\d+\.?\d*|\.\d+)\s*$")
_INFINITE = frozenset({"inf", "+inf", "oo", "infinity", "∞", "-inf", "-oo", "-infinity", "-∞"})

BoundReader = Callable[[str], sp.Expr]


def _number(text: str) -> sp.Expr:
    """A decimal literal as an exact rational (the default reader of bounds: no names)."""
    if not _NUMBER.match(text):
        raise ValueError(f"cannot read the bound {text!r}: a number is expected")
    return sp.Rational(text.strip())


def from_word(word: str, read_bound: BoundReader = _number) -> Domain:
    """A :class:`Domain` from a word a person types.

    ``real``, ``positive`` (``>0``), ``nonnegative`` (``>=0``), ``negative``, ``probability``,
    ``integer`` / ``natural`` with optional bounds (``integer>=1``, ``integer >= 0, <= 9``), or an
    interval ``(0,1)``, ``[0, T]``, ``(-inf, 3]``. ``read_bound`` reads an interval's ends (by
    default decimal numbers; answer checking passes its safe parser, so ends may name variables).
    """
    w = word.strip()
    low = w.lower()
    simple: dict[str, Callable[[], Domain]] = {
        "real": real,
        "reals": real,
        "r": real,
        "positive": positive,
        ">0": positive,
        "nonnegative": nonnegative,
        "non-negative": nonnegative,
        ">=0": nonnegative,
        "negative": lambda: Domain(None, 0, open_hi=True),
        "probability": probability,
    }
    if low in simple:
        return simple[low]()
    m = _INTEGER.match(low)
    if m:
        return _integer_word(m)
    m = _INTERVAL.match(w)
    if m:
        lo, hi = (None if t.strip().lower() in _INFINITE else read_bound(t) for t in (m.group(2), m.group(3)))
        if lo is not None and hi is not None and not (lo.free_symbols or hi.free_symbols) and not lo < hi:
            raise ValueError(f"empty interval {word!r}")
        return Domain(lo, hi, open_lo=m.group(1) == "(" or lo is None, open_hi=m.group(4) == ")" or hi is None)
    raise ValueError(
        f"unknown domain {word!r}: use real, positive, nonnegative, negative, probability, integer, "
        "integer>=1, or an interval such as (0,1), [0,T]"
    )


def _integer_word(m: re.Match[str]) -> Domain:
    lo = None if m.group(3) is None else int(m.group(3)) + (1 if m.group(2) == ">" else 0)
    hi = None if m.group(5) is None else int(m.group(5)) - (1 if m.group(4) == "<" else 0)
    if m.group(1) == "natural" and lo is None:
        lo = 1
    if lo is None and hi is None:
        return Domain(-50, 50, integer=True)
    if lo is None:
        assert hi is not None
        return Domain(hi - 50, hi, integer=True)
    return integer(lo, hi if hi is not None else lo + 49)
