"""Shared fixtures. TeX is a hard requirement of the test suite (CI installs it): a missing
``latexmk`` fails the LaTeX tests with instructions instead of skipping them. ``toy`` builds a
one-statement identity for the engine's tests."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest
import sympy as sp

from derive.core.derivation import Derivation
from derive.core.identity import Identity
from derive.core.statements import Statement
from derive.maths.domains import Domain, real

# the proof cache is off for the suite (commands turn it on by default): every test derives afresh,
# and tests/core/test_cache.py turns it on in folders of its own
os.environ["DERIVE_CACHE"] = "0"


@pytest.fixture(scope="session")
def latex_available() -> None:
    missing = [tool for tool in ("latexmk", "pdflatex", "pdftotext") if shutil.which(tool) is None]
    if missing:
        pytest.fail(f"{', '.join(missing)} not found: run `make setup` (installs TeX and poppler-utils)")


def _toy(
    claim: sp.Basic, body: Callable[[Derivation], None], variables: dict[sp.Basic, Domain] | None = None
) -> Identity:
    """A one-statement identity "toy" in section 2.2 (variables default to ``x`` in [-8, 8])."""
    x = real(-8, 8).symbol("x")
    return Identity(
        name="toy",
        title="Toy",
        section="2.2",
        map_row="toy",
        statements=(Statement("claim", claim),),
        variables=variables or {x: real(-8, 8)},
        derivation=body,
    )


@pytest.fixture
def toy() -> Callable[..., Identity]:
    """``toy(claim, derivation)``: an identity built around one claim, for engine tests."""
    return _toy


_PROVE_AND_SHEET = """
import sys
from derive.cli import main
name, module, tex = sys.argv[1:]
for args in (["prove", name, "-m", module], ["sheet", name, "-m", module, "-o", tex]):
    try:
        main(args, standalone_mode=False)
    except SystemExit as exc:
        print("exit", exc.code)
"""


def _prove_and_sheet(folder: Path, filename: str, source: str, name: str) -> subprocess.CompletedProcess[str]:
    """``derive prove NAME -m FILE`` then ``derive sheet NAME -m FILE -o sheet.tex`` in a fresh
    process, the module ``source`` written to ``folder/filename`` (each command's exit code printed
    as ``exit N``)."""
    module = folder / filename
    module.write_text(textwrap.dedent(source))
    args = [sys.executable, "-c", _PROVE_AND_SHEET, name, str(module), str(folder / "sheet.tex")]
    env = {**os.environ, "DERIVE_CACHE": "0"}
    return subprocess.run(args, cwd=folder, capture_output=True, text=True, env=env, timeout=300)


@pytest.fixture
def prove_and_sheet() -> Callable[[Path, str, str, str], subprocess.CompletedProcess[str]]:
    """``prove_and_sheet(folder, filename, source, name)``: a plugin module proved and typeset."""
    return _prove_and_sheet


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests parametrised by a catalog identity's ``name`` share one worker per identity (the
    ``--dist loadgroup`` in pyproject.toml), so a worker proves each identity once: ``derive.prove``
    caches per process, and the claim, level, near-miss and sheet tests all start from the proof."""
    for item in items:
        callspec = getattr(item, "callspec", None)
        name = callspec.params.get("name") if callspec is not None else None
        if isinstance(name, str):
            item.add_marker(pytest.mark.xdist_group(name))
