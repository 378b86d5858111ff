"""Seeded sampling of the variables' domains.

Every numeric check takes its randomness from :func:`generator`, so a failure report that names a
seed can be reproduced exactly. :func:`sample_scalars` draws vectorised float samples of many
variables at once (bounds that name other variables resolved in dependency order);
:func:`exact_points` draws exact rational points, edge points first, for the high-precision tests.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping

import numpy as np
import sympy as sp

from ..maths.domains import Domain, exact

DEFAULT_SEED = 20240611


def generator(seed: int | None = None, *, salt: str = "") -> np.random.Generator:
    """A PCG64 generator for ``seed``; ``salt`` (an identity name) gives each user its own stream."""
    base = DEFAULT_SEED if seed is None else seed
    if salt:
        digest = hashlib.sha256(salt.encode()).digest()
        base = base ^ int.from_bytes(digest[:8], "little")
    return np.random.Generator(np.random.PCG64(base))


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
                lo = exact(d.lo).subs(point) if d.lo is not None else None
                hi = exact(d.hi).subs(point) if d.hi is not None else None
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
