"""Numerics: seeded sampling, lambdify-and-compare, high-precision values, independent cross-checks.

- :mod:`.sampling`: the seeded generator, float samples and exact points of the domains;
- :mod:`.compare`: ``lambdify`` of trusted expressions to numpy, comparison relative to magnitude;
- :mod:`.precise`: the one high-precision evaluator (mpmath), shared by the ladder and answer checking;
- :mod:`.independent`: every operator of a statement by its own numeric route (quadrature, finite
  differences, explicit sums); :mod:`.compiled`: its elementary parts compiled once per process;
- :mod:`.crosscheck`: checks computed without the derived formula (finite differences, quadrature...);
- :mod:`.montecarlo`, :mod:`.linalg`, :mod:`.discrete`, :mod:`.stable`: the numbers those checks use.
"""
