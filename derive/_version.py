"""The installed version of derive (from the package metadata, so it is stated once: pyproject.toml)."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

try:
    VERSION = version("derive")
except PackageNotFoundError:  # a source tree that is not installed
    VERSION = "0+unknown"
