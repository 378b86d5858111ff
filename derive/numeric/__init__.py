"""Numerics: domains and seeded sampling, lambdify-and-compare, independent cross-checks."""
