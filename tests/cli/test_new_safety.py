"""`derive new` never pastes a title into Python source as code."""

from __future__ import annotations

import ast
from pathlib import Path

import click
import pytest

from derive.cli.new import scaffold

HOSTILE = 'x" + str(__import__("os").system("touch pwned")) + "y'


def test_a_hostile_title_is_a_string_in_the_module(tmp_path: Path) -> None:
    module, _ = scaffold("my-thing", tmp_path, title=HOSTILE)
    tree = ast.parse(module.read_text(encoding="utf-8"))
    titles = [
        kw.value for node in ast.walk(tree) if isinstance(node, ast.Call) for kw in node.keywords if kw.arg == "title"
    ]
    assert [t.value for t in titles if isinstance(t, ast.Constant)] == [HOSTILE]
    assert not any(
        isinstance(node, ast.Call) and getattr(node.func, "id", "") == "__import__" for node in ast.walk(tree)
    )
    assert ast.get_docstring(tree).startswith(HOSTILE)  # type: ignore[union-attr]


@pytest.mark.parametrize(
    "title", ['x" + str(__import__("os").system("id")) + "', 'a""" + b', "two\nlines", "x" * 201, "ends in \\"]
)
def test_titles_that_could_end_the_docstring_are_refused(tmp_path: Path, title: str) -> None:
    with pytest.raises(click.BadParameter):
        scaffold("my-thing", tmp_path, title=title)
    assert not list(tmp_path.iterdir())
