"""Targeted falsehoods for least squares and the pseudoinverse (map 1.3): an inverted normal equation, the
pseudoinverse confused with the transpose."""

from __future__ import annotations

from collections.abc import Callable

from sympy import Eq

from derive.identities.linear_algebra import pseudoinverse_least_squares as pls


def test_normal_equation_is_not_inverted(rejected: Callable[..., None]) -> None:
    aa, ab = (pls.a_ls.T * pls.a_ls)[0], (pls.a_ls.T * pls.b_ls)[0]
    rejected(pls.PSEUDOINVERSE_LEAST_SQUARES, "normal equations", Eq(pls.x_ls, aa / ab))


def test_pseudoinverse_is_not_the_transpose(rejected: Callable[..., None]) -> None:
    """A^+ A A^+ = A^T: confusing the pseudoinverse with the transpose."""
    rejected(
        pls.PSEUDOINVERSE_LEAST_SQUARES,
        "A+ A A+ = A+",
        Eq(pls.PENROSE2, pls.A_SHOW.T, evaluate=False),
    )
