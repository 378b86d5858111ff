"""Benchmark of answer checking: warm ``derive.check`` latency and ``derive grade`` throughput.

    python benchmarks/bench_answers.py                 # defaults: 400 warm checks, 3000 graded rows
    python benchmarks/bench_answers.py --checks 1000 --rows 5000 --jobs 4

Latency is measured in the calling process around ``derive.check`` (parse, compare, diagnose,
and the round trip to the warm worker), after one warm-up check per identity (which builds the
question's context in the worker). Throughput runs the real CLI, ``derive grade FILE -o OUT``,
on a generated CSV of a few thousand answers (a mix of correct rewrites, near misses, malformed
and hostile input over the scalar identities), and reports rows per second including start-up.
Answers built against the checker (bumps, combs, cancellation; :data:`ADVERSARIAL`) are timed
apart, so that the main mix stays comparable from run to run. The other answer kinds (equations,
intervals, sets, lists, matrices, tuples, numeric tolerances, up to a constant; :data:`KIND_ANSWERS`)
are timed in a section of their own (``--kinds-only`` runs just that section).
"""

from __future__ import annotations

import argparse
import csv
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

# (identity, answer, latex): correct rewrites, near misses, malformed and hostile input
ANSWERS: list[tuple[str, str, bool]] = [
    ("gelu'", "Phi(x) + x*phi(x)", False),
    ("gelu'", "1/2*(1+erf(x/sqrt(2))) + x*exp(-x^2/2)/sqrt(2*pi)", False),
    ("gelu'", r"\Phi(x)+x\frac{e^{-x^2/2}}{\sqrt{2\pi}}", True),
    ("gelu'", "erfc(-x/sqrt(2))/2 + x*phi(x)", False),
    ("gelu'", "Phi(x) - x*phi(x)", False),
    ("gelu'", "Phi(x)", False),
    ("gelu'", "2*Phi(x) + 2*x*phi(x)", False),
    ("gelu'", "0.5000001*(1+erf(x/sqrt(2))) + x*phi(x)", False),
    ("gelu'", "x*(", False),
    ("gelu'", "__import__('os').system('echo pwned')", False),
    ("gelu'", "9**9**9**9", False),
    ("sigmoid'", "sigma(x)*(1-sigma(x))", False),
    ("sigmoid'", "exp(-x)/(1+exp(-x))^2", False),
    ("sigmoid'", "sigma(x)*(1+sigma(x))", False),
    ("tanh'", "sech(x)^2", False),
    ("tanh'", "4/(e^x+e^-x)^2", False),
    ("tanh'", "1+tanh(x)^2", False),
    ("kl-gaussian-standard", r"\frac{1}{2}(\mu^2+s^2-1-\ln s^2)", True),
    ("kl-gaussian-standard", "(mu^2+s^2-1)/2 - log(s)", False),
    ("kl-gaussian-standard", "(mu^2+s^2)/2 - log(s)", False),
    ("map-ridge", "Sxy*tau^2/(Sxx*tau^2+sigma^2)", False),
    ("map-ridge", "Sxy/(Sxx + tau^2/sigma^2)", False),
    ("cosine-schedule", r"\eta_{\min} + (\eta_{\max}-\eta_{\min})\cos^2\left(\frac{\pi t}{2T}\right)", True),
    ("cosine-schedule", "eta_max*(1+cos(pi*t/T))/2", False),
    ("adam-bias-correction", r"1-\beta_1^t", True),
    ("mutual-information", "-log(1-rho^2)", False),
]

# answers built against the checker (tests/answers/test_adversarial_answers.py has more): timed apart,
# so the main mix stays comparable with earlier runs
ADVERSARIAL: list[tuple[str, str, str]] = [
    ("gelu'", "Phi(x) + x*phi(x) + exp(-10^6*(x - 2.345)^2)", "bump at a breakpoint"),
    ("gelu'", "Phi(x) + x*phi(x) + exp(-10^6*(sin(x) - 0.3)^2)", "bump found by search"),
    ("gelu'", "Phi(x) + x*phi(x) + sin(3e20*pi*x)", "comb"),
    ("gelu'", "Phi(x) + x*phi(x) + (1 if x = 2.345 else 0)", "indicator at one point"),
    ("gelu'", "Phi(x) + x*phi(x) + 1e-12", "relative 1e-12"),
    ("tanh'", "(cosh(50*x)^2 - sinh(50*x)^2)*(1 - tanh(x)^2)", "true, cancellation of 1e152"),
    ("tanh'", "1 - tanh(x)^2 + log(exp(1000) + 1) - 1000 - log(1 + exp(-1000))", "true, absorbed constant"),
    ("gelu'", "erfc(-x/sqrt(2))/2 + x*phi(x)", "true, numeric verdict"),
]


def _available() -> list[tuple[str, str, bool]]:
    import derive

    known = set(derive.names())
    return [a for a in ANSWERS if a[0] in known]


def _pct(values: list[float], q: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, int(q * len(s)))]


