"""``derive check`` and ``derive grade``: homework answers at the command line.

Only click is imported at module level, so ``derive --help`` stays fast; SymPy loads (in the
worker processes) only when an answer is checked.

Exit status of ``derive check``: 0 correct, 1 incorrect, 2 invalid (the answer could not be
read; click also uses 2 for a malformed command line), 3 undecided (time limit), 4 the question
itself is unusable (unknown identity, identity without a question, bad ``--expected``/``--var``).
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Iterator
from functools import partial
from typing import Any

import click

from ..errors import UnknownIdentityError
from .exits import BAD_QUESTION, BY_STATUS, INVALID, USAGE
from .options import worker_module_option

EXIT = BY_STATUS
EXIT_BAD_QUESTION = BAD_QUESTION
COLOURS = {"correct": "green", "incorrect": "red", "invalid": "yellow", "undecided": "magenta"}


def _parse_vars(pairs: tuple[str, ...]) -> dict[str, str]:
    out = {}
    for pair in pairs:
        name, sep, dom = pair.partition("=")
        if not sep or not name.strip() or not dom.strip():
            raise click.BadParameter(f"{pair!r}: write NAME=DOMAIN, e.g. s=positive or t=[0,T]", param_hint="--var")
        out[name.strip()] = dom.strip()
    return out


@click.command("check")
@click.argument("args", nargs=-1, metavar="[NAME] ANSWER")
@click.option("--latex", is_flag=True, help="Read the answer (and --expected) as LaTeX.")
@click.option("--expected", metavar="EXPR", help="A teacher's expected answer instead of an identity NAME.")
@click.option("--var", "variables", multiple=True, metavar="NAME=DOMAIN", help="Domain of a variable of --expected.")
@click.option("--timeout", type=float, default=2.0, show_default=True, help="Hard time limit in seconds.")
@click.option("--json", "as_json", is_flag=True, help="Print the verdict as JSON.")
@click.option(
    "--kind", metavar="KIND", help="Answer kind: equation, interval, set, list, matrix, tuple, numeric, constant."
)
@click.option("--tol", metavar="TOL", help="Numeric tolerance: 1e-3 (absolute), 2%, 3sf, rel=1e-6.")
@click.option("--up-to-constant", is_flag=True, help="Accept an answer that differs by an additive constant.")
@click.option(
    "--bank", type=click.Path(dir_okay=False), help="A question bank (TOML or YAML): NAME is one of its questions."
)
@worker_module_option
def check(
    args: tuple[str, ...],
    latex: bool,
    expected: str | None,
    variables: tuple[str, ...],
    timeout: float,
    as_json: bool,
    kind: str | None = None,
    tol: str | None = None,
    up_to_constant: bool = False,
    bank: str | None = None,
) -> None:
    """Check a homework ANSWER to the question of identity NAME (or to --expected).

    \b
      derive check "gelu'" "Phi(x) + x*phi(x)"
      derive check kl-gaussian-standard --latex "\\frac{1}{2}(\\mu^2+s^2-1-\\ln s^2)"
      derive check --expected "log(s^2)" --var s=positive "2*log(s)"
      derive check --expected "y = 2x + 1" "2x - y = -1"
      derive check --expected "pi" --tol 3sf "3.14"
      derive check --bank questions.toml line "y = 2x + 1"

    Exit status: 0 correct, 1 incorrect, 3 undecided, 4 invalid (unreadable), 5 unusable
    question, 2 usage (an unknown identity, a missing argument).
    """
    import json

    from ..answers import api

    want = 1 if expected is not None else 2
    if len(args) != want:
        usage = "ANSWER (with --expected)" if expected is not None else "NAME ANSWER"
        click.echo(f"Error: expected {usage}, got {len(args)} argument(s).", err=True)
        sys.exit(USAGE)
    try:
        if expected is not None:
            verdict = api.equivalent(
                args[0],
                expected,
                _parse_vars(variables) if variables else None,
                latex=latex,
                timeout=timeout,
                kind=kind,
                tol=tol,
                up_to_constant=up_to_constant,
            )
        elif bank is not None:
            verdict = api.check(args[0], args[1], latex=latex, timeout=timeout, bank=bank)
        else:
            verdict = api.check(args[0], args[1], latex=latex, timeout=timeout)
    except (KeyError, LookupError, ValueError, click.BadParameter) as exc:
        msg = exc.args[0] if isinstance(exc, KeyError) and exc.args else str(exc)
        click.echo(f"Error: {msg}", err=True)
        sys.exit(USAGE if isinstance(exc, UnknownIdentityError) else EXIT_BAD_QUESTION)
    if as_json:
        click.echo(json.dumps(verdict.to_dict(), indent=2))
    else:
        _show(verdict)
    sys.exit(EXIT[verdict.status])


def _show(v: Any) -> None:
    click.echo(f"{click.style(v.status, fg=COLOURS[v.status], bold=True)}  ({v.method}, {v.seconds * 1000:.0f} ms)")
    click.echo(v.message)
    if v.read_as:
        click.echo(f"read as: {v.read_as}")
    if v.diagnosis:
        click.echo(f"diagnosis: {v.diagnosis}")


# ------------------------------------------------------------------------------------ grade
def _summary(rows: list[dict[str, Any]], seconds: float) -> None:
    import statistics

    statuses = ("correct", "incorrect", "invalid", "undecided")
    by: dict[str, dict[str, int]] = {}
    for r in rows:
        key = str(r.get("identity") or r.get("question") or ("(expected)" if r.get("expected") else "(none)"))
        by.setdefault(key, dict.fromkeys(statuses, 0))[r.get("status", "undecided")] += 1
    width = max([len(k) for k in by] + [8])
    echo = click.echo
    echo(f"\n{'identity':<{width}}  " + "  ".join(f"{s:>9}" for s in statuses) + f"  {'total':>6}", err=True)
    for key, counts in by.items():
        echo(
            f"{key:<{width}}  " + "  ".join(f"{counts[s]:>9}" for s in statuses) + f"  {sum(counts.values()):>6}",
            err=True,
        )
    totals = {s: sum(c[s] for c in by.values()) for s in statuses}
    echo(f"{'total':<{width}}  " + "  ".join(f"{totals[s]:>9}" for s in statuses) + f"  {len(rows):>6}", err=True)
    times = [float(r["seconds"]) for r in rows if isinstance(r.get("seconds"), int | float)]
    if times:
        q = sorted(times)
        p95 = q[min(len(q) - 1, int(0.95 * len(q)))]
        echo(
            f"\n{len(rows)} answers in {seconds:.1f} s ({len(rows) / max(seconds, 1e-9):.0f}/s); per answer: "
            f"median {statistics.median(q) * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms",
            err=True,
        )


@click.command("grade")
@click.argument("path", type=click.Path(dir_okay=False, allow_dash=True))
@click.option("-o", "--output", type=click.Path(dir_okay=False, allow_dash=True), help="Graded rows (default: stdout).")
@click.option("-j", "--jobs", type=int, default=0, help="Parallel workers (default: all cores).")
@click.option("--timeout", type=float, default=2.0, show_default=True, help="Hard time limit per answer in seconds.")
@click.option("--format", "fmt", type=click.Choice(["auto", "csv", "jsonl"]), default="auto", show_default=True)
@click.option("--resume", is_flag=True, help="Continue an interrupted run: keep the rows OUTPUT already holds.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar and no summary.")
@click.option(
    "--bank", type=click.Path(dir_okay=False), help="A question bank (TOML or YAML) for rows with a question column."
)
@click.option("--solutions", is_flag=True, help="Add a solution column: the worked steps of a derivative identity.")
@click.option(
    "--executor",
    metavar="SPEC",
    help="Grade on Dask: dask://HOST:PORT (a running scheduler) or local (a cluster of -j processes for this run).",
)
@worker_module_option
def grade(
    path: str,
    output: str | None,
    jobs: int,
    timeout: float,
    fmt: str,
    resume: bool,
    quiet: bool,
    bank: str | None = None,
    solutions: bool = False,
    executor: str | None = None,
) -> None:
    """Grade a batch of answers: a CSV (columns student, identity, answer, optional format) or JSON Lines.

    Rows may instead give expected (+ variables, kind, tol, up_to_constant columns) or, with
    --bank FILE, name a bank question in a question column.

    Every input row yields one output row (input columns + status, correct, message, diagnosis,
    parsed, counterexample, method, seconds), errors included; a summary table goes to stderr.
    Rows are written as they are graded, in order; Ctrl-C or SIGTERM keeps the rows finished so
    far in OUTPUT, and --resume grades the rest. --executor spreads the rows over a Dask cluster
    (pip install 'derive[dask]'), each Dask worker with its own warm checking workers.
    """
    import os
    import time

    from .rows import read_rows

    if path != "-" and not os.path.exists(path):
        click.echo(f"Error: no such file {path!r}", err=True)
        sys.exit(USAGE)
    loaded = None
    if bank is not None:
        from ..answers.bank import BankError, load_bank

        try:
            loaded = load_bank(bank)
        except BankError as exc:
            click.echo(f"Error: {exc}", err=True)
            sys.exit(EXIT_BAD_QUESTION)
    rows = read_rows(path, fmt)
    if fmt == "auto":
        by_output = output not in (None, "-") and str(output).endswith((".jsonl", ".ndjson", ".json"))
        fmt = (
            "jsonl" if by_output or (output in (None, "-") and path.endswith((".jsonl", ".ndjson", ".json"))) else "csv"
        )
    start = time.perf_counter()
    streaming = partial(_grade_streaming, resume=resume, jobs=jobs, timeout=timeout, quiet=quiet, bank=loaded)
    graded = streaming(rows, output, fmt, solutions=solutions, executor=executor)
    if not quiet:
        _summary(graded, time.perf_counter() - start)
    if graded and all(r.get("status") == "invalid" for r in graded):
        sys.exit(INVALID)  # nothing could be judged: the wrong file, or the wrong columns


def _grade_streaming(
    rows: list[dict[str, Any]],
    output: str | None,
    fmt: str,
    *,
    resume: bool,
    jobs: int,
    timeout: float,
    quiet: bool,
    bank: Any = None,
    solutions: bool = False,
    executor: str | None = None,
) -> list[dict[str, Any]]:
    """Grade ``rows`` into ``output`` row by row (``solutions``: add worked steps); on an interrupt, exit 130."""
    import signal

    from ..answers.api import RESULT_FIELDS
    from .output import RowWriter, resume_count

    skip = resume_count(output, fmt) if resume else 0
    if skip > len(rows):
        raise click.ClickException(f"{output} holds {skip} rows but the input has only {len(rows)}: not a resume")
    todo = rows[skip:]
    columns = [k for r in rows for k in r if k != "_error" and k not in RESULT_FIELDS]
    cells, extra = None, []
    if solutions:
        from ..autodiff.solutions import COLUMN, solution_cells

        cells, extra = solution_cells(todo), [COLUMN]
    writer = RowWriter(output, fmt, [*dict.fromkeys([*columns, *RESULT_FIELDS, *extra])], append=skip > 0)
    graded: list[dict[str, Any]] = []

    def finished(i: int, row: dict[str, Any]) -> None:
        error = row.pop("_error", None)
        if error:
            row.update({"status": "invalid", "correct": None, "message": f"Cannot check this row: {error}"})
        if cells is not None:
            row[COLUMN] = cells.get(str(row.get("identity") or "").strip(), "")
        writer.add(i, row)

    def stop(signum: int, _frame: object) -> None:
        raise KeyboardInterrupt(f"signal {signum}")

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        with _grader(executor, jobs) as run, _progress(len(todo), quiet) as progress:
            graded = run(todo, timeout=timeout, jobs=jobs or None, progress=progress, on_row=finished, bank=bank)
    except KeyboardInterrupt:
        writer.close()
        _stop_workers()
        where = output or "stdout"
        click.echo(f"\ninterrupted: {skip + writer.written} of {len(rows)} rows are in {where}", err=True)
        if output not in (None, "-"):
            click.echo(f"continue with: derive grade ... -o {output} --resume", err=True)
        sys.exit(130)
    finally:
        signal.signal(signal.SIGTERM, previous)
    writer.close()
    return graded


@contextlib.contextmanager
def _grader(executor: str | None, jobs: int) -> Iterator[Callable[..., list[dict[str, Any]]]]:
    """:func:`derive.grade`, or the same on the Dask cluster that ``executor`` names (closed on exit)."""
    from ..answers.api import _lost_row, grade

    if executor is None:
        yield grade
        return
    from functools import partial

    from ..answers import dask

    with contextlib.ExitStack() as stack:
        try:
            client = stack.enter_context(dask.connect(executor, jobs))
        except ValueError as exc:  # not a scheduler address: a usage error (exit 2)
            raise click.BadParameter(str(exc), param_hint="--executor") from None
        except (ImportError, OSError) as exc:  # no extra, or no scheduler there (exit 1)
            raise click.ClickException(f"--executor {executor}: {exc}") from None

        def run(rows: list[dict[str, Any]], *, timeout: float, bank: Any, **report: Any) -> list[dict[str, Any]]:
            report.pop("jobs", None)  # the cluster's workers decide
            return dask.grade(client, partial(grade, timeout=timeout, bank=bank), rows, on_error=_lost_row, **report)

        yield run


def _stop_workers() -> None:
    from ..answers.pool import shutdown

    shutdown()


@contextlib.contextmanager
def _progress(total: int, quiet: bool) -> Iterator[Callable[[int], None] | None]:
    """A progress bar on stderr (none when quiet or empty), as a ``progress(done)`` callback."""
    if quiet or not total:
        yield None
        return
    with click.progressbar(length=total, label="grading", file=sys.stderr, show_pos=True) as bar:
        state = {"n": 0}

        def progress(done: int) -> None:
            bar.update(done - state["n"])
            state["n"] = done

        yield progress
