r"""A real interval with one point removed, for statements that fail at a single point.

:math:`\frac{d}{dx}\max(0, x) = \mathbb 1[x > 0]` holds for every :math:`x \ne 0`; at :math:`0`
the derivative does not exist (and every convention, SymPy's :math:`\theta(0) = 1/2` or the
frameworks' :math:`0`, is a choice). :func:`punctured` is the domain :math:`[lo, hi] \setminus \{a\}`:
the same assumptions and random samples as :func:`~derive.numeric.domains.real` (a uniform draw
hits one point with probability 0), but the edge points used by the verification ladder and
answer checking never include the hole.
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from .domains import Bound, Domain


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


def punctured(lo: Bound, hi: Bound, *, at: float | int = 0) -> PuncturedDomain:
    r"""The real interval ``[lo, hi]`` without the point ``at`` (default :math:`0`)."""
    return PuncturedDomain(lo, hi, hole=at)
