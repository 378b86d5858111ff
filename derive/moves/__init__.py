"""Shared symbolic moves used by several identities (one helper, not seventy copies).

Each module holds one family of moves: ``gaussian`` (expectations against a normal density),
``matrices`` (explicit symbolic matrices and their entrywise calculus), ``recurrences`` (unrolled
linear recurrences), ... A move returns SymPy objects for a derivation to use as a step.
"""
