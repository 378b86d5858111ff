"""The ``derive`` command line: list, prove, sheet, verify (check, grade, book, new join them).

Exit codes follow click: 0 success, 1 a proof (or an answer) failed, 2 a usage error such as an
unknown name. Imports are lazy so that ``derive --help`` does not load SymPy.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click


def _registry(modules: Sequence[str]) -> Any:
    from .errors import DeriveError
    from .registry import REGISTRY

    for m in modules:
        try:
            REGISTRY.load_module(m)
        except DeriveError as exc:
            raise click.UsageError(str(exc)) from exc
    return REGISTRY


def _identity(name: str, modules: Sequence[str]) -> Any:
    from .errors import UnknownIdentityError

    reg = _registry(modules)
    try:
        return reg.get(name)
    except UnknownIdentityError as exc:
        raise click.BadParameter(str(exc), param_hint="NAME") from None


module_option = click.option(
    "--module",
    "-m",
    "modules",
    multiple=True,
    metavar="MODULE",
    help="Also load identities from this importable module (repeatable).",
)


class _Group(click.Group):
    """Turns any :class:`~derive.errors.DeriveError` (a name conflict between plugins, a broken
    declaration) into a one-line error and exit status 1 instead of a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        from .errors import DeriveError

        try:
            return super().invoke(ctx)
        except DeriveError as exc:
            raise click.ClickException(str(exc)) from exc


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="derive", prog_name="derive")
def main() -> None:
    """Derive the mathematics of machine learning with SymPy: every step verified, every result
    checked numerically, every derivation printable as a LaTeX sheet."""


@main.command("list")
@module_option
@click.option("--section", help="Only this map section (e.g. 2.2 or 3).")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def list_cmd(modules: Sequence[str], section: str | None, as_json: bool) -> None:
    """Every identity: name, title, map section."""
    reg = _registry(modules)
    from .sections import in_section

    rows = [i for i in reg.summaries() if section is None or in_section(i.section, section)]
    if as_json:
        click.echo(
            json.dumps(
                [
                    {
                        "name": i.name,
                        "title": i.title,
                        "section": i.section,
                        "aliases": list(i.aliases),
                        "source": i.source,
                    }
                    for i in rows
                ],
                indent=2,
            )
        )
        return
    current = None
    width = max((len(i.name) for i in rows), default=10)
    for i in rows:
        if i.section != current:
            current = i.section
            click.secho(f"\n{_section_title(i.section)}", bold=True)
        extra = f"  [{i.source}]" if i.source != "derive" else ""
        click.echo(f"  {i.name:<{width}}  {i.title}{extra}")


def _section_title(section: str) -> str:
    from .sections import SECTIONS

    return f"{section} {SECTIONS.get(section, '')}".rstrip()


@main.command()
@module_option
@click.argument("name")
@click.option("--seed", type=int, default=None, help="Seed of the numeric checks.")
@click.option("--color/--no-color", default=None, help="Colour the output (default: if a terminal).")
def prove(modules: Sequence[str], name: str, seed: int | None, color: bool | None) -> None:
    """Derive NAME and show every step, why it holds, the numeric check and the verdict."""
    import derive

    ident = _identity(name, modules)
    p = derive.prove(ident.name, seed=seed)
    click.echo(p.text(color=sys.stdout.isatty() if color is None else color))
    sys.exit(0 if p.ok else 1)


@main.command()
@module_option
@click.argument("name")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Output file: .pdf (compiled with latexmk) or .tex (the source). Default NAME.pdf.",
)
def sheet(modules: Sequence[str], name: str, output: Path | None) -> None:
    """Write the LaTeX derivation sheet of NAME, compiled to PDF (or as .tex)."""
    import derive

    from .errors import CompileError
    from .render import write_output

    ident = _identity(name, modules)
    p = derive.prove(ident.name)
    out = output or Path(_file_stem(ident.name) + ".pdf")
    try:
        path = write_output(p, out)
    except CompileError as exc:
        click.secho(str(exc), fg="red", err=True)
        sys.exit(1)
    click.echo(f"{ident.name}: {p.verdict}; wrote {path}")
    sys.exit(0 if p.ok else 1)


def _file_stem(name: str) -> str:
    return name.replace("'", "-prime").replace("/", "-")


def _verify_one(name: str, seed: int | None, modules: Sequence[str]) -> dict[str, Any]:
    import derive

    _registry(modules)
    p = derive.prove(name, seed=seed)
    cross = p.numeric.crosscheck
    return {
        "name": p.name,
        "section": p.identity.section,
        "ok": p.ok,
        "level": p.level,
        "steps": len(p.steps),
        "max_rel_error": p.numeric.max_rel_error,
        "crosscheck": cross.name if cross else None,
        "crosscheck_error": cross.error if cross else None,
        "crosscheck_tolerance": cross.tolerance if cross else None,
        "seconds": round(p.seconds, 3),
        "failure": p.failure or ("" if p.numeric.ok else "numeric check failed"),
    }


