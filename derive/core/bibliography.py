"""derive's keyed references: ``derive/references.bib``, read and formatted with pybtex.

One BibTeX entry per work. Identities cite an entry by key (``Ref.cite("bishop2006", where=...)``);
the text of a cite is pybtex's ``plain`` style rendered as plain text (the URL is kept apart, the
sheet prints it as a link). Free-text references (plugins, older modules) are matched to an entry by
their first author's normalised surname and year (and, when that author has several works that
year, the start of the title), so the book lists each work once.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from ..errors import DeclarationError

BIB_PATH = Path(__file__).resolve().parent.parent / "references.bib"
_WEB_FIELDS = ("url", "eprint", "archiveprefix", "doi")


@dataclass(frozen=True)
class Work:
    """One entry of the bibliography: ``text`` as formatted by pybtex, ``url`` apart."""

    key: str
    text: str
    url: str
    surname: str
    year: str
    title: str

    @property
    def sort_key(self) -> tuple[str, str, str]:
        """Surname, then year, then title (normalised to ASCII lower case)."""
        return (self.surname, self.year, normalise(self.title))


def normalise(text: str) -> str:
    """ASCII lower-case letters and digits only: ``"Schölkopf"`` -> ``"scholkopf"``."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]", "", ascii_text.lower())


@cache
def _database() -> object:
    from pybtex.database import parse_file

    return parse_file(str(BIB_PATH), bib_format="bibtex")


@cache
def _style_and_backend() -> tuple[object, object]:
    from pybtex.plugin import find_plugin

    return find_plugin("pybtex.style.formatting", "plain")(), find_plugin("pybtex.backends", "text")()


@cache
def _format(key: str) -> Work:
    """Entry ``key`` formatted by pybtex's ``plain`` style as text (URL kept apart)."""
    entry = _database().entries[key]  # type: ignore[attr-defined]
    style, backend = _style_and_backend()
    fields = {name: value for name, value in entry.fields.items() if name.lower() not in _WEB_FIELDS}
    plain = type(entry)(entry.type, fields=fields, persons=entry.persons)
    text = style.format_entry(key, plain).text.render(backend)  # type: ignore[attr-defined]
    first = entry.persons["author"][0]
    surname = " ".join(first.prelast_names + first.last_names)
    title = str(entry.fields["title"]).strip("{}")
    return Work(
        key,
        text.replace(" and others.", " et al.").removesuffix("."),
        entry.fields.get("url", ""),
        normalise(surname),
        str(entry.fields["year"]),
        title,
    )


def works() -> dict[str, Work]:
    """Every entry of ``references.bib`` by key, formatted."""
    return {key: _format(key) for key in sorted(keys())}


@cache
def keys() -> frozenset[str]:
    """The keys of ``references.bib`` (a scan of its ``@type{key,`` lines: no pybtex import)."""
    return frozenset(re.findall(r"^@\w+\{([^,\s]+),", BIB_PATH.read_text(encoding="utf-8"), re.M))


def check_key(key: str) -> str:
    """``key`` if the bibliography has it; else a DeclarationError naming the closest keys."""
    known = keys()
    if key in known:
        return key
    close = difflib.get_close_matches(key, sorted(known), n=3, cutoff=0.6)
    hint = f" (did you mean {', '.join(close)}?)" if close else ""
    raise DeclarationError(f"unknown reference key {key!r}{hint}; keys are in {BIB_PATH.name}")


def work(key: str) -> Work:
    """The entry ``key`` (formatted); an unknown key is a DeclarationError naming close keys."""
    return _format(check_key(key))


_INITIALS = re.compile(r"^(?:[A-Z]\.(?:-[A-Z]\.)?\s?)+")
_YEAR = re.compile(r"\b(1[5-9]\d\d|20\d\d)\b")


def free_text_identity(text: str) -> tuple[str, str]:
    """First author's normalised surname and the first year in a free-text reference.

    ``"C. M. Bishop (2006), Pattern Recognition..."`` -> ``("bishop", "2006")``.
    """
    first = re.split(r",| and | et al\.| \(", text, maxsplit=1)[0]
    year = _YEAR.search(text)
    return normalise(_INITIALS.sub("", first.strip())), year.group(1) if year else ""


def match(text: str, url: str = "") -> Work | None:
    """The entry a reference describes: by formatted text, arXiv URL, or first author and year."""
    known = works().values()
    for w in known:
        if w.text == text or (url and w.url == url):
            return w
    surname, year = free_text_identity(text)
    same = [w for w in known if (w.surname, w.year) == (surname, year)]
    if len(same) > 1:
        flat = normalise(text)
        same = [w for w in same if normalise(w.title)[:12] in flat]
    return same[0] if len(same) == 1 else None
