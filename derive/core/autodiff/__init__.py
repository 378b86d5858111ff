"""The expression-level differentiation engine (issue 13), below the identities so that a
declaration without a derivation can be derived by it.

- :mod:`.rules`: the rules as data (:data:`~.rules.RULES`: name, LaTeX justification, matcher,
  derivative from the children's derivatives);
- :mod:`.engine`: the top-down rewriting of ``Derivative(f, x)`` one named rule per step, then the
  named simplifications;
- :mod:`.check`: central differences of the input, the independent numeric check;
- :mod:`.automatic`: the engine's steps written on a :class:`~derive.core.derivation.Derivation`.

The text API (:func:`derive.differentiate`, :func:`derive.prove_claim`) is :mod:`derive.autodiff`.
"""
