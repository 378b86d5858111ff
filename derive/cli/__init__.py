"""The ``derive`` command line: one click group and the table of its commands.

Each command lives beside the others of its kind (:mod:`.catalog`: list, prove, sheet, verify;
:mod:`.book`; :mod:`.answers`: check, grade; :mod:`.new`) and is mounted from :data:`COMMANDS`, a
tuple of command objects (a typo is an import error, never a silently missing command). Modules
import only click and the registry at module level, so ``derive --help`` stays fast.

Exit codes: 0 success, 1 a proof (or an answer) failed, 2 a usage error such as an unknown name;
``derive check`` documents its own (0 correct, 1 incorrect, 2 invalid, 3 undecided, 4 unusable question).
"""

from __future__ import annotations

import click

from .answers import check, grade
from .book import book
from .catalog import list_cmd, prove, sheet, verify
from .new import new
from .options import Group

COMMANDS: tuple[click.Command, ...] = (list_cmd, prove, sheet, verify, check, grade, book, new)


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="derive", prog_name="derive")
def main() -> None:
    """Derive the mathematics of machine learning with SymPy: every step verified, every result
    checked numerically, every derivation printable as a LaTeX sheet."""


for _command in COMMANDS:
    main.add_command(_command)
