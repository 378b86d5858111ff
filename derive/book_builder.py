"""The derivation book: every identity (or a selection), organised like the ML Math Map.

Chapters are the map's sections, sections its subsections, and each identity is the same sheet
that ``derive sheet`` prints. Up front: a table of contents, a verification summary (level and
errors of every identity, the date, the versions of derive and SymPy) and the map's curriculum
table as an index from chapter to identity; at the back, the bibliography of the cited papers.
Identities are derived in parallel worker processes, which return plain picklable render data.
"""

from __future__ import annotations

import datetime as _dt
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import DeriveError


class BookError(DeriveError, RuntimeError):
    """Some identities failed and ``keep_going`` was not set; the message lists them."""


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
    from .registry import REGISTRY
    from .sections import in_section

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
    import derive

    from .registry import REGISTRY
    from .render import proof_context

    try:
        for m in modules:
            REGISTRY.load_module(m)
        p = derive.prove(name, seed=seed)
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
    linked = frozenset(names)
    workers = jobs or os.cpu_count() or 1
    results: dict[str, Entry] = {}
    if executor is None and (workers == 1 or len(names) == 1):
        for n in names:
            results[n] = derive_entry(n, linked, seed, modules)
            if progress:
                progress(n)
        return [results[n] for n in names]
    own = executor is None
    pool = executor or ProcessPoolExecutor(max_workers=min(workers, len(names)))
    try:
        futures = {pool.submit(derive_entry, n, linked, seed, tuple(modules)): n for n in names}
        from concurrent.futures import as_completed

        for fut in as_completed(futures):
            n = futures[fut]
            try:
                results[n] = fut.result()
            except Exception as exc:  # a crashed worker is a failed entry, never a lost one
                results[n] = Entry(n, "", n, False, "-", None, None, None, f"worker failed: {exc}")
            if progress:
                progress(n)
    finally:
        if own:
            pool.shutdown()
    return [results[n] for n in names]


def _tex_title(text: str) -> str:
    """A section title for LaTeX (arrows and dashes that pdflatex and PDF bookmarks accept)."""
    from .render import escape

    tex = escape(text).replace("→", r"\texorpdfstring{$\to$}{to}").replace("—", "---")
    return tex.replace("'", "'")


def book_context(entries: Sequence[Entry]) -> dict[str, Any]:
    """Chapters, summary, curriculum index and bibliography for the book template."""
    import sympy

    from . import __version__
    from .render import escape, label
    from .sections import CURRICULUM, GENERAL_REFERENCES, SECTIONS

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
    included = {e.name for e in entries}
    summary = [
        {
            "name": escape(e.name),
            "label": label(e.name),
            "section": e.section,
            "level": e.level,
            "ok": e.ok,
            "rel": "--" if e.max_rel_error is None else f"{e.max_rel_error:.1e}",
            "cross": "--" if e.crosscheck_error is None else f"{e.crosscheck_error:.1e}",
        }
        for e in entries
    ]
    curriculum = [
        {
            "chapter": escape(ch),
            "math": escape(math),
            "models": escape(models),
            "links": [{"name": escape(n), "label": label(n)} for n in names if n in included],
        }
        for ch, math, models, names in CURRICULUM
    ]
    refs: dict[str, dict[str, str]] = {}
    for e in entries:
        for r in (e.context or {}).get("refs", []):
            key = r["url"] or re.sub(r"\W+", "", r["text"].lower())[:60]
            refs.setdefault(key, {"text": r["text"], "url": r["url"]})
    for text in GENERAL_REFERENCES:
        refs.setdefault(text, {"text": text, "url": ""})
    levels = {lvl: sum(e.level == lvl for e in entries) for lvl in ("general", "fixed-size", "numeric")}
    return {
        "chapters": chapters,
        "summary": summary,
        "curriculum": curriculum,
        "bibliography": sorted(refs.values(), key=lambda r: r["text"]),
        "date": _dt.date.today().isoformat(),
        "derive_version": __version__,
        "sympy_version": sympy.__version__,
        "count": len(entries),
        "failed": sum(not e.ok for e in entries),
        "levels": levels,
    }


def book_source(entries: Sequence[Entry]) -> str:
    from .render import environment

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
) -> BookResult:
    """Derive the chosen identities and write the book: a PDF, or (``fmt="tex"``) a directory
    with ``book.tex`` that ``latexmk -pdf book.tex`` builds.

    Raises :class:`BookError` if an identity fails, unless ``keep_going`` (then the failed
    identity appears in the book, marked as failed, and in the summary).
    """
    from .render import compile_tex

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
    with tempfile.TemporaryDirectory(prefix="derive-book-") as tmp:
        pdf = compile_tex(source, Path(tmp), name="book", timeout=1800)
        out.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(pdf, out)
    return BookResult(out, tuple(entries))
