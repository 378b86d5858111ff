"""Benchmark of ``derive.gradient``: median warm time of Cookbook-size matrix gradients (the bar: 2 s).

    python benchmarks/bench_gradient.py              # defaults: 5 timed runs per expression
    python benchmarks/bench_gradient.py --repeat 9

Each expression is derived once to warm up (imports, SymPy caches), then timed ``--repeat`` times
end to end: parsing, index form, entrywise derivative, Kronecker collapses, the matrix form, every
link verified by the ladder, and the finite-difference check at three random sizes. The figure is
the median per expression; the run fails (exit 1) if any median exceeds the bar or a result is not
proved in matrix form.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time

BAR = 2.0

#: (expression, variable, shapes): first-order Cookbook identities and ML layers of typical size
CASES: list[tuple[str, str, dict[str, tuple[str, ...]]]] = [
    ("norm(A*x - b)^2", "x", {"A": ("m", "n"), "x": ("n",), "b": ("m",)}),
    ("log(det(X))", "X", {"X": ("n", "n")}),
    ("tr(X^T*A*X*B)", "X", {"X": ("m", "n"), "A": ("m", "m"), "B": ("n", "n")}),
    (
        "(A*x + b).T*C*(D*x + e)",
        "x",
        {"x": ("n",), "A": ("m", "n"), "b": ("m",), "C": ("m", "p"), "D": ("p", "n"), "e": ("p",)},
    ),
    ("tr(A*X^-1*B)", "X", {"X": ("n", "n"), "A": ("n", "n"), "B": ("n", "n")}),
    ("sum(tanh(W*x + b))", "W", {"W": ("m", "n"), "x": ("n",), "b": ("m",)}),
    ("logsumexp(W*x) - y.T*W*x", "W", {"W": ("m", "n"), "x": ("n",), "y": ("m",)}),
]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    import derive

    worst = 0.0
    failed = False
    for expression, wrt, shapes in CASES:
        g = derive.gradient(expression, wrt, shapes=shapes)  # warm-up
        times = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            g = derive.gradient(expression, wrt, shapes=shapes)
            times.append(time.perf_counter() - start)
        median = statistics.median(times)
        worst = max(worst, median)
        good = g.ok and g.in_matrix_form and median <= BAR
        failed |= not good
        print(f"{median:7.3f} s  (min {min(times):.3f})  d/d{wrt} {expression} = {g.result}  [{g.proof.verdict}]")
    print(f"worst median {worst:.3f} s; bar {BAR} s: {'FAIL' if failed else 'ok'}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
