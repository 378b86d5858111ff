"""Keyed references: derive/references.bib parses, every cited key exists, one entry per work, and
the book lists each work once, sorted by first author's surname (no PDF needed)."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest
from pybtex.database import parse_file

import derive
from derive.authoring import Ref
from derive.core import bibliography
from derive.errors import DeclarationError
from derive.render.book import GENERAL_REFERENCE_KEYS, Entry, _bibliography

PACKAGE = Path(derive.__file__).resolve().parent
CITE = re.compile(r"""Ref\.cite\(\s*["']([^"']+)["']""")
# modules whose refs are still free text: each must name a work of the .bib (the book merges them)
FREE_TEXT_MODULES = (
    "derive.identities.calculus.newton_step",
    "derive.identities.calculus.gauss_newton",
    "derive.identities.calculus.kfac_kronecker",
    "derive.identities.curriculum.kernel_trick",
    "derive.identities.probability.map_ridge",
)


def test_the_bib_parses_and_every_entry_formats() -> None:
    data = parse_file(str(bibliography.BIB_PATH), bib_format="bibtex")
    assert set(data.entries) == bibliography.keys() and len(data.entries) >= 90
    for key, work in bibliography.works().items():
        entry = data.entries[key]
        assert entry.persons["author"] and entry.fields["year"].isdigit() and entry.fields["title"]
        assert work.year in work.text and work.title.split(":")[0] in work.text, (key, work.text)
        assert "http" not in work.text  # the URL is printed apart, as a link
    assert bibliography.work("kingma2014").url == "https://arxiv.org/abs/1312.6114"


def test_every_cited_key_exists() -> None:
    cited = {m for path in PACKAGE.rglob("*.py") for m in CITE.findall(path.read_text(encoding="utf-8"))}
    assert len(cited) >= 80
    assert cited <= bibliography.keys(), sorted(cited - bibliography.keys())
    assert set(GENERAL_REFERENCE_KEYS) <= bibliography.keys()


def test_no_two_entries_describe_the_same_work() -> None:
    seen: dict[tuple[str, str, str], str] = {}
    for key, work in bibliography.works().items():
        ident = (work.surname, work.year, bibliography.normalise(work.title)[:12])
        assert ident not in seen, (key, seen.get(ident))
        seen[ident] = key
        assert re.fullmatch(r"[a-z]+\d{4}[a-z]*", key), key


def test_free_text_refs_of_builtin_modules_name_an_entry() -> None:
    for name in FREE_TEXT_MODULES:
        for ref in getattr(importlib.import_module(name), "REFS", ()):
            assert bibliography.match(ref.text, ref.url) is not None, (name, ref.text)


def test_an_unknown_key_is_refused_with_close_matches() -> None:
    with pytest.raises(DeclarationError, match=r"'bishop2007'.*bishop2006"):
        Ref.cite("bishop2007", where="Sec. 1")
    with pytest.raises(DeclarationError, match="unknown reference key 'nobody1900'"):
        Ref.cite("nobody1900")


def test_a_cite_carries_the_formatted_entry_and_its_place() -> None:
    ref = Ref.cite("bishop2006", where="Sec. 4.3.2")
    assert ref.key == "bishop2006" and ref.where == "Sec. 4.3.2" and ref.url == ""
    assert ref.text == "C. M. Bishop. Pattern Recognition and Machine Learning. Springer, 2006"  # sheet: ", where"
    assert ref == Ref.cite("bishop2006", where="Sec. 4.3.2") != Ref.cite("bishop2006", where="Sec. 1")
    assert Ref.cite("jordan2024").text.startswith("K. Jordan et al. Muon")


def _entry(name: str, *refs: Ref) -> Entry:
    rows = [{"text": r.text, "url": r.url, "where": r.where} for r in refs]
    return Entry(name, "1.1", name, True, "general", 0.0, None, {"refs": rows})


def test_the_book_lists_each_work_once_sorted_by_surname() -> None:
    plugin = Ref.book("Z. Zhang (2031), A plugin's own paper, Journal of Plugins 1", where="Sec. 2")
    entries = [
        _entry("a", Ref.cite("vaswani2017", where="Sec. 3.2.1"), Ref.cite("bishop2006", where="Sec. 4.3.2")),
        _entry("b", Ref.book("C. M. Bishop (2006), Pattern Recognition and Machine Learning", "Sec. 3.3.1")),
        _entry("c", Ref.arxiv("1706.03762", "A. Vaswani et al., Attention Is All You Need, 2017"), plugin),
        _entry("d", Ref.book("I. Goodfellow, Y. Bengio and A. Courville, Deep Learning (2016)", "Sec. 9.5")),
        _entry("e", Ref.cite("he2016"), Ref.cite("he2015delving"), Ref.cite("he2015deep")),
    ]
    bib = _bibliography(entries)
    texts = [item["text"] for item in bib]
    assert len(texts) == len(set(texts)) == 8, texts  # 5 works + the plugin's + 2 general books
    assert sum("Bishop" in t for t in texts) == 1 and sum("Goodfellow" in t for t in texts) == 1
    assert sum("Attention Is All You Need" in t for t in texts) == 1
    keys = [item["key"] for item in bib]
    assert keys == [
        *("bishop2006", "goodfellow2016", "he2015deep", "he2015delving", "he2016"),
        *("shalevshwartz2014", "vaswani2017", "ref8"),
    ], keys
    assert texts[-1] == plugin.text and keys[-1] == "ref8"  # free text: kept verbatim, sorted by surname
    assert next(i for i in bib if i["key"] == "vaswani2017")["url"] == "https://arxiv.org/abs/1706.03762"


def test_a_plugins_free_text_ref_still_works() -> None:
    ref = Ref.book("A. Author (2020), My notes", where="p. 3")
    assert (ref.text, ref.url, ref.where, ref.key) == ("A. Author (2020), My notes", "", "p. 3", "")
    arxiv = Ref.arxiv("2001.00001", "B. Writer, A preprint, 2020", "Sec. 1")
    assert arxiv.url == "https://arxiv.org/abs/2001.00001" and arxiv.text == "B. Writer, A preprint, 2020"
    assert bibliography.match(ref.text) is None  # not in the .bib: the book prints it as given
