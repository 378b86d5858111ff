"""The catalog (a copy of ../shared/catalog.toml in tests/data) is exactly what derive holds."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

import derive

CATALOG = tomllib.loads((Path(__file__).parents[1] / "data" / "catalog.toml").read_text(encoding="utf-8"))["identity"]


def test_every_catalog_identity_is_registered_under_its_exact_name() -> None:
    names = [e["name"] for e in CATALOG]
    assert sorted(names) == sorted(n for n in derive.names() if derive.get(n).source == "derive")


@pytest.mark.parametrize("entry", CATALOG, ids=[e["name"] for e in CATALOG])
def test_identity_sits_in_the_map_section_of_its_catalog_row(entry: dict[str, str]) -> None:
    ident = derive.get(entry["name"])
    first_row_section = re.match(r"^(\d+(?:\.\d+)?)", entry["map"]).group(1)
    assert ident.section == first_row_section, (ident.section, entry["map"])
    assert ident.question is not None, "every identity declares its homework question"
    assert ident.refs, "every identity cites where it comes from"
    assert ident.crosscheck is not None or any(s.numeric for s in ident.statements)
    assert ident.summary, "the docstring introduces the sheet"


def test_headline_identities_are_the_catalogs() -> None:
    headlines = {e["name"] for e in CATALOG if e.get("headline")}
    assert headlines == {"gelu'", "softmax-jacobian", "map-ridge", "cosine-schedule", "elbo", "vanishing-gradient"}


def test_each_identity_lives_in_the_file_named_after_it() -> None:
    """``gelu'`` is derive/identities/calculus/gelu_prime.py: one identity per page, found by its slug."""
    from derive.core.index import slug

    for ident in derive.catalog():
        if ident.source == "derive":
            assert ident.module.rsplit(".", 1)[-1] == slug(ident.name), (ident.name, ident.module)
            assert ident.module.count(".") == 3, f"{ident.module}: pages live in a chapter folder"


def test_every_chapter_lists_exactly_its_pages_in_map_order() -> None:
    from derive.core.index import IDENTITIES, contents

    for chapter in sorted(p for p in IDENTITIES.iterdir() if (p / "__init__.py").exists()):
        files = {p.stem for p in chapter.glob("*.py") if not p.stem.startswith("_")}
        listed = contents(chapter.name)
        assert len(listed) == len(set(listed)), f"{chapter.name}: a page listed twice"
        assert set(listed) == files, f"{chapter.name}: CONTENTS and the files differ: {set(listed) ^ files}"


def test_the_catalog_is_in_map_order() -> None:
    """derive list, verify --all and the book follow the map: the catalog's order, row by row."""
    assert [n for n in derive.names() if derive.get(n).source == "derive"] == [e["name"] for e in CATALOG]
