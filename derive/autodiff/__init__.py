"""Automatic, step-verified differentiation (issue 13).

- :mod:`derive.core.autodiff`: the rule table and the engine (they work on SymPy expressions,
  below the identities, so that an identity declared without a derivation is derived by them);
- :mod:`.scalar`: :func:`differentiate` and :func:`prove_claim`, which read text with the safe
  answer parser and return a derive :class:`~derive.core.proof.Proof` whose every step the
  ladder verified.
"""

from __future__ import annotations

from ..core.autodiff.rules import RULES, Rule
from ..errors import ExpressionError
from .scalar import counterexample, differentiate, prove_claim
from .solutions import solution_for

__all__ = ["RULES", "ExpressionError", "Rule", "counterexample", "differentiate", "prove_claim", "solution_for"]