def bench_latency(n: int) -> dict[str, float]:
    """Warm latency of first-time answers: the workers' verdict cache is off, so a repeated answer
    is judged again rather than looked up."""
    os.environ["DERIVE_ANSWERS_CACHE"] = "0"  # before the first check starts the workers
    import derive

    answers = _available()
    for name in sorted({a[0] for a in answers}):  # build each question's context once
        derive.check(name, "0")
    for name, text, latex in answers:  # and warm every code path once
        derive.check(name, text, latex=latex)
    times: list[float] = []
    statuses: Counter[str] = Counter()
    for k in range(n):
        name, text, latex = answers[k % len(answers)]
        start = time.perf_counter()
        v = derive.check(name, text, latex=latex)
        times.append(time.perf_counter() - start)
        statuses[v.status] += 1
    return {
        "checks": n,
        "median_ms": statistics.median(times) * 1000,
        "p95_ms": _pct(times, 0.95) * 1000,
        "max_ms": max(times) * 1000,
        "mean_ms": statistics.mean(times) * 1000,
        **{f"n_{s}": float(c) for s, c in statuses.items()},
    }


def bench_adversarial(repeats: int) -> list[tuple[str, str, float]]:
    """Warm latency of each :data:`ADVERSARIAL` answer: ``(family, status, median ms)``."""
    import derive

    known = set(derive.names())
    out = []
    for name, text, family in ADVERSARIAL:
        if name not in known:
            continue
        derive.check(name, text)
        times, status = [], ""
        for _ in range(repeats):
            start = time.perf_counter()
            status = derive.check(name, text).status
            times.append(time.perf_counter() - start)
        out.append((family, status, statistics.median(times) * 1000))
    return out


def bench_grade(rows: int, jobs: int, *, cache: bool = True) -> dict[str, float]:
    """``derive grade`` on ``rows`` answers cycling through the mix; ``cache``: the workers keep
    decided verdicts (a course's repeated answers), else every row is judged afresh. CPU seconds
    (the command and its workers) are reported too: on a busy machine they are the steadier figure."""
    import resource

    answers = _available()
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "answers.csv"
        out = Path(tmp) / "graded.csv"
        with src.open("w", newline="") as f:
            w = csv.writer(f)
            w.writerow(["student", "identity", "answer", "format"])
            for k in range(rows):
                name, text, latex = answers[k % len(answers)]
                w.writerow([f"s{k:05d}", name, text, "latex" if latex else "plain"])
        cmd = [sys.executable, "-m", "derive", "grade", str(src), "-o", str(out), "-q"]
        if jobs:
            cmd += ["-j", str(jobs)]
        env = {**os.environ, "DERIVE_ANSWERS_CACHE": "1" if cache else "0"}
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run(cmd, check=True, env=env)
        seconds = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        with out.open(newline="") as f:
            graded = list(csv.DictReader(f))
    assert len(graded) == rows, "every input row must yield one output row"
    per = [float(r["seconds"]) for r in graded if r["seconds"]]
    return {
        "rows": rows,
        "seconds": seconds,
        "cpu_ms_per_row": (after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime) / rows * 1000,
        "rows_per_s": rows / seconds,
        "median_ms": statistics.median(per) * 1000,
        "p95_ms": _pct(per, 0.95) * 1000,
        "jobs": jobs or (os.cpu_count() or 1),
    }


# ------------------------------------------------------------------------ other answer kinds
# (kind, answer, expected, options): derive.equivalent on teachers' questions of the new kinds
# (derive/answers/kinds), right answers, near misses and malformed input; timed apart from the
# single-expression mix above, so that its figures stay comparable from run to run
KIND_ANSWERS: list[tuple[str, str, str, dict[str, object]]] = [
    ("equation", "2x - y = -1", "y = 2x + 1", {}),
    ("equation", "4x - 2y = -2", "y = 2x + 1", {}),
    ("equation", "y = 2x + 2", "y = 2x + 1", {}),
    ("equation", "x^3 = 8", "x = 2", {}),
    ("equation", "x^2 = 4", "x = 2", {}),
    ("equation", "y = 2x +", "y = 2x + 1", {}),
    ("interval", "(2, oo)", "x > 2", {}),
    ("interval", "[2, oo)", "x > 2", {}),
    ("interval", "x^2 > 1", "(-oo, -1) U (1, oo)", {}),
    ("interval", "-1 < x <= 3", "(-1, 3]", {}),
    ("set", "{2, 1}", "{1, 2}", {}),
    ("set", "{1, 3}", "{1, 2}", {}),
    ("set", "{-sqrt(2), sqrt(2)}", "{sqrt(2), -sqrt(2)}", {}),
    ("set", "{1, 2", "{1, 2}", {}),
    ("list", "[1, 2, 3]", "[1, 2, 3]", {"kind": "list"}),
    ("list", "[2, 1, 3]", "[1, 2, 3]", {"kind": "list"}),
    ("matrix", "A^T", "[[1, 3], [2, 4]]", {"variables": {"A": "[[1, 2], [3, 4]]"}}),
    ("matrix", "inv(A)", "[[-2, 1], [3/2, -1/2]]", {"variables": {"A": "[[1, 2], [3, 4]]"}}),
    ("matrix", "[[1, 2], [3, 4]]", "[[1, 3], [2, 4]]", {}),
    ("tuple", "(1, 3)", "(1, 3)", {}),
    ("tuple", "(3, 1)", "(1, 3)", {}),
    ("numeric", "3.14", "pi", {"tol": "3sf"}),
    ("numeric", "3.15", "pi", {"tol": "3sf"}),
    ("numeric", "2.72", "e", {"tol": "1%"}),
    ("constant", "x^2/2 + 7", "x^2/2", {"up_to_constant": True}),
    ("constant", "sin(x)^2", "-cos(x)^2", {"up_to_constant": True}),
    ("constant", "x^2", "x^2/2", {"up_to_constant": True}),
]


