"""The registry: canonical names and aliases, lazy loading, third-party entry points.

Declaring an identity registers nothing; the registry *finds* identities: it imports a module and
takes every :class:`~derive.core.identity.Identity` the module declares (a module-level value whose
``module`` is that module). Built-in identities live one to a file in the chapter folders of
:mod:`derive.identities` (``identities/calculus/gelu_prime.py`` declares ``gelu'``), listed in map
order by each chapter's ``CONTENTS``; third-party packages add theirs through the entry-point group
``derive.identities`` (each entry point names a module), and any importable module can be loaded by
name (:meth:`Registry.load_module`, ``derive --module``). ``DERIVE_NO_PLUGINS=1`` skips entry points.

Looking up one name imports one file: the file named after the name (its *slug*), else the file
whose declaration the static index (:mod:`derive.core.index`) finds for an alias; only a miss loads
everything. A name or alias claimed twice is an error naming both sources, never a silent override.
"""

from __future__ import annotations

import dataclasses
import importlib
import os
import threading
from collections.abc import Iterator
from types import ModuleType
from typing import TYPE_CHECKING

from ..errors import DeclarationError, DuplicateIdentityError, UnknownIdentityError
from . import index

if TYPE_CHECKING:
    from importlib.metadata import EntryPoints

    from .identity import Identity

ENTRY_POINT_GROUP = "derive.identities"
BUILTIN_PACKAGE = "derive.identities"


class Registry:
    """Identities by canonical name, with an alias table; loaded on first use."""

    def __init__(self) -> None:
        self._by_name: dict[str, Identity] = {}
        self._alias: dict[str, str] = {}
        self._rank: dict[str, tuple[int, str, int]] = {}
        self._loaded = False
        self._lock = threading.RLock()
        self.plugin_errors: list[str] = []

    # -- registration -------------------------------------------------------------------------
    def register_module(self, module: ModuleType, source: str | None = None) -> list[str]:
        """Register every identity that ``module`` declares; return their canonical names.

        ``source`` names where the module came from (a plugin's distribution); by default
        ``derive`` for built-in modules and the module's name otherwise.
        """
        from .identity import Identity

        origin = source or ("derive" if module.__name__.startswith(f"{BUILTIN_PACKAGE}.") else module.__name__)
        order = index.contents_rank(module.__name__)
        found = [v for v in vars(module).values() if isinstance(v, Identity) and v.module == module.__name__]
        with self._lock:
            for k, ident in enumerate(found):
                self.add(dataclasses.replace(ident, source=origin) if ident.source != origin else ident)
                self._rank[ident.name] = (
                    (order, module.__name__, k) if order is not None else (1 << 30, module.__name__, k)
                )
        return [i.name for i in found]

    def add(self, ident: Identity) -> None:
        """Register one identity (the same module imported again replaces its own declarations)."""
        with self._lock:
            existing = self._by_name.get(ident.name)
            if existing is not None and existing.module == ident.module:
                self._remove(existing)
            for key in (ident.name, *ident.aliases):
                owner = self._by_name.get(key) or self._by_name.get(self._alias.get(key, ""))
                if owner is not None:
                    raise DuplicateIdentityError(
                        f"identity name {key!r} is declared twice: by {owner.module} (from {owner.source}) "
                        f"and by {ident.module} (from {ident.source}); rename one of them"
                    )
            self._by_name[ident.name] = ident
            self._rank.setdefault(ident.name, (1 << 30, ident.module, len(self._by_name)))
            for alias in ident.aliases:
                self._alias[alias] = ident.name

    def remove(self, name: str) -> None:
        """Unregister the identity ``name`` (a test's or a session's own), if it is registered."""
        with self._lock:
            found = self._by_name.get(name)
            if found is not None:
                self._remove(found)

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
            for module, _ in index.builtin_modules():
                self._import(module)
            if not os.environ.get("DERIVE_NO_PLUGINS"):
                self._load_entry_points()
            self._loaded = True

    def _import(self, name: str, source: str | None = None) -> list[str]:
        return self.register_module(importlib.import_module(name), source)

    def _load_likely(self, name: str) -> None:
        """Import the built-in module that declares ``name``: the file named after it, else the
        one the static index names for an alias (a miss costs nothing: :meth:`get` then loads all)."""
        with self._lock:
            module = index.module_for(name)
            if module is not None:
                self._import(module)

    def _load_entry_points(self) -> None:
        for ep in _entry_points():
            dist = ep.dist.name if ep.dist is not None else ep.value
            try:
                self._import(ep.value.split(":")[0], f"{dist} (entry point {ep.name!r})")
            except DuplicateIdentityError:
                raise
            except Exception as exc:  # a broken plugin must not break derive; it is reported
                self.plugin_errors.append(f"{dist}: {type(exc).__name__}: {exc}")

    def load_module(self, name: str) -> list[str]:
        """Import a module of identities by dotted name; return the names it declared.

        Only the built-in modules that declare one of its names or aliases are imported first (the
        static index says which), so a clash is still an error naming both modules, and a user's
        module does not wait for the whole catalog to import (7 s of CPU)."""
        from .identity import Identity

        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            raise DeclarationError(f"cannot import identity module {name!r}: {exc}") from exc
        if not self._loaded:
            declared = [v for v in vars(module).values() if isinstance(v, Identity) and v.module == module.__name__]
            for key in {k for ident in declared for k in (ident.name, *ident.aliases)}:
                if self._lookup(key) is None:
                    self._load_likely(key)
        return self.register_module(module, name)

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
        """Canonical names in map order (by section, then each chapter's contents)."""
        self.load()
        return [i.name for i in self]

    def __iter__(self) -> Iterator[Identity]:
        self.load()
        return iter(sorted(self._by_name.values(), key=lambda i: (index.section_key(i.section), self._rank[i.name])))

    def summaries(self) -> list[index.Summary]:
        """Name, title, section, aliases and source of every identity, in map order.

        Before anything is loaded and with no plugin installed, the built-in catalog is read
        from its source (:mod:`derive.core.index`), which spares ``derive list`` importing
        SymPy and building every declaration; otherwise the registry answers.
        """
        if not self._loaded and not self._plugins():
            static = index.catalog()
            if static is not None:
                return static
        return [index.Summary(i.name, i.title, i.section, i.aliases, i.source) for i in self]

    @staticmethod
    def _plugins() -> bool:
        return not os.environ.get("DERIVE_NO_PLUGINS") and bool(_entry_points())

    def __len__(self) -> int:
        self.load()
        return len(self._by_name)

    def __contains__(self, name: object) -> bool:
        self.load()
        return name in self._by_name or name in self._alias


def _entry_points() -> EntryPoints:
    """The installed plugins' entry points (importlib.metadata is imported on first use: reading
    package metadata costs more than the rest of ``derive --help``)."""
    from importlib.metadata import entry_points

    return entry_points(group=ENTRY_POINT_GROUP)


REGISTRY = Registry()
