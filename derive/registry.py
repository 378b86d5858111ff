"""The registry: canonical names and aliases, lazy loading, third-party entry points.

Built-in identities live in the modules of :mod:`derive.identities` (discovered, not listed);
third-party packages add theirs through the entry-point group ``derive.identities`` (each entry
point names a module to import), and a module on ``sys.path`` can be loaded by name
(:func:`load_module`, ``derive --module``). Set ``DERIVE_NO_PLUGINS=1`` to skip entry points.

Loading imports modules, which *declares* identities; no derivation runs until ``prove``. A name
or alias claimed twice is an error naming both sources, never a silent override. Looking up one
name first imports only the built-in modules whose source quotes it (a cold ``derive prove`` then
skips most of the catalog), and falls back to loading everything.
"""

from __future__ import annotations

import importlib
import os
import pkgutil
import threading
from collections.abc import Iterator
from importlib.metadata import entry_points
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import DeclarationError, DuplicateIdentityError, UnknownIdentityError

if TYPE_CHECKING:
    from .declaration import Identity
    from .static_catalog import Summary

ENTRY_POINT_GROUP = "derive.identities"


class Registry:
    """Identities by canonical name, with an alias table; loaded on first use."""

    def __init__(self) -> None:
        self._by_name: dict[str, Identity] = {}
        self._alias: dict[str, str] = {}
        self._loaded = False
        self._lock = threading.RLock()
        self._source_stack: list[str] = []
        self.plugin_errors: list[str] = []

    # -- declaration side ---------------------------------------------------------------------
    def current_source(self, module: str) -> str:
        if self._source_stack:
            return self._source_stack[-1]
        return "derive" if module.startswith("derive.") else module

    def add(self, ident: Identity) -> None:
        with self._lock:
            existing = self._by_name.get(ident.name)
            if existing is not None and existing.module == ident.module:
                self._remove(existing)  # the same module imported again (reload): replace
            for key in (ident.name, *ident.aliases):
                owner = self._by_name.get(key) or self._by_name.get(self._alias.get(key, ""))
                if owner is not None:
                    raise DuplicateIdentityError(
                        f"identity name {key!r} is declared twice: by {owner.module} (from {owner.source}) "
                        f"and by {ident.module} (from {ident.source}); rename one of them"
                    )
            self._by_name[ident.name] = ident
            for alias in ident.aliases:
                self._alias[alias] = ident.name

    def _remove(self, ident: Identity) -> None:
        self._by_name.pop(ident.name, None)
        for alias in ident.aliases:
            self._alias.pop(alias, None)

    # -- loading ------------------------------------------------------------------------------
    def load(self) -> None:
        """Import every built-in identity module and every plugin (once)."""
        if self._loaded:
            return
        with self._lock:
            if self._loaded:
                return
            for module, _ in _builtin_modules():
                importlib.import_module(module)
            if not os.environ.get("DERIVE_NO_PLUGINS"):
                self._load_entry_points()
            self._loaded = True

    def _load_likely(self, name: str) -> None:
        """Import the built-in identity modules whose source quotes ``name``: a cheap guess at the
        module declaring it (a cross-reference elsewhere costs one extra import, a miss costs
        nothing, since :meth:`get` then loads everything)."""
        with self._lock:
            quoted = (f'"{name}"', f"'{name}'")
            for module, source in _builtin_modules():
                try:
                    text = source.read_text(encoding="utf-8")
                except OSError:
                    continue
                if any(q in text for q in quoted):
                    importlib.import_module(module)

    def _load_entry_points(self) -> None:
        for ep in entry_points(group=ENTRY_POINT_GROUP):
            dist = ep.dist.name if ep.dist is not None else ep.value
            self._source_stack.append(f"{dist} (entry point {ep.name!r})")
            try:
                ep.load()
            except DuplicateIdentityError:
                raise
            except Exception as exc:  # a broken plugin must not break derive; it is reported
                self.plugin_errors.append(f"{dist}: {type(exc).__name__}: {exc}")
            finally:
                self._source_stack.pop()

    def load_module(self, name: str) -> list[str]:
        """Import a module of identities by dotted name; return the names it declared."""
        self.load()
        before = set(self._by_name)
        self._source_stack.append(name)
        try:
            importlib.import_module(name)
        except ModuleNotFoundError as exc:
            raise DeclarationError(f"cannot import identity module {name!r}: {exc}") from exc
        finally:
            self._source_stack.pop()
        return sorted(set(self._by_name) - before)

    # -- lookup -------------------------------------------------------------------------------
    def get(self, name: str) -> Identity:
        found = self._lookup(name)
        if found is None and not self._loaded:
            self._load_likely(name)
            found = self._lookup(name)
        if found is None:
            self.load()
            found = self._lookup(name)
        if found is None:
            raise UnknownIdentityError(name, [*self._by_name, *self._alias])
        return found

    def _lookup(self, name: str) -> Identity | None:
        return self._by_name.get(self._alias.get(name, name))

    def names(self) -> list[str]:
        """Canonical names in map order (by section, then declaration order)."""
        self.load()
        return [i.name for i in self]

    def __iter__(self) -> Iterator[Identity]:
        self.load()
        order = {n: k for k, n in enumerate(self._by_name)}
        # modules by name within a section: the same order whichever module a lookup imported first
        return iter(sorted(self._by_name.values(), key=lambda i: (_section_key(i.section), i.module, order[i.name])))

    def summaries(self) -> list[Summary]:
        """Name, title, section, aliases and source of every identity, in map order.

        Before anything is loaded and with no plugin installed, the built-in catalog is read
        from its source (:mod:`derive.static_catalog`), which spares ``derive list`` importing
        SymPy and building every declaration; otherwise the registry answers.
        """
        from .static_catalog import Summary, read

        if not self._loaded and not self._plugins():
            static = read([source for _, source in _builtin_modules()])
            if static is not None:
                return sorted(static, key=lambda s: _section_key(s.section))  # stable: module order kept
        return [Summary(i.name, i.title, i.section, i.aliases, i.source) for i in self]

    @staticmethod
    def _plugins() -> bool:
        return not os.environ.get("DERIVE_NO_PLUGINS") and bool(entry_points(group=ENTRY_POINT_GROUP))

    def __len__(self) -> int:
        self.load()
        return len(self._by_name)

    def __contains__(self, name: object) -> bool:
        self.load()
        return name in self._by_name or name in self._alias


def _builtin_modules() -> list[tuple[str, Path]]:
    """Dotted name and source path of each built-in identity module, by name (``_private`` ones
    skipped): discovered with ``pkgutil``, so there is no list to keep in sync."""
    package = importlib.import_module(f"{__package__}.identities")
    return [
        (f"{package.__name__}.{info.name}", Path(package.__path__[0], f"{info.name}.py"))
        for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda m: m.name)
        if not info.name.startswith("_")
    ]


def _section_key(section: str) -> tuple[int, ...]:
    return tuple(int(p) for p in section.split("."))


REGISTRY = Registry()
