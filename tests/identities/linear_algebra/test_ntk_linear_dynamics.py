"""The NTK's linear dynamics (map 1.2) for any number n of training points: the page is general, and targeted
falsehoods of the general forms are refused (a mode that decays without the learning rate, gradient ascent
instead of descent, a power of the kernel one short, a growing exponential, U^T U contracted the wrong way).

The page is proved once (the ``page_proof`` fixture, for ``PAGE``); each falsehood is checked on the page's own
chains (the ``refused`` fixture of tests/identities/conftest.py)."""

from __future__ import annotations

from collections.abc import Callable

import sympy as sp
from sympy import Eq, exp

from derive.core.facts import SERIES_TERMWISE, SPECTRAL_THEOREM, SUM_EXCHANGE
from derive.core.proof import Proof
from derive.identities.linear_algebra import ntk_linear_dynamics as ntk
from derive.maths.flows import Innermost
from derive.verify.ladder import Ladder

PAGE = "ntk-linear-dynamics"
Refused = Callable[[Proof, str, Eq], None]


def test_ntk_is_general_for_any_number_of_points(page_proof: Proof) -> None:
    assert page_proof.ok, page_proof.failure
    assert page_proof.level == "general"
    assert {o.label: o.level for o in page_proof.outcomes} == dict.fromkeys(
        ("gradient flow", "initial", "powers", "exponential", "mode k", "mode ODE"), "general"
    )
    names = {f.name for f in page_proof.assumes}
    assert {SPECTRAL_THEOREM.name, SUM_EXCHANGE.name, SERIES_TERMWISE.name} <= names


def test_ntk_mode_without_learning_rate_is_refused(page_proof: Proof, refused: Refused) -> None:
    refused(page_proof, "mode k", Eq(ntk.MODE, exp(-ntk.lamI[ntk.k] * ntk.t) * ntk.coordinate(ntk.k)))


def test_ntk_gradient_ascent_is_refused(page_proof: Proof, refused: Refused) -> None:
    """An eigenmode exp(-eta lambda_k t) u_k does not solve d/dt x = +eta Theta x."""
    mode = ntk.MODE_K_T * ntk.UI[ntk.l_, ntk.k]
    ascent = sp.Derivative(ntk.MODE_K_T * ntk.UI[ntk.i, ntk.k], ntk.t) - ntk.eta * sp.Sum(
        ntk.theta(ntk.i, ntk.l_) * mode, (ntk.l_, 1, ntk.n)
    )
    refused(page_proof, "gradient flow", Eq(ascent, 0))


def test_ntk_power_one_short_is_refused(page_proof: Proof, refused: Refused) -> None:
    refused(page_proof, "powers", Eq(ntk.EIGEN_STEP, ntk.lamI[ntk.k] ** ntk.m * ntk.UI[ntk.i, ntk.k]))


def test_ntk_growing_exponential_is_refused(page_proof: Proof, refused: Refused) -> None:
    growing = sp.Sum(
        ntk.UI[ntk.i, ntk.q_] * exp(ntk.eta * ntk.lamI[ntk.q_] * ntk.t) * ntk.UT[ntk.q_, ntk.j], (ntk.q_, 1, ntk.n)
    )
    refused(page_proof, "exponential", Eq(ntk.SERIES, growing))


def test_ntk_initial_without_the_transpose_is_refused(page_proof: Proof, refused: Refused) -> None:
    """U U r_0 is not r_0: the coordinates are c = U^T r_0, not U r_0."""
    wrong_start = sp.Sum(
        ntk.UI[ntk.i, ntk.q_] * sp.Sum(ntk.UI[ntk.q_, ntk.a_] * ntk.rI[ntk.a_], (ntk.a_, 1, ntk.n)), (ntk.q_, 1, ntk.n)
    )
    refused(page_proof, "initial", Eq(wrong_start, ntk.rI[ntk.i]))


def test_innermost_moves_the_shared_sum_inside_and_leaves_clashes_alone() -> None:
    p, q, l_, n = ntk.p_, ntk.q_, ntk.l_, ntk.n
    a, b = sp.IndexedBase("a"), sp.IndexedBase("b")
    total = sp.Sum(sp.Sum(a[p] * b[l_, p], (p, 1, n)) * sp.Sum(b[l_, q], (q, 1, n)), (l_, 1, n))
    moved = Innermost(l_)(total)
    assert moved == sp.Sum(a[p] * sp.Sum(b[l_, p] * b[l_, q], (l_, 1, n), (q, 1, n)), (p, 1, n))
    ladder = Ladder(domains={n: ntk.SIZE}, seed=1)
    assert ladder.equal(total, moved).ok is True
    clash = sp.Sum(a[p] * sp.Sum(b[l_, p], (p, 1, n)), (l_, 1, n))  # p outside its own sum: not moved
    assert Innermost(l_)(clash) == clash


def test_ntk_contraction_the_wrong_way_is_not_a_link() -> None:
    """sum_l U^T_il U_lj is delta_ij; sum_l U_il U_lj is not (the ladder refuses that link)."""
    i, j, l_, n = ntk.i, ntk.j, ntk.l_, ntk.n
    ladder = Ladder(domains=ntk.NTK_LINEAR_DYNAMICS.domains, seed=1)
    wrong = ladder.equal(sp.Sum(ntk.UI[i, l_] * ntk.UI[l_, j], (l_, 1, n)), sp.KroneckerDelta(i, j))
    assert wrong.ok is False
