"""The built-in catalog read from source, without importing it: names, titles, sections, files.

Importing every identity module builds every declaration's SymPy objects (seconds for the
catalog), which ``derive list`` and a lookup by name do not need. This module reads the files with
:mod:`ast` instead: each declaration's name, aliases, title and section are literals there
(``declare("gelu'", title=..., section="2.2", ...)`` or the ``@identity(...)`` decorator), and each
chapter's ``__init__.py`` lists its files in map order (``CONTENTS``). A declaration whose fields
are not literals makes :func:`catalog` return ``None``, and the caller imports the modules as
usual; a test keeps this reading equal to the registry's. Nothing here imports SymPy.
"""

from __future__ import annotations

import ast
import re
from dataclasses import astuple, dataclass
from functools import cache
from pathlib import Path
from typing import Any

#: the folder of the built-in identities, and its dotted package name
IDENTITIES = Path(__file__).resolve().parent.parent / "identities"
PACKAGE = "derive.identities"
#: the functions whose calls declare an identity
DECLARERS = frozenset({"declare", "identity"})


@dataclass(frozen=True)
class Summary:
    """What ``derive list`` shows of an identity."""

    name: str
    title: str
    section: str
    aliases: tuple[str, ...] = ()
    source: str = "derive"


def slug(name: str) -> str:
    """The file stem of an identity's page: ``gelu'`` is ``gelu_prime``, ``kl-nonnegative`` is
    ``kl_nonnegative``."""
    return re.sub(r"[^0-9a-z_]", "_", name.lower().replace("'", "_prime"))


def section_key(section: str) -> tuple[int, ...]:
    """A map section as a sort key (``"2.10"`` after ``"2.9"``)."""
    return tuple(int(p) for p in section.split("."))


@cache
def builtin_modules() -> tuple[tuple[str, Path], ...]:
    """Dotted name and path of every built-in identity module: the files of the chapter folders
    (and of the package itself), ``_private`` ones skipped, by name."""
    files = [*IDENTITIES.glob("*.py"), *IDENTITIES.glob("*/*.py")]
    out = []
    for path in sorted(files):
        parts = path.relative_to(IDENTITIES).with_suffix("").parts
        if any(p.startswith("_") for p in parts):
            continue
        out.append((".".join((PACKAGE, *parts)), path))
    return tuple(out)


@cache
def contents(chapter: str) -> tuple[str, ...]:
    """The file stems of a chapter folder in map order: its ``__init__.py``'s ``CONTENTS``."""
    try:
        tree = ast.parse((IDENTITIES / chapter / "__init__.py").read_text(encoding="utf-8"))
    except (OSError, SyntaxError, ValueError):
        return ()
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "CONTENTS" for t in node.targets):
            try:
                value = ast.literal_eval(node.value)
            except ValueError:
                return ()
            return tuple(str(v) for v in value)
    return ()


def contents_rank(module: str) -> int | None:
    """Where a built-in module stands in its chapter's contents (``None`` if it is not listed)."""
    parts = module.split(".")
    if len(parts) != 4 or ".".join(parts[:2]) != PACKAGE:
        return None
    listed = contents(parts[2])
    return listed.index(parts[3]) if parts[3] in listed else None


def module_for(name: str) -> str | None:
    """The built-in module that declares ``name`` (a canonical name or an alias), or ``None``."""
    wanted = slug(name)
    for module, path in builtin_modules():
        if path.stem == wanted:
            return module
    for module, path in builtin_modules():
        summaries = read(path)
        if summaries is not None and any(name == s.name or name in s.aliases for s in summaries):
            return module
    return None


def catalog() -> list[Summary] | None:
    """Every built-in identity in map order, read from source (``None`` if any declaration is not
    literal, so that the caller imports the modules instead)."""
    out: list[tuple[tuple[int, ...], tuple[int, str, int], Summary]] = []
    for module, path in builtin_modules():
        summaries = read(path)
        if summaries is None:
            return None
        rank = contents_rank(module)
        for k, s in enumerate(summaries):
            out.append((section_key(s.section), (rank if rank is not None else 1 << 30, module, k), s))
    save()
    return [s for *_, s in sorted(out, key=lambda t: (t[0], t[1]))]


@cache
def read(path: Path) -> tuple[Summary, ...] | None:
    """The identities declared in the module at ``path``, in declaration order (``None`` if the
    file cannot be read or a declaration's fields are not literals); from the disk cache when the
    file's size and modification time are those it was read at."""
    key = _file_key(path)
    if key and key in _disk():
        stored = _disk()[key]
        return None if stored is None else tuple(Summary(r[0], r[1], r[2], tuple(r[3]), r[4]) for r in stored)
    found = _parse(path)
    if key:
        _disk()[key] = None if found is None else [[*astuple(s)[:3], list(s.aliases), s.source] for s in found]
        _DIRTY.append(key)
    return found


def _parse(path: Path) -> tuple[Summary, ...] | None:
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    except (OSError, SyntaxError, ValueError):
        return None
    out: list[Summary] = []
    for call in _declarations(tree):
        summary = _summary(call)
        if summary is None:
            return None
        out.append(summary)
    return tuple(out)


# -- the disk cache of :func:`read` (``derive list`` parsed 75 files each time: 0.7 s of CPU) -------
_DIRTY: list[str] = []


def _cache_file() -> Path | None:
    """``index.json`` beside the proof cache, or ``None`` when caching is off (``DERIVE_CACHE``)."""
    from .places import caching, proof_folder

    return proof_folder().parent / "index.json" if caching() else None


def _file_key(path: Path) -> str:
    try:
        st = path.stat()
    except OSError:
        return ""
    return f"{path}|{st.st_mtime_ns}|{st.st_size}" if _cache_file() is not None else ""


@cache
def _disk() -> dict[str, Any]:
    import json

    where = _cache_file()
    try:
        data = json.loads(where.read_text(encoding="utf-8")) if where is not None else {}
    except (OSError, ValueError):
        data = {}
    return data if isinstance(data, dict) else {}


def save() -> None:
    """Write what :func:`read` parsed since the cache was loaded (atomically; failures ignored)."""
    import json
    import os
    import tempfile

    where = _cache_file()
    if not _DIRTY or where is None:
        return
    try:
        where.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=where.parent, suffix=".partial")
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(_disk(), f)
        os.replace(tmp, where)
        _DIRTY.clear()
    except OSError:
        pass


def _declarations(tree: ast.Module) -> list[ast.Call]:
    """Module-level ``declare(...)`` calls and ``@identity(...)`` decorators, in source order."""
    calls: list[ast.Call] = []
    for node in tree.body:
        if isinstance(node, ast.FunctionDef):
            calls += [d for d in node.decorator_list if isinstance(d, ast.Call) and _is_declaration(d)]
        elif (
            isinstance(node, ast.Assign | ast.AnnAssign)
            and isinstance(node.value, ast.Call)
            and _is_declaration(node.value)
        ):
            calls.append(node.value)
    return calls


def _is_declaration(node: ast.Call) -> bool:
    func = node.func
    name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
    return name in DECLARERS


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
