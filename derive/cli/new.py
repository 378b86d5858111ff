"""``derive new NAME``: scaffold a module with a working identity and its test.

The scaffold proves as written (the derivative of softplus), so a researcher starts from a
passing example and edits it into their own identity.
"""

from __future__ import annotations

import keyword
from pathlib import Path

import click


def module_name(name: str) -> str:
    """A Python module name for an identity name (``my-identity'`` -> ``my_identity_prime``)."""
    from ..core.index import slug

    stem = slug(name).strip("_") or "identity"
    if stem[0].isdigit() or keyword.iskeyword(stem):
        stem = f"identity_{stem}"
    return stem


MAX_TITLE = 200


def check_title(title: str) -> str:
    """The title, if it is one line of printable text that cannot end the scaffold's docstring."""
    if len(title) > MAX_TITLE:
        raise click.BadParameter(f"the title has {len(title)} characters; at most {MAX_TITLE}", param_hint="--title")
    if not title.strip() or not title.isprintable():
        raise click.BadParameter("the title must be one line of printable text", param_hint="--title")
    if '"""' in title or title.endswith(("\\", '"')):
        raise click.BadParameter('the title may not contain """ or end in a quote or a backslash', param_hint="--title")
    return title


def scaffold(name: str, directory: Path, *, title: str | None = None, force: bool = False) -> list[Path]:
    """Write ``<module>.py`` and ``test_<module>.py`` into ``directory``; return their paths."""
    from ..core.identity import NAME  # SymPy loads only when a command needs it
    from ..render.templates import environment

    if not NAME.match(name):
        raise click.BadParameter(f"{name!r}: use lower-case words joined by '-' (a trailing ' is allowed)")
    module = module_name(name)
    shown = check_title(title) if title is not None else name.replace("-", " ").capitalize()
    context = {
        "name": name,
        "module": module,
        "constant": module.upper(),
        "title": shown,  # in the module's raw docstring: check_title keeps it from closing it
        "title_literal": repr(shown),  # in code: a Python string literal, never pasted source
    }
    files = {
        directory / f"{module}.py": "new_identity.py.j2",
        directory / f"test_{module}.py": "new_identity_test.py.j2",
    }
    existing = [p for p in files if p.exists()]
    if existing and not force:
        raise click.ClickException(f"{existing[0]} exists; use --force to overwrite")
    directory.mkdir(parents=True, exist_ok=True)
    env = environment()
    for path, template in files.items():
        path.write_text(env.get_template(template).render(**context), encoding="utf-8")
    return list(files)


@click.command("new")
@click.argument("name")
@click.option(
    "--dir",
    "directory",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("."),
    show_default=True,
    help="Where to write the module and its test.",
)
@click.option("--title", help="The identity's title.")
@click.option("--force", is_flag=True, help="Overwrite existing files.")
def new(name: str, directory: Path, title: str | None, force: bool) -> None:
    """Scaffold a module declaring the identity NAME, with a test, ready to prove."""
    paths = scaffold(name, directory, title=title, force=force)
    module = paths[0].stem
    click.echo("wrote " + ", ".join(str(p) for p in paths))
    click.echo(f'next: cd {directory} && derive prove "{name}" --module {module}')
