"""CPU time per answer of the non-expression kinds (equations, intervals and inequalities).

    python benchmarks/bench_kinds.py                  # 7 timed checks of each answer
    python benchmarks/bench_kinds.py --repeats 15 --profile interval

The answers are :data:`bench_answers.KIND_ANSWERS` (one table for both benchmarks). Each answer is
checked once untimed (its question's context), then ``repeats`` times; the figure is CPU time
(``time.process_time``) of the calling process, where a kind's judge runs, plus the CPU time the
warm worker spent on the same check (read from ``/proc``), since the machine is shared and wall time
is noisy. ``--profile KIND`` prints a cProfile of the judge on that kind's answers instead.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from bench_answers import KIND_ANSWERS


def _children_cpu() -> float:
    """CPU seconds of this process's live children (the warm workers), from ``/proc`` (0 elsewhere)."""
    total = 0.0
    try:
        kids = Path(f"/proc/{os.getpid()}/task/{os.getpid()}/children").read_text().split()
    except OSError:
        return 0.0
    for pid in kids:
        try:  # schedstat: nanoseconds on the CPU (stat's ticks are 10 ms: too coarse)
            total += int(Path(f"/proc/{pid}/schedstat").read_text().split()[0]) / 1e9
        except (OSError, ValueError, IndexError):
            continue
    return total


def _check(answer: str, expected: str, options: dict[str, object]) -> str:
    import derive

    opts = dict(options)
    variables = opts.pop("variables", None)
    return derive.equivalent(answer, expected, variables, **opts).status  # type: ignore[arg-type]


def bench(repeats: int, kinds: set[str]) -> None:
    os.environ["DERIVE_ANSWERS_CACHE"] = "0"
    rows = [r for r in KIND_ANSWERS if r[0] in kinds]
    per_kind: dict[str, list[float]] = {}
    print(f"{'kind':<10}{'answer':<24}{'expected':<24}{'status':<11}{'cpu ms':>8}{'worker ms':>11}{'mean':>8}")
    for kind, answer, expected, options in rows:
        _check(answer, expected, options)
        own, worker, status = [], [], ""
        for _ in range(repeats):
            c0, w0 = time.process_time(), _children_cpu()
            status = _check(answer, expected, options)
            own.append(time.process_time() - c0)
            worker.append(_children_cpu() - w0)
        total = [a + b for a, b in zip(own, worker, strict=True)]
        per_kind.setdefault(kind, []).append(statistics.mean(total))
        print(
            f"{kind:<10}{answer:<24}{expected:<24}{status:<11}"
            f"{statistics.median(own) * 1000:>8.1f}{statistics.median(worker) * 1000:>11.1f}"
            f"{statistics.mean(total) * 1000:>8.1f}"
        )
    for kind, means in per_kind.items():  # the CPU clock ticks in steps of a few ms here: means per answer
        print(f"median over answers of the mean CPU per check, {kind}: {statistics.median(means) * 1000:.1f} ms")


def profile(kind: str) -> None:
    import cProfile
    import pstats

    rows = [r for r in KIND_ANSWERS if r[0] == kind]
    for _, answer, expected, options in rows:
        _check(answer, expected, options)
    prof = cProfile.Profile()
    prof.enable()
    for _ in range(5):
        for _, answer, expected, options in rows:
            _check(answer, expected, options)
    prof.disable()
    pstats.Stats(prof).sort_stats("cumulative").print_stats(35)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeats", type=int, default=15)
    ap.add_argument("--kinds", default="equation,interval", help="comma-separated kinds of KIND_ANSWERS")
    ap.add_argument("--profile", metavar="KIND", help="a cProfile of the judge on KIND's answers")
    args = ap.parse_args()
    if args.profile:
        profile(args.profile)
    else:
        bench(args.repeats, set(args.kinds.split(",")))


if __name__ == "__main__":
    main()