@main.command()
@module_option
@click.argument("names", nargs=-1)
@click.option("--all", "all_", is_flag=True, help="Every registered identity.")
@click.option("--section", help="Every identity of a map section (e.g. 2.2).")
@click.option("--json", "as_json", is_flag=True, help="Print the results as JSON.")
@click.option("--seed", type=int, default=None)
@click.option("-j", "--jobs", type=int, default=0, help="Worker processes (default: all cores).")
def verify(
    modules: Sequence[str],
    names: Sequence[str],
    all_: bool,
    section: str | None,
    as_json: bool,
    seed: int | None,
    jobs: int,
) -> None:
    """Prove identities and print a table; exit status 1 if any fails."""
    reg = _registry(modules)
    if all_:
        selected = reg.names()
    elif section:
        from .sections import in_section

        selected = [i.name for i in reg if in_section(i.section, section)]
    else:
        selected = [_identity(n, modules).name for n in names]
    if not selected:
        raise click.UsageError("name identities, or use --all or --section")
    rows = _run_parallel(selected, seed, modules, jobs, show=not as_json)
    if as_json:
        click.echo(json.dumps(rows, indent=2))
    else:
        _table(rows)
    sys.exit(0 if all(r["ok"] for r in rows) else 1)


def _run_parallel(
    names: list[str], seed: int | None, modules: Sequence[str], jobs: int, show: bool
) -> list[dict[str, Any]]:
    from concurrent.futures import ProcessPoolExecutor, as_completed

    workers = jobs or os.cpu_count() or 1
    if workers == 1 or len(names) == 1:
        return [_verify_one(n, seed, modules) for n in names]
    results: dict[str, dict[str, Any]] = {}
    with ProcessPoolExecutor(max_workers=min(workers, len(names))) as pool:
        futures = {pool.submit(_verify_one, n, seed, tuple(modules)): n for n in names}
        with click.progressbar(
            length=len(names), label="proving", file=sys.stderr if show else open(os.devnull, "w"), show_pos=True
        ) as bar:
            for fut in as_completed(futures):
                n = futures[fut]
                try:
                    results[n] = fut.result()
                except Exception as exc:
                    results[n] = {
                        "name": n,
                        "section": "",
                        "ok": False,
                        "level": "-",
                        "steps": 0,
                        "max_rel_error": float("nan"),
                        "crosscheck": None,
                        "crosscheck_error": None,
                        "seconds": 0.0,
                        "failure": f"{type(exc).__name__}: {exc}",
                    }
                bar.update(1)
    return [results[n] for n in names]


def _table(rows: list[dict[str, Any]]) -> None:
    width = max(len(r["name"]) for r in rows)
    click.echo(
        f"{'identity':<{width}}  {'section':<7}  {'verdict':<7}  {'level':<10}  {'steps':>5}  "
        f"{'rel.err':>8}  {'cross-check (tol)':>17}  {'time':>6}"
    )
    for r in rows:
        verdict = click.style("ok", fg="green") if r["ok"] else click.style("FAILED", fg="red")
        pad = " " * (7 - (2 if r["ok"] else 6))
        cross = "-"
        if r["crosscheck_error"] is not None:
            cross = f"{r['crosscheck_error']:.1e} (≤{r.get('crosscheck_tolerance') or 0:.0e})"
        click.echo(
            f"{r['name']:<{width}}  {r['section']:<7}  {verdict}{pad}  {r['level']:<10}  {r['steps']:>5}  "
            f"{r['max_rel_error']:>8.1e}  {cross:>17}  {r['seconds']:>5.2f}s"
        )
        if not r["ok"] and r["failure"]:
            click.echo(f"    {r['failure']}")
    failed = sum(not r["ok"] for r in rows)
    click.echo(f"\n{len(rows) - failed} passed, {failed} failed")


# Commands that live beside the features they drive (answer checking, the book, scaffolding).
# Each module exposes ``COMMANDS``: a list of click commands. They import only click at module
# level, so ``derive --help`` stays fast.
_COMMAND_MODULES = ("derive.answers.commands", "derive.book_commands", "derive.scaffold")


def _add_feature_commands() -> None:
    import importlib

    for name in _COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name not in (name, name.rsplit(".", 1)[0]):
                raise
            continue
        for command in module.COMMANDS:
            main.add_command(command)


_add_feature_commands()
