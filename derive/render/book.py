"""The derivation book: every identity (or a selection), organised like the ML Math Map.

Chapters are the map's sections, sections its subsections, and each identity is the same sheet
that ``derive sheet`` prints. Up front: a table of contents, a verification summary (level and
errors of every identity, the date, the versions of derive and SymPy) and the map's curriculum
table as an index from chapter to identity; at the back, the bibliography of the cited papers.
Identities are derived in parallel worker processes (:func:`derive.parallel.ordered_map`), which
return plain picklable render data.
"""

from __future__ import annotations

import datetime as _dt
import shutil
import tempfile
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import sympy

from ..core import bibliography
from ..core.proof import prove, versions
from ..core.registry import REGISTRY
from ..core.sections import CURRICULUM, SECTIONS, in_section
from ..errors import BookError, DeriveError
from ..parallel import ordered_map
from .pdf import compile_tex
from .sheet import proof_context
from .templates import environment
from .tex import escape, label

# textbooks the whole book leans on, listed in its bibliography whether or not a sheet cites them
GENERAL_REFERENCE_KEYS: tuple[str, ...] = ("goodfellow2016", "bishop2006", "shalevshwartz2014")


@dataclass(frozen=True)
class Entry:
    """One identity of the book, as derived by a worker (plain data)."""

    name: str
    section: str
    title: str
    ok: bool
    level: str
    max_rel_error: float | None
    crosscheck_error: float | None
    context: dict[str, Any] | None
    error: str = ""


@dataclass(frozen=True)
class BookResult:
    output: Path
    entries: tuple[Entry, ...]

    @property
    def failed(self) -> list[Entry]:
        return [e for e in self.entries if not e.ok]


def select(
    names: Iterable[str] | None = None, sections: Iterable[str] | None = None, modules: Sequence[str] = ()
) -> list[str]:
    """Canonical names of the chosen identities, in map order (all when nothing is chosen)."""
    for m in modules:
        REGISTRY.load_module(m)
    chosen = {REGISTRY.get(n).name for n in names or ()}
    secs = list(sections or ())
    everything = not chosen and not secs
    out = []
    for ident in REGISTRY:
        if everything or ident.name in chosen or any(in_section(ident.section, s) for s in secs):
            out.append(ident.name)
    if not out:
        raise DeriveError(f"no identity in section(s) {', '.join(secs)}; run `derive list` to see the sections")
    return out


def derive_entry(name: str, linked: frozenset[str], seed: int | None = None, modules: Sequence[str] = ()) -> Entry:
    """Prove one identity and render its data (runs in a worker process)."""
    try:
        for m in modules:
            REGISTRY.load_module(m)
        p = prove(name, seed=seed)
        cross = p.numeric.crosscheck
        return Entry(
            name,
            p.identity.section,
            p.identity.title,
            p.ok,
            p.level,
            p.numeric.max_rel_error,
            cross.error if cross else None,
            proof_context(p, linked),
            p.failure or "",
        )
    except Exception as exc:  # one broken identity must not lose the book
        ident = REGISTRY.get(name)
        return Entry(name, ident.section, ident.title, False, "-", None, None, None, f"{type(exc).__name__}: {exc}")


def _lost(name: str, exc: BaseException) -> Entry:
    """The entry of an identity whose worker died: failed, in its own section (an empty section
    once made the book's grouping raise)."""
    try:
        ident = REGISTRY.get(name)
        section, title = ident.section, ident.title
    except Exception:  # not even the declaration loads: the book lists it under its name
        section, title = "9.9", name
    return Entry(name, section, title, False, "-", None, None, None, f"its worker process died: {exc}")


def derive_entries(
    names: Sequence[str],
    *,
    jobs: int = 0,
    seed: int | None = None,
    modules: Sequence[str] = (),
    executor: Executor | None = None,
    progress: Callable[[str], None] | None = None,
) -> list[Entry]:
    """Derive every identity in ``names`` across cores (or on ``executor``), in map order."""
    work = partial(derive_entry, linked=frozenset(names), seed=seed, modules=tuple(modules))
    report = None if progress is None else (lambda name, _entry: progress(name))
    return ordered_map(work, list(names), on_error=_lost, jobs=jobs, executor=executor, progress=report)


def _tex_title(text: str) -> str:
    """A section title for LaTeX (arrows and dashes that pdflatex and PDF bookmarks accept)."""
    return escape(text).replace("→", r"\texorpdfstring{$\to$}{to}").replace("—", "---")


def _chapters(entries: Sequence[Entry]) -> list[dict[str, Any]]:
    """The entries grouped by map chapter, then section."""
    chapters: list[dict[str, Any]] = []
    for e in entries:
        top, _, sub = e.section.partition(".")
        if not chapters or chapters[-1]["number"] != int(top):
            chapters.append(
                {"number": int(top), "title": _tex_title(SECTIONS.get(top, f"Section {top}")), "sections": []}
            )
        chapter = chapters[-1]
        key = e.section if sub else top
        if not chapter["sections"] or chapter["sections"][-1]["key"] != key:
            title = SECTIONS.get(e.section, "") if sub else SECTIONS.get(top, "")
            chapter["sections"].append(
                {"key": key, "number": int(sub) if sub else 1, "title": _tex_title(title), "entries": []}
            )
        chapter["sections"][-1]["entries"].append(e)
    return chapters


