"""``derive export NAME --to numpy|torch|jax [-o file.py]``: the derived result as a Python function.

Prints (or writes) the source of a plain function of the result's variables, sorted by name, built by
:mod:`derive.numeric.export`. Exit codes: 0 written, 1 the proof failed or the result cannot be
exported (the message says why), 2 a usage error such as an unknown name (with close matches).
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

import click

from .options import identity, module_option

LIBRARIES = ("numpy", "torch", "jax")


@click.command("export")
@module_option
@click.argument("name")
@click.option(
    "--to", "library", type=click.Choice(LIBRARIES), default="numpy", show_default=True, help="The array library."
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write the source to this .py file instead of printing it.",
)
def export(modules: Sequence[str], name: str, library: str, output: Path | None) -> None:
    """Print the source of a function computing NAME's derived result with numpy, torch or jax."""
    from ..core.proof import prove
    from ..numeric.export import ExportError

    ident = identity(name, modules)
    p = prove(ident.name)
    if not p.ok:  # an unverified formula is not handed out as code
        click.secho(f"{ident.name}: not exported, the proof failed: {p.failed_because}", fg="red", err=True)
        sys.exit(1)
    try:
        source = p.to_source(library)
    except ExportError as exc:
        click.secho(f"{ident.name}: cannot export: {exc}", fg="red", err=True)
        sys.exit(1)
    if output is None:
        click.echo(source, nl=False)
        return
    if output.suffix != ".py":
        raise click.BadParameter(f"{output}: the source is Python, so the file must end in .py", param_hint="-o")
    output.write_text(source, encoding="utf-8")
    click.echo(f"{ident.name}: wrote {output} ({library})")
