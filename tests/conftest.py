"""Shared fixtures. TeX is a hard requirement of the test suite (CI installs it): a missing
``latexmk`` fails the LaTeX tests with instructions instead of skipping them."""

from __future__ import annotations

import shutil

import pytest


@pytest.fixture(scope="session")
def latex_available() -> None:
    missing = [tool for tool in ("latexmk", "pdflatex", "pdftotext") if shutil.which(tool) is None]
    if missing:
        pytest.fail(f"{', '.join(missing)} not found: run `make setup` (installs TeX and poppler-utils)")
