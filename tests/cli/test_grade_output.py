"""What `derive grade` writes is safe to open in a spreadsheet."""

from __future__ import annotations

import csv
from pathlib import Path

from click.testing import CliRunner

from derive.cli import main
from derive.cli.output import spreadsheet_safe


def test_formula_cells_are_neutralised() -> None:
    assert spreadsheet_safe('=HYPERLINK("http://x","y")') == '\'=HYPERLINK("http://x","y")'
    assert spreadsheet_safe("-2+3+cmd|' /C calc'!A0") == "'-2+3+cmd|' /C calc'!A0"
    assert spreadsheet_safe("@SUM(1)") == "'@SUM(1)"
    assert spreadsheet_safe("Phi(x) + x*phi(x)") == "Phi(x) + x*phi(x)"
    assert spreadsheet_safe("x\ud800") == "x\\ud800"  # a lone surrogate cannot be written as UTF-8
    assert spreadsheet_safe("Phi(x)\x00 + 1\x1b[2J") == "Phi(x)\\x00 + 1\\x1b[2J"  # NUL, a terminal escape
    assert spreadsheet_safe("a\tb\nc") == "a\tb\nc"
    assert spreadsheet_safe(1.5) == 1.5


def test_graded_csv_holds_no_formula(tmp_path: Path) -> None:
    source = tmp_path / "answers.csv"
    source.write_text(
        'student,identity,answer\n=cmd,gelu\',"=HYPERLINK(""http://evil"",""click"")"\nb,gelu\',Phi(x) + x*phi(x)\n',
        encoding="utf-8",
    )
    out = tmp_path / "graded.csv"
    result = CliRunner().invoke(main, ["grade", str(source), "-o", str(out), "-j", "1", "--quiet"])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    with out.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert [r["status"] for r in rows] == ["invalid", "correct"]
    cells = [cell for row in rows for cell in row.values() if cell]
    assert not [c for c in cells if c[0] in "=+-@"], cells
    assert rows[0]["student"] == "'=cmd" and rows[0]["answer"].startswith("'=HYPERLINK")
