"""The README's "Add an identity" tutorial, word for word, from the built wheel.

The wheel is built from this checkout and installed into a fresh virtual environment that holds
nothing else but the wheel's declared dependencies (and pytest, which the tutorial's last step runs),
linked from this environment so nothing is downloaded: ``pip install --no-index`` succeeds only if
every dependency the wheel names is present. The commands are read from README.md itself and run
in an empty folder with that environment's ``derive`` and ``python``, ``PYTHONPATH`` unset, so the
test fails if the README, the wheel or the scaffold drift apart.
"""

from __future__ import annotations

import csv
import importlib.metadata as metadata
import os
import re
import shlex
import shutil
import subprocess
import sys
import venv
import zipfile
from collections.abc import Iterable
from pathlib import Path, PurePosixPath

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

Completed = subprocess.CompletedProcess[str]
ROOT = Path(__file__).resolve().parents[2]
#: what a user installs beside the wheel to follow the tutorial (its last step runs pytest)
TUTORIAL_TOOLS = ("pytest",)
TIMEOUT = 300  # seconds per command: generous for a loaded CI machine; the whole test takes ~40 s of CPU


def tutorial_commands(readme: str) -> list[str]:
    """The ``$ `` lines of the console blocks in the README's "Add an identity" section."""
    section = re.search(r"^## Add an identity\n(.*?)(?=^## |\Z)", readme, re.S | re.M)
    assert section is not None, 'README.md has no "## Add an identity" section'
    blocks = re.findall(r"^```console\n(.*?)^```", section.group(1), re.S | re.M)
    return [line[2:] for block in blocks for line in block.splitlines() if line.startswith("$ ")]


def test_the_tutorial_commands_are_read_from_the_readme() -> None:
    readme = "## Add an identity\n```console\n$ derive new a  # note\nnot a command\n$ cd b\n```\n## Next\n$ x\n"
    assert tutorial_commands(readme) == ["derive new a  # note", "cd b"]


def _run(args: list[str], cwd: Path | None = None, env: dict[str, str] | None = None) -> Completed:
    """Run ``args``; assert it exits 0 (its output is the message if not)."""
    out = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=TIMEOUT)
    assert out.returncode == 0, f"{shlex.join(args)} exited {out.returncode}:\n{out.stdout}\n{out.stderr}"
    return out


def _build_wheel(dest: Path) -> Path:
    """The wheel of this checkout, built offline with this environment's hatchling."""
    _run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation", "-w", str(dest), str(ROOT)])
    (wheel,) = dest.glob("derive-*.whl")
    return wheel


def _requires(wheel: Path) -> list[str]:
    """The wheel's ``Requires-Dist`` lines."""
    with zipfile.ZipFile(wheel) as z:
        (name,) = (n for n in z.namelist() if n.endswith(".dist-info/METADATA"))
        text = z.read(name).decode()
    return re.findall(r"^Requires-Dist: (.+)$", text, re.M)


def _closure(requirements: Iterable[str]) -> dict[str, metadata.Distribution]:
    """The installed distributions that satisfy ``requirements``, transitively (markers and extras
    evaluated); each must be installed here at a version the requirement allows."""
    found: dict[str, metadata.Distribution] = {}
    seen: set[tuple[str, frozenset[str]]] = set()
    todo = [(Requirement(r), frozenset[str]()) for r in requirements]  # (requirement, its requirer's extras)
    while todo:
        req, extras = todo.pop()
        key = (canonicalize_name(req.name), frozenset(req.extras))
        if key in seen or not (req.marker is None or any(req.marker.evaluate({"extra": e}) for e in {"", *extras})):
            continue
        seen.add(key)
        dist = metadata.distribution(req.name)
        assert req.specifier.contains(dist.version, prereleases=True), f"{req} but {dist.version} is installed"
        found[key[0]] = dist
        todo.extend((Requirement(spec), key[1]) for spec in dist.requires or [])
    return found


def _link(dists: Iterable[metadata.Distribution], site: Path) -> None:
    """Symlink each distribution's top-level files and folders (packages and ``.dist-info``) into ``site``."""
    for dist in dists:
        files = dist.files
        assert files is not None, f"{dist.metadata['Name']} has no RECORD"
        for top in {PurePosixPath(f).parts[0] for f in files} - {"..", "__pycache__"}:
            target = site / top
            if not target.exists():
                target.symlink_to(Path(str(dist.locate_file(top))))


