"""The work `verify --all` does, counted rather than timed: a yardstick for a machine whose speed drifts.

    PYTHONHASHSEED=1 python benchmarks/bench_work.py [NAME ...]

Proves every identity (or the ones named) in this one process, one after another, under ``cProfile``,
and prints the number of Python function calls and the CPU seconds. With a fixed ``PYTHONHASHSEED``
the count is the same from run to run to within 0.1% (SymPy's paths depend on set order; a statement
check's time budget can cut its points), and it does not drift with the machine's load or clock, so
two versions of the code can be compared by running both at once, each from its own checkout; the
CPU seconds (profiling doubles them) do drift. Each identity runs with an empty proof cache in a
temporary folder.
"""

from __future__ import annotations

import cProfile
import os
import pstats
import sys
import tempfile
import time


def main(names: list[str]) -> None:
    with tempfile.TemporaryDirectory() as cache:
        os.environ["DERIVE_CACHE_DIR"] = cache
        from derive.cli.catalog import verify_one
        from derive.cli.options import registry

        names = names or [s.name for s in registry(()).summaries()]
        profile = cProfile.Profile()
        start = time.process_time()
        profile.enable()
        failed = [name for name in names if not verify_one(name)["ok"]]
        profile.disable()
        cpu = time.process_time() - start
    stats = pstats.Stats(profile)
    print(f"{len(names)} identities, {len(failed)} failed {failed or ''}".rstrip())
    print(f"{stats.total_calls:,} function calls ({stats.prim_calls:,} primitive), {cpu:.1f} s CPU under cProfile")
    if os.environ.get("PYTHONHASHSEED") in (None, "random"):
        print("PYTHONHASHSEED is not fixed: the count varies by a few percent from run to run")


if __name__ == "__main__":
    main(sys.argv[1:])
