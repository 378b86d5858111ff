"""Extending derive: a scaffolded module, a module on sys.path, and an installed plugin package."""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import textwrap
import venv
from pathlib import Path

import pytest
from click.testing import CliRunner

from derive.cli import main
from derive.cli.new import module_name, scaffold


def _run(args: list[str], cwd: Path, python: str = sys.executable) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(cwd)}
    return subprocess.run(
        [python, "-m", "derive", *args], cwd=cwd, capture_output=True, text=True, env=env, timeout=300
    )


def test_module_names() -> None:
    assert module_name("my-identity'") == "my_identity_prime"
    assert module_name("2nd-law") == "identity_2nd_law"


def test_scaffold_proves_and_its_test_passes(tmp_path: Path) -> None:
    scaffold("my-softplus", tmp_path)
    out = _run(["prove", "my-softplus", "--module", "my_softplus"], tmp_path)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "Verdict: proved (general)" in out.stdout
    tests = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_my_softplus.py"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(tmp_path)},
    )
    assert tests.returncode == 0, tests.stdout + tests.stderr
    assert (tmp_path / "my_softplus.py").read_text().count("declare(") == 1


def test_new_refuses_to_overwrite(tmp_path: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(main, ["new", "my-id", "--dir", str(tmp_path)]).exit_code == 0
    again = runner.invoke(main, ["new", "my-id", "--dir", str(tmp_path)])
    assert again.exit_code != 0 and "exists" in again.output


def test_a_wrong_third_party_derivation_names_the_step_and_both_sides(tmp_path: Path) -> None:
    scaffold("bad-softplus", tmp_path)
    path = tmp_path / "bad_softplus.py"
    source = path.read_text()
    path.write_text(source.replace('d.then(1 / (1 + exp(-x)), "divide', 'd.then(1 / (1 + exp(x)), "divide'))
    out = _run(["prove", "bad-softplus", "--module", "bad_softplus"], tmp_path)
    assert out.returncode == 1
    assert "step 2" in out.stdout and "is false" in out.stdout
    assert "from:" in out.stdout and "to:" in out.stdout and "1/(exp(x) + 1)" in out.stdout


def _plugin(root: Path, dist: str, identity_name: str) -> Path:
    pkg = root / dist
    scaffold(identity_name, pkg / dist.replace("-", "_"))
    (pkg / dist.replace("-", "_") / "__init__.py").write_text("")
    module = module_name(identity_name)
    (pkg / "pyproject.toml").write_text(
        textwrap.dedent(f"""
        [build-system]
        requires = ["hatchling"]
        build-backend = "hatchling.build"

        [project]
        name = "{dist}"
        version = "0.0.1"

        [project.entry-points."derive.identities"]
        {module} = "{dist.replace("-", "_")}.{module}"

        [tool.hatch.build.targets.wheel]
        packages = ["{dist.replace("-", "_")}"]
    """)
    )
    return pkg


@pytest.mark.slow
def test_installed_plugin_package_adds_identities_through_the_entry_point(tmp_path: Path) -> None:
    env_dir = tmp_path / "env"
    venv.create(env_dir, with_pip=True)
    python = str(env_dir / "bin" / "python")
    # the new environment sees this one's packages (derive and its dependencies) through a .pth file
    site = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    paths = {sysconfig.get_paths()["purelib"], str(Path(__file__).resolve().parents[2])}
    Path(site, "parent-env.pth").write_text("\n".join(sorted(paths)) + "\n")

    def install(pkg: Path) -> None:
        r = subprocess.run(
            [python, "-m", "pip", "install", "-q", "--no-deps", "--no-build-isolation", "--no-index", str(pkg)],
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert r.returncode == 0, r.stdout + r.stderr

    install(_plugin(tmp_path, "acme-identities", "acme-softplus"))
    listing = _run(["list", "--section", "2.2"], tmp_path, python)
    assert listing.returncode == 0, listing.stderr
    assert "acme-softplus" in listing.stdout and "acme-identities" in listing.stdout
    proved = _run(["prove", "acme-softplus"], tmp_path, python)
    assert proved.returncode == 0 and "Verdict: proved" in proved.stdout, proved.stdout + proved.stderr

    # a second package claiming the same name is an error that names both sources
    install(_plugin(tmp_path, "rival-identities", "acme-softplus"))
    clash = _run(["list"], tmp_path, python)
    assert clash.returncode != 0
    assert "acme-identities" in clash.stderr and "rival-identities" in clash.stderr and "declared twice" in clash.stderr


def test_the_wheel_ships_the_templates(tmp_path: Path) -> None:
    import zipfile

    root = Path(__file__).resolve().parents[2]
    built = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "-q",
            "--no-deps",
            "--no-build-isolation",
            "-w",
            str(tmp_path),
            str(root),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert built.returncode == 0, built.stdout + built.stderr
    (wheel,) = tmp_path.glob("derive-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for template in ("sheet.tex.j2", "identity.tex.j2", "preamble.tex.j2", "book.tex.j2", "new_identity.py.j2"):
        assert f"derive/templates/{template}" in names
    assert "derive/py.typed" in names and "derive/identities/calculus/gelu_prime.py" in names
