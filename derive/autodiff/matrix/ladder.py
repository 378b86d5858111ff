r"""The verification ladder with one rung more for index forms: equal canonical forms.

:class:`IndexLadder` first evaluates both sides (derivatives carried out by SymPy, Kronecker sums
sifted by :meth:`.IndexSum.doit` with the case :math:`1 \le k \le n` kept, the cases the index domains
decide replaced by ``True``/``False``), then puts
each in the canonical form of :mod:`.canonical` (sums merged to the front, products distributed,
bound indices renamed). Equal canonical forms prove the link: every rewrite there is an identity of
finite sums. Otherwise the link goes up the ordinary rungs of :class:`~derive.verify.ladder.Ladder`.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import sympy as sp

from ...verify.ladder import Ladder
from ...verify.sums import decide_conditions
from ...verify.verification import Verification
from .canonical import canonical

METHOD = "sums merged, products distributed, Kronecker deltas sifted, bound indices renamed (canonical index form)"


@dataclass
class IndexLadder(Ladder):
    """:class:`~derive.verify.ladder.Ladder` with the canonical index form tried first."""

    def equal(self, a: sp.Basic, b: sp.Basic) -> Verification:
        start = time.perf_counter()
        if not any(isinstance(x, sp.MatrixBase | sp.MatrixExpr) for x in (a, b)):
            ranges = {s: (sp.sympify(d.lo), sp.sympify(d.hi)) for s, d in self.domains.items() if d.integer}
            ca, cb = (canonical(decide_conditions(_evaluated(x), self.domains), ranges) for x in (a, b))
            if ca == cb or sp.expand(ca - cb, power_exp=False, power_base=False, log=False) == 0:
                return Verification(True, METHOD, True, seconds=time.perf_counter() - start)
        return super().equal(a, b)


def _evaluated(e: sp.Basic) -> sp.Basic:
    """``e`` with derivatives and then the Kronecker sums they leave carried out (``doit`` twice:
    a derivative's ``doit`` does not evaluate the sums it produces)."""
    out = sp.sympify(e).doit()
    return out.doit() if out.has(sp.KroneckerDelta) else out
