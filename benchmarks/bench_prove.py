"""Time the things a user waits for: import, CLI start, each headline proof, verify --all.

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
        start = time.perf_counter()
        done = subprocess.run([py, "-m", "derive", "verify", "--all"], capture_output=True, text=True)
        elapsed = time.perf_counter() - start
        summary = done.stdout.strip().splitlines()[-1] if done.stdout.strip() else "no output"
        rows.append(
            (f"`derive verify --all` ({len(derive.names())} identities, all cores)", f"{elapsed:.1f} s ({summary})")
        )
    width = max(len(r[0]) for r in rows)
    print(f"| {'what':<{width}} | time |\n|{'-' * (width + 2)}|------|")
    for what, t in rows:
        print(f"| {what:<{width}} | {t} |")


if __name__ == "__main__":
    main()