def _summary_row(e: Entry) -> dict[str, Any]:
    return {
        "name": escape(e.name),
        "label": label(e.name),
        "section": e.section,
        "level": e.level,
        "ok": e.ok,
        "rel": "--" if e.max_rel_error is None else f"{e.max_rel_error:.1e}",
        "cross": "--" if e.crosscheck_error is None else f"{e.crosscheck_error:.1e}",
    }


def _curriculum(included: set[str]) -> list[dict[str, Any]]:
    return [
        {
            "chapter": escape(ch),
            "math": escape(math),
            "models": escape(models),
            "links": [{"name": escape(n), "label": label(n)} for n in names if n in included],
        }
        for ch, math, models, names in CURRICULUM
    ]


def _bib_item(text: str, url: str) -> tuple[tuple[str, str, str], dict[str, str]]:
    """A reference as (sort key, item): its bibliography entry when it names one (by key, URL or
    first author and year), else the free text itself sorted by its first author's surname."""
    work = bibliography.match(text, url)
    if work is not None:
        return work.sort_key, {"key": work.key, "text": work.text, "url": work.url}
    surname, year = bibliography.free_text_identity(text)
    return (surname, year, bibliography.normalise(text)), {"key": "", "text": text, "url": url}


def _bibliography(entries: Sequence[Entry]) -> list[dict[str, str]]:
    """Each cited work once (plus the general references), by surname, then year, then title."""
    refs = [(r["text"], r["url"]) for e in entries for r in (e.context or {}).get("refs", [])]
    refs += [(w.text, w.url) for w in map(bibliography.work, GENERAL_REFERENCE_KEYS)]
    items = dict(_bib_item(text, url) for text, url in refs)
    ordered = [items[k] for k in sorted(items)]
    for i, item in enumerate(ordered):
        item["key"] = item["key"] or f"ref{i + 1}"
    return ordered


def book_context(entries: Sequence[Entry]) -> dict[str, Any]:
    """Chapters, summary, curriculum index and bibliography for the book template."""
    return {
        "chapters": _chapters(entries),
        "summary": [_summary_row(e) for e in entries],
        "curriculum": _curriculum({e.name for e in entries}),
        "bibliography": _bibliography(entries),
        "date": _dt.date.today().isoformat(),
        "derive_version": versions()["derive"],
        "sympy_version": sympy.__version__,
        "count": len(entries),
        "failed": sum(not e.ok for e in entries),
        "levels": {lvl: sum(e.level == lvl for e in entries) for lvl in ("general", "fixed-size", "numeric")},
    }


def book_source(entries: Sequence[Entry]) -> str:
    return environment().get_template("book.tex.j2").render(book=book_context(entries))


def build_book(
    output: str | Path,
    *,
    names: Iterable[str] | None = None,
    sections: Iterable[str] | None = None,
    fmt: str = "pdf",
    keep_going: bool = False,
    jobs: int = 0,
    seed: int | None = None,
    modules: Sequence[str] = (),
    executor: Executor | None = None,
    progress: Callable[[str], None] | None = None,
    stage: Callable[[str], None] | None = None,
) -> BookResult:
    """Derive the chosen identities and write the book: a PDF, or (``fmt="tex"``) a directory
    with ``book.tex`` that ``latexmk -pdf book.tex`` builds. ``progress`` is called with each
    identity's name as it is derived, ``stage`` with a line saying what runs next (typesetting).

    Raises :class:`~derive.errors.BookError` if an identity fails, unless ``keep_going`` (then the
    failed identity appears in the book, marked as failed, and in the summary).
    """
    chosen = select(names, sections, modules)
    entries = derive_entries(chosen, jobs=jobs, seed=seed, modules=modules, executor=executor, progress=progress)
    failed = [e for e in entries if not e.ok]
    if failed and not keep_going:
        listing = "; ".join(f"{e.name}: {(e.error or 'numeric check failed')[:200]}" for e in failed)
        raise BookError(
            f"{len(failed)} identit{'y' if len(failed) == 1 else 'ies'} failed ({listing}); "
            "use --keep-going to build the book with them marked as failed"
        )
    source = book_source(entries)
    out = Path(output)
    if fmt == "tex":
        out.mkdir(parents=True, exist_ok=True)
        (out / "book.tex").write_text(source, encoding="utf-8")
        return BookResult(out / "book.tex", tuple(entries))
    if fmt != "pdf":
        raise DeriveError(f"unknown book format {fmt!r}: use pdf or tex")
    if stage is not None:
        stage(f"typesetting {len(entries)} identities with latexmk (a minute or more)")
    with tempfile.TemporaryDirectory(prefix="derive-book-") as tmp:
        pdf = compile_tex(source, Path(tmp), name="book", timeout=1800)
        out.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(pdf, out)
    return BookResult(out, tuple(entries))
