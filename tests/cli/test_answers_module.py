"""check and grade take --module like every command that names an identity: the module's question
is checked in the worker processes, which import it too."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from pathlib import Path

from derive.cli.new import scaffold


def _run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    return subprocess.run(
        [sys.executable, "-m", "derive", *args], cwd=cwd, capture_output=True, text=True, env=env, timeout=300
    )


def test_check_and_grade_a_question_of_a_user_module(tmp_path: Path) -> None:
    scaffold("my-softplus", tmp_path)
    right = _run(["check", "my-softplus", "sigma(x)", "--module", "my_softplus"], tmp_path)
    assert right.returncode == 0, right.stdout + right.stderr
    wrong = _run(["check", "my-softplus", "1 - sigma(x)", "-m", "./my_softplus.py"], tmp_path)
    assert wrong.returncode == 1, wrong.stdout + wrong.stderr
    (tmp_path / "answers.csv").write_text("student,identity,answer\na,my-softplus,sigma(x)\nb,my-softplus,exp(x)\n")
    graded = _run(["grade", "answers.csv", "-o", "graded.csv", "-j", "1", "-q", "--module", "my_softplus"], tmp_path)
    assert graded.returncode == 0, graded.stderr
    with (tmp_path / "graded.csv").open(newline="") as f:
        assert [r["status"] for r in csv.DictReader(f)] == ["correct", "incorrect"]


def test_an_unknown_module_is_a_usage_error(tmp_path: Path) -> None:
    out = _run(["check", "gelu'", "x", "--module", "no_such_module_here"], tmp_path)
    assert out.returncode == 2 and "Traceback" not in out.stderr
