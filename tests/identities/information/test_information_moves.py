"""The symbolic table moves (derive.maths.discrete), their numeric evaluator and the Gaussian moments
move that the information pages use, tested directly."""

from __future__ import annotations

import numpy as np
import sympy as sp

from derive.authoring import discrete as dm
from derive.authoring import gaussian as gm
from derive.identities.information import kl_nonnegative as kn
from derive.numeric.discrete import evaluator, value_at, weights


def test_table_moves_and_evaluator() -> None:
    a = sp.IndexedBase("a", positive=True)
    b = sp.IndexedBase("b", positive=True)
    p = dm.Table(sp.Function("p"), a, 3)
    q = dm.Table(sp.Function("q"), b, 3)
    ident = kn.KL_NONNEGATIVE  # its definitions are these tables, for K outcomes

    def unfold(e: sp.Basic) -> sp.Basic:  # the tables at K = 3
        return ident.unfold(e).subs(kn.K3, 3).doit()

    kl = dm.kl(p, q, 3)
    wa, wb = np.array([1.0, 2.0, 3.0]), np.array([3.0, 1.0, 1.0])
    subs = {**weights(p, wa), **weights(q, wb)}
    pa, qb = wa / wa.sum(), wb / wb.sum()
    direct = float(np.sum(pa * np.log(pa / qb)))
    assert abs(value_at(kl, subs, unfold) - direct) < 1e-14
    assert abs(evaluator(kl, unfold)(subs) - direct) < 1e-14
    # the Gibbs forms agree with the KL only because both tables sum to one
    assert abs(evaluator(dm.kl_gibbs(p, q, 3), unfold)(subs) - direct) < 1e-14
    assert abs(evaluator(dm.kl_gibbs_written(p, q, 3), unfold)(subs) - direct) < 1e-14
    assert abs(evaluator(dm.total(p, 3), unfold)(subs) - 1.0) < 1e-15


def test_gaussian_moments_move() -> None:
    u = sp.Symbol("u", real=True)
    c0, c1, c2 = sp.symbols("c0 c1 c2", real=True)
    e = gm.expectation(c0 + c1 * u + c2 * u**2, u)
    split = gm.moments(e, (u,))
    assert split.atoms(sp.Integral) and sp.expand(gm.integrate(split) - (c0 + c2)) == 0
