"""The registry: names and aliases, lazy one-file lookups, the static index, conflicts named."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import derive
from derive.errors import DuplicateIdentityError, UnknownIdentityError


def test_unknown_name_suggests_close_names() -> None:
    with pytest.raises(KeyError) as info:
        derive.get("gelu")
    assert isinstance(info.value, UnknownIdentityError)
    assert "gelu'" in str(info.value) and "derive list" in str(info.value)


def test_public_names_survive_loading_the_registry() -> None:
    derive.names()  # imports derive.identities.* and derive.core.identity
    from derive import identity

    assert callable(identity) and identity.__module__ == "derive.core.identity"
    assert callable(derive.catalog) and len(derive.catalog()) == len(derive.names())


def test_aliases_resolve() -> None:
    assert derive.get("gelu-derivative") is derive.get("gelu'")


def test_one_lookup_imports_only_the_page_that_declares_it() -> None:
    """A cold ``derive.get`` of an alias imports the one page that declares it, found by the static
    index, not the whole catalog (a plugin's name resolves by the full load: see test_extension)."""
    code = (
        "import sys, derive\n"
        "first = derive.get('gelu-derivative').name\n"
        "mods = sorted(m for m in sys.modules if m.startswith('derive.identities.'))\n"
        "print(first, ','.join(mods), len(derive.names()))"
    )
    env = {**os.environ, "DERIVE_NO_PLUGINS": "1"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    first, mods, count = out.stdout.split()
    pages = [m for m in mods.split(",") if m.count(".") == 3]  # derive.identities.<chapter>.<page>
    assert first == "gelu'" and pages == ["derive.identities.calculus.gelu_prime"] and int(count) >= 75


def test_the_static_catalog_reads_what_the_registry_declares() -> None:
    """``derive list`` reads names, titles and sections from the source; it must agree with
    what importing the modules declares, in the same order."""
    from derive.core.index import Summary, catalog
    from derive.core.registry import REGISTRY

    static = catalog()
    assert static is not None
    builtin = [Summary(i.name, i.title, i.section, i.aliases, i.source) for i in REGISTRY if i.source == "derive"]
    assert static == builtin


def test_the_static_catalog_gives_up_on_computed_fields(tmp_path: Path) -> None:
    from derive.core.index import read

    assert read(tmp_path / "gone.py") is None  # installed without sources (bytecode only)
    (tmp_path / "ok.py").write_text('@identity("a", title="A", section="1.1")\ndef a(d): pass\n')
    assert [s.name for s in read(tmp_path / "ok.py") or ()] == ["a"]
    (tmp_path / "page.py").write_text('B = declare("b", title="B", section="1.1", aliases=("bee",))\n')
    assert [(s.name, s.aliases) for s in read(tmp_path / "page.py") or ()] == [("b", ("bee",))]
    (tmp_path / "computed.py").write_text('T = "B"\n@identity("b", title=T, section="1.1")\ndef b(d): pass\n')
    assert read(tmp_path / "computed.py") is None


def test_derive_list_does_not_import_sympy() -> None:
    code = (
        "import sys\nfrom derive.cli import main\n"
        "try:\n    main(['list'])\nexcept SystemExit:\n    pass\n"
        "print('SYMPY' if 'sympy' in sys.modules else 'NO-SYMPY')"
    )
    env = {**os.environ, "DERIVE_NO_PLUGINS": "1"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True).stdout
    assert "gelu'" in out and "softmax-jacobian" in out and out.strip().endswith("NO-SYMPY")


def test_conflicting_names_name_both_sources() -> None:
    from derive.core.registry import Registry

    reg = Registry()
    reg._loaded = True
    first = derive.get("gelu'")
    reg.add(first)
    import dataclasses

    twin = dataclasses.replace(first, module="otherpkg.identities", source="otherpkg", aliases=())
    with pytest.raises(DuplicateIdentityError) as info:
        reg.add(twin)
    assert "derive.identities.calculus.gelu_prime" in str(info.value) and "otherpkg" in str(info.value)


def test_loading_the_registry_runs_no_derivation(monkeypatch: pytest.MonkeyPatch) -> None:
    import derive.core.proof

    calls: list[str] = []
    monkeypatch.setattr(derive.core.proof, "prove_identity", lambda *a, **k: calls.append("x"))
    derive.names()
    derive.get("gelu'")
    assert calls == []


def _user_module(tmp_path: Path, identity_name: str, aliases: tuple[str, ...] = ()) -> str:
    from derive.cli.new import scaffold

    scaffold(identity_name, tmp_path)
    module = identity_name.replace("-", "_")
    path = tmp_path / f"{module}.py"
    if aliases:
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace("    claim=CLAIM,\n", f"    claim=CLAIM,\n    aliases={aliases!r},\n", 1))
    return module


def _load_in_fresh_process(tmp_path: Path, module: str) -> subprocess.CompletedProcess[str]:
    code = (
        "import sys; from derive.core.registry import REGISTRY\n"
        f"names = REGISTRY.load_module({module!r})\n"
        "builtins = [m for m in sys.modules if m.startswith('derive.identities.') and m.count('.') == 3]\n"
        "print(names, len(builtins))\n"
    )
    env = {**os.environ, "DERIVE_NO_PLUGINS": "1", "PYTHONPATH": str(tmp_path)}
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)


def test_a_user_module_loads_without_the_whole_catalog(tmp_path: Path) -> None:
    out = _load_in_fresh_process(tmp_path, _user_module(tmp_path, "my-softplus"))
    assert out.returncode == 0, out.stderr
    names, builtins = out.stdout.rsplit(" ", 1)
    assert "my-softplus" in names and int(builtins) <= 2, out.stdout


def test_a_user_module_that_clashes_with_a_builtin_alias_names_both(tmp_path: Path) -> None:
    out = _load_in_fresh_process(tmp_path, _user_module(tmp_path, "my-gelu", aliases=("gelu'",)))
    assert out.returncode != 0
    assert "DuplicateIdentityError" in out.stderr and "gelu_prime" in out.stderr and "my_gelu" in out.stderr
