"""Automatic, step-verified differentiation (issue 13).

- :mod:`.rules`: the differentiation rules as data (:data:`~.rules.RULES`: name, LaTeX
  justification, matcher, derivative from the children's derivatives);
- :mod:`.engine`: the top-down rewriting of ``Derivative(f, x)`` one named rule per step, then the
  named simplifications;
- :mod:`.scalar`: :func:`differentiate` and :func:`prove_claim`, which read text with the safe
  answer parser and return a derive :class:`~derive.core.proof.Proof` whose every step the
  ladder verified.
"""

from __future__ import annotations

from .rules import RULES, Rule
from .scalar import ExpressionError, counterexample, differentiate, prove_claim

__all__ = ["RULES", "ExpressionError", "Rule", "counterexample", "differentiate", "prove_claim"]
