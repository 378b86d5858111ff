"""What the commands share: the ``--module`` option, name lookup with usage errors, the group."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from ..errors import DeriveError, UnknownIdentityError
from .exits import INTERRUPTED

if TYPE_CHECKING:
    from ..core.identity import Identity
    from ..core.registry import Registry

module_option = click.option(
    "--module",
    "-m",
    "modules",
    multiple=True,
    metavar="MODULE",
    help="Also load identities from this module: a dotted name importable from the current folder, "
    "or a path to a .py file (repeatable).",
)


def _share_modules(_ctx: click.Context, _param: click.Parameter, modules: tuple[str, ...]) -> None:
    """Load ``--module`` here (a usage error if it cannot be imported) and name it to the checking
    workers, which import it too (``DERIVE_MODULES``: a JSON list of [folder, module])."""
    import json
    import os
    import sys

    if not modules:
        return
    registry(modules)
    shared = []
    for m in modules:
        name = importable(m)
        top = sys.modules[name.split(".")[0]]
        path = os.path.abspath(top.__file__ or "")
        package = os.path.basename(path) == "__init__.py"
        shared.append([os.path.dirname(os.path.dirname(path) if package else path), name])
    os.environ["DERIVE_MODULES"] = json.dumps(shared)


#: ``--module`` for commands whose answers are judged in worker processes (check, grade)
worker_module_option = click.option(
    "--module",
    "-m",
    "modules",
    multiple=True,
    metavar="MODULE",
    expose_value=False,
    callback=_share_modules,
    help="Also load identities from this module (a dotted name importable from the current folder, or a "
    "path to a .py file); the checking workers load it too (repeatable).",
)


def registry(modules: Sequence[str]) -> Registry:
    """The registry with ``modules`` loaded (a module that cannot be imported is a usage error)."""
    from ..core.registry import REGISTRY  # on first use: `derive --help` does not read the catalog

    for m in modules:
        try:
            REGISTRY.load_module(importable(m))
        except DeriveError as exc:
            raise click.UsageError(str(exc)) from exc
    return REGISTRY


def importable(module: str) -> str:
    """The dotted name to import for ``--module``: ``my_softplus`` from the current folder (as
    ``python -m`` finds it; a console script does not put the folder on the path), or
    ``./my_softplus.py`` by its file, its folder put on the path."""
    import os
    import sys

    if module.endswith(".py") or os.sep in module or "/" in module:
        path = os.path.abspath(module)
        if not os.path.isfile(path):
            raise click.UsageError(f"--module {module}: no such file")
        folder, name = os.path.split(path)
        module = name.removesuffix(".py")
    else:
        folder = os.getcwd()
    if folder not in sys.path:
        sys.path.insert(0, folder)
    return module


def identity(name: str, modules: Sequence[str]) -> Identity:
    """The identity ``name``; an unknown name is a usage error that suggests close names."""
    reg = registry(modules)
    try:
        return reg.get(name)
    except UnknownIdentityError as exc:
        raise click.BadParameter(str(exc), param_hint="NAME") from None


no_cache_option = click.option(
    "--no-cache",
    is_flag=True,
    callback=lambda _ctx, _param, value: _cache_off() if value else None,
    expose_value=False,
    help="Derive again instead of loading proofs from the cache (see DERIVE_CACHE_DIR).",
)


def _cache_off() -> None:
    import os

    os.environ["DERIVE_CACHE"] = "0"  # read by every worker process this command starts


def check_suffix(path: Path | None, allowed: Sequence[str], option: str = "--output") -> None:
    """A usage error (exit 2) for an output file whose suffix no writer makes (``-o x.docx`` was
    silently written as a PDF)."""
    if path is not None and path.suffix.lower() not in allowed:
        raise click.BadParameter(
            f"{path.name!r}: the output must end in {' or '.join(allowed)}", param_hint=f"'{option}'"
        )


def file_stem(name: str) -> str:
    """A file name for an identity name (``gelu'`` is ``gelu-prime``)."""
    return name.replace("'", "-prime").replace("/", "-")


class Group(click.Group):
    """Turns any :class:`~derive.errors.DeriveError` (a name conflict between plugins, a broken
    declaration) into a one-line error and exit status 1 instead of a traceback; SIGTERM into
    Ctrl-C, and Ctrl-C into exit status 130 (click's own "Aborted!" would exit 1)."""

    def invoke(self, ctx: click.Context) -> Any:
        import os
        import signal

        def terminate(signum: int, _frame: object) -> None:
            raise KeyboardInterrupt(f"signal {signum}")

        previous = signal.signal(signal.SIGTERM, terminate) if _main_thread() else None
        os.environ.setdefault("DERIVE_CACHE", "1")  # the proof cache is on for commands (--no-cache)
        if ctx.color is None and (os.environ.get("NO_COLOR") or os.environ.get("FORCE_COLOR")):
            ctx.color = use_color()  # click.secho honours it for every command
        try:
            return super().invoke(ctx)
        except DeriveError as exc:
            raise click.ClickException(str(exc)) from exc
        except KeyboardInterrupt:
            click.echo("\ninterrupted", err=True)
            raise SystemExit(INTERRUPTED) from None
        finally:
            if previous is not None:
                signal.signal(signal.SIGTERM, previous)


def use_color(flag: bool | None = None) -> bool:
    """Whether to colour the output: ``--color``/``--no-color`` if given, else ``NO_COLOR`` (any
    value turns colour off, https://no-color.org), else ``FORCE_COLOR`` (on unless ``0``), else
    whether standard output is a terminal."""
    import os
    import sys

    if flag is not None:
        return flag
    if os.environ.get("NO_COLOR"):
        return False
    force = os.environ.get("FORCE_COLOR")
    if force:
        return force != "0"
    return sys.stdout.isatty()


def _main_thread() -> bool:
    import threading

    return threading.current_thread() is threading.main_thread()
