"""Lazy public names for a package (PEP 562), so importing it does not import SymPy."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any


def lazy_names(package: str, namespace: dict[str, Any], table: Mapping[str, tuple[str, str]]) -> Callable[[str], Any]:
    """A module ``__getattr__`` that imports ``name`` from ``package.<module>`` on first use
    (``table`` maps each public name to ``(module, attribute)``) and caches it in ``namespace``."""

    def __getattr__(name: str) -> Any:
        if name not in table:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        module, attr = table[name]
        value = getattr(importlib.import_module(f".{module}", package), attr)
        namespace[name] = value
        return value

    return __getattr__
