"""``derive book``: the derivation book as one PDF, or its LaTeX sources."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from pathlib import Path

import click

from .options import check_suffix, module_option, no_cache_option
from .progress import Progress


@click.command("book")
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    required=True,
    help="The PDF to write, or a directory with --format tex.",
)
@click.option("--section", "sections", multiple=True, help="A map section (e.g. 2.2 or 4); repeatable.")
@click.option("--names", help="Comma-separated identity names.")
@click.option("--format", "fmt", type=click.Choice(["pdf", "tex"]), default="pdf", show_default=True)
@click.option("--keep-going", is_flag=True, help="Build the book even if identities fail (marked as failed).")
@click.option("-j", "--jobs", type=int, default=0, help="Worker processes (default: all cores).")
@click.option("--json", "as_json", is_flag=True, help="Print what was written, and each identity's result, as JSON.")
@module_option
@no_cache_option
def book(
    output: Path,
    sections: Sequence[str],
    names: str | None,
    fmt: str,
    keep_going: bool,
    jobs: int,
    as_json: bool,
    modules: Sequence[str],
) -> None:
    """Derive identities in parallel and write them as one book, organised like the map."""
    from ..render.book import build_book, select

    if fmt == "pdf":
        check_suffix(output, (".pdf",))
    chosen = select([n.strip() for n in names.split(",") if n.strip()] if names else None, sections, modules)
    with Progress(len(chosen), "deriving") as bar:
        result = build_book(
            output,
            names=chosen,
            fmt=fmt,
            keep_going=keep_going,
            jobs=jobs,
            modules=modules,
            progress=bar.done,
            stage=bar.stage,
        )
    for e in result.failed:
        click.secho(f"FAILED {e.name}: {e.error or 'numeric check failed'}", fg="red", err=True)
    click.echo(bar.summary(), err=True)
    if as_json:
        entries = [
            {"name": e.name, "section": e.section, "ok": e.ok, "level": e.level, "error": e.error}
            for e in result.entries
        ]
        click.echo(json.dumps({"output": str(result.output), "identities": entries}, indent=2))
    else:
        click.echo(f"wrote {result.output} ({len(result.entries)} identities, {len(result.failed)} failed)")
    sys.exit(1 if result.failed else 0)