@pytest.fixture(scope="module")
def wheel_env(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtual environment with the wheel and its dependencies (no other package); its path."""
    root = tmp_path_factory.mktemp("wheel")
    wheel = _build_wheel(root / "dist")
    env = root / "env"
    venv.create(env, with_pip=False)
    python = env / "bin" / "python"
    site = Path(_run([str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"]).stdout.strip())
    deps = _closure([*_requires(wheel), *TUTORIAL_TOOLS])
    assert "sympy" in deps and "derive" not in deps
    _link(deps.values(), site)
    # without --no-deps: pip checks that every dependency the wheel declares is installed (--no-index:
    # nothing can be downloaded)
    _run([sys.executable, "-m", "pip", "--python", str(python), "install", "-q", "--no-index", str(wheel)])
    return env


def _environment(env: Path, cache: Path) -> dict[str, str]:
    """The user's environment: this venv's scripts first on PATH; no PYTHON*, PYTEST_* or DERIVE_*
    variables of the suite (PYTHONPATH above all); a proof cache of the test's own."""
    drop = ("PYTHON", "PYTEST_", "DERIVE_", "VIRTUAL_ENV")
    clean = {k: v for k, v in os.environ.items() if not k.startswith(drop)}
    return {**clean, "PATH": f"{env / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}", "DERIVE_CACHE_DIR": str(cache)}


def _check_output(argv: list[str], out: subprocess.CompletedProcess[str], cwd: Path) -> str | None:
    """Assert the key output of one tutorial command; return which step it was (None: not checked)."""
    step = " ".join(argv[:3] if argv[:2] == ["python", "-m"] else argv[:2])
    if step == "derive new":
        assert out.stdout.startswith("wrote ")
    elif step == "derive prove":
        assert f"[{argv[2]}]" in out.stdout and "Verdict: proved" in out.stdout, out.stdout
    elif step == "derive sheet":
        pdf = cwd / argv[argv.index("-o") + 1]
        assert pdf.read_bytes().startswith(b"%PDF"), f"{pdf} is not a PDF"
        assert f"wrote {pdf.name}" in out.stdout, out.stdout
    elif step == "python -m pytest":
        passed = re.search(r"(\d+) passed", out.stdout)
        assert passed is not None and int(passed.group(1)) >= 3 and " failed" not in out.stdout, out.stdout
    else:
        return None
    return step


@pytest.mark.slow
def test_the_readme_tutorial_runs_word_for_word_from_the_wheel(
    wheel_env: Path, tmp_path: Path, latex_available: None
) -> None:
    bin_dir = wheel_env / "bin"
    env = _environment(wheel_env, tmp_path / "cache")
    cwd = tmp_path / "empty"
    cwd.mkdir()
    where = _run([str(bin_dir / "python"), "-c", "import derive; print(derive.__file__)"], cwd=cwd, env=env)
    assert Path(where.stdout.strip()).is_relative_to(wheel_env), f"derive is not the wheel's: {where.stdout}"
    steps: list[str] = []
    for line in tutorial_commands((ROOT / "README.md").read_text(encoding="utf-8")):
        argv = shlex.split(line, comments=True)
        if argv[0] == "cd":
            cwd = cwd / argv[1]
            assert cwd.is_dir(), f"{line}: no such folder"
            continue
        exe = shutil.which(argv[0], path=env["PATH"])
        assert exe is not None and Path(exe).parent == bin_dir, f"{argv[0]} is {exe}, not the wheel environment's"
        out = _run([exe, *argv[1:]], cwd=cwd, env=env)
        for written in re.findall(r"\S+\.py\b", line.partition("#")[2]):  # "# writes mypkg/my_softplus.py ..."
            assert (cwd / written).is_file(), f"{line}: {written} was not written"
        steps.append(_check_output(argv, out, cwd) or line)
    assert {"derive new", "derive prove", "derive sheet", "python -m pytest"} <= set(steps), steps


#: the issue's other bullets, as a new user meets them from the wheel in an empty folder:
#: (arguments, expected exit status, text the output must hold)
EVERYDAY: tuple[tuple[tuple[str, ...], int, str], ...] = (
    (("derive", "list", "--json"), 0, '"name": "gelu\''),
    (("derive", "prove", "gelu'", "--json"), 0, '"ok": true'),
    (("derive", "verify", "gelu'", "relu'", "--json", "-j", "1"), 0, '"cached": false'),
    (("derive", "verify", "gelu'", "relu'", "--json", "-j", "1"), 0, '"cached": true'),
    (("derive", "check", "gelu'", "Phi(x) + x*phi(x)", "--json"), 0, '"status": "correct"'),
    (("derive", "check", "gelu'", "Phi(x)"), 1, "incorrect"),
    (("derive", "check", "gelu'", "Phi(x) +"), 4, "invalid"),
    (("derive", "check", "no-such-identity", "x"), 2, "no-such-identity"),
    (("derive", "sheet", "gelu'", "-o", "sheet.docx"), 2, ".docx"),
    (("derive", "export", "gelu'", "--to", "numpy"), 0, "def "),
    (("derive", "questions"), 0, "gelu'"),
    (("derive", "grade", "form.csv", "-o", "graded.csv", "-j", "1", "--quiet"), 0, ""),
)


@pytest.mark.slow
def test_everyday_commands_from_the_wheel(wheel_env: Path, tmp_path: Path) -> None:
    """Exit codes, JSON, the proof cache, the suffix check, export, the question list and grading of a
    form tool's CSV (one column per question, free column names), with the wheel's ``derive``."""
    env = {**_environment(wheel_env, tmp_path / "cache"), "NO_COLOR": "1"}
    cwd = tmp_path / "empty"
    cwd.mkdir()
    (cwd / "form.csv").write_text(
        "Timestamp,Email,gelu'\n2026-12-07,a@b.c,Phi(x) + x*phi(x)\n2026-12-07,d@e.f,Phi(x)\n", encoding="utf-8"
    )
    for args, status, text in EVERYDAY:
        exe = str(wheel_env / "bin" / args[0])
        out = subprocess.run([exe, *args[1:]], cwd=cwd, env=env, capture_output=True, text=True, timeout=TIMEOUT)
        shown = out.stdout + out.stderr
        assert out.returncode == status, f"{shlex.join(args)} exited {out.returncode}, not {status}:\n{shown}"
        assert text in shown, f"{shlex.join(args)}: {text!r} not in\n{shown}"
        assert "\x1b[" not in shown, f"{shlex.join(args)} coloured its output under NO_COLOR"
    with (cwd / "graded.csv").open(encoding="utf-8", newline="") as f:
        graded = list(csv.DictReader(f))
    assert [r["status"] for r in graded] == ["correct", "incorrect"]
