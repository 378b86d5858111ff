"""The model of derive: identities, derivations, proofs, and the registry that holds them.

- :mod:`.identity`: :class:`Identity`, :class:`Statement`, :class:`Question`, :class:`Ref` (frozen, self-validating);
- :mod:`.relations`: ``=``, ``<=``, ``<=>``...: how links compose and what a chain proves;
- :mod:`.derivation`: the builder a derivation writes on (``begin``, ``then``, ``bound``, ``solve``, ``conclude``);
- :mod:`.recipes`: reusable chains (induction on a recurrence...);
- :mod:`.claims`: the numeric check of each statement;
- :mod:`.proof`: running a derivation into a frozen :class:`Proof`;
- :mod:`.registry`, :mod:`.index`: names, lazy loading, plugins; the static index for ``derive list``;
- :mod:`.near_misses`: automatic wrong versions of a claim, which every proof must reject;
- :mod:`.sections`: the ML Math Map's sections and curriculum table;
- :mod:`.display`: the display methods of records, resolved to the rendering layer.

Importing :mod:`derive.core` itself loads no SymPy (``derive list`` relies on it).
"""
