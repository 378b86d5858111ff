"""Everything an identity author imports, from one place.

A page of :mod:`derive.identities` (or of a plugin package) reads
``from derive.authoring import declare, Derivation, real, Phi, finite_difference, ...`` and needs
nothing else from derive. The names, by what they are for:

- declaring: :func:`declare` (or the :func:`identity` decorator), :class:`Statement`,
  :func:`numerically`, :class:`Question`, :class:`Ref`, :class:`Plot`; deriving: :class:`Derivation`
  and the reusable chains :func:`prove_by_induction`, :func:`induction_statements`,
  :func:`statement_lhs`;
- domains: :func:`real`, :func:`positive`, :func:`nonnegative`, :func:`interval`, :func:`integer`,
  :func:`probability`, :func:`punctured`, :class:`Domain`, and the array domains :func:`vector`,
  :func:`matrix`, :func:`spd`, :func:`simplex`, :func:`graph`;
- special functions and notation: :class:`Phi`, :class:`phi`, :class:`sigmoid`, :class:`softplus`,
  :class:`gibbs`; :func:`named_function`, :func:`named`, :func:`named_entries`, :func:`fold_nodes`,
  :func:`notation`;
- shared symbolic moves, as modules: :mod:`gaussian <derive.maths.gaussian>`,
  :mod:`moments <derive.maths.moments>`, :mod:`matrices <derive.maths.matrices>`,
  :mod:`indexed <derive.maths.indexed>`, :mod:`discrete <derive.maths.discrete>`,
  :mod:`layers <derive.maths.layers>`, :mod:`recurrences <derive.maths.recurrences>`;
- independent checks: :class:`CheckContext`, :class:`CrossCheckResult`, :func:`combine`,
  :func:`finite_difference`, :func:`gradient`, :func:`quadrature`, and the numbers behind them, as
  modules: :mod:`montecarlo <derive.numeric.montecarlo>`, :mod:`linalg <derive.numeric.linalg>`,
  :mod:`stable <derive.numeric.stable>`, :mod:`tables <derive.numeric.discrete>`.
"""

from __future__ import annotations

from .core.derivation import Derivation
from .core.identity import Identity, Plot, Question, Ref, declare, identity
from .core.recipes import induction_statements, prove_by_induction, statement_lhs
from .core.statements import Statement, numerically
from .maths import discrete, gaussian, indexed, layers, matrices, moments, recurrences
from .maths.domains import (
    Domain,
    graph,
    integer,
    interval,
    matrix,
    nonnegative,
    positive,
    probability,
    punctured,
    real,
    simplex,
    spd,
    vector,
)
from .maths.notation import fold_nodes, named, named_entries, named_function, notation
from .maths.recurrences import unrolled
from .maths.special import Phi, gibbs, phi, sigmoid, softplus
from .numeric import discrete as tables
from .numeric import linalg, montecarlo, stable
from .numeric.crosscheck import CheckContext, CrossCheckResult, combine, finite_difference, gradient, quadrature

__all__ = [
    "CheckContext",
    "CrossCheckResult",
    "Derivation",
    "Domain",
    "Identity",
    "Phi",
    "Plot",
    "Question",
    "Ref",
    "Statement",
    "combine",
    "declare",
    "discrete",
    "finite_difference",
    "fold_nodes",
    "gaussian",
    "gibbs",
    "gradient",
    "graph",
    "identity",
    "indexed",
    "induction_statements",
    "integer",
    "interval",
    "layers",
    "linalg",
    "matrices",
    "matrix",
    "moments",
    "montecarlo",
    "named",
    "named_entries",
    "named_function",
    "nonnegative",
    "notation",
    "numerically",
    "phi",
    "positive",
    "probability",
    "prove_by_induction",
    "punctured",
    "quadrature",
    "real",
    "recurrences",
    "sigmoid",
    "simplex",
    "softplus",
    "spd",
    "stable",
    "statement_lhs",
    "tables",
    "unrolled",
    "vector",
]