def bench_kinds(repeats: int) -> list[tuple[str, int, float, float]]:
    """Warm latency per answer of the new kinds: ``(kind, answers, median ms, p95 ms)``, each
    answer checked once untimed (its question's context) and then ``repeats`` times."""
    import derive

    by_kind: dict[str, list[float]] = {}
    for kind, answer, expected, options in KIND_ANSWERS:
        opts = dict(options)
        variables = opts.pop("variables", None)
        derive.equivalent(answer, expected, variables, **opts)  # type: ignore[arg-type]
        for _ in range(repeats):
            start = time.perf_counter()
            derive.equivalent(answer, expected, variables, **opts)  # type: ignore[arg-type]
            by_kind.setdefault(kind, []).append(time.perf_counter() - start)
    out = [(k, len(t) // repeats, statistics.median(t) * 1000, _pct(t, 0.95) * 1000) for k, t in by_kind.items()]
    every = [t for ts in by_kind.values() for t in ts]
    out.append(("all new kinds", len(KIND_ANSWERS), statistics.median(every) * 1000, _pct(every, 0.95) * 1000))
    return out


def _print_kinds(rows: list[tuple[str, int, float, float]]) -> None:
    print(f"{'other answer kinds (warm, per answer)':<40}{'answers':>8}{'median':>10}{'p95':>10}")
    for kind, n, med, p95 in rows:
        print(f"{'  ' + kind:<40}{n:>8}{med:>8.1f}ms{p95:>8.1f}ms")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--checks", type=int, default=400, help="warm derive.check calls to time")
    ap.add_argument("--rows", type=int, default=3000, help="rows for derive grade")
    ap.add_argument("--repeats", type=int, default=5, help="timed checks of each adversarial answer")
    ap.add_argument("--jobs", type=int, default=0, help="workers for derive grade (default: all cores)")
    ap.add_argument("--kind-repeats", type=int, default=5, help="timed checks of each answer of the new kinds")
    ap.add_argument("--kinds-only", action="store_true", help="only the section on the other answer kinds")
    args = ap.parse_args()
    if args.kinds_only:
        print(
            f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}, Python {sys.version.split()[0]}"
        )
        _print_kinds(bench_kinds(args.kind_repeats))
        return

    lat = bench_latency(args.checks)
    adv = bench_adversarial(args.repeats)
    grades = {"repeated answers (verdicts kept)": bench_grade(args.rows, args.jobs)}
    grades["first-time answers (no verdict cache)"] = bench_grade(args.rows, args.jobs, cache=False)
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}, Python {sys.version.split()[0]}")
    print()
    print(f"{'warm derive.check':<34}{'value':>12}")
    print(f"{'  checks timed':<34}{lat['checks']:>12.0f}")
    print(f"{'  median latency':<34}{lat['median_ms']:>10.1f}ms")
    print(f"{'  p95 latency':<34}{lat['p95_ms']:>10.1f}ms")
    print(f"{'  max latency':<34}{lat['max_ms']:>10.1f}ms")
    mix = ", ".join(f"{k[2:]} {int(v)}" for k, v in lat.items() if k.startswith("n_"))
    print(f"  verdicts: {mix}")
    print()
    print(f"{'adversarial answers (median)':<34}{'value':>12}")
    for family, status, ms in adv:
        print(f"{'  ' + family + ' (' + status + ')':<34}{ms:>10.1f}ms")
    print()
    for title, thr in grades.items():
        print(f"{'derive grade (CLI, cold start), ' + title:<34}")
        print(f"{'  rows':<34}{thr['rows']:>12.0f}")
        print(f"{'  workers':<34}{thr['jobs']:>12.0f}")
        print(f"{'  wall time':<34}{thr['seconds']:>11.1f}s")
        print(f"{'  throughput':<34}{thr['rows_per_s']:>8.0f} rows/s")
        print(f"{'  CPU per row (all processes)':<34}{thr['cpu_ms_per_row']:>10.2f}ms")
        print(f"{'  per answer, median':<34}{thr['median_ms']:>10.1f}ms")
        print(f"{'  per answer, p95':<34}{thr['p95_ms']:>10.1f}ms")
        print()
    _print_kinds(bench_kinds(args.kind_repeats))


if __name__ == "__main__":
    main()
