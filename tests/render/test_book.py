"""The derivation book: built from a few sections, read back, links and layout checked."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

import derive
from derive.cli import main
from derive.core.sections import CURRICULUM
from derive.errors import BookError
from derive.render.book import build_book, select
from derive.render.pdf import compile_tex, warnings_in_log
from derive.render.tex import label

SECTIONS = ["2.2", "5.2"]


@pytest.fixture(scope="module")
def book_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if shutil.which("latexmk") is None:
        pytest.fail("latexmk not found: run `make setup`")
    out = tmp_path_factory.mktemp("book")
    result = build_book(out, sections=SECTIONS, fmt="tex", jobs=2)
    assert not result.failed, [(e.name, e.error) for e in result.failed]
    compile_tex((out / "book.tex").read_text(encoding="utf-8"), out, name="book", timeout=900)
    return out


def _text(pdf: Path) -> str:
    return subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout


def test_book_has_contents_summary_index_and_bibliography(book_dir: Path) -> None:
    text = _text(book_dir / "book.pdf")
    for heading in ("Contents", "Verification summary", "Curriculum index", "Bibliography"):
        assert heading in text
    names = select(sections=SECTIONS)
    for name in names:
        assert derive.get(name).title.split("$")[0].strip()[:25] in text.replace("\n", " ")
    assert f"{len(names)} identities" in text
    assert f"SymPy {__import__('sympy').__version__}" in text
    assert "Calculus → ML" in text and "Learning Rate Schedules" in text


def test_the_pdf_title_is_plain_text(book_dir: Path) -> None:
    info = subprocess.run(["pdfinfo", str(book_dir / "book.pdf")], capture_output=True, text=True, check=True).stdout
    title = next(line for line in info.splitlines() if line.startswith("Title:"))
    assert title.split(":", 1)[1].strip() == "The ML Math Map, derived", title


def test_book_compiles_without_warnings(book_dir: Path) -> None:
    log = (book_dir / "book.log").read_text(encoding="utf-8", errors="replace")
    assert not warnings_in_log(log), warnings_in_log(log)[:5]


def test_cross_references_are_working_links(book_dir: Path) -> None:
    xml = subprocess.run(
        ["pdftohtml", "-xml", "-i", "-stdout", "-q", str(book_dir / "book.pdf")],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    internal = re.findall(r'<a href="[^"]*#(\d+)"', xml) or re.findall(r'<a href="#?\d+', xml)
    assert len(internal) >= len(select(sections=SECTIONS)), "the summary and index link every identity"
    source = (book_dir / "book.tex").read_text()
    names = select(sections=SECTIONS)
    for dep in names:
        citing = sum(dep in derive.get(n).builds_on for n in names)
        in_index = sum(dep in chapter[3] for chapter in CURRICULUM)
        # one link from the summary, one per curriculum row, one per identity that builds on it
        assert source.count(rf"\idref{{{label(dep)}}}") == 1 + in_index + citing, dep


def test_a_page_renders_to_png(book_dir: Path) -> None:
    subprocess.run(
        ["pdftoppm", "-png", "-r", "50", "-f", "5", "-l", "5", str(book_dir / "book.pdf"), str(book_dir / "page")],
        check=True,
    )
    png = next(book_dir.glob("page*.png"))
    assert png.stat().st_size > 10_000  # a page with text and a figure, not a blank
    target = os.environ.get("DERIVE_ARTIFACTS")
    if target:  # keep the picture where a reviewer can look at it
        Path(target).mkdir(parents=True, exist_ok=True)
        shutil.copy(png, Path(target) / "book-page.png")


def test_failures_stop_the_book_unless_keep_going(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import derive.render.book as bb

    real = bb.derive_entry

    def broken(name: str, *args: object, **kwargs: object) -> bb.Entry:
        e = real(name, *args, **kwargs)
        return bb.Entry(e.name, e.section, e.title, False, e.level, None, None, e.context, "simulated failure")

    monkeypatch.setattr(bb, "derive_entry", broken)
    with pytest.raises(BookError, match="simulated failure"):
        build_book(tmp_path / "b", names=["gelu'"], fmt="tex", jobs=1)
    result = build_book(tmp_path / "b", names=["gelu'"], fmt="tex", jobs=1, keep_going=True)
    assert result.failed and "FAILED" in (tmp_path / "b" / "book.tex").read_text()


def test_book_command_writes_tex_sources(tmp_path: Path) -> None:
    out = CliRunner().invoke(
        main, ["book", "--names", "gelu'", "--format", "tex", "-o", str(tmp_path / "src"), "-j", "1"]
    )
    assert out.exit_code == 0, out.output
    assert (tmp_path / "src" / "book.tex").read_text().startswith("\\documentclass")


def test_an_identity_whose_worker_died_is_a_failed_entry_in_its_own_section() -> None:
    from derive.render.book import _lost, book_source

    entry = _lost("gelu'", RuntimeError("BrokenProcessPool"))
    assert entry.section == derive.get("gelu'").section and not entry.ok and "died" in (entry.error or "")
    assert "GELU" in book_source([entry]) or "gelu" in book_source([entry]).lower()
