"""Targeted falsehoods for K-FAC (map 2.4), at any layer sizes: the factors of the inverse swapped, vec in the
wrong order (rows stacked), A untransposed in the mat-vec, the factors of the expectation swapped, the outer
product with its indices crossed; the factorisation is refused without independence (a joint law that is not
the product of its marginals), and the page cites K-FAC's independence approximation."""

from __future__ import annotations

from collections.abc import Callable

import sympy as sp
from sympy import Eq, KroneckerDelta

import derive
from derive.core.facts import KFAC_INDEPENDENCE
from derive.identities.calculus import kfac_kronecker as kf
from derive.maths import kronecker as kron
from derive.maths.domains import probability
from derive.verify.ladder import Ladder


def test_kfac_is_general_and_cites_its_independence_approximation() -> None:
    p = derive.prove("kfac-kronecker")
    assert p.ok and p.level == "general"
    assert all(o.level == "general" for o in p.outcomes)
    assert KFAC_INDEPENDENCE.name in {f.name for f in p.assumes}


def test_kfac_inverse_is_not_one_factor_only(rejected: Callable[..., None]) -> None:
    rejected(kf.KFAC_KRONECKER, "inverse", Eq(kf.KRON_TIMES_INV, KroneckerDelta(kf.a_, kf.c_)))


def test_kfac_inverse_indices_crossed(rejected: Callable[..., None]) -> None:
    crossed = KroneckerDelta(kf.a_, kf.k_) * KroneckerDelta(kf.g_, kf.c_)
    rejected(kf.KFAC_KRONECKER, "inverse", Eq(kf.KRON_TIMES_INV, crossed))


def test_kfac_inverse_numeric_check_sets_the_inverses() -> None:
    """Its numeric check passes only with A^-1, B^-1 set from A, B (explicit summation at sampled sizes)."""
    p = derive.prove("kfac-kronecker")
    check = next(c for c in p.numeric.statements if c.label == "inverse")
    assert check.ok and check.samples >= 3 and "Sum: explicit summation" in check.method, check


def test_kfac_vec_is_not_rows_stacked(rejected: Callable[..., None]) -> None:
    """Rows stacked put delta_j a_i at position (j, i): that is delta kron a."""
    rejected(kf.KFAC_KRONECKER, "vec", Eq(kf.VEC_G, kf.dI[kf.j_] * kf.aI[kf.i_], evaluate=False))


def test_kfac_outer_indices_crossed(rejected: Callable[..., None]) -> None:
    wrong = kf.aI[kf.j_] * kf.aI[kf.i_] * kf.dI[kf.l_] * kf.dI[kf.k_]  # (aa^T)_ji (delta delta^T)_lk
    rejected(kf.KFAC_KRONECKER, "outer", Eq(kf.OUTER_G, wrong, evaluate=False))


def test_kfac_mat_vec_needs_a_transposed(rejected: Callable[..., None]) -> None:
    wrong = kron.triple_entry(
        kron.entries(kf.BI), kron.entries(kf.XI), kron.entries(kf.AI), kf.g_, kf.a_, (kf.b_, kf.h_), (kf.m_a, kf.n_b)
    )  # vec(B X A)
    rejected(kf.KFAC_KRONECKER, "mat-vec", Eq(kf.KRON_VEC, wrong, evaluate=False))


def test_kfac_factor_order_in_the_expectation(rejected: Callable[..., None]) -> None:
    """E[delta delta^T] kron E[aa^T] pairs the indices of a with the values of delta."""
    e_dd = sp.Sum(kf.qI[kf.v_] * kf.epsI[kf.v_, kf.j_] * kf.epsI[kf.v_, kf.l_], (kf.v_, 1, kf.V_d))
    e_aa = sp.Sum(kf.pI[kf.u_] * kf.alphaI[kf.u_, kf.i_] * kf.alphaI[kf.u_, kf.k_], (kf.u_, 1, kf.U_a))
    rejected(kf.KFAC_KRONECKER, "independence", Eq(kf.FISHER_BLOCK, e_dd * e_aa, evaluate=False))


def test_kfac_factorisation_needs_independence() -> None:
    """Under a joint law P_uv that is not p_u q_v the expectation does not factorise: the ladder refuses the link."""
    joint = sp.IndexedBase("P", positive=True)
    ident = kf.KFAC_KRONECKER
    ladder = Ladder(domains={**ident.domains, joint: probability()}, unfold=ident.unfold, seed=5)
    body = kf.alphaI[kf.u_, kf.j_] * kf.alphaI[kf.u_, kf.l_] * kf.epsI[kf.v_, kf.i_] * kf.epsI[kf.v_, kf.k_]
    dependent = sp.Sum(joint[kf.u_, kf.v_] * body, (kf.v_, 1, kf.V_d), (kf.u_, 1, kf.U_a))
    factored = kf.KFAC_FACTORS.doit()
    assert ladder.equal(dependent, factored).ok is False
    independent = kron.ProductLaw(joint, kf.pI, kf.qI)(dependent)
    assert ladder.equal(independent, factored).ok is True
