"""Time the things a user waits for: import, CLI start, each headline proof, verify --all (empty
proof cache, then from the cache).

    python benchmarks/bench_prove.py [--repeat 3] [--no-verify-all]

Cold = a fresh Python process (import + registry + derivation); warm = the same proof again in
a process that has already imported everything (the per-process proof cache is cleared, so the
derivation, verification and numeric checks really run again). Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time

HEADLINES = ["gelu'", "softmax-jacobian", "map-ridge", "cosine-schedule", "elbo", "vanishing-gradient"]


def wall(cmd: list[str], repeat: int) -> float:
    """Median wall time of a command, in seconds."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(cmd, check=False, capture_output=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def verify_all(py: str, repeat: int) -> list[tuple[str, str]]:
    """``derive verify --all`` with an empty proof cache (every identity derived, verified and
    checked), ``repeat`` times, each in a cache folder of its own, then again from the rows the last
    run kept: wall time and the CPU of the command and its workers."""
    import os
    import resource
    import tempfile

    def run(cache: str) -> tuple[float, float, str]:
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        env = {**os.environ, "DERIVE_CACHE_DIR": cache}
        done = subprocess.run([py, "-m", "derive", "verify", "--all"], capture_output=True, text=True, env=env)
        elapsed = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
        lines = done.stdout.strip().splitlines()
        return elapsed, cpu, lines[-1] if lines else "no output"

    cold = []
    for _ in range(repeat):
        with tempfile.TemporaryDirectory() as cache:
            cold.append(run(cache))
            if "0 failed" not in cold[-1][2]:
                raise SystemExit(f"verify --all failed: {cold[-1][2]}")
            cached = run(cache)
    walls = ", ".join(f"{w:.1f}" for w, _, _ in cold)
    cpus = ", ".join(f"{c:.0f}" for _, c, _ in cold)
    return [
        ("`derive verify --all`, empty proof cache, 2 cores", f"{walls} s wall; {cpus} s CPU ({cold[-1][2]})"),
        ("`derive verify --all` again (rows kept in the cache)", f"{cached[0]:.2f} s wall, {cached[1]:.2f} s CPU"),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-verify-all", action="store_true")
    args = parser.parse_args()
    py = sys.executable
    rows: list[tuple[str, str]] = []
    rows.append(("`import derive` (cold process)", f"{wall([py, '-c', 'import derive'], args.repeat) * 1e3:.0f} ms"))
    rows.append(("`derive --help`", f"{wall([py, '-m', 'derive', '--help'], args.repeat) * 1e3:.0f} ms"))
    rows.append(("`derive list`", f"{wall([py, '-m', 'derive', 'list'], args.repeat) * 1e3:.0f} ms"))

    import derive
    from derive.core.proof import clear_cache

    for name in HEADLINES:
        if name not in derive.names():
            rows.append((f"prove `{name}`", "not registered"))
            continue
        cold = wall([py, "-c", f"import derive; derive.prove({name!r})"], args.repeat)
        warm = []
        for _ in range(args.repeat):
            clear_cache()
            start = time.perf_counter()
            p = derive.prove(name)
            warm.append(time.perf_counter() - start)
        status = "" if p.ok else " (FAILED)"
        rows.append((f"prove `{name}`: cold / warm", f"{cold:.2f} s / {statistics.median(warm):.2f} s{status}"))
    if not args.no_verify_all:
        rows += verify_all(py, args.repeat)
    width = max(len(r[0]) for r in rows)
    print(f"| {'what':<{width}} | time |\n|{'-' * (width + 2)}|------|")
    for what, t in rows:
        print(f"| {what:<{width}} | {t} |")


if __name__ == "__main__":
    main()
