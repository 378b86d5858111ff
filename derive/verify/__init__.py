"""Verification: is one expression equal to another (or nonnegative) on the variables' domains?

- :mod:`.ladder`: the rung table, from identical forms to a high-precision numeric test;
- :mod:`.sums`: the algebra of sums and Kronecker deltas the ladder uses;
- :mod:`.cases`: piecewise equalities proved by splitting the real line at the kinks;
- :mod:`.budget`: CPU-time budgets for every SymPy call.

It knows nothing of identities or answers; both use it.
"""
