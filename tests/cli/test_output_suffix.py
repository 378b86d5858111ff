"""An output file whose suffix no writer makes is a usage error, before any work is done."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from derive.cli import main


@pytest.mark.parametrize(
    "args",
    [
        ["sheet", "sigmoid'", "-o", "x.docx"],
        ["sheet", "sigmoid'", "-o", "x"],
        ["book", "--names", "sigmoid'", "-o", "b.docx"],
    ],
)
def test_unknown_output_suffix_is_refused(tmp_path: Path, args: list[str]) -> None:
    result = CliRunner().invoke(main, [a.format(tmp_path) for a in args])
    assert result.exit_code == 2, result.output
    assert "must end in .pdf" in result.output
    assert list(tmp_path.iterdir()) == []
