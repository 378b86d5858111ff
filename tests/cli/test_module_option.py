"""The tutorial's step 2 from the console script, outside the repository: `--module` finds a
module in the current folder (the console script does not put it on the path) or by its file."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from derive.cli.new import scaffold

SCRIPT = Path(sys.executable).with_name("derive")


@pytest.mark.parametrize("how", ["my_softplus", "./my_softplus.py", "ABSOLUTE"])
def test_prove_a_scaffolded_module_from_the_console_script(tmp_path: Path, how: str) -> None:
    scaffold("my-softplus", tmp_path)
    module = str(tmp_path / "my_softplus.py") if how == "ABSOLUTE" else how
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    out = subprocess.run(
        [str(SCRIPT), "prove", "my-softplus", "--module", module],
        cwd=tmp_path if how != "ABSOLUTE" else "/",
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    assert "proved" in out.stdout


def test_a_missing_module_file_is_a_usage_error(tmp_path: Path) -> None:
    out = subprocess.run(
        [str(SCRIPT), "prove", "x", "--module", "./nowhere.py"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 2 and "no such file" in out.stderr and "Traceback" not in out.stderr
