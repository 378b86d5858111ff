r"""Lemmas the ladder may use, each proved here by SymPy before its first use.

A sign the ladder reads off an expression must not rest on a fact typed into a function's class.
The Gibbs gap :math:`g(t) = t - 1 - \log t` is nonnegative for :math:`t > 0` (Gibbs' inequality,
:math:`\log t \le t - 1`); the lemma :data:`GIBBS` proves it by calculus:

1. :math:`g'(t) = 1 - 1/t` (computed by ``diff``);
2. on :math:`(0, 1]`, :math:`t = 1/(1 + s)` with :math:`s \ge 0` gives :math:`g' = -s \le 0`;
   on :math:`[1, \infty)`, :math:`t = 1 + s` gives :math:`g' = s/(1 + s) \ge 0` (signs from
   assumptions after ``simplify``);
3. :math:`g(1) = 0` (substitution);
4. so :math:`g` falls to :math:`g(1) = 0` and rises after it: :math:`g(t) \ge 0`, with equality only
   at :math:`t = 1` (the mean value theorem, cited).

:func:`relax` then lets a sign proof use the lemma: every :math:`g(u)` with :math:`u > 0` is
replaced by a fresh symbol :math:`\ge 0` (:math:`> 0` if :math:`u \ne 1`); a sign that holds for
every such value holds for the original. The verification records the lemma's name.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

import sympy as sp

from ..maths.special import gibbs


@dataclass(frozen=True)
class Lemma:
    """A proved fact: its name, its statement, each step with whether SymPy confirmed it, and the
    cited theorem that joins them."""

    name: str
    statement: str
    steps: tuple[tuple[str, bool], ...]
    cites: str

    @property
    def ok(self) -> bool:
        return all(ok for _, ok in self.steps)


@cache
def gibbs_lemma() -> Lemma:
    """Gibbs' inequality :math:`t - 1 - \\log t \\ge 0` for :math:`t > 0`, proved by SymPy."""
    t = sp.Dummy("t", positive=True)
    s = sp.Dummy("s", nonnegative=True)
    g = t - 1 - sp.log(t)
    slope = sp.diff(g, t)
    falling = sp.simplify(slope.subs(t, 1 / (1 + s)))
    rising = sp.simplify(slope.subs(t, 1 + s))
    steps = (
        ("g'(t) = 1 - 1/t", sp.simplify(slope - (1 - 1 / t)) == 0),
        ("g'(t) <= 0 for 0 < t <= 1", falling.is_nonpositive is True),
        ("g'(t) >= 0 for t >= 1", rising.is_nonnegative is True),
        ("g(1) = 0", g.subs(t, 1) == 0),
    )
    return Lemma("gibbs", r"t - 1 - \log t \ge 0 \text{ for } t > 0", steps, "the mean value theorem")


#: the lemmas by name, each a function of nothing that proves it (cached)
LEMMAS: dict[str, Callable[[], Lemma]] = {"gibbs": gibbs_lemma}


def relax(e: sp.Expr) -> tuple[sp.Expr, tuple[str, ...]]:
    """``e`` with each Gibbs gap of a positive argument replaced by a fresh nonnegative symbol
    (positive where the argument is not 1), and the lemmas that licensed it (none if the lemma's
    proof failed or nothing was replaced)."""
    gaps = [g for g in e.atoms(gibbs) if g.args[0].is_positive]
    if not gaps or not gibbs_lemma().ok:
        return e, ()
    fresh = {
        g: sp.Dummy("g", positive=True) if (g.args[0] - 1).is_nonzero else sp.Dummy("g", nonnegative=True) for g in gaps
    }
    return e.xreplace(fresh), ("gibbs",)
