"""The ``derive`` command line: one click group and the table of its commands.

Each command lives beside the others of its kind (:mod:`.catalog`: list, prove, sheet, verify;
:mod:`.book`; :mod:`.answers`: check, grade; :mod:`.questions`; :mod:`.new`) and is mounted from :data:`COMMANDS`, a
tuple of command objects (a typo is an import error, never a silently missing command). Modules
import only click and the registry at module level, so ``derive --help`` stays fast.

Exit codes: 0 success, 1 a proof (or an answer) failed, 2 a usage error such as an unknown name;
``derive check`` documents its own (0 correct, 1 incorrect, 2 invalid, 3 undecided, 4 unusable question).
"""

from __future__ import annotations

import click

from .answers import check, grade
from .autodiff import diff
from .book import book
from .catalog import list_cmd, prove, sheet, verify
from .export import export
from .grad import grad
from .new import new
from .options import INTERRUPTED, Group
from .questions import questions

COMMANDS: tuple[click.Command, ...] = (
    list_cmd,
    prove,
    sheet,
    verify,
    check,
    grade,
    book,
    new,
    diff,
    questions,
    export,
    grad,
)


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="derive", prog_name="derive")
def main() -> None:
    """Derive the mathematics of machine learning with SymPy: every step verified, every result
    checked numerically, every derivation printable as a LaTeX sheet."""
    check_address_space()


#: the address space a command and each of its worker processes need (SymPy, NumPy and SciPy
#: loaded: ``derive verify`` ran at 400 MB and hung for minutes at 300 MB, children stuck importing)
MIN_ADDRESS_SPACE = 400 * 2**20


def check_address_space(minimum: int = MIN_ADDRESS_SPACE) -> None:
    """Fail at once, naming the limit, when ``ulimit -v`` leaves less than ``minimum`` bytes."""
    try:
        import resource
    except ImportError:  # pragma: no cover - not on POSIX: no such limit
        return
    soft, _ = resource.getrlimit(resource.RLIMIT_AS)
    if soft != resource.RLIM_INFINITY and soft < minimum:
        raise click.ClickException(
            f"the address space is limited to {soft // 2**20} MB (ulimit -v {soft // 1024}); derive needs at "
            f"least {minimum // 2**20} MB per process: raise the limit (ulimit -v {minimum // 1024}) and run again"
        )


def run() -> None:
    """The console script: :func:`main`, and on an interrupt an immediate exit (status 130) once
    the command has cleaned up, skipping the interpreter's teardown of SymPy's caches (seconds)."""
    import os
    import sys

    try:
        main()
    except SystemExit as exc:
        if exc.code != INTERRUPTED:
            raise
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(INTERRUPTED)


for _command in COMMANDS:
    main.add_command(_command)
