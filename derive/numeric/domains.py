r"""Domains: where a variable lives, how its symbol is assumed, and how it is sampled.

A domain plays three roles, kept consistent by construction (the numpyro idea of a constraint per
parameter): it states the SymPy assumptions of the variable's symbol (``positive()`` makes
``Symbol(..., positive=True)``), it samples the variable for the numeric checks (seeded, vectorised)
and it offers edge points for the high-precision zero test of the verification ladder.

Bounds may name other variables (``interval(0, T)``): sampling resolves them in dependency order.

Scalar domains: :func:`real`, :func:`positive`, :func:`nonnegative`, :func:`interval`,
:func:`integer`, :func:`probability`. Array domains for cross-checks and joint symbolic variables:
:func:`vector`, :func:`matrix`, :func:`spd`, :func:`simplex`, :func:`graph`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import sympy as sp

Bound = float | int | sp.Expr | None


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
        """True if ``sym``'s assumptions are implied by this domain (so symbolic steps are valid)."""
        implied = sp.Symbol("_probe", **self.assumptions())
        for key in ("positive", "nonnegative", "integer", "negative", "nonpositive", "real"):
            if getattr(sym, f"is_{key}") is True and getattr(implied, f"is_{key}") is not True:
                return False
        return sym.is_real is True or sym.is_integer is True

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
            lo = hi - self.spread
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
            lo = _exact(self.lo)
            candidates += [lo + sp.Rational(1, 1000), lo + 1, lo + 10] if self.open_lo else [lo, lo + 1]
        if self.hi is not None and not sp.sympify(self.hi).free_symbols:
            hi = _exact(self.hi)
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


def sample_scalars(
    domains: Mapping[sp.Symbol, Domain], rng: np.random.Generator, n: int
) -> dict[sp.Symbol, np.ndarray]:
    """Vectorised samples of every scalar variable, bounds resolved in dependency order."""
    values: dict[sp.Symbol, np.ndarray] = {}
    pending = {s: d for s, d in domains.items() if isinstance(s, sp.Symbol)}
    while pending:
        ready = [s for s, d in pending.items() if d.depends_on() <= set(values)]
        if not ready:
            raise ValueError(f"circular domain bounds among {sorted(map(str, pending))}")
        for s in sorted(ready, key=str):
            values[s] = pending.pop(s).sample(rng, n, values)
    return values


def _order(domains: Mapping[sp.Symbol, Domain]) -> list[sp.Symbol]:
    done: list[sp.Symbol] = []
    pending = {s: d for s, d in domains.items() if isinstance(s, sp.Symbol)}
    while pending:
        ready = sorted((s for s, d in pending.items() if d.depends_on() <= set(done)), key=str)
        if not ready:
            raise ValueError(f"circular domain bounds among {sorted(map(str, pending))}")
        for s in ready:
            pending.pop(s)
            done.append(s)
    return done


def _exact(bound: object) -> sp.Expr:
    """A bound as an exact number: ``lo=0.1`` is 1/10, not a 15-digit Float, so an edge point
    near it does not cap the ladder's 30-digit evaluation at double precision."""
    value = sp.sympify(bound)
    return sp.Rational(repr(float(value))) if isinstance(value, sp.Float) else value


def exact_points(
    domains: Mapping[sp.Symbol, Domain], rng: np.random.Generator, n: int
) -> list[dict[sp.Symbol, sp.Expr]]:
    """``n`` points with exact rational coordinates: edge points first, then random ones.

    Variables whose bounds name other variables are drawn inside the bounds that the point's
    earlier coordinates give them, so every point lies in the domain.
    """
    order = _order(domains)
    floats = sample_scalars(domains, rng, n)
    edges = {s: domains[s].edge_points() for s in order}
    points: list[dict[sp.Symbol, sp.Expr]] = []
    for i in range(n):
        point: dict[sp.Symbol, sp.Expr] = {}
        for k, s in enumerate(order):
            d = domains[s]
            if d.depends_on():
                lo = _exact(d.lo).subs(point) if d.lo is not None else None
                hi = _exact(d.hi).subs(point) if d.hi is not None else None
                u = sp.Rational(repr(float(rng.uniform(0.001, 0.999))))
                if lo is not None and hi is not None:
                    value = lo + u * (hi - lo)
                elif lo is not None:
                    value = lo + 10 * u
                else:
                    value = hi - 10 * u
                point[s] = sp.floor(value) if d.integer else value
            elif i < n // 2 and edges[s]:
                # mix edge values across variables so that 0 meets large values, etc.
                point[s] = edges[s][(i * (1 + k)) % len(edges[s])]
            else:
                point[s] = sp.Rational(repr(float(floats[s][i])))
        points.append(point)
    return points
