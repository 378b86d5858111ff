"""The Jinja environment of every LaTeX and Python template (``templates/`` at the top of the project).

Templates use LaTeX-safe delimiters: ``((* block *))``, ``((( variable )))`` and ``((= comment =))``;
they receive strings already printed by :mod:`derive.render.tex` and never call SymPy themselves.
The templates ship in the wheel as ``derive/templates`` and sit beside the package in a source tree.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from .tex import escape

if TYPE_CHECKING:
    import jinja2


@cache
def template_dir() -> Path:
    """``templates/`` shipped in the wheel (``derive/templates``) or beside the source tree."""
    package = Path(__file__).resolve().parent.parent
    for candidate in (package / "templates", package.parent / "templates"):
        if (candidate / "sheet.tex.j2").exists():
            return candidate
    raise FileNotFoundError("derive's LaTeX templates are missing (expected derive/templates or ./templates)")


@cache
def environment() -> jinja2.Environment:
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(template_dir())),
        block_start_string="((*",
        block_end_string="*))",
        variable_start_string="(((",
        variable_end_string=")))",
        comment_start_string="((=",
        comment_end_string="=))",
        line_statement_prefix=None,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        keep_trailing_newline=True,
    )
    env.filters["escape_tex"] = escape
    return env
