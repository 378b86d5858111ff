"""The mathematical vocabulary of derive: what identities are written in.

- :mod:`.domains`: where a variable lives (its SymPy assumptions, its samples, its edge points);
- :mod:`.special`: the special functions of ML (:math:`\\Phi`, :math:`\\varphi`, :math:`\\sigma`, softplus,
  the Gibbs gap);
- :mod:`.notation`: quantities printed in textbook notation while the verification sees their value;
- shared symbolic moves, one family a module: :mod:`.gaussian`, :mod:`.moments`, :mod:`.matrices`,
  :mod:`.indexed`, :mod:`.discrete`, :mod:`.layers`, :mod:`.recurrences`;
- :mod:`.summation`: SymPy's summation without the searches that cannot succeed on indexed terms.

Nothing here knows about identities, proofs or answers: this is the bottom layer. Importing it
applies :mod:`.sympy_settings` (SymPy's assumption queries in a fixed order: reproducible proofs).
"""

from . import sympy_settings as sympy_settings
