"""Colour follows the conventions: ``--color/--no-color``, then NO_COLOR (https://no-color.org),
then FORCE_COLOR, then whether standard output is a terminal."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from derive.cli import main
from derive.cli.options import use_color

ESC = "\x1b["


@pytest.mark.parametrize(
    ("env", "flag", "expected"),
    [
        ({}, None, False),  # CliRunner's output is not a terminal
        ({"FORCE_COLOR": "1"}, None, True),
        ({"FORCE_COLOR": "0"}, None, False),
        ({"NO_COLOR": "1", "FORCE_COLOR": "1"}, None, False),  # NO_COLOR wins
        ({"NO_COLOR": "1"}, True, True),  # an explicit --color wins over both
        ({"FORCE_COLOR": "1"}, False, False),
    ],
)
def test_prove_colours_as_asked(env: dict[str, str], flag: bool | None, expected: bool) -> None:
    args = ["prove", "sigmoid'"] + ([] if flag is None else ["--color" if flag else "--no-color"])
    result = CliRunner().invoke(main, args, env={"NO_COLOR": "", "FORCE_COLOR": "", **env})
    assert result.exit_code == 0, result.output
    assert (ESC in result.output) is expected


def test_use_color_reads_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "")
    monkeypatch.setenv("FORCE_COLOR", "yes")
    assert use_color() is True
    monkeypatch.setenv("NO_COLOR", "anything")
    assert use_color() is False
    assert use_color(True) is True
