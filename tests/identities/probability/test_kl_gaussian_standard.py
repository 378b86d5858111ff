"""Targeted falsehoods for the KL divergence to the standard normal (map 3.1): the -1 dropped, log s
for log s^2, a single -1 for all d dimensions; the cross-check catches
the missing -1 on its own, in 1-D and in the sum derived for symbolic d."""

from __future__ import annotations

from collections.abc import Callable

import sympy as sp
from sympy import Eq, Rational, log

from derive.authoring import CheckContext
from derive.identities.probability import kl_gaussian_standard as kg
from derive.maths.gaussian import coordinatewise
from derive.numeric.sampling import generator


def _context(result: sp.Basic, any_d: sp.Basic) -> CheckContext:
    return kg.KL_GAUSSIAN_STANDARD.check_context(generator(11), 11, result, {"KL any d": any_d})


def test_kl_missing_minus_one(rejected: Callable[..., None]) -> None:
    rejected(kg.KL_GAUSSIAN_STANDARD, "KL", Eq(kg.KL_NAME, (kg.mu**2 + kg.s**2 - log(kg.s**2)) / 2))


def test_kl_log_s_instead_of_log_s_squared(rejected: Callable[..., None]) -> None:
    rejected(kg.KL_GAUSSIAN_STANDARD, "KL", Eq(kg.KL_NAME, (kg.mu**2 + kg.s**2 - 1 - log(kg.s)) / 2))


def test_kl_any_d_with_a_single_minus_one(rejected: Callable[..., None]) -> None:
    wrong = coordinatewise((kg.mu**2 + kg.s**2 - log(kg.s**2)) / 2, kg.COORD, kg.ci, kg.dim) - Rational(1, 2)
    rejected(kg.KL_GAUSSIAN_STANDARD, "diagonal (any d)", Eq(kg.KLD_NAME, wrong))


def test_the_any_d_statements_are_general() -> None:
    """No size is fixed in the statements about d dimensions: no d = 2 entries, no written-out sum."""
    labels = {s.label for s in kg.KL_GAUSSIAN_STANDARD.statements}
    assert labels == {"KL", "log ratio (any d)", "diagonal (any d)"}
    assert kg.dim in kg.KL_D_SUM.free_symbols and isinstance(kg.KL_D_SUM, sp.Sum)


def test_kl_crosscheck_catches_missing_minus_one() -> None:
    assert kg.crosscheck(_context(kg.KL_STANDARD, kg.KL_D_SUM)).ok
    wrong = (kg.mu**2 + kg.s**2 - log(kg.s**2)) / 2
    assert not kg.crosscheck(_context(wrong, kg.KL_D_SUM)).ok
    assert not kg.crosscheck(_context(kg.KL_STANDARD, coordinatewise(wrong, kg.COORD, kg.ci, kg.dim))).ok
