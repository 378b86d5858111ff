"""Records get their displays from the renderer of their kind, registered by derive.render."""

from __future__ import annotations

import subprocess
import sys

import pytest

from derive.answers.verdict import Verdict
from derive.core import display


def test_a_verdict_is_shown_by_its_renderer() -> None:
    v = Verdict(False, "incorrect", "Off by a factor 2.", diagnosis="off by a constant factor 2")
    assert str(v) == "incorrect: Off by a factor 2. (off by a constant factor 2)"
    assert v._repr_markdown_().startswith("**incorrect**")


def test_an_unknown_kind_names_what_is_registered() -> None:
    with pytest.raises(LookupError, match="proof"):
        display.renderer("no-such-kind")


def test_core_reaches_the_renderers_without_importing_them_upfront() -> None:
    """Importing the core imports no rendering; the first display does, through the hook."""
    code = (
        "import sys\nfrom derive.core import proof\n"
        "print('derive.render' in sys.modules)\n"
        "from derive.core.display import renderer\nrenderer('proof')\nprint('derive.render' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["False", "True"]
