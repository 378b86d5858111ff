"""The built-in catalog's names, titles and sections, read from the source without running it.

Importing the identity modules builds every declaration's SymPy objects (about 2.5 s for the
catalog), which ``derive list`` does not need. Each ``@identity(...)`` decorator in
``derive/identities/*.py`` is read with :mod:`ast` instead: its name, aliases, title and section
are literals there. Any decorator whose fields are not literals makes :func:`read` return
``None``, and the caller imports the modules as usual; a test keeps this reading equal to the
registry's.
"""

from __future__ import annotations

import ast
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Summary:
    """What ``derive list`` shows of an identity."""

    name: str
    title: str
    section: str
    aliases: tuple[str, ...] = ()
    source: str = "derive"


def read(paths: Sequence[Path]) -> list[Summary] | None:
    """Summaries of the identities declared in the modules at ``paths``, in their order, then
    declaration order (sort by section for the map order)."""
    out: list[Summary] = []
    if not paths:
        return None
    for path in paths:
        try:
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        except (OSError, SyntaxError, ValueError):
            return None
        for node in tree.body:
            if not isinstance(node, ast.FunctionDef):
                continue
            for decorator in node.decorator_list:
                if _is_identity_call(decorator):
                    summary = _summary(decorator)  # type: ignore[arg-type]
                    if summary is None:
                        return None
                    out.append(summary)
    return out


def _is_identity_call(node: ast.expr) -> bool:
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "identity"


def _summary(call: ast.Call) -> Summary | None:
    fields = {k.arg: k.value for k in call.keywords if k.arg is not None}
    if call.args:
        fields["name"] = call.args[0]
    try:
        name, title, section = (ast.literal_eval(fields[f]) for f in ("name", "title", "section"))
        aliases = tuple(ast.literal_eval(fields["aliases"])) if "aliases" in fields else ()
    except (KeyError, ValueError, TypeError, SyntaxError):
        return None
    if not all(isinstance(v, str) for v in (name, title, section, *aliases)):
        return None
    return Summary(name, title, section, aliases)
