"""Targeted falsehoods for Shampoo and SOAP (map 5.1), at any sizes: the Kronecker factors in the wrong order,
B untransposed in the vec-Kronecker identity, an inverse square root for the inverse fourth root, the eigenvalues
of L kron R added, the rotated scaling with its eigenvalues swapped; the Kronecker form needs R^-1/4 symmetric
and the eigenpairs need the orthogonality of the eigenbases, both cited from the spectral theorem."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import sympy as sp
from sympy import Eq

import derive
from derive.core.facts import SPECTRAL_THEOREM, SUM_EXCHANGE
from derive.identities.optimisation import soap_shampoo as ss
from derive.maths import kronecker as kron
from derive.verify.ladder import Ladder


def test_soap_is_general_and_cites_the_spectral_theorem() -> None:
    p = derive.prove("soap-shampoo")
    assert p.ok and p.level == "general"
    assert all(o.level == "general" for o in p.outcomes)
    assert {f.name for f in p.assumes} == {SPECTRAL_THEOREM.name, SUM_EXCHANGE.name}


@pytest.mark.parametrize(
    ("label", "left", "right", "side"),
    [
        ("Kronecker form", "LqI", "RqI", "VEC_SHAMPOO"),  # the factors in the wrong order
        ("vec-Kronecker", "BI", "AI", "VEC_AGB"),  # B not transposed
    ],
)
def test_kronecker_factors_swapped_are_refused(
    rejected: Callable[..., None], label: str, left: str, right: str, side: str
) -> None:
    wrong = kron.kron_matvec(
        kron.entries(getattr(ss, left)),
        kron.entries(getattr(ss, right)),
        kron.entries(ss.GI),
        (ss.a_, ss.g_),
        (ss.c_, ss.k_),
        (ss.n_dim, ss.m_dim),
    )
    rejected(ss.SOAP_SHAMPOO, label, Eq(getattr(ss, side), wrong, evaluate=False))


def test_inverse_fourth_root_is_not_an_inverse_square_root(rejected: Callable[..., None]) -> None:
    wrong = (ss.lamI[ss.s_] * ss.rhoI[ss.t_]) ** sp.Rational(-1, 2) * ss.QLI[ss.i_, ss.s_] * ss.QRI[ss.j_, ss.t_]
    rejected(ss.SOAP_SHAMPOO, "inverse fourth root", Eq(ss.ROOT_EIG, wrong, evaluate=False))


def test_kronecker_eigenvalues_multiply(rejected: Callable[..., None]) -> None:
    wrong = (ss.lamI[ss.s_] + ss.rhoI[ss.t_]) * ss.QLI[ss.i_, ss.s_] * ss.QRI[ss.j_, ss.t_]
    rejected(ss.SOAP_SHAMPOO, "Kronecker eigenpairs", Eq(ss.KRON_EIG, wrong, evaluate=False))


def test_eigenbasis_scaling_pairs_lambda_with_the_left_factor(rejected: Callable[..., None]) -> None:
    """S_ef = rho_e^-1/4 lambda_f^-1/4 (the eigenvalues of the wrong sides) is not Shampoo."""
    q = ss.QUARTER
    body = ss.QLI[ss.i_, ss.e_] * ss.ROTATED * ss.rhoI[ss.e_] ** q * ss.lamI[ss.f_] ** q * ss.QRtI[ss.f_, ss.j_]
    wrong = sp.Sum(body, (ss.e_, 1, ss.m_dim), (ss.f_, 1, ss.n_dim))
    rejected(ss.SOAP_SHAMPOO, "eigenbasis", Eq(ss.SHAMPOO, wrong, evaluate=False))


def test_the_kronecker_form_needs_the_symmetry_of_the_root() -> None:
    """Without R^-1/4 symmetric, row (a, g) is that of (R^-1/4)^T kron L^-1/4: the ladder refuses the last link."""
    ident = ss.SOAP_SHAMPOO
    ladder = Ladder(domains=ident.domains, unfold=ident.unfold, seed=2)
    exchanged = ss.EXCHANGE.rewrite(ss.VEC_SHAMPOO.doit(deep=False))
    assert ladder.equal(exchanged, ss.R_KRON_L).ok is False
    assert ladder.equal(ss.SYMMETRIC_R.rewrite(exchanged), ss.R_KRON_L).ok is True


def test_the_eigenpairs_need_orthogonal_eigenbases() -> None:
    """Without Q_L^T Q_L = I the sums over c do not collapse: the separated form is not the eigenvector."""
    ident = ss.SOAP_SHAMPOO
    ladder = Ladder(domains=ident.domains, unfold=ident.unfold, seed=2)
    separated = kron.factor_sums(ss.ROOT_EIG.doit(deep=False))
    target = (ss.lamI[ss.s_] * ss.rhoI[ss.t_]) ** ss.QUARTER * ss.QLI[ss.i_, ss.s_] * ss.QRI[ss.j_, ss.t_]
    assert ladder.equal(separated, target).ok is False
